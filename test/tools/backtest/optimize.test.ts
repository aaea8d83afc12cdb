// The optimizer and the walk-forward: the winner is what a brute-force loop
// over the same grid finds; worker threads give exactly the serial numbers;
// the walk-forward never looks at a test window while choosing; the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sliceSeries, type CandleSeries } from '../../../src/tools/backtest/candles.js';
import { main } from '../../../src/tools/backtest/cli.js';
import { backtestConfig, runBacktest } from '../../../src/tools/backtest/engine.js';
import { evaluate, rank, type Job, type Score } from '../../../src/tools/backtest/optimize/evaluate.js';
import { createRunner, longestFirst, SETTLE_MS, type JobRunner } from '../../../src/tools/backtest/optimize/pool.js';
import { optimize, stabilityOf, walkForward, walkWindows } from '../../../src/tools/backtest/optimize/search.js';
import { gridCandidates, paramDef, parseValues, sampleCandidates, type Candidate, type Space } from '../../../src/tools/backtest/optimize/space.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import '../../support/core.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-02-01T00:00:00Z');
const ENV = { GRID_SPACING_PCT: '1.0' };

function series(days: number, seed = 5): CandleSeries {
  return syntheticCandles({ kind: 'ou', days, seed, dailyVolPct: 6, halfLifeDays: 1, startMs: T0, intervalMs: 5 * 60_000 });
}

function endOf(s: CandleSeries): number {
  return s.time[s.length - 1]! + s.intervalMs;
}

const SPACE: Space = [
  { key: 'spacing', values: [0.7, 1.0, 1.4] },
  { key: 'levels', values: ['auto', 4] },
  { key: 'drift-reset', values: [3, 6] },
  { key: 'ratio', values: ['auto', 0.6] },
];

describe('optimizer', () => {
  it("the winner and every score equal a brute-force loop of runBacktest over the same grid", async () => {
    const s = series(4);
    const candidates = gridCandidates(SPACE);
    assert.equal(candidates.length, 24);
    const ranked = await optimize(createRunner(s, { env: ENV }, { workers: 1 }), candidates, s.time[0]!, endOf(s), 'equity');
    let best = -Infinity;
    let bestIndex = -1;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      const env: Record<string, string> = { ...ENV, GRID_SPACING_PCT: String(c.spacing), GRID_DRIFT_RESET_PCT: String(c['drift-reset']) };
      const run = await runBacktest(s, { config: backtestConfig({ env }), levelsPerSide: c.levels === 'auto' ? null : Number(c.levels), ratioOverride: c.ratio === 'auto' ? null : Number(c.ratio) });
      assert.equal(ranked.scores[i]!.equityChange, run.summary.equityChange, `candidate ${i}`);
      assert.equal(ranked.scores[i]!.netProfit, run.summary.netProfit);
      if (c.levels !== 'auto') assert.equal(run.summary.levelsPerSide, c.levels);
      if (run.summary.equityChange > best) {
        best = run.summary.equityChange;
        bestIndex = i;
      }
    }
    assert.equal(ranked.order[0], bestIndex, 'the winner');
    assert.ok(new Set(ranked.scores.map((x) => x.equityChange)).size > 4, 'the parameters change the outcome');
    for (let k = 1; k < ranked.order.length; k++) assert.ok(ranked.scores[ranked.order[k - 1]!]!.equityChange >= ranked.scores[ranked.order[k]!]!.equityChange, 'ranked best first');
  });

  it('worker threads give exactly the serial scores, in job order (more jobs than workers)', async () => {
    const s = series(3, 8);
    const jobs: Job[] = gridCandidates(SPACE.slice(0, 3)).map((candidate, index) => ({ index, candidate, from: s.time[0]! + (index % 3) * 3_600_000, to: endOf(s) }));
    const progress: number[] = [];
    const serial = await createRunner(s, { env: ENV }, { workers: 1 })(jobs);
    const parallel = await createRunner(s, { env: ENV }, { workers: 2 })(jobs, (d) => progress.push(d));
    assert.deepEqual(parallel, serial);
    assert.deepEqual(progress, jobs.map((_, i) => i + 1), 'progress after every job');
  });

  it('the pool keeps its workers across batches (same scores as serial), and close() ends them', async () => {
    const s = series(3, 8);
    const jobs: Job[] = gridCandidates(SPACE.slice(0, 2)).map((candidate, index) => ({ index, candidate, from: s.time[0]!, to: endOf(s) }));
    const later: Job[] = jobs.map((j) => ({ ...j, from: s.time[0]! + DAY }));
    const serial = createRunner(s, { env: ENV }, { workers: 1 });
    const parallel = createRunner(s, { env: ENV }, { workers: 2 });
    try {
      assert.deepEqual(serial.threadIds(), [], 'serial: no threads');
      const ids = parallel.threadIds();
      assert.equal(ids.length, 2, 'started with the runner');
      assert.equal((await parallel.ready()).length, 2);
      assert.deepEqual(await serial.ready(), []);
      assert.deepEqual(await parallel(jobs), await serial(jobs));
      assert.deepEqual(await parallel(later), await serial(later));
      assert.deepEqual(parallel.threadIds(), ids, 'the second batch ran on the same workers');
    } finally {
      await parallel.close();
      await serial.close();
    }
    assert.deepEqual(parallel.threadIds(), []);
    await assert.rejects(parallel(jobs), /closed/);
  });

  it('close() ends the workers only once they had nothing to do for SETTLE_MS (Node 20 can abort when a worker ends mid-compile)', async () => {
    const s = series(1, 8);
    const run = createRunner(s, { env: ENV }, { workers: 2 });
    const job: Job = { index: 0, candidate: { spacing: 1 }, from: s.time[0]!, to: endOf(s) };
    await run([job, job]);
    const lastDone = performance.now();
    await run.close();
    const ended = performance.now() - lastDone;
    assert.ok(ended >= SETTLE_MS - 1, `ended ${ended.toFixed(0)} ms after the last job`);
    assert.deepEqual(run.threadIds(), []);
  });

  it('close() right after the start waits until the workers have loaded the engine (ending one mid-load can abort Node 20)', async () => {
    // Four workers on this 2-core machine load more slowly than SETTLE_MS after their start.
    const run = createRunner(series(1, 8), { env: ENV }, { workers: 4 });
    const ready = run.ready();
    await run.close();
    assert.equal((await ready).length, 4, 'every worker loaded before it was ended');
  });

  it('close() after a failed batch also waits for the workers that batch was retiring', async () => {
    const s = series(2, 8);
    const run = createRunner(s, { env: ENV }, { workers: 2 });
    const job: Job = { index: 0, candidate: { spacing: 1 }, from: s.time[0]!, to: endOf(s) };
    const bad = { ...job, candidate: { spacing: 1, oops: () => 1 } as unknown as Job['candidate'] };
    await assert.rejects(run([job, job, bad]), /could not be cloned/);
    await run.close();
    const left = process.getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker');
    assert.deepEqual(left, [], 'no worker of the failed batch still running');
  });

  it('a failed batch rejects and the next batch runs on new workers', async () => {
    const s = series(2, 8);
    const run = createRunner(s, { env: ENV }, { workers: 2 });
    try {
      const ids = run.threadIds();
      const job: Job = { index: 0, candidate: { spacing: 1 }, from: s.time[0]!, to: endOf(s) };
      const bad = { ...job, candidate: { spacing: 1, oops: () => 1 } as unknown as Job['candidate'] };
      await assert.rejects(run([job, bad, job]), /could not be cloned/);
      const again = await run([job, job]);
      assert.deepEqual(again, [await evaluate(s, { env: ENV }, job), await evaluate(s, { env: ENV }, job)]);
      assert.equal(run.threadIds().length, 2);
      assert.ok(run.threadIds().every((id) => !ids.includes(id)), 'new workers');
    } finally {
      await run.close();
    }
  });

  it('idle workers do not keep the process alive when a caller forgets close()', () => {
    const pool = new URL('../../../src/tools/backtest/optimize/pool.js', import.meta.url).href;
    const synthetic = new URL('../../../src/tools/backtest/synthetic.js', import.meta.url).href;
    const code = `const { createRunner } = await import(${JSON.stringify(pool)});
const { syntheticCandles } = await import(${JSON.stringify(synthetic)});
const s = syntheticCandles({ kind: 'ou', days: 1, seed: 1, intervalMs: 300000 });
const run = createRunner(s, { env: {} }, { workers: 2 });
const r = await run([{ index: 0, candidate: { spacing: 1 }, from: -Infinity, to: Infinity }, { index: 1, candidate: { spacing: 1.2 }, from: -Infinity, to: Infinity }]);
console.log(r.length, run.threadIds().length);`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-exit-'));
    try {
      const file = path.join(dir, 'forget-close.mjs');
      fs.writeFileSync(file, code);
      const env = { ...process.env };
      delete env.NODE_TEST_CONTEXT;
      // A worker left referenced would hold the child until the timeout kills it (and execFileSync throws).
      const out = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000, env });
      assert.equal(out.trim(), '2 2');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('jobs go out costliest first: candles in the window over the spacing (1 when not searched); ties in job order', () => {
    const s = series(2);
    const t0 = s.time[0]!;
    const jobs: Job[] = [
      { index: 0, candidate: { spacing: 1.5 }, from: t0, to: endOf(s) },
      { index: 1, candidate: { spacing: 1 }, from: t0 + DAY, to: endOf(s) },
      { index: 2, candidate: { spacing: 0.8 }, from: t0, to: endOf(s) },
      { index: 3, candidate: { ratio: 0.6 }, from: t0, to: endOf(s) },
      { index: 4, candidate: { spacing: 0.8 }, from: t0, to: endOf(s) },
    ];
    assert.deepEqual(longestFirst(s, jobs), [2, 4, 3, 0, 1]);
  });

  it('a candidate the bot would refuse is ranked last with the reason, not run', async () => {
    const s = series(1);
    const bad = await evaluate(s, { env: ENV }, { index: 0, candidate: { spacing: 0.3 }, from: -Infinity, to: Infinity });
    assert.match(bad.error ?? '', /GRID_SPACING_PCT/);
    const good = await evaluate(s, { env: ENV }, { index: 1, candidate: { spacing: 1 }, from: -Infinity, to: Infinity });
    assert.deepEqual(rank([bad, good], 'equity'), [1, 0]);
  });

  it('parameter lists, random samples and stability', () => {
    assert.deepEqual(parseValues(paramDef('spacing'), '0.6:1.0:0.2,1.5,1.5'), [0.6, 0.8, 1, 1.5]);
    assert.deepEqual(parseValues(paramDef('levels'), 'auto,4:6:1'), ['auto', 4, 5, 6]);
    assert.deepEqual(parseValues(paramDef('ratio'), 'auto,0.6'), ['auto', 0.6]);
    assert.throws(() => parseValues(paramDef('ratio'), '0.9'), /0\.25–0\.75/);
    assert.throws(() => parseValues(paramDef('levels'), '2.5'), /whole number/);
    const all = gridCandidates(SPACE);
    const a = sampleCandidates(SPACE, 7, 3);
    assert.deepEqual(a, sampleCandidates(SPACE, 7, 3), 'same seed, same sample');
    assert.notDeepEqual(a, sampleCandidates(SPACE, 7, 4));
    assert.equal(new Set(a.map((c) => JSON.stringify(c))).size, 7);
    for (const c of a) assert.ok(all.some((x) => JSON.stringify(x) === JSON.stringify(c)));
    const st = stabilityOf([{ spacing: 1 }, { spacing: 1 }, { spacing: 1.2 }, { spacing: 1 }]);
    assert.deepEqual(st, [{ key: 'spacing', chosen: ['1', '1', '1.2', '1'], distinct: 2, mode: '1', modeCount: 3, changes: 2 }]);
    assert.deepEqual(walkWindows(0, 10, 4, 2), [
      { trainFrom: 0, trainTo: 4, testFrom: 4, testTo: 6 },
      { trainFrom: 2, trainTo: 6, testFrom: 6, testTo: 8 },
      { trainFrom: 4, trainTo: 8, testFrom: 8, testTo: 10 },
    ]);
  });
});

describe('walk-forward', () => {
  const candidates: Candidate[] = gridCandidates([{ key: 'spacing', values: [0.7, 1.0, 1.4] }, { key: 'drift-reset', values: [3, 6] }]);

  it('chooses on each train window only: every choosing job ends at its window end, and changing the test data changes no choice', async () => {
    const s = series(8);
    const start = s.time[0]!;
    const end = endOf(s);
    const seen: { phase: 'train' | 'test'; jobs: Job[] }[] = [];
    const inner = createRunner(s, { env: ENV }, { workers: 1 });
    const spy: JobRunner = (jobs, p) => {
      seen.push({ phase: seen.length === 0 ? 'train' : 'test', jobs: [...jobs] });
      return inner(jobs, p);
    };
    const opts = { start, end, trainMs: 3 * DAY, testMs: DAY, objective: 'equity' as const, baseline: { spacing: 1.0, 'drift-reset': 5 }, finalFit: false };
    const r = await walkForward(spy, candidates, opts);
    assert.equal(r.windows.length, 5);
    assert.equal(seen.length, 2, 'one batch to choose, one to score');
    const windows = walkWindows(start, end, 3 * DAY, DAY);
    assert.equal(seen[0]!.jobs.length, windows.length * candidates.length);
    seen[0]!.jobs.forEach((j, k) => {
      const w = windows[Math.floor(k / candidates.length)]!;
      assert.equal(j.from, w.trainFrom);
      assert.equal(j.to, w.trainTo, 'a choosing job stops at its train end = the test start');
    });
    for (const [i, w] of r.windows.entries()) {
      assert.ok(w.trainTo <= w.testFrom);
      const scores: Score[] = [];
      for (const c of candidates) scores.push(await evaluate(s, { env: ENV }, { index: 0, candidate: c, from: w.trainFrom, to: w.trainTo }));
      assert.deepEqual(w.chosen, candidates[rank(scores, 'equity')[0]!], `window ${i + 1}: the best on its train window`);
      assert.deepEqual(w.outOfSample, await evaluate(s, { env: ENV }, { index: 0, candidate: w.chosen, from: w.testFrom, to: w.testTo }));
    }
    // The last test day replaced by a crash: no choice changes (no window chose on it), its out-of-sample score does.
    const crashed = { ...s, close: s.close.slice(), low: s.low.slice(), open: s.open.slice(), high: s.high.slice() };
    const cut = s.length - sliceSeries(s, end - DAY).length;
    for (let i = cut; i < s.length; i++) {
      const f = 0.5 - (0.4 * (i - cut)) / (s.length - cut);
      crashed.open[i] = s.open[i]! * f;
      crashed.close[i] = s.close[i]! * f;
      crashed.high[i] = s.high[i]! * f;
      crashed.low[i] = s.low[i]! * f * 0.99;
    }
    const r2 = await walkForward(createRunner(crashed, { env: ENV }, { workers: 1 }), candidates, opts);
    assert.deepEqual(r2.windows.map((w) => w.chosen), r.windows.map((w) => w.chosen));
    assert.deepEqual(r2.windows.slice(0, -1), r.windows.slice(0, -1));
    assert.notDeepEqual(r2.windows.at(-1)!.outOfSample, r.windows.at(-1)!.outOfSample);
  });

  it('the CLI: --optimize prints the ranked table, --train/--test the side-by-side report and the stability', async () => {
    const io = () => {
      const o = { out: '', err: '' };
      return { o, io: { stdout: (x: string) => (o.out += x), stderr: (x: string) => (o.err += x), env: {} } };
    };
    const a = io();
    assert.equal(await main(['--synthetic', 'ou', '--days', '3', '--vol', '6', '--optimize', '--spacing', '0.8,1.2', '--ratio', 'auto,0.6', '--workers', '1'], a.io), 0, a.o.err);
    for (const h of ['net profit', 'fees', 'max drawdown', 'equity Δ', 'vs hold', 'stops hit', 'ratio', '4 configurations']) assert.ok(a.o.out.includes(h), h);
    assert.match(a.o.err, /optimiz|4\/4 runs/);
    const b = io();
    assert.equal(await main(['--synthetic', 'ou', '--days', '5', '--vol', '6', '--train', '2d', '--test', '1d', '--spacing', '0.8,1.2', '--workers', '1'], b.io), 0, b.o.err);
    for (const h of ['in-sample equity Δ', 'out-of-sample equity Δ', 'current config OOS', 'Stability of the chosen parameters', '3 windows', 'Chosen on the last 2 d']) assert.ok(b.o.out.includes(h), h);
    const c = io();
    assert.equal(await main(['--synthetic', 'ou', '--days', '2', '--train', '2d', '--test', '1d'], c.io), 2);
    assert.match(c.o.err, /longer than the data/);
    const d = io();
    assert.equal(await main(['--synthetic', 'ou', '--days', '2', '--optimize', '--spacing', '0.2,0.3'], d.io), 2);
    assert.match(d.o.err, /no valid combination/);
  });
});
