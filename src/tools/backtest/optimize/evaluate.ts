// One candidate on one stretch of candles: the real backtest (runBacktest),
// reduced to the numbers the optimizer ranks and reports. The same function
// runs in the worker threads and in serial mode, so both give the same numbers.
import type { PairInfo } from '../../../exchange/exchange.js';
import { sliceSeries, type CandleSeries } from '../candles.js';
import { backtestConfig, runBacktest } from '../engine.js';
import { scenarioOf, type Candidate } from './space.js';

/** What every evaluation of a search shares: the strategy environment and the pair rules. */
export interface SearchBase {
  env: Record<string, string>;
  pair?: PairInfo;
}

/** A candidate on a window [from, to) of the data (epoch ms, candle start times). */
export interface Job {
  index: number;
  candidate: Candidate;
  from: number;
  to: number;
}

export interface Score {
  /** Completed round trips net of fees. */
  netProfit: number;
  fees: number;
  roundTrips: number;
  /** Final mark-to-market equity minus the capital. */
  equityChange: number;
  /** What holding the capital in the coin from the first open would have made. */
  holdChange: number;
  /** equityChange − holdChange. */
  vsHold: number;
  maxDrawdown: number;
  maxDrawdownPct: number;
  /** 1 if the stop floor stopped trading, else 0; pauses: daily-loss pauses. */
  stops: number;
  pauses: number;
  rebuilds: number;
  candles: number;
  /** Set when the candidate could not run (e.g. a spacing below the fee minimum): ranked last. */
  error?: string;
}

export const OBJECTIVES = {
  equity: (s: Score) => s.equityChange,
  profit: (s: Score) => s.netProfit,
  'risk-adjusted': (s: Score) => s.equityChange - s.maxDrawdown,
} as const;
export type Objective = keyof typeof OBJECTIVES;

export function objectiveValue(objective: Objective, s: Score): number {
  return s.error !== undefined || s.candles === 0 ? -Infinity : OBJECTIVES[objective](s);
}

function failed(error: string): Score {
  return { netProfit: 0, fees: 0, roundTrips: 0, equityChange: 0, holdChange: 0, vsHold: 0, maxDrawdown: 0, maxDrawdownPct: 0, stops: 0, pauses: 0, rebuilds: 0, candles: 0, error };
}

export async function evaluate(series: CandleSeries, base: SearchBase, job: Job): Promise<Score> {
  const part = sliceSeries(series, job.from, job.to);
  if (part.length === 0) return failed('no candles in the window');
  let config;
  const spec = scenarioOf(job.candidate, base.env);
  try {
    config = backtestConfig({ env: spec.env });
  } catch (err) {
    return failed(err instanceof Error ? err.message : String(err));
  }
  const run = await runBacktest(part, { config, levelsPerSide: spec.levelsPerSide, ratioOverride: spec.ratioOverride, ...(base.pair ? { pair: base.pair } : {}) });
  const s = run.summary;
  const holdChange = s.startingCapital * (s.lastPrice / s.firstPrice) - s.startingCapital;
  let rebuilds = 0;
  for (const [k, v] of Object.entries(s.rebuilds)) if (k !== 'startup') rebuilds += v;
  return {
    netProfit: s.netProfit,
    fees: s.fees,
    roundTrips: s.roundTrips,
    equityChange: s.equityChange,
    holdChange,
    vsHold: s.equityChange - holdChange,
    maxDrawdown: s.maxDrawdown,
    maxDrawdownPct: s.maxDrawdownPct,
    stops: s.stopped ? 1 : 0,
    pauses: s.pauses,
    rebuilds,
    candles: s.candles,
  };
}

/** Indices of the scores, best first (ties: the earlier candidate first, so the order is total and repeatable). */
export function rank(scores: readonly Score[], objective: Objective): number[] {
  const v = scores.map((s) => objectiveValue(objective, s));
  return scores.map((_, i) => i).sort((a, b) => (v[b]! > v[a]! ? 1 : v[b]! < v[a]! ? -1 : a - b));
}
