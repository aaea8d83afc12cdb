// Runs evaluation jobs serially or on worker threads. The candles are copied
// once into SharedArrayBuffers that every worker reads (no copy per job).
// The workers are started when the runner is created and kept for every batch
// it runs (a walk-forward runs two or more), until close() (which ends them
// once they are idle: see SETTLE_MS): a worker's start
// (loading the engine) and its first jobs (the JIT warming up) cost as much as
// several steady jobs, so paying them once per batch ate the parallel gain.
// Each worker holds up to two jobs so it never waits for this thread to hand
// it the next; jobs go out longest first so no worker idles at the end; the
// scores come back in job order, so a parallel run returns exactly what a
// serial one does (each job is a fresh, deterministic backtest).
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { lowerBound, type CandleSeries } from '../candles.js';
import { BACKTEST_SEMI_SPACE_MB } from '../engine.js';
import { logger } from '../../../util/log.js';
import { evaluate, type Job, type Score, type SearchBase } from './evaluate.js';

const log = logger('optimizer');

export interface PoolOptions {
  /** Worker threads; 0 or 1 runs every job on this thread. Default: the number of cores. */
  workers?: number;
  /** After every finished job: how many are done out of how many. */
  onProgress?: (done: number, total: number) => void;
}

/** Runs a batch of jobs and gives their scores in job order. */
export type JobRunner = (jobs: readonly Job[], onProgress?: (done: number, total: number) => void) => Promise<Score[]>;

/** A JobRunner that may hold worker threads: close() ends them (idle workers never keep the process alive). */
export type Runner = JobRunner & {
  close(): Promise<void>;
  /** The worker threads' ids (empty when serial, or once closed). */
  threadIds(): number[];
  /** Resolves when every worker has loaded the engine: ms from its start, per worker (none when serial). */
  ready(): Promise<number[]>;
};

/** What a worker gets at start: the candle columns (shared memory) and the search base. */
export interface WorkerInit {
  length: number;
  intervalMs: number;
  columns: Record<'time' | 'open' | 'high' | 'low' | 'close' | 'volume', SharedArrayBuffer>;
  base: SearchBase;
}

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
/** Jobs a worker holds at once: the one it runs and the next. */
const DEPTH = 2;
/**
 * A backtest allocates many short-lived objects; a small young generation
 * (the semi-spaces of BACKTEST_NODE_FLAGS; V8's young generation is three of
 * them) scavenges as fast here and keeps two workers' heaps and caches small.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 3 * BACKTEST_SEMI_SPACE_MB };

/**
 * One worker per core but one, and none on two cores: the serial run already
 * uses a second core for V8's compiler and garbage collector, and each worker
 * redoes that work for its own engine. Measured on a 2-core machine (16
 * configurations × 150 volatile days): 2 workers took 4.2–5.2 s, the serial
 * run 3.7–3.9 s, and the serial run pinned to one core 4.7–5.0 s.
 */
export function defaultWorkers(cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length): number {
  return cores <= 2 ? 1 : cores - 1;
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

/**
 * Job positions, the costliest first: the candles in the window, divided by
 * the spacing when the candidate sets one (a tighter grid fills more often).
 * Ties keep job order.
 */
export function longestFirst(series: CandleSeries, jobs: readonly Job[]): number[] {
  const cost = jobs.map((j) => {
    const candles = lowerBound(series.time, j.to) - lowerBound(series.time, j.from);
    const spacing = Number(j.candidate.spacing);
    return spacing > 0 ? candles / spacing : candles;
  });
  return jobs.map((_, i) => i).sort((a, b) => cost[b]! - cost[a]! || a - b);
}

interface WorkerReply {
  /** Sent once, when the worker has loaded the engine. */
  ready?: true;
  slot: number;
  score?: Score;
  error?: string;
}

interface Batch {
  jobs: readonly Job[];
  order: number[];
  next: number;
  done: number;
  results: Score[];
  onProgress?: (done: number, total: number) => void;
  resolve: (scores: Score[]) => void;
  reject: (err: Error) => void;
}

/**
 * How long a worker must have had nothing to do before it is ended. Ending a
 * worker right after heavy work can abort the whole process on Node 20: its
 * engine leaves Node's platform while a V8 compile job for it still runs
 * ("NodePlatform::ForIsolate … Assertion failed (data.first) != nullptr",
 * seen once here at the end of a two-worker run). Such jobs are started only
 * while JavaScript runs and take milliseconds; after this long idle, none is left.
 */
export const SETTLE_MS = 200;

/**
 * A worker that still has not loaded the engine or answered its jobs after
 * this long is ended anyway (a job that never ends must not hang close()).
 */
export const RETIRE_WAIT_LIMIT_MS = 30_000;

/** A worker's state for retire: loaded yet, jobs in flight, when it last finished something. */
interface Load {
  ready: boolean;
  jobs: number;
  lastDone: number;
  /** Called when it becomes ready, its jobs drop to 0, or it exits. */
  wake: (() => void) | null;
}

/** Worker threads kept for every batch of one runner (one batch at a time). */
export class WorkerPool {
  private threads: Worker[] = [];
  private readonly load = new Map<Worker, Load>();
  /** Workers a failed batch is retiring: close() waits for them too. */
  private readonly retiring = new Set<Promise<void>>();
  private batch: Batch | null = null;
  private closed = false;
  private waiting: Promise<number>[] = [];

  constructor(
    private readonly init: WorkerInit,
    readonly size: number,
  ) {
    this.start();
  }

  /** Workers start now, so they load the engine while this thread still prepares the jobs. */
  private start(): void {
    const t0 = performance.now();
    this.waiting = [];
    for (let k = 0; k < this.size; k++) {
      const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: this.init, resourceLimits: WORKER_LIMITS });
      w.unref();
      let loaded!: (ms: number) => void;
      let lost!: (err: Error) => void;
      const ready = new Promise<number>((resolve, reject) => {
        loaded = resolve;
        lost = reject;
      });
      // Only ready() reports it: a worker closed early is not an unhandled rejection.
      ready.catch(() => undefined);
      this.waiting.push(ready);
      const load: Load = { ready: false, jobs: 0, lastDone: performance.now(), wake: null };
      this.load.set(w, load);
      w.on('message', (m: WorkerReply) => {
        if (m.ready) loaded(performance.now() - t0);
        this.done(load, m.ready === true);
        // A worker already retired (by fail or close) has nothing more to say.
        if (this.threads.includes(w)) this.onReply(w, m);
      });
      w.on('error', (err) => this.threads.includes(w) && this.fail(err));
      w.on('exit', (code) => {
        lost(new Error('optimizer worker ended before it was ready'));
        this.load.delete(w);
        load.jobs = 0;
        load.wake?.();
        if (this.threads.includes(w)) this.fail(new Error(`optimizer worker exited with code ${code}`));
      });
      this.threads.push(w);
    }
  }

  run(jobs: readonly Job[], order: number[], onProgress?: (done: number, total: number) => void): Promise<Score[]> {
    if (this.closed) return Promise.reject(new Error('optimizer pool is closed'));
    if (this.batch) return Promise.reject(new Error('optimizer pool: one batch at a time'));
    if (this.threads.length === 0) this.start();
    return new Promise<Score[]>((resolve, reject) => {
      this.batch = { jobs, order, next: 0, done: 0, results: new Array<Score>(jobs.length), onProgress, resolve, reject };
      // Referenced while a batch runs: the process waits for its scores.
      for (const w of this.threads) w.ref();
      for (let d = 0; d < DEPTH; d++) for (const w of this.threads) this.feed(w);
    });
  }

  private feed(w: Worker): void {
    const b = this.batch;
    if (!b || b.next >= b.jobs.length) return;
    const slot = b.order[b.next++]!;
    try {
      w.postMessage({ slot, job: b.jobs[slot] });
      const load = this.load.get(w);
      if (load) load.jobs++;
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onReply(w: Worker, m: WorkerReply): void {
    const b = this.batch;
    if (!b || m.ready) return;
    if (m.error !== undefined || !m.score) return this.fail(new Error(`optimizer worker: ${m.error ?? 'no score'}`));
    b.results[m.slot] = m.score;
    b.done++;
    b.onProgress?.(b.done, b.jobs.length);
    if (b.done === b.jobs.length) {
      this.batch = null;
      for (const t of this.threads) t.unref();
      b.resolve(b.results);
    } else this.feed(w);
  }

  /** A worker said it is ready or answered a job. */
  private done(load: Load, ready: boolean): void {
    load.lastDone = performance.now();
    if (ready) load.ready = true;
    else if (load.jobs > 0) load.jobs--;
    if (load.ready && load.jobs === 0) load.wake?.();
  }

  /** Ends workers once they are quiet: loaded, their jobs in flight answered, then SETTLE_MS with nothing to do. */
  private retire(threads: Worker[]): Promise<void> {
    return Promise.all(threads.map((w) => this.quiet(w).then(() => w.terminate()))).then(() => undefined);
  }

  private async quiet(w: Worker): Promise<void> {
    const load = this.load.get(w);
    if (!load) return;
    if (!load.ready || load.jobs > 0) {
      // Referenced timers: a caller awaiting close() must not see the process end first.
      let timer: NodeJS.Timeout | undefined;
      const woke = await new Promise<boolean>((resolve) => {
        load.wake = () => resolve(true);
        timer = setTimeout(() => resolve(false), RETIRE_WAIT_LIMIT_MS);
      });
      clearTimeout(timer);
      load.wake = null;
      if (!woke) {
        log.warn(`optimizer worker ${w.threadId} still busy after ${RETIRE_WAIT_LIMIT_MS / 1000} s; ending it anyway`);
        return;
      }
    }
    const wait = SETTLE_MS - (performance.now() - load.lastDone);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** A failed batch rejects and its workers are retired; the next batch starts new ones. */
  private fail(err: Error): void {
    const b = this.batch;
    const threads = this.threads;
    this.threads = [];
    const retired = this.retire(threads).catch(() => undefined);
    this.retiring.add(retired);
    void retired.finally(() => this.retiring.delete(retired));
    if (b) {
      this.batch = null;
      b.reject(err);
    }
  }

  /** Milliseconds from the start of each worker until it had loaded the engine (a start-up figure for the bench). */
  ready(): Promise<number[]> {
    return Promise.all(this.waiting);
  }

  threadIds(): number[] {
    return this.threads.map((t) => t.threadId);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const threads = this.threads;
    this.threads = [];
    if (this.batch) {
      const b = this.batch;
      this.batch = null;
      b.reject(new Error('optimizer pool closed during a batch'));
    }
    await Promise.all([this.retire(threads), ...this.retiring]);
  }
}

/**
 * A job runner over these candles: serial when workers ≤ 1, else on worker
 * threads started now and kept until close().
 */
export function createRunner(series: CandleSeries, base: SearchBase, opts: PoolOptions = {}): Runner {
  const workers = opts.workers ?? defaultWorkers();
  const pool = workers > 1 ? new WorkerPool(sharedInit(series, base), workers) : null;
  const run: JobRunner = (jobs, onProgress = opts.onProgress) => {
    if (jobs.length === 0) return Promise.resolve([]);
    if (!pool) return runSerial(series, base, jobs, onProgress);
    return pool.run(jobs, longestFirst(series, jobs), onProgress);
  };
  return Object.assign(run, { close: () => (pool ? pool.close() : Promise.resolve()), threadIds: () => (pool ? pool.threadIds() : []), ready: () => (pool ? pool.ready() : Promise.resolve([])) });
}
