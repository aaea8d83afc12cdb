// Child process of the optimizer speed-up bench: `node optimize-child.js N
// [DAYS] [CONFIGS]` ranks CONFIGS configurations (8 or 16; default 8) over DAYS days
// (default 60) of the volatile synthetic candles with N worker threads (1 = on
// this thread) in a fresh process, as a CLI run would, and prints one JSON
// line: wall time and the process's CPU time (all threads).
import { createRunner } from '../src/tools/backtest/optimize/pool.js';
import { optimize } from '../src/tools/backtest/optimize/search.js';
import { gridCandidates } from '../src/tools/backtest/optimize/space.js';
import { syntheticCandles } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';
import { BENCH_YEARS } from './backtest-years.js';

async function main(): Promise<void> {
  configureLogger({ level: 'ERROR', write: () => undefined });
  const workers = Number(process.argv[2] ?? 1);
  const days = Number(process.argv[3] ?? 60);
  const configs = Number(process.argv[4] ?? 8);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const series = syntheticCandles({ ...BENCH_YEARS.volatile.synthetic, days });
  const spacings = configs >= 16 ? [0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8] : [0.8, 1.0, 1.2, 1.5];
  const candidates = gridCandidates([
    { key: 'spacing', values: spacings },
    { key: 'drift-reset', values: configs >= 24 ? [3, 4, 6] : [4, 6] },
  ]);
  const end = series.time[series.length - 1]! + series.intervalMs;
  const t1 = performance.now();
  const run = createRunner(series, { env: BENCH_YEARS.volatile.env }, { workers });
  await optimize(run, candidates, series.time[0]!, end, 'equity');
  await run.close();
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ workers, days, configs: candidates.length, wallMs: performance.now() - t1, totalMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }) + '\n');
}

void main();
