// Kraken's private read endpoints: balances, orders and trades of the account.
// - Balance: https://docs.kraken.com/api/docs/rest-api/get-account-balance
// - BalanceEx: https://docs.kraken.com/api/docs/rest-api/get-extended-balance
//   (`balance` and `hold_trade`, the part held by open orders, per asset key;
//   suffixed keys such as `XDG.F` are listed as they are held, the hold
//   falling on the plain key first, then on `.F`)
// - TradeVolume: https://docs.kraken.com/api/docs/rest-api/get-trade-volume
//   (`currency`, 30-day `volume`; with `pair`, `fees` (taker) and
//   `fees_maker` per pair: fee, minfee, maxfee, nextfee, nextvolume,
//   tiervolume, from AssetPairs' fee schedule)
// - GetWebSocketsToken: https://docs.kraken.com/api/docs/rest-api/get-websockets-token
//   ({token, expires: 900})
// - OpenOrders: https://docs.kraken.com/api/docs/rest-api/get-open-orders
// - ClosedOrders: https://docs.kraken.com/api/docs/rest-api/get-closed-orders
//   (newest first, 50 per page from `ofs`, `start`/`end` exclusive/inclusive
//   on `closetime` = open|close|both; costs 2 on the REST counter)
// - QueryOrders: https://docs.kraken.com/api/docs/rest-api/get-orders-info
//   (at most 50 txids; an unknown one fails the whole call)
// - TradesHistory: https://docs.kraken.com/api/docs/rest-api/get-trade-history
//   (newest first, 50 per page from `ofs`; `start` exclusive and `end`
//   inclusive, each a unix timestamp or a trade id standing for its time;
//   `count` is the number of trades in the range; costs 2 on the REST counter)
// Filters `userref` and `cl_ord_id` behave as on Kraken.
import crypto from 'node:crypto';
import { XDGUSD_ASSET_PAIR, XDGUSD_KEY, pairMatches } from '../asset-pair.js';
import { tradableKeys } from '../book.js';
import { sameClOrdId } from '../cl-ord-id.js';
import type { SimEngine } from '../engine.js';
import { orderInfo, tradeInfo } from '../order-info.js';
import { KrakenFail, type SimOrder } from '../types.js';
import type { Endpoint, Params } from './endpoint.js';

const PAGE = 50;
const TIME = /^\d+(\.\d+)?$/;

/** Fiat (Z…) balances with 4 decimals, crypto with 8. */
const assetDecimals = (asset: string) => (asset.startsWith('Z') ? 4 : 8);

function balance(_p: Params, { book }: SimEngine) {
  const out: Record<string, string> = {};
  for (const [a, v] of book.balances) out[a] = v.toFixed(assetDecimals(a));
  return out;
}

function balanceEx(_p: Params, { book }: SimEngine) {
  const h = book.held();
  const holds = new Map<string, number>();
  for (const [asset, total] of [[XDGUSD_ASSET_PAIR.quote, h.quote], [XDGUSD_ASSET_PAIR.base, h.base]] as const) {
    let left = total;
    for (const k of tradableKeys(asset)) {
      const part = Math.min(left, Math.max(0, book.balance(k)));
      if (part > 0) holds.set(k, part);
      left -= part;
    }
    if (left > 1e-12) holds.set(asset, (holds.get(asset) ?? 0) + left);
  }
  const out: Record<string, { balance: string; hold_trade: string }> = {};
  for (const [a, v] of book.balances) {
    const d = assetDecimals(a);
    out[a] = { balance: v.toFixed(d), hold_trade: (holds.get(a) ?? 0).toFixed(d) };
  }
  return out;
}

type FeeTable = readonly (readonly number[])[];

/** One pair's entry of TradeVolume's `fees` / `fees_maker`: the account's fee and where it sits in the schedule. */
function feeInfo(table: FeeTable, fee: number, volume: number) {
  let tier = 0;
  for (let i = 0; i < table.length; i++) if (volume >= table[i]![0]!) tier = i;
  const next = table[tier + 1];
  const fees = table.map((r) => r[1]!);
  return {
    fee: fee.toFixed(4),
    minfee: Math.min(...fees).toFixed(4),
    maxfee: Math.max(...fees).toFixed(4),
    nextfee: next ? next[1]!.toFixed(4) : null,
    nextvolume: next ? next[0]!.toFixed(4) : null,
    tiervolume: table[tier]![0]!.toFixed(4),
  };
}

function tradeVolume(p: Params, { book, now }: SimEngine) {
  const since = now() - 30 * 86_400_000;
  let volume = 0;
  for (const t of book.trades.values()) if (t.time > since) volume += t.cost;
  const out: Record<string, unknown> = { currency: XDGUSD_ASSET_PAIR.fee_volume_currency, volume: volume.toFixed(4) };
  const pairs = (p.pair ?? '').split(',').filter(Boolean);
  if (pairs.length > 0) {
    if (!pairs.every(pairMatches)) throw new KrakenFail('EQuery:Unknown asset pair');
    out.fees = { [XDGUSD_KEY]: feeInfo(XDGUSD_ASSET_PAIR.fees, book.takerFeePct, volume) };
    out.fees_maker = { [XDGUSD_KEY]: feeInfo(XDGUSD_ASSET_PAIR.fees_maker, book.makerFeePct, volume) };
  }
  return out;
}

function webSocketsToken(_p: Params, engine: SimEngine) {
  const token = crypto.randomBytes(32).toString('base64').replace(/=+$/, '');
  engine.wsTokens.set(token, engine.now());
  return { token, expires: 900 };
}

/** The `userref` and `cl_ord_id` filters of the order listings. */
function passesFilters(o: SimOrder, p: Params): boolean {
  if (p.userref !== undefined && p.userref !== '' && o.userref !== Number(p.userref)) return false;
  return !p.cl_ord_id || sameClOrdId(o.clOrdId, p.cl_ord_id);
}

function openOrders(p: Params, { book }: SimEngine) {
  const open: Record<string, unknown> = {};
  for (const o of book.open()) if (passesFilters(o, p)) open[o.txid] = orderInfo(o, p.trades === 'true');
  return { open };
}

function inTimeRange(o: SimOrder, p: Params): boolean {
  const start = p.start !== undefined && TIME.test(p.start) ? Number(p.start) * 1000 : null;
  const end = p.end !== undefined && TIME.test(p.end) ? Number(p.end) * 1000 : null;
  const closetime = p.closetime ?? 'both';
  const times = closetime === 'open' ? [o.openedAt] : closetime === 'close' ? [o.closedAt ?? 0] : [o.openedAt, o.closedAt ?? 0];
  return times.some((t) => (start === null || t > start) && (end === null || t <= end));
}

function closedOrders(p: Params, { book }: SimEngine) {
  const list = [...book.orders.values()]
    .filter((o) => o.status === 'closed' || o.status === 'canceled' || o.status === 'expired')
    .filter((o) => passesFilters(o, p) && inTimeRange(o, p))
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  const ofs = Number(p.ofs ?? 0) || 0;
  const closed: Record<string, unknown> = {};
  for (const o of list.slice(ofs, ofs + PAGE)) closed[o.txid] = orderInfo(o, p.trades === 'true');
  return { closed, count: list.length };
}

function queryOrders(p: Params, { book }: SimEngine) {
  const ids = (p.txid ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length === 0 || ids.length > PAGE) throw new KrakenFail('EGeneral:Invalid arguments:txid');
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    const o = book.orders.get(id);
    if (!o) throw new KrakenFail('EOrder:Invalid order');
    if (p.userref !== undefined && p.userref !== '' && o.userref !== Number(p.userref)) continue;
    out[id] = orderInfo(o, p.trades === 'true');
  }
  return out;
}

/** A `start`/`end` bound of TradesHistory in ms: a unix timestamp (seconds) or the id of one of our trades (its time). */
function tradeBound(v: string | undefined, name: string, { book }: SimEngine): number | null {
  if (v === undefined || v === '') return null;
  if (TIME.test(v)) return Number(v) * 1000;
  const t = book.trades.get(v);
  if (!t) throw new KrakenFail(`EGeneral:Invalid arguments:${name}`);
  return t.time;
}

function tradesHistory(p: Params, engine: SimEngine) {
  const start = tradeBound(p.start, 'start', engine);
  const end = tradeBound(p.end, 'end', engine);
  const list = [...engine.book.trades.values()]
    .filter((t) => (start === null || t.time > start) && (end === null || t.time <= end))
    .sort((a, b) => b.time - a.time);
  const ofs = Number(p.ofs ?? 0) || 0;
  const trades: Record<string, unknown> = {};
  for (const t of list.slice(ofs, ofs + PAGE)) trades[t.tid] = tradeInfo(t);
  return { trades, count: list.length };
}

const priv = (name: string, restCost: number, handle: Endpoint['handle']): Endpoint => ({ name, access: 'private', restCost, handle });

export const accountEndpoints: Endpoint[] = [
  priv('Balance', 1, balance),
  priv('BalanceEx', 1, balanceEx),
  priv('OpenOrders', 1, openOrders),
  priv('ClosedOrders', 2, closedOrders),
  priv('QueryOrders', 1, queryOrders),
  priv('TradesHistory', 2, tradesHistory),
  priv('TradeVolume', 1, tradeVolume),
  priv('GetWebSocketsToken', 1, webSocketsToken),
];
