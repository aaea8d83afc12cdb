// Kraken's public market-data endpoints, served from the simulated price path.
// Each follows its page in Kraken's REST reference:
// - Time: https://docs.kraken.com/api/docs/rest-api/get-server-time
// - AssetPairs: https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs
// - Ticker: https://docs.kraken.com/api/docs/rest-api/get-ticker-information
//   (a/b/c = ask, bid, last trade; v/p/t/l/h = [today, last 24 h]; o = today's open)
// - OHLC: https://docs.kraken.com/api/docs/rest-api/get-ohlc-data
//   (`last` = the open time of the last committed candle, usable as `since`)
// - Depth: https://docs.kraken.com/api/docs/rest-api/get-order-book
// - Assets: https://docs.kraken.com/api/docs/rest-api/get-asset-info
//   (aclass, altname, decimals, display_decimals, status; `asset` filters)
// - SystemStatus: https://docs.kraken.com/api/docs/rest-api/get-system-status
//   ({status: online|maintenance|cancel_only|post_only, timestamp})
// AssetPairs reports the pair's current `status` (set through the admin API).
import { PRICE_DECIMALS as pd, XDGUSD_ASSET_PAIR, XDGUSD_KEY, pairMatches } from '../asset-pair.js';
import type { SimEngine } from '../engine.js';
import { KrakenFail } from '../types.js';
import type { Endpoint, Params } from './endpoint.js';

const DAY_MS = 86_400_000;
const OHLC_INTERVALS = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];

function requirePair(p: Params): void {
  if (!pairMatches(p.pair ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
}

function time(_p: Params, { now }: SimEngine) {
  return { unixtime: Math.floor(now() / 1000), rfc1123: new Date(now()).toUTCString().replace('GMT', '+0000') };
}

function assetPairs(p: Params, { pairStatus }: SimEngine) {
  if (p.pair && !p.pair.split(',').every(pairMatches)) throw new KrakenFail('EQuery:Unknown asset pair');
  return { [XDGUSD_KEY]: { ...XDGUSD_ASSET_PAIR, status: pairStatus } };
}

const ASSETS: Record<string, { aclass: string; altname: string; decimals: number; display_decimals: number; collateral_value?: number; status: string }> = {
  XXDG: { aclass: 'currency', altname: 'XDG', decimals: 8, display_decimals: 2, status: 'enabled' },
  ZUSD: { aclass: 'currency', altname: 'USD', decimals: 4, display_decimals: 2, collateral_value: 1, status: 'enabled' },
};

function assets(p: Params) {
  if (!p.asset) return ASSETS;
  const out: Record<string, unknown> = {};
  for (const name of p.asset.split(',')) {
    const key = Object.keys(ASSETS).find((k) => k === name || ASSETS[k]!.altname === name || (name === 'DOGE' && k === 'XXDG'));
    if (!key) throw new KrakenFail('EQuery:Unknown asset');
    out[key] = ASSETS[key];
  }
  return out;
}

function systemStatus(_p: Params, { systemStatus: status, now }: SimEngine) {
  return { status, timestamp: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function ticker(p: Params, { market, now }: SimEngine) {
  requirePair(p);
  const today = market.since(Math.floor(now() / DAY_MS) * DAY_MS);
  const a = market.windowStats(today);
  const b = market.windowStats(market.since(now() - DAY_MS));
  return {
    [XDGUSD_KEY]: {
      a: [market.ask().toFixed(pd), '1000', '1000.000'],
      b: [market.bid().toFixed(pd), '1000', '1000.000'],
      c: [market.mid().toFixed(pd), '100.00000000'],
      v: [a.v, b.v],
      p: [a.p, b.p],
      t: [a.t, b.t],
      l: [a.l, b.l],
      h: [a.h, b.h],
      o: (today[0]?.p ?? market.mid()).toFixed(pd),
    },
  };
}

function ohlc(p: Params, { market, now }: SimEngine) {
  requirePair(p);
  const interval = Number(p.interval ?? 1);
  if (!OHLC_INTERVALS.includes(interval)) throw new KrakenFail('EGeneral:Invalid arguments:interval');
  const all = market.candles(interval);
  const rows = p.since !== undefined && p.since !== '' ? all.filter((r) => r[0] > Number(p.since)) : all;
  const last = all.length > 1 ? all[all.length - 2]![0] : (all[0]?.[0] ?? Math.floor(now() / 1000));
  return { [XDGUSD_KEY]: rows, last };
}

/** A synthetic book: `count` levels each side, 0.05 % apart, growing size. */
function depth(p: Params, { market, now }: SimEngine) {
  requirePair(p);
  const count = Math.min(500, Math.max(1, Number(p.count ?? 10) || 10));
  const ts = Math.floor(now() / 1000);
  const asks: [string, string, number][] = [];
  const bids: [string, string, number][] = [];
  for (let i = 0; i < count; i++) {
    asks.push([(market.ask() * (1 + 0.0005 * i)).toFixed(pd), (5000 + 1000 * i).toFixed(3), ts]);
    bids.push([(market.bid() * (1 - 0.0005 * i)).toFixed(pd), (5000 + 1000 * i).toFixed(3), ts]);
  }
  return { [XDGUSD_KEY]: { asks, bids } };
}

const pub = (name: string, handle: Endpoint['handle']): Endpoint => ({ name, access: 'public', restCost: 0, handle });

export const marketDataEndpoints: Endpoint[] = [pub('Time', time), pub('Ticker', ticker), pub('OHLC', ohlc), pub('AssetPairs', assetPairs), pub('Depth', depth), pub('Assets', assets), pub('SystemStatus', systemStatus)];
