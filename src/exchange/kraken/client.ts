// Hand-rolled Kraken REST client: HTTP, retries and the endpoints.
//
// - Public GET /0/public/{Time, Ticker, OHLC, AssetPairs, Depth}.
// - Private POST /0/private/{AddOrder, CancelOrder, OpenOrders, ClosedOrders,
//   QueryOrders, Balance, BalanceEx, TradeVolume, TradesHistory, GetWebSocketsToken}. There is deliberately no
//   CancelAll: we never touch orders that are not ours.
// - Private calls are serialised (one in flight per client), so nonces reach
//   Kraken in order, and pass through a model of Kraken's rate counters that
//   waits instead of failing.
// - Reads retry with exponential backoff + jitter. AddOrder is never blindly
//   retried: after an ambiguous failure the client asks Kraken whether the
//   order (by cl_ord_id) exists before placing it again.
//
// The rest lives next door: signing.ts (API-Sign), nonce-store.ts (strictly
// increasing nonces, persisted high-water mark), errors.ts (Kraken errors →
// `ExchangeError` kinds; no key, secret or signature ever reaches a message or
// a log line), api-types.ts (Kraken's shapes), rate-limiter.ts (the counters).
// Their public names are re-exported here, so `client.js` keeps serving every
// import it served before the split.
import { SerialQueue } from '../../util/serial.js';
import { ExchangeError } from '../exchange.js';
import { httpRequest, NetworkError, type HttpResponse } from '../../util/http-client.js';
import { errorMessage, logger, registerSecret } from '../../util/log.js';
import { CounterLimiter, REST_COUNTER, TRADING_COUNTER, amendCost, cancelPenalty, isTradingEndpoint, restCost, type KrakenTier, type RateStore } from './rate-limiter.js';
import { signRequest } from './signing.js';
import { NonceSource, type NonceStore } from './nonce-store.js';
import { KrakenApiError, isAmbiguous, isLockout, krakenResult, throttledUntil } from './errors.js';
import {
  normalizeClOrdId,
  type AddOrderParams,
  type AddOrderResult,
  type CancelOrderRef,
  type KrakenAssetPair,
  type KrakenDepth,
  type KrakenOhlc,
  type KrakenOhlcRow,
  type KrakenOrderInfo,
  type KrakenTickerEntry,
  type KrakenTime,
  type KrakenTrade,
} from './api-types.js';

export type { KrakenTier } from './rate-limiter.js';
export { signRequest } from './signing.js';
export { FileNonceStore, MemoryNonceStore, type NonceStore } from './nonce-store.js';
export { KrakenApiError, isAmbiguous, krakenErrorKind } from './errors.js';
// Kraken's response shapes live in api-types.ts; import them from there.
export { isValidClOrdId, normalizeClOrdId } from './api-types.js';

const log = logger('kraken');

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
  /**
   * Monotonic milliseconds for the rate limiters, so a wall-clock step never freezes or floods them.
   * Default: the injected `now` when there is one (fake clocks advance it), else performance.now.
   */
  monoNow?: () => number;
  /** [0, 1) — jitter source. */
  random?: () => number;
  nonceStore?: NonceStore;
  /** Keeps the trading counter across restarts (e.g. FileRateStore in LOG_DIR): a restart never causes a rate-limit reject. */
  rateStore?: RateStore;
  /** Retries after the first attempt, for reads and for definite AddOrder rejections. Default 4. */
  maxRetries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Headroom kept below Kraken's counter maximum. Default 1. */
  rateMargin?: number;
}

type Params = Record<string, string | number | boolean | undefined>;

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
  private readonly nonces: NonceSource;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly mutex = new SerialQueue();
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
    this.nonces = new NonceSource(this.now, opts.nonceStore);
    this.maxRetries = opts.maxRetries ?? 4;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 8_000;
    // An injected clock drives the limiter (tests and rigs advance it; the simulator decays on it too);
    // either way a step back only re-anchors it (rate-limiter.ts). The daemon can pass its monotonic clock.
    const monoNow = opts.monoNow ?? (opts.sleep || opts.now ? this.now : () => performance.now());
    const clock = { now: monoNow, sleep: this.sleep };
    const margin = opts.rateMargin ?? 1;
    this.restLimiter = new CounterLimiter(REST_COUNTER[opts.tier], clock, margin);
    this.tradingLimiter = new CounterLimiter(TRADING_COUNTER[opts.tier], clock, margin, opts.rateStore);
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

  /** Trade volume and fee tiers for `pair` (Kraken `TradeVolume`): `fees_maker[pair].fee` is the account's maker fee in percent. */
  tradeVolume(pair: string): Promise<{ currency?: string; volume?: string; fees?: Record<string, { fee?: string }>; fees_maker?: Record<string, { fee?: string }> }> {
    return this.privateRead('TradeVolume', { pair });
  }

  /** A token for Kraken's private WebSocket (Kraken `GetWebSocketsToken`): `{token, expires}` (seconds it may start a subscription). */
  async getWebSocketsToken(): Promise<{ token: string; expires: number }> {
    const res = await this.privateRead<{ token?: unknown; expires?: unknown }>('GetWebSocketsToken', {});
    if (typeof res.token !== 'string' || res.token.length === 0) throw new ExchangeError('retryable', 'Kraken GetWebSocketsToken: no token in the answer');
    const expires = typeof res.expires === 'number' && Number.isFinite(res.expires) && res.expires > 0 ? res.expires : 900;
    return { token: res.token, expires };
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
    const params = addOrderParams(p);
    const cl = p.cl_ord_id;
    const expect: OrderMatch = { pairs: [p.pair, ...(p.lookupPairs ?? [])], side: p.type };
    let sentAt = cl ? this.unresolved.get(cl) : undefined;
    let ambiguous = sentAt !== undefined;
    let lastErr: ExchangeError | undefined;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (ambiguous && cl) {
        const found = await this.resolveAmbiguous(cl, sentAt ?? this.now(), expect);
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
        ambiguous = this.addOrderFailed(err, cl);
      }
      if (attempt < this.maxRetries) {
        this.stats.retries++;
        await this.backoff(attempt, lastErr);
      }
    }
    if (ambiguous && cl) {
      const found = await this.resolveAmbiguous(cl, sentAt ?? this.now(), expect);
      if (found) return found;
    }
    throw lastErr ?? new KrakenApiError('other', 'Kraken AddOrder failed', 'AddOrder');
  }

  /**
   * AddOrderBatch (https://docs.kraken.com/api/docs/rest-api/add-order-batch):
   * 2 to 15 orders on one pair in one call, +ceil(n/2) on the pair's trading
   * counter instead of +1 each ("Spot Trading Limits"). Kraken validates the
   * whole batch first (one invalid order rejects it all: thrown, nothing
   * placed); an order failing the pre-match checks (funds…) carries its own
   * `error` and the others go on. Sent once: after an ambiguous failure every
   * order is looked up by its cl_ord_id (required) and reported placed
   * (`recovered`) or not placed.
   */
  async addOrderBatch(pair: string, orders: AddOrderParams[]): Promise<BatchOrderResult[]> {
    if (orders.length < 2 || orders.length > MAX_ADD_BATCH) throw new KrakenApiError('invalid_arguments', `Kraken AddOrderBatch: 2 to ${MAX_ADD_BATCH} orders, got ${orders.length}`, 'AddOrderBatch');
    const cls = orders.map((o) => o.cl_ord_id ?? '');
    if (cls.some((c) => c === '')) throw new KrakenApiError('invalid_arguments', 'Kraken AddOrderBatch: every order needs a cl_ord_id', 'AddOrderBatch');
    const batch = orders.map((o) => ({ ordertype: o.ordertype, type: o.type, volume: o.volume, price: o.price, oflags: o.oflags, cl_ord_id: o.cl_ord_id }));
    const sentAt = this.now();
    for (const c of cls) this.unresolved.set(c, sentAt);
    try {
      const res = await this.privateOnce<{ orders?: { txid?: unknown; error?: unknown }[] }>('AddOrderBatch', {}, Math.ceil(orders.length / 2), { pair, orders: batch });
      if (!Array.isArray(res.orders) || res.orders.length !== orders.length) {
        throw new KrakenApiError('retryable', 'Kraken AddOrderBatch: answer without one entry per order', 'AddOrderBatch');
      }
      for (const c of cls) this.unresolved.delete(c);
      return res.orders.map((r) => {
        if (typeof r.txid === 'string' && r.txid !== '') {
          this.noteOpened(r.txid, this.now());
          return { txid: r.txid };
        }
        return { error: typeof r.error === 'string' && r.error !== '' ? r.error : 'EGeneral:Unknown error' };
      });
    } catch (err) {
      if (!(err instanceof ExchangeError) || !isAmbiguous(err)) {
        for (const c of cls) this.unresolved.delete(c);
        throw err;
      }
      log.warn('AddOrderBatch outcome unknown; looking every order up by cl_ord_id', { orders: orders.length, error: err.message });
      const out: BatchOrderResult[] = [];
      for (const o of orders) {
        const found = await this.resolveAmbiguous(o.cl_ord_id!, sentAt, { pairs: [pair, ...(o.lookupPairs ?? [])], side: o.type });
        out.push(found ? { txid: found.txid[0]!, recovered: true } : { error: 'not placed (AddOrderBatch outcome was unknown; the order is not on Kraken)', notPlaced: true });
      }
      return out;
    }
  }

  /**
   * After a failed AddOrder attempt: true when the outcome is unknown (look the
   * order up before placing it again), false when Kraken rejected it before
   * execution (invalid nonce, rate limit: retry); throws for every other failure.
   */
  private addOrderFailed(err: ExchangeError, cl: string | undefined): boolean {
    if (isAmbiguous(err)) {
      if (!cl) {
        log.error('AddOrder outcome unknown and no cl_ord_id to look it up; not retrying', { error: err.message });
        throw err;
      }
      log.warn('AddOrder outcome unknown; will look the order up before placing again', { cl_ord_id: cl, error: err.message });
      return true;
    }
    if (cl) this.unresolved.delete(cl);
    if ((err.kind === 'invalid_nonce' || err.kind === 'rate_limit') && !isLockout(err)) {
      log.warn('AddOrder rejected before execution; retrying', { error: err.message });
      return false;
    }
    throw err;
  }

  /** Look an order up by cl_ord_id after an ambiguous AddOrder. Throws (outcome still unknown) when the lookup itself fails. */
  private async resolveAmbiguous(cl: string, sentAt: number, expect: OrderMatch): Promise<AddOrderResult | null> {
    let found: { txid: string; info: KrakenOrderInfo } | null;
    try {
      found = await this.findByClientOrderId(cl, sentAt, expect);
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
  async findByClientOrderId(cl: string, sinceMs?: number, expect: OrderMatch = {}): Promise<{ txid: string; info: KrakenOrderInfo } | null> {
    const { open } = await this.openOrders({ cl_ord_id: cl });
    const pick = (m: Record<string, KrakenOrderInfo>) => {
      // Only an order carrying exactly this cl_ord_id (never one without any: Kraken's
      // filter is not trusted to have been applied), on the expected pair and side.
      const ids = Object.keys(m).filter((id) => matchesOrder(m[id], cl, expect));
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

  /**
   * AmendOrder: a new limit price and/or quantity for a resting order, by txid
   * or cl_ord_id; ids and fills are kept. Costs 1 trading point plus 3/2/1 when the
   * order rested under 5/10/15 s, and resets its resting time. Idempotent (same
   * target), so retried like a read.
   */
  async amendOrder(p: { txid?: string; cl_ord_id?: string; limit_price?: string; order_qty?: string; post_only?: boolean }, openedAtMs?: number): Promise<{ amend_id?: string }> {
    if (p.txid === undefined && p.cl_ord_id === undefined) throw new KrakenApiError('invalid_arguments', 'AmendOrder needs a txid or cl_ord_id', 'AmendOrder');
    const opened = openedAtMs ?? (p.txid !== undefined ? this.openedAt.get(p.txid) : undefined);
    const cost = amendCost(opened === undefined ? null : this.now() - opened);
    const res = await this.withRetries('AmendOrder', () =>
      this.privateOnce<{ amend_id?: string }>('AmendOrder', { txid: p.txid, cl_ord_id: p.cl_ord_id, limit_price: p.limit_price, order_qty: p.order_qty, post_only: p.post_only }, cost),
    );
    if (p.txid !== undefined) {
      this.openedAt.delete(p.txid);
      this.noteOpened(p.txid, this.now());
    }
    return res ?? {};
  }

  /** Trading-counter cost of amending `txid` now (its resting time as we saw it; unknown: the worst case). */
  amendCostOf(txid: string): number {
    const opened = this.openedAt.get(txid);
    return amendCost(opened === undefined ? null : this.now() - opened);
  }

  /** Trading-counter penalty of cancelling `txid` now. */
  cancelCostOf(txid: string): number {
    const opened = this.openedAt.get(txid);
    return cancelPenalty(opened === undefined ? null : this.now() - opened);
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
    return krakenResult<T>(method, res);
  }

  /** Waits until the endpoint's rate counter (trading or REST) has room, then spends its cost. */
  private async takeRatePoints(method: string, tradingCost: number | undefined): Promise<void> {
    const trading = isTradingEndpoint(method);
    const limiter = trading ? this.tradingLimiter : this.restLimiter;
    const cost = trading ? (tradingCost ?? 1) : restCost(method);
    const before = limiter.waitedMs;
    await limiter.take(cost);
    this.stats.limiterWaitMs += limiter.waitedMs - before;
    if (trading) this.stats.tradingPoints += cost;
    else this.stats.restPoints += cost;
  }

  /**
   * One signed attempt, serialised with every other private call of this client. `tradingCost` overrides the
   * trading-counter cost; `json` sends that body as application/json instead of `params` form-encoded
   * (Kraken's batch endpoints take arrays of orders).
   */
  private privateOnce<T>(method: string, params: Params, tradingCost?: number, json?: Record<string, unknown>): Promise<T> {
    return this.mutex.run(async () => {
      if (!this.apiKey || !this.apiSecret) throw new KrakenApiError('auth', `Kraken ${method}: no API key/secret configured`, method);
      await this.takeRatePoints(method, tradingCost);
      const nonce = this.nonces.next();
      const body = json ? JSON.stringify({ nonce, ...json }) : encodeParams({ nonce, ...params });
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
        headers: { 'API-Key': this.apiKey, 'API-Sign': sign, 'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8' },
        body,
      });
      try {
        return krakenResult<T>(method, res);
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
}

/** Most orders in one AddOrderBatch (Kraken: 2 to 15). */
export const MAX_ADD_BATCH = 15;

/** One order of an AddOrderBatch: its txid (`recovered`: found by cl_ord_id after an ambiguous failure), or Kraken's error for it alone. */
export type BatchOrderResult = { txid: string; recovered?: boolean } | { error: string; notPlaced?: boolean };

/** What a looked-up order must be besides carrying the cl_ord_id: one of these pair names (any Kraken spelling), this side. */
export interface OrderMatch {
  pairs?: string[];
  side?: 'buy' | 'sell';
}

/** The forms of a Kraken pair name that denote the same pair: "XDG/USD", "XDGUSD", and "XXDGZUSD" → "XDGUSD". */
export function pairForms(name: string): string[] {
  const n = name.replace('/', '').toUpperCase();
  const forms = [n];
  if (/^[XZ][A-Z0-9]{3}[XZ][A-Z0-9]{3}$/.test(n)) forms.push(n.slice(1, 4) + n.slice(5));
  // Kraken's own codes for DOGE and BTC (requests accept both spellings, answers use XDG/XBT).
  for (const f of [...forms]) {
    const alias = f.replace(/^DOGE/, 'XDG').replace(/^BTC/, 'XBT');
    if (!forms.includes(alias)) forms.push(alias);
  }
  return forms;
}

/** Does `o` carry exactly `cl` as its cl_ord_id, and (when asked) our pair and side? */
export function matchesOrder(o: KrakenOrderInfo | undefined, cl: string, expect: OrderMatch): boolean {
  if (!o) return false;
  const got = o.cl_ord_id;
  if (typeof got !== 'string' || normalizeClOrdId(got) !== normalizeClOrdId(cl)) return false;
  if (expect.side !== undefined && o.descr?.type !== expect.side) return false;
  if (expect.pairs !== undefined && expect.pairs.length > 0) {
    if (typeof o.descr?.pair !== 'string') return false;
    const want = new Set(expect.pairs.flatMap(pairForms));
    if (!pairForms(o.descr.pair).some((f) => want.has(f))) return false;
  }
  return true;
}

function encodeParams(params: Params): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    sp.append(k, typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  }
  return sp.toString();
}

function addOrderParams(p: AddOrderParams): Params {
  return {
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
}
