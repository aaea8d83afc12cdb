// The quiet band (see the header of engine.ts): after every real tick, from
// the state the Trader left behind, the open interval (lo, hi) of prices and
// the time `next` before which a tick can change nothing. Every margin is
// inward, so a doubtful visit runs the real tick.
import { gridModeOf, rules, spacingModeOf, TREND_WINDOW_MS, type GridState, type StrategyConfig } from '../../core/grid-strategy.js';
import { exitActive } from '../../core/trading/exit.js';
import { trailQuietBounds } from '../../core/trading/trailing.js';

export const DAY_MS = 86_400_000;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** The smallest double above a positive finite x. */
export function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! + 1n;
  return f64[0]!;
}

export class QuietBand {
  /** Nothing is quiet until the first refresh. */
  lo = Infinity;
  hi = -Infinity;
  /** -Infinity: tick at once (an order is not plainly resting, or nothing is safe). */
  next = -Infinity;
  /**
   * The moment the oldest fill of the last 12 h leaves the trend window. A
   * visit inside the band at or after it, before `next`, only recounts the
   * trend (see Replay.trendStep), unless the new ratio calls for a rebuild.
   */
  trendNext = Infinity;
  private dayKey = '';
  private dayEnd = 0;
  private readonly hourMs: number;
  private readonly sweepMs: number;

  constructor(private readonly cfg: StrategyConfig) {
    this.hourMs = cfg.dailySummaryHourUtc * 3_600_000;
    this.sweepMs = cfg.accumulationSweepDays * DAY_MS;
  }

  /** Recomputes the band from the state after a real tick at time t. */
  refresh(s: GridState, t: number): void {
    let force = this.restingBounds(s);
    if (s.funded && !s.risk.stopped && this.riskBounds(s)) force = true;
    if (!s.risk.paused && !s.risk.stopped && s.center > 0) {
      if (gridModeOf(s.settings, this.cfg) === 'trailing') this.trailBounds(s);
      else this.driftBounds(s.center);
    }
    if (s.funded && !s.risk.stopped && this.takeProfitBounds(s)) force = true;
    // START_PRICE: the first visit at or past the start price builds the grid; a sell-on-stop ticks at every visit.
    if (s.startWait) {
      if (s.startWait.side === 'below') this.hi = Math.min(this.hi, s.startWait.price);
      else this.lo = Math.max(this.lo, s.startWait.price);
    }
    if (exitActive(s)) force = true;
    const nx = this.nextChange(s, t);
    this.next = force ? -Infinity : nx;
    this.trendNext = trendExpiry(s, t);
  }

  /** After a trend step at t: the next expiry. */
  refreshTrend(s: GridState, t: number): void {
    this.trendNext = trendExpiry(s, t);
  }

  /**
   * (lo, hi) = (highest open buy, lowest open sell): the paper exchange fills
   * nothing strictly between them. True when an order is not plainly resting
   * (pending or unknown placement, or an accumulation order that may already be filled).
   */
  private restingBounds(s: GridState): boolean {
    let force = false;
    let maxBuy = -Infinity;
    let minSell = Infinity;
    for (const o of s.orders) {
      if (o.status !== 'open' || o.kind === 'accumulation') force = true;
      if (o.side === 'buy') {
        if (o.price > maxBuy) maxBuy = o.price;
      } else if (o.price < minSell) minSell = o.price;
    }
    this.lo = maxBuy;
    this.hi = minSell;
    return force;
  }

  /**
   * Narrows the band to the prices at which mark-to-market equity stays above
   * the stop floor and today's loss limit (equity = cash + inventory × price is
   * monotone in the price). True when no price is safe (no inventory, cash at the limit).
   */
  private riskBounds(s: GridState): boolean {
    const cash = s.ledger.cash;
    const inv = s.ledger.inventory;
    const cfg = this.cfg;
    let e = cfg.stopFloor;
    if (!s.risk.paused) e = Math.max(e, s.day.startEquity - cfg.dailyLossLimit);
    e += 1e-9 * Math.max(1, Math.abs(e));
    if (inv > 0) {
      const p = (e - cash) / inv;
      this.lo = Math.max(this.lo, p + Math.abs(p) * 1e-12);
    } else if (inv < 0) {
      const p = (cash - e) / -inv;
      this.hi = Math.min(this.hi, p - Math.abs(p) * 1e-12);
    } else if (!(cash > e)) return true;
    return false;
  }

  /** Narrows the band to the prices at which equity stays below TAKE_PROFIT_EQUITY. True when no price is safe. */
  private takeProfitBounds(s: GridState): boolean {
    const tp = rules(s, this.cfg).takeProfitEquity;
    if (tp === null) return false;
    const cash = s.ledger.cash;
    const inv = s.ledger.inventory;
    const e = tp - 1e-9 * Math.max(1, Math.abs(tp));
    if (inv > 0) {
      const p = (e - cash) / inv;
      this.hi = Math.min(this.hi, p - Math.abs(p) * 1e-12);
    } else if (inv < 0) {
      const p = (cash - e) / -inv;
      this.lo = Math.max(this.lo, p + Math.abs(p) * 1e-12);
    } else if (!(cash < e)) return true;
    return false;
  }

  /** Narrows the band to the drift-rebuild limits center × (1 ± GRID_DRIFT_RESET_PCT %). */
  private driftBounds(center: number): void {
    const d = (this.cfg.gridDriftResetPct - 1e-6) / 100;
    this.lo = Math.max(this.lo, center * (1 - d));
    this.hi = Math.min(this.hi, center * (1 + d));
  }

  /** GRID_MODE=trailing: narrows the band to the prices at which the ladder cannot move (trading/trailing.ts). */
  private trailBounds(s: GridState): void {
    const b = trailQuietBounds(s, spacingModeOf(s.settings, this.cfg));
    if (!b) return;
    this.lo = Math.max(this.lo, b.lo);
    this.hi = Math.min(this.hi, b.hi);
  }

  /** The next trading-day boundary or the next accumulation sweep. */
  private nextChange(s: GridState, t: number): number {
    if (s.day.key !== this.dayKey) {
      this.dayKey = s.day.key;
      this.dayEnd = Date.parse(s.day.key + 'T00:00:00Z') + DAY_MS + this.hourMs;
    }
    let nx = this.dayEnd;
    if (!s.risk.paused && !s.risk.stopped) {
      const due = s.accumulation.lastSweepAt + this.sweepMs - 1;
      if (due < nx) nx = due;
    }
    return nx;
  }
}

/** The first instant after t at which a fill of the last 12 h leaves the trend window (Infinity: none). */
export function trendExpiry(s: GridState, t: number): number {
  const f = s.fills;
  const windowStart = t - TREND_WINDOW_MS;
  let oldest = Infinity;
  for (let j = f.length - 1; j >= 0; j--) {
    const ft = f[j]!.time;
    if (ft < windowStart) break;
    if (ft <= t) oldest = ft;
  }
  // computeTrend drops a fill once now > time + 12 h: the first such instant is the double just above.
  return oldest < Infinity ? nextUp(oldest + TREND_WINDOW_MS) : Infinity;
}
