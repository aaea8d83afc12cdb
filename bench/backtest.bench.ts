// Benchmark: one year of synthetic 1-minute candles (525,600) through the
// backtester — the real Trader and PaperExchange, with the quiet-band fast
// path — at the default spacing (1 %). Median of 3 runs of the replay
// (candle generation and the final analyzer run are not timed). Reported for
// a mean-reverting (OU) year and a trending (GBM, +200 %/year median) year.
//
// Run alone: node dist/bench/backtest.bench.js
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { backtestConfig, runBacktest } from '../src/tools/backtest/engine.js';
import { syntheticCandles, type SyntheticOptions } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const YEAR: Omit<SyntheticOptions, 'kind'> = { days: 365, seed: 1 };

async function medianReplay(opts: SyntheticOptions, runs = 3): Promise<{ candlesPerSecond: number; ms: number; realTicks: number; candles: number }> {
  const series = syntheticCandles(opts);
  const config = backtestConfig({ spacingPct: 1.0 });
  const samples: { ms: number; realTicks: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await runBacktest(series, { config });
    samples.push({ ms: r.summary.perf.replayMs, realTicks: r.summary.perf.realTicks });
  }
  samples.sort((a, b) => a.ms - b.ms);
  const mid = samples[Math.floor(samples.length / 2)]!;
  return { candlesPerSecond: (series.length / mid.ms) * 1000, ms: mid.ms, realTicks: mid.realTicks, candles: series.length };
}

export async function benchBacktest(): Promise<BenchResult[]> {
  configureLogger({ level: 'ERROR' });
  const ou = await medianReplay({ kind: 'ou', ...YEAR });
  const gbm = await medianReplay({ kind: 'gbm', yearlyDriftPct: 200, ...YEAR });
  return [
    { name: 'backtest: 1 y of 1-min candles, OU (median of 3)', value: ou.candlesPerSecond, unit: 'candles/s', target: '≥ 1,000,000' },
    { name: 'backtest: same, wall time per year', value: ou.ms, unit: 'ms' },
    { name: 'backtest: ticks run (rest skipped)', value: ou.realTicks, unit: 'ticks' },
    { name: 'backtest: 1 y of 1-min candles, GBM trend', value: gbm.candlesPerSecond, unit: 'candles/s', target: '≥ 1,000,000' },
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchBacktest().then(
    (rows) => {
      for (const r of rows) process.stdout.write(`${r.name.padEnd(52)} ${Math.round(r.value).toLocaleString('en-US').padStart(12)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}\n`);
    },
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
