// The five statistical analyzers (SPEC §6, seed "5 Statistical Analyzers")
// and the overall health verdict. Read-only, pure, never throw: each analyzer
// is fenced, and every number that reaches a verdict, summary or detail is
// checked for finiteness first.
//
// 1. profitability   one-sample t-test on round-trip net profits, exact t
//                    p-value and 95 % CI, round trips still needed.
// 2. fill_asymmetry  exact two-sided binomial test of buys vs sells in a
//                    sliding window, Wilson 95 % CI of the buy share.
// 3. hidden_risk     Brownian-bridge probability that price went beyond the
//                    outermost grid level between two samples, volatility
//                    from the samples and, as a cross-check, from OHLC ranges.
// 4. fill_rate       Poisson fill rate against a persisted 48 h baseline:
//                    Garwood CIs, exact conditional test of the two counts.
// 5. random_walk     chi-squared goodness of fit of fills per distance k
//                    against P(k) ∝ 1/k, bins merged to expected ≥ 5.

import type { Candle, FillRecord, PricePoint } from '../core/types.js';
import {
  binomialTwoSidedP,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  poissonExactCi,
  studentTCdf,
  studentTQuantile,
} from './distributions.js';

// ---------------------------------------------------------------------------
// Public types

export type AnalyzerColor = 'green' | 'yellow' | 'red' | 'gray';

export interface AnalyzerResult {
  name: string;
  verdict: string;
  color: AnalyzerColor;
  /** 0..1: 1 − p for the tests; data sufficiency for the hidden-risk model; 0 when insufficient. */
  confidence: number;
  /** One line. */
  summary: string;
  detail: Record<string, number | string | boolean | null>;
}

/** Plain JSON, persisted by the bot so the 48 h baseline survives restarts. */
export interface PoissonBaseline {
  startedAt: number;
  windowMs: number;
  fillCount: number;
  complete: boolean;
  /**
   * Time of the newest fill already counted (optional; older saved baselines
   * lack it). Lets updateBaseline keep counting new fills after old ones have
   * dropped out of the bounded fill list.
   */
  lastFillTime?: number | null;
}

export interface AnalyzerGrid {
  center: number;
  spacingPct: number;
  lowestBuy: number | null;
  highestSell: number | null;
  levelsPerSide: number;
}

export interface AnalyzerInput {
  now: number;
  /** Newest last, up to 10,000. */
  fills: readonly FillRecord[];
  /** Net USD profit of each completed round trip. */
  roundTripProfits: readonly number[];
  /** Last 24 h of samples, oldest first, typically every 30 s. */
  prices: readonly PricePoint[];
  /** Recent 5-minute OHLC (may be empty). */
  candles: readonly Candle[];
  grid: AnalyzerGrid;
  pollIntervalSec: number;
  baseline: PoissonBaseline;
  /** Default 12 h. */
  asymmetryWindowMs?: number;
}

export type HealthVerdict = 'calibrating' | 'favorable' | 'profitable' | 'neutral' | 'exposed' | 'unfavorable' | 'dangerous';

export interface StatsReport {
  generatedAt: number;
  health: { verdict: HealthVerdict; color: string; summary: string };
  /** Exactly 5, in the order of ANALYZER_NAMES. */
  analyzers: AnalyzerResult[];
}

// ---------------------------------------------------------------------------
// Settings

export const ANALYZER_NAMES = ['profitability', 'fill_asymmetry', 'hidden_risk', 'fill_rate', 'random_walk'] as const;

const HOUR_MS = 3_600_000;
export const DEFAULT_BASELINE_MS = 48 * HOUR_MS;
export const DEFAULT_ASYMMETRY_WINDOW_MS = 12 * HOUR_MS;
/** Significance level of every test. */
export const ALPHA = 0.05;
/** Fewest round trips for the t-test. */
export const MIN_ROUND_TRIPS = 5;
/** Fewest fills in the asymmetry window: below 6 the exact test cannot reach p < 0.05 at all. */
export const MIN_ASYMMETRY_FILLS = 6;
/** Length of the "current" window compared with the baseline. */
export const RATE_WINDOW_MS = 6 * HOUR_MS;
/** The current window must cover at least this much time after the baseline. */
export const MIN_RATE_WINDOW_MS = HOUR_MS;
/** Horizon of the hidden-risk probability. */
export const RISK_WINDOW_MS = HOUR_MS;
export const HIGH_RISK = 0.1;
export const ELEVATED_RISK = 0.05;
/** Fewest price returns for the volatility estimate. */
export const MIN_RETURNS = 20;
/** Fewest fills for the random-walk test (besides the expected ≥ 5 rule). */
export const MIN_RANDOM_WALK_FILLS = 20;
const MAX_FILL_LIST = 10_000;
/** A persisted baseline claiming more fills than this is corrupt (58 fills/s for 48 h). */
const MAX_BASELINE_FILLS = 10_000_000;
const Z975 = 1.959963984540054;

// ---------------------------------------------------------------------------
// Small helpers

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function fmt(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return 'n/a';
  const ax = Math.abs(x);
  if (ax !== 0 && (ax >= 1e9 || ax < 10 ** -digits / 10)) return x.toExponential(Math.max(1, digits - 1));
  return x.toFixed(digits);
}

function fmtP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p >= 0.001) return Number(p.toPrecision(2)).toString();
  if (p === 0) return '0';
  return p.toExponential(1);
}

function fmtUsd(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const ax = Math.abs(x);
  const s = ax >= 1e9 ? ax.toExponential(2) : ax >= 1 ? ax.toFixed(2) : ax.toFixed(4);
  return (x < 0 ? '-$' : '$') + s;
}

function fmtPct(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  const v = x * 100;
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return (v < 0 ? '-' : '') + '<' + (10 ** -digits).toFixed(digits) + '%';
  return v.toFixed(digits) + '%';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function insufficient(name: string, need: string, detail: AnalyzerResult['detail'] = {}): AnalyzerResult {
  return {
    name,
    verdict: 'insufficient data',
    color: 'gray',
    confidence: 0,
    summary: `Insufficient data: ${need}`,
    detail: { ...detail, insufficient: true, need },
  };
}

function fillTime(f: unknown): number {
  if (f === null || typeof f !== 'object') return NaN;
  const t = (f as { time?: unknown }).time;
  return isNum(t) ? t : NaN;
}

// ---------------------------------------------------------------------------
// 1. Profitability: one-sample t-test

/**
 * Smallest total number of round trips m at which the 95 % CI would exclude
 * zero if mean and sd stayed as observed: t(0.975, m−1)·sd/√m < |mean|.
 * Returns additional trips needed, or null when it cannot be estimated.
 */
export function roundTripsToSignificance(n: number, mean: number, sd: number): number | null {
  if (!(sd > 0) || !isNum(mean) || mean === 0 || !isNum(sd)) return null;
  const r = sd / Math.abs(mean);
  if (!isNum(r) || (Z975 * r) ** 2 > 1e12) return null;
  const need = (m: number): number => {
    const t = studentTQuantile(1 - ALPHA / 2, m - 1);
    return (t * r) ** 2; // feasible when need(m) < m
  };
  const ok = (m: number): boolean => m >= 2 && need(m) < m;
  const start = Math.max(2, Math.floor(n));
  if (ok(start)) return 0;
  // need(m) > (z·r)² because t > z, so lo (below (z·r)²) is infeasible. need() is
  // decreasing in m, so one step to ⌈need(lo)⌉ + 1 is feasible; then bisect.
  let lo = Math.max(start, Math.ceil((Z975 * r) ** 2) - 1);
  let hi = lo;
  for (let i = 0; i < 100 && !ok(hi); i++) {
    const nx = Math.max(hi + 1, Math.ceil(need(hi)) + 1);
    lo = hi;
    hi = nx;
  }
  if (!ok(hi)) return null;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return Math.max(0, hi - Math.floor(n));
}

export function analyzeProfitability(profits: readonly number[]): AnalyzerResult {
  const name = 'profitability';
  const xs: number[] = [];
  if (Array.isArray(profits)) for (const p of profits) if (isNum(p) && Math.abs(p) <= 1e15) xs.push(p);
  const n = xs.length;
  if (n < MIN_ROUND_TRIPS) {
    const more = MIN_ROUND_TRIPS - n;
    return insufficient(name, `need ${plural(more, 'more round trip')} (have ${n}, test needs ${MIN_ROUND_TRIPS})`, {
      n,
      needed: more,
    });
  }
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const df = n - 1;
  const sd = Math.sqrt(ss / df);
  const se = sd / Math.sqrt(n);
  let t: number | null;
  let p: number;
  let ciLow: number;
  let ciHigh: number;
  let tCrit: number = studentTQuantile(1 - ALPHA / 2, df);
  if (!(se > Math.abs(mean) * 1e-14) || !isNum(se)) {
    // all round trips (numerically) identical
    t = null;
    p = mean === 0 ? 1 : 0;
    ciLow = mean;
    ciHigh = mean;
  } else {
    t = mean / se;
    p = Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
    ciLow = mean - tCrit * se;
    ciHigh = mean + tCrit * se;
  }
  if (!isNum(tCrit)) tCrit = NaN;
  const significant = p < ALPHA;
  const trips = significant ? 0 : roundTripsToSignificance(n, mean, sd);
  let verdict: string;
  let color: AnalyzerColor;
  if (significant && mean > 0) {
    verdict = 'significant profit';
    color = 'green';
  } else if (significant && mean < 0) {
    verdict = 'significant loss';
    color = 'red';
  } else {
    verdict = 'not significant';
    color = 'yellow';
  }
  const half = (ciHigh - ciLow) / 2;
  let summary =
    `Edge ${fmtUsd(mean)} ± ${fmtUsd(half)} per round trip (95% CI [${fmtUsd(ciLow)}, ${fmtUsd(ciHigh)}], ` +
    `p=${fmtP(p)}, n=${n})`;
  if (significant) summary += mean > 0 ? ': edge proven' : ': losing money';
  else if (trips !== null) summary += `: need ~${trips} more round trips`;
  else summary += ': mean is zero, no edge to prove';
  return {
    name,
    verdict,
    color,
    confidence: 1 - p,
    summary,
    detail: {
      n,
      total: sum,
      mean,
      sd,
      se,
      t,
      df,
      pValue: p,
      tCritical: tCrit,
      ciLow,
      ciHigh,
      tripsNeeded: trips,
    },
  };
}

// ---------------------------------------------------------------------------
// 2. Fill asymmetry: exact binomial test + Wilson interval

export function wilsonInterval(successes: number, n: number, confidence = 0.95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const ph = successes / n;
  const z2n = (z * z) / n;
  const centre = (ph + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((ph * (1 - ph)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export function analyzeAsymmetry(fills: readonly FillRecord[], now: number, windowMs: number = DEFAULT_ASYMMETRY_WINDOW_MS): AnalyzerResult {
  const name = 'fill_asymmetry';
  const w = isNum(windowMs) && windowMs > 0 ? windowMs : DEFAULT_ASYMMETRY_WINDOW_MS;
  const start = now - w;
  let buys = 0;
  let sells = 0;
  for (const f of fills) {
    const t = fillTime(f);
    if (!(t >= start)) continue;
    const side = (f as { side?: unknown }).side;
    if (side === 'buy') buys++;
    else if (side === 'sell') sells++;
  }
  const n = buys + sells;
  const hours = w / HOUR_MS;
  const base = { buys, sells, n, windowHours: hours };
  if (n < MIN_ASYMMETRY_FILLS) {
    const more = MIN_ASYMMETRY_FILLS - n;
    return insufficient(name, `need ${plural(more, 'more fill')} in the ${fmt(hours, 0)} h window (have ${n})`, {
      ...base,
      needed: more,
    });
  }
  const p = binomialTwoSidedP(buys, n, 0.5);
  const [lo, hi] = wilsonInterval(buys, n);
  const share = buys / n;
  let verdict: string;
  let color: AnalyzerColor;
  let tail: string;
  if (p < ALPHA && buys > sells) {
    verdict = 'downtrend';
    color = 'yellow';
    tail = 'buys dominate: price falling, inventory piling up';
  } else if (p < ALPHA) {
    verdict = 'uptrend';
    color = 'yellow';
    tail = 'sells dominate: price rising, inventory running out';
  } else {
    verdict = 'balanced';
    color = 'green';
    tail = 'no significant trend';
  }
  return {
    name,
    verdict,
    color,
    confidence: 1 - p,
    summary:
      `${buys} buys / ${sells} sells in ${fmt(hours, 0)} h: buy share ${fmtPct(share, 0)} ` +
      `(95% CI ${fmtPct(lo, 0)}–${fmtPct(hi, 0)}), p=${fmtP(p)}: ${tail}`,
    detail: { ...base, buyShare: share, ciLow: lo, ciHigh: hi, pValue: p },
  };
}

// ---------------------------------------------------------------------------
// 3. Hidden risk: Brownian-bridge exceedance between samples

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

export function analyzeHiddenRisk(
  prices: readonly PricePoint[],
  candles: readonly Candle[],
  grid: AnalyzerGrid,
  now: number,
  pollIntervalSec: number,
): AnalyzerResult {
  const name = 'hidden_risk';
  // clean, time-ordered samples
  const pts: { t: number; lp: number }[] = [];
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
  let sumR2 = 0;
  let sumDt = 0;
  let nR = 0;
  const windowStart = now - RISK_WINDOW_MS;
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
  const lowest = grid && isNum(grid.lowestBuy) && grid.lowestBuy > 0 ? grid.lowestBuy : null;
  const highest = grid && isNum(grid.highestSell) && grid.highestSell > 0 ? grid.highestSell : null;
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
  const lnL = lowest === null ? null : Math.log(lowest);
  const lnU = highest === null ? null : Math.log(highest);
  const sig2 = sumR2 / sumDt; // variance of log price per ms (zero-drift estimator)
  const fromSamples = bridgeExceedance(intervals, sig2, lnL, lnU);

  // Cross-check: Parkinson volatility from candle high/low ranges, and direct
  // evidence of breaches inside candles.
  const cs: Candle[] = [];
  if (Array.isArray(candles)) {
    for (const c of candles) {
      if (c === null || typeof c !== 'object') continue;
      if (!isNum(c.time) || !isNum(c.high) || !isNum(c.low) || !(c.low > 0) || !(c.high >= c.low)) continue;
      cs.push(c);
    }
  }
  cs.sort((u, v) => u.time - v.time);
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
  const fromCandles = sig2c === null ? null : bridgeExceedance(intervals, sig2c, lnL, lnU);

  const modelProb = Math.max(fromSamples.hidden, fromCandles ? fromCandles.hidden : 0);
  const observed = fromSamples.observed > 0 || candleBreaches > 0;
  const exceedProb = observed ? 1 : modelProb;

  // Forward look: chance the next poll interval crosses an outer level
  // (reflection principle from the latest price).
  const last = pts[pts.length - 1]!;
  const pollMs = (isNum(pollIntervalSec) && pollIntervalSec > 0 ? pollIntervalSec : 30) * 1000;
  const sigPoll = Math.sqrt(Math.max(sig2, sig2c ?? 0) * pollMs);
  let nextPoll = 0;
  if (sigPoll > 0) {
    if (lnL !== null) nextPoll += last.lp <= lnL ? 1 : 2 * normalCdf(-(last.lp - lnL) / sigPoll);
    if (lnU !== null) nextPoll += last.lp >= lnU ? 1 : 2 * normalCdf(-(lnU - last.lp) / sigPoll);
  }
  nextPoll = Math.min(1, nextPoll);

  const volH = Math.sqrt(sig2 * HOUR_MS);
  const volHc = sig2c === null ? null : Math.sqrt(sig2c * HOUR_MS);
  const volRatio = volHc === null || !(volH > 0) ? null : volHc / volH;
  let verdict: string;
  let color: AnalyzerColor;
  if (exceedProb > HIGH_RISK) {
    verdict = 'high risk';
    color = 'red';
  } else if (exceedProb > ELEVATED_RISK) {
    verdict = 'elevated risk';
    color = 'yellow';
  } else {
    verdict = 'low risk';
    color = 'green';
  }
  let summary: string;
  if (observed) {
    const what =
      fromSamples.observed > 0
        ? `price was sampled beyond the outermost level in ${plural(fromSamples.observed, 'interval')}`
        : `candle highs/lows went beyond the outermost level in ${plural(candleBreaches, 'candle')}`;
    summary = `Grid exceeded in the last hour: ${what}`;
  } else {
    summary =
      `Hidden risk: ${fmtPct(fromSamples.hidden)} chance price went beyond the grid between samples in the last hour` +
      (fromCandles ? ` (${fmtPct(fromCandles.hidden)} with candle-range volatility)` : ' (no candles to cross-check)');
  }
  summary += `; hourly vol ${fmtPct(volH, 2)}${volHc === null ? '' : ` samples / ${fmtPct(volHc, 2)} candles`}`;
  return {
    name,
    verdict,
    color,
    confidence: Math.min(1, nR / 120),
    summary,
    detail: {
      exceedProb,
      exceedProbSamples: fromSamples.hidden,
      exceedProbCandles: fromCandles ? fromCandles.hidden : null,
      meanIntervalProbSamples: fromSamples.meanPerInterval,
      observedBreaches: fromSamples.observed,
      candleBreaches,
      intervals: intervals.length,
      returns: nR,
      candles: closed.length,
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

// ---------------------------------------------------------------------------
// 4. Fill rate regime: Poisson baseline

export function newBaseline(startedAt: number, windowMs: number = DEFAULT_BASELINE_MS): PoissonBaseline {
  return {
    startedAt: isNum(startedAt) ? startedAt : 0,
    windowMs: isNum(windowMs) && windowMs > 0 ? windowMs : DEFAULT_BASELINE_MS,
    fillCount: 0,
    complete: false,
    lastFillTime: null,
  };
}

/**
 * Count the fills that fall in [startedAt, startedAt + windowMs). Pure: returns
 * a new baseline. Safe to call repeatedly with overlapping lists: the count is
 * the larger of (a) the fills in the window visible now and (b) the previous
 * count plus the visible fills newer than the newest fill counted before, so
 * fills that already dropped out of the bounded list are never lost and none
 * is counted twice. Monotone non-decreasing.
 */
export function updateBaseline(b: PoissonBaseline, fills: readonly FillRecord[], now: number): PoissonBaseline {
  const base = b && typeof b === 'object' ? b : newBaseline(isNum(now) ? now : 0);
  const startedAt = isNum(base.startedAt) ? base.startedAt : 0;
  const windowMs = isNum(base.windowMs) && base.windowMs > 0 ? base.windowMs : DEFAULT_BASELINE_MS;
  const prev = isNum(base.fillCount) && base.fillCount >= 0 ? Math.floor(base.fillCount) : 0;
  const prevLast = isNum(base.lastFillTime) ? base.lastFillTime : null;
  const end = startedAt + windowMs;
  let visible = 0;
  let newer = 0;
  let newest = prevLast;
  if (Array.isArray(fills)) {
    for (const f of fills) {
      const t = fillTime(f);
      if (!(t >= startedAt && t < end)) continue;
      visible++;
      if (prevLast === null || t > prevLast) newer++;
      if (newest === null || t > newest) newest = t;
    }
  }
  // Without a recorded lastFillTime on a non-empty legacy baseline we cannot
  // tell which visible fills were already counted: fall back to the maximum.
  const incremental = prevLast !== null || prev === 0 ? prev + newer : prev;
  return {
    startedAt,
    windowMs,
    fillCount: Math.max(prev, visible, incremental),
    complete: base.complete === true || (isNum(now) && now >= end),
    lastFillTime: newest,
  };
}

export function analyzeFillRate(fills: readonly FillRecord[], now: number, baseline: PoissonBaseline): AnalyzerResult {
  const name = 'fill_rate';
  if (!baseline || typeof baseline !== 'object' || !isNum(baseline.startedAt) || !isNum(baseline.windowMs) || !(baseline.windowMs > 0)) {
    return insufficient(name, 'no fill-rate baseline yet');
  }
  const c0 = isNum(baseline.fillCount) && baseline.fillCount >= 0 ? Math.floor(baseline.fillCount) : 0;
  if (c0 > MAX_BASELINE_FILLS) return insufficient(name, 'baseline fill count is implausible; reset the baseline', { baselineFills: c0 });
  const T0 = baseline.windowMs;
  const end = baseline.startedAt + T0;
  const T0h = T0 / HOUR_MS;
  if (!(baseline.complete === true || now >= end)) {
    const left = Math.max(0, end - now) / HOUR_MS;
    const elapsed = Math.max(0, now - baseline.startedAt) / HOUR_MS;
    return insufficient(
      name,
      `baseline calibrating: ${fmt(left, 1)} h of ${fmt(T0h, 0)} h left (${plural(c0, 'fill')} so far)`,
      { baselineFills: c0, baselineHoursElapsed: elapsed, baselineHoursLeft: left },
    );
  }
  let start = Math.max(now - RATE_WINDOW_MS, end);
  // If the bounded fill list no longer reaches back to the window start, only
  // the part it covers can be counted.
  if (fills.length >= MAX_FILL_LIST) {
    const oldest = fillTime(fills[0]);
    if (oldest > start) start = oldest;
  }
  const T1 = now - start;
  if (!(T1 >= MIN_RATE_WINDOW_MS)) {
    const moreMin = Math.ceil((MIN_RATE_WINDOW_MS - Math.max(0, T1)) / 60_000);
    return insufficient(name, `baseline done (${fmt(c0 / T0h, 2)}/h); need ${moreMin} more minutes of new fills to compare`, {
      baselineFills: c0,
      baselineRate: c0 / T0h,
      needed: moreMin,
    });
  }
  let c1 = 0;
  for (const f of fills) {
    const t = fillTime(f);
    if (t >= start && t <= now) c1++;
  }
  const T1h = T1 / HOUR_MS;
  const rate0 = c0 / T0h;
  const rate1 = c1 / T1h;
  const [l0, h0] = poissonExactCi(c0, 0.95);
  const [l1, h1] = poissonExactCi(c1, 0.95);
  // Conditional exact test: given c0 + c1, c1 ~ Bin(c0 + c1, T1/(T0+T1)) under equal rates.
  const nTot = c0 + c1;
  const p = nTot === 0 ? 1 : binomialTwoSidedP(c1, nTot, T1 / (T0 + T1));
  const ratio = rate0 > 0 ? rate1 / rate0 : null;
  let verdict: string;
  let color: AnalyzerColor;
  if (p < ALPHA && rate1 > rate0) {
    verdict = 'high volatility';
    color = 'red';
  } else if (p < ALPHA) {
    verdict = 'low volatility';
    color = 'yellow';
  } else {
    verdict = 'normal';
    color = 'green';
  }
  // Random-walk scaling: fill rate ∝ 1/spacing², so spacing × √(rate/baseline)
  // restores the baseline rate.
  const spacingFactor = ratio !== null && ratio > 0 ? Math.sqrt(ratio) : null;
  const label = verdict === 'high volatility' ? 'HIGH VOL' : verdict === 'low volatility' ? 'LOW VOL' : 'NORMAL';
  let summary =
    `Regime ${label}: ${fmt(rate1, 2)}/h [${fmt(l1 / T1h, 2)}, ${fmt(h1 / T1h, 2)}] over ${fmt(T1h, 1)} h ` +
    `vs baseline ${fmt(rate0, 2)}/h [${fmt(l0 / T0h, 2)}, ${fmt(h0 / T0h, 2)}], p=${fmtP(p)}`;
  if (p < ALPHA && spacingFactor !== null) summary += `; spacing ×${fmt(spacingFactor, 2)} would restore the baseline rate`;
  return {
    name,
    verdict,
    color,
    confidence: 1 - p,
    summary,
    detail: {
      baselineFills: c0,
      baselineHours: T0h,
      baselineRate: rate0,
      baselineCiLow: l0 / T0h,
      baselineCiHigh: h0 / T0h,
      windowFills: c1,
      windowHours: T1h,
      rate: rate1,
      rateCiLow: l1 / T1h,
      rateCiHigh: h1 / T1h,
      rateRatio: ratio,
      pValue: p,
      spacingFactor,
    },
  };
}

// ---------------------------------------------------------------------------
// 5. Random-walk fit: chi-squared GOF against P(k) ∝ 1/k

interface Bin {
  from: number;
  to: number;
  observed: number;
  expected: number;
}

function mergeBins(counts: readonly number[], probs: readonly number[], n: number): Bin[] {
  const bins: Bin[] = [];
  let cur: Bin | null = null;
  for (let k = 1; k < probs.length; k++) {
    if (cur === null) cur = { from: k, to: k, observed: 0, expected: 0 };
    cur.to = k;
    cur.observed += counts[k]!;
    cur.expected += n * probs[k]!;
    if (cur.expected >= 5) {
      bins.push(cur);
      cur = null;
    }
  }
  if (cur !== null) {
    const last = bins[bins.length - 1];
    if (last) {
      last.to = cur.to;
      last.observed += cur.observed;
      last.expected += cur.expected;
    } else bins.push(cur);
  }
  return bins;
}

export function analyzeRandomWalk(fills: readonly FillRecord[], grid: AnalyzerGrid): AnalyzerResult {
  const name = 'random_walk';
  let maxSeen = 0;
  const levels: number[] = [];
  for (const f of fills) {
    if (f === null || typeof f !== 'object') continue;
    const lv = (f as { level?: unknown }).level;
    if (!isNum(lv) || !Number.isInteger(lv) || lv === 0) continue;
    const k = Math.abs(lv);
    levels.push(k);
    if (k > maxSeen) maxSeen = k;
  }
  let K = grid && isNum(grid.levelsPerSide) && grid.levelsPerSide >= 1 ? Math.floor(grid.levelsPerSide) : maxSeen;
  if (K > 1000) K = 1000;
  if (K < 2) return insufficient(name, 'need a grid with at least 2 levels per side', { levelsPerSide: K });
  const counts = new Array<number>(K + 1).fill(0);
  let excluded = 0;
  for (const k of levels) {
    if (k <= K) counts[k]!++;
    else excluded++;
  }
  let H = 0;
  for (let k = 1; k <= K; k++) H += 1 / k;
  const probs = new Array<number>(K + 1).fill(0);
  for (let k = 1; k <= K; k++) probs[k] = 1 / k / H;
  const N = levels.length - excluded;
  let bins = mergeBins(counts, probs, N);
  if (bins.length < 2 || N < MIN_RANDOM_WALK_FILLS) {
    let need = Math.max(N + 1, MIN_RANDOM_WALK_FILLS);
    while (need < 1e7 && mergeBins(counts, probs, need).length < 2) need++;
    const more = need - N;
    return insufficient(name, `need ${plural(more, 'more fill')} at levels 1..${K} (have ${N})`, {
      fills: N,
      excluded,
      levelsPerSide: K,
      needed: more,
    });
  }
  let chi2 = 0;
  for (const b of bins) chi2 += ((b.observed - b.expected) * (b.observed - b.expected)) / b.expected;
  const df = bins.length - 1;
  const p = chiSquareSf(chi2, df);
  let meanObs = 0;
  for (let k = 1; k <= K; k++) meanObs += k * counts[k]!;
  meanObs /= N;
  const meanExp = K / H;
  const first = bins[0]!;
  let verdict: string;
  let color: AnalyzerColor;
  let tail: string;
  if (p < ALPHA && meanObs < meanExp) {
    verdict = 'mean reverting';
    color = 'green';
    tail = 'more inner-level fills than a random walk: the grid has an edge';
  } else if (p < ALPHA) {
    verdict = 'momentum';
    color = 'red';
    tail = 'more outer-level fills than a random walk: price trends through the grid';
  } else {
    verdict = 'random walk';
    color = 'yellow';
    tail = 'consistent with a random walk: zero edge after fees';
  }
  bins = bins.slice(0, 64);
  return {
    name,
    verdict,
    color,
    confidence: 1 - p,
    summary:
      `Market type ${verdict.toUpperCase()} (χ²=${fmt(chi2, 1)}, df=${df}, p=${fmtP(p)}; ` +
      `mean distance ${fmt(meanObs, 2)} vs ${fmt(meanExp, 2)} for a random walk, n=${N}): ${tail}`,
    detail: {
      fills: N,
      excluded,
      levelsPerSide: K,
      bins: bins.length,
      binEdges: bins.map((b) => (b.from === b.to ? `${b.from}` : `${b.from}-${b.to}`)).join(','),
      observed: bins.map((b) => b.observed).join(','),
      expected: bins.map((b) => b.expected.toFixed(1)).join(','),
      chi2,
      df,
      pValue: p,
      meanDistance: meanObs,
      expectedMeanDistance: meanExp,
      innerObserved: first.observed,
      innerExpected: first.expected,
    },
  };
}

// ---------------------------------------------------------------------------
// Health verdict and the whole report

const LABELS: Record<string, string> = {
  profitability: 'profit',
  fill_asymmetry: 'fills',
  hidden_risk: 'hidden risk',
  fill_rate: 'fill rate',
  random_walk: 'market',
};

const HEALTH_COLORS: Record<HealthVerdict, string> = {
  dangerous: 'red',
  unfavorable: 'red',
  exposed: 'yellow',
  favorable: 'green',
  profitable: 'green',
  calibrating: 'gray',
  neutral: 'gray',
};

/**
 * Precedence, most severe first: dangerous (high fill-rate volatility and a
 * significant fill asymmetry) > unfavorable (momentum, or a proven loss) >
 * exposed (grid exceeded often: hidden risk > 10 %) > favorable (mean
 * reverting) > profitable (significant profit) > calibrating (every analyzer
 * lacks data) > neutral.
 */
export function healthVerdict(results: readonly AnalyzerResult[]): StatsReport['health'] {
  const by = (n: string): AnalyzerResult | undefined => results.find((r) => r.name === n);
  const v = (n: string): string => by(n)?.verdict ?? 'insufficient data';
  const trend = v('fill_asymmetry') === 'uptrend' || v('fill_asymmetry') === 'downtrend';
  const highVol = v('fill_rate') === 'high volatility';
  let verdict: HealthVerdict;
  let summary: string;
  if (highVol && trend) {
    verdict = 'dangerous';
    summary = `High volatility with a one-sided ${v('fill_asymmetry')}: widen spacing or pause`;
  } else if (v('random_walk') === 'momentum') {
    verdict = 'unfavorable';
    summary = 'Momentum: price trends through the grid, grid trading has no edge here';
  } else if (v('profitability') === 'significant loss') {
    verdict = 'unfavorable';
    summary = 'Round trips lose money with statistical significance';
  } else if (v('hidden_risk') === 'high risk') {
    verdict = 'exposed';
    summary = 'Price often goes beyond the outermost grid level: add buffer levels or poll faster';
  } else if (v('random_walk') === 'mean reverting') {
    verdict = 'favorable';
    summary = 'Mean reverting market: the grid has a statistical edge';
  } else if (v('profitability') === 'significant profit') {
    verdict = 'profitable';
    summary = 'Profit per round trip is significantly positive';
  } else if (results.every((r) => r.verdict === 'insufficient data')) {
    verdict = 'calibrating';
    summary = 'Collecting data: every analyzer still needs more observations';
  } else {
    verdict = 'neutral';
    summary = 'No significant signal';
  }
  // mention the other warning signs in passing
  const notes: string[] = [];
  for (const r of results) {
    if (r.color !== 'red' && r.color !== 'yellow') continue;
    if (r.verdict === 'not significant' || summary.toLowerCase().includes(r.verdict)) continue;
    notes.push(`${LABELS[r.name] ?? r.name}: ${r.verdict}`);
  }
  if (notes.length > 0 && verdict !== 'calibrating') summary += ` (${notes.join('; ')})`;
  return { verdict, color: HEALTH_COLORS[verdict], summary };
}

const COLORS = new Set<AnalyzerColor>(['green', 'yellow', 'red', 'gray']);

function oneLine(s: unknown, fallback: string): string {
  const str = typeof s === 'string' && s.length > 0 ? s : fallback;
  return str.replace(/[\r\n]+/g, ' ').replace(/\bNaN\b/g, 'n/a').replace(/-?Infinity\b/g, 'n/a');
}

function sanitize(r: AnalyzerResult, name: string): AnalyzerResult {
  const detail: AnalyzerResult['detail'] = {};
  if (r.detail && typeof r.detail === 'object') {
    for (const [k, v] of Object.entries(r.detail)) {
      if (typeof v === 'number') detail[k] = Number.isFinite(v) ? v + 0 : null; // + 0 turns −0 into 0
      else if (typeof v === 'string' || typeof v === 'boolean' || v === null) detail[k] = v;
      else detail[k] = null;
    }
  }
  const c = isNum(r.confidence) ? Math.min(1, Math.max(0, r.confidence)) + 0 : 0;
  return {
    name,
    verdict: oneLine(r.verdict, 'error'),
    color: COLORS.has(r.color) ? r.color : 'gray',
    confidence: c,
    summary: oneLine(r.summary, 'no summary'),
    detail,
  };
}

function fenced(name: string, fn: () => AnalyzerResult): AnalyzerResult {
  try {
    return sanitize(fn(), name);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return sanitize(
      { name, verdict: 'error', color: 'gray', confidence: 0, summary: `Analyzer failed: ${msg}`.slice(0, 200), detail: { error: true } },
      name,
    );
  }
}

function arr<T>(x: unknown): readonly T[] {
  return Array.isArray(x) ? (x as T[]) : [];
}

/** Run all five analyzers. Never throws; never NaN in verdicts, summaries or confidences. */
export function runAnalyzers(input: AnalyzerInput): StatsReport {
  try {
    const inp = (input && typeof input === 'object' ? input : {}) as Partial<AnalyzerInput>;
    const fills = arr<FillRecord>(inp.fills);
    const prices = arr<PricePoint>(inp.prices);
    let now = inp.now;
    if (!isNum(now)) {
      // fall back to the newest timestamp in the data
      let latest = 0;
      const f = fills.length > 0 ? fillTime(fills[fills.length - 1]) : NaN;
      if (isNum(f)) latest = Math.max(latest, f);
      const p = prices.length > 0 ? prices[prices.length - 1] : undefined;
      if (p && isNum(p.time)) latest = Math.max(latest, p.time);
      now = latest;
    }
    const t: number = now;
    const grid = (inp.grid && typeof inp.grid === 'object' ? inp.grid : {}) as AnalyzerGrid;
    const analyzers = [
      fenced('profitability', () => analyzeProfitability(arr<number>(inp.roundTripProfits))),
      fenced('fill_asymmetry', () => analyzeAsymmetry(fills, t, inp.asymmetryWindowMs ?? DEFAULT_ASYMMETRY_WINDOW_MS)),
      fenced('hidden_risk', () => analyzeHiddenRisk(prices, arr<Candle>(inp.candles), grid, t, inp.pollIntervalSec ?? 30)),
      fenced('fill_rate', () => analyzeFillRate(fills, t, inp.baseline as PoissonBaseline)),
      fenced('random_walk', () => analyzeRandomWalk(fills, grid)),
    ];
    let health: StatsReport['health'];
    try {
      health = healthVerdict(analyzers);
      health = { verdict: health.verdict, color: health.color, summary: oneLine(health.summary, 'n/a') };
    } catch {
      health = { verdict: 'neutral', color: 'gray', summary: 'health verdict unavailable' };
    }
    return { generatedAt: t, health, analyzers };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return {
      generatedAt: 0,
      health: { verdict: 'calibrating', color: 'gray', summary: 'statistics unavailable' },
      analyzers: ANALYZER_NAMES.map((name) =>
        sanitize({ name, verdict: 'error', color: 'gray', confidence: 0, summary: `Analyzer failed: ${msg}`.slice(0, 200), detail: {} }, name),
      ),
    };
  }
}

/** Compact text for the AI prompt: the health line, then one line per analyzer. */
export function statsPromptLines(report: StatsReport): string[] {
  try {
    const lines: string[] = [];
    if (report && report.health) {
      lines.push(`health: ${oneLine(report.health.verdict, 'n/a').toUpperCase()}: ${oneLine(report.health.summary, '')}`);
    }
    for (const r of arr<AnalyzerResult>(report?.analyzers)) {
      if (!r || typeof r !== 'object') continue;
      lines.push(`${oneLine(r.name, '?')}: ${oneLine(r.verdict, '?').toUpperCase()}: ${oneLine(r.summary, '')}`);
    }
    return lines;
  } catch {
    return ['statistics unavailable'];
  }
}
