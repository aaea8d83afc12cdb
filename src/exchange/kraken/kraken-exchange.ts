// The live `Exchange`: Kraken through `KrakenClient`. Rounds prices and
// volumes to the pair's decimals, places post-only limit orders tagged as
// ours, batches fill checks into QueryOrders calls of at most 50 ids, and only
// ever lists or cancels orders that carry our tag.
//
// Tagging. Kraken makes `userref` and `cl_ord_id` MUTUALLY EXCLUSIVE on
// AddOrder (docs, AddOrder: "This field is mutually exclusive with userref
// parameter"), so an order cannot carry both. We send only `cl_ord_id`, in
// Kraken's 32-hex "short UUID" form, and put our userref inside it:
//
//     d06e  <userref as 8 hex>  <first 20 hex of sha256(userref:clientOrderId)>
//
// The id is unique per client order id (duplicate and ambiguous-failure
// detection work by it), deterministic (after a restart
// `findOrderByClientId(sameId)` finds the same order), and carries the userref,
// so "ours" = tagged with our userref. Orders that carry our number in Kraken's
// own `userref` field (placed by hand or by an older version) count as ours too.
// Nothing is ever cancelled in bulk by Kraken: `cancelAllOurs` lists open
// orders and cancels ours one txid at a time.
import crypto from 'node:crypto';
import {
  ExchangeError,
  FALLBACK_PAIR_INFO,
  type AmendOrderRequest,
  type Balances,
  type Exchange,
  type OrderReport,
  type PairInfo,
  type PlacedOrder,
  type PlaceOrderRequest,
  type Ticker,
  type TradingBudget,
} from '../exchange.js';
import { KrakenClient, MAX_ADD_BATCH, pairForms, type OrderMatch } from './client.js';
import { KrakenApiError, krakenErrorKind } from './errors.js';
import { amendCost, cancelPenalty } from './rate-limiter.js';
import { normalizeClOrdId, type AddOrderParams, type KrakenOrderInfo } from './api-types.js';
import { errorMessage, logger } from '../../util/log.js';
import { toDecimalString } from '../../core/money.js';
import type { Candle, Side } from '../../core/types.js';
import type { KrakenStream, StreamExecution, StreamHealth } from './stream.js';
import { StreamSync } from './stream-sync.js';
import { MAX_AMOUNT, MAX_PRICE, balanceAmount, krakenNum, parseOhlcRows, parseOrderNumbers, parseTicker, tradableBalanceKeys } from './sanitize.js';

const log = logger('kraken-exchange');

const TAG_MAGIC = 'd06e';
const QUERY_BATCH = 50;
/** AssetPairs is re-read this often: its `status` (cancel_only, maintenance, …) decides whether we may add orders. */
const PAIR_INFO_TTL_MS = 5 * 60_000;
/** Maker fee (percent) assumed for a garbage fee in a report until TradeVolume tells the account's own: Kraken's base tier. */
const DEFAULT_MAKER_FEE_PCT = 0.25;

/** A report Kraken sent with numbers we cannot trust: the order's state is unknown for now. */
type ReportOrUnknown = { report: OrderReport } | { unknown: string };

/** Kraken cl_ord_id (32-hex short UUID) for one of our client order ids, carrying `userref`. */
export function krakenClientOrderId(userref: number, clientOrderId: string): string {
  const tag = (userref >>> 0).toString(16).padStart(8, '0');
  const h = crypto.createHash('sha256').update(`${userref}:${clientOrderId}`, 'utf8').digest('hex').slice(0, 20);
  return `${TAG_MAGIC}${tag}${h}`;
}

/** The userref encoded in a cl_ord_id of ours, or null when it is not in our format. */
export function userrefFromClientOrderId(clOrdId: string | null | undefined): number | null {
  if (!clOrdId) return null;
  const n = normalizeClOrdId(clOrdId);
  if (!/^[0-9a-f]{32}$/.test(n) || !n.startsWith(TAG_MAGIC)) return null;
  return parseInt(n.slice(4, 12), 16) | 0;
}

export interface KrakenExchangeOptions {
  /** Kraken pair name used in requests, e.g. "XDGUSD". */
  pair: string;
  /** Our tag: a non-zero signed 32-bit integer, one per deployment/grid. */
  userref: number;
  now?: () => number;
}

export class KrakenExchange implements Exchange {
  readonly kind = 'kraken' as const;
  readonly pair: string;
  readonly userref: number;
  private readonly now: () => number;
  private pairInfo: { info: PairInfo; at: number } | null = null;
  /** Kraken cl_ord_id → the client order id the bot gave us (this process only). */
  private readonly clientIds = new Map<string, string>();
  /** Set once Kraken answered AmendOrder with EGeneral:Unknown method. */
  private amendUnsupported = false;
  /** Other spellings of our pair from AssetPairs (altname, wsname, key), for matching `descr.pair`. */
  private pairNames: string[] = [];
  /** The account's maker fee (percent), once TradeVolume told it. */
  private makerFeePct: number | null = null;
  /** Kraken WebSocket v2 (KRAKEN_WS): order states from the executions stream, prices from the ticker. Null: REST only. */
  private sync: StreamSync | null = null;

  constructor(
    readonly client: KrakenClient,
    opts: KrakenExchangeOptions,
  ) {
    if (!Number.isInteger(opts.userref) || opts.userref === 0 || opts.userref < -2147483648 || opts.userref > 2147483647) {
      throw new Error('KrakenExchange: userref must be a non-zero signed 32-bit integer');
    }
    this.pair = opts.pair;
    this.userref = opts.userref;
    this.now = opts.now ?? (() => Date.now());
  }

  /** The cl_ord_id we send to Kraken for a client order id. */
  krakenClientOrderId(clientOrderId: string): string {
    return krakenClientOrderId(this.userref, clientOrderId);
  }

  /** Is this Kraken order ours (our userref in the cl_ord_id tag, or in Kraken's userref field)? */
  isOurs(o: Pick<KrakenOrderInfo, 'userref' | 'cl_ord_id'>): boolean {
    if (userrefFromClientOrderId(o.cl_ord_id) === this.userref) return true;
    return o.userref !== null && o.userref !== undefined && Number(o.userref) === this.userref;
  }

  // ----- WebSocket stream (optional) ---------------------------------------

  /**
   * Uses a Kraken WebSocket stream: the order sync reads states learned from the executions
   * channel while it is live (stream-sync.ts), the ticker comes from the public channel while
   * it is fresh. Without it, every call is REST as before.
   */
  attachStream(stream: KrakenStream, opts: { reconcileEveryMs?: number } = {}): StreamSync {
    this.sync = new StreamSync(stream, {
      now: this.now,
      reconcileEveryMs: opts.reconcileEveryMs,
      isOurs: (e: StreamExecution) => this.isOurs({ userref: e.userref, cl_ord_id: e.clOrdId }),
      clientIdOf: (cl) => (cl === null ? null : (this.clientIds.get(normalizeClOrdId(cl)) ?? this.clientIds.get(cl) ?? cl)),
      userrefOf: (e) => userrefFromClientOrderId(e.clOrdId) ?? e.userref,
    });
    return this.sync;
  }

  get streamSync(): StreamSync | null {
    return this.sync;
  }

  /** The stream's health, or null when there is none (REST only). */
  streamHealth(): StreamHealth | null {
    return this.sync?.health() ?? null;
  }

  // ----- market data -------------------------------------------------------

  async getTicker(): Promise<Ticker> {
    const streamed = this.sync?.stream.freshTicker();
    if (streamed) return { ...streamed };
    const res = await this.client.getTicker(this.pair);
    const t = Object.values(res)[0];
    if (!t) throw new ExchangeError('retryable', `Kraken Ticker: no data for ${this.pair}`);
    try {
      const { ticker, note } = parseTicker(t, this.pair);
      if (note) log.warn(`Kraken Ticker: ${note}`, { pair: this.pair });
      return ticker;
    } catch (err) {
      log.warn('Kraken Ticker rejected', { error: errorMessage(err) });
      throw err;
    }
  }

  async getOhlc(intervalMinutes: number, sinceMs?: number): Promise<Candle[]> {
    const res = await this.client.getOhlc(this.pair, intervalMinutes, sinceMs !== undefined ? Math.floor(sinceMs / 1000) : undefined);
    const { candles, dropped } = parseOhlcRows(res.rows);
    if (dropped > 0) log.warn(`Kraken OHLC: dropped ${dropped} candle(s) with unusable numbers`, { pair: this.pair, kept: candles.length });
    return candles;
  }

  /** From AssetPairs (cached for hours); FALLBACK_PAIR_INFO with a warning when Kraken cannot tell us. */
  async getPairInfo(): Promise<PairInfo> {
    if (this.pairInfo && this.now() - this.pairInfo.at < PAIR_INFO_TTL_MS) return this.pairInfo.info;
    try {
      const res = await this.client.getAssetPairs(this.pair);
      const entry = Object.values(res)[0];
      if (!entry) throw new Error(`no AssetPairs entry for ${this.pair}`);
      const info: PairInfo = {
        pair: this.pair,
        baseAsset: String(entry.base),
        quoteAsset: String(entry.quote),
        priceDecimals: krakenNum(entry.pair_decimals),
        lotDecimals: krakenNum(entry.lot_decimals),
        orderMin: krakenNum(entry.ordermin),
        costMin: entry.costmin !== undefined ? krakenNum(entry.costmin) : 0,
      };
      const decimalsOk = (d: number) => Number.isInteger(d) && d >= 0 && d <= 18;
      const ok =
        info.baseAsset.length > 0 &&
        info.quoteAsset.length > 0 &&
        decimalsOk(info.priceDecimals) &&
        decimalsOk(info.lotDecimals) &&
        Number.isFinite(info.orderMin) &&
        info.orderMin >= 0 &&
        info.orderMin <= MAX_AMOUNT &&
        Number.isFinite(info.costMin) &&
        info.costMin >= 0 &&
        info.costMin <= MAX_PRICE;
      if (!ok) throw new Error(`AssetPairs entry for ${this.pair} is incomplete or absurd`);
      // Kraken docs (Get Tradable Asset Pairs): tick_size is the price step; status is
      // online, cancel_only, post_only, limit_only, reduce_only, maintenance, …
      if (entry.tick_size !== undefined) {
        const tick = krakenNum(entry.tick_size);
        if (!(Number.isFinite(tick) && tick > 0 && tick <= 1)) throw new Error(`AssetPairs tick_size for ${this.pair} is absurd: ${String(entry.tick_size)}`);
        info.tickSize = tick;
      }
      if (typeof entry.status === 'string' && entry.status.length > 0) info.status = entry.status;
      this.pairNames = [...Object.keys(res).slice(0, 1), entry.altname, entry.wsname].filter((x): x is string => typeof x === 'string' && x.length > 0);
      this.pairInfo = { info, at: this.now() };
      return info;
    } catch (err) {
      const fallback: PairInfo = { ...FALLBACK_PAIR_INFO, pair: this.pair };
      log.warn('could not read pair info from Kraken AssetPairs; using fallback values', { pair: this.pair, error: errorMessage(err), fallback });
      return fallback;
    }
  }

  // ----- trading -----------------------------------------------------------

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    const { params, price, volume } = this.addOrderParams(req, await this.getPairInfo());
    const res = await this.client.addOrder(params);
    const id = res.txid[0];
    if (!id) throw new ExchangeError('retryable', 'Kraken AddOrder: no txid in the answer');
    if (res.recovered) log.info('order found on Kraken after an ambiguous failure', { id, clientOrderId: req.clientOrderId });
    this.notePlaced(id, req, price, volume, res.recovered === true);
    return { id, clientOrderId: req.clientOrderId, price, volume };
  }

  /** The stream's view of our orders learns of one we placed; one recovered after an ambiguous answer is asked of REST instead. */
  private notePlaced(id: string, req: PlaceOrderRequest, price: number, volume: number, recovered: boolean): void {
    if (recovered) this.sync?.orders.forget(id);
    else this.sync?.orders.placed({ id, clientOrderId: req.clientOrderId, userref: this.userref, side: req.side, price, volume, volumeExecuted: 0, avgPrice: 0, fee: 0, state: 'open', openedAt: this.now() });
  }

  /** AddOrder's parameters for `req`: rounded to the pair, checked against its minimums (throws), tagged with our cl_ord_id. */
  private addOrderParams(req: PlaceOrderRequest, info: PairInfo): { params: AddOrderParams; price: number; volume: number } {
    if (!(req.price > 0) || !(req.volume > 0) || !Number.isFinite(req.price) || !Number.isFinite(req.volume)) {
      throw new ExchangeError('invalid_arguments', `invalid order: price ${req.price}, volume ${req.volume}`);
    }
    const price = priceString(req.price, info);
    const volume = toDecimalString(req.volume, info.lotDecimals);
    const p = Number(price);
    const v = Number(volume);
    if (v < info.orderMin) throw new ExchangeError('invalid_arguments', `order volume ${volume} is below the pair minimum ${info.orderMin}`);
    if (p * v < info.costMin) throw new ExchangeError('invalid_arguments', `order cost ${(p * v).toFixed(6)} is below the pair minimum ${info.costMin}`);
    const cl = this.krakenClientOrderId(req.clientOrderId);
    this.clientIds.set(cl, req.clientOrderId);
    const params: AddOrderParams = {
      pair: this.pair,
      type: req.side,
      ordertype: 'limit',
      price,
      volume,
      // fciq: fees in USD, as the ledger books them (Kraken's default for sells is the base currency).
      oflags: req.postOnly === false ? 'fciq' : 'post,fciq',
      cl_ord_id: cl,
      lookupPairs: this.pairNames,
    };
    return { params, price: p, volume: v };
  }

  /**
   * Several orders through AddOrderBatch, up to 15 a call (a lone order goes by
   * AddOrder): Kraken charges +ceil(n/2) trading points per batch instead of
   * +1 per order ("Spot Trading Limits"), so a first grid of 40 costs 21
   * points instead of 40. Each entry of the answer is the placed order or the
   * ExchangeError of that order alone (below the pair minimums, funds, …).
   * An error of a whole call (rate limit, validation, an outcome that could
   * not be looked up) becomes the entry of each order of that call, with its
   * kind: 'network' means the outcome is unknown (look the order up by its
   * client id before placing it again), any other kind that it was not placed.
   */
  async placeOrders(reqs: PlaceOrderRequest[]): Promise<(PlacedOrder | ExchangeError)[]> {
    const info = await this.getPairInfo();
    const out: (PlacedOrder | ExchangeError)[] = new Array(reqs.length);
    const valid: { i: number; params: AddOrderParams; price: number; volume: number }[] = [];
    reqs.forEach((req, i) => {
      try {
        valid.push({ i, ...this.addOrderParams(req, info) });
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        out[i] = err;
      }
    });
    for (let k = 0; k < valid.length; k += MAX_ADD_BATCH) {
      const chunk = valid.slice(k, k + MAX_ADD_BATCH);
      if (chunk.length === 1) {
        const c = chunk[0]!;
        out[c.i] = await this.placeOrder(reqs[c.i]!).catch((err: unknown) => {
          if (err instanceof ExchangeError) return err;
          throw err;
        });
        continue;
      }
      let res: Awaited<ReturnType<KrakenClient['addOrderBatch']>>;
      try {
        res = await this.client.addOrderBatch(this.pair, chunk.map((c) => c.params));
      } catch (err) {
        if (!(err instanceof ExchangeError)) throw err;
        for (const c of chunk) out[c.i] = err;
        continue;
      }
      res.forEach((r, j) => {
        const c = chunk[j]!;
        const clientOrderId = reqs[c.i]!.clientOrderId;
        if ('txid' in r) {
          if (r.recovered) log.info('order found on Kraken after an ambiguous AddOrderBatch', { id: r.txid, clientOrderId });
          this.notePlaced(r.txid, reqs[c.i]!, c.price, c.volume, r.recovered === true);
          out[c.i] = { id: r.txid, clientOrderId, price: c.price, volume: c.volume };
        } else {
          out[c.i] = new KrakenApiError(r.notPlaced ? 'retryable' : krakenErrorKind(r.error), `Kraken AddOrderBatch: ${r.error}`, 'AddOrderBatch', r.notPlaced ? [] : [r.error]);
        }
      });
    }
    return out;
  }

  /** Cancel one order by txid. An order that is not open any more (filled, cancelled, expired) is not an error: queryOrders tells what happened. */
  async cancelOrder(id: string, placedAt?: number): Promise<void> {
    // What happened to a cancelled order is asked of REST (the stream may not have said it yet).
    this.sync?.orders.forget(id);
    try {
      await this.client.cancelOrder({ txid: id }, placedAt);
    } catch (err) {
      if (err instanceof ExchangeError && err.kind === 'unknown_order') {
        log.info('cancel: order is not open on Kraken any more', { id });
        return;
      }
      throw err;
    }
  }

  /**
   * AmendOrder by txid: new limit price and quantity, post-only kept; ids and fills stay.
   * A Kraken (or double) that does not know the call answers `EGeneral:Unknown method`:
   * that is an 'unsupported' error, remembered, so the trader uses cancel + add from then on.
   */
  async amendOrder(req: AmendOrderRequest): Promise<{ price: number; volume: number }> {
    if (this.amendUnsupported) throw new ExchangeError('unsupported', 'AmendOrder is not supported by this Kraken endpoint');
    const info = await this.getPairInfo();
    if (!(req.price > 0) || !(req.volume > 0) || !Number.isFinite(req.price) || !Number.isFinite(req.volume)) {
      throw new ExchangeError('invalid_arguments', `invalid amend: price ${req.price}, volume ${req.volume}`);
    }
    const price = priceString(req.price, info);
    const volume = toDecimalString(req.volume, info.lotDecimals);
    if (Number(volume) < info.orderMin) throw new ExchangeError('invalid_arguments', `order volume ${volume} is below the pair minimum ${info.orderMin}`);
    this.sync?.orders.forget(req.id);
    try {
      await this.client.amendOrder({ txid: req.id, limit_price: price, order_qty: volume, post_only: req.postOnly === false ? undefined : true }, req.placedAt);
    } catch (err) {
      if (err instanceof KrakenApiError && err.krakenErrors.some((e) => /^EGeneral:\s*Unknown\s*method/i.test(e))) {
        this.amendUnsupported = true;
        log.warn('Kraken AmendOrder: unknown method here; moving orders by cancel + add');
        throw new ExchangeError('unsupported', 'AmendOrder is not supported by this Kraken endpoint');
      }
      throw err;
    }
    return { price: Number(price), volume: Number(volume) };
  }

  /** The client's model of the per-pair trading counter (room now, and each action's cost at Kraken's schedule). */
  tradingBudget(): TradingBudget {
    const lim = this.client.tradingLimiter;
    return {
      room: lim.room(),
      decayPerSecond: lim.spec.decayPerSecond,
      addCost: 1,
      cancelCost: (ageMs) => cancelPenalty(ageMs),
      amendCost: (ageMs) => amendCost(ageMs),
    };
  }

  /** Cancel every open order tagged as ours, one txid at a time (never CancelAll). Returns how many were cancelled. */
  async cancelAllOurs(): Promise<number> {
    const { open } = await this.client.openOrders();
    let cancelled = 0;
    const failures: string[] = [];
    for (const [txid, o] of Object.entries(open)) {
      if (!this.isOurs(o)) continue;
      this.sync?.orders.forget(txid);
      try {
        const r = await this.client.cancelOrder({ txid }, typeof o.opentm === 'number' ? o.opentm * 1000 : undefined);
        if (r.count > 0) cancelled++;
      } catch (err) {
        if (err instanceof ExchangeError && err.kind === 'unknown_order') continue;
        failures.push(`${txid}: ${errorMessage(err)}`);
      }
    }
    if (failures.length > 0) {
      throw new ExchangeError('retryable', `cancelled ${cancelled} of our orders; ${failures.length} failed: ${failures.slice(0, 3).join('; ')}`);
    }
    return cancelled;
  }

  /**
   * Reports for the given txids, ≤ 50 per QueryOrders call. Unknown ids are omitted.
   * With a live stream: from the executions stream, REST only at the slow reconciliation cadence (stream-sync.ts).
   */
  async queryOrders(ids: string[]): Promise<OrderReport[]> {
    if (this.sync) return this.sync.queryOrders(ids, (x) => this.restQueryOrders(x));
    return this.restQueryOrders(ids);
  }

  private async restQueryOrders(ids: string[]): Promise<OrderReport[]> {
    const uniq = [...new Set(ids.filter((x) => typeof x === 'string' && x.length > 0))];
    const out: OrderReport[] = [];
    for (let i = 0; i < uniq.length; i += QUERY_BATCH) {
      out.push(...(await this.queryChunk(uniq.slice(i, i + QUERY_BATCH))));
    }
    return out;
  }

  /** One QueryOrders call; if Kraken rejects the whole batch for an unknown id, split it to isolate the unknown ones. */
  private async queryChunk(chunk: string[]): Promise<OrderReport[]> {
    try {
      const res = await this.client.queryOrders(chunk);
      const out: OrderReport[] = [];
      // A report with garbled numbers is omitted (unknown): the caller asks again next tick.
      for (const [id, o] of Object.entries(res)) {
        const r = this.toReport(id, o);
        if ('report' in r) out.push(r.report);
      }
      return out;
    } catch (err) {
      if (!(err instanceof ExchangeError) || err.kind !== 'unknown_order') throw err;
      if (chunk.length === 1) {
        log.warn('Kraken does not know this order id', { id: chunk[0] });
        return [];
      }
      const mid = Math.ceil(chunk.length / 2);
      return [...(await this.queryChunk(chunk.slice(0, mid))), ...(await this.queryChunk(chunk.slice(mid)))];
    }
  }

  /**
   * Our open orders. One whose numbers are garbled is listed as `unreadable`
   * (numbers NaN) instead of failing the whole list: a start-up that threw here
   * retried forever while that one report stayed garbled, and never traded.
   */
  async listOpenOrders(): Promise<OrderReport[]> {
    const { open } = await this.client.openOrders();
    return Object.entries(open)
      .filter(([, o]) => this.isOurs(o))
      .map(([id, o]) => {
        const r = this.toReport(id, o);
        return 'report' in r ? r.report : this.unreadableReport(id, o, r.unknown);
      });
  }

  /** What is known of an order whose numbers cannot be trusted: which order it is, not what executed. */
  private unreadableReport(id: string, o: KrakenOrderInfo, reason: string): OrderReport {
    return { ...this.identity(id, o), price: NaN, volume: NaN, volumeExecuted: NaN, avgPrice: NaN, fee: NaN, state: 'open', openedAt: NaN, unreadable: reason };
  }

  /** Which order a Kraken order is: its id, our client id for it (when we know its cl_ord_id), its userref and side. */
  private identity(id: string, o: KrakenOrderInfo): Pick<OrderReport, 'id' | 'clientOrderId' | 'userref' | 'side'> {
    const cl = o.cl_ord_id ?? null;
    const known = cl !== null ? (this.clientIds.get(normalizeClOrdId(cl)) ?? this.clientIds.get(cl)) : undefined;
    const tagged = userrefFromClientOrderId(cl);
    const userref = tagged ?? (o.userref !== null && o.userref !== undefined && Number(o.userref) !== 0 ? Number(o.userref) : null);
    return { id, clientOrderId: known ?? cl, userref, side: o.descr?.type === 'sell' ? 'sell' : 'buy' };
  }

  /** Only an order with exactly our cl_ord_id, on our pair (any Kraken spelling), of `expect.side` when given. */
  async findOrderByClientId(clientOrderId: string, expect: { side?: Side } = {}): Promise<OrderReport | null> {
    const cl = this.krakenClientOrderId(clientOrderId);
    this.clientIds.set(cl, clientOrderId);
    await this.getPairInfo();
    const found = await this.client.findByClientOrderId(cl, undefined, this.match(expect.side));
    return found ? this.reportOrThrow(found.txid, found.info) : null;
  }

  /**
   * What can fund new orders, per side: Kraken `BalanceEx` (balance + credit −
   * credit_used − hold_trade, per the docs' "available balance") summed over the
   * asset's tradable keys (XXDG, XDG, XDG.F …; see `tradableBalanceKeys`). When
   * BalanceEx is refused (permissions, unknown method), `Balance` totals of the
   * same keys. Negative, non-numeric or absurd amounts: a retryable error.
   */
  async getBalances(): Promise<Balances> {
    const info = await this.getPairInfo();
    let ex: Record<string, { balance?: string; hold_trade?: string; credit?: string; credit_used?: string }> | null = null;
    try {
      ex = await this.client.balanceEx();
    } catch (err) {
      if (!(err instanceof ExchangeError) || err.retryable) throw err;
      log.warn('Kraken BalanceEx refused; using Balance (amounts held by open orders are not subtracted)', { error: errorMessage(err) });
    }
    if (ex) {
      const free = (asset: string) => {
        let sum = 0;
        for (const k of tradableBalanceKeys(asset)) {
          const e = ex[k];
          if (!e) continue;
          const v = balanceAmount(e.balance, k) + balanceAmount(e.credit, `${k} credit`) - balanceAmount(e.credit_used, `${k} credit_used`) - balanceAmount(e.hold_trade, `${k} hold_trade`);
          sum += v;
        }
        return Math.max(0, sum);
      };
      return { base: free(info.baseAsset), quote: free(info.quoteAsset) };
    }
    const res = await this.client.balance();
    const total = (asset: string) => tradableBalanceKeys(asset).reduce((sum, k) => sum + balanceAmount(res[k], k), 0);
    return { base: total(info.baseAsset), quote: total(info.quoteAsset) };
  }

  /** Totals and the parts held by open orders (Kraken `BalanceEx`) of the pair's assets. */
  async getBalanceDetails(): Promise<{ base: { total: number; held: number }; quote: { total: number; held: number } }> {
    const info = await this.getPairInfo();
    const res = await this.client.balanceEx();
    const one = (asset: string) => ({ total: balanceAmount(res[asset]?.balance, asset), held: balanceAmount(res[asset]?.hold_trade, `${asset} hold_trade`) });
    return { base: one(info.baseAsset), quote: one(info.quoteAsset) };
  }

  /**
   * The account's maker fee for our pair in percent (Kraken `TradeVolume`,
   * `fees_maker[pair].fee`), or null when Kraken does not tell (no permission,
   * no entry, garbage). Also prices garbage fees in later order reports.
   */
  async getMakerFeePct(): Promise<number | null> {
    try {
      const res = await this.client.tradeVolume(this.pair);
      const table = res.fees_maker ?? {};
      const want = new Set([this.pair, ...this.pairNames].flatMap(pairForms));
      const key = Object.keys(table).find((k) => pairForms(k).some((f) => want.has(f))) ?? Object.keys(table)[0];
      const fee = key !== undefined ? krakenNum(table[key]?.fee) : NaN;
      if (!(Number.isFinite(fee) && fee >= 0 && fee <= 5)) {
        log.warn('Kraken TradeVolume: no usable maker fee for the pair', { pair: this.pair, fee: key !== undefined ? String(table[key]?.fee) : 'absent' });
        return null;
      }
      this.makerFeePct = fee;
      return fee;
    } catch (err) {
      log.warn('Kraken TradeVolume failed; maker fee unknown', { error: errorMessage(err) });
      return null;
    }
  }

  private match(side?: Side): OrderMatch {
    return { pairs: [this.pair, ...this.pairNames], side };
  }

  /** A report whose numbers Kraken garbled is unknown: an error the caller retries, never a bogus report or a false "not found". */
  private reportOrThrow(id: string, o: KrakenOrderInfo): OrderReport {
    const r = this.toReport(id, o);
    if ('unknown' in r) throw new ExchangeError('retryable', `Kraken order ${id}: unusable report (${r.unknown})`);
    return r.report;
  }

  /** Kraken order → report, every number validated (sanitize.ts); `unknown` (logged with the reason) when they cannot be trusted. */
  private toReport(id: string, o: KrakenOrderInfo): ReportOrUnknown {
    const nums = parseOrderNumbers(o, this.makerFeePct ?? DEFAULT_MAKER_FEE_PCT);
    if (!nums.ok) {
      log.warn('Kraken order report unknown: unusable numbers; asking again later', { id, reason: nums.reason });
      return { unknown: nums.reason };
    }
    for (const note of nums.notes) log.warn(`Kraken order report ${id}: ${note}`);
    const state = o.status;
    const report: OrderReport = {
      ...this.identity(id, o),
      ...nums.value,
      state: state === 'pending' || state === 'open' || state === 'closed' || state === 'canceled' || state === 'expired' ? state : 'open',
    };
    // SPEC §5.1: a post-only order that would have taken liquidity is accepted, then
    // cancelled by Kraken with reason "Post only order". Not an external cancel.
    if (state === 'canceled' && typeof o.reason === 'string' && /post\s*only/i.test(o.reason)) report.postOnlyRejected = true;
    return { report };
  }
}

/** Price as sent to Kraken: a multiple of `tick_size` (when known), written with `pair_decimals`. */
export function priceString(price: number, info: PairInfo): string {
  const tick = info.tickSize;
  if (tick === undefined || !(tick > 0)) return toDecimalString(price, info.priceDecimals);
  return toDecimalString(Math.round(price / tick) * tick, info.priceDecimals);
}
