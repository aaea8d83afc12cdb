// The replay: OHLC candles through the real trading code — the dry-run bot as
// Bot.create builds it (Trader, PaperExchange, fresh state), one
// Trader.tick() per visited price, on a fake clock. Nothing here decides
// anything about trading; it only chooses which prices to show the Trader and
// when.
//
// Inside a candle the price visits, in this order: the open, then whichever
// of high and low is nearer to the open (the low on a tie), then the other
// extreme, then the close. The four visits happen at the candle's start plus
// 0, ¼, ½ and ¾ of the candle length (whole milliseconds). A visit at the same
// price as the previous visit of the same candle is the same tick (so a candle
// with open = high = low = close is exactly one tick at its start, like one
// poll of the live loop). Each visit is one `Trader.tick()` — unless the fast
// path proves the tick would do nothing:
//
// The quiet band. After every real tick the engine derives, from the state
// the Trader left behind, the open interval (lo, hi) of prices and the time
// `next` before which a tick can change nothing:
//   - lo/hi: the highest open buy and lowest open sell (the paper exchange
//     fills nothing strictly between them); the drift-rebuild limits
//     center × (1 ± GRID_DRIFT_RESET_PCT %) while trading; the prices at which
//     mark-to-market equity would reach the stop floor or today's loss limit
//     (equity = cash + inventory × price is monotone in the price);
//   - next: the next trading-day boundary, the moment the oldest fill of the
//     last 12 h leaves the trend window, the next accumulation sweep;
//   - and "tick at once" whenever an order is not plainly resting (pending or
//     unknown placement, or a non-post-only accumulation order that the paper
//     exchange may already have filled).
// A visit strictly inside (lo, hi) before `next` is skipped; a whole candle is
// skipped with three comparisons when low > lo, high < hi and its last visit
// is before `next`. The moment a fill leaves the 12 h trend window is kept
// apart (`trendNext`): a visit inside the band after it only recounts the
// trend, which the replay does itself (Replay.trendStep: computeTrend, stored
// when it changed, as the tick would) unless the new ratio calls for a
// rebuild — about half the ticks of a volatile year. All margins are inward (a doubtful visit runs the real
// tick), and a real tick inside the band is a no-op, so skipping never changes
// a fill, a rebuild or the ledger. The only thing skipped visits do not leave
// behind is their price sample in `state.priceHistory` (and
// `state.lastPrice`), which no trading rule reads; the analyzers get candle
// closes instead. `fastPath: false` runs every visit; `verify: true` runs every
// visit and checks that each one the fast path would have skipped changed
// nothing (tests use both). Even with the fast path, one skippable candle in
// 2048 is ticked and checked the same way, and the replay stops with an error
// if such a tick changes anything.
//
// The pieces: paper-bot.ts builds the dry-run bot and counts its events,
// replay.ts runs the candle loop (visits, fast path, audit, equity curve),
// quiet-band.ts derives the band, summary.ts runs the analyzers and assembles
// the scenario summary.
import os from 'node:os';
import { loadConfig, type Config } from '../../config.js';
import { configureLogger } from '../../util/log.js';
import { strategyConfig } from '../../core/trader.js';
import type { CandleSeries } from './candles.js';
import { BacktestError, LEVELS_UNSUPPORTED } from './errors.js';
import { createPaperBot } from './paper-bot.js';
import { QuietBand } from './quiet-band.js';
import { Replay, visitSlots } from './replay.js';
import { finishRun } from './summary.js';

export { BacktestError, LEVELS_OVERRIDE_FIELD, LEVELS_UNSUPPORTED } from './errors.js';
export { nextUp } from './quiet-band.js';

/**
 * Node flags of a backtest process (package.json's `backtest` script, the
 * benchmark's children). A replay makes many short-lived objects: a 2 MB
 * young generation instead of V8's 16 MB keeps a year's peak RSS about 25 MB
 * lower at the same speed (1 MB: more scavenges, no lower; 4 MB: ~3 MB
 * higher). One V8 helper thread instead of four saves another ~3 MB of thread
 * stacks and allocator arenas and was no slower on two cores, for the
 * optimizer's worker threads too.
 */
export const BACKTEST_SEMI_SPACE_MB = 2;
export const BACKTEST_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${BACKTEST_SEMI_SPACE_MB}`, '--v8-pool-size=1'];

/** Environment variables of the bot that shape the strategy; a backtest reads these and nothing else. */
export const STRATEGY_ENV_VARS = [
  'STARTING_CAPITAL',
  'MAKER_FEE_PCT',
  'GRID_SPACING_PCT',
  'STOP_FLOOR',
  'DAILY_LOSS_LIMIT',
  'GRID_DRIFT_RESET_PCT',
  'DAILY_SUMMARY_HOUR_UTC',
  'MONTHLY_RESERVE_USD',
  'ACCUMULATION_SWEEP_DAYS',
  'ORDER_SIZE_USD',
  'GRID_LEVELS',
  'PAIR',
  'START_PRICE',
  'TAKE_PROFIT_EQUITY',
  'STOP_ACTION',
  'PROFIT_MODE',
  'GRID_MODE',
  'GRID_SPACING_MODE',
  'TRAIL_UP_LIMIT',
  'TRAIL_DOWN_LIMIT',
] as const;

/** A Config for one scenario through the real loadConfig (same validation, e.g. spacing ≥ fees + 0.1). */
export function backtestConfig(
  opts: { spacingPct?: number; capital?: number; makerFeePct?: number; gridMode?: string; spacingMode?: string; env?: Record<string, string | undefined> } = {},
): Config {
  const env: Record<string, string> = { DRY_RUN: 'true', LOG_DIR: os.tmpdir(), HEALTH_PORT: '0', LOG_LEVEL: 'ERROR' };
  for (const k of STRATEGY_ENV_VARS) {
    const v = opts.env?.[k];
    if (v !== undefined) env[k] = v;
  }
  if (opts.capital !== undefined) env.STARTING_CAPITAL = String(opts.capital);
  if (opts.makerFeePct !== undefined) env.MAKER_FEE_PCT = String(opts.makerFeePct);
  if (opts.spacingPct !== undefined) env.GRID_SPACING_PCT = String(opts.spacingPct);
  if (opts.gridMode !== undefined) env.GRID_MODE = opts.gridMode;
  if (opts.spacingMode !== undefined) env.GRID_SPACING_MODE = opts.spacingMode;
  return loadConfig(env);
}

export type { BacktestOptions, BacktestRun, ScenarioSummary } from './types.js';
import type { BacktestOptions, BacktestRun } from './types.js';

export async function runBacktest(series: CandleSeries, opts: BacktestOptions): Promise<BacktestRun> {
  const n = series.length;
  if (n === 0) throw new BacktestError('no candles to replay');
  const { interval, slots } = visitSlots(series.intervalMs);
  const config = opts.config;
  const cfg = strategyConfig(config);
  if (!config.dryRun) throw new BacktestError('a backtest needs a dry-run configuration (DRY_RUN=true)');
  const bot = createPaperBot(opts, series.time[0]!);
  const replay = new Replay(series, bot, new QuietBand(cfg), slots, { fast: opts.fastPath !== false && !opts.verify, verify: opts.verify === true });

  const started = performance.now();
  if (opts.logReplayTime) configureLogger({ now: bot.clock.now });
  try {
    await replay.run();
  } finally {
    if (opts.logReplayTime) configureLogger({ now: Date.now });
  }
  const replayMs = performance.now() - started;
  if (bot.tally.levelsIgnored) throw new BacktestError(LEVELS_UNSUPPORTED);
  return finishRun({ series, config, interval, bot, replay, replayMs, slot3: slots[3] });
}
