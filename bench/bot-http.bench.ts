// /api/status under load while the REAL bot trades: dry run on the paper
// exchange with moving prices, services wired as in the daemon, a tick every
// 250 ms (120× the default pace). Reports HTTP throughput and p99, and how
// late and how long the ticks were while the server was busy.
import net from 'node:net';
import { Bot } from '../src/bot.js';
import { configureLogger } from '../src/util/log.js';
import { createServices } from '../src/frontends/services.js';
import { ScriptedMarket, testConfig } from '../test/support/core.js';
import { percentile, runClientInWorker } from './http.bench.js';
import type { BenchRow } from './run.js';
import { freePort } from '../test/support/net.js';

const TICK_MS = 250;


const r2 = (x: number) => Math.round(x * 100) / 100;

export async function benchBotHttp(opts: { durationMs?: number } = {}): Promise<BenchRow[]> {
  const durationMs = opts.durationMs ?? 5000;
  configureLogger({ write: () => {} });
  const port = await freePort();
  const t0 = Date.now();
  // ±1.5 % swings every few seconds: fills, counters and round trips keep coming.
  const market = new ScriptedMarket((t) => 0.1 * (1 + 0.015 * Math.sin((t - t0) / 400)), Date.now);
  const bot = Bot.create({ config: testConfig({ PORT: String(port) }), market, botId: 'beefbeefbeefbeefbeef' });
  const services = await createServices(bot, { httpHost: '127.0.0.1' });
  bot.use(services.hooks);
  await services.startEarly();
  await bot.start();

  let running = true;
  const lateness: number[] = [];
  const durations: number[] = [];
  const loop = (async () => {
    let next = performance.now() + TICK_MS;
    while (running) {
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const start = performance.now();
      lateness.push(start - next);
      await bot.tickOnce();
      durations.push(performance.now() - start);
      next += TICK_MS;
      if (next < performance.now()) next = performance.now();
    }
  })();
  try {
    const client = await runClientInWorker({ kind: 'http-bench-client', port, durationMs, connections: 32, maxRequests: 400_000 });
    running = false;
    await loop;
    const sorted = client.latencies.slice(0, client.count).sort();
    const fills = bot.state.fills.length;
    return [
      { name: '/api/status throughput, bot trading', value: Math.round(client.count / (client.elapsedMs / 1000)), unit: 'req/s', target: '≥ 2000' },
      { name: '/api/status p99, bot trading', value: r2(percentile(sorted, 0.99)), unit: 'ms', target: '≤ 20 ms' },
      { name: `tick start lateness max (${lateness.length} ticks, ${fills} fills)`, value: r2(Math.max(...lateness)), unit: 'ms', target: '≤ 100 ms' },
      { name: 'tick duration max under load', value: r2(Math.max(...durations)), unit: 'ms' },
      { name: '/api/status errors, bot trading', value: client.errors, unit: 'requests', target: '0' },
    ];
  } finally {
    running = false;
    await loop;
    await bot.shutdown('bench');
    await services.stop();
    configureLogger({ write: (line) => process.stdout.write(line + '\n') });
  }
}
