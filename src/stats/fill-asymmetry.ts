// 2. Fill asymmetry: exact two-sided binomial test of buys vs sells in a
//    sliding window, Wilson 95 % CI of the buy share.

import type { FillRecord } from '../core/types.js';
import { binomialTwoSidedP, normalQuantile } from './distributions.js';
import { ALPHA, fillTime, fmt, fmtFractionPct, fmtP, HOUR_MS, insufficient, isNum, plural, testResult, type AnalyzerResult, type Verdict } from './shared.js';

export const DEFAULT_ASYMMETRY_WINDOW_MS = 12 * HOUR_MS;
/** Fewest fills in the asymmetry window: below 6 the exact test cannot reach p < 0.05 at all. */
export const MIN_ASYMMETRY_FILLS = 6;

const DOWNTREND = { verdict: 'downtrend', color: 'yellow', tail: 'buys dominate: price falling, inventory piling up' } as const;
const UPTREND = { verdict: 'uptrend', color: 'yellow', tail: 'sells dominate: price rising, inventory running out' } as const;
const BALANCED = { verdict: 'balanced', color: 'green', tail: 'no significant trend' } as const;

export function wilsonInterval(successes: number, n: number, confidence = 0.95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const ph = successes / n;
  const z2n = (z * z) / n;
  const centre = (ph + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((ph * (1 - ph)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Buys and sells since `start`. */
function countSides(fills: readonly FillRecord[], start: number): { buys: number; sells: number } {
  let buys = 0;
  let sells = 0;
  for (const f of fills) {
    const t = fillTime(f);
    if (!(t >= start)) continue;
    const side = (f as { side?: unknown }).side;
    if (side === 'buy') buys++;
    else if (side === 'sell') sells++;
  }
  return { buys, sells };
}

export function analyzeAsymmetry(fills: readonly FillRecord[], now: number, windowMs: number = DEFAULT_ASYMMETRY_WINDOW_MS): AnalyzerResult {
  const name = 'fill_asymmetry';
  const w = isNum(windowMs) && windowMs > 0 ? windowMs : DEFAULT_ASYMMETRY_WINDOW_MS;
  const { buys, sells } = countSides(fills, now - w);
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
  const v: Verdict & { tail: string } = p < ALPHA ? (buys > sells ? DOWNTREND : UPTREND) : BALANCED;
  const summary =
    `${buys} buys / ${sells} sells in ${fmt(hours, 0)} h: buy share ${fmtFractionPct(share, 0)} ` +
    `(95% CI ${fmtFractionPct(lo, 0)}–${fmtFractionPct(hi, 0)}), p=${fmtP(p)}: ${v.tail}`;
  return testResult(name, v, p, summary, { ...base, buyShare: share, ciLow: lo, ciHigh: hi, pValue: p });
}
