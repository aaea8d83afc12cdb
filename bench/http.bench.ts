// Load benchmark of GET /api/status (issue 6): a realistic status view (40 grid
// rows, 20 fills, 24 h of 30 s prices downsampled to 720 points like
// src/status.ts), 32 keep-alive connections for ~3 s, bounded count.
// Reports throughput, latency percentiles, and how late the server's event
// loop ran meanwhile: the event-loop delay histogram and a 50 ms timer
// standing in for the bot's tick.
//
// The load comes from a worker thread of the same process: in the main thread
// the client's own work (parsing 25 KB answers at >10k/s, and the garbage
// collection that causes) would be charged to the server's loop, which the
// browsers polling a real bot do not do. Pass { inProcessClient: true } to put
// the client on the main loop anyway (a harsher, more pessimistic figure).
//
// Run alone: node dist/bench/http.bench.js
import http from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startHttpServer } from '../src/frontends/http/server.js';
import { configureLogger } from '../src/util/log.js';
import { createFakeBot } from '../test/support/fake-status.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

export interface BenchHttpOptions {
  durationMs?: number;
  connections?: number;
  maxRequests?: number;
  /** Run the client on the server's event loop instead of a worker thread. */
  inProcessClient?: boolean;
}

export interface ClientJob {
  kind: 'http-bench-client';
  port: number;
  durationMs: number;
  connections: number;
  maxRequests: number;
}

export interface ClientResult {
  latencies: Float64Array;
  count: number;
  errors: number;
  elapsedMs: number;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function get(agent: http.Agent, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/status', agent }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export async function benchHttp(opts: BenchHttpOptions = {}): Promise<BenchResult[]> {
  const durationMs = opts.durationMs ?? 3000;
  const connections = opts.connections ?? 32;
  const maxRequests = opts.maxRequests ?? 200_000;

  configureLogger({ write: () => {} });
  const bot = createFakeBot({ levelsPerSide: 20, fills: 20, historyMax: 720, now: Date.now() });
  const base = bot.deps.status;
  // Like the bot (services.ts statusOf), build a new view object on every call;
  // the server's short cache decides how often it is serialised.
  bot.deps.status = () => ({ ...base() });
  bot.deps.statusCacheMs = undefined;
  const srv = await startHttpServer(0, bot.deps, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  try {
    const bodyBytes = await get(agent, srv.port);
    // Warm-up: let V8 optimise the server's path.
    for (let i = 0; i < 200; i++) await get(agent, srv.port);

    // Resolution 1 ms: the histogram counts the sampling interval itself, so a coarse one inflates every figure.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let timerLateMax = 0;
    let expected = performance.now() + 50;
    const tick = setInterval(() => {
      const t = performance.now();
      timerLateMax = Math.max(timerLateMax, t - expected);
      expected = t + 50;
    }, 50);
    delay.enable();

    const job: ClientJob = { kind: 'http-bench-client', port: srv.port, durationMs, connections, maxRequests };
    const client = opts.inProcessClient ? await runClient(job) : await runClientInWorker(job);
    delay.disable();
    clearInterval(tick);

    const { count, errors } = client;
    const elapsed = client.elapsedMs;
    const sorted = client.latencies.slice(0, count).sort();
    const results: BenchResult[] = [
      { name: 'http /api/status throughput', value: round(count / (elapsed / 1000), 0), unit: 'req/s', target: '>= 2000' },
      { name: 'http /api/status latency p50', value: round(percentile(sorted, 0.5)), unit: 'ms' },
      { name: 'http /api/status latency p99', value: round(percentile(sorted, 0.99)), unit: 'ms', target: '<= 20' },
      { name: 'http /api/status latency max', value: round(sorted[sorted.length - 1] ?? NaN), unit: 'ms' },
      { name: 'event-loop delay max under http load', value: round(delay.max / 1e6), unit: 'ms', target: '<= 100' },
      { name: 'event-loop delay p99 under http load', value: round(delay.percentile(99) / 1e6), unit: 'ms' },
      { name: '50 ms timer lateness max (tick stand-in)', value: round(timerLateMax), unit: 'ms', target: '<= 100' },
      { name: 'http /api/status requests', value: count, unit: 'requests' },
      { name: 'http /api/status errors', value: errors, unit: 'requests', target: '== 0' },
      { name: 'http /api/status body size', value: bodyBytes, unit: 'bytes' },
    ];
    if (opts.inProcessClient) for (const r of results) r.name += ' [in-process client]';
    return results;
  } finally {
    agent.destroy();
    await srv.close();
    bot.cleanup();
    configureLogger({ write: (line) => process.stdout.write(line + '\n') });
  }
}

/** The load generator: `connections` loops, each awaiting one request at a time. */
async function runClient(job: ClientJob): Promise<ClientResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  try {
    await Promise.all(Array.from({ length: job.connections }, async () => {
      for (let i = 0; i < 10; i++) await get(agent, job.port);
    }));
    const latencies = new Float64Array(job.maxRequests);
    let count = 0;
    let errors = 0;
    const start = performance.now();
    const deadline = start + job.durationMs;
    await Promise.all(
      Array.from({ length: job.connections }, async () => {
        while (count < job.maxRequests && performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await get(agent, job.port);
            latencies[count++] = performance.now() - t0;
          } catch {
            errors++;
          }
        }
      }),
    );
    return { latencies, count, errors, elapsedMs: performance.now() - start };
  } finally {
    agent.destroy();
  }
}

export function runClientInWorker(job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    worker.once('message', (r: ClientResult) => resolve(r));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench client worker exited with ${code}`));
    });
  });
}

if (!isMainThread && (workerData as ClientJob | undefined)?.kind === 'http-bench-client') {
  const r = await runClient(workerData as ClientJob);
  parentPort?.postMessage(r);
}

if (isMainThread && process.argv[1] && /http\.bench\.js$/.test(process.argv[1])) {
  const results = await benchHttp({ inProcessClient: process.argv.includes('--in-process') });
  for (const r of results) console.log(`${r.name.padEnd(44)} ${String(r.value).padStart(10)} ${r.unit}${r.target ? `   (target ${r.target})` : ''}`);
}
