// The simulated account: balances, orders and trades, and the matching engine
// that fills resting limit orders against the price path.
//
// Matching: a buy fills when the price is at or below its limit, a sell when
// it is at or above, at the order's limit price (a resting order is the maker;
// fee schedule: https://www.kraken.com/features/fee-schedule), either in full
// or `partialFillRatio` of its volume per crossing. Each fill is a trade with
// its own id, as TradesHistory lists them. Kraken's order and trade ids have
// the shape OXXXXX-XXXXX-XXXXXX / TXXXXX-XXXXX-XXXXXX.
import { mulberry32 } from '../../util/random.js';
import { LOT_DECIMALS as ld, XDGUSD_ASSET_PAIR, roundDown } from './asset-pair.js';
import { sameClOrdId } from './cl-ord-id.js';
import type { SimMarket } from './market.js';
import type { SimOrder, SimTrade } from './types.js';

export interface BookOptions {
  makerFeePct: number;
  takerFeePct: number;
  /** Share of an order's volume filled per crossing (1 = all at once). */
  partialFillRatio: number;
  seed: number;
  balances: Record<string, number>;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Suffixed balance keys ("Get Account Balance" / "Get Extended Balance",
 * https://docs.kraken.com/api/docs/rest-api/get-extended-balance, and Kraken's
 * support page on asset suffixes): with Kraken Rewards auto-earn the funds sit
 * under `<altname>.F` (e.g. DOGE under `XDG.F` beside `XXDG`) and stay
 * available for trading; `.B`, `.S`, `.M` (bonded, staked, opt-in rewards)
 * are not tradable. The simulator trades from the plain key first, then `.F`.
 */
const ALTNAMES: Record<string, string> = { XXDG: 'XDG', ZUSD: 'USD' };
export function tradableKeys(asset: string): string[] {
  const alt = ALTNAMES[asset];
  return alt ? [asset, `${alt}.F`] : [asset];
}

export class SimBook {
  readonly orders = new Map<string, SimOrder>();
  readonly trades = new Map<string, SimTrade>();
  readonly balances: Map<string, number>;
  readonly makerFeePct: number;
  readonly takerFeePct: number;
  private readonly partialRatio: number;
  private readonly rand: () => number;

  constructor(
    private readonly market: SimMarket,
    private readonly now: () => number,
    opts: BookOptions,
  ) {
    this.balances = new Map(Object.entries(opts.balances));
    this.makerFeePct = opts.makerFeePct;
    this.takerFeePct = opts.takerFeePct;
    this.partialRatio = Math.min(1, Math.max(0.000001, opts.partialFillRatio));
    this.rand = mulberry32(opts.seed);
  }

  /** A fresh Kraken-shaped id (O… for orders, T… for trades). */
  newId(prefix: string): string {
    for (;;) {
      let s = prefix;
      for (let i = 0; i < 16; i++) {
        s += ID_ALPHABET[Math.floor(this.rand() * ID_ALPHABET.length)];
        if (i === 4 || i === 9) s += '-';
      }
      if (!this.orders.has(s) && !this.trades.has(s)) return s;
    }
  }

  open(): SimOrder[] {
    return [...this.orders.values()].filter((o) => o.status === 'open');
  }

  /** Every order (open or not) whose cl_ord_id matches, oldest first. */
  byClOrdId(clOrdId: string, openOnly = false): SimOrder[] {
    return [...this.orders.values()].filter((o) => (!openOnly || o.status === 'open') && sameClOrdId(o.clOrdId, clOrdId));
  }

  balance(asset: string): number {
    return this.balances.get(asset) ?? 0;
  }

  /** What can be traded of an asset: its plain key plus its auto-earn (`.F`) variant. */
  tradable(asset: string): number {
    return tradableKeys(asset).reduce((sum, k) => sum + Math.max(0, this.balance(k)), 0);
  }

  /** Take `amount` of an asset from the plain key first, then the `.F` variant; a shortfall makes the plain key negative. */
  private debit(asset: string, amount: number): void {
    let left = amount;
    for (const k of tradableKeys(asset)) {
      const take = Math.min(Math.max(0, this.balance(k)), left);
      if (take > 0) this.balances.set(k, this.balance(k) - take);
      left -= take;
    }
    if (left > 0) this.balances.set(asset, this.balance(asset) - left);
  }

  /** Funds held by open orders: quote for buys (with the maker fee), base for sells. */
  held(): { quote: number; base: number } {
    let quote = 0;
    let base = 0;
    for (const o of this.orders.values()) {
      if (o.status !== 'open') continue;
      const rem = o.volume - o.volExec;
      if (o.side === 'buy') quote += rem * o.price * (1 + this.makerFeePct / 100);
      else base += rem;
    }
    return { quote, base };
  }

  add(o: SimOrder): void {
    this.orders.set(o.txid, o);
  }

  /** Match every open order against a price on the path. */
  match(p: number): void {
    for (const o of this.orders.values()) {
      if (o.status !== 'open') continue;
      const crosses = o.side === 'buy' ? p <= o.price : p >= o.price;
      if (!crosses) continue;
      const remaining = roundDown(o.volume - o.volExec, ld);
      let qty = this.partialRatio >= 1 ? remaining : roundDown(o.volume * this.partialRatio, ld);
      if (qty <= 0 || remaining - qty < 10 ** -ld) qty = remaining;
      this.fill(o, qty, o.price, true);
    }
  }

  /** Execute `qty` of an order at `price`: a trade, fees, balances; closes the order once fully executed. */
  fill(o: SimOrder, qty: number, price: number, maker: boolean): void {
    if (qty <= 0) return;
    const cost = qty * price;
    const fee = (cost * (maker ? this.makerFeePct : this.takerFeePct)) / 100;
    o.volExec = roundDown(o.volExec + qty, ld);
    o.cost += cost;
    o.fee += fee;
    this.settle(o.side, qty, cost, fee);
    const tid = this.newId('T');
    this.trades.set(tid, { tid, ordertxid: o.txid, side: o.side, price, volume: qty, cost, fee, time: this.now(), maker });
    o.trades.push(tid);
    this.market.addVolume(qty);
    if (o.volExec >= o.volume - 10 ** -(ld + 1)) {
      o.volExec = o.volume;
      o.status = 'closed';
      o.closedAt = this.now();
    }
  }

  /** Move the money of one fill (fees always in the quote currency, what oflags=fciq asks Kraken for). */
  private settle(side: 'buy' | 'sell', qty: number, cost: number, fee: number): void {
    const { base, quote } = XDGUSD_ASSET_PAIR;
    if (side === 'buy') {
      this.debit(quote, cost + fee);
      this.balances.set(base, this.balance(base) + qty);
    } else {
      this.debit(base, qty);
      this.balances.set(quote, this.balance(quote) + cost - fee);
    }
  }

  /** End an open order without (further) execution. */
  close(o: SimOrder, status: 'canceled' | 'expired', reason: string): void {
    o.status = status;
    o.closedAt = this.now();
    o.reason = reason;
  }
}
