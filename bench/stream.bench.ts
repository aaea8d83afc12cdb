// Issue 13, Kraken WebSocket v2: REST-only (KRAKEN_WS=false) versus the stream, the real Bot
// against the simulator at the Starter tier, at the default 30 s poll.
//
// 1. Time from Kraken's execution to our counter order accepted (in the simulator's book).
//    Stream: measured end to end (the execution message wakes a tick at once). REST only: the
//    bot learns of a fill at its next tick, so the latency is the wait for that tick (uniform
//    over the 30 s poll for an execution at a random moment; 400 draws from a seeded generator)
//    plus the tick's own processing, measured for real.
// 2. Private REST calls per hour in steady state (no fills): 120 ticks = one hour at 30 s.
// 3. Dry run over simulated hours (default 6, BENCH_STREAM_HOURS=24 for a day; 1 s price steps, OU process, default grid): of the swings that
//    crossed one of our resting orders between two ticks while neither tick's price did, the
//    share the paper account filled.
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { Bot } from '../src/bot.js';
import { startKrakenSim } from '../src/tools/sim/kraken-sim.js';
import { mulberry32 } from '../src/util/random.js';
import { configureLogger } from '../src/util/log.js';
import { isOurs, liveRig, type LiveRig } from '../test/support/live-rig.js';
import { testConfig } from '../test/support/core.js';
import { FakeClock } from '../test/support/clock.js';

const POLL_MS = 30_000;
const FILLS = 40;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('bench: timed out');
    await new Promise((r) => setImmediate(r));
  }
}

/** One execution (the nearest buy, then the counter sell, alternately) and the time until its counter is open in the simulator. */
async function oneFill(rig: LiveRig, i: number, tickNow: boolean): Promise<number> {
  const s = rig.bot.state;
  const open = s.orders.filter((o) => o.status === 'open');
  const target = i % 2 === 0 ? open.filter((o) => o.side === 'buy').sort((a, b) => b.price - a.price)[0]! : open.filter((o) => o.side === 'sell').sort((a, b) => a.price - b.price)[0]!;
  const before = rig.sim.openOrders().filter((o) => isOurs(o, rig.config.krakenUserref)).length;
  // Fills a poll apart, as in steady trading: Kraken's counters (and the client's model of them) decay in between.
  rig.clock.advance(POLL_MS);
  const t0 = performance.now();
  rig.sim.setPrice(target.price);
  if (tickNow) await rig.bot.tickOnce();
  await until(() => rig.sim.order(target.id!)?.status === 'closed' && rig.sim.openOrders().filter((o) => isOurs(o, rig.config.krakenUserref)).length === before);
  const ms = performance.now() - t0;
  await rig.bot.trader.whenIdle();
  return ms;
}

async function latency(ws: boolean): Promise<number[]> {
  const rig = await liveRig({ env: { KRAKEN_WS: String(ws) } });
  try {
    if (ws) await until(() => rig.bot.streamSync!.stream.authLive());
    await rig.tick();
    const out: number[] = [];
    for (let i = 0; i < FILLS; i++) out.push(await oneFill(rig, i, !ws));
    return out;
  } finally {
    rig.bot.streamSync?.stream.stop();
    await rig.close();
  }
}

const PRIVATE = new Set(['AddOrder', 'AddOrderBatch', 'AmendOrder', 'CancelOrder', 'CancelOrderBatch', 'OpenOrders', 'ClosedOrders', 'QueryOrders', 'Balance', 'BalanceEx', 'TradesHistory', 'TradeVolume', 'GetWebSocketsToken']);

async function restPerHour(ws: boolean): Promise<number> {
  const rig = await liveRig({ env: { KRAKEN_WS: String(ws) } });
  try {
    if (ws) await until(() => rig.bot.streamSync!.stream.authLive());
    await rig.tick();
    const from = rig.sim.requests.length;
    for (let i = 0; i < 120; i++) await rig.tick(POLL_MS);
    return rig.sim.requests.slice(from).filter((r) => PRIVATE.has(r.endpoint)).length;
  } finally {
    rig.bot.streamSync?.stream.stop();
    await rig.close();
  }
}

async function swings(ws: boolean, hours: number): Promise<{ swings: number; filled: number }> {
  const clock = new FakeClock();
  const sim = await startKrakenSim({ now: clock.now, seed: 11, process: { kind: 'ou', price: 0.1, volatility: 0.0006, theta: 0.0001 } });
  const config = testConfig({ DRY_RUN: 'true', KRAKEN_API_URL: sim.url, KRAKEN_WS: String(ws) });
  const bot = Bot.create({ config, now: clock.now, botId: 'bench-stream-0000000' });
  let swingsSeen = 0;
  let filled = 0;
  try {
    await bot.start();
    const stream = bot.streamSync?.stream ?? null;
    if (stream) await until(() => stream.freshTicker() !== null);
    let pStart = sim.price();
    for (let k = 0; k < (hours * 3600_000) / POLL_MS; k++) {
      const resting = bot.state.orders.filter((o) => o.status === 'open' && o.id).map((o) => ({ id: o.id!, side: o.side, price: o.price }));
      const path: number[] = [];
      for (let sec = 0; sec < POLL_MS / 1000; sec++) {
        clock.advance(1000);
        path.push(sim.step(1));
      }
      const pEnd = sim.price();
      if (stream) await until(() => Math.abs((stream.freshTicker()?.last ?? 0) - Number(pEnd.toFixed(7))) < 1e-12);
      await bot.trader.whenIdle();
      await bot.tickOnce();
      const lo = Math.min(...path);
      const hi = Math.max(...path);
      for (const o of resting) {
        const swing = o.side === 'buy' ? lo <= o.price && pStart > o.price && pEnd > o.price : hi >= o.price && pStart < o.price && pEnd < o.price;
        if (!swing) continue;
        swingsSeen++;
        if (bot.state.fills.some((f) => f.orderId === o.id)) filled++;
      }
      pStart = pEnd;
    }
    return { swings: swingsSeen, filled };
  } finally {
    bot.streamSync?.stream.stop();
    await sim.close();
  }
}

export async function benchStream(): Promise<BenchRow[]> {
  configureLogger({ write: () => undefined });
  const rows: BenchRow[] = [];
  // 1. Execution → counter accepted.
  const streamMs = await latency(true);
  const processing = await latency(false);
  const rand = mulberry32(13);
  const restMs = Array.from({ length: 400 }, (_, i) => rand() * POLL_MS + processing[i % processing.length]!);
  rows.push(
    { name: 'stream: exec→counter median', value: quantile(streamMs, 0.5), unit: 'ms' },
    { name: 'stream: exec→counter p99', value: quantile(streamMs, 0.99), unit: 'ms', target: '< 1000' },
    { name: 'REST 30s poll: exec→counter median', value: quantile(restMs, 0.5), unit: 'ms' },
    { name: 'REST 30s poll: exec→counter p99', value: quantile(restMs, 0.99), unit: 'ms' },
    { name: 'REST: tick processing median', value: quantile(processing, 0.5), unit: 'ms' },
  );
  // 2. Private REST calls per hour, steady state.
  const before = await restPerHour(false);
  const after = await restPerHour(true);
  rows.push(
    { name: 'private REST calls/h, REST only', value: before, unit: 'calls' },
    { name: 'private REST calls/h, stream', value: after, unit: 'calls', target: `<= ${Math.floor(before / 5)}` },
  );
  // 3. Dry run: between-tick swings filled.
  const hours = Number(process.env.BENCH_STREAM_HOURS ?? 6); // a whole day: BENCH_STREAM_HOURS=24 (about 10 min here)
  const t0 = performance.now();
  const off = await swings(false, hours);
  const on = await swings(true, hours);
  rows.push(
    { name: `dry run ${hours}h: between-tick swings, REST only`, value: off.swings, unit: 'swings' },
    { name: `dry run ${hours}h: between-tick swings, stream`, value: on.swings, unit: 'swings' },
    { name: 'dry run: swings filled, REST only', value: off.swings ? (100 * off.filled) / off.swings : 0, unit: '%' },
    { name: 'dry run: swings filled, stream', value: on.swings ? (100 * on.filled) / on.swings : 0, unit: '%' },
    { name: 'dry run day simulation time', value: (performance.now() - t0) / 1000, unit: 's' },
  );
  return rows;
}
