// A hostile Exchange for the fuzz campaign: a decorator around the real
// PaperExchange that fails calls at random (before or after forwarding them),
// hides orders from answers, reports fills as a series of partial executions,
// and lets the harness cancel, expire or partly execute orders behind the
// bot's back. Everything random comes from a seeded PRNG.
//
// The "world" (the paper account plus what the paper exchange cannot model:
// partial executions, reporting lag) outlives a bot crash, like a real
// exchange; a new FaultyExchange wraps the same world after a restart, or a
// world restored from the snapshot saved next to the bot's state.
import { ExchangeError, type Balances, type Exchange, type ExchangeErrorKind, type OrderReport, type PairInfo, type PlaceOrderRequest, type PlacedOrder, type Ticker } from '../../src/exchange/exchange.js';
import { roundTo } from '../../src/core/money.js';
import { PaperExchange, type PaperSnapshot } from '../../src/exchange/paper-exchange.js';
import type { Candle } from '../../src/core/types.js';

/** Probability per call (or per event) of each fault, before the intensity multiplier. */
export interface FaultRates {
  tickerThrow: number;
  /** network error before the order reaches the exchange (not placed). */
  placeBefore: number;
  /** network/retryable error after the exchange placed the order (ambiguous). */
  placeAfter: number;
  /** post_only / rate_limit / insufficient_funds / invalid_arguments / orders_limit (not placed). */
  placeReject: number;
  queryThrow: number;
  /** A query answer leaves out a random subset of the ids. */
  queryOmit: number;
  /** A filled order is revealed over 2–4 queries as growing partial executions. */
  reveal: number;
  cancelBefore: number;
  cancelAfter: number;
  cancelAllThrow: number;
  /** cancelAllOurs cancels only a random subset (then throws or answers normally). */
  cancelAllPartial: number;
  listThrow: number;
  findThrow: number;
  balancesThrow: number;
  /**
   * Per answer: one numeric field is garbage (NaN, 0, negative, 1e300, a string,
   * missing) — a ticker field, a report's price/fee/executed volume, the
   * placed price/volume, a balance. Every value is one the bot can tell is bad
   * (never a plausible lie such as an executed volume of 0).
   */
  hostile: number;
  /** Per ticker, once the incarnation has seen one: the whole ticker (bid, ask, last) off the market once. */
  tickerOutlier: number;
}

export const NO_FAULTS: FaultRates = {
  tickerThrow: 0,
  placeBefore: 0,
  placeAfter: 0,
  placeReject: 0,
  queryThrow: 0,
  queryOmit: 0,
  reveal: 0,
  cancelBefore: 0,
  cancelAfter: 0,
  cancelAllThrow: 0,
  cancelAllPartial: 0,
  listThrow: 0,
  findThrow: 0,
  balancesThrow: 0,
  hostile: 0,
  tickerOutlier: 0,
};

export const DEFAULT_RATES: FaultRates = {
  tickerThrow: 0.02,
  placeBefore: 0.02,
  placeAfter: 0.03,
  placeReject: 0.03,
  queryThrow: 0.02,
  queryOmit: 0.04,
  reveal: 0.3,
  cancelBefore: 0.03,
  cancelAfter: 0.03,
  cancelAllThrow: 0.05,
  cancelAllPartial: 0.08,
  listThrow: 0.05,
  findThrow: 0.05,
  balancesThrow: 0.05,
  hostile: 0.03,
  tickerOutlier: 0.005,
};

/** Garbage for each kind of numeric field (as a JSON parser or a bad report could hand it over). */
const GARBAGE = {
  /** A price: 0 is Kraken's "nothing executed" average, the fallback applies. */
  price: [NaN, 0, -0.2, 1e300, Infinity, '0.2', undefined, null],
  /** An executed volume: never 0, which would be a plausible lie. */
  volume: [NaN, -5, 1e300, Infinity, '10', undefined, null],
  fee: [NaN, 0, -0.01, 1e300, Infinity, '0.01', undefined, null],
  any: [NaN, 0, -1, 1e300, Infinity, 'x', undefined, null],
} as const;

/** An execution the paper exchange cannot represent: part of an order filled at its limit. */
export interface PartialExec {
  executed: number;
  price: number;
  fee: number;
}

interface Reveal {
  steps: number;
  shown: number;
  from: number;
}

export interface WorldSnapshot extends PaperSnapshot {
  fuzz?: { partials: [string, PartialExec][]; expired: string[] };
}

export interface TruthOrder {
  id: string;
  clientOrderId: string;
  side: 'buy' | 'sell';
  volume: number;
  /** Executed volume in truth (paper fills plus partial executions). */
  executed: number;
  /** No longer open on the exchange. */
  finished: boolean;
}

export class World {
  readonly partials: Map<string, PartialExec>;
  readonly expired: Set<string>;
  /** Fills still being reported as partial executions (reporting lag). */
  readonly reveals = new Map<string, Reveal>();
  private readonly revealDecided = new Set<string>();

  constructor(
    readonly paper: PaperExchange,
    readonly makerFeeRate: number,
    saved?: WorldSnapshot['fuzz'],
  ) {
    this.partials = new Map(saved?.partials ?? []);
    this.expired = new Set(saved?.expired ?? []);
  }

  snapshot(): WorldSnapshot {
    return { ...this.paper.snapshot(), fuzz: { partials: [...this.partials], expired: [...this.expired] } };
  }

  /** Every order the paper exchange still remembers, as it really is. */
  truth(): TruthOrder[] {
    return this.paper.snapshot().orders.map((o) => {
      const p = this.partials.get(o.id);
      const executed = o.state === 'closed' ? o.volumeExecuted : (p?.executed ?? 0);
      return { id: o.id, clientOrderId: o.clientOrderId, side: o.side, volume: o.volume, executed, finished: o.state !== 'open' };
    });
  }

  revealing(id: string): boolean {
    const r = this.reveals.get(id);
    return r !== undefined && r.shown < r.steps;
  }

  /** The exchange stops lagging on this order (a cancel request makes it report the truth). */
  settle(id: string): void {
    this.reveals.delete(id);
    this.revealDecided.add(id);
  }

  /**
   * What the exchange reports for `r` (the paper's own report): partial
   * executions applied, and a fill possibly shown as growing partial
   * executions over several queries (`advance`: this is a query that moves the
   * lag on; `revealSteps`: over how many queries to reveal a fill seen for the first time, < 2 for at once).
   */
  view(r: OrderReport, advance: boolean, revealSteps: () => number): OrderReport {
    const p = this.partials.get(r.id);
    if (r.state === 'open') {
      return p ? { ...r, volumeExecuted: p.executed, avgPrice: p.price, fee: p.fee } : { ...r };
    }
    if (r.state === 'canceled') {
      const state = this.expired.has(r.id) ? 'expired' : 'canceled';
      return p ? { ...r, volumeExecuted: p.executed, avgPrice: p.price, fee: p.fee, state } : { ...r, state };
    }
    // closed: maybe report it as a series of partial executions first
    if (advance && !this.revealDecided.has(r.id)) {
      this.revealDecided.add(r.id);
      const steps = r.volumeExecuted > 0 ? revealSteps() : 0;
      if (steps > 1) this.reveals.set(r.id, { steps, shown: 0, from: p?.executed ?? 0 });
    }
    const rev = this.reveals.get(r.id);
    if (!rev) return { ...r };
    if (advance) rev.shown++;
    if (rev.shown >= rev.steps) {
      this.reveals.delete(r.id);
      return { ...r };
    }
    const executed = roundTo(rev.from + ((r.volume - rev.from) * rev.shown) / rev.steps, 8);
    return { ...r, state: 'open', volumeExecuted: executed, fee: (r.fee * executed) / r.volume, avgPrice: executed > 0 ? r.avgPrice : 0 };
  }

  /** Behind the bot's back: the exchange cancels or expires an open order. */
  expire(id: string, asExpired: boolean): void {
    if (asExpired) this.expired.add(id);
    this.paper.expireOrder(id);
  }

  /** Behind the bot's back: part of an open order executes at its limit. */
  partialFill(id: string, fraction: number): boolean {
    const o = this.paper.snapshot().orders.find((x) => x.id === id);
    if (!o || o.state !== 'open') return false;
    const before = this.partials.get(id)?.executed ?? 0;
    const executed = roundTo(Math.max(before, o.volume * fraction), 8);
    if (executed <= before || executed >= o.volume) return false;
    this.partials.set(id, { executed, price: o.price, fee: executed * o.price * this.makerFeeRate });
    return true;
  }
}

const REJECTS: ExchangeErrorKind[] = ['post_only', 'rate_limit', 'insufficient_funds', 'invalid_arguments', 'orders_limit'];

export class FaultyExchange implements Exchange {
  readonly kind = 'paper' as const;
  /** Faults injected so far (a tick that adds none is fault-free). */
  faults = 0;
  /** Off: a plain pass-through (settling phase, start-up retries). */
  enabled = true;
  readonly counts: Record<string, number> = {};
  /** Deterministic faults for regression tests: while set, every such call fails this way. */
  force: {
    cancelOrder?: 'before' | 'after';
    cancelAllOurs?: 'before';
    queryOrders?: 'throw' | 'omit';
    placeOrder?: 'before' | 'after';
    findOrderByClientId?: 'throw';
  } = {};
  private crashIn: number | null = null;
  private crashAfter = false;
  private dead = false;
  private signal!: () => void;
  /** Resolves when a call froze because the process "died" in the middle of it. */
  readonly crashed: Promise<'crash'>;

  constructor(
    readonly world: World,
    private readonly rnd: () => number,
    private readonly rates: FaultRates = DEFAULT_RATES,
    private readonly intensity = 1,
  ) {
    this.crashed = new Promise((resolve) => (this.signal = () => resolve('crash')));
  }

  /** The process dies during the n-th exchange call from now, before or after the call took effect. */
  armCrash(calls: number, afterForwarding: boolean): void {
    this.crashIn = calls;
    this.crashAfter = afterForwarding;
  }

  get isDead(): boolean {
    return this.dead;
  }

  private roll(p: number): boolean {
    return this.enabled && this.rnd() < p * this.intensity;
  }

  private fail(kind: ExchangeErrorKind, what: string): never {
    this.faults++;
    this.counts[what] = (this.counts[what] ?? 0) + 1;
    throw new ExchangeError(kind, `injected ${what}`);
  }

  private freeze(): Promise<never> {
    this.dead = true;
    this.signal();
    return new Promise<never>(() => undefined);
  }

  /** Entry of every call: a dead process makes no more calls; an armed crash may fire here. */
  private async enter(): Promise<void> {
    if (this.dead) return this.freeze();
    if (this.crashIn !== null && --this.crashIn <= 0) {
      this.crashIn = null;
      if (!this.crashAfter) return this.freeze();
      this.crashAfter = false;
      this.dieAfter = true;
    }
  }
  private dieAfter = false;

  /** After a call took effect: the armed crash of this call fires now. */
  private async leave(): Promise<void> {
    if (this.dieAfter) {
      this.dieAfter = false;
      return this.freeze();
    }
  }

  private revealSteps(): number {
    if (!this.roll(this.rates.reveal)) return 0;
    this.faults++;
    this.counts['reveal'] = (this.counts['reveal'] ?? 0) + 1;
    return 2 + Math.floor(this.rnd() * 3);
  }

  /** With probability `hostile`, a copy of `obj` with one of `fields` replaced by garbage of its kind. */
  private spoil<T extends object>(obj: T, what: string, fields: readonly (readonly [keyof T, keyof typeof GARBAGE])[]): T {
    if (fields.length === 0 || !this.roll(this.rates.hostile)) return obj;
    const [field, kind] = fields[Math.floor(this.rnd() * fields.length)];
    const pool = GARBAGE[kind];
    this.faults++;
    this.counts[`hostile-${what}`] = (this.counts[`hostile-${what}`] ?? 0) + 1;
    return { ...obj, [field]: pool[Math.floor(this.rnd() * pool.length)] };
  }

  private spoilReport(r: OrderReport, what: string): OrderReport {
    return this.spoil(r, what, [
      ['avgPrice', 'price'],
      ['fee', 'fee'],
      ['volumeExecuted', 'volume'],
      ['price', 'any'],
      ['volume', 'any'],
      ['openedAt', 'any'],
    ]);
  }

  private tickerSeen = false;

  private netKind(): ExchangeErrorKind {
    return this.rnd() < 0.7 ? 'network' : 'retryable';
  }

  getPairInfo(): Promise<PairInfo> {
    return this.world.paper.getPairInfo();
  }

  getOhlc(intervalMinutes: number, sinceMs?: number): Promise<Candle[]> {
    return this.world.paper.getOhlc(intervalMinutes, sinceMs);
  }

  async getTicker(): Promise<Ticker> {
    await this.enter();
    if (this.roll(this.rates.tickerThrow / 2)) this.fail(this.netKind(), 'ticker-before');
    const t = await this.world.paper.getTicker();
    await this.leave();
    if (this.roll(this.rates.tickerThrow / 2)) this.fail(this.netKind(), 'ticker-after');
    if (this.tickerSeen && this.roll(this.rates.tickerOutlier)) {
      this.faults++;
      this.counts['ticker-outlier'] = (this.counts['ticker-outlier'] ?? 0) + 1;
      const off = this.rnd() < 0.5 ? t.last * 1e-3 : 1e300;
      return { bid: off, ask: off, last: off };
    }
    this.tickerSeen = true;
    return this.spoil(t, 'ticker', [
      ['last', 'any'],
      ['bid', 'any'],
      ['ask', 'any'],
    ]);
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    await this.enter();
    if (this.force.placeOrder === 'before' || this.roll(this.rates.placeBefore)) this.fail('network', 'place-before');
    if (this.roll(this.rates.placeReject)) {
      const kind = REJECTS[Math.floor(this.rnd() * REJECTS.length)];
      this.fail(kind, `place-${kind}`);
    }
    const placed = await this.world.paper.placeOrder(req);
    await this.leave();
    if (this.force.placeOrder === 'after' || this.roll(this.rates.placeAfter)) this.fail(this.netKind(), 'place-after');
    return this.spoil(placed, 'placed', [
      ['price', 'any'],
      ['volume', 'any'],
    ]);
  }

  async cancelOrder(id: string): Promise<void> {
    await this.enter();
    if (this.force.cancelOrder === 'before' || this.roll(this.rates.cancelBefore)) this.fail(this.netKind(), 'cancel-before');
    this.world.settle(id);
    await this.world.paper.cancelOrder(id);
    await this.leave();
    if (this.force.cancelOrder === 'after' || this.roll(this.rates.cancelAfter)) this.fail(this.netKind(), 'cancel-after');
  }

  async cancelAllOurs(): Promise<number> {
    await this.enter();
    if (this.force.cancelAllOurs === 'before' || this.roll(this.rates.cancelAllThrow)) this.fail(this.netKind(), 'cancel-all-before');
    for (const id of [...this.world.reveals.keys()]) this.world.settle(id);
    if (this.roll(this.rates.cancelAllPartial)) {
      const open = await this.world.paper.listOpenOrders();
      let n = 0;
      for (const o of open) {
        if (this.rnd() < 0.5) {
          await this.world.paper.cancelOrder(o.id);
          n++;
        }
      }
      await this.leave();
      if (this.rnd() < 0.5) this.fail(this.netKind(), 'cancel-all-partial-throw');
      this.faults++;
      this.counts['cancel-all-partial'] = (this.counts['cancel-all-partial'] ?? 0) + 1;
      return n;
    }
    const n = await this.world.paper.cancelAllOurs();
    await this.leave();
    return n;
  }

  async queryOrders(ids: string[]): Promise<OrderReport[]> {
    await this.enter();
    if (this.force.queryOrders === 'throw' || this.roll(this.rates.queryThrow)) this.fail(this.netKind(), 'query');
    const inner = await this.world.paper.queryOrders(ids);
    const out = inner.map((r) => this.spoilReport(this.world.view(r, true, () => this.revealSteps()), 'query'));
    await this.leave();
    if (this.force.queryOrders === 'omit') {
      this.faults++;
      return [];
    }
    if (out.length > 0 && this.roll(this.rates.queryOmit)) {
      const kept = out.filter(() => this.rnd() < 0.6);
      if (kept.length < out.length) {
        this.faults++;
        this.counts['query-omit'] = (this.counts['query-omit'] ?? 0) + 1;
      }
      return kept;
    }
    return out;
  }

  async listOpenOrders(): Promise<OrderReport[]> {
    await this.enter();
    if (this.roll(this.rates.listThrow)) this.fail(this.netKind(), 'list-open');
    const open = (await this.world.paper.listOpenOrders()).map((r) => this.world.view(r, false, () => 0));
    const lagging = [...this.world.reveals.keys()].filter((id) => this.world.revealing(id));
    for (const r of await this.world.paper.queryOrders(lagging)) open.push(this.world.view(r, false, () => 0));
    await this.leave();
    return open.map((r) => this.spoilReport(r, 'list'));
  }

  async getBalances(): Promise<Balances> {
    await this.enter();
    if (this.roll(this.rates.balancesThrow)) this.fail(this.netKind(), 'balances');
    const b = await this.world.paper.getBalances();
    await this.leave();
    return this.spoil(b, 'balances', [
      ['base', 'volume'],
      ['quote', 'volume'],
    ]);
  }

  async findOrderByClientId(clientOrderId: string): Promise<OrderReport | null> {
    await this.enter();
    if (this.force.findOrderByClientId === 'throw' || this.roll(this.rates.findThrow)) this.fail(this.netKind(), 'find');
    const r = await this.world.paper.findOrderByClientId(clientOrderId);
    const out = r ? this.spoilReport(this.world.view(r, true, () => this.revealSteps()), 'find') : null;
    await this.leave();
    return out;
  }

  /** The view of one order without moving the reporting lag on (for the harness). */
  async peek(id: string): Promise<OrderReport | null> {
    const [r] = await this.world.paper.queryOrders([id]);
    return r ? this.world.view(r, false, () => 0) : null;
  }
}
