// The one pair the simulator trades, XDG/USD, described the way Kraken's
// REST "Get Tradable Asset Pairs" answers
// (https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs),
// with the number formats that follow from it. A second pair would be a second
// entry here, keyed the same way.

/** AssetPairs entry for XDGUSD, in Kraken's shape. */
export const XDGUSD_ASSET_PAIR = {
  altname: 'XDGUSD',
  wsname: 'XDG/USD',
  aclass_base: 'currency',
  base: 'XXDG',
  aclass_quote: 'currency',
  quote: 'ZUSD',
  lot: 'unit',
  cost_decimals: 5,
  pair_decimals: 7,
  lot_decimals: 8,
  lot_multiplier: 1,
  leverage_buy: [2, 3],
  leverage_sell: [2, 3],
  fees: [
    [0, 0.4],
    [10000, 0.35],
    [50000, 0.24],
    [100000, 0.22],
    [250000, 0.2],
    [500000, 0.18],
    [1000000, 0.16],
    [2500000, 0.14],
    [5000000, 0.12],
    [10000000, 0.1],
  ],
  fees_maker: [
    [0, 0.25],
    [10000, 0.2],
    [50000, 0.14],
    [100000, 0.12],
    [250000, 0.1],
    [500000, 0.08],
    [1000000, 0.06],
    [2500000, 0.04],
    [5000000, 0.02],
    [10000000, 0],
  ],
  fee_volume_currency: 'ZUSD',
  margin_call: 80,
  margin_stop: 40,
  ordermin: '13',
  costmin: '0.5',
  tick_size: '0.0000001',
  status: 'online',
};

/** The key Kraken uses for the pair in result objects. */
export const XDGUSD_KEY = 'XDGUSD';
/** Decimals allowed in a price (`pair_decimals`) and in a volume (`lot_decimals`). */
export const PRICE_DECIMALS = XDGUSD_ASSET_PAIR.pair_decimals;
export const LOT_DECIMALS = XDGUSD_ASSET_PAIR.lot_decimals;

const PAIR_NAMES = [XDGUSD_KEY, XDGUSD_ASSET_PAIR.altname, XDGUSD_ASSET_PAIR.wsname, 'XXDGZUSD', 'DOGEUSD', 'DOGE/USD'];

/** Does a request's `pair` name this pair (Kraken accepts the altname, the wsname and the X/Z-prefixed name)? */
export function pairMatches(pair: string): boolean {
  return PAIR_NAMES.includes(pair);
}

/** Rounds down to `d` decimals (tolerating binary noise just below a step). */
export function roundDown(x: number, d: number): number {
  const f = 10 ** d;
  return Math.floor(x * f + 1e-6) / f;
}

/** Decimals written in a decimal string. */
export function decimals(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}
