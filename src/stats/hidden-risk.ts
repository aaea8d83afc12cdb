// 3. Hidden risk: Brownian-bridge probability that price went beyond the
//    outermost grid level between two samples, volatility from the samples
//    and, as a cross-check, from OHLC ranges.

import type { Candle, PricePoint } from '../core/types.js';
import { normalCdf } from './distributions.js';
import {
  fmtFractionPct,
  HOUR_MS,
  insufficient,
  isNum,
  plural,
  type AnalyzerGrid,
  type AnalyzerResult,
  type Verdict,
} from './shared.js';

/** Horizon of the hidden-risk probability. */
export const RISK_WINDOW_MS = HOUR_MS;
export const HIGH_RISK = 0.1;
export const ELEVATED_RISK = 0.05;
/** Fewest price returns for the volatility estimate. */
export const MIN_RETURNS = 20;

interface Interval {
  a: number; // log price at start
  b: number; // log price at end
  dt: number; // ms
}

interface Exceedance {
  /** P(some path between samples went beyond an outer level), samples themselves inside. */
  hidden: number;
  /** Intervals with a sample at or beyond an outer level. */
  observed: number;
  meanPerInterval: number;
}

/** A log-price sample. */
interface LogPoint {
  t: number;
  lp: number;
}

/** The squared log returns of all samples, and the sample intervals inside the risk window. */
interface Returns {
  sumR2: number;
  sumDt: number;
  nR: number;
  intervals: Interval[];
}

/** The outer grid levels, prices and logs; null where a side has none. */
interface OuterLevels {
  lowest: number | null;
  highest: number | null;
  lnL: number | null;
  lnU: number | null;
}

/** Volatility and breach evidence from candle ranges. */
interface CandleEvidence {
  /** Parkinson variance of log price per ms, from closed candles (null with fewer than 3). */
  sig2c: number | null;
  /** Candles in the risk window whose high or low went beyond an outer level. */
  candleBreaches: number;
  closedCandles: number;
}

/**
 * Brownian bridge: for log price with variance sig2 per ms, pinned at a and b
 * over dt, P(min ≤ l) = exp(−2 (a−l)(b−l) / (sig2·dt)) when both ends are
 * above l (and symmetrically for the upper barrier).
 */
function bridgeExceedance(intervals: readonly Interval[], sig2: number, lnL: number | null, lnU: number | null): Exceedance {
  let logNone = 0;
  let observed = 0;
  let sum = 0;
  for (const { a, b, dt } of intervals) {
    const v = sig2 * dt;
    let pL = 0;
    let pU = 0;
    let seen = false;
    if (lnL !== null) {
      const da = a - lnL;
      const db = b - lnL;
      if (da <= 0 || db <= 0) seen = true;
      else if (v > 0) pL = Math.exp((-2 * da * db) / v);
    }
    if (lnU !== null) {
      const da = lnU - a;
      const db = lnU - b;
      if (da <= 0 || db <= 0) seen = true;
      else if (v > 0) pU = Math.exp((-2 * da * db) / v);
    }
    if (seen) {
      observed++;
      continue;
    }
    const p = Math.min(1, pL + pU - pL * pU);
    sum += p;
    logNone += p >= 1 ? -Infinity : Math.log1p(-p);
  }
  const hidden = -Math.expm1(logNone);
  const m = intervals.length - observed;
  return { hidden: isNum(hidden) ? hidden : 1, observed, meanPerInterval: m > 0 ? sum / m : 0 };
}

/** Clean, time-ordered log-price samples. */
function logPrices(prices: readonly PricePoint[]): LogPoint[] {
  const pts: LogPoint[] = [];
  let sorted = true;
  for (const p of prices) {
    if (p === null || typeof p !== 'object') continue;
    const t = p.time;
    const x = p.price;
    if (!isNum(t) || !isNum(x) || !(x > 0)) continue;
    if (pts.length > 0 && t < pts[pts.length - 1]!.t) sorted = false;
    pts.push({ t, lp: Math.log(x) });
  }
  if (!sorted) pts.sort((u, v) => u.t - v.t);
  return pts;
}

function logReturns(pts: readonly LogPoint[], windowStart: number, now: number): Returns {
  let sumR2 = 0;
  let sumDt = 0;
  let nR = 0;
  const intervals: Interval[] = [];
  for (let i = 1; i < pts.length; i++) {
    const dt = pts[i]!.t - pts[i - 1]!.t;
    if (!(dt > 0)) continue;
    const r = pts[i]!.lp - pts[i - 1]!.lp;
    sumR2 += r * r;
    sumDt += dt;
    nR++;
    if (pts[i]!.t > windowStart && pts[i]!.t <= now) intervals.push({ a: pts[i - 1]!.lp, b: pts[i]!.lp, dt });
  }
  return { sumR2, sumDt, nR, intervals };
}

function outerLevels(grid: AnalyzerGrid): OuterLevels {
  const lowest = grid && isNum(grid.lowestBuy) && grid.lowestBuy > 0 ? grid.lowestBuy : null;
  const highest = grid && isNum(grid.highestSell) && grid.highestSell > 0 ? grid.highestSell : null;
  return {
    lowest,
    highest,
    lnL: lowest === null ? null : Math.log(lowest),
    lnU: highest === null ? null : Math.log(highest),
  };
}

/** Well-formed candles, oldest first. */
function cleanCandles(candles: readonly Candle[]): Candle[] {
  const cs: Candle[] = [];
  if (Array.isArray(candles)) {
    for (const c of candles) {
      if (c === null || typeof c !== 'object') continue;
      if (!isNum(c.time) || !isNum(c.high) || !isNum(c.low) || !(c.low > 0) || !(c.high >= c.low)) continue;
      cs.push(c);
    }
  }
  cs.sort((u, v) => u.time - v.time);
  return cs;
}

/** The candle length: the median gap between candles, 5 minutes when unknown. */
function candleLengthMs(cs: readonly Candle[]): number {
  let candleMs = 5 * 60_000;
  if (cs.length >= 2) {
    const gaps: number[] = [];
    for (let i = 1; i < cs.length; i++) {
      const g = cs[i]!.time - cs[i - 1]!.time;
      if (g > 0) gaps.push(g);
    }
    if (gaps.length > 0) {
      gaps.sort((u, v) => u - v);
      candleMs = gaps[Math.floor(gaps.length / 2)]!;
    }
  }
  return candleMs;
}

/**
 * Cross-check: Parkinson volatility from candle high/low ranges, and direct
 * evidence of breaches inside candles.
 */
function candleEvidence(candles: readonly Candle[], now: number, windowStart: number, outer: OuterLevels): CandleEvidence {
  const { lowest, highest } = outer;
  const cs = cleanCandles(candles);
  const candleMs = candleLengthMs(cs);
  let sig2c: number | null = null;
  let candleBreaches = 0;
  const usable = cs.filter((c) => c.time <= now && c.time >= now - 24 * HOUR_MS);
  // a candle still forming has a partial range: keep it for breach evidence only
  const closed = usable.filter((c) => c.time + candleMs <= now);
  if (closed.length >= 3) {
    let s = 0;
    for (const c of closed) {
      const lr = Math.log(c.high / c.low);
      s += lr * lr;
    }
    sig2c = s / (4 * Math.LN2 * closed.length * candleMs);
    if (!isNum(sig2c)) sig2c = null;
  }
  for (const c of usable) {
    if (c.time + candleMs <= windowStart) continue;
    if ((lowest !== null && c.low < lowest) || (highest !== null && c.high > highest)) candleBreaches++;
  }
  return { sig2c, candleBreaches, closedCandles: closed.length };
}

/**
 * Forward look: chance the next poll interval crosses an outer level
 * (reflection principle from the latest price).
 */
function nextPollExceedProb(lastLp: number, sig2: number, pollIntervalSec: number, outer: OuterLevels): number {
  const { lnL, lnU } = outer;
  const pollMs = (isNum(pollIntervalSec) && pollIntervalSec > 0 ? pollIntervalSec : 30) * 1000;
  const sigPoll = Math.sqrt(sig2 * pollMs);
  let nextPoll = 0;
  if (sigPoll > 0) {
    if (lnL !== null) nextPoll += lastLp <= lnL ? 1 : 2 * normalCdf(-(lastLp - lnL) / sigPoll);
    if (lnU !== null) nextPoll += lastLp >= lnU ? 1 : 2 * normalCdf(-(lnU - lastLp) / sigPoll);
  }
  return Math.min(1, nextPoll);
}

function riskVerdict(exceedProb: number): Verdict {
  if (exceedProb > HIGH_RISK) return { verdict: 'high risk', color: 'red' };
  if (exceedProb > ELEVATED_RISK) return { verdict: 'elevated risk', color: 'yellow' };
  return { verdict: 'low risk', color: 'green' };
}

function riskSummary(
  fromSamples: Exceedance,
  fromCandles: Exceedance | null,
  candleBreaches: number,
  volH: number,
  volHc: number | null,
): string {
  let summary: string;
  if (fromSamples.observed > 0 || candleBreaches > 0) {
    const what =
      fromSamples.observed > 0
        ? `price was sampled beyond the outermost level in ${plural(fromSamples.observed, 'interval')}`
        : `candle highs/lows went beyond the outermost level in ${plural(candleBreaches, 'candle')}`;
    summary = `Grid exceeded in the last hour: ${what}`;
  } else {
    summary =
      `Hidden risk: ${fmtFractionPct(fromSamples.hidden)} chance price went beyond the grid between samples in the last hour` +
      (fromCandles ? ` (${fmtFractionPct(fromCandles.hidden)} with candle-range volatility)` : ' (no candles to cross-check)');
  }
  return summary + `; hourly vol ${fmtFractionPct(volH, 2)}${volHc === null ? '' : ` samples / ${fmtFractionPct(volHc, 2)} candles`}`;
}

export function analyzeHiddenRisk(
  prices: readonly PricePoint[],
  candles: readonly Candle[],
  grid: AnalyzerGrid,
  now: number,
  pollIntervalSec: number,
): AnalyzerResult {
  const name = 'hidden_risk';
  const pts = logPrices(prices);
  const windowStart = now - RISK_WINDOW_MS;
  const { sumR2, sumDt, nR, intervals } = logReturns(pts, windowStart, now);
  const outer = outerLevels(grid);
  const { lowest, highest, lnL, lnU } = outer;
  if (lowest === null && highest === null) {
    return insufficient(name, 'no outer grid levels (grid not placed)', { returns: nR });
  }
  if (nR < MIN_RETURNS) {
    const more = MIN_RETURNS - nR;
    return insufficient(name, `need ${plural(more, 'more price sample')} to estimate volatility (have ${nR} returns)`, {
      returns: nR,
      needed: more,
    });
  }
  if (intervals.length === 0) {
    return insufficient(name, 'no price samples in the last hour', { returns: nR });
  }
  const sig2 = sumR2 / sumDt; // variance of log price per ms (zero-drift estimator)
  const fromSamples = bridgeExceedance(intervals, sig2, lnL, lnU);
  const { sig2c, candleBreaches, closedCandles } = candleEvidence(candles, now, windowStart, outer);
  const fromCandles = sig2c === null ? null : bridgeExceedance(intervals, sig2c, lnL, lnU);

  const modelProb = Math.max(fromSamples.hidden, fromCandles ? fromCandles.hidden : 0);
  const observed = fromSamples.observed > 0 || candleBreaches > 0;
  const exceedProb = observed ? 1 : modelProb;
  const last = pts[pts.length - 1]!;
  const nextPoll = nextPollExceedProb(last.lp, Math.max(sig2, sig2c ?? 0), pollIntervalSec, outer);

  const volH = Math.sqrt(sig2 * HOUR_MS);
  const volHc = sig2c === null ? null : Math.sqrt(sig2c * HOUR_MS);
  const volRatio = volHc === null || !(volH > 0) ? null : volHc / volH;
  return {
    name,
    ...riskVerdict(exceedProb),
    confidence: Math.min(1, nR / 120),
    summary: riskSummary(fromSamples, fromCandles, candleBreaches, volH, volHc),
    detail: {
      exceedProb,
      exceedProbSamples: fromSamples.hidden,
      exceedProbCandles: fromCandles ? fromCandles.hidden : null,
      meanIntervalProbSamples: fromSamples.meanPerInterval,
      observedBreaches: fromSamples.observed,
      candleBreaches,
      intervals: intervals.length,
      returns: nR,
      candles: closedCandles,
      hourlyVolSamples: volH,
      hourlyVolCandles: volHc,
      volRatioCandlesToSamples: volRatio,
      volMismatch: volRatio === null ? null : volRatio > 1.5 || volRatio < 1 / 1.5,
      nextPollExceedProb: nextPoll,
      lowestBuy: lowest,
      highestSell: highest,
      distanceToLowestPct: lowest === null ? null : (Math.exp(last.lp) / lowest - 1) * 100,
      distanceToHighestPct: highest === null ? null : (highest / Math.exp(last.lp) - 1) * 100,
    },
  };
}
