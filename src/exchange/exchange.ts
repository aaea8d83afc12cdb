// The one interface the strategy trades through. Two implementations:
// `PaperExchange` (dry run and backtests) and `KrakenExchange` (live). The
// strategy never asks which one it is talking to.
import type { Candle, Side } from '../core/types.js';

export interface PairInfo {
  /** Kraken pair name used in requests, e.g. "XDGUSD". */
  pair: string;
  /** Balance asset codes as Kraken's Balance endpoint names them, e.g. "XXDG" and "ZUSD". */
  baseAsset: string;
  quoteAsset: string;
  /** Kraken `pair_decimals`: decimals allowed in a price. */
  priceDecimals: number;
  /** Kraken `lot_decimals`: decimals allowed in a volume. */
  lotDecimals: number;
  /** Kraken `ordermin`: smallest order volume, in base units. */
  orderMin: number;
  /** Kraken `costmin`: smallest order cost, in quote units. */
  costMin: number;
  /** Kraken `tick_size`: prices are sent as multiples of it (absent: `priceDecimals` alone). */
  tickSize?: number;
  /**
   * Kraken `status`: 'online', 'cancel_only', 'post_only', 'limit_only', 'reduce_only',
   * 'maintenance', … (absent: unknown, e.g. the paper exchange or the fallback).
   */
  status?: string;
}

/** Reference fallbacks when AssetPairs cannot be read (SPEC §3). */
export const FALLBACK_PAIR_INFO: PairInfo = {
  pair: 'XDGUSD',
  baseAsset: 'XXDG',
  quoteAsset: 'ZUSD',
  priceDecimals: 7,
  lotDecimals: 8,
  orderMin: 13,
  costMin: 0.5,
};

export interface Ticker {
  bid: number;
  ask: number;
  last: number;
}

/** Read-only market data: Kraken's public API, or a scripted source in tests and backtests. */
export interface MarketData {
  getTicker(): Promise<Ticker>;
  getOhlc(intervalMinutes: number, sinceMs?: number): Promise<Candle[]>;
  getPairInfo(): Promise<PairInfo>;
}

export interface PlaceOrderRequest {
  side: Side;
  /** Limit price; the exchange rounds it to `priceDecimals`. */
  price: number;
  /** Volume in base units; the exchange rounds it to `lotDecimals`. */
  volume: number;
  /** Unique per order; lets us find an order again after an ambiguous failure. */
  clientOrderId: string;
  /** Default true (maker only). False only for the accumulation sweep, which is meant to execute at once. */
  postOnly?: boolean;
}

export interface PlacedOrder {
  id: string;
  clientOrderId: string;
  /** Price and volume as actually submitted (after rounding). */
  price: number;
  volume: number;
}

export type OrderState = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';

export interface OrderReport {
  id: string;
  clientOrderId: string | null;
  userref: number | null;
  side: Side;
  /** Limit price. */
  price: number;
  volume: number;
  /** Kraken `vol_exec`: how much has executed so far. */
  volumeExecuted: number;
  /** Average execution price (0 when nothing executed). */
  avgPrice: number;
  /** Total fee charged so far, in quote units. */
  fee: number;
  state: OrderState;
  openedAt: number;
  /**
   * True when the exchange cancelled a post-only order because it would have
   * taken liquidity (Kraken: status canceled, reason "Post only order"). Not an
   * external cancel: the level can be placed again later.
   */
  postOnlyRejected?: boolean;
  /**
   * Set (with the reason) when the exchange's numbers for this order cannot be
   * trusted; only `listOpenOrders` answers such a report, so that one garbled
   * order does not hide the others. Its numbers are NaN: it tells which order
   * exists (id, client id, side), never what executed.
   */
  unreadable?: string;
}

export interface AmendOrderRequest {
  /** Exchange id of the resting order (kept by the amend). */
  id: string;
  clientOrderId: string;
  side: Side;
  /** New limit price and total volume (the exchange rounds them like placeOrder). */
  price: number;
  volume: number;
  postOnly?: boolean;
  /** When the order was placed or last amended (ms), for the trading-counter cost. */
  placedAt?: number;
}

/**
 * The exchange's trading-counter model (Kraken's per-pair counter): what can be
 * spent now without waiting and what each action costs. Absent: unlimited and free.
 */
export interface TradingBudget {
  /** Points spendable now without waiting (may be negative while the counter is over its headroom). */
  room: number;
  /** Points the counter decays per second. */
  decayPerSecond: number;
  addCost: number;
  /** Cost of cancelling an order that rested `ageMs` (null: unknown age). */
  cancelCost(ageMs: number | null): number;
  /** Cost of amending an order that rested `ageMs` (null: unknown age). */
  amendCost(ageMs: number | null): number;
}

export interface Balances {
  base: number;
  quote: number;
}

export interface Exchange extends MarketData {
  readonly kind: 'paper' | 'kraken';
  /** Post-only limit order tagged with our userref and the client order id. */
  placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder>;
  /** `placedAt` (when known): when the order was placed or last amended, for the trading-counter cost. */
  cancelOrder(id: string, placedAt?: number): Promise<void>;
  /** Cancel every open order carrying our userref (never CancelAll). Returns how many. */
  cancelAllOurs(): Promise<number>;
  /** Status of the given orders (batched internally). Unknown ids are omitted. */
  queryOrders(ids: string[]): Promise<OrderReport[]>;
  /** Our open orders only (by userref). */
  listOpenOrders(): Promise<OrderReport[]>;
  getBalances(): Promise<Balances>;
  /** Totals and the parts held by open orders (Kraken `BalanceEx`), for the /balance report. Optional. */
  getBalanceDetails?(): Promise<{ base: { total: number; held: number }; quote: { total: number; held: number } }>;
  /**
   * One of our orders (open or closed) by client order id, or null. Used after restarts and ambiguous failures.
   * Only an order carrying exactly our client id, on our pair (and of `expect.side` when given) matches.
   */
  findOrderByClientId(clientOrderId: string, expect?: { side?: Side }): Promise<OrderReport | null>;
  /** The account's maker fee for the pair in percent (Kraken `TradeVolume` fees_maker), or null when unknown. Optional. */
  getMakerFeePct?(): Promise<number | null>;
  /**
   * Moves a resting order to a new price/volume in place (Kraken AmendOrder): same ids, fills kept.
   * Optional; throws ExchangeError 'unsupported' when the venue does not know the call (use cancel + add).
   */
  amendOrder?(req: AmendOrderRequest): Promise<{ price: number; volume: number }>;
  /** The trading-counter model; absent: no limit (paper). */
  tradingBudget?(): TradingBudget;
  /**
   * Several orders in as few calls as the venue allows (Kraken AddOrderBatch: cheaper on the trading counter).
   * One entry per request, in order: the placed order, or the ExchangeError of that order alone. Optional.
   */
  placeOrders?(reqs: PlaceOrderRequest[]): Promise<(PlacedOrder | ExchangeError)[]>;
}

export type ExchangeErrorKind =
  | 'network' // timeout, refused, reset: outcome unknown for writes
  | 'retryable' // EService:*, HTTP 5xx, malformed response
  | 'rate_limit'
  | 'invalid_nonce'
  | 'insufficient_funds'
  | 'post_only' // the order would have taken liquidity
  | 'auth'
  | 'invalid_arguments'
  | 'orders_limit'
  | 'unknown_order'
  | 'unsupported' // the venue does not know the call (e.g. AmendOrder on an older API)
  | 'other';

export class ExchangeError extends Error {
  constructor(
    readonly kind: ExchangeErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ExchangeError';
  }
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'retryable' || this.kind === 'rate_limit' || this.kind === 'invalid_nonce';
  }
}
