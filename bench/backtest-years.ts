// The two synthetic years the backtest benchmarks replay, defined once:
// - calm: mean-reverting (OU) 1-minute candles, 4 % daily volatility, the
//   default configuration (most candles take the quiet-band fast path);
// - volatile: OU with 9 % daily volatility (about 22,000 fills and 1,200
//   grid rebuilds in the year at 1 % spacing), with a stop floor and daily
//   loss limit far enough that trading never stops, so the whole year runs
//   the slow path (candles that cross a level or trigger a rebuild).
import type { SyntheticOptions } from '../src/tools/backtest/synthetic.js';

export interface BenchYear {
  name: 'calm' | 'volatile';
  synthetic: SyntheticOptions;
  /** Strategy environment for backtestConfig (spacing 1 %). */
  env: Record<string, string>;
}

export const BENCH_YEARS: Record<'calm' | 'volatile', BenchYear> = {
  calm: { name: 'calm', synthetic: { kind: 'ou', days: 365, seed: 1 }, env: {} },
  volatile: { name: 'volatile', synthetic: { kind: 'ou', days: 365, seed: 1, dailyVolPct: 9, halfLifeDays: 3 }, env: { STOP_FLOOR: '20', DAILY_LOSS_LIMIT: '100' } },
};

/** The candles as CSV text rows (timestamp in unix seconds), for the streaming-parse memory bench. */
export function csvRows(time: Float64Array, open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += `${time[i]! / 1000},${open[i]},${high[i]},${low[i]},${close[i]},${volume[i]!.toFixed(2)}\n`;
  return out;
}
