// The candle loop (see the header of engine.ts): every candle's visits
// through the Trader, one real tick each, except what the quiet band proves
// would do nothing; the equity curve follows every visited price.
import { computeTrend, ratioNeedsRebuild, touch, unconfirmedJump } from '../../core/grid-strategy.js';
import { errorMessage } from '../../util/log.js';
import type { CandleSeries } from './candles.js';
import { BacktestError, LEVELS_UNSUPPORTED } from './errors.js';
import type { PaperBot } from './paper-bot.js';
import type { QuietBand } from './quiet-band.js';

/** One quiet candle in this many is replayed anyway, as a check of the quiet band (see the header of engine.ts). */
export const AUDIT_EVERY = 2048;

export function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

/** The candle length (60 s when unknown) and the offsets of the four visits inside a candle: 0, ¼, ½ and ¾ of it. */
export function visitSlots(intervalMs: number): { interval: number; slots: readonly [number, number, number, number] } {
  const interval = intervalMs > 0 ? intervalMs : 60_000;
  return { interval, slots: [0, Math.floor(interval / 4), Math.floor(interval / 2), Math.floor((3 * interval) / 4)] };
}

/** Mark-to-market equity over every visited price: its largest fall from a previous peak. */
export class Drawdown {
  // Fields start as numbers (not as constructor parameters, which start out
  // undefined) so V8 keeps them as double fields, updated in place: mark runs for every visit.
  maxDd = 0;
  maxDdPct = 0;
  private peak = 0;
  /** Cash and inventory as of the last real tick (visits in between change neither). */
  cash = 0;
  inv = 0;

  constructor(peak: number, cash: number, inv: number) {
    this.peak = peak;
    this.cash = cash;
    this.inv = inv;
  }

  mark(p: number): void {
    const e = this.cash + this.inv * p;
    if (e >= this.peak) this.peak = e;
    else {
      const d = this.peak - e;
      if (d > this.maxDd) this.maxDd = d;
      if (d / this.peak > this.maxDdPct) this.maxDdPct = d / this.peak;
    }
  }
}

export interface ReplayMode {
  /** Skip visits inside the quiet band. */
  fast: boolean;
  /** Run every visit; check the skippable ones changed nothing and the book matches the paper exchange. */
  verify: boolean;
}

export class Replay {
  realTicks = 0;
  /** Visits that only recounted the trend (see trendStep). */
  trendSteps = 0;
  readonly curve: Drawdown;
  /** The last real tick saw a price far from the recent median: the Trader holds it as a suspect, so the next visit ticks for real. */
  private suspect = false;
  private quietCandles = 0;
  private readonly ps = new Float64Array(4);

  constructor(
    private readonly series: CandleSeries,
    private readonly bot: PaperBot,
    private readonly band: QuietBand,
    private readonly slots: readonly number[],
    private readonly mode: ReplayMode,
  ) {
    const ledger = bot.state.ledger;
    this.curve = new Drawdown(ledger.startingCapital, ledger.cash, ledger.inventory);
  }

  /** The replay proper: start at candle 0's open, then every candle. */
  async run(): Promise<void> {
    await this.start();
    const k0 = this.firstTick(0, 1);
    if (k0 >= 0) await this.ticksFrom(0, k0);
    const { time, low, high, length: n } = this.series;
    const slot3 = this.slots[3]!;
    const band = this.band;
    const fast = this.mode.fast;
    for (let i = 1; i < n; i++) {
      if (fast && low[i]! > band.lo && high[i]! < band.hi && time[i]! + slot3 < band.next && time[i]! + slot3 < band.trendNext) {
        // Quiet candle: no tick, only the equity curve moves; one in AUDIT_EVERY is checked.
        if (++this.quietCandles % AUDIT_EVERY === 0) await this.audit(i);
        this.markQuiet(i);
        continue;
      }
      // Most of the other candles need no real tick either (trend steps): no async call for them.
      const k = this.firstTick(i, 0);
      if (k >= 0) await this.ticksFrom(i, k);
    }
  }

  /** Candle 0's open starts the bot (first grid), like Bot.start() at the first price. */
  private async start(): Promise<void> {
    const { trader, state, market, clock, tally, levelsOverride } = this.bot;
    const p = this.series.open[0]!;
    market.price = p;
    await trader.exclusive(() => trader.start());
    this.realTicks++;
    if (levelsOverride !== null && (tally.levelsIgnored || state.levelsPerSide !== levelsOverride)) throw new BacktestError(LEVELS_UNSUPPORTED);
    this.settle(clock.t);
    if (this.mode.verify) await this.checkBook();
    this.curve.mark(p);
  }

  /**
   * A quiet candle the fast path skips anyway runs its close through the real
   * tick and checks that nothing changed: a guard against Trader behaviour the
   * band does not model (it costs a few hundred ticks a year).
   */
  private audit(i: number): Promise<void> {
    return this.tickAt(this.series.time[i]! + this.slots[3]!, this.series.close[i]!, true);
  }

  /** The equity curve through a quiet candle's visits (in the order walk visits them). */
  private markQuiet(i: number): void {
    const { open, high, low, close } = this.series;
    const curve = this.curve;
    const o = open[i]!;
    const hg = high[i]!;
    const lw = low[i]!;
    curve.mark(o);
    if (o - lw <= hg - o) {
      curve.mark(lw);
      curve.mark(hg);
    } else {
      curve.mark(hg);
      curve.mark(lw);
    }
    curve.mark(close[i]!);
  }

  /** Candle i's visits from visit k0 on, up to the first that needs a real tick (returned; −1: none). */
  private firstTick(i: number, k0: number): number {
    this.prepare(i);
    return this.walk(i, k0);
  }

  /** The four visit prices of candle i, in the order they are visited (see the header of engine.ts). */
  private prepare(i: number): void {
    const { open, high, low, close } = this.series;
    const ps = this.ps;
    const o = open[i]!;
    const hg = high[i]!;
    const lw = low[i]!;
    const lowFirst = o - lw <= hg - o;
    ps[0] = o;
    ps[1] = lowFirst ? lw : hg;
    ps[2] = lowFirst ? hg : lw;
    ps[3] = close[i]!;
  }

  /**
   * Goes through the visits of candle i from visit k on (prices from prepare)
   * that need no real tick: a repeat of the previous visit's price, a visit
   * the quiet band skips, a trend step. Returns the first visit that needs a
   * real tick, or −1 when the candle is done.
   */
  private walk(i: number, k: number): number {
    const ps = this.ps;
    const t0 = this.series.time[i]!;
    const { fast } = this.mode;
    const band = this.band;
    for (; k < 4; k++) {
      const p = ps[k]!;
      // The same price as the visit before it in this candle is the same tick.
      if (k > 0 && p === ps[k - 1]) continue;
      const t = t0 + this.slots[k]!;
      const inBand = p > band.lo && p < band.hi && t < band.next;
      const quiet = inBand && t < band.trendNext;
      if ((fast && quiet) || (fast && inBand && this.trendStep(t, p))) {
        this.curve.mark(p);
        continue;
      }
      return k;
    }
    return -1;
  }

  /** Real ticks for the visits of candle i from visit k on that need one (walk finds them). */
  private async ticksFrom(i: number, k: number): Promise<void> {
    const t0 = this.series.time[i]!;
    const band = this.band;
    for (; k >= 0; k = this.walk(i, k + 1)) {
      const p = this.ps[k]!;
      const t = t0 + this.slots[k]!;
      // Verify mode ticks every visit; one the fast path would have skipped must change nothing.
      const quiet = p > band.lo && p < band.hi && t < band.next && t < band.trendNext;
      await this.tickAt(t, p, this.mode.verify && quiet);
      this.curve.mark(p);
    }
  }

  /**
   * A visit inside the quiet band after a fill left the 12 h trend window:
   * all the real tick would do is recount the trend (computeTrend, stored
   * when it changed) — unless the new ratio calls for a ratio rebuild, the
   * price is a jump the Trader would hold back, or trading is stopped or a
   * rebuild is under way; then (false) the visit runs the real tick. Checked
   * against running every visit by the fast-path tests (whole state, revision included).
   */
  private trendStep(t: number, p: number): boolean {
    const s = this.bot.state;
    if (this.suspect || s.risk.stopped || s.rebuild || unconfirmedJump(s.priceHistory, t, p) !== null) return false;
    if (s.risk.paused && s.orders.some((o) => o.side === 'buy')) return false;
    const override = s.settings.ratioOverride;
    const trend = computeTrend(s.fills, t, override);
    if (!s.risk.paused && override === null && ratioNeedsRebuild(trend.ratio, s.ratioAtBuild)) return false;
    if (trend.ratio !== s.trend.ratio || trend.buys12h !== s.trend.buys12h || trend.sells12h !== s.trend.sells12h) {
      s.trend = trend;
      touch(s);
    }
    this.trendSteps++;
    this.band.refreshTrend(s, t);
    return true;
  }

  /** One real tick at (t, p). With `quiet`, the fast path would have skipped it: check that it changed nothing. */
  private async tickAt(t: number, p: number, quiet: boolean): Promise<void> {
    const { trader, state, market, clock, tally } = this.bot;
    clock.t = t;
    market.price = p;
    const rev = state.revision;
    const nFills = tally.fills.length;
    const ledgerBefore = quiet ? JSON.stringify(state.ledger) : '';
    const ordersBefore = state.orders.length;
    tally.inTick = 0;
    this.suspect = unconfirmedJump(state.priceHistory, t, p) !== null;
    try {
      await trader.tick();
    } catch (err) {
      // The live loop logs, counts and carries on; so does the replay.
      tally.errors++;
      if (tally.errors <= 3) process.emitWarning(`backtest tick at ${iso(t)} failed: ${errorMessage(err)}`);
    }
    this.realTicks++;
    if (quiet && (state.revision !== rev || tally.fills.length !== nFills || tally.inTick !== 0 || state.orders.length !== ordersBefore || JSON.stringify(state.ledger) !== ledgerBefore)) {
      throw new BacktestError(
        `fast-path check: the tick at ${iso(t)} (price ${p}, inside the quiet band ${this.band.lo}…${this.band.hi}, before ${iso(this.band.next)}) changed the state. ` +
          'The Trader does something the quiet band does not know about: rerun with --no-fast-path, and update src/tools/backtest/quiet-band.ts',
      );
    }
    this.settle(t);
    if (this.mode.verify) await this.checkBook();
  }

  /** After a real tick: the new quiet band, and the holdings the equity curve marks. */
  private settle(t: number): void {
    const state = this.bot.state;
    this.band.refresh(state, t);
    this.curve.cash = state.ledger.cash;
    this.curve.inv = state.ledger.inventory;
  }

  /** Verify mode: the orders the state holds as resting are exactly the paper exchange's open orders. */
  private async checkBook(): Promise<void> {
    const { state, exchange } = this.bot;
    const open = new Set((await exchange.listOpenOrders()).map((o) => o.id));
    const ours = new Set(state.orders.filter((o) => o.status === 'open' && o.kind !== 'accumulation' && o.id).map((o) => o.id as string));
    for (const id of open) if (!ours.has(id)) throw new BacktestError(`fast-path check: paper order ${id} is open but not in the state`);
    for (const id of ours) if (!open.has(id)) throw new BacktestError(`fast-path check: state order ${id} is not open on the paper exchange`);
  }
}
