// Backtest benchmarks, each year in a fresh child process (backtest-year-child.ts,
// with the Node flags of `npm run backtest`) so its peak RSS is its own:
// - candles/s on the calm and on the volatile synthetic year (backtest-years.ts:
//   OU 4 %/day, and OU 9 %/day with about 22,000 fills and 1,200 rebuilds), at 1 % spacing;
// - peak RSS for the volatile year replayed from a CSV file (streaming parse);
// - the optimizer's speed-up on worker threads: the same 16 configurations
//   over 150 volatile days with 1 worker, then 2, then 1 pinned to one core
//   (taskset), each in a fresh process (optimize-child.ts; wall time, CPU time
//   for a busy machine, and the workers' start-up); and two pinned 1-worker
//   runs at once, one per core: what two cores give this machine for work
//   that shares nothing, the ceiling for any worker scheme.
//
// Run alone: node dist/bench/backtest.bench.js
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BACKTEST_NODE_FLAGS } from '../src/tools/backtest/engine.js';
import { syntheticCandles } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';
import { BENCH_YEARS, csvRows } from './backtest-years.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

interface ChildResult {
  candles: number;
  replayMs: number;
  cpuMs: number;
  realTicks: number;
  fills: number;
  rebuilds: number;
  maxRssMb: number;
}

const CHILD = fileURLToPath(new URL('./backtest-year-child.js', import.meta.url));

function child(args: string[]): ChildResult {
  const out = execFileSync(process.execPath, [...BACKTEST_NODE_FLAGS, CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

/** The best of `runs` children (the least disturbed by other processes). */
function best(args: string[], runs: number): ChildResult {
  let b: ChildResult | null = null;
  for (let i = 0; i < runs; i++) {
    const r = child(args);
    if (!b || r.replayMs < b.replayMs) b = r;
  }
  return b!;
}

function writeVolatileCsv(): string {
  const s = syntheticCandles(BENCH_YEARS.volatile.synthetic);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-year-')), 'volatile.csv');
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < s.length; i += 10_000) fs.writeSync(fd, csvRows(s.time, s.open, s.high, s.low, s.close, s.volume, i, Math.min(s.length, i + 10_000)));
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

interface OptimizeRun {
  /** Until the ranking is known (the CLI prints it then). */
  wallMs: number;
  /** close() after it: the workers are ended once idle for SETTLE_MS. */
  closeMs: number;
  cpuMs: number;
  mainCpuMs: number | null;
  startupMs: number[];
}

/** The optimizer sweep of the speed-up rows: 16 configurations × 150 volatile days (about 5 s on one core). */
const SWEEP = { configs: 16, days: 150, runs: 3 };

/**
 * The optimizer with 1 and with 2 worker threads, each run in a fresh process
 * (cold, as a CLI run is; runs alternate so a load change hits both), the
 * best of SWEEP.runs: wall time, CPU time of the whole process and of the main
 * thread, and the workers' start-up. The wall-time ratio is the speed-up when
 * two cores are free. On a busy machine the CPU figures still tell: a serial
 * run's wall time on a free machine is about its main thread's CPU (V8
 * compiles and collects garbage on its other threads, on the second core), and
 * the two workers' run needs its whole CPU time spread over two cores, so
 * 2 × main CPU₁ / CPU₂ is the speed-up two free cores would give. The older
 * 2 × CPU₁ / CPU₂ counts the serial run's background threads as work that
 * two workers could share, and overstates it.
 */
async function optimizerSpeedup(): Promise<Speedup> {
  const load = os.loadavg()[0]!;
  const file = fileURLToPath(new URL('./optimize-child.js', import.meta.url));
  // The flags `npm run backtest` runs with (BACKTEST_NODE_FLAGS); `core`: the whole process on that core (taskset).
  const args = (workers: number) => [...BACKTEST_NODE_FLAGS, file, String(workers), String(SWEEP.days), String(SWEEP.configs)];
  const run = (workers: number, core: number | null = null): Promise<OptimizeRun> =>
    new Promise((resolve, reject) => {
      const [cmd, argv] = core === null ? [process.execPath, args(workers)] : ['taskset', ['-c', String(core), process.execPath, ...args(workers)]];
      execFile(cmd, argv, { encoding: 'utf8' }, (err, out) => (err ? reject(err) : resolve(JSON.parse(out.trim().split('\n').pop()!) as OptimizeRun)));
    });
  const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && os.cpus().length >= 2;
  const ones: OptimizeRun[] = [];
  const twos: OptimizeRun[] = [];
  const pins: OptimizeRun[] = [];
  const pairs: number[] = [];
  for (let i = 0; i < SWEEP.runs; i++) {
    ones.push(await run(1));
    twos.push(await run(2));
    if (!canPin) continue;
    pins.push(await run(1, 0));
    // Two independent serial runs at once, one per core: nothing shared but the machine.
    const pair = await Promise.all([run(1, 0), run(1, 1)]);
    pairs.push(Math.max(pair[0].wallMs, pair[1].wallMs));
  }
  const best = (xs: OptimizeRun[]): OptimizeRun => ({
    wallMs: Math.min(...xs.map((x) => x.wallMs)),
    closeMs: Math.min(...xs.map((x) => x.closeMs)),
    cpuMs: Math.min(...xs.map((x) => x.cpuMs)),
    mainCpuMs: xs.every((x) => x.mainCpuMs !== null) ? Math.min(...xs.map((x) => x.mainCpuMs!)) : null,
    startupMs: xs.flatMap((x) => x.startupMs),
  });
  return { one: best(ones), two: best(twos), pinned: pins.length > 0 ? best(pins) : null, pairMs: pairs.length > 0 ? Math.min(...pairs) : null, load };
}

interface Speedup {
  one: OptimizeRun;
  two: OptimizeRun;
  pinned: OptimizeRun | null;
  /** Two pinned serial runs at once (one per core): the slower one's wall time. */
  pairMs: number | null;
  load: number;
}

function optimizerRows(sp: Speedup): BenchResult[] {
  const what = `${SWEEP.configs} configs × ${SWEEP.days} volatile d`;
  const rows: BenchResult[] = [
    { name: 'optimizer: machine load average (1 min) before its runs', value: sp.load, unit: '' },
    { name: `optimizer: ${what}, 1 worker (best of ${SWEEP.runs})`, value: sp.one.wallMs, unit: 'ms' },
    { name: 'optimizer: same, 2 workers', value: sp.two.wallMs, unit: 'ms' },
    { name: 'optimizer: then close() of the 2 workers (ended once idle)', value: sp.two.closeMs, unit: 'ms' },
    { name: 'optimizer: speed-up on 2 cores (wall time)', value: sp.one.wallMs / sp.two.wallMs, unit: '×', target: '≥ 1.8' },
    ...(sp.pinned
      ? [
          { name: 'optimizer: 1 worker pinned to one core (taskset -c 0)', value: sp.pinned.wallMs, unit: 'ms' },
          { name: 'optimizer: 2 workers against one pinned core (wall time)', value: sp.pinned.wallMs / sp.two.wallMs, unit: '×', target: '≥ 1.8' },
        ]
      : []),
    ...(sp.pinned && sp.pairMs !== null
      ? [
          { name: 'optimizer: two pinned 1-worker runs at once (one per core), the slower', value: sp.pairMs, unit: 'ms' },
          { name: "optimizer: this machine's ceiling for 2 cores (2 × pinned / that)", value: (2 * sp.pinned.wallMs) / sp.pairMs, unit: '×' },
        ]
      : []),
    { name: 'optimizer: CPU, 1 worker (all threads)', value: sp.one.cpuMs, unit: 'ms' },
    { name: 'optimizer: CPU, 1 worker (main thread only)', value: sp.one.mainCpuMs ?? NaN, unit: 'ms' },
    { name: 'optimizer: CPU, 2 workers (all threads)', value: sp.two.cpuMs, unit: 'ms' },
    { name: 'optimizer: speed-up two free cores would give (2 × main CPU₁ / CPU₂)', value: sp.one.mainCpuMs !== null ? (2 * sp.one.mainCpuMs) / sp.two.cpuMs : NaN, unit: '×', target: '≥ 1.8' },
    { name: 'optimizer: same by the older 2 × CPU₁ / CPU₂ (overstates)', value: (2 * sp.one.cpuMs) / sp.two.cpuMs, unit: '×' },
  ];
  if (sp.two.startupMs.length > 0) rows.push({ name: 'optimizer: worker start-up until the engine is loaded (median)', value: median(sp.two.startupMs), unit: 'ms' });
  return rows;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export async function benchBacktest(): Promise<BenchResult[]> {
  configureLogger({ level: 'ERROR' });
  const calm = best(['calm'], 3);
  const vol = best(['volatile'], 3);
  const csv = writeVolatileCsv();
  let fromCsv: ChildResult;
  try {
    fromCsv = child(['volatile', csv]);
  } finally {
    fs.rmSync(path.dirname(csv), { recursive: true, force: true });
  }
  const sp = await optimizerSpeedup();
  const cps = (r: ChildResult) => (r.candles / r.replayMs) * 1000;
  const perCpu = (r: ChildResult) => (r.candles / r.cpuMs) * 1000;
  const load = os.loadavg()[0]!;
  return [
    { name: `machine load average (1 min) at the end, ${os.cpus().length} cores`, value: load, unit: '' },
    { name: `backtest: calm year (${calm.fills} fills, ${calm.rebuilds} rebuilds)`, value: cps(calm), unit: 'candles/s', target: '≥ 1,000,000' },
    { name: `backtest: volatile year (${vol.fills} fills, ${vol.rebuilds} rebuilds)`, value: cps(vol), unit: 'candles/s', target: '≥ 1,000,000' },
    { name: 'backtest: calm year per CPU-second (all threads)', value: perCpu(calm), unit: 'candles/s' },
    { name: 'backtest: volatile year per CPU-second (all threads)', value: perCpu(vol), unit: 'candles/s' },
    { name: 'backtest: volatile year, CPU per year', value: vol.cpuMs, unit: 'ms' },
    { name: 'backtest: volatile year, real ticks', value: vol.realTicks, unit: 'ticks' },
    { name: 'backtest: peak RSS, volatile year (synthetic)', value: vol.maxRssMb, unit: 'MB', target: '≤ 100 MB' },
    { name: 'backtest: peak RSS, volatile year from CSV', value: fromCsv.maxRssMb, unit: 'MB', target: '≤ 100 MB' },
    ...optimizerRows(sp),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  benchBacktest().then(
    (rows) => {
      for (const r of rows) process.stdout.write(`${r.name.padEnd(56)} ${(r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2)).padStart(12)} ${r.unit}${r.target ? `  (target ${r.target})` : ''}\n`);
    },
    (err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
