// Issue 16 item 2: the optimizer searches the grid modes of issue 14 too
// (--grid-mode drift,trailing --spacing-mode arithmetic,geometric), each
// candidate through the same backtest a single run with those variables gives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { main } from '../../../src/tools/backtest/cli.js';
import { backtestConfig, runBacktest } from '../../../src/tools/backtest/engine.js';
import { createRunner } from '../../../src/tools/backtest/optimize/pool.js';
import { optimize } from '../../../src/tools/backtest/optimize/search.js';
import { gridCandidates, paramDef, parseValues } from '../../../src/tools/backtest/optimize/space.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import '../../support/core.js';

const ENV = { GRID_SPACING_PCT: '1.0' };

describe('optimizer: grid mode and spacing mode', () => {
  it('every mode candidate scores what runBacktest gives with GRID_MODE / GRID_SPACING_MODE set, and the modes matter', async () => {
    // A trend (GBM with drift) so that the trailing grid and the drift rebuild part ways.
    const s = syntheticCandles({ kind: 'gbm', days: 6, seed: 3, dailyVolPct: 7, yearlyDriftPct: 400, intervalMs: 5 * 60_000 });
    const candidates = gridCandidates([
      { key: 'grid-mode', values: parseValues(paramDef('grid-mode'), 'drift,trailing') },
      { key: 'spacing-mode', values: parseValues(paramDef('spacing-mode'), 'arithmetic,geometric') },
    ]);
    assert.equal(candidates.length, 4);
    const end = s.time[s.length - 1]! + s.intervalMs;
    const ranked = await optimize(createRunner(s, { env: ENV }, { workers: 1 }), candidates, s.time[0]!, end, 'equity');
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      const run = await runBacktest(s, { config: backtestConfig({ env: { ...ENV, GRID_MODE: String(c['grid-mode']), GRID_SPACING_MODE: String(c['spacing-mode']) } }) });
      assert.equal(ranked.scores[i]!.equityChange, run.summary.equityChange, `candidate ${JSON.stringify(c)}`);
      assert.equal(ranked.scores[i]!.rebuilds, Object.entries(run.summary.rebuilds).reduce((n, [k, v]) => (k === 'startup' ? n : n + v), 0));
    }
    assert.ok(new Set(ranked.scores.map((x) => x.equityChange)).size >= 3, `the modes change the outcome: ${ranked.scores.map((x) => x.equityChange).join(', ')}`);
    assert.throws(() => parseValues(paramDef('grid-mode'), 'drift,sideways'), /drift or trailing/);
  });

  it('the CLI takes --grid-mode and --spacing-mode as optimizer axes and shows them in the table', async () => {
    let out = '';
    let err = '';
    await main(['--synthetic', 'ou', '--days', '3', '--seed', '2', '--optimize', '--workers', '1', '--spacing', '1.0', '--grid-mode', 'drift,trailing', '--spacing-mode', 'arithmetic,geometric'], {
      stdout: (x: string) => void (out += x),
      stderr: (x: string) => void (err += x),
      env: {},
    });
    assert.match(out, /grid mode/);
    assert.match(out, /spacing mode/);
    for (const w of ['drift', 'trailing', 'arithmetic', 'geometric']) assert.ok(out.includes(w), `${w} in the table:\n${out}\n${err}`);
  });
});

describe('optimizer: default workers', () => {
  it('one per core but one, and none on two cores (threads were slower there than one thread)', async () => {
    const { defaultWorkers } = await import('../../../src/tools/backtest/optimize/pool.js');
    assert.deepEqual([1, 2, 3, 4, 8].map((c) => defaultWorkers(c)), [1, 1, 2, 3, 7]);
  });
});
