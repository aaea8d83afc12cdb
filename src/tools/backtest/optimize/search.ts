// The two searches: `optimize` ranks every candidate on one stretch of
// candles; `walkForward` slides train/test windows over the data, chooses the
// best candidate on each train window only, and scores that choice on the
// test window that follows (out of sample), next to the current configuration.
import type { Job, Objective, Score } from './evaluate.js';
import { rank } from './evaluate.js';
import type { JobRunner } from './pool.js';
import { PARAMS, sameCandidate, type Candidate } from './space.js';

export interface Ranked {
  candidates: Candidate[];
  scores: Score[];
  /** Candidate indices, best first. */
  order: number[];
}

export async function optimize(run: JobRunner, candidates: readonly Candidate[], from: number, to: number, objective: Objective, onProgress?: (done: number, total: number) => void): Promise<Ranked> {
  const scores = await run(candidates.map((candidate, index) => ({ index, candidate, from, to })), onProgress);
  return { candidates: [...candidates], scores, order: rank(scores, objective) };
}

export interface WindowResult {
  trainFrom: number;
  trainTo: number;
  testFrom: number;
  testTo: number;
  chosen: Candidate;
  /** The chosen candidate on its train window (in sample) and on the test window (out of sample). */
  inSample: Score;
  outOfSample: Score;
  /** The current configuration on the same test window, when one was given. */
  baseline: Score | null;
}

export interface Stability {
  key: string;
  /** Values chosen, window by window. */
  chosen: string[];
  distinct: number;
  /** The value chosen most often and in how many windows. */
  mode: string;
  modeCount: number;
  /** Windows whose choice differs from the previous window's. */
  changes: number;
}

export interface WalkForwardResult {
  objective: Objective;
  trainMs: number;
  testMs: number;
  candidates: number;
  windows: WindowResult[];
  stability: Stability[];
  /** The choice on the last train window that ends at the end of the data (what to run next), with its in-sample score. */
  final: { candidate: Candidate; from: number; to: number; score: Score } | null;
}

export interface WalkForwardOptions {
  /** Data range [start, end): first candle start, end of the last candle. */
  start: number;
  end: number;
  trainMs: number;
  testMs: number;
  objective: Objective;
  /** The configuration in use, scored on every test window for comparison. */
  baseline?: Candidate;
  /** Also choose on the last train window ending at `end` (default true). */
  finalFit?: boolean;
}

/** The rolling windows: train [s, s + train), test [s + train, s + train + test), s advancing by `test`. */
export function walkWindows(start: number, end: number, trainMs: number, testMs: number): { trainFrom: number; trainTo: number; testFrom: number; testTo: number }[] {
  const out = [];
  if (!(trainMs > 0 && testMs > 0)) return [];
  for (let s = start; s + trainMs + testMs <= end; s += testMs) out.push({ trainFrom: s, trainTo: s + trainMs, testFrom: s + trainMs, testTo: s + trainMs + testMs });
  return out;
}

export async function walkForward(run: JobRunner, candidates: readonly Candidate[], o: WalkForwardOptions, onProgress?: (done: number, total: number) => void): Promise<WalkForwardResult> {
  const windows = walkWindows(o.start, o.end, o.trainMs, o.testMs);
  const finalFit = o.finalFit !== false && o.end - o.trainMs >= o.start;
  const trains = windows.map((w) => ({ from: w.trainFrom, to: w.trainTo }));
  if (finalFit) trains.push({ from: o.end - o.trainMs, to: o.end });
  const n = candidates.length;
  // Phase 1, choosing: every candidate on every train window — nothing after a window's train end.
  const trainJobs: Job[] = [];
  trains.forEach((t, wi) => candidates.forEach((candidate, ci) => trainJobs.push({ index: wi * n + ci, candidate, from: t.from, to: t.to })));
  const extra = windows.length * (o.baseline ? 2 : 1);
  const total = trainJobs.length + extra;
  const trainScores = await run(trainJobs, (d) => onProgress?.(d, total));
  const choices = trains.map((_, wi) => {
    const scores = trainScores.slice(wi * n, wi * n + n);
    const best = rank(scores, o.objective)[0]!;
    return { candidate: candidates[best]!, score: scores[best]! };
  });
  // Phase 2, scoring: each window's choice (and the baseline) on its test window.
  const testJobs: Job[] = [];
  windows.forEach((w, wi) => {
    testJobs.push({ index: testJobs.length, candidate: choices[wi]!.candidate, from: w.testFrom, to: w.testTo });
    if (o.baseline) testJobs.push({ index: testJobs.length, candidate: o.baseline, from: w.testFrom, to: w.testTo });
  });
  const testScores = await run(testJobs, (d) => onProgress?.(trainJobs.length + d, total));
  const per = o.baseline ? 2 : 1;
  const results: WindowResult[] = windows.map((w, wi) => ({
    ...w,
    chosen: choices[wi]!.candidate,
    inSample: choices[wi]!.score,
    outOfSample: testScores[wi * per]!,
    baseline: o.baseline ? testScores[wi * per + 1]! : null,
  }));
  const last = finalFit ? choices[choices.length - 1]! : null;
  return {
    objective: o.objective,
    trainMs: o.trainMs,
    testMs: o.testMs,
    candidates: n,
    windows: results,
    stability: stabilityOf(results.map((r) => r.chosen)),
    final: last ? { candidate: last.candidate, from: o.end - o.trainMs, to: o.end, score: last.score } : null,
  };
}

/** How steady each parameter's choice was across the windows. */
export function stabilityOf(chosen: readonly Candidate[]): Stability[] {
  const keys = PARAMS.map((p) => p.key).filter((k) => chosen.some((c) => c[k] !== undefined));
  return keys.map((key) => {
    const values = chosen.map((c) => String(c[key] ?? '–'));
    const counts = new Map<string, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    let mode = '';
    let modeCount = 0;
    for (const [v, c] of counts) if (c > modeCount) [mode, modeCount] = [v, c];
    let changes = 0;
    for (let i = 1; i < values.length; i++) if (values[i] !== values[i - 1]) changes++;
    return { key, chosen: values, distinct: counts.size, mode, modeCount, changes };
  });
}

/** Totals over the windows: the choices out of sample against the baseline. */
export function walkForwardTotals(r: WalkForwardResult, value: (s: Score) => number): { inSample: number; outOfSample: number; baseline: number | null; wins: number } {
  let inSample = 0;
  let outOfSample = 0;
  let baseline = 0;
  let wins = 0;
  for (const w of r.windows) {
    inSample += value(w.inSample);
    outOfSample += value(w.outOfSample);
    if (w.baseline) {
      baseline += value(w.baseline);
      if (value(w.outOfSample) > value(w.baseline)) wins++;
    }
  }
  return { inSample, outOfSample, baseline: r.windows.some((w) => w.baseline) ? baseline : null, wins };
}

export { sameCandidate };
