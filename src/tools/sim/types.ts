// The simulator's shared vocabulary: its orders, trades, options and the
// `KrakenSim` handle tests and tools drive it through, plus `KrakenFail`, the
// one way a module says "answer with this Kraken error string".
import type { PriceProcessSpec } from './price-process.js';
import type { ActiveFault, FaultSpec } from './faults.js';

/** Kraken's verification tiers; a new account is Starter (SPEC §5.1). */
export type SimTier = 'starter' | 'intermediate' | 'pro';
/** Order `status` values of Kraken's order info (REST "Query Orders Info"). */
export type SimOrderStatus = 'pending' | 'open' | 'closed' | 'canceled' | 'expired';
/**
 * A pair's trading status as AssetPairs reports it ("Get Tradable Asset Pairs",
 * https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs).
 */
export type PairStatus = 'online' | 'cancel_only' | 'post_only' | 'limit_only' | 'reduce_only' | 'maintenance';
export const PAIR_STATUSES: readonly PairStatus[] = ['online', 'cancel_only', 'post_only', 'limit_only', 'reduce_only', 'maintenance'];
/** The exchange's status as SystemStatus reports it (https://docs.kraken.com/api/docs/rest-api/get-system-status). */
export type SystemStatus = 'online' | 'maintenance' | 'cancel_only' | 'post_only';
export const SYSTEM_STATUSES: readonly SystemStatus[] = ['online', 'maintenance', 'cancel_only', 'post_only'];
/**
 * What AddOrder does with a post-only order that would take liquidity: 'cancel' (Kraken today:
 * accepted with a txid, then cancelled with reason "Post only order") or 'reject' (Kraken's older
 * answer: EOrder:Post only order, no order). SPEC §5.1: clients must handle both.
 */
export type PostOnlyCross = 'cancel' | 'reject';

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
  /** ms: when the order last started resting (placement, or its last amend) — the age the trading counter prices. */
  restingSince: number;
  /** Amends applied so far. */
  amends: number;
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

export interface SimRequest {
  endpoint: string;
  outcome: string;
  at: number;
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
  /** A crossing post-only order: 'cancel' (default, Kraken today) or 'reject' (the older EOrder:Post only order). */
  postOnlyCross?: PostOnlyCross;
  /** The pair's starting status (default online); change it later through POST /sim/pair-status. */
  pairStatus?: PairStatus;
  /** WebSocket heartbeat period in real ms (default 1000, Kraken's; 0: none). */
  wsHeartbeatMs?: number;
}

/** The simulator's WebSocket endpoints and faults (ws.ts). */
export type WsEndpoint = 'public' | 'auth';
export type WsFaultType = 'drop' | 'stall' | 'malformed' | 'oversized' | 'duplicate' | 'expire_tokens';
export interface WsFaultSpec {
  type: WsFaultType;
  /** Which endpoint (default both). */
  endpoint?: WsEndpoint | 'both';
  /** stall: how long in sim milliseconds (default until cleared). */
  ms?: number;
  /** duplicate: how many execution messages (default 1). */
  count?: number;
}

/** An order placed by hand on the account (admin API, tests): no auth, no counters. */
export interface DirectOrder {
  side: 'buy' | 'sell';
  price: number;
  volume: number;
  userref?: number;
  clOrdId?: string;
  postOnly?: boolean;
}

export interface KrakenSim {
  url: string;
  /** Kraken WebSocket v2, public (ticker): ws://127.0.0.1:<port>/v2. */
  wsUrl: string;
  /** Kraken WebSocket v2, private (executions): ws://127.0.0.1:<port>/auth/v2. */
  wsAuthUrl: string;
  /** WebSocket faults and connection counts (see ws.ts). */
  ws: {
    fault(spec: WsFaultSpec): void;
    clear(): void;
    connections(endpoint?: WsEndpoint): number;
  };
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
  placeOrderDirect(o: DirectOrder): string;
  /** Cancel or expire an order behind the client's back. */
  closeBehindBack(txid: string, status: 'canceled' | 'expired'): void;
  /** Model counters (after decay) — for assertions. */
  restCounter(apiKey?: string): number;
  tradingCounter(): number;
  /** Set the pair's status (AssetPairs `status`), e.g. 'cancel_only'. */
  setPairStatus(status: PairStatus): void;
  /** Set the exchange's status (SystemStatus `status`). */
  setSystemStatus(status: SystemStatus): void;
  faults: {
    add(f: FaultSpec | FaultSpec[]): void;
    clear(): void;
    list(): ActiveFault[];
    /** Added to every request, in real ms. */
    latencyMs: number;
  };
  stats: SimStats;
  /** Every request, in arrival order. */
  requests: SimRequest[];
  /** Add another API key for the same account (each key has its own nonce and counter, as on Kraken). */
  addApiKey(key: string, secretBase64: string): void;
}

/** Thrown by any part of the simulator to answer `{"error": [krakenError]}`. */
export class KrakenFail extends Error {
  constructor(readonly krakenError: string) {
    super(krakenError);
  }
}

/** Request parameters: the query string of a public GET, the form body of a private POST (nonce removed). */
export type Params = Record<string, string>;
