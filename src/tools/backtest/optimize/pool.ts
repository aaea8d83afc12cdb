// Runs evaluation jobs serially or on worker threads. The candles are copied
// once into SharedArrayBuffers that every worker reads (no copy per job);
// jobs are handed out one at a time to whichever worker is free, and the
// scores come back in job order, so a parallel run returns exactly what a
// serial one does (each job is a fresh, deterministic backtest).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CandleSeries } from '../candles.js';
import { evaluate, type Job, type Score, type SearchBase } from './evaluate.js';

export interface PoolOptions {
  /** Worker threads; 0 or 1 runs every job on this thread. Default: the number of cores. */
  workers?: number;
  /** After every finished job: how many are done out of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs a batch of jobs and gives their scores in job order. */
export type JobRunner = (jobs: readonly Job[], onProgress?: (done: number, total: number) => void) => Promise<Score[]>;

/** What a worker gets at start: the candle columns (shared memory) and the search base. */
export interface WorkerInit {
  length: number;
  intervalMs: number;
  columns: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', SharedArrayBuffer>;
  base: SearchBase;
}

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

export function defaultWorkers(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/** The series in shared memory (each column copied once). */
export function sharedInit(series: CandleSeries, base: SearchBase): WorkerInit {
  const columns = {} as WorkerInit['columns'];
  for (const k of COLUMNS) {
    const sab = new SharedArrayBuffer(series.length * 8);
    new Float64Array(sab).set(series[k]);
    columns[k] = sab;
  }
  return { length: series.length, intervalMs: series.intervalMs, columns, base };
}

/** The series a worker sees: views on the shared columns. */
export function seriesOfInit(init: WorkerInit): CandleSeries {
  const c = init.columns;
  return {
    length: init.length,
    intervalMs: init.intervalMs,
    time: new Float64Array(c.time),
    open: new Float64Array(c.open),
    high: new Float64Array(c.high),
    low: new Float64Array(c.low),
    close: new Float64Array(c.close),
    volume: new Float64Array(c.volume),
  };
}

async function runSerial(series: CandleSeries, base: SearchBase, jobs: readonly Job[], onProgress?: (done: number, total: number) => void): Promise<Score[]> {
  const out: Score[] = [];
  for (const job of jobs) {
    out.push(await evaluate(series, base, job));
    onProgress?.(out.length, jobs.length);
  }
  return out;
}

interface WorkerReply {
  slot: number;
  score?: Score;
  error?: string;
}

function runParallel(init: WorkerInit, jobs: readonly Job[], workers: number, onProgress?: (done: number, total: number) => void): Promise<Score[]> {
  const results: Score[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const threads: Worker[] = [];
  const retired = new Set<Worker>();
  return new Promise<Score[]>((resolve, reject) => {
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      for (const t of threads) void t.terminate();
      reject(err);
    };
    const feed = (w: Worker): void => {
      if (next < jobs.length) {
        const slot = next++;
        w.postMessage({ slot, job: jobs[slot] });
      } else {
        retired.add(w);
        void w.terminate();
      }
    };
    for (let k = 0; k < Math.min(workers, jobs.length); k++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
      threads.push(w);
      w.on('message', (m: WorkerReply) => {
        if (m.error !== undefined || !m.score) return fail(new Error(`optimizer worker: ${m.error ?? 'no score'}`));
        results[m.slot] = m.score;
        done++;
        onProgress?.(done, jobs.length);
        if (done === jobs.length) {
          for (const t of threads) void t.terminate();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (err) => fail(err));
      w.on('exit', (code) => {
        if (done < jobs.length && !failed && !retired.has(w) && code !== 0) fail(new Error(`optimizer worker exited with code ${code}`));
      });
      feed(w);
    }
  });
}

/** A job runner over these candles: serial when workers ≤ 1 (or a single job), else on worker threads. */
export function createRunner(series: CandleSeries, base: SearchBase, opts: PoolOptions = {}): JobRunner {
  const workers = opts.workers ?? defaultWorkers();
  let init: WorkerInit | null = null;
  return (jobs, onProgress = opts.onProgress) => {
    if (jobs.length === 0) return Promise.resolve([]);
    if (workers <= 1 || jobs.length === 1) return runSerial(series, base, jobs, onProgress);
    init ??= sharedInit(series, base);
    return runParallel(init, jobs, workers, onProgress);
  };
}
