// 1. Profitability: one-sample t-test of the daily change in equity (mark to
//    market, fees included) against zero, exact t p-value and 95 % CI, days
//    still needed. Not round-trip profits: a round trip's profit is fixed by
//    construction (spacing minus fees), so a test on them could only come out
//    positive, whatever the DOGE held lost meanwhile.

import { studentTCdf, studentTQuantile } from './distributions.js';
import { ALPHA, fmtP, fmtUsdFine, insufficient, isNum, plural, testResult, type AnalyzerResult, type Verdict } from './shared.js';

/** Fewest daily equity changes for the t-test (a week). */
export const MIN_DAYS = 7;
const Z975 = 1.959963984540054;

/** Day-close equities (oldest first) → the change over each day. */
export function dailyChanges(closes: readonly number[]): number[] {
  const xs: number[] = [];
  if (!Array.isArray(closes)) return xs;
  for (let i = 1; i < closes.length; i++) {
    const a = closes[i - 1];
    const b = closes[i];
    if (isNum(a) && isNum(b)) xs.push(b - a);
  }
  return xs;
}

/**
 * Smallest total number of observations (days) m at which the 95 % CI would exclude
 * zero if mean and sd stayed as observed: t(0.975, m−1)·sd/√m < |mean|.
 * Returns additional days needed, or null when it cannot be estimated.
 */
export function daysToSignificance(n: number, mean: number, sd: number): number | null {
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

interface TTest {
  n: number;
  sum: number;
  mean: number;
  sd: number;
  se: number;
  t: number | null;
  df: number;
  p: number;
  tCrit: number;
  ciLow: number;
  ciHigh: number;
}

/** The finite changes of plausible size. */
function usableChanges(changes: readonly number[]): number[] {
  const xs: number[] = [];
  if (Array.isArray(changes)) for (const p of changes) if (isNum(p) && Math.abs(p) <= 1e15) xs.push(p);
  return xs;
}

/** One-sample two-sided t-test of mean = 0 with its 95 % CI. */
function oneSampleTTest(xs: readonly number[]): TTest {
  const n = xs.length;
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const df = n - 1;
  const sd = Math.sqrt(ss / df);
  const se = sd / Math.sqrt(n);
  let tCrit: number = studentTQuantile(1 - ALPHA / 2, df);
  let test: Pick<TTest, 't' | 'p' | 'ciLow' | 'ciHigh'>;
  if (!(se > Math.abs(mean) * 1e-14) || !isNum(se)) {
    // all days (numerically) identical
    test = { t: null, p: mean === 0 ? 1 : 0, ciLow: mean, ciHigh: mean };
  } else {
    const t = mean / se;
    test = { t, p: Math.min(1, 2 * studentTCdf(-Math.abs(t), df)), ciLow: mean - tCrit * se, ciHigh: mean + tCrit * se };
  }
  if (!isNum(tCrit)) tCrit = NaN;
  return { n, sum, mean, sd, se, df, tCrit, ...test };
}

function profitVerdict(significant: boolean, mean: number): Verdict {
  if (significant && mean > 0) return { verdict: 'significant profit', color: 'green' };
  if (significant && mean < 0) return { verdict: 'significant loss', color: 'red' };
  return { verdict: 'not significant', color: 'yellow' };
}

function profitSummary(r: TTest, significant: boolean, days: number | null): string {
  const { mean, ciLow, ciHigh, p, n } = r;
  const half = (ciHigh - ciLow) / 2;
  const summary =
    `Equity ${mean >= 0 ? '+' : ''}${fmtUsdFine(mean)} ± ${fmtUsdFine(half)} per day (95% CI [${fmtUsdFine(ciLow)}, ${fmtUsdFine(ciHigh)}], ` +
    `p=${fmtP(p)}, ${plural(n, 'day')})`;
  if (significant) return summary + (mean > 0 ? ': equity grows' : ': equity shrinks');
  if (days !== null) return summary + `: need ~${plural(days, 'more day')}`;
  return summary + ': mean is zero, no trend to prove';
}

/** `changes`: the change in equity over each complete day (see dailyChanges). */
export function analyzeProfitability(changes: readonly number[]): AnalyzerResult {
  const name = 'profitability';
  const xs = usableChanges(changes);
  const n = xs.length;
  if (n < MIN_DAYS) {
    const more = MIN_DAYS - n;
    return insufficient(name, `need ${plural(more, 'more day')} of equity (have ${n}, test needs ${MIN_DAYS})`, {
      n,
      needed: more,
    });
  }
  const r = oneSampleTTest(xs);
  const significant = r.p < ALPHA;
  const days = significant ? 0 : daysToSignificance(n, r.mean, r.sd);
  return testResult(name, profitVerdict(significant, r.mean), r.p, profitSummary(r, significant, days), {
    n,
    unit: 'USD per day',
    total: r.sum,
    mean: r.mean,
    sd: r.sd,
    se: r.se,
    t: r.t,
    df: r.df,
    pValue: r.p,
    tCritical: r.tCrit,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    daysNeeded: days,
  });
}
