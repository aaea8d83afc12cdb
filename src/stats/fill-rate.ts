// 4. Fill rate regime: Poisson fill rate against a persisted 48 h baseline:
//    Garwood CIs, exact conditional test of the two counts.

import { MAX_FILLS_KEPT } from '../core/grid-strategy.js';
import type { FillRecord } from '../core/types.js';
import { binomialTwoSidedP, poissonExactCi } from './distributions.js';
import {
  ALPHA,
  fillTime,
  fmt,
  fmtP,
  HOUR_MS,
  insufficient,
  isNum,
  plural,
  testResult,
  type AnalyzerResult,
  type PoissonBaseline,
  type Verdict,
} from './shared.js';

export const DEFAULT_BASELINE_MS = 48 * HOUR_MS;
/** Length of the "current" window compared with the baseline. */
export const RATE_WINDOW_MS = 6 * HOUR_MS;
/** The current window must cover at least this much time after the baseline. */
export const MIN_RATE_WINDOW_MS = HOUR_MS;
/** A persisted baseline claiming more fills than this is corrupt (58 fills/s for 48 h). */
const MAX_BASELINE_FILLS = 10_000_000;

const HIGH_VOL = { verdict: 'high volatility', color: 'red', label: 'HIGH VOL' } as const;
const LOW_VOL = { verdict: 'low volatility', color: 'yellow', label: 'LOW VOL' } as const;
const NORMAL = { verdict: 'normal', color: 'green', label: 'NORMAL' } as const;

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

/** A finished baseline: c0 fills over T0 ms, ending at `end`. */
interface FinishedBaseline {
  c0: number;
  T0: number;
  end: number;
}

/** The finished baseline, or the insufficient-data result explaining why there is none yet. */
function finishedBaseline(name: string, baseline: PoissonBaseline, now: number): FinishedBaseline | AnalyzerResult {
  if (!baseline || typeof baseline !== 'object' || !isNum(baseline.startedAt) || !isNum(baseline.windowMs) || !(baseline.windowMs > 0)) {
    return insufficient(name, 'no fill-rate baseline yet');
  }
  const c0 = isNum(baseline.fillCount) && baseline.fillCount >= 0 ? Math.floor(baseline.fillCount) : 0;
  if (c0 > MAX_BASELINE_FILLS) return insufficient(name, 'baseline fill count is implausible; reset the baseline', { baselineFills: c0 });
  const T0 = baseline.windowMs;
  const end = baseline.startedAt + T0;
  if (!(baseline.complete === true || now >= end)) {
    const left = Math.max(0, end - now) / HOUR_MS;
    const elapsed = Math.max(0, now - baseline.startedAt) / HOUR_MS;
    return insufficient(
      name,
      `baseline calibrating: ${fmt(left, 1)} h of ${fmt(T0 / HOUR_MS, 0)} h left (${plural(c0, 'fill')} so far)`,
      { baselineFills: c0, baselineHoursElapsed: elapsed, baselineHoursLeft: left },
    );
  }
  return { c0, T0, end };
}

/** Start of the current window: the last RATE_WINDOW_MS after the baseline, as far as the fill list reaches. */
function currentWindowStart(fills: readonly FillRecord[], now: number, baselineEnd: number): number {
  let start = Math.max(now - RATE_WINDOW_MS, baselineEnd);
  // If the bounded fill list no longer reaches back to the window start, only
  // the part it covers can be counted.
  if (fills.length >= MAX_FILLS_KEPT) {
    const oldest = fillTime(fills[0]);
    if (oldest > start) start = oldest;
  }
  return start;
}

function countFills(fills: readonly FillRecord[], start: number, now: number): number {
  let c1 = 0;
  for (const f of fills) {
    const t = fillTime(f);
    if (t >= start && t <= now) c1++;
  }
  return c1;
}

export function analyzeFillRate(fills: readonly FillRecord[], now: number, baseline: PoissonBaseline): AnalyzerResult {
  const name = 'fill_rate';
  const b = finishedBaseline(name, baseline, now);
  if ('name' in b) return b;
  const { c0, T0 } = b;
  const T0h = T0 / HOUR_MS;
  const start = currentWindowStart(fills, now, b.end);
  const T1 = now - start;
  if (!(T1 >= MIN_RATE_WINDOW_MS)) {
    const moreMin = Math.ceil((MIN_RATE_WINDOW_MS - Math.max(0, T1)) / 60_000);
    return insufficient(name, `baseline done (${fmt(c0 / T0h, 2)}/h); need ${moreMin} more minutes of new fills to compare`, {
      baselineFills: c0,
      baselineRate: c0 / T0h,
      needed: moreMin,
    });
  }
  const c1 = countFills(fills, start, now);
  const T1h = T1 / HOUR_MS;
  const rate0 = c0 / T0h;
  const rate1 = c1 / T1h;
  const [l0, h0] = poissonExactCi(c0, 0.95);
  const [l1, h1] = poissonExactCi(c1, 0.95);
  // Conditional exact test: given c0 + c1, c1 ~ Bin(c0 + c1, T1/(T0+T1)) under equal rates.
  const nTot = c0 + c1;
  const p = nTot === 0 ? 1 : binomialTwoSidedP(c1, nTot, T1 / (T0 + T1));
  const ratio = rate0 > 0 ? rate1 / rate0 : null;
  const v: Verdict & { label: string } = p < ALPHA ? (rate1 > rate0 ? HIGH_VOL : LOW_VOL) : NORMAL;
  // Random-walk scaling: fill rate ∝ 1/spacing², so spacing × √(rate/baseline)
  // restores the baseline rate.
  const spacingFactor = ratio !== null && ratio > 0 ? Math.sqrt(ratio) : null;
  let summary =
    `Regime ${v.label}: ${fmt(rate1, 2)}/h [${fmt(l1 / T1h, 2)}, ${fmt(h1 / T1h, 2)}] over ${fmt(T1h, 1)} h ` +
    `vs baseline ${fmt(rate0, 2)}/h [${fmt(l0 / T0h, 2)}, ${fmt(h0 / T0h, 2)}], p=${fmtP(p)}`;
  if (p < ALPHA && spacingFactor !== null) summary += `; spacing ×${fmt(spacingFactor, 2)} would restore the baseline rate`;
  return testResult(name, v, p, summary, {
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
  });
}
