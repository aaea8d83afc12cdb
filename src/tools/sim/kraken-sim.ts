// A Kraken-compatible simulator (node:http on 127.0.0.1) for tests and the
// offline demo. It speaks the subset of Kraken's REST API the bot uses:
//
// - public GET /0/public/{Time, Ticker, OHLC, AssetPairs, Depth}, fed by a
//   configurable price process (manual, GBM, OU, replayed OHLC CSV);
// - private POST /0/private/{AddOrder, CancelOrder, OpenOrders, ClosedOrders,
//   QueryOrders, Balance, BalanceEx, TradesHistory}, authenticated exactly as
//   Kraken does (API-Key header; API-Sign recomputed from the raw body; nonce
//   strictly above the last one seen for the key), with Kraken's REST call
//   counter and per-pair trading counter enforced;
// - an order book of resting limit orders matched against the price path
//   (buy fills when price ≤ limit, sell when price ≥ limit, optional partial
//   fills, maker fee charged), balances, post-only rejection;
// - admin endpoints under /sim/ and fault injection (latency, dropped or
//   hanging connections before/after execution, HTTP 502, EService errors,
//   invalid nonce, rate limit, malformed JSON, insufficient funds, orders
//   cancelled or expired behind the client's back).
//
// Its signature check and counters are written independently of the client,
// so a test passing against it is evidence, not a tautology.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPriceProcess, type PriceProcess, type PriceProcessSpec } from './price-process.js';
import { mulberry32 } from '../../util/random.js';

export type SimTier = 'starter' | 'intermediate' | 'pro';
export type SimOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

const REST_LIMITS: Record<SimTier, { max: number; decay: number }> = {
  starter: { max: 15, decay: 0.33 },
  intermediate: { max: 20, decay: 0.5 },
  pro: { max: 20, decay: 1 },
};
const TRADING_LIMITS: Record<SimTier, { max: number; decay: number }> = {
  starter: { max: 60, decay: 1 },
  intermediate: { max: 125, decay: 2.34 },
  pro: { max: 180, decay: 3.75 },
};
const OPEN_ORDER_LIMITS: Record<SimTier, number> = { starter: 60, intermediate: 80, pro: 225 };
const HISTORY = new Set(['TradesHistory', 'QueryTrades', 'Ledgers', 'QueryLedgers', 'ClosedOrders']);
const PRIVATE = new Set(['AddOrder', 'CancelOrder', 'OpenOrders', 'ClosedOrders', 'QueryOrders', 'Balance', 'BalanceEx', 'TradesHistory']);
const PUBLIC = new Set(['Time', 'Ticker', 'OHLC', 'AssetPairs', 'Depth']);

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
const XDGUSD_KEY = 'XDGUSD';

export type FaultType =
  | 'latency' // delay the answer by `ms`
  | 'http_502' // HTTP 502, request not executed
  | 'http_502_after' // executed, then HTTP 502
  | 'service_unavailable' // EService:Unavailable, not executed
  | 'service_unavailable_after' // executed, then EService:Unavailable
  | 'service_busy' // EService:Busy, not executed
  | 'invalid_nonce' // EAPI:Invalid nonce, not executed
  | 'rate_limit' // EAPI:Rate limit exceeded, not executed
  | 'lockout' // EGeneral:Temporary lockout, not executed
  | 'malformed_json' // executed, then an unreadable body
  | 'insufficient_funds' // EOrder:Insufficient funds, not executed
  | 'drop_before' // connection reset, not executed
  | 'drop_after' // executed, then connection reset
  | 'timeout_before' // no answer at all, not executed
  | 'timeout_after'; // executed, then no answer at all

export const FAULT_TYPES: FaultType[] = [
  'latency',
  'http_502',
  'http_502_after',
  'service_unavailable',
  'service_unavailable_after',
  'service_busy',
  'invalid_nonce',
  'rate_limit',
  'lockout',
  'malformed_json',
  'insufficient_funds',
  'drop_before',
  'drop_after',
  'timeout_before',
  'timeout_after',
];

export interface FaultSpec {
  type: FaultType;
  /** Endpoint name (e.g. "AddOrder"); any endpoint when omitted. */
  endpoint?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  /** For latency. */
  ms?: number;
}

export interface ActiveFault {
  type: FaultType;
  times: number;
  endpoint?: string;
  ms?: number;
}

export interface SimOrder {
  txid: string;
  side: 'buy' | 'sell';
  price: number;
  volume: number;
  volExec: number;
  cost: number;
  fee: number;
  status: SimOrderStatus;
  userref: number | null;
  clOrdId: string | null;
  oflags: string;
  /** ms */
  openedAt: number;
  closedAt: number | null;
  reason: string | null;
  trades: string[];
}

export interface SimTrade {
  tid: string;
  ordertxid: string;
  side: 'buy' | 'sell';
  price: number;
  volume: number;
  cost: number;
  fee: number;
  time: number;
  maker: boolean;
}

export interface SimStats {
  /** Accepted requests per endpoint. */
  calls: Record<string, number>;
  /** Rejections per Kraken error string (and injected faults as "fault:<type>"). */
  rejections: Record<string, number>;
}

export interface KrakenSimOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** Base64. */
  apiSecret?: string;
  tier?: SimTier;
  /** Clock (ms). Inject a fake one to advance time without sleeping. */
  now?: () => number;
  /** Price path. Default: manual at 0.1. */
  process?: PriceProcessSpec;
  seed?: number;
  /** Starting balances by Kraken asset code. Default ZUSD 1000, XXDG 10000. */
  balances?: Record<string, number>;
  makerFeePct?: number;
  takerFeePct?: number;
  /** Share of an order's volume filled each time the price crosses it (1 = all at once). */
  partialFillRatio?: number;
  /** Bid/ask spread around the mid price, in %. Default 0 (bid = ask = price). */
  spreadPct?: number;
  enforceRateLimits?: boolean;
  /** Kraken rejects AddOrder with both userref and cl_ord_id; set true to allow it anyway. */
  allowUserrefWithClOrdId?: boolean;
  /** Step the price process every N real ms (CLI mode). */
  autoStepMs?: number;
}

type KrakenReply = { status?: number; body: unknown } | { raw: string; status: number };

class KrakenFail extends Error {
  constructor(readonly krakenError: string) {
    super(krakenError);
  }
}

interface Sample {
  t: number;
  p: number;
  v: number;
}

export interface KrakenSim {
  url: string;
  port: number;
  apiKey: string;
  apiSecret: string;
  close(): Promise<void>;
  /** Set the price by hand and match resting orders against it. */
  setPrice(price: number): void;
  /** Advance the price process `steps` steps, matching orders along the path. Returns the new price. */
  step(steps?: number): number;
  price(): number;
  now(): number;
  /** All orders, oldest first. */
  orders(): SimOrder[];
  openOrders(): SimOrder[];
  order(txid: string): SimOrder | undefined;
  ordersByClientId(clOrdId: string): SimOrder[];
  trades(): SimTrade[];
  balances(): Record<string, number>;
  setBalance(asset: string, amount: number): void;
  /** Place an order as the account owner would by hand (no auth, no counters). Throws with the Kraken error. */
  placeOrderDirect(o: { side: 'buy' | 'sell'; price: number; volume: number; userref?: number; clOrdId?: string; postOnly?: boolean }): string;
  /** Cancel or expire an order behind the client's back. */
  closeBehindBack(txid: string, status: 'canceled' | 'expired'): void;
  /** Model counters (after decay) — for assertions. */
  restCounter(apiKey?: string): number;
  tradingCounter(): number;
  faults: {
    add(f: FaultSpec | FaultSpec[]): void;
    clear(): void;
    list(): ActiveFault[];
    /** Added to every request, in real ms. */
    latencyMs: number;
  };
  stats: SimStats;
  /** Every request, in arrival order. */
  requests: { endpoint: string; outcome: string; at: number }[];
  /** Add another API key for the same account (each key has its own nonce and counter, as on Kraken). */
  addApiKey(key: string, secretBase64: string): void;
}

const DEFAULT_KEY = 'sim-api-key-0000000000000000000000000000000000000000000000';
const DEFAULT_SECRET = Buffer.from('kraken-sim-secret-'.repeat(4)).toString('base64');

export async function startKrakenSim(options: KrakenSimOptions = {}): Promise<KrakenSim> {
  const now = options.now ?? (() => Date.now());
  const tier = options.tier ?? 'starter';
  const makerFee = options.makerFeePct ?? 0.25;
  const takerFee = options.takerFeePct ?? 0.4;
  const partialRatio = Math.min(1, Math.max(0.000001, options.partialFillRatio ?? 1));
  const spread = (options.spreadPct ?? 0) / 100;
  const enforce = options.enforceRateLimits ?? true;
  const pairInfo = XDGUSD_ASSET_PAIR;
  const pd = pairInfo.pair_decimals;
  const ld = pairInfo.lot_decimals;
  const ordermin = Number(pairInfo.ordermin);
  const costmin = Number(pairInfo.costmin);
  const rand = mulberry32(options.seed ?? 7);

  const proc: PriceProcess = createPriceProcess(options.process ?? { kind: 'manual', price: 0.1 }, options.seed ?? 1);
  const samples: Sample[] = [];
  const orders = new Map<string, SimOrder>();
  const trades = new Map<string, SimTrade>();
  const balances = new Map<string, number>(Object.entries(options.balances ?? { ZUSD: 1000, XXDG: 10000 }));
  const keys = new Map<string, { secret: Buffer; lastNonce: bigint; counter: number; at: number }>();
  const trading = { counter: 0, at: now() };
  const faults: ActiveFault[] = [];
  const stats: SimStats = { calls: {}, rejections: {} };
  const requests: KrakenSim['requests'] = [];
  const held = new Set<http.ServerResponse>();
  let latencyMs = 0;

  const apiKey = options.apiKey ?? DEFAULT_KEY;
  const apiSecret = options.apiSecret ?? DEFAULT_SECRET;
  const addApiKey = (key: string, secretBase64: string) => {
    keys.set(key, { secret: Buffer.from(secretBase64, 'base64'), lastNonce: 0n, counter: 0, at: now() });
  };
  addApiKey(apiKey, apiSecret);

  const reject = (what: string) => {
    stats.rejections[what] = (stats.rejections[what] ?? 0) + 1;
  };

  // ----- market -------------------------------------------------------------

  const mid = () => proc.current();
  const bid = () => mid() * (1 - spread / 2);
  const ask = () => mid() * (1 + spread / 2);
  samples.push({ t: now(), p: mid(), v: 0 });

  const applyPrice = (p: number) => {
    samples.push({ t: now(), p, v: 1000 });
    if (samples.length > 200_000) samples.splice(0, samples.length - 150_000);
    for (const o of orders.values()) {
      if (o.status !== 'open') continue;
      const crosses = o.side === 'buy' ? p <= o.price : p >= o.price;
      if (!crosses) continue;
      const remaining = roundDown(o.volume - o.volExec, ld);
      let qty = partialRatio >= 1 ? remaining : roundDown(o.volume * partialRatio, ld);
      if (qty <= 0 || remaining - qty < 10 ** -ld) qty = remaining;
      fill(o, qty, o.price, true);
    }
  };

  const fill = (o: SimOrder, qty: number, price: number, maker: boolean) => {
    if (qty <= 0) return;
    const cost = qty * price;
    const fee = (cost * (maker ? makerFee : takerFee)) / 100;
    o.volExec = roundDown(o.volExec + qty, ld);
    o.cost += cost;
    o.fee += fee;
    const base = pairInfo.base;
    const quote = pairInfo.quote;
    if (o.side === 'buy') {
      balances.set(quote, (balances.get(quote) ?? 0) - cost - fee);
      balances.set(base, (balances.get(base) ?? 0) + qty);
    } else {
      balances.set(base, (balances.get(base) ?? 0) - qty);
      balances.set(quote, (balances.get(quote) ?? 0) + cost - fee);
    }
    const tid = newId('T');
    trades.set(tid, { tid, ordertxid: o.txid, side: o.side, price, volume: qty, cost, fee, time: now(), maker });
    o.trades.push(tid);
    const last = samples[samples.length - 1];
    if (last) last.v += qty;
    if (o.volExec >= o.volume - 10 ** -(ld + 1)) {
      o.volExec = o.volume;
      o.status = 'closed';
      o.closedAt = now();
    }
  };

  const newId = (prefix: string) => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    for (;;) {
      let s = prefix;
      for (let i = 0; i < 16; i++) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
        if (i === 4 || i === 9) s += '-';
      }
      if (!orders.has(s) && !trades.has(s)) return s;
    }
  };

  const held_ = () => {
    let quote = 0;
    let base = 0;
    for (const o of orders.values()) {
      if (o.status !== 'open') continue;
      const rem = o.volume - o.volExec;
      if (o.side === 'buy') quote += rem * o.price * (1 + makerFee / 100);
      else base += rem;
    }
    return { quote, base };
  };

  const normCl = (s: string) => (/^[0-9a-fA-F-]{32,36}$/.test(s) ? s.replace(/-/g, '').toLowerCase() : s);
  const validCl = (s: string) =>
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s) ||
    /^[0-9a-fA-F]{32}$/.test(s) ||
    (s.length > 0 && s.length <= 18 && /^[\x21-\x7e]+$/.test(s));

  const decimals = (s: string) => {
    const i = s.indexOf('.');
    return i < 0 ? 0 : s.length - i - 1;
  };

  const place = (p: Record<string, string>, forceFunds = false): { txid?: string[]; descr: { order: string } } => {
    const pair = p.pair ?? '';
    if (!pairMatches(pair)) throw new KrakenFail('EQuery:Unknown asset pair');
    const type = p.type;
    if (type !== 'buy' && type !== 'sell') throw new KrakenFail('EGeneral:Invalid arguments:type');
    if (p.ordertype !== 'limit') throw new KrakenFail('EGeneral:Invalid arguments:ordertype');
    const volS = p.volume ?? '';
    const priceS = p.price ?? '';
    const volume = Number(volS);
    const price = Number(priceS);
    if (!/^\d+(\.\d+)?$/.test(volS) || !(volume > 0)) throw new KrakenFail('EGeneral:Invalid arguments:volume');
    if (decimals(volS) > ld) throw new KrakenFail(`EGeneral:Invalid arguments:volume`);
    if (!/^\d+(\.\d+)?$/.test(priceS) || !(price > 0)) throw new KrakenFail('EGeneral:Invalid arguments:price');
    if (decimals(priceS) > pd) throw new KrakenFail(`EOrder:Invalid price:${pairInfo.altname} price can only be specified up to ${pd} decimals.`);
    if (volume < ordermin) throw new KrakenFail('EOrder:Order minimum not met');
    if (volume * price < costmin) throw new KrakenFail('EOrder:Cost minimum not met');
    const userref = p.userref !== undefined && p.userref !== '' ? Number(p.userref) : null;
    if (userref !== null && (!Number.isInteger(userref) || userref < -2147483648 || userref > 2147483647)) throw new KrakenFail('EGeneral:Invalid arguments:userref');
    const cl = p.cl_ord_id !== undefined && p.cl_ord_id !== '' ? p.cl_ord_id : null;
    if (cl !== null) {
      if (userref !== null && !options.allowUserrefWithClOrdId) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id and userref are mutually exclusive');
      if (!validCl(cl)) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id');
      for (const o of orders.values()) {
        if (o.status === 'open' && o.clOrdId !== null && normCl(o.clOrdId) === normCl(cl)) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id already in use');
      }
    }
    const oflags = (p.oflags ?? '').split(',').filter(Boolean);
    const postOnly = oflags.includes('post');
    const crosses = type === 'buy' ? price >= ask() : price <= bid();
    if (postOnly && crosses) throw new KrakenFail('EOrder:Post only order');
    const openCount = [...orders.values()].filter((o) => o.status === 'open').length;
    if (openCount >= OPEN_ORDER_LIMITS[tier]) throw new KrakenFail('EOrder:Orders limit exceeded');
    if (!forceFunds) {
      const h = held_();
      if (type === 'buy') {
        const need = volume * (crosses ? ask() * (1 + takerFee / 100) : price * (1 + makerFee / 100));
        if ((balances.get(pairInfo.quote) ?? 0) - h.quote < need - 1e-12) throw new KrakenFail('EOrder:Insufficient funds');
      } else if ((balances.get(pairInfo.base) ?? 0) - h.base < volume - 1e-12) {
        throw new KrakenFail('EOrder:Insufficient funds');
      }
    }
    const descr = { order: `${type} ${volume.toFixed(ld)} ${pairInfo.altname} @ limit ${price.toFixed(pd)}` };
    if (p.validate === 'true' || p.validate === '1') return { descr };
    const txid = newId('O');
    const o: SimOrder = {
      txid,
      side: type,
      price,
      volume,
      volExec: 0,
      cost: 0,
      fee: 0,
      status: 'open',
      userref,
      clOrdId: cl,
      oflags: oflags.length ? oflags.join(',') : 'fciq',
      openedAt: now(),
      closedAt: null,
      reason: null,
      trades: [],
    };
    orders.set(txid, o);
    if (crosses) fill(o, volume, type === 'buy' ? ask() : bid(), false); // marketable limit without post: taker at once
    return { descr, txid: [txid] };
  };

  const pairMatches = (pair: string) => [XDGUSD_KEY, pairInfo.altname, pairInfo.wsname, 'XXDGZUSD', 'DOGEUSD', 'DOGE/USD'].includes(pair);

  const orderInfo = (o: SimOrder, withTrades: boolean) => {
    const info: Record<string, unknown> = {
      refid: null,
      userref: o.userref,
      status: o.status,
      opentm: o.openedAt / 1000,
      starttm: 0,
      expiretm: 0,
      descr: {
        pair: pairInfo.altname,
        type: o.side,
        ordertype: 'limit',
        price: o.price.toFixed(pd),
        price2: '0',
        leverage: 'none',
        order: `${o.side} ${o.volume.toFixed(ld)} ${pairInfo.altname} @ limit ${o.price.toFixed(pd)}`,
        close: '',
      },
      vol: o.volume.toFixed(ld),
      vol_exec: o.volExec.toFixed(ld),
      cost: o.cost.toFixed(8),
      fee: o.fee.toFixed(8),
      price: (o.volExec > 0 ? o.cost / o.volExec : 0).toFixed(pd),
      stopprice: '0.00000000',
      limitprice: '0.00000000',
      misc: '',
      oflags: o.oflags,
    };
    if (o.clOrdId !== null) info.cl_ord_id = o.clOrdId;
    if (o.closedAt !== null) info.closetm = o.closedAt / 1000;
    if (o.status === 'canceled' || o.status === 'expired') info.reason = o.reason;
    if (withTrades && o.trades.length) info.trades = [...o.trades];
    return info;
  };

  const cancel = (o: SimOrder, status: 'canceled' | 'expired', reason: string) => {
    o.status = status;
    o.closedAt = now();
    o.reason = reason;
  };

  // ----- counters -------------------------------------------------------------

  const decayed = (value: number, at: number, perSecond: number) => Math.max(0, value - ((now() - at) / 1000) * perSecond);
  const restLevel = (key: string) => {
    const k = keys.get(key);
    return k ? decayed(k.counter, k.at, REST_LIMITS[tier].decay) : 0;
  };
  const tradingLevel = () => decayed(trading.counter, trading.at, TRADING_LIMITS[tier].decay);
  const cancelPenalty = (o: SimOrder) => {
    const s = (now() - o.openedAt) / 1000;
    return s < 5 ? 8 : s < 10 ? 6 : s < 15 ? 5 : s < 45 ? 4 : s < 90 ? 2 : s < 300 ? 1 : 0;
  };
  const chargeTrading = (points: number) => {
    const level = tradingLevel();
    if (enforce && level + points > TRADING_LIMITS[tier].max) throw new KrakenFail('EOrder:Rate limit exceeded');
    trading.counter = level + points;
    trading.at = now();
  };

  // ----- private endpoints ---------------------------------------------------

  const privateHandlers: Record<string, (p: Record<string, string>) => unknown> = {
    Balance: () => {
      const out: Record<string, string> = {};
      for (const [a, v] of balances) out[a] = v.toFixed(a.startsWith('Z') ? 4 : 8);
      return out;
    },
    BalanceEx: () => {
      const h = held_();
      const out: Record<string, { balance: string; hold_trade: string }> = {};
      for (const [a, v] of balances) {
        const hold = a === pairInfo.quote ? h.quote : a === pairInfo.base ? h.base : 0;
        const d = a.startsWith('Z') ? 4 : 8;
        out[a] = { balance: v.toFixed(d), hold_trade: hold.toFixed(d) };
      }
      return out;
    },
    AddOrder: (p) => {
      // The fixed count is charged even when the order then fails validation.
      chargeTrading(1);
      return place(p);
    },
    CancelOrder: (p) => {
      const ref = p.txid;
      let targets: SimOrder[] = [];
      if (p.cl_ord_id) {
        targets = [...orders.values()].filter((o) => o.status === 'open' && o.clOrdId !== null && normCl(o.clOrdId) === normCl(p.cl_ord_id!));
        if (targets.length === 0) throw new KrakenFail('EOrder:Unknown order');
      } else if (ref !== undefined && /^-?\d+$/.test(ref)) {
        targets = [...orders.values()].filter((o) => o.status === 'open' && o.userref === Number(ref));
      } else if (ref) {
        const o = orders.get(ref);
        if (!o || o.status !== 'open') throw new KrakenFail('EOrder:Unknown order');
        targets = [o];
      } else {
        throw new KrakenFail('EGeneral:Invalid arguments:txid');
      }
      chargeTrading(targets.reduce((s, o) => s + cancelPenalty(o), 0));
      for (const o of targets) cancel(o, 'canceled', 'User requested');
      return { count: targets.length };
    },
    OpenOrders: (p) => {
      const open: Record<string, unknown> = {};
      for (const o of orders.values()) {
        if (o.status !== 'open') continue;
        if (p.userref !== undefined && p.userref !== '' && o.userref !== Number(p.userref)) continue;
        if (p.cl_ord_id && (o.clOrdId === null || normCl(o.clOrdId) !== normCl(p.cl_ord_id))) continue;
        open[o.txid] = orderInfo(o, p.trades === 'true');
      }
      return { open };
    },
    ClosedOrders: (p) => {
      const start = p.start !== undefined && /^\d+(\.\d+)?$/.test(p.start) ? Number(p.start) * 1000 : null;
      const end = p.end !== undefined && /^\d+(\.\d+)?$/.test(p.end) ? Number(p.end) * 1000 : null;
      const closetime = p.closetime ?? 'both';
      const list = [...orders.values()]
        .filter((o) => o.status === 'closed' || o.status === 'canceled' || o.status === 'expired')
        .filter((o) => p.userref === undefined || p.userref === '' || o.userref === Number(p.userref))
        .filter((o) => !p.cl_ord_id || (o.clOrdId !== null && normCl(o.clOrdId) === normCl(p.cl_ord_id)))
        .filter((o) => {
          const times = closetime === 'open' ? [o.openedAt] : closetime === 'close' ? [o.closedAt ?? 0] : [o.openedAt, o.closedAt ?? 0];
          return times.some((t) => (start === null || t > start) && (end === null || t <= end));
        })
        .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
      const ofs = Number(p.ofs ?? 0) || 0;
      const closed: Record<string, unknown> = {};
      for (const o of list.slice(ofs, ofs + 50)) closed[o.txid] = orderInfo(o, p.trades === 'true');
      return { closed, count: list.length };
    },
    QueryOrders: (p) => {
      const ids = (p.txid ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length === 0 || ids.length > 50) throw new KrakenFail('EGeneral:Invalid arguments:txid');
      const out: Record<string, unknown> = {};
      for (const id of ids) {
        const o = orders.get(id);
        if (!o) throw new KrakenFail('EOrder:Invalid order');
        if (p.userref !== undefined && p.userref !== '' && o.userref !== Number(p.userref)) continue;
        out[id] = orderInfo(o, p.trades === 'true');
      }
      return out;
    },
    TradesHistory: () => {
      const list = [...trades.values()].sort((a, b) => b.time - a.time);
      const out: Record<string, unknown> = {};
      for (const t of list.slice(0, 50)) {
        out[t.tid] = {
          ordertxid: t.ordertxid,
          postxid: 'P' + t.tid.slice(1),
          pair: XDGUSD_KEY,
          time: t.time / 1000,
          type: t.side,
          ordertype: 'limit',
          price: t.price.toFixed(pd),
          cost: t.cost.toFixed(8),
          fee: t.fee.toFixed(8),
          vol: t.volume.toFixed(ld),
          margin: '0.00000',
          misc: '',
          maker: t.maker,
        };
      }
      return { trades: out, count: list.length };
    },
  };

  // ----- public endpoints ------------------------------------------------------

  const candles = (intervalMin: number) => {
    const ms = intervalMin * 60_000;
    const out: [number, string, string, string, string, string, string, number][] = [];
    let cur: { t: number; o: number; h: number; l: number; c: number; v: number; pv: number; n: number } | null = null;
    const push = () => {
      if (!cur) return;
      out.push([cur.t / 1000, cur.o.toFixed(pd), cur.h.toFixed(pd), cur.l.toFixed(pd), cur.c.toFixed(pd), (cur.v > 0 ? cur.pv / cur.v : cur.c).toFixed(pd), cur.v.toFixed(8), cur.n]);
    };
    for (const s of samples) {
      const b = Math.floor(s.t / ms) * ms;
      if (cur && b !== cur.t) {
        push();
        // Kraken returns a candle per interval: fill gaps flat.
        for (let t = cur.t + ms; t < b; t += ms) out.push([t / 1000, cur.c.toFixed(pd), cur.c.toFixed(pd), cur.c.toFixed(pd), cur.c.toFixed(pd), cur.c.toFixed(pd), '0.00000000', 0]);
        cur = null;
      }
      if (!cur) cur = { t: b, o: s.p, h: s.p, l: s.p, c: s.p, v: 0, pv: 0, n: 0 };
      cur.h = Math.max(cur.h, s.p);
      cur.l = Math.min(cur.l, s.p);
      cur.c = s.p;
      cur.v += s.v;
      cur.pv += s.v * s.p;
      if (s.v > 0) cur.n++;
    }
    push();
    return out.slice(-720);
  };

  const publicHandlers: Record<string, (q: URLSearchParams) => unknown> = {
    Time: () => ({ unixtime: Math.floor(now() / 1000), rfc1123: new Date(now()).toUTCString().replace('GMT', '+0000') }),
    AssetPairs: (q) => {
      const pair = q.get('pair');
      if (pair && !pair.split(',').every(pairMatches)) throw new KrakenFail('EQuery:Unknown asset pair');
      return { [XDGUSD_KEY]: pairInfo };
    },
    Ticker: (q) => {
      if (!pairMatches(q.get('pair') ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
      const dayAgo = now() - 86_400_000;
      const day = samples.filter((s) => s.t >= dayAgo);
      const todayStart = Math.floor(now() / 86_400_000) * 86_400_000;
      const today = samples.filter((s) => s.t >= todayStart);
      const stats = (xs: Sample[]) => {
        const v = xs.reduce((a, s) => a + s.v, 0);
        const pv = xs.reduce((a, s) => a + s.v * s.p, 0);
        return {
          v: v.toFixed(8),
          p: (v > 0 ? pv / v : mid()).toFixed(pd),
          t: xs.filter((s) => s.v > 0).length,
          l: (xs.length ? xs.reduce((m, s) => Math.min(m, s.p), Infinity) : mid()).toFixed(pd),
          h: (xs.length ? xs.reduce((m, s) => Math.max(m, s.p), -Infinity) : mid()).toFixed(pd),
        };
      };
      const a = stats(today);
      const b = stats(day);
      return {
        [XDGUSD_KEY]: {
          a: [ask().toFixed(pd), '1000', '1000.000'],
          b: [bid().toFixed(pd), '1000', '1000.000'],
          c: [mid().toFixed(pd), '100.00000000'],
          v: [a.v, b.v],
          p: [a.p, b.p],
          t: [a.t, b.t],
          l: [a.l, b.l],
          h: [a.h, b.h],
          o: (today[0]?.p ?? mid()).toFixed(pd),
        },
      };
    },
    OHLC: (q) => {
      if (!pairMatches(q.get('pair') ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
      const interval = Number(q.get('interval') ?? 1);
      if (![1, 5, 15, 30, 60, 240, 1440, 10080, 21600].includes(interval)) throw new KrakenFail('EGeneral:Invalid arguments:interval');
      const since = q.get('since');
      let rows = candles(interval);
      if (since !== null && since !== '') rows = rows.filter((r) => r[0] > Number(since));
      const all = candles(interval);
      const last = all.length > 1 ? all[all.length - 2]![0] : (all[0]?.[0] ?? Math.floor(now() / 1000));
      return { [XDGUSD_KEY]: rows, last };
    },
    Depth: (q) => {
      if (!pairMatches(q.get('pair') ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
      const count = Math.min(500, Math.max(1, Number(q.get('count') ?? 10) || 10));
      const ts = Math.floor(now() / 1000);
      const asks: [string, string, number][] = [];
      const bids: [string, string, number][] = [];
      for (let i = 0; i < count; i++) {
        asks.push([(ask() * (1 + 0.0005 * i)).toFixed(pd), (5000 + 1000 * i).toFixed(3), ts]);
        bids.push([(bid() * (1 - 0.0005 * i)).toFixed(pd), (5000 + 1000 * i).toFixed(3), ts]);
      }
      return { [XDGUSD_KEY]: { asks, bids } };
    },
  };

  // ----- HTTP ------------------------------------------------------------------------

  const takeFault = (endpoint: string) => {
    const i = faults.findIndex((f) => f.type !== 'latency' && (f.endpoint === undefined || f.endpoint === endpoint));
    if (i < 0) return null;
    const f = faults[i]!;
    f.times--;
    if (f.times <= 0) faults.splice(i, 1);
    return f.type;
  };
  const takeLatency = (endpoint: string) => {
    let ms = latencyMs;
    for (let i = faults.length - 1; i >= 0; i--) {
      const f = faults[i]!;
      if (f.type !== 'latency' || (f.endpoint !== undefined && f.endpoint !== endpoint)) continue;
      ms += f.ms ?? 0;
      f.times--;
      if (f.times <= 0) faults.splice(i, 1);
    }
    return ms;
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const deliver = (res: http.ServerResponse, reply: KrakenReply) => {
    if ('raw' in reply) {
      res.writeHead(reply.status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(reply.raw) });
      res.end(reply.raw);
    } else sendJson(res, reply.status ?? 200, reply.body);
  };

  /** Answer for an injected fault; null = "go on normally". */
  const beforeFault = (type: string | null, res: http.ServerResponse): boolean => {
    switch (type) {
      case 'http_502':
        deliver(res, { raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', status: 502 });
        return true;
      case 'service_unavailable':
        sendJson(res, 200, { error: ['EService:Unavailable'] });
        return true;
      case 'service_busy':
        sendJson(res, 200, { error: ['EService:Busy'] });
        return true;
      case 'invalid_nonce':
        sendJson(res, 200, { error: ['EAPI:Invalid nonce'] });
        return true;
      case 'rate_limit':
        sendJson(res, 200, { error: ['EAPI:Rate limit exceeded'] });
        return true;
      case 'insufficient_funds':
        sendJson(res, 200, { error: ['EOrder:Insufficient funds'] });
        return true;
      case 'lockout':
        sendJson(res, 200, { error: ['EGeneral:Temporary lockout'] });
        return true;
      case 'drop_before':
        res.socket?.destroy();
        return true;
      case 'timeout_before':
        held.add(res);
        res.on('close', () => held.delete(res));
        return true;
      default:
        return false;
    }
  };
  const afterFault = (type: string | null, res: http.ServerResponse, reply: KrakenReply): void => {
    switch (type) {
      case 'http_502_after':
        deliver(res, { raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', status: 502 });
        return;
      case 'service_unavailable_after':
        sendJson(res, 200, { error: ['EService:Unavailable'] });
        return;
      case 'malformed_json':
        deliver(res, { raw: '{"error":[],"result":{"txid":["O', status: 200 });
        return;
      case 'drop_after':
        res.socket?.destroy();
        return;
      case 'timeout_after':
        held.add(res);
        res.on('close', () => held.delete(res));
        return;
      default:
        deliver(res, reply);
    }
  };

  const run = (fn: () => unknown): KrakenReply => {
    try {
      return { body: { error: [], result: fn() } };
    } catch (err) {
      if (err instanceof KrakenFail) return { body: { error: [err.krakenError] } };
      throw err;
    }
  };

  const handleKraken = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string) => {
    const m = /^\/0\/(public|private)\/([A-Za-z]+)$/.exec(url.pathname);
    const endpoint = m?.[2] ?? url.pathname;
    const log = (outcome: string) => requests.push({ endpoint, outcome, at: now() });
    if (!m || !(m[1] === 'public' ? PUBLIC : PRIVATE).has(endpoint)) {
      log('EGeneral:Unknown method');
      reject('EGeneral:Unknown method');
      sendJson(res, 404, { error: ['EGeneral:Unknown method'] });
      return;
    }
    const lat = takeLatency(endpoint);
    if (lat > 0) await new Promise((r) => setTimeout(r, lat));
    const fault = takeFault(endpoint);
    if (fault) reject(`fault:${fault}`);
    if (beforeFault(fault, res)) {
      log(`fault:${fault}`);
      return;
    }
    let reply: KrakenReply;
    if (m[1] === 'public') {
      reply = run(() => publicHandlers[endpoint]!(url.searchParams));
    } else {
      if (req.method !== 'POST') {
        reply = { status: 405, body: { error: ['EGeneral:Invalid arguments'] } };
      } else {
        reply = run(() => {
          const params = Object.fromEntries(new URLSearchParams(body)) as Record<string, string>;
          authenticate(req, url.pathname, body, params);
          const { nonce: _n, ...rest } = params;
          return privateHandlers[endpoint]!(rest);
        });
      }
    }
    const err = (reply as { body?: { error?: string[] } }).body?.error?.[0];
    if (err) reject(err);
    else stats.calls[endpoint] = (stats.calls[endpoint] ?? 0) + 1;
    log(err ?? (fault ? `ok+fault:${fault}` : 'ok'));
    afterFault(fault, res, reply);
  };

  const authenticate = (req: http.IncomingMessage, path: string, body: string, params: Record<string, string>) => {
    const key = String(req.headers['api-key'] ?? '');
    const k = keys.get(key);
    if (!k) throw new KrakenFail('EAPI:Invalid key');
    const nonce = params.nonce ?? '';
    if (!/^\d{1,20}$/.test(nonce)) throw new KrakenFail('EAPI:Invalid nonce');
    const sign = String(req.headers['api-sign'] ?? '');
    const digest = crypto.createHash('sha256').update(nonce + body).digest();
    const expected = crypto.createHmac('sha512', k.secret).update(Buffer.concat([Buffer.from(path), digest])).digest();
    const got = Buffer.from(sign, 'base64');
    if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) throw new KrakenFail('EAPI:Invalid signature');
    const n = BigInt(nonce);
    if (n <= k.lastNonce) throw new KrakenFail('EAPI:Invalid nonce');
    k.lastNonce = n;
    const endpoint = path.slice(path.lastIndexOf('/') + 1);
    if (endpoint !== 'AddOrder' && endpoint !== 'CancelOrder') {
      const cost = HISTORY.has(endpoint) ? 2 : 1;
      const level = decayed(k.counter, k.at, REST_LIMITS[tier].decay);
      if (enforce && level + cost > REST_LIMITS[tier].max) {
        k.counter = level;
        k.at = now();
        throw new KrakenFail('EAPI:Rate limit exceeded');
      }
      k.counter = level + cost;
      k.at = now();
    }
  };

  // ----- admin -------------------------------------------------------------------------

  const orderJson = (o: SimOrder) => ({ txid: o.txid, ...orderInfo(o, true) });

  const handleAdmin = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string) => {
    let data: Record<string, unknown> = {};
    if (body.trim()) {
      try {
        data = JSON.parse(body) as Record<string, unknown>;
      } catch {
        sendJson(res, 400, { error: 'body must be JSON' });
        return;
      }
    }
    const p = url.pathname;
    const method = req.method ?? 'GET';
    try {
      if (p === '/sim/state' && method === 'GET') return sendJson(res, 200, sim_.state());
      if (p === '/sim/price' && method === 'POST') {
        sim.setPrice(Number(data.price));
        return sendJson(res, 200, { price: mid() });
      }
      if (p === '/sim/step' && method === 'POST') return sendJson(res, 200, { price: sim.step(Number(data.steps ?? 1) || 1) });
      if (p === '/sim/orders' && method === 'GET') {
        const status = url.searchParams.get('status');
        return sendJson(res, 200, { orders: sim.orders().filter((o) => !status || o.status === status).map(orderJson) });
      }
      if (p === '/sim/orders' && method === 'POST') {
        const txid = sim.placeOrderDirect({
          side: data.side === 'sell' ? 'sell' : 'buy',
          price: Number(data.price),
          volume: Number(data.volume),
          userref: data.userref !== undefined ? Number(data.userref) : undefined,
          clOrdId: typeof data.cl_ord_id === 'string' ? data.cl_ord_id : undefined,
          postOnly: data.post_only !== false,
        });
        return sendJson(res, 200, { txid });
      }
      const cm = /^\/sim\/orders\/([A-Z0-9-]+)\/(cancel|expire)$/.exec(p);
      if (cm && method === 'POST') {
        sim.closeBehindBack(cm[1]!, cm[2] === 'expire' ? 'expired' : 'canceled');
        return sendJson(res, 200, { ok: true });
      }
      if (p === '/sim/faults' && method === 'POST') {
        sim.faults.add((Array.isArray(data) ? data : [data]) as FaultSpec[]);
        return sendJson(res, 200, { faults: sim.faults.list() });
      }
      if (p === '/sim/faults' && method === 'GET') return sendJson(res, 200, { faults: sim.faults.list(), latencyMs });
      if (p === '/sim/faults' && method === 'DELETE') {
        sim.faults.clear();
        return sendJson(res, 200, { faults: [] });
      }
      if (p === '/sim/latency' && method === 'POST') {
        sim.faults.latencyMs = Math.max(0, Number(data.ms) || 0);
        return sendJson(res, 200, { latencyMs });
      }
      if (p === '/sim/balances' && method === 'POST') {
        for (const [a, v] of Object.entries(data)) sim.setBalance(a, Number(v));
        return sendJson(res, 200, { balances: sim.balances() });
      }
      if (p === '/sim/balances' && method === 'GET') return sendJson(res, 200, { balances: sim.balances() });
      sendJson(res, 404, { error: 'unknown admin endpoint' });
    } catch (err) {
      sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const done = url.pathname.startsWith('/sim/') ? Promise.resolve(handleAdmin(req, res, url, body)) : handleKraken(req, res, url, body);
      done.catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: [`EGeneral:Internal error`], detail: err instanceof Error ? err.message : String(err) });
      });
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject_) => {
    server.once('error', reject_);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let timer: NodeJS.Timeout | null = null;

  const sim_ = {
    state: () => ({
      time: now(),
      price: mid(),
      bid: bid(),
      ask: ask(),
      process: proc.kind,
      tier,
      balances: sim.balances(),
      openOrders: sim.openOrders().length,
      orders: orders.size,
      trades: trades.size,
      stats,
      faults: sim.faults.list(),
      latencyMs,
    }),
  };

  const sim: KrakenSim = {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    apiSecret,
    close: async () => {
      if (timer) clearInterval(timer);
      for (const r of held) r.socket?.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    setPrice: (price: number) => {
      proc.set(price);
      applyPrice(mid());
    },
    step: (steps = 1) => {
      for (let i = 0; i < steps; i++) for (const p of proc.next()) applyPrice(p);
      return mid();
    },
    price: mid,
    now,
    orders: () => [...orders.values()],
    openOrders: () => [...orders.values()].filter((o) => o.status === 'open'),
    order: (txid) => orders.get(txid),
    ordersByClientId: (cl) => [...orders.values()].filter((o) => o.clOrdId !== null && normCl(o.clOrdId) === normCl(cl)),
    trades: () => [...trades.values()],
    balances: () => Object.fromEntries(balances),
    setBalance: (asset, amount) => {
      if (!Number.isFinite(amount)) throw new Error('amount must be a number');
      balances.set(asset, amount);
    },
    placeOrderDirect: (o) => {
      const params: Record<string, string> = {
        pair: XDGUSD_KEY,
        type: o.side,
        ordertype: 'limit',
        price: roundDown(o.price, pd).toFixed(pd),
        volume: roundDown(o.volume, ld).toFixed(ld),
      };
      if (o.postOnly !== false) params.oflags = 'post';
      if (o.userref !== undefined) params.userref = String(o.userref);
      if (o.clOrdId !== undefined) params.cl_ord_id = o.clOrdId;
      try {
        return place(params).txid![0]!;
      } catch (err) {
        if (err instanceof KrakenFail) throw new Error(err.krakenError);
        throw err;
      }
    },
    closeBehindBack: (txid, status) => {
      const o = orders.get(txid);
      if (!o || o.status !== 'open') throw new Error(`no open order ${txid}`);
      cancel(o, status, status === 'expired' ? 'Order expired' : 'Cancelled by the exchange');
    },
    restCounter: (key) => restLevel(key ?? apiKey),
    tradingCounter: tradingLevel,
    faults: {
      add: (f) => {
        for (const one of Array.isArray(f) ? f : [f]) {
          if (!FAULT_TYPES.includes(one.type)) throw new Error(`unknown fault type: ${String(one.type)}`);
          faults.push({ type: one.type, times: one.times ?? 1, endpoint: one.endpoint, ms: one.ms });
        }
      },
      clear: () => void faults.splice(0, faults.length),
      list: () => faults.map((f) => ({ ...f })),
      get latencyMs() {
        return latencyMs;
      },
      set latencyMs(v: number) {
        latencyMs = v;
      },
    },
    stats,
    requests,
    addApiKey,
  };

  if (options.autoStepMs && options.autoStepMs > 0) {
    timer = setInterval(() => sim.step(1), options.autoStepMs);
  }
  return sim;
}

function roundDown(x: number, d: number): number {
  const f = 10 ** d;
  return Math.floor(x * f + 1e-6) / f;
}
