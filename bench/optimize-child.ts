// Child process of the optimizer speed-up bench: `node optimize-child.js N
// [DAYS] [CONFIGS]` ranks CONFIGS configurations (8, 16 or 24; default 16)
// over DAYS days (default 150) of the volatile synthetic candles with N worker
// threads (1 = on this thread) in a fresh process, as a CLI run would, and
// prints one JSON line: wall time until the ranking is known (when the CLI
// prints it), the time close() then takes (the workers are ended once idle
// for SETTLE_MS), the process's CPU time (all threads), the
// main thread's own CPU time, and each worker's start-up (ms until it had
// loaded the engine).
import fs from 'node:fs';
import { createRunner } from '../src/tools/backtest/optimize/pool.js';
import { optimize } from '../src/tools/backtest/optimize/search.js';
import { gridCandidates } from '../src/tools/backtest/optimize/space.js';
import { syntheticCandles } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';
import { BENCH_YEARS } from './backtest-years.js';

/**
 * CPU ms of this process's main thread alone (Linux; null elsewhere). In a
 * serial run V8 compiles and collects garbage on other threads, so the
 * process's CPU time is more than the main thread's, and on a free second
 * core that extra work costs no wall time.
 */
function mainThreadCpuMs(): number | null {
  try {
    const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  configureLogger({ level: 'ERROR', write: () => undefined });
  const workers = Number(process.argv[2] ?? 1);
  const days = Number(process.argv[3] ?? 150);
  const configs = Number(process.argv[4] ?? 16);
  const series = syntheticCandles({ ...BENCH_YEARS.volatile.synthetic, days });
  const spacings = configs >= 16 ? [0.8, 0.9, 1.0, 1.1, 1.2, 1.4, 1.6, 1.8] : [0.8, 1.0, 1.2, 1.5];
  const candidates = gridCandidates([
    { key: 'spacing', values: spacings },
    { key: 'drift-reset', values: configs >= 24 ? [3, 4, 6] : [4, 6] },
  ]);
  const end = series.time[series.length - 1]! + series.intervalMs;
  const c0 = process.cpuUsage();
  const m0 = mainThreadCpuMs();
  const t0 = performance.now();
  const run = createRunner(series, { env: BENCH_YEARS.volatile.env }, { workers });
  const startup = run.ready();
  await optimize(run, candidates, series.time[0]!, end, 'equity');
  // The ranked table is printed here (the CLI closes the pool after it).
  const wallMs = performance.now() - t0;
  const t1 = performance.now();
  await run.close();
  const closeMs = performance.now() - t1;
  const c = process.cpuUsage(c0);
  const m1 = mainThreadCpuMs();
  const out = { workers, days, configs: candidates.length, wallMs, closeMs, cpuMs: (c.user + c.system) / 1000, mainCpuMs: m0 !== null && m1 !== null ? m1 - m0 : null, startupMs: await startup };
  process.stdout.write(JSON.stringify(out) + '\n');
}

void main();
