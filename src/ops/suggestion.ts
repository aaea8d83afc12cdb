// The contract between the running bot and the suggestion process (a small
// walk-forward backtest on the bot's own recent candles, run off the trading
// loop): what is asked, and what comes back. Plain data only (it crosses a
// process boundary); the search itself lives in tools/backtest/optimize.
import type { Config } from '../config.js';
import type { Settings } from '../core/grid-strategy.js';
import { RATIO_MAX, RATIO_MIN, SPACING_MAX_PCT } from '../core/limits.js';
import type { Candle } from '../core/types.js';

export interface SuggestRequest {
  /** The bot's recent candles, oldest first (5-minute OHLC). */
  candles: Candle[];
  /** The bot's strategy environment (STARTING_CAPITAL, MAKER_FEE_PCT, STOP_FLOOR, …). */
  env: Record<string, string>;
  /** What the bot runs with now. */
  current: { spacingPct: number; driftResetPct: number; ratioOverride: number | null };
  /** The smallest spacing the controls accept. */
  minSpacingPct: number;
  trainMs: number;
  testMs: number;
}

export interface SuggestionProposal {
  spacingPct: number;
  /** A fixed ratio, 'auto', or null to leave the ratio as it is. */
  ratio: number | 'auto' | null;
}

export interface SuggestResult {
  /** better: a configuration beat the current one out of sample; keep: it did not; no_data: too few candles. */
  verdict: 'better' | 'keep' | 'no_data';
  /** The evidence, one line each (plain text: the numbers of the walk-forward). */
  evidence: string[];
  proposal: SuggestionProposal | null;
  /** Out-of-sample equity change summed over the test windows: the chosen configurations and the current one. */
  outOfSample: { chosen: number; current: number; wins: number; windows: number } | null;
}

/**
 * Candles further apart than this mean the bot was not collecting (down, or
 * Kraken unreachable): replayed across, the gap would be one instant jump.
 */
export const MAX_CANDLE_GAP_MS = 30 * 60_000;

/** The candles after the newest gap longer than MAX_CANDLE_GAP_MS (all of them when there is none). */
export function sinceLastGap(candles: readonly Candle[]): Candle[] {
  for (let i = candles.length - 1; i > 0; i--) if (candles[i]!.time - candles[i - 1]!.time > MAX_CANDLE_GAP_MS) return candles.slice(i);
  return candles.slice();
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * What is wrong with an answer that claims to be a SuggestResult (null: it is
 * one). The answer crosses a process boundary: a malformed one must be a failed
 * suggestion, never an exception in the trading process or a proposal of NaN.
 */
export function suggestResultProblem(x: unknown): string | null {
  if (typeof x !== 'object' || x === null) return 'not an object';
  const r = x as Record<string, unknown>;
  if (r.verdict !== 'better' && r.verdict !== 'keep' && r.verdict !== 'no_data') return `verdict ${JSON.stringify(r.verdict)}`;
  if (!Array.isArray(r.evidence) || !r.evidence.every((l) => typeof l === 'string')) return 'evidence is not a list of lines';
  const p = r.proposal as Record<string, unknown> | null | undefined;
  if (p !== null && (typeof p !== 'object' || p === undefined)) return 'proposal is neither null nor an object';
  if (p && !(finite(p.spacingPct) && p.spacingPct > 0 && p.spacingPct <= SPACING_MAX_PCT)) return `proposed spacing ${JSON.stringify(p.spacingPct)}`;
  if (p && !(p.ratio === null || p.ratio === 'auto' || (finite(p.ratio) && p.ratio >= RATIO_MIN && p.ratio <= RATIO_MAX))) return `proposed ratio ${JSON.stringify(p.ratio)}`;
  if (r.verdict === 'better' && !p) return 'verdict better without a proposal';
  const o = r.outOfSample as Record<string, unknown> | null | undefined;
  if (o !== null && !(typeof o === 'object' && o !== undefined && [o.chosen, o.current, o.wins, o.windows].every(finite))) return 'outOfSample is neither null nor four numbers';
  return null;
}

/** Runs a suggestion off the trading loop (a child process in the bot; a stub in tests). */
export type SuggestRunner = (req: SuggestRequest) => Promise<SuggestResult>;

/** Walk-forward lengths the bot uses: train 2 days, test 12 hours, over at most 14 days of candles. */
export const SUGGEST_TRAIN_MS = 2 * 86_400_000;
export const SUGGEST_TEST_MS = 12 * 3_600_000;
export const SUGGEST_HISTORY_MS = 14 * 86_400_000;

/**
 * The strategy variables of a running bot, as a backtest reads them: the walk-forward replays the bot as it
 * trades now. Sizing stays adaptive unless the operator set ORDER_SIZE_USD / GRID_LEVELS (a value present in
 * the env counts as set); the grid and spacing modes and the profit mode are the ones in force (a run-time
 * change saved in the settings wins). START_PRICE, TAKE_PROFIT_EQUITY and STOP_ACTION are left out: they
 * are about this bot's start and end, not about how a grid trades a recent window.
 */
export function strategyEnvOf(c: Config, settings: Pick<Settings, 'gridMode' | 'spacingMode' | 'profitMode'>): Record<string, string> {
  const env: Record<string, string> = {
    STARTING_CAPITAL: String(c.startingCapital),
    MAKER_FEE_PCT: String(c.makerFeePct),
    GRID_SPACING_PCT: String(c.gridSpacingPct),
    STOP_FLOOR: String(c.stopFloor),
    DAILY_LOSS_LIMIT: String(c.dailyLossLimit),
    GRID_DRIFT_RESET_PCT: String(c.gridDriftResetPct),
    DAILY_SUMMARY_HOUR_UTC: String(c.dailySummaryHourUtc),
    MONTHLY_RESERVE_USD: String(c.monthlyReserveUsd),
    ACCUMULATION_SWEEP_DAYS: String(c.accumulationSweepDays),
    PAIR: c.pair,
    GRID_MODE: settings.gridMode ?? c.gridMode,
    GRID_SPACING_MODE: settings.spacingMode ?? c.gridSpacingMode,
    PROFIT_MODE: settings.profitMode ?? c.profitMode ?? 'accumulate',
  };
  if (c.orderSizeExplicit) env.ORDER_SIZE_USD = String(c.orderSizeUsd);
  if (c.gridLevelsExplicit) env.GRID_LEVELS = String(c.gridLevels);
  if (c.trailUpLimit !== null) env.TRAIL_UP_LIMIT = String(c.trailUpLimit);
  if (c.trailDownLimit !== null) env.TRAIL_DOWN_LIMIT = String(c.trailDownLimit);
  return env;
}
