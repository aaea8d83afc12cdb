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
  type Balances,
  type Exchange,
  type OrderReport,
  type PairInfo,
  type PlacedOrder,
  type PlaceOrderRequest,
  type Ticker,
} from '../exchange.js';
import { KrakenClient } from './client.js';
import { normalizeClOrdId, type KrakenOrderInfo } from './api-types.js';
import { errorMessage, logger } from '../../util/log.js';
import { toDecimalString } from '../../core/money.js';
import type { Candle } from '../../core/types.js';

const log = logger('kraken-exchange');

const TAG_MAGIC = 'd06e';
const QUERY_BATCH = 50;
const PAIR_INFO_TTL_MS = 6 * 3600_000;

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

  // ----- market data -------------------------------------------------------

  async getTicker(): Promise<Ticker> {
    const res = await this.client.getTicker(this.pair);
    const t = Object.values(res)[0];
    if (!t) throw new ExchangeError('retryable', `Kraken Ticker: no data for ${this.pair}`);
    const ticker = { bid: Number(t.b?.[0]), ask: Number(t.a?.[0]), last: Number(t.c?.[0]) };
    if (![ticker.bid, ticker.ask, ticker.last].every((x) => Number.isFinite(x) && x > 0)) {
      throw new ExchangeError('retryable', `Kraken Ticker: unusable prices for ${this.pair}`);
    }
    return ticker;
  }

  async getOhlc(intervalMinutes: number, sinceMs?: number): Promise<Candle[]> {
    const res = await this.client.getOhlc(this.pair, intervalMinutes, sinceMs !== undefined ? Math.floor(sinceMs / 1000) : undefined);
    return res.rows.map((r) => ({
      time: Number(r[0]) * 1000,
      open: Number(r[1]),
      high: Number(r[2]),
      low: Number(r[3]),
      close: Number(r[4]),
      volume: Number(r[6]),
    }));
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
        priceDecimals: Number(entry.pair_decimals),
        lotDecimals: Number(entry.lot_decimals),
        orderMin: Number(entry.ordermin ?? NaN),
        costMin: entry.costmin !== undefined ? Number(entry.costmin) : 0,
      };
      const ok =
        info.baseAsset.length > 0 &&
        info.quoteAsset.length > 0 &&
        Number.isInteger(info.priceDecimals) &&
        info.priceDecimals >= 0 &&
        Number.isInteger(info.lotDecimals) &&
        info.lotDecimals >= 0 &&
        Number.isFinite(info.orderMin) &&
        info.orderMin >= 0 &&
        Number.isFinite(info.costMin) &&
        info.costMin >= 0;
      if (!ok) throw new Error(`AssetPairs entry for ${this.pair} is incomplete`);
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
    const info = await this.getPairInfo();
    if (!(req.price > 0) || !(req.volume > 0) || !Number.isFinite(req.price) || !Number.isFinite(req.volume)) {
      throw new ExchangeError('invalid_arguments', `invalid order: price ${req.price}, volume ${req.volume}`);
    }
    const price = toDecimalString(req.price, info.priceDecimals);
    const volume = toDecimalString(req.volume, info.lotDecimals);
    const p = Number(price);
    const v = Number(volume);
    if (v < info.orderMin) throw new ExchangeError('invalid_arguments', `order volume ${volume} is below the pair minimum ${info.orderMin}`);
    if (p * v < info.costMin) throw new ExchangeError('invalid_arguments', `order cost ${(p * v).toFixed(6)} is below the pair minimum ${info.costMin}`);
    const cl = this.krakenClientOrderId(req.clientOrderId);
    this.clientIds.set(cl, req.clientOrderId);
    const res = await this.client.addOrder({
      pair: this.pair,
      type: req.side,
      ordertype: 'limit',
      price,
      volume,
      // fciq: fees in USD, as the ledger books them (Kraken's default for sells is the base currency).
      oflags: req.postOnly === false ? 'fciq' : 'post,fciq',
      cl_ord_id: cl,
    });
    const id = res.txid[0];
    if (!id) throw new ExchangeError('retryable', 'Kraken AddOrder: no txid in the answer');
    if (res.recovered) log.info('order found on Kraken after an ambiguous failure', { id, clientOrderId: req.clientOrderId });
    return { id, clientOrderId: req.clientOrderId, price: p, volume: v };
  }

  /** Cancel one order by txid. An order that is not open any more (filled, cancelled, expired) is not an error: queryOrders tells what happened. */
  async cancelOrder(id: string): Promise<void> {
    try {
      await this.client.cancelOrder({ txid: id });
    } catch (err) {
      if (err instanceof ExchangeError && err.kind === 'unknown_order') {
        log.info('cancel: order is not open on Kraken any more', { id });
        return;
      }
      throw err;
    }
  }

  /** Cancel every open order tagged as ours, one txid at a time (never CancelAll). Returns how many were cancelled. */
  async cancelAllOurs(): Promise<number> {
    const { open } = await this.client.openOrders();
    let cancelled = 0;
    const failures: string[] = [];
    for (const [txid, o] of Object.entries(open)) {
      if (!this.isOurs(o)) continue;
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

  /** Reports for the given txids, ≤ 50 per QueryOrders call. Unknown ids are omitted. */
  async queryOrders(ids: string[]): Promise<OrderReport[]> {
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
      return Object.entries(res).map(([id, o]) => this.toReport(id, o));
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

  async listOpenOrders(): Promise<OrderReport[]> {
    const { open } = await this.client.openOrders();
    return Object.entries(open)
      .filter(([, o]) => this.isOurs(o))
      .map(([id, o]) => this.toReport(id, o));
  }

  async findOrderByClientId(clientOrderId: string): Promise<OrderReport | null> {
    const cl = this.krakenClientOrderId(clientOrderId);
    this.clientIds.set(cl, clientOrderId);
    const found = await this.client.findByClientOrderId(cl);
    return found ? this.toReport(found.txid, found.info) : null;
  }

  /** Total balances of the pair's base and quote assets (Kraken `Balance`, which includes amounts held by open orders). */
  async getBalances(): Promise<Balances> {
    const info = await this.getPairInfo();
    const res = await this.client.balance();
    return { base: Number(res[info.baseAsset] ?? 0), quote: Number(res[info.quoteAsset] ?? 0) };
  }

  /** Totals and the parts held by open orders (Kraken `BalanceEx`): what is free to fund a new order. */
  async getBalanceDetails(): Promise<{ base: { total: number; held: number }; quote: { total: number; held: number } }> {
    const info = await this.getPairInfo();
    const res = await this.client.balanceEx();
    const one = (asset: string) => ({ total: Number(res[asset]?.balance ?? 0), held: Number(res[asset]?.hold_trade ?? 0) });
    return { base: one(info.baseAsset), quote: one(info.quoteAsset) };
  }

  private toReport(id: string, o: KrakenOrderInfo): OrderReport {
    const cl = o.cl_ord_id ?? null;
    const known = cl !== null ? (this.clientIds.get(normalizeClOrdId(cl)) ?? this.clientIds.get(cl)) : undefined;
    const tagged = userrefFromClientOrderId(cl);
    const userref = tagged ?? (o.userref !== null && o.userref !== undefined && Number(o.userref) !== 0 ? Number(o.userref) : null);
    const state = o.status;
    return {
      id,
      clientOrderId: known ?? cl,
      userref,
      side: o.descr?.type === 'sell' ? 'sell' : 'buy',
      price: Number(o.descr?.price ?? 0),
      volume: Number(o.vol ?? 0),
      volumeExecuted: Number(o.vol_exec ?? 0),
      avgPrice: Number(o.price ?? 0) || 0,
      fee: Number(o.fee ?? 0),
      state: state === 'pending' || state === 'open' || state === 'closed' || state === 'canceled' || state === 'expired' ? state : 'open',
      openedAt: Math.round(Number(o.opentm ?? 0) * 1000),
    };
  }
}
