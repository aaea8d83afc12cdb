// A full 40-order rebuild (spacing 1 % → 1.5 %) at each Kraken tier when the
// grid is 3 s, 60 s and 10 min old: the old way (cancel every order, then add
// the new ladder, waiting on the client's limiter) versus the plan of issue 12
// (nearest levels first, AmendOrder when cheaper, steps that never wait, one
// step per second here). Deterministic: the paper exchange behind Kraken's
// per-pair trading counter model (SPEC §5.1), simulated time.
// Also: how long a control takes to answer while a rebuild's calls are pending.
import { performance } from 'node:perf_hooks';
import type { BenchRow } from './run.js';
import { rebuildRig, flush } from '../test/core/rebuild-rig.js';
import type { KrakenTier } from '../src/exchange/kraken/rate-limiter.js';

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

async function planned(tier: KrakenTier, ageMs: number): Promise<{ total: number; nearest10: number }> {
  const r = rebuildRig({ tier });
  await r.bot.start();
  r.clock.advance(ageMs);
  const t0 = r.clock.now();
  await r.bot.trader.setSpacing(1.5);
  await r.bot.trader.whenIdle();
  let nearest10 = r.bot.state.rebuild && r.bot.state.rebuild.moved < 10 ? -1 : 0;
  for (let i = 0; i < 3600 && r.bot.state.rebuild; i++) {
    r.clock.advance(1_000);
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

export async function benchRebuild(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const table: string[] = ['tier          age    cancel+add   plan (all 40)   plan (10 nearest)'];
  for (const tier of TIERS) {
    for (const [label, age] of AGES) {
      const a = await oldWay(tier, age);
      const b = await planned(tier, age);
      rows.push({ name: `rebuild 40 ${tier} ${label} cancel+add`, value: a, unit: 's' });
      rows.push({ name: `rebuild 40 ${tier} ${label} plan`, value: b.total, unit: 's' });
      rows.push({ name: `rebuild 40 ${tier} ${label} plan 10 nearest`, value: b.nearest10, unit: 's' });
      table.push(`${tier.padEnd(12)}  ${label.padEnd(5)}  ${a.toFixed(0).padStart(9)} s  ${b.total.toFixed(0).padStart(12)} s  ${b.nearest10.toFixed(0).padStart(15)} s`);
    }
  }
  rows.push({ name: 'control answer during a rebuild', value: await controlLatency(), unit: 'ms', target: '< 1000' });
  process.stderr.write(`\n${table.join('\n')}\n`);
  return rows;
}
