// Hand-rolled Kraken REST client: HTTP + HMAC and nothing else.
//
// - Public GET /0/public/{Time, Ticker, OHLC, AssetPairs, Depth}.
// - Private POST /0/private/{AddOrder, CancelOrder, OpenOrders, ClosedOrders,
//   QueryOrders, Balance, BalanceEx, TradesHistory}. There is deliberately no
//   CancelAll: we never touch orders that are not ours.
// - Nonces strictly increase, also across restarts and bursts (optional
//   persisted high-water mark shared by every client using the same store).
// - Private calls are serialised (one in flight per client), so nonces reach
//   Kraken in order, and pass through a model of Kraken's rate counters that
//   waits instead of failing.
// - Reads retry with exponential backoff + jitter. AddOrder is never blindly
//   retried: after an ambiguous failure the client asks Kraken whether the
//   order (by cl_ord_id) exists before placing it again.
// - Errors are `ExchangeError`s with a kind; no key, secret or signature is
//   ever put in a message or a log line.
import { SerialQueue } from '../../util/serial.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ExchangeError, type ExchangeErrorKind } from '../exchange.js';
import { httpRequest, NetworkError, type HttpResponse } from '../../util/http-client.js';
import { errorMessage, logger, redact, registerSecret } from '../../util/log.js';
import { CounterLimiter, REST_COUNTER, TRADING_COUNTER, cancelPenalty, isTradingEndpoint, restCost, type KrakenTier } from './rate-limiter.js';

export type { KrakenTier } from './rate-limiter.js';

const log = logger('kraken');

/**
 * Kraken's API-Sign: base64(HMAC-SHA512(key = base64decode(secret), msg = urlPath + SHA256(nonce + postData))).
 * The SHA-256 digest is appended as raw bytes, not hex.
 */
export function signRequest(urlPath: string, nonce: string, postData: string, secretBase64: string): string {
  const inner = crypto.createHash('sha256').update(nonce + postData, 'utf8').digest();
  const key = Buffer.from(secretBase64, 'base64');
  return crypto.createHmac('sha512', key).update(Buffer.concat([Buffer.from(urlPath, 'utf8'), inner])).digest('base64');
}

// ---------------------------------------------------------------------------
// Nonces

/** Persisted high-water mark of nonces; several clients (or restarts) sharing one store never reuse a nonce. */
export interface NonceStore {
  /** Highest nonce handed out so far (0 when none). */
  read(): number;
  write(nonce: number): void;
}

export class MemoryNonceStore implements NonceStore {
  private value = 0;
  read(): number {
    return this.value;
  }
  write(nonce: number): void {
    if (nonce > this.value) this.value = nonce;
  }
}

/** High-water mark in a small file, written atomically (temp file, fsync, rename) before the nonce is used. */
export class FileNonceStore implements NonceStore {
  constructor(readonly file: string) {}
  read(): number {
    try {
      const n = Number(fs.readFileSync(this.file, 'utf8').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }
  write(nonce: number): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, String(nonce));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

// ---------------------------------------------------------------------------
// Error mapping

/** Kraken error strings (SPEC §5 and the docs) → ExchangeError kinds. */
export function krakenErrorKind(error: string): ExchangeErrorKind {
  const e = error.replace(/\s+/g, '');
  if (e.startsWith('EAPI:Invalidnonce')) return 'invalid_nonce';
  if (e.startsWith('EAPI:Ratelimitexceeded') || e.startsWith('EOrder:Ratelimitexceeded') || e.startsWith('EGeneral:Temporarylockout')) return 'rate_limit';
  if (e.startsWith('EAPI:Invalidkey') || e.startsWith('EAPI:Invalidsignature') || e.startsWith('EGeneral:Permissiondenied') || e.startsWith('EAPI:Badrequest') || e.startsWith('EAPI:Featuredisabled')) return 'auth';
  if (e.startsWith('EOrder:Insufficientfunds') || e.startsWith('EOrder:Insufficientmargin')) return 'insufficient_funds';
  if (e.startsWith('EOrder:Postonlyorder')) return 'post_only';
  if (e.startsWith('EOrder:Orderslimitexceeded') || e.startsWith('EOrder:Positionslimitexceeded')) return 'orders_limit';
  if (e.startsWith('EOrder:Unknownorder') || e.startsWith('EOrder:Invalidorder')) return 'unknown_order';
  if (e.startsWith('EService:') || e.startsWith('EGeneral:Internalerror')) return 'retryable';
  if (
    e.startsWith('EGeneral:Invalidarguments') ||
    e.startsWith('EOrder:Invalidprice') ||
    e.startsWith('EOrder:Orderminimumnotmet') ||
    e.startsWith('EOrder:Costminimumnotmet') ||
    e.startsWith('EOrder:Ticksizecheckfailed') ||
    e.startsWith('EQuery:Unknownassetpair') ||
    e.startsWith('EQuery:Invalidassetpair') ||
    e.startsWith('EGeneral:Unknownmethod')
  )
    return 'invalid_arguments';
  return 'other';
}

/** Unix seconds from `EService:Throttled:<ts>`, or null. */
function throttledUntil(errors: string[]): number | null {
  for (const e of errors) {
    const m = /^EService:\s*Throttled:\s*(\d+(?:\.\d+)?)/.exec(e);
    if (m) return Number(m[1]);
  }
  return null;
}

/** A Kraken-level failure; carries the raw Kraken error strings (never secrets). */
export class KrakenApiError extends ExchangeError {
  constructor(
    kind: ExchangeErrorKind,
    message: string,
    readonly endpoint: string,
    readonly krakenErrors: string[] = [],
    readonly httpStatus: number | null = null,
  ) {
    super(kind, redact(message));
    this.name = 'KrakenApiError';
  }
}

function isLockout(err: unknown): boolean {
  return err instanceof KrakenApiError && err.krakenErrors.some((e) => e.replace(/\s+/g, '').startsWith('EGeneral:Temporarylockout'));
}

/** For a write, did the request perhaps execute? (timeout, reset, 5xx, EService, unreadable answer) */
export function isAmbiguous(err: unknown): boolean {
  return err instanceof ExchangeError && (err.kind === 'network' || err.kind === 'retryable');
}

// ---------------------------------------------------------------------------
// Kraken data shapes (only the fields we use are typed strictly)

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

export interface ClientStats {
  /** REST-counter points spent (Kraken's "call counter"). */
  restPoints: number;
  /** Trading-counter points spent (AddOrder/CancelOrder). */
  tradingPoints: number;
  /** Private calls sent, per endpoint (each HTTP attempt counts). */
  privateCalls: Record<string, number>;
  publicCalls: Record<string, number>;
  retries: number;
  /** Milliseconds the limiters waited. */
  limiterWaitMs: number;
  /** AddOrder outcomes resolved by a lookup after an ambiguous failure. */
  addOrderRecovered: number;
}

export interface KrakenClientOptions {
  /** e.g. https://api.kraken.com or http://127.0.0.1:PORT (a simulator). */
  baseUrl: string;
  apiKey?: string;
  /** Base64 private key, as Kraken shows it. */
  apiSecret?: string;
  tier: KrakenTier;
  /** Per HTTP request. Default 15 000. */
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1) — jitter source. */
  random?: () => number;
  nonceStore?: NonceStore;
  /** Retries after the first attempt, for reads and for definite AddOrder rejections. Default 4. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Headroom kept below Kraken's counter maximum. Default 1. */
  rateMargin?: number;
}

type Params = Record<string, string | number | boolean | undefined>;

interface Envelope<T> {
  error?: unknown;
  result?: T;
}

export class KrakenClient {
  readonly baseUrl: string;
  readonly tier: KrakenTier;
  private readonly apiKey: string | undefined;
  private readonly apiSecret: string | undefined;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly nonceStore: NonceStore | undefined;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly mutex = new SerialQueue();
  private lastNonce = 0;
  readonly restLimiter: CounterLimiter;
  readonly tradingLimiter: CounterLimiter;
  /** When we saw each order open (ms), for the cancel penalty. Bounded. */
  private readonly openedAt = new Map<string, number>();
  /** cl_ord_ids whose AddOrder outcome is still unknown → look up before placing again. */
  private readonly unresolved = new Map<string, number>();
  readonly stats: ClientStats = {
    restPoints: 0,
    tradingPoints: 0,
    privateCalls: {},
    publicCalls: {},
    retries: 0,
    limiterWaitMs: 0,
    addOrderRecovered: 0,
  };

  constructor(opts: KrakenClientOptions) {
    const url = new URL(opts.baseUrl);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.tier = opts.tier;
    if (!(opts.tier in REST_COUNTER)) throw new Error(`unknown Kraken tier: ${String(opts.tier)}`);
    this.apiKey = opts.apiKey || undefined;
    this.apiSecret = opts.apiSecret || undefined;
    registerSecret(this.apiKey);
    registerSecret(this.apiSecret);
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.now = opts.now ?? (() => Date.now());
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
    this.nonceStore = opts.nonceStore;
    this.maxRetries = opts.maxRetries ?? 4;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 8_000;
    const clock = { now: this.now, sleep: this.sleep };
    const margin = opts.rateMargin ?? 1;
    this.restLimiter = new CounterLimiter(REST_COUNTER[opts.tier], clock, margin);
    this.tradingLimiter = new CounterLimiter(TRADING_COUNTER[opts.tier], clock, margin);
  }

  get hasCredentials(): boolean {
    return this.apiKey !== undefined && this.apiSecret !== undefined;
  }

  // ----- public endpoints -------------------------------------------------

  getTime(): Promise<KrakenTime> {
    return this.publicCall<KrakenTime>('Time', {});
  }

  getTicker(pair: string): Promise<Record<string, KrakenTickerEntry>> {
    return this.publicCall('Ticker', { pair });
  }

  /** OHLC candles; `sinceSeconds` as Kraken's `since`. */
  async getOhlc(pair: string, intervalMinutes: number, sinceSeconds?: number): Promise<KrakenOhlc> {
    const res = await this.publicCall<Record<string, unknown>>('OHLC', { pair, interval: intervalMinutes, since: sinceSeconds });
    const last = Number(res.last ?? 0);
    const key = Object.keys(res).find((k) => k !== 'last');
    if (!key || !Array.isArray(res[key])) throw new KrakenApiError('retryable', 'Kraken OHLC: unexpected response shape', 'OHLC');
    return { pairKey: key, rows: res[key] as KrakenOhlcRow[], last };
  }

  getAssetPairs(pair: string): Promise<Record<string, KrakenAssetPair>> {
    return this.publicCall('AssetPairs', { pair });
  }

  getDepth(pair: string, count?: number): Promise<Record<string, KrakenDepth>> {
    return this.publicCall('Depth', { pair, count });
  }

  // ----- private reads ----------------------------------------------------

  /** Total balances per asset code (e.g. XXDG, ZUSD), as decimal strings. */
  balance(): Promise<Record<string, string>> {
    return this.privateRead('Balance', {});
  }

  /** Balances with the amount held by open orders. */
  balanceEx(): Promise<Record<string, { balance: string; hold_trade: string; credit?: string; credit_used?: string }>> {
    return this.privateRead('BalanceEx', {});
  }

  async openOrders(opts: { userref?: number; cl_ord_id?: string; trades?: boolean } = {}): Promise<{ open: Record<string, KrakenOrderInfo> }> {
    const res = await this.privateRead<{ open?: Record<string, KrakenOrderInfo> }>('OpenOrders', {
      trades: opts.trades || undefined,
      userref: opts.userref,
      cl_ord_id: opts.cl_ord_id,
    });
    const open = res.open ?? {};
    this.rememberOpenTimes(open);
    return { open };
  }

  async closedOrders(
    opts: { userref?: number; cl_ord_id?: string; start?: number; end?: number; ofs?: number; closetime?: 'open' | 'close' | 'both'; trades?: boolean } = {},
  ): Promise<{ closed: Record<string, KrakenOrderInfo>; count: number }> {
    const res = await this.privateRead<{ closed?: Record<string, KrakenOrderInfo>; count?: number }>('ClosedOrders', {
      trades: opts.trades || undefined,
      userref: opts.userref,
      cl_ord_id: opts.cl_ord_id,
      start: opts.start,
      end: opts.end,
      ofs: opts.ofs,
      closetime: opts.closetime,
    });
    return { closed: res.closed ?? {}, count: Number(res.count ?? 0) };
  }

  /** Up to 50 txids per call (Kraken's limit). */
  async queryOrders(txids: string[], opts: { userref?: number; trades?: boolean } = {}): Promise<Record<string, KrakenOrderInfo>> {
    if (txids.length === 0) return {};
    if (txids.length > 50) throw new KrakenApiError('invalid_arguments', `QueryOrders takes at most 50 txids (got ${txids.length})`, 'QueryOrders');
    const res = await this.privateRead<Record<string, KrakenOrderInfo>>('QueryOrders', {
      txid: txids.join(','),
      trades: opts.trades || undefined,
      userref: opts.userref,
    });
    this.rememberOpenTimes(res);
    return res;
  }

  tradesHistory(opts: { start?: number; end?: number; ofs?: number; type?: string } = {}): Promise<{ trades: Record<string, KrakenTrade>; count: number }> {
    return this.privateRead('TradesHistory', { start: opts.start, end: opts.end, ofs: opts.ofs, type: opts.type });
  }

  // ----- private writes ---------------------------------------------------

  /**
   * Place an order. Never blindly retried: after an ambiguous failure (timeout,
   * reset, 5xx, EService, unreadable answer) the client looks the order up by
   * `cl_ord_id` (OpenOrders, then ClosedOrders) and only places it again when
   * Kraken does not have it. A later AddOrder can never be overtaken by the
   * lost one: Kraken rejects any request whose nonce is not above the last
   * one it processed, and the lookup itself carries a higher nonce.
   * Definite rejections that did not execute (invalid nonce, rate limit) are
   * retried with backoff; every other Kraken error is thrown at once.
   */
  async addOrder(p: AddOrderParams): Promise<AddOrderResult> {
    const params: Params = {
      ordertype: p.ordertype,
      type: p.type,
      volume: p.volume,
      pair: p.pair,
      price: p.price,
      oflags: p.oflags,
      cl_ord_id: p.cl_ord_id,
      userref: p.userref,
      validate: p.validate ? true : undefined,
    };
    const cl = p.cl_ord_id;
    let sentAt = cl ? this.unresolved.get(cl) : undefined;
    let ambiguous = sentAt !== undefined;
    let lastErr: ExchangeError | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (ambiguous && cl) {
        const found = await this.resolveAmbiguous(cl, sentAt ?? this.now());
        if (found) return found;
        ambiguous = false;
      }
      try {
        sentAt = this.now();
        if (cl) this.unresolved.set(cl, sentAt);
        const res = await this.privateOnce<AddOrderResult>('AddOrder', params);
        if (!p.validate) {
          if (!Array.isArray(res.txid) || res.txid.length === 0) {
            // HTTP 200 without a txid: the order may exist. Treat like any other ambiguous answer.
            throw new KrakenApiError('retryable', 'Kraken AddOrder: answer without txid', 'AddOrder');
          }
          for (const id of res.txid) this.noteOpened(id, this.now());
        }
        if (cl) this.unresolved.delete(cl);
        return res;
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        lastErr = err;
        if (isAmbiguous(err)) {
          if (!cl) {
            log.error('AddOrder outcome unknown and no cl_ord_id to look it up; not retrying', { error: err.message });
            throw err;
          }
          ambiguous = true;
          log.warn('AddOrder outcome unknown; will look the order up before placing again', { cl_ord_id: cl, error: err.message });
        } else if ((err.kind === 'invalid_nonce' || err.kind === 'rate_limit') && !isLockout(err)) {
          // Rejected before execution.
          if (cl) this.unresolved.delete(cl);
          log.warn('AddOrder rejected before execution; retrying', { error: err.message });
        } else {
          if (cl) this.unresolved.delete(cl);
          throw err;
        }
      }
      if (attempt < this.maxRetries) {
        this.stats.retries++;
        await this.backoff(attempt, lastErr);
      }
    }
    if (ambiguous && cl) {
      const found = await this.resolveAmbiguous(cl, sentAt ?? this.now());
      if (found) return found;
    }
    throw lastErr ?? new KrakenApiError('other', 'Kraken AddOrder failed', 'AddOrder');
  }

  /** Look an order up by cl_ord_id after an ambiguous AddOrder. Throws (outcome still unknown) when the lookup itself fails. */
  private async resolveAmbiguous(cl: string, sentAt: number): Promise<AddOrderResult | null> {
    let found: { txid: string; info: KrakenOrderInfo } | null;
    try {
      found = await this.findByClientOrderId(cl, sentAt);
    } catch (err) {
      const msg = `Kraken AddOrder outcome unknown (lookup of the client order id failed: ${errorMessage(err)})`;
      throw new KrakenApiError(err instanceof ExchangeError && err.kind === 'auth' ? 'auth' : 'network', msg, 'AddOrder');
    }
    this.unresolved.delete(cl);
    if (!found) {
      log.info('AddOrder lookup: order not on Kraken; placing it again', { cl_ord_id: cl });
      return null;
    }
    this.stats.addOrderRecovered++;
    log.info('AddOrder lookup: order exists on Kraken; not placing it again', { cl_ord_id: cl, txid: found.txid });
    return { txid: [found.txid], descr: { order: found.info.descr?.order ?? '' }, recovered: true };
  }

  /**
   * An order (open or closed) by client order id. OpenOrders first (cheap),
   * then ClosedOrders from `sinceMs` minus an hour of clock-skew margin.
   */
  async findByClientOrderId(cl: string, sinceMs?: number): Promise<{ txid: string; info: KrakenOrderInfo } | null> {
    const { open } = await this.openOrders({ cl_ord_id: cl });
    const pick = (m: Record<string, KrakenOrderInfo>) => {
      const want = normalizeClOrdId(cl);
      const ids = Object.keys(m).filter((id) => {
        const got = m[id]?.cl_ord_id;
        return got === undefined || got === null || normalizeClOrdId(got) === want;
      });
      const id = ids[0];
      return id !== undefined ? { txid: id, info: m[id]! } : null;
    };
    const o = pick(open);
    if (o) return o;
    const start = sinceMs !== undefined ? Math.floor(sinceMs / 1000) - 3600 : undefined;
    const { closed } = await this.closedOrders({ cl_ord_id: cl, start });
    return pick(closed);
  }

  /**
   * Cancel by txid, by userref (txid = the number) or by cl_ord_id. `openedAtMs`
   * (when known) lets the trading limiter charge the real age penalty instead of the worst case.
   * Reads-style retries: cancelling is idempotent (a repeat answers EOrder:Unknown order).
   */
  async cancelOrder(ref: CancelOrderRef, openedAtMs?: number): Promise<{ count: number; pending?: boolean }> {
    if (ref.txid === undefined && ref.cl_ord_id === undefined) throw new KrakenApiError('invalid_arguments', 'CancelOrder needs a txid, userref or cl_ord_id', 'CancelOrder');
    const known = typeof ref.txid === 'string' ? this.openedAt.get(ref.txid) : undefined;
    const opened = openedAtMs ?? known;
    const penalty = typeof ref.txid === 'number' ? 8 : cancelPenalty(opened === undefined ? null : this.now() - opened);
    let attempts = 0;
    let res: { count: number; pending?: boolean };
    try {
      res = await this.withRetries('CancelOrder', () => {
        attempts++;
        return this.privateOnce<{ count: number; pending?: boolean }>('CancelOrder', { txid: ref.txid, cl_ord_id: ref.cl_ord_id }, penalty);
      });
    } catch (err) {
      // A repeat after an attempt whose answer was lost: the first one may have cancelled it.
      if (attempts > 1 && err instanceof ExchangeError && err.kind === 'unknown_order') return { count: 0 };
      throw err;
    }
    if (typeof ref.txid === 'string') this.openedAt.delete(ref.txid);
    return { count: Number(res.count ?? 0), pending: res.pending };
  }

  // ----- machinery ---------------------------------------------------------

  private noteOpened(txid: string, atMs: number): void {
    if (this.openedAt.size > 5000) {
      const first = this.openedAt.keys().next();
      if (!first.done) this.openedAt.delete(first.value);
    }
    if (!this.openedAt.has(txid)) this.openedAt.set(txid, atMs);
  }

  private rememberOpenTimes(orders: Record<string, KrakenOrderInfo>): void {
    for (const [id, o] of Object.entries(orders)) {
      if (o && (o.status === 'open' || o.status === 'pending') && typeof o.opentm === 'number') this.noteOpened(id, o.opentm * 1000);
    }
  }

  private nextNonce(): string {
    const stored = this.nonceStore ? this.nonceStore.read() : 0;
    const candidate = Math.max(Math.floor(this.now() * 1000), this.lastNonce + 1, stored + 1);
    this.lastNonce = candidate;
    this.nonceStore?.write(candidate);
    return String(candidate);
  }

  private async backoff(attempt: number, err: ExchangeError | undefined): Promise<void> {
    let delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt);
    delay = delay / 2 + (this.random() * delay) / 2;
    if (err instanceof KrakenApiError) {
      const until = throttledUntil(err.krakenErrors);
      if (until !== null) delay = Math.max(delay, Math.min(60_000, until * 1000 - this.now()));
    }
    await this.sleep(Math.max(1, Math.round(delay)));
  }

  private async withRetries<T>(label: string, fn: () => Promise<T>): Promise<T> {
    let lastErr: unknown;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      try {
        return await fn();
      } catch (err) {
        lastErr = err;
        if (!(err instanceof ExchangeError) || !err.retryable || attempt === this.maxRetries) throw err;
        // A lockout lasts minutes and more calls prolong it: give up at once.
        if (isLockout(err)) throw err;
        this.stats.retries++;
        log.warn(`Kraken ${label} failed; retrying`, { attempt: attempt + 1, error: err.message });
        await this.backoff(attempt, err);
      }
    }
    throw lastErr;
  }

  private privateRead<T>(method: string, params: Params): Promise<T> {
    return this.withRetries(method, () => this.privateOnce<T>(method, params));
  }

  private publicCall<T>(method: string, query: Params): Promise<T> {
    return this.withRetries(method, () => this.publicOnce<T>(method, query));
  }

  private async publicOnce<T>(method: string, query: Params): Promise<T> {
    const qs = encodeParams(query);
    const url = `${this.baseUrl}/0/public/${method}${qs ? `?${qs}` : ''}`;
    this.stats.publicCalls[method] = (this.stats.publicCalls[method] ?? 0) + 1;
    const res = await this.send(method, { url, method: 'GET' });
    return this.parse<T>(method, res);
  }

  /** One signed attempt, serialised with every other private call of this client. `tradingCost` overrides the trading-counter cost. */
  private privateOnce<T>(method: string, params: Params, tradingCost?: number): Promise<T> {
    return this.mutex.run(async () => {
      if (!this.apiKey || !this.apiSecret) throw new KrakenApiError('auth', `Kraken ${method}: no API key/secret configured`, method);
      if (isTradingEndpoint(method)) {
        const cost = tradingCost ?? 1;
        const before = this.tradingLimiter.waitedMs;
        await this.tradingLimiter.take(cost);
        this.stats.limiterWaitMs += this.tradingLimiter.waitedMs - before;
        this.stats.tradingPoints += cost;
      } else {
        const cost = restCost(method);
        const before = this.restLimiter.waitedMs;
        await this.restLimiter.take(cost);
        this.stats.limiterWaitMs += this.restLimiter.waitedMs - before;
        this.stats.restPoints += cost;
      }
      const nonce = this.nextNonce();
      const body = encodeParams({ nonce, ...params });
      const urlPath = `${this.basePath}/0/private/${method}`;
      let sign: string;
      try {
        sign = signRequest(urlPath, nonce, body, this.apiSecret);
      } catch {
        throw new KrakenApiError('auth', `Kraken ${method}: API secret is not usable`, method);
      }
      this.stats.privateCalls[method] = (this.stats.privateCalls[method] ?? 0) + 1;
      const res = await this.send(method, {
        url: `${this.baseUrl}/0/private/${method}`,
        method: 'POST',
        headers: { 'API-Key': this.apiKey, 'API-Sign': sign, 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      });
      try {
        return this.parse<T>(method, res);
      } catch (err) {
        if (err instanceof ExchangeError && err.kind === 'rate_limit') {
          if (isTradingEndpoint(method)) this.tradingLimiter.saturate();
          else this.restLimiter.saturate();
        }
        throw err;
      }
    });
  }

  private async send(method: string, req: { url: string; method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<HttpResponse> {
    try {
      return await httpRequest({ ...req, timeoutMs: this.timeoutMs });
    } catch (err) {
      if (err instanceof NetworkError) throw new KrakenApiError('network', `Kraken ${method}: network error: ${err.message}`, method);
      throw new KrakenApiError('network', `Kraken ${method}: ${errorMessage(err)}`, method);
    }
  }

  private parse<T>(method: string, res: HttpResponse): T {
    let env: Envelope<T> | undefined;
    try {
      env = JSON.parse(res.body) as Envelope<T>;
    } catch {
      env = undefined;
    }
    const errors = env && Array.isArray(env.error) ? env.error.map((e) => String(e)) : [];
    if (errors.length > 0) {
      const kind = errors.map(krakenErrorKind).find((k) => k !== 'other') ?? 'other';
      throw new KrakenApiError(kind, `Kraken ${method}: ${errors.join(', ')}`, method, errors, res.status);
    }
    if (res.status >= 500) throw new KrakenApiError('retryable', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
    if (res.status === 429) throw new KrakenApiError('rate_limit', `Kraken ${method}: HTTP 429`, method, [], res.status);
    if (res.status === 401 || res.status === 403) throw new KrakenApiError('auth', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
    if (!env || typeof env !== 'object') throw new KrakenApiError('retryable', `Kraken ${method}: malformed response (HTTP ${res.status})`, method, [], res.status);
    if (res.status >= 400) throw new KrakenApiError('other', `Kraken ${method}: HTTP ${res.status}`, method, [], res.status);
    if (env.result === undefined || env.result === null) throw new KrakenApiError('retryable', `Kraken ${method}: response without result`, method, [], res.status);
    return env.result;
  }
}

function encodeParams(params: Params): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    sp.append(k, typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  }
  return sp.toString();
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
