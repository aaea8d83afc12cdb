// Child process of the optimizer speed-up bench: `node optimize-child.js N`
// ranks 8 configurations over 60 days of the volatile synthetic candles with N
// worker threads (1 = on this thread) in a fresh process, as a CLI run would,
// and prints one JSON line: wall time and the process's CPU time (all threads).
import { createRunner } from '../src/tools/backtest/optimize/pool.js';
import { optimize } from '../src/tools/backtest/optimize/search.js';
import { gridCandidates } from '../src/tools/backtest/optimize/space.js';
import { syntheticCandles } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';
import { BENCH_YEARS } from './backtest-years.js';

async function main(): Promise<void> {
  configureLogger({ level: 'ERROR', write: () => undefined });
  const workers = Number(process.argv[2] ?? 1);
  const series = syntheticCandles({ ...BENCH_YEARS.volatile.synthetic, days: 60 });
  const candidates = gridCandidates([
    { key: 'spacing', values: [0.8, 1.0, 1.2, 1.5] },
    { key: 'drift-reset', values: [4, 6] },
  ]);
  const end = series.time[series.length - 1]! + series.intervalMs;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await optimize(createRunner(series, { env: BENCH_YEARS.volatile.env }, { workers }), candidates, series.time[0]!, end, 'equity');
  const c = process.cpuUsage(c0);
  process.stdout.write(JSON.stringify({ workers, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }) + '\n');
}

void main();
