// The simulated exchange without its HTTP face: market, account and order
// book, rate counters, API keys, armed faults and request statistics, plus
// the operations a test or the admin API performs directly (move the price,
// place an order by hand, cancel one behind the client's back).
import { LOT_DECIMALS as ld, PRICE_DECIMALS as pd, XDGUSD_KEY, roundDown } from './asset-pair.js';
import { placeOrder } from './add-order.js';
import { SimAuth } from './auth.js';
import { SimBook } from './book.js';
import { SimCounters } from './counters.js';
import { FaultBoard } from './faults.js';
import { SimMarket } from './market.js';
import { createPriceProcess } from './price-process.js';
import {
  KrakenFail,
  PAIR_STATUSES,
  SYSTEM_STATUSES,
  type DirectOrder,
  type KrakenSimOptions,
  type PairStatus,
  type PostOnlyCross,
  type SimRequest,
  type SimStats,
  type SimTier,
  type SystemStatus,
} from './types.js';

const DEFAULT_KEY = 'sim-api-key-0000000000000000000000000000000000000000000000';
const DEFAULT_SECRET = Buffer.from('kraken-sim-secret-'.repeat(4)).toString('base64');

export class SimEngine {
  readonly now: () => number;
  readonly tier: SimTier;
  readonly allowUserrefWithClOrdId: boolean;
  readonly postOnlyCross: PostOnlyCross;
  pairStatus: PairStatus;
  systemStatus: SystemStatus = 'online';
  readonly market: SimMarket;
  readonly book: SimBook;
  readonly counters: SimCounters;
  readonly auth = new SimAuth();
  readonly faults = new FaultBoard();
  readonly stats: SimStats = { calls: {}, rejections: {} };
  readonly requests: SimRequest[] = [];
  readonly apiKey: string;
  readonly apiSecret: string;
  /** WebSocket tokens issued by GetWebSocketsToken → when (sim ms); ws.ts checks them. */
  readonly wsTokens = new Map<string, number>();
  private readonly changeListeners: (() => void)[] = [];

  constructor(options: KrakenSimOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.tier = options.tier ?? 'starter';
    this.allowUserrefWithClOrdId = options.allowUserrefWithClOrdId ?? false;
    this.postOnlyCross = options.postOnlyCross ?? 'cancel';
    this.pairStatus = options.pairStatus ?? 'online';
    const proc = createPriceProcess(options.process ?? { kind: 'manual', price: 0.1 }, options.seed ?? 1);
    this.market = new SimMarket(proc, (options.spreadPct ?? 0) / 100, this.now);
    this.book = new SimBook(this.market, this.now, {
      makerFeePct: options.makerFeePct ?? 0.25,
      takerFeePct: options.takerFeePct ?? 0.4,
      partialFillRatio: options.partialFillRatio ?? 1,
      seed: options.seed ?? 7,
      balances: options.balances ?? { ZUSD: 1000, XXDG: 10000 },
    });
    this.counters = new SimCounters(this.tier, options.enforceRateLimits ?? true, this.now);
    this.apiKey = options.apiKey ?? DEFAULT_KEY;
    this.apiSecret = options.apiSecret ?? DEFAULT_SECRET;
    this.addApiKey(this.apiKey, this.apiSecret);
  }

  /** Another API key on the same account: its own nonce sequence and REST counter, as on Kraken. */
  addApiKey(key: string, secretBase64: string): void {
    this.auth.add(key, secretBase64);
    this.counters.resetKey(key);
  }

  /** The status that governs order entry: the exchange's when it is not online, else the pair's. */
  marketStatus(): PairStatus {
    return this.systemStatus !== 'online' ? this.systemStatus : this.pairStatus;
  }

  setPairStatus(status: string): void {
    if (!(PAIR_STATUSES as readonly string[]).includes(status)) throw new Error(`status must be one of ${PAIR_STATUSES.join(', ')}`);
    this.pairStatus = status as PairStatus;
  }

  setSystemStatus(status: string): void {
    if (!(SYSTEM_STATUSES as readonly string[]).includes(status)) throw new Error(`status must be one of ${SYSTEM_STATUSES.join(', ')}`);
    this.systemStatus = status as SystemStatus;
  }

  /** Called after anything that may change the book or the price (the WebSocket side publishes it). */
  onChange(fn: () => void): void {
    this.changeListeners.push(fn);
  }

  changed(): void {
    for (const fn of this.changeListeners) fn();
  }

  /** Count a rejection by its Kraken error (or "fault:<type>"). */
  reject(what: string): void {
    this.stats.rejections[what] = (this.stats.rejections[what] ?? 0) + 1;
  }

  countCall(endpoint: string): void {
    this.stats.calls[endpoint] = (this.stats.calls[endpoint] ?? 0) + 1;
  }

  setPrice(price: number): void {
    this.market.proc.set(price);
    this.applyPrice(this.market.mid());
  }

  step(steps = 1): number {
    for (let i = 0; i < steps; i++) for (const p of this.market.proc.next()) this.applyPrice(p);
    return this.market.mid();
  }

  private applyPrice(p: number): void {
    this.market.record(p);
    this.book.match(p);
    this.changed();
  }

  /** Place an order as the account owner would by hand (no auth, no counters); throws Error(<Kraken error>). */
  placeOrderDirect(o: DirectOrder): string {
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
      const txid = placeOrder(this, params).txid![0]!;
      this.changed();
      return txid;
    } catch (err) {
      if (err instanceof KrakenFail) throw new Error(err.krakenError);
      throw err;
    }
  }

  /** Kraken cancels or expires an order on its own (the client learns it from the order's status and reason). */
  closeBehindBack(txid: string, status: 'canceled' | 'expired'): void {
    const o = this.book.orders.get(txid);
    if (!o || o.status !== 'open') throw new Error(`no open order ${txid}`);
    this.book.close(o, status, status === 'expired' ? 'Order expired' : 'Cancelled by the exchange');
    this.changed();
  }

  balances(): Record<string, number> {
    return Object.fromEntries(this.book.balances);
  }

  setBalance(asset: string, amount: number): void {
    if (!Number.isFinite(amount)) throw new Error('amount must be a number');
    this.book.balances.set(asset, amount);
  }

  /** Everything at a glance, for GET /sim/state. */
  state() {
    const { market } = this;
    return {
      time: this.now(),
      price: market.mid(),
      bid: market.bid(),
      ask: market.ask(),
      process: market.proc.kind,
      tier: this.tier,
      pairStatus: this.pairStatus,
      systemStatus: this.systemStatus,
      postOnlyCross: this.postOnlyCross,
      tradingCounter: this.counters.tradingLevel(),
      balances: this.balances(),
      openOrders: this.book.open().length,
      orders: this.book.orders.size,
      trades: this.book.trades.size,
      stats: this.stats,
      faults: this.faults.list(),
      latencyMs: this.faults.latencyMs,
    };
  }
}
