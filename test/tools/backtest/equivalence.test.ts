// Same answers as the live loop: the dry-run bot ticked over a price path and
// the backtest over the same path expressed as candles must book identical
// fills (time, side, price, volume, fee, level, profit, order id), the same
// ledger and profit, and leave the same grid and paper account behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seriesFromCandles, toCandles } from '../../../src/tools/backtest/candles.js';
import { runBacktest, type BacktestRun } from '../../../src/tools/backtest/engine.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import type { Config } from '../../../src/config.js';
import { configureLogger } from '../../../src/util/log.js';
import type { TraderEvent } from '../../../src/core/trading/events.js';
import type { Candle } from '../../../src/core/types.js';
import { meanRevertingPath, testConfig } from '../../support/core.js';
import { candleVisits, paperBook, removeDir, runLiveBot, tradingState, type LiveRun, type Visit } from '../../support/backtest-live.js';

const BOT_ID = 'e9a1c3d5f7b2e4a6c8d0';

function assertSameOutcome(live: LiveRun, bt: BacktestRun, label: string): void {
  assert.ok(live.fills.length > 0, `${label}: the path produced fills`);
  assert.equal(bt.fills.length, live.fills.length, `${label}: number of fills`);
  for (let i = 0; i < live.fills.length; i++) assert.deepEqual(bt.fills[i], live.fills[i], `${label}: fill ${i}`);
  const ls = live.bot.state;
  const bs = bt.state;
  assert.deepEqual(bs.profit, ls.profit, `${label}: profit`);
  assert.deepEqual(bs.ledger, ls.ledger, `${label}: ledger`);
  assert.deepEqual(tradingState(bs), tradingState(ls), `${label}: whole trading state`);
  assert.deepEqual(paperBook(bt.exchange), paperBook(live.bot.exchange as typeof bt.exchange), `${label}: paper account`);
}

function count(events: readonly TraderEvent[], pred: (e: TraderEvent) => boolean): number {
  return events.filter(pred).length;
}

async function compare(config: Config, candles: Candle[], intervalMs: number, visits: Visit[], label: string): Promise<{ live: LiveRun; bt: BacktestRun }> {
  const live = await runLiveBot(config, visits, BOT_ID);
  try {
    const bt = await runBacktest(seriesFromCandles(candles, intervalMs), { config, botId: BOT_ID });
    assertSameOutcome(live, bt, label);
    return { live, bt };
  } finally {
    removeDir(config.logDir);
  }
}

describe('backtest = live dry-run loop', () => {
  it('30 s polls of a mean-reverting path, one flat candle per poll (drift and ratio rebuilds, day rolls)', async () => {
    const STEP = 30_000;
    const STEPS = 3 * 2880;
    const T0 = Date.parse('2026-03-02T08:00:00Z');
    const priceAt = meanRevertingPath({ seed: 7, start: T0, steps: STEPS + 1, stepMs: STEP, p0: 0.1, volPerStep: 0.0016, reversion: 0.004, shifts: [{ at: 2000, factor: 1.09 }] });
    const visits: Visit[] = [];
    const candles: Candle[] = [];
    for (let i = 0; i <= STEPS; i++) {
      const t = T0 + i * STEP;
      const p = priceAt(t);
      visits.push({ time: t, price: p });
      candles.push({ time: t, open: p, high: p, low: p, close: p, volume: 1 });
    }
    assert.deepEqual(candleVisits(candles, STEP), visits, 'a flat candle is one visit at its start');
    const { live } = await compare(testConfig(), candles, STEP, visits, 'flat 30 s candles');
    assert.ok(count(live.events, (e) => e.type === 'grid_built' && e.reason === 'drift') >= 1, 'a drift rebuild happened');
    assert.ok(count(live.events, (e) => e.type === 'grid_built' && e.reason === 'ratio') >= 1, 'a ratio rebuild happened');
    assert.ok(count(live.events, (e) => e.type === 'round_trip') >= 20, 'round trips happened');
    assert.ok(count(live.events, (e) => e.type === 'daily_summary') >= 2, 'days rolled');
  });

  it('a tick-level path expressed as 1-minute candles (open, nearer extreme, other extreme, close), with pauses and accumulation sweeps', async () => {
    const INTERVAL = 60_000;
    const series = syntheticCandles({ kind: 'ou', days: 3, seed: 3, dailyVolPct: 30, halfLifeDays: 0.2, startMs: Date.parse('2026-05-04T13:00:00Z') });
    const candles = toCandles(series);
    const visits = candleVisits(candles, INTERVAL);
    assert.ok(visits.length > 3.5 * candles.length, 'most candles are four visits');
    // A wild market with a wide grid (so round trips earn enough to sweep), a tight
    // daily loss limit (pauses) and a daily accumulation sweep without a reserve.
    const config = testConfig({ MAKER_FEE_PCT: '0.1', GRID_SPACING_PCT: '3', GRID_DRIFT_RESET_PCT: '30', DAILY_LOSS_LIMIT: '4', ACCUMULATION_SWEEP_DAYS: '1', MONTHLY_RESERVE_USD: '0' });
    const { live } = await compare(config, candles, INTERVAL, visits, '1-minute candles');
    assert.ok(count(live.events, (e) => e.type === 'risk' && e.action === 'pause') >= 1, 'the daily loss limit paused trading');
    assert.ok(count(live.events, (e) => e.type === 'accumulation') >= 1, 'profit was swept into DOGE');
    assert.ok(live.bot.state.profit.dogeAccumulated > 0);
    assert.ok(count(live.events, (e) => e.type === 'grid_built' && e.reason === 'ratio') >= 1, 'a ratio rebuild happened');
  });

  it('a falling market down to the stop floor', async () => {
    const INTERVAL = 60_000;
    const series = syntheticCandles({ kind: 'gbm', days: 2, seed: 4, dailyVolPct: 6, yearlyDriftPct: -99.99, startMs: Date.parse('2026-01-10T00:00:00Z') });
    const candles = toCandles(series);
    const config = testConfig({ STOP_FLOOR: '117', DAILY_LOSS_LIMIT: '50' });
    configureLogger({ write: () => undefined }); // the stop is logged at ERROR level
    let outcome: Awaited<ReturnType<typeof compare>>;
    try {
      outcome = await compare(config, candles, INTERVAL, candleVisits(candles, INTERVAL), 'stop floor');
    } finally {
      configureLogger({ write: (line) => process.stdout.write(line + '\n') });
    }
    const { live, bt } = outcome;
    assert.equal(live.bot.state.risk.stopped, true, 'the stop floor stopped trading');
    assert.equal(bt.summary.stopped, true);
  });

  it('each profit mode (compound, fixed; accumulate is the default above) books the same as the live loop, and compound sizes bigger after a profit', async () => {
    const INTERVAL = 60_000;
    const series = syntheticCandles({ kind: 'ou', days: 3, seed: 3, dailyVolPct: 30, halfLifeDays: 0.2, startMs: Date.parse('2026-05-04T13:00:00Z') });
    const candles = toCandles(series);
    const visits = candleVisits(candles, INTERVAL);
    const sizes: Record<string, number[]> = {};
    for (const mode of ['compound', 'fixed']) {
      const config = testConfig({ MAKER_FEE_PCT: '0.1', GRID_SPACING_PCT: '3', GRID_DRIFT_RESET_PCT: '30', DAILY_LOSS_LIMIT: '50', PROFIT_MODE: mode });
      const { live } = await compare(config, candles, INTERVAL, visits, `PROFIT_MODE=${mode}`);
      sizes[mode] = live.events.flatMap((e) => (e.type === 'grid_built' ? [e.orderSizeUsd] : []));
      assert.equal(count(live.events, (e) => e.type === 'accumulation'), 0, `${mode}: no sweep into DOGE`);
      assert.ok(live.bot.state.profit.total > 0, `${mode}: a profitable run`);
    }
    assert.ok(sizes.fixed!.length >= 2 && sizes.fixed!.every((x) => x === sizes.fixed![0]), `fixed keeps its order size: ${sizes.fixed!.join(', ')}`);
    assert.ok(sizes.compound!.at(-1)! > sizes.compound![0]!, `compound grows its order size: ${sizes.compound!.join(', ')}`);
  });

  it('START_PRICE, TAKE_PROFIT_EQUITY and STOP_ACTION=sell: waiting, the take-profit stop and the sell-on-stop book the same as the live loop', async () => {
    const INTERVAL = 60_000;
    // Flat at 0.1, a rise across the start price 0.101 and on to 0.115 (the take-profit), then choppy around 0.113.
    const T = Date.parse('2026-02-10T00:00:00Z');
    const closes: number[] = [];
    for (let i = 0; i < 20; i++) closes.push(0.1);
    for (let i = 1; i <= 200; i++) closes.push(0.1 + (0.015 * i) / 200);
    for (let i = 0; i < 200; i++) closes.push(0.113 + 0.0015 * Math.sin(i / 3));
    const candles: Candle[] = closes.map((c, i) => {
      const open = i === 0 ? c : closes[i - 1]!;
      return { time: T + i * INTERVAL, open, high: Math.max(open, c) * 1.0004, low: Math.min(open, c) * 0.9996, close: c, volume: 1 };
    });
    const config = testConfig({ START_PRICE: '0.101', TAKE_PROFIT_EQUITY: '123', STOP_ACTION: 'sell', DAILY_LOSS_LIMIT: '50' });
    const { live, bt } = await compare(config, candles, INTERVAL, candleVisits(candles, INTERVAL), 'start price, take-profit, sell');
    const s = live.bot.state;
    assert.ok(count(live.events, (e) => e.type === 'start_price') === 1, 'the start price was crossed once');
    assert.match(s.risk.stopReason ?? '', /^take-profit/);
    assert.equal(s.exit?.phase, 'done', 'the sell-on-stop finished');
    assert.ok(s.exit!.sold > 0);
    assert.deepEqual(bt.state.exit, s.exit);
  });

  // Issue 14: each new mode, on a trending path (the trailing grid moves, the quiet band must see its triggers).
  for (const [gridMode, spacingMode] of [['trailing', 'arithmetic'], ['drift', 'geometric'], ['trailing', 'geometric']] as const) {
    it(`GRID_MODE=${gridMode}, GRID_SPACING_MODE=${spacingMode}: a rise then a fall as 1-minute candles`, async () => {
      const INTERVAL = 60_000;
      // At $1 the adaptive grid has 3 levels per side: the path rises 12 % and falls back 15 % with small swings, so it leaves the grid both ways.
      const T = Date.parse('2026-02-02T00:00:00Z');
      const path = (i: number) => (i < 720 ? 1 + 0.12 * (i / 720) : 1.12 - 0.15 * ((i - 720) / 720)) * (1 + 0.004 * Math.sin(i / 9));
      const candles: Candle[] = [];
      for (let i = 0; i < 1440; i++) {
        const open = path(i);
        const close = path(i + 1);
        const wiggle = 0.0015 * Math.abs(Math.sin(i * 1.7));
        candles.push({ time: T + i * INTERVAL, open, high: Math.max(open, close) * (1 + wiggle), low: Math.min(open, close) * (1 - wiggle), close, volume: 1 });
      }
      const config = testConfig({ GRID_MODE: gridMode, GRID_SPACING_MODE: spacingMode, DAILY_LOSS_LIMIT: '50', STOP_FLOOR: '50' });
      const { live } = await compare(config, candles, INTERVAL, candleVisits(candles, INTERVAL), `${gridMode}/${spacingMode}`);
      const s = live.bot.state;
      if (gridMode === 'trailing') {
        assert.ok((s.trail?.moves ?? 0) >= 3, `the trailing grid moved (${s.trail?.moves ?? 0})`);
        assert.equal(count(live.events, (e) => e.type === 'grid_built' && e.reason === 'drift'), 0, 'never a drift rebuild');
      } else assert.ok(count(live.events, (e) => e.type === 'grid_built' && e.reason === 'drift') >= 1, 'a drift rebuild happened');
    });
  }
});
