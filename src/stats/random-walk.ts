// 5. Random-walk fit: chi-squared goodness of fit of fills per distance k
//    against P(k) ∝ 1/k, bins merged to expected ≥ 5.

import type { FillRecord } from '../core/types.js';
import { chiSquareSf } from './distributions.js';
import { ALPHA, fmt, fmtP, insufficient, isNum, plural, testResult, type AnalyzerGrid, type AnalyzerResult, type Verdict } from './shared.js';

/** Fewest fills for the random-walk test (besides the expected ≥ 5 rule). */
export const MIN_RANDOM_WALK_FILLS = 20;

const MEAN_REVERTING = {
  verdict: 'mean reverting',
  color: 'green',
  tail: 'more inner-level fills than a random walk: the grid has an edge',
} as const;
const MOMENTUM = {
  verdict: 'momentum',
  color: 'red',
  tail: 'more outer-level fills than a random walk: price trends through the grid',
} as const;
const RANDOM_WALK = { verdict: 'random walk', color: 'yellow', tail: 'consistent with a random walk: zero edge after fees' } as const;

interface Bin {
  from: number;
  to: number;
  observed: number;
  expected: number;
}

/** Fills per distance k = 1..K from the centre, under the 1/k law. */
interface Histogram {
  K: number;
  /** counts[k]: fills at distance k (index 0 unused). */
  counts: number[];
  /** probs[k] = (1/k) / H (index 0 unused). */
  probs: number[];
  /** H = Σ 1/k, the normalizer of the 1/k law. */
  H: number;
  /** Fills counted (at levels 1..K). */
  N: number;
  /** Fills beyond level K. */
  excluded: number;
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

/** The distance |level| of every fill with a valid non-zero level, and the largest seen. */
function fillDistances(fills: readonly FillRecord[]): { levels: number[]; maxSeen: number } {
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
  return { levels, maxSeen };
}

/** Levels per side of the grid (else the largest distance seen), at most 1000. */
function gridDepth(grid: AnalyzerGrid, maxSeen: number): number {
  const K = grid && isNum(grid.levelsPerSide) && grid.levelsPerSide >= 1 ? Math.floor(grid.levelsPerSide) : maxSeen;
  return K > 1000 ? 1000 : K;
}

function histogram(levels: readonly number[], K: number): Histogram {
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
  return { K, counts, probs, H, N: levels.length - excluded, excluded };
}

/** Too few fills to test: how many more would give at least 2 bins and MIN_RANDOM_WALK_FILLS. */
function moreFillsNeeded(name: string, h: Histogram): AnalyzerResult {
  const { counts, probs, N, K } = h;
  let need = Math.max(N + 1, MIN_RANDOM_WALK_FILLS);
  while (need < 1e7 && mergeBins(counts, probs, need).length < 2) need++;
  const more = need - N;
  return insufficient(name, `need ${plural(more, 'more fill')} at levels 1..${K} (have ${N})`, {
    fills: N,
    excluded: h.excluded,
    levelsPerSide: K,
    needed: more,
  });
}

export function analyzeRandomWalk(fills: readonly FillRecord[], grid: AnalyzerGrid): AnalyzerResult {
  const name = 'random_walk';
  const { levels, maxSeen } = fillDistances(fills);
  const K = gridDepth(grid, maxSeen);
  if (K < 2) return insufficient(name, 'need a grid with at least 2 levels per side', { levelsPerSide: K });
  const h = histogram(levels, K);
  const { counts, N, H, excluded } = h;
  let bins = mergeBins(counts, h.probs, N);
  if (bins.length < 2 || N < MIN_RANDOM_WALK_FILLS) return moreFillsNeeded(name, h);
  let chi2 = 0;
  for (const b of bins) chi2 += ((b.observed - b.expected) * (b.observed - b.expected)) / b.expected;
  const df = bins.length - 1;
  const p = chiSquareSf(chi2, df);
  let meanObs = 0;
  for (let k = 1; k <= K; k++) meanObs += k * counts[k]!;
  meanObs /= N;
  const meanExp = K / H;
  const first = bins[0]!;
  const v: Verdict & { tail: string } = p < ALPHA ? (meanObs < meanExp ? MEAN_REVERTING : MOMENTUM) : RANDOM_WALK;
  bins = bins.slice(0, 64);
  const summary =
    `Market type ${v.verdict.toUpperCase()} (χ²=${fmt(chi2, 1)}, df=${df}, p=${fmtP(p)}; ` +
    `mean distance ${fmt(meanObs, 2)} vs ${fmt(meanExp, 2)} for a random walk, n=${N}): ${v.tail}`;
  return testResult(name, v, p, summary, {
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
  });
}
