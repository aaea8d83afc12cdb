// Kraken's REST shapes: the answers we read (only the fields we use are typed
// strictly), the AddOrder/CancelOrder arguments, and Kraken's cl_ord_id format.
// Types and two pure helpers only; no I/O.

/** Every Kraken answer: `{ error: string[], result?: T }`. */
export interface KrakenEnvelope<T> {
  error?: unknown;
  result?: T;
}

export interface KrakenTime {
  unixtime: number;
  rfc1123: string;
}

export interface KrakenTickerEntry {
  /** ask [price, whole lot volume, lot volume] */
  a: [string, string, string];
  b: [string, string, string];
  /** last trade closed [price, lot volume] */
  c: [string, string];
  v: [string, string];
  p: [string, string];
  t: [number, number];
  l: [string, string];
  h: [string, string];
  o: string;
}

/** [time (s), open, high, low, close, vwap, volume, count] */
export type KrakenOhlcRow = [number, string, string, string, string, string, string, number];

export interface KrakenOhlc {
  pairKey: string;
  rows: KrakenOhlcRow[];
  last: number;
}

export interface KrakenAssetPair {
  altname: string;
  wsname?: string;
  aclass_base?: string;
  base: string;
  aclass_quote?: string;
  quote: string;
  lot?: string;
  cost_decimals?: number;
  pair_decimals: number;
  lot_decimals: number;
  lot_multiplier?: number;
  fees?: [number, number][];
  fees_maker?: [number, number][];
  fee_volume_currency?: string;
  ordermin?: string;
  costmin?: string;
  tick_size?: string;
  status?: string;
  [extra: string]: unknown;
}

export interface KrakenDepth {
  asks: [string, string, number][];
  bids: [string, string, number][];
}

export type KrakenOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

export interface KrakenOrderInfo {
  refid: string | null;
  userref: number | null;
  cl_ord_id?: string | null;
  status: KrakenOrderStatus;
  opentm: number;
  starttm: number;
  expiretm: number;
  closetm?: number;
  descr: { pair: string; type: 'buy' | 'sell'; ordertype: string; price: string; price2: string; leverage: string; order: string; close: string };
  vol: string;
  vol_exec: string;
  cost: string;
  fee: string;
  /** Average execution price. */
  price: string;
  stopprice: string;
  limitprice: string;
  misc: string;
  oflags: string;
  reason?: string | null;
  trades?: string[];
}

export interface KrakenTrade {
  ordertxid: string;
  postxid?: string;
  pair: string;
  time: number;
  type: 'buy' | 'sell';
  ordertype: string;
  price: string;
  cost: string;
  fee: string;
  vol: string;
  margin?: string;
  misc?: string;
  maker?: boolean;
}

export interface AddOrderParams {
  pair: string;
  type: 'buy' | 'sell';
  ordertype: 'limit';
  /** Decimal string, already rounded to pair_decimals. */
  price: string;
  /** Decimal string, already rounded to lot_decimals. */
  volume: string;
  /** "post" for post-only. */
  oflags?: string;
  /**
   * Client order id: long UUID, 32-hex short UUID or ≤ 18 ASCII chars. Kraken makes it
   * mutually exclusive with `userref`. Without it an ambiguous failure is NOT retried.
   */
  cl_ord_id?: string;
  userref?: number;
  validate?: boolean;
  /** Not sent: other spellings of `pair` (altname, wsname) an order found by cl_ord_id after an ambiguous failure may carry. */
  lookupPairs?: string[];
}

export interface AddOrderResult {
  descr: { order: string; close?: string };
  txid: string[];
  /** True when the order was found by cl_ord_id after an ambiguous failure instead of being confirmed by the AddOrder answer. */
  recovered?: boolean;
}

export interface CancelOrderRef {
  /** A txid, or a userref (number) to cancel every open order carrying it. */
  txid?: string | number;
  cl_ord_id?: string;
}

/** Compare client order ids the way Kraken stores them: UUID forms without dashes, case-insensitive. */
export function normalizeClOrdId(id: string): string {
  const s = id.trim();
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) || /^[0-9a-fA-F]{32}$/.test(s)) {
    return s.replace(/-/g, '').toLowerCase();
  }
  return s;
}

/** Is `id` an acceptable Kraken cl_ord_id (long UUID, 32-hex short UUID, or ≤ 18 printable ASCII)? */
export function isValidClOrdId(id: string): boolean {
  if (/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id)) return true;
  if (/^[0-9a-fA-F]{32}$/.test(id)) return true;
  return id.length > 0 && id.length <= 18 && /^[\x21-\x7e]+$/.test(id);
}
