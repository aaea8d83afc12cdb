// The end of a replay: the analyzers as the bot's stats runner would run
// them (on candle data), and the scenario summary.
import type { Config } from '../../config.js';
import { gridModeOf, spacingModeOf, type GridState } from '../../core/grid-strategy.js';
import { holdValue } from '../../ops/attribution.js';
import { equity, identityError, unrealized } from '../../core/ledger.js';
import type { FillRecord, PricePoint } from '../../core/types.js';
import { newBaseline, runAnalyzers, updateBaseline, type StatsReport } from '../../stats/analyzers.js';
import { lowerBound, toCandles, type CandleSeries } from './candles.js';
import type { BacktestRun, ScenarioSummary } from './types.js';
import { BacktestError } from './errors.js';
import type { PaperBot } from './paper-bot.js';
import { DAY_MS } from './quiet-band.js';
import { iso, type Replay } from './replay.js';

/** The lowest buy and highest sell of the book, as the stats runner reads the grid. */
function gridExtremes(state: GridState): { lowestBuy: number | null; highestSell: number | null } {
  let lowestBuy: number | null = null;
  let highestSell: number | null = null;
  for (const o of state.orders) {
    if (o.side === 'buy') lowestBuy = lowestBuy === null ? o.price : Math.min(lowestBuy, o.price);
    else highestSell = highestSell === null ? o.price : Math.max(highestSell, o.price);
  }
  return { lowestBuy, highestSell };
}

/** The analyzers at endT, over the last 24 h of candles (their closes as the price samples, at the last visit slot). */
export function endAnalyzers(series: CandleSeries, state: GridState, fills: FillRecord[], endT: number, interval: number, slot3: number): StatsReport {
  const { time, close, length: n } = series;
  const from24 = lowerBound(time, endT - DAY_MS);
  const prices: PricePoint[] = [];
  for (let i = from24; i < n; i++) prices.push({ time: time[i]! + slot3, price: close[i]! });
  const candles = toCandles(series, from24, n);
  const { lowestBuy, highestSell } = gridExtremes(state);
  const baseline = updateBaseline(newBaseline(state.startedAt), fills, endT);
  return runAnalyzers({
    now: endT,
    fills: state.fills,
    roundTripProfits: state.roundTripProfits,
    prices,
    candles,
    grid: { center: state.center, spacingPct: state.settings.spacingPct, lowestBuy, highestSell, levelsPerSide: state.levelsPerSide },
    pollIntervalSec: interval / 1000,
    baseline,
  });
}

export interface SummaryInput {
  series: CandleSeries;
  config: Config;
  interval: number;
  bot: PaperBot;
  replay: Replay;
  stats: StatsReport;
  replayMs: number;
}

/** The scenario's numbers at the last close (the ledger identity is checked first). */
export function buildSummary({ series, config, interval, bot, replay, stats, replayMs }: SummaryInput): ScenarioSummary {
  const { time, open, close, length: n } = series;
  const { state, tally } = bot;
  const lastPrice = close[n - 1]!;
  const ledger = state.ledger;
  if (identityError(ledger, lastPrice) > 1e-9) throw new BacktestError('ledger identity broken at the end of the replay');
  const days = (time[n - 1]! + interval - time[0]!) / DAY_MS;
  const finalEquity = equity(ledger, lastPrice);
  const fills = tally.fills.length;
  return {
    spacingPct: state.settings.spacingPct,
    gridMode: gridModeOf(state.settings, { gridMode: config.gridMode }),
    spacingMode: spacingModeOf(state.settings, { spacingMode: config.gridSpacingMode }),
    vsHold: finalEquity - holdValue(ledger.startingCapital, state.firstPrice ?? open[0]!, lastPrice),
    orders: { ...bot.ops },
    levelsPerSide: state.levelsPerSide,
    levelsOverride: bot.levelsOverride,
    candles: n,
    intervalMs: interval,
    from: iso(time[0]!),
    to: iso(time[n - 1]! + interval),
    days,
    firstPrice: open[0]!,
    lastPrice,
    startingCapital: ledger.startingCapital,
    makerFeePct: config.makerFeePct,
    netProfit: state.profit.total,
    roundTrips: state.profit.roundTrips,
    fees: state.profit.fees,
    fills,
    fillsPerDay: days > 0 ? fills / days : 0,
    finalEquity,
    equityChange: finalEquity - ledger.startingCapital,
    realized: ledger.realized,
    unrealized: unrealized(ledger, lastPrice),
    maxDrawdown: replay.curve.maxDd,
    maxDrawdownPct: replay.curve.maxDdPct * 100,
    cash: ledger.cash,
    inventory: ledger.inventory,
    inventoryValue: ledger.inventory * lastPrice,
    dogeAccumulated: state.profit.dogeAccumulated,
    rebuilds: tally.rebuilds,
    pauses: tally.pauses,
    stopped: state.risk.stopped,
    stoppedAt: tally.stoppedAt === null ? null : iso(tally.stoppedAt),
    stopReason: state.risk.stopReason,
    warnings: tally.warnings,
    errors: tally.errors,
    health: { verdict: stats.health.verdict, summary: stats.health.summary },
    analyzers: stats.analyzers.map((a) => ({ name: a.name, verdict: a.verdict, summary: a.summary })),
    perf: { realTicks: replay.realTicks, trendSteps: replay.trendSteps, replayMs, candlesPerSecond: replayMs > 0 ? (n / replayMs) * 1000 : 0 },
  };
}

/** Analyzers and summary at the end of the last candle (the replay clock is moved there). */
export function finishRun(input: Omit<SummaryInput, 'stats'> & { slot3: number }): BacktestRun {
  const { series, bot, interval, slot3 } = input;
  const endT = series.time[series.length - 1]! + slot3;
  bot.clock.t = endT;
  const stats = endAnalyzers(series, bot.state, bot.tally.fills, endT, interval, slot3);
  const summary = buildSummary({ ...input, stats });
  return { summary, state: bot.state, fills: bot.tally.fills, stats, exchange: bot.exchange };
}
