// A full 40-order rebuild (spacing 1 % → 1.5 %) at each Kraken tier when the
// grid is 3 s, 60 s and 10 min old: the old way (cancel every order, then add
// the new ladder, waiting on the client's limiter) versus the plan of issue 12
// (nearest levels first, AmendOrder when cheaper, steps that never wait), one
// step per second, and one step per tick at the default 30 s poll interval.
// Deterministic: the paper exchange behind Kraken's per-pair trading counter
// model (SPEC §5.1), simulated time.
// Also: how long a control takes to answer while a rebuild's calls are pending
// (in process), and end to end against the Kraken simulator at Starter: the
// real bot with its HTTP server and Telegram (against the Telegram double),
// a spacing change POSTed to the dashboard right after the first grid, then
// /status from Telegram while that rebuild runs (real time, loopback HTTP).
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { rebuildRig, flush } from '../test/core/rebuild-rig.js';
import type { KrakenTier } from '../src/exchange/kraken/rate-limiter.js';
import { createServices } from '../src/frontends/services.js';
import { postJson } from '../test/support/http-request.js';
import { liveRig } from '../test/support/live-rig.js';
import { freePort } from '../test/support/net.js';
import { TelegramDouble } from '../test/support/telegram-double.js';

const TIERS: KrakenTier[] = ['starter', 'intermediate', 'pro'];
const AGES: [string, number][] = [
  ['3s', 3_000],
  ['60s', 60_000],
  ['10min', 600_000],
];

async function oldWay(tier: KrakenTier, ageMs: number): Promise<number> {
  const r = rebuildRig({
    tier,
    patch: (ex) => {
      delete ex.tradingBudget;
    },
  });
  r.counted.amendSupported = false;
  await r.bot.start();
  r.clock.advance(ageMs);
  const t0 = r.clock.now();
  await r.bot.trader.setSpacing(1.5);
  await r.bot.trader.whenIdle();
  if (r.bot.state.rebuild) throw new Error('the unbudgeted rebuild should finish in one step');
  return (r.clock.now() - t0) / 1000;
}

/** The planned rebuild, one step per tick every `stepMs` (1 s, or the default 30 s poll). */
async function planned(tier: KrakenTier, ageMs: number, stepMs = 1_000): Promise<{ total: number; nearest10: number }> {
  const r = rebuildRig({ tier });
  await r.bot.start();
  r.clock.advance(ageMs);
  const t0 = r.clock.now();
  await r.bot.trader.setSpacing(1.5);
  await r.bot.trader.whenIdle();
  let nearest10 = r.bot.state.rebuild && r.bot.state.rebuild.moved < 10 ? -1 : 0;
  for (let i = 0; i < 3600 && r.bot.state.rebuild; i++) {
    r.clock.advance(stepMs);
    await r.bot.tickOnce();
    if (nearest10 < 0 && (!r.bot.state.rebuild || r.bot.state.rebuild.moved >= 10)) nearest10 = (r.clock.now() - t0) / 1000;
  }
  if (r.counted.rejects > 0 || r.counted.waitedMs > 0) throw new Error(`the plan waited ${r.counted.waitedMs} ms / was rejected ${r.counted.rejects}×`);
  return { total: (r.clock.now() - t0) / 1000, nearest10: Math.max(0, nearest10) };
}

async function controlLatency(): Promise<number> {
  const r = rebuildRig({ tier: null });
  await r.bot.start();
  r.counted.close();
  void r.bot.trader.setSpacing(1.5);
  await flush();
  const t0 = performance.now();
  await r.bot.trader.setRatioOverride(0.6);
  const ms = performance.now() - t0;
  r.counted.open();
  await r.bot.trader.whenIdle();
  return ms;
}

/** Dashboard POST and Telegram /status answer times (ms) during a Starter rebuild against the simulator. */
async function controlLatencyLive(): Promise<{ postMs: number; statusMs: number }> {
  const chat = '5550099';
  const token = 'bench-dashboard-token';
  const tg = await TelegramDouble.start();
  const rig = await liveRig({
    start: false,
    sim: { tier: 'starter' },
    env: { KRAKEN_TIER: 'starter', STARTING_CAPITAL: '400', PORT: String(await freePort()), DASHBOARD_TOKEN: token, TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_CHAT_ID: chat, TELEGRAM_API_URL: tg.url, LOG_LEVEL: 'ERROR' },
  });
  const services = await createServices(rig.bot, { httpHost: '127.0.0.1', telegramPollTimeoutSec: 1, telegramRetryDelayMs: 50 });
  try {
    rig.bot.use(services.hooks);
    await services.startEarly();
    await rig.bot.start();
    await tg.waitFor(() => tg.heldPolls > 0, 5000, 'long poll running');
    const t0 = performance.now();
    const res = await postJson(services.httpPort()!, { spacing: 1.5 }, { Authorization: `Bearer ${token}` });
    const postMs = performance.now() - t0;
    if (res.status !== 200 || !rig.bot.state.rebuild) throw new Error(`expected 200 during a rebuild, got ${res.status} (rebuild ${JSON.stringify(rig.bot.state.rebuild)})`);
    await rig.bot.trader.whenIdle();
    const t1 = performance.now();
    const asked = Date.now();
    tg.pushText(chat, '/status');
    await tg.waitFor(() => tg.sent.find((m) => m.sentAt >= asked && /rebuild in progress/.test(m.plain)), 10_000, '/status reply');
    const statusMs = performance.now() - t1;
    if (!rig.bot.state.rebuild) throw new Error('the rebuild finished before /status was answered');
    return { postMs, statusMs };
  } finally {
    await services.stop();
    await rig.close();
    await tg.close();
  }
}

export async function benchRebuild(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const table: string[] = ['tier          age    cancel+add   plan (all 40)   plan (10 nearest)   plan, 30 s polls'];
  for (const tier of TIERS) {
    for (const [label, age] of AGES) {
      const a = await oldWay(tier, age);
      const b = await planned(tier, age);
      const c = await planned(tier, age, 30_000);
      rows.push({ name: `rebuild 40 ${tier} ${label} cancel+add`, value: a, unit: 's' });
      rows.push({ name: `rebuild 40 ${tier} ${label} plan`, value: b.total, unit: 's' });
      rows.push({ name: `rebuild 40 ${tier} ${label} plan 10 nearest`, value: b.nearest10, unit: 's' });
      rows.push({ name: `rebuild 40 ${tier} ${label} plan 30 s polls`, value: c.total, unit: 's' });
      table.push(
        `${tier.padEnd(12)}  ${label.padEnd(5)}  ${a.toFixed(0).padStart(9)} s  ${b.total.toFixed(0).padStart(12)} s  ${b.nearest10.toFixed(0).padStart(15)} s  ${c.total.toFixed(0).padStart(14)} s`,
      );
    }
  }
  const inProcess = await controlLatency();
  const live = await controlLatencyLive();
  rows.push({ name: 'control answer during a rebuild', value: inProcess, unit: 'ms', target: '< 1000' });
  rows.push({ name: 'dashboard POST spacing, Starter sim (200)', value: live.postMs, unit: 'ms', target: '< 1000' });
  rows.push({ name: 'Telegram /status during that rebuild', value: live.statusMs, unit: 'ms', target: '< 1000' });
  table.push(
    '',
    `control answer during a rebuild (in process, trading calls held): ${inProcess.toFixed(1)} ms`,
    `against the simulator at Starter: dashboard POST spacing answered 200 in ${live.postMs.toFixed(0)} ms, Telegram /status in ${live.statusMs.toFixed(0)} ms, both while the rebuild ran`,
  );
  process.stderr.write(`\n${table.join('\n')}\n`);
  return rows;
}
