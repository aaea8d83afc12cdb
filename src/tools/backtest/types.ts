// The shapes a backtest takes and gives back (options, the per-scenario
// summary, the whole run), apart from the engine so its parts can share them.
import type { Config } from '../../config.js';
import type { PairInfo } from '../../exchange/exchange.js';
import type { GridState } from '../../core/grid-strategy.js';
import type { PaperExchange } from '../../exchange/paper-exchange.js';
import type { StatsReport } from '../../stats/analyzers.js';
import type { TraderEvent } from '../../core/trading/events.js';
import type { FillRecord } from '../../core/types.js';

export interface BacktestOptions {
  config: Config;
  /** Levels per side instead of the adaptive count (needs the Trader hook; throws BacktestError otherwise). */
  levelsPerSide?: number | null;
  /** A fixed buy/sell ratio from the start (what `/ratio 0.6` sets in the bot); null/absent = automatic from the trend. */
  ratioOverride?: number | null;
  /** Pair rules (decimals, minimums). Default: the reference fallbacks (ordermin 13 DOGE, costmin $0.50). */
  pair?: PairInfo;
  /** Deployment id; client order ids derive from it. */
  botId?: string;
  /** Skip visits inside the quiet band (default true). */
  fastPath?: boolean;
  /** Run every visit and check the skippable ones changed nothing (slow; tests). */
  verify?: boolean;
  /** Every trading event, as the bot's notifier would see it. */
  onEvent?: (e: TraderEvent) => void;
  /** Stamp log lines with the replay's clock while it runs (the logger is global; restored to the wall clock after). */
  logReplayTime?: boolean;
}

export interface ScenarioSummary {
  spacingPct: number;
  /** GRID_MODE and GRID_SPACING_MODE of the run. */
  gridMode: string;
  spacingMode: string;
  /** Final equity minus the hold benchmark (half the capital in DOGE at the first price, half in USD; see ops/attribution.ts). */
  vsHold: number;
  /** Order operations sent to the paper exchange (a proxy for Kraken's rate-limit cost). */
  orders: { placed: number; cancelled: number; amended: number };
  /** Levels per side of the last grid built. */
  levelsPerSide: number;
  levelsOverride: number | null;
  candles: number;
  intervalMs: number;
  from: string;
  to: string;
  days: number;
  firstPrice: number;
  lastPrice: number;
  startingCapital: number;
  makerFeePct: number;
  /** Sum of completed round trips, net of both fees (what the bot reports as total profit). */
  netProfit: number;
  roundTrips: number;
  /** Every fee paid (all fills). */
  fees: number;
  fills: number;
  fillsPerDay: number;
  /** Mark-to-market equity at the last close, and its change from the starting capital (includes inventory gains/losses). */
  finalEquity: number;
  equityChange: number;
  realized: number;
  unrealized: number;
  /** Largest fall of mark-to-market equity from a previous peak, over every visited price. */
  maxDrawdown: number;
  maxDrawdownPct: number;
  cash: number;
  inventory: number;
  inventoryValue: number;
  dogeAccumulated: number;
  rebuilds: Record<string, number>;
  pauses: number;
  stopped: boolean;
  /** When the stop floor stopped trading (the inventory is kept and still marked to market afterwards). */
  stoppedAt: string | null;
  stopReason: string | null;
  warnings: number;
  errors: number;
  health: { verdict: string; summary: string };
  analyzers: { name: string; verdict: string; summary: string }[];
  /** realTicks: Trader.tick() calls; trendSteps: visits that only recounted the 12 h trend (Replay.trendStep). */
  perf: { realTicks: number; trendSteps: number; replayMs: number; candlesPerSecond: number };
}

export interface BacktestRun {
  summary: ScenarioSummary;
  /** The Trader's state at the end (the same shape the bot persists). */
  state: GridState;
  /** Every fill, in order (the state keeps only the last 10,000 or so: MAX_FILLS_KEPT). */
  fills: FillRecord[];
  stats: StatsReport;
  exchange: PaperExchange;
}
