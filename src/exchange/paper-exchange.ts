// The dry-run exchange: a paper account behind the same Exchange interface as
// Kraken, so the strategy has one code path and backtests reuse it.
//
// Rules (documented in the README):
// - Prices come from a MarketData source (Kraken's public API, or a scripted
//   source in tests and backtests). Every observed price matches resting orders:
//   a buy fills when price ≤ its limit, a sell when price ≥ its limit, in full,
//   at the limit price, paying the maker fee.
// - Post-only orders that would cross at placement are rejected like Kraken does.
//   A non-post-only order that crosses fills at once at the observed price.
// - The account starts with STARTING_CAPITAL in USD; at the first observed
//   price half of it is converted to DOGE at that price, without a fee (the
//   operator's own funding), so both sides of the first grid can be placed.
// - Order ids are unique: a per-account counter that survives restarts.
import type { AmendOrderRequest, Balances, Exchange, MarketData, OrderReport, PairInfo, PlaceOrderRequest, PlacedOrder, Ticker } from './exchange.js';
import { ExchangeError } from './exchange.js';
import { roundTo } from '../core/money.js';
import type { Candle, Side } from '../core/types.js';

interface PaperOrder {
  id: string;
  clientOrderId: string;
  side: Side;
  price: number;
  volume: number;
  volumeExecuted: number;
  avgPrice: number;
  fee: number;
  state: 'open' | 'closed' | 'canceled';
  openedAt: number;
  postOnly: boolean;
}

/** An order as the account holds it: with its report as of its last change, built when first asked for (not saved). */
interface HeldOrder extends PaperOrder {
  report: OrderReport | null;
}

export interface PaperSnapshot {
  nextId: number;
  funded: boolean;
  balances: Balances;
  orders: PaperOrder[];
  lastPrice: number;
}

export interface PaperOptions {
  market: MarketData;
  startingQuote: number;
  makerFeePct: number;
  /** Fee for orders that execute at once (not post-only and crossing); default: the maker fee. */
  takerFeePct?: number;
  userref: number;
  now: () => number;
  snapshot?: PaperSnapshot | null;
  /** Closed and canceled orders kept for queries; older ones are forgotten. */
  historyLimit?: number;
}

export class PaperExchange implements Exchange {
  readonly kind = 'paper' as const;
  private readonly market: MarketData;
  private readonly feeRate: number;
  private readonly takerRate: number;
  private readonly now: () => number;
  private readonly userref: number;
  private readonly historyLimit: number;
  private nextId: number;
  private funded: boolean;
  private balances: Balances;
  private lastPrice: number;
  /** Every order we still remember, by id. Open ones are also in `open`. */
  private readonly orders = new Map<string, HeldOrder>();
  /** Open orders in the order they were placed (a plain array: every placement scans it). */
  private readonly open: HeldOrder[] = [];
  private readonly done: string[] = [];
  private pairInfo: PairInfo | null = null;
  /** Highest open buy and lowest open sell: a price strictly between them fills nothing. */
  private bestBuy = -Infinity;
  private bestSell = Infinity;

  constructor(opts: PaperOptions) {
    this.market = opts.market;
    this.feeRate = opts.makerFeePct / 100;
    this.takerRate = (opts.takerFeePct ?? opts.makerFeePct) / 100;
    this.now = opts.now;
    this.userref = opts.userref;
    this.historyLimit = opts.historyLimit ?? 200;
    const snap = opts.snapshot;
    this.nextId = snap?.nextId ?? 1;
    this.funded = snap?.funded ?? false;
    this.balances = snap ? { ...snap.balances } : { base: 0, quote: opts.startingQuote };
    this.lastPrice = snap?.lastPrice ?? 0;
    for (const o of snap?.orders ?? []) {
      const copy: HeldOrder = { ...o, report: null };
      this.orders.set(copy.id, copy);
      if (copy.state === 'open') this.open.push(copy);
      else this.done.push(copy.id);
    }
    this.refreshBest();
  }

  private refreshBest(): void {
    let b = -Infinity;
    let s = Infinity;
    for (const o of this.open) {
      if (o.side === 'buy') b = Math.max(b, o.price);
      else s = Math.min(s, o.price);
    }
    this.bestBuy = b;
    this.bestSell = s;
  }

  snapshot(): PaperSnapshot {
    return {
      nextId: this.nextId,
      funded: this.funded,
      balances: { ...this.balances },
      orders: [...this.orders.values()].map(({ report: _cached, ...o }) => o),
      lastPrice: this.lastPrice,
    };
  }

  getPairInfo(): Promise<PairInfo> {
    if (this.pairInfo) return Promise.resolve(this.pairInfo);
    return settle(() => this.market.getPairInfo()).then((p) => (this.pairInfo = p));
  }

  getTicker(): Promise<Ticker> {
    return settle(() => this.market.getTicker()).then((t) => {
      this.observe(t.last);
      return t;
    });
  }

  getOhlc(intervalMinutes: number, sinceMs?: number): Promise<Candle[]> {
    return this.market.getOhlc(intervalMinutes, sinceMs);
  }

  /** Match resting orders against a price. Public so backtests can feed intra-candle prices. */
  observe(price: number): void {
    if (!(price > 0)) return;
    this.lastPrice = price;
    if (!this.funded) {
      const half = this.balances.quote / 2;
      this.balances.quote -= half;
      this.balances.base += half / price;
      this.funded = true;
    }
    if (price > this.bestBuy && price < this.bestSell) return;
    const hit = this.open.filter((o) => (o.side === 'buy' && price <= o.price) || (o.side === 'sell' && price >= o.price));
    for (const o of hit) this.fill(o, o.price);
  }

  private fill(o: HeldOrder, price: number, taker = false): void {
    const volume = o.volume - o.volumeExecuted;
    const cost = volume * price;
    const fee = cost * (taker ? this.takerRate : this.feeRate);
    if (o.side === 'buy') {
      this.balances.quote -= cost + fee;
      this.balances.base += volume;
    } else {
      this.balances.base -= volume;
      this.balances.quote += cost - fee;
    }
    o.avgPrice = (o.avgPrice * o.volumeExecuted + price * volume) / o.volume;
    o.volumeExecuted = o.volume;
    o.fee += fee;
    this.finish(o, 'closed');
  }

  private finish(o: HeldOrder, state: 'closed' | 'canceled'): void {
    o.state = state;
    o.report = null;
    const i = this.open.indexOf(o);
    if (i >= 0) this.open.splice(i, 1);
    if (o.price === this.bestBuy || o.price === this.bestSell) this.refreshBest();
    this.done.push(o.id);
    while (this.done.length > this.historyLimit) this.orders.delete(this.done.shift()!);
  }

  private reserved(side: Side): number {
    let r = 0;
    for (const o of this.open) {
      if (o.side !== side) continue;
      const left = o.volume - o.volumeExecuted;
      r += side === 'sell' ? left : left * o.price * (1 + this.feeRate);
    }
    return r;
  }

  // The order methods answer with settled promises, not async functions: a backtest year sends
  // hundreds of thousands of them, and each async call's frame is garbage to collect.
  placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    return this.withPair((pair) => this.place(req, pair));
  }

  /** Runs `fn` with the pair rules, read once; its answer or error as a promise. */
  private withPair<T>(fn: (pair: PairInfo) => T): Promise<T> {
    const pair = this.pairInfo;
    return pair ? settle(() => fn(pair)) : this.getPairInfo().then(fn);
  }

  private place(req: PlaceOrderRequest, pair: PairInfo): PlacedOrder {
    const price = roundTo(req.price, pair.priceDecimals);
    const volume = roundTo(req.volume, pair.lotDecimals);
    if (!(price > 0) || !(volume > 0)) throw new ExchangeError('invalid_arguments', 'EGeneral:Invalid arguments');
    if (volume + 1e-12 < pair.orderMin) throw new ExchangeError('invalid_arguments', 'EOrder:Order minimum not met');
    for (const o of this.open) {
      if (o.clientOrderId === req.clientOrderId) throw new ExchangeError('invalid_arguments', 'EOrder:Duplicate client order id');
    }
    const postOnly = req.postOnly !== false;
    const crosses = this.lastPrice > 0 && ((req.side === 'buy' && this.lastPrice <= price) || (req.side === 'sell' && this.lastPrice >= price));
    if (crosses && postOnly) throw new ExchangeError('post_only', 'EOrder:Post only order');
    const execPrice = crosses ? this.lastPrice : price;
    if (req.side === 'sell') {
      if (this.balances.base - this.reserved('sell') + 1e-9 < volume) throw new ExchangeError('insufficient_funds', 'EOrder:Insufficient funds');
    } else if (this.balances.quote - this.reserved('buy') + 1e-9 < volume * execPrice * (1 + (crosses ? this.takerRate : this.feeRate))) {
      throw new ExchangeError('insufficient_funds', 'EOrder:Insufficient funds');
    }
    const order: HeldOrder = {
      id: `PAPER-${String(this.nextId++).padStart(8, '0')}`,
      clientOrderId: req.clientOrderId,
      side: req.side,
      price,
      volume,
      volumeExecuted: 0,
      avgPrice: 0,
      fee: 0,
      state: 'open',
      openedAt: this.now(),
      postOnly,
      report: null,
    };
    this.orders.set(order.id, order);
    this.open.push(order);
    if (order.side === 'buy') this.bestBuy = Math.max(this.bestBuy, price);
    else this.bestSell = Math.min(this.bestSell, price);
    if (crosses) this.fill(order, execPrice, true);
    return { id: order.id, clientOrderId: order.clientOrderId, price, volume };
  }

  /**
   * Moves an open order in place (Kraken AmendOrder): same id, what executed is kept.
   * A post-only amend that would cross is refused; the order stays where it was.
   */
  amendOrder(req: AmendOrderRequest): Promise<{ price: number; volume: number }> {
    return this.withPair((pair) => this.amend(req, pair));
  }

  private amend(req: AmendOrderRequest, pair: PairInfo): { price: number; volume: number } {
    const o = this.orders.get(req.id);
    if (!o || o.state !== 'open') throw new ExchangeError('unknown_order', 'EOrder:Unknown order');
    const price = roundTo(req.price, pair.priceDecimals);
    const volume = roundTo(req.volume, pair.lotDecimals);
    if (!(price > 0) || !(volume > 0)) throw new ExchangeError('invalid_arguments', 'EGeneral:Invalid arguments');
    if (volume + 1e-12 < pair.orderMin || volume + 1e-12 < o.volumeExecuted) throw new ExchangeError('invalid_arguments', 'EOrder:Invalid order quantity');
    const crosses = this.lastPrice > 0 && ((o.side === 'buy' && this.lastPrice <= price) || (o.side === 'sell' && this.lastPrice >= price));
    if (crosses && o.postOnly) throw new ExchangeError('post_only', 'EOrder:Post only order');
    const left = volume - o.volumeExecuted;
    const before = { price: o.price, volume: o.volume };
    o.price = price;
    o.volume = volume;
    o.report = null;
    const need = o.side === 'sell' ? this.reserved('sell') : this.reserved('buy');
    const have = o.side === 'sell' ? this.balances.base : this.balances.quote;
    if (left > 0 && have + 1e-9 < need) {
      o.price = before.price;
      o.volume = before.volume;
      throw new ExchangeError('insufficient_funds', 'EOrder:Insufficient funds');
    }
    this.refreshBest();
    if (crosses) this.fill(o, this.lastPrice, true);
    return { price, volume };
  }

  cancelOrder(id: string): Promise<void> {
    return settle(() => {
      const o = this.orders.get(id);
      if (!o) throw new ExchangeError('unknown_order', 'EOrder:Unknown order');
      if (o.state === 'open') this.finish(o, 'canceled');
    });
  }

  async cancelAllOurs(): Promise<number> {
    const n = this.open.length;
    for (const o of [...this.open]) this.finish(o, 'canceled');
    return n;
  }

  /** Most queries ask about orders that did not change since the last one: their report is reused. */
  private report(o: HeldOrder): OrderReport {
    return (o.report ??= Object.freeze(this.freshReport(o)));
  }

  private freshReport(o: PaperOrder): OrderReport {
    return {
      id: o.id,
      clientOrderId: o.clientOrderId,
      userref: this.userref,
      side: o.side,
      price: o.price,
      volume: o.volume,
      volumeExecuted: o.volumeExecuted,
      avgPrice: o.avgPrice,
      fee: o.fee,
      state: o.state,
      openedAt: o.openedAt,
    };
  }

  queryOrders(ids: string[]): Promise<OrderReport[]> {
    // Sized once: asked every tick about every working order.
    const out: OrderReport[] = new Array<OrderReport>(ids.length);
    let n = 0;
    for (const id of ids) {
      const o = this.orders.get(id);
      if (o) out[n++] = this.report(o);
    }
    out.length = n;
    return Promise.resolve(out);
  }

  async listOpenOrders(): Promise<OrderReport[]> {
    return this.open.map((o) => this.report(o));
  }

  async getBalances(): Promise<Balances> {
    return { ...this.balances };
  }

  async findOrderByClientId(clientOrderId: string): Promise<OrderReport | null> {
    for (const o of this.orders.values()) if (o.clientOrderId === clientOrderId) return this.report(o);
    return null;
  }

  /** Test hook: the exchange cancels or expires an order behind the bot's back. */
  expireOrder(id: string): void {
    const o = this.orders.get(id);
    if (o && o.state === 'open') this.finish(o, 'canceled');
  }
}

/** `fn`'s answer (or the promise it returns) as a promise, a thrown error as a rejected one: as an async function would. */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
