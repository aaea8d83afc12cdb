// The replay engine: the documented intra-candle order, what the summary
// reports, the --levels override, and that nothing is written anywhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { seriesFromCandles } from '../../../src/tools/backtest/candles.js';
import { backtestConfig, BacktestError, runBacktest } from '../../../src/tools/backtest/engine.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import { ANALYZER_NAMES } from '../../../src/stats/analyzers.js';
import type { Candle } from '../../../src/core/types.js';
import { testConfig } from '../../support/core.js';
import { removeDir } from '../../support/backtest-live.js';

const T0 = Date.parse('2026-04-01T10:00:00Z');
const M = 60_000;

function flat(t: number, p: number): Candle {
  return { time: t, open: p, high: p, low: p, close: p, volume: 1 };
}

async function firstFills(c: Candle) {
  const config = testConfig({ GRID_SPACING_PCT: '2' });
  try {
    const run = await runBacktest(seriesFromCandles([flat(T0, 1), c], M), { config, verify: true });
    return run.fills.map((f) => ({ dt: f.time - c.time, side: f.side, price: f.price }));
  } finally {
    removeDir(config.logDir);
  }
}

describe('intra-candle path', () => {
  // Grid around 1.0 at 2 %: buy 0.98, sell 1.02.
  it('visits the nearer extreme first: high nearer → the sell fills at +15 s, the buy at +30 s', async () => {
    const fills = await firstFills({ time: T0 + M, open: 1, high: 1.025, low: 0.975, close: 1, volume: 1 });
    assert.ok(fills.length > 0);
    assert.deepEqual(fills[0], { dt: 15_000, side: 'sell', price: 1.02 });
    assert.ok(fills.some((f) => f.dt === 30_000 && f.side === 'buy' && f.price === 0.98), JSON.stringify(fills));
  });

  it('low nearer → the buy fills first', async () => {
    const fills = await firstFills({ time: T0 + M, open: 1, high: 1.03, low: 0.978, close: 1, volume: 1 });
    assert.deepEqual(fills[0], { dt: 15_000, side: 'buy', price: 0.98 });
    assert.ok(fills.some((f) => f.dt === 30_000 && f.side === 'sell'), JSON.stringify(fills));
  });

  it('a tie goes to the low; the close is visited at +45 s', async () => {
    const fills = await firstFills({ time: T0 + M, open: 1, high: 1.03125, low: 0.96875, close: 1.03125, volume: 1 });
    assert.equal(fills[0]!.side, 'buy');
    assert.equal(fills[0]!.dt, 15_000);
    const close = await firstFills({ time: T0 + M, open: 1, high: 1.03, low: 1, close: 1.03, volume: 1 });
    // open = low: the low visit is the open itself (one tick), so the high comes at +30 s; the close equals the high (no new visit)
    assert.equal(close[0]!.dt, 30_000);
    assert.equal(close.length, 1);
  });
});

describe('summary', () => {
  it('adds up: profit, fees, fills per day, equity, inventory value, analyzers', async () => {
    const series = syntheticCandles({ kind: 'ou', days: 10, seed: 2 });
    const run = await runBacktest(series, { config: backtestConfig({ spacingPct: 0.8 }) });
    const s = run.summary;
    const sum = (f: (x: (typeof run.fills)[number]) => number) => run.fills.reduce((a, x) => a + f(x), 0);
    assert.ok(s.roundTrips > 20);
    assert.ok(Math.abs(s.netProfit - sum((f) => f.profit ?? 0)) < 1e-9);
    assert.equal(s.roundTrips, run.fills.filter((f) => f.profit !== null).length);
    assert.ok(Math.abs(s.fees - sum((f) => f.fee)) < 1e-9);
    assert.equal(s.fills, run.fills.length);
    assert.ok(Math.abs(s.fillsPerDay - s.fills / 10) < 1e-9);
    assert.ok(Math.abs(s.finalEquity - (s.cash + s.inventoryValue)) < 1e-9);
    assert.ok(Math.abs(s.equityChange - (s.realized + s.unrealized)) < 1e-6);
    assert.equal(s.inventoryValue, s.inventory * s.lastPrice);
    assert.equal(s.candles, 14_400);
    assert.equal(s.from, '2025-01-01T00:00:00.000Z');
    assert.equal(s.to, '2025-01-11T00:00:00.000Z');
    assert.ok(s.maxDrawdown > 0 && s.maxDrawdownPct > 0 && s.maxDrawdownPct < 100);
    assert.deepEqual(s.analyzers.map((a) => a.name), [...ANALYZER_NAMES]);
    assert.ok(s.health.verdict.length > 0);
    assert.equal(s.errors, 0);
  });

  it('max drawdown is the fall of cash + inventory × price from its peak (no fills: pure price moves)', async () => {
    const prices = [0.1, 0.1005, 0.1002, 0.099, 0.1004, 0.0995, 0.1];
    const candles = prices.map((p, i) => flat(T0 + i * M, p));
    const run = await runBacktest(seriesFromCandles(candles, M), { config: backtestConfig({ spacingPct: 3 }) });
    assert.equal(run.fills.length, 0);
    const inv = run.state.ledger.inventory;
    assert.ok(inv > 0);
    assert.ok(Math.abs(run.summary.maxDrawdown - inv * (0.1005 - 0.099)) < 1e-12);
  });

  it('--levels: applied when the Trader honours the override, refused with the exact change otherwise', async () => {
    const series = syntheticCandles({ kind: 'ou', days: 1, seed: 2 });
    try {
      const run = await runBacktest(series, { config: backtestConfig({ spacingPct: 1 }), levelsPerSide: 5 });
      assert.equal(run.summary.levelsPerSide, 5);
      assert.equal(run.summary.levelsOverride, 5);
    } catch (err) {
      assert.ok(err instanceof BacktestError);
      assert.match(err.message, /levelsOverride/);
      assert.match(err.message, /rebuildInner/);
    }
  });

  it('writes nothing: no state file, no CSV journal', async () => {
    const config = testConfig();
    try {
      await runBacktest(syntheticCandles({ kind: 'gbm', days: 2, seed: 1 }), { config });
      assert.deepEqual(fs.readdirSync(config.logDir), []);
    } finally {
      removeDir(config.logDir);
    }
  });

  it('refuses an empty series', async () => {
    await assert.rejects(runBacktest(seriesFromCandles([]), { config: backtestConfig() }), /no candles/);
  });
});
