// The fast path skips candles and visits inside the quiet band. It must not
// change any result: the same data run with the fast path disabled (a real
// tick at every visited price) and in verify mode (every visit, checking that
// each skippable one changed nothing) must give identical fills, state,
// paper account and summary.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesFromCandles, toCandles, type CandleSeries } from '../../../src/tools/backtest/candles.js';
import { nextUp, runBacktest, type BacktestRun } from '../../../src/tools/backtest/engine.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import type { Config } from '../../../src/config.js';
import { configureLogger } from '../../../src/util/log.js';
import { testConfig } from '../../support/core.js';
import { paperBook, removeDir, tradingState } from '../../support/backtest-live.js';

function comparable(r: BacktestRun): unknown {
  const { perf: _perf, ...summary } = r.summary;
  return { summary, fills: r.fills, state: tradingState(r.state), paper: paperBook(r.exchange), stats: r.stats };
}

async function threeWays(series: CandleSeries, config: Config): Promise<{ fast: BacktestRun; slow: BacktestRun }> {
  try {
    const fast = await runBacktest(series, { config });
    const slow = await runBacktest(series, { config, fastPath: false });
    const verify = await runBacktest(series, { config, verify: true });
    assert.ok(fast.fills.length > 0, 'the data produced fills');
    assert.deepEqual(comparable(fast), comparable(slow), 'fast path = every visit');
    assert.deepEqual(comparable(verify), comparable(slow), 'verify mode = every visit');
    assert.ok(fast.summary.perf.realTicks < slow.summary.perf.realTicks / 4, `fast path ran ${fast.summary.perf.realTicks} of ${slow.summary.perf.realTicks} ticks`);
    return { fast, slow };
  } finally {
    removeDir(config.logDir);
  }
}

const T0 = Date.parse('2026-02-01T00:00:00Z');

describe('fast path = real tick at every price', () => {
  it('mean-reverting days, tight grid (many fills, ratio and drift rebuilds, daily-loss pauses)', async () => {
    const series = syntheticCandles({ kind: 'ou', days: 5, seed: 21, dailyVolPct: 6, halfLifeDays: 1, startMs: T0 });
    const { fast } = await threeWays(series, testConfig({ GRID_SPACING_PCT: '0.6', DAILY_LOSS_LIMIT: '1.5' }));
    assert.ok((fast.summary.rebuilds.ratio ?? 0) > 0 && (fast.summary.rebuilds.drift ?? 0) > 0, JSON.stringify(fast.summary.rebuilds));
    assert.ok(fast.summary.pauses > 0, 'daily-loss pauses');
    assert.ok(fast.summary.perf.trendSteps > 0, 'visits that only recounted the trend were stepped, not ticked');
  });

  it('trending up, with a trading day that starts at 07:00 UTC', async () => {
    const series = syntheticCandles({ kind: 'gbm', days: 4, seed: 3, dailyVolPct: 5, yearlyDriftPct: 2000, startMs: T0 + 3_600_000 * 5 });
    const { fast } = await threeWays(series, testConfig({ DAILY_SUMMARY_HOUR_UTC: '7', GRID_SPACING_PCT: '1.2' }));
    assert.ok(fast.summary.lastPrice > fast.summary.firstPrice * 1.2);
  });

  it('a crash to the stop floor', async () => {
    const series = syntheticCandles({ kind: 'gbm', days: 3, seed: 4, dailyVolPct: 6, yearlyDriftPct: -99.99, startMs: T0 });
    configureLogger({ write: () => undefined }); // the stop is logged at ERROR level
    try {
      const { fast } = await threeWays(series, testConfig({ STOP_FLOOR: '117', DAILY_LOSS_LIMIT: '50' }));
      assert.equal(fast.summary.stopped, true);
    } finally {
      configureLogger({ write: (line) => process.stdout.write(line + '\n') });
    }
  });

  it('accumulation sweeps (non-post-only orders that fill at once) in a wild market', async () => {
    const series = syntheticCandles({ kind: 'ou', days: 3, seed: 3, dailyVolPct: 30, halfLifeDays: 0.2, startMs: T0 });
    const { fast } = await threeWays(
      series,
      testConfig({ MAKER_FEE_PCT: '0.1', GRID_SPACING_PCT: '3', GRID_DRIFT_RESET_PCT: '30', DAILY_LOSS_LIMIT: '4', ACCUMULATION_SWEEP_DAYS: '1', MONTHLY_RESERVE_USD: '0' }),
    );
    assert.ok(fast.summary.dogeAccumulated > 0);
  });

  it('gappy 5-minute candles (hours without trades across day boundaries)', async () => {
    const base = toCandles(syntheticCandles({ kind: 'ou', days: 6, seed: 9, dailyVolPct: 8, halfLifeDays: 1, intervalMs: 300_000, startMs: T0 }));
    // Drop a few long stretches, including ones spanning midnight.
    const gappy = base.filter((c) => {
      const h = (c.time - T0) / 3_600_000;
      return !((h > 20 && h < 30) || (h > 70 && h < 75) || (h > 118 && h < 122));
    });
    const series = seriesFromCandles(gappy);
    assert.equal(series.intervalMs, 300_000, 'interval = most common gap');
    await threeWays(series, testConfig({ GRID_SPACING_PCT: '0.8' }));
  });
});

describe('nextUp', () => {
  it('is the next double', () => {
    for (const x of [1, 0.1, 1.7e12, 43_200_000 + 1.77e12]) {
      const y = nextUp(x);
      assert.ok(y > x);
      assert.equal((x + y) / 2 === x || (x + y) / 2 === y, true, 'nothing in between');
    }
  });
});
