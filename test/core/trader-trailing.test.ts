// Issue 14 item 2: the trailing grid in the real Trader. The exchange is the
// paper account behind a modelled Starter trading counter that REJECTS
// over-limit calls like Kraken (rebuild-rig.ts); the last test runs the real
// bot against the Kraken simulator at the Starter tier.
//
// Every test fixes the trend ratio at 0.5 (settings.ratioOverride): a rise
// fills only sells, which with the automatic ratio asks for a ratio rebuild —
// a full rebuild by a different rule, which these tests keep out of the way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rebuildRig } from './rebuild-rig.js';
import { identityError } from '../../src/core/ledger.js';
import { levelPrice } from '../../src/core/grid-strategy.js';
import { roundTo } from '../../src/core/money.js';
import { statusOf } from '../../src/ops/views.js';
import type { Bot } from '../../src/bot.js';

/** A 5-levels-per-side grid around 1.0 (order size $15.60: capital 200 buys five levels per side). */
async function trailingRig(env: Record<string, string> = {}, tier: 'starter' | null = 'starter') {
  const r = rebuildRig({ tier, price: 1.0, env: { STARTING_CAPITAL: '200', GRID_MODE: 'trailing', ...env } });
  r.bot.state.settings.ratioOverride = 0.5;
  await r.bot.start();
  assert.equal(r.bot.state.orders.length, 10, 'the first grid: 5 buys, 5 sells');
  return r;
}

function top(bot: Bot): number {
  return Math.max(...bot.state.orders.map((o) => o.level));
}

function ledgerExact(bot: Bot, price: number): void {
  assert.ok(identityError(bot.state.ledger, price) < 1e-9, 'ledger identity');
  const s = bot.state;
  let committed = 0;
  for (const o of s.orders) if (o.side === 'sell') committed += o.volume - o.bookedVolume;
  assert.ok(committed <= s.ledger.inventory + 1e-9, `sells commit ${committed} DOGE of ${s.ledger.inventory}`);
}

describe('the trailing grid in the Trader (issue 14)', () => {
  it('a 10 % rise in 0.5 % steps: the ladder follows one level at a time over many ticks, no full rebuild, never rate-limited', async () => {
    const r = await trailingRig();
    let price = 1.0;
    for (let i = 0; i < 20; i++) {
      price = roundTo(price * 1.005, 7);
      r.setPrice(price);
      r.clock.advance(30_000);
      await r.bot.tickOnce();
      ledgerExact(r.bot, price);
    }
    const built = r.events.filter((e) => e.type === 'grid_built').map((e) => (e.type === 'grid_built' ? e.reason : ''));
    assert.deepEqual(built, ['startup'], 'no rebuild after the first grid');
    const s = r.bot.state;
    assert.ok((s.trail?.moves ?? 0) >= 4, `the ladder moved (${s.trail?.moves} moves)`);
    assert.equal(s.center, 1.0, 'the center stays: the ladder moves, the grid is not rebuilt');
    // The top of the ladder is the level just below the price.
    const t = top(r.bot);
    assert.ok(roundTo(levelPrice(1, t, 1), 7) < price && roundTo(levelPrice(1, t + 1, 1), 7) >= price, `top level ${t} is just below ${price}`);
    assert.equal(s.orders.length, 10, 'the ladder keeps its size');
    assert.equal(r.counted.rejects, 0, 'never EOrder:Rate limit exceeded');
    assert.equal(r.counted.waitedMs, 0, 'never waited on the counter');
    assert.ok(r.counted.calls.some((c) => c.op === 'amend'), 'moves by AmendOrder');
    assert.equal(statusOf(r.bot).config.trail_moves, s.trail?.moves);
    assert.equal(statusOf(r.bot).config.grid_mode, 'trailing');
  });

  it('a gap jump beyond several levels: one level per move, as many moves as the counter allows, the rest on later ticks', async () => {
    const r = await trailingRig();
    r.clock.advance(60_000);
    r.setPrice(1.125);
    await r.bot.tickOnce();
    const afterJump = r.bot.state.trail?.moves ?? 0;
    assert.ok(afterJump >= 1, 'moves started in the jump tick');
    const targets: number[] = [];
    for (let i = 0; i < 10; i++) {
      r.clock.advance(30_000);
      await r.bot.tickOnce();
    }
    for (const c of r.counted.calls) if (c.op === 'amend' || c.op === 'add') targets.push(c.price as number);
    // The five sells filled; counters (buys) at 0…4; then buys moved to 5, 6, …, 12 (1.12 < 1.125; 1.13 is not).
    assert.equal(top(r.bot), 12);
    assert.equal(r.bot.state.trail?.moves, 8, 'levels 5…12, one move each');
    const moved = r.counted.calls.filter((c) => c.op === 'amend').map((c) => c.price as number);
    assert.deepEqual(moved, [1.05, 1.06, 1.07, 1.08, 1.09, 1.1, 1.11, 1.12], 'one level at a time, in order');
    assert.equal(r.counted.rejects, 0);
    assert.deepEqual(r.events.filter((e) => e.type === 'grid_built').length, 1);
    ledgerExact(r.bot, 1.125);
  });

  it('TRAIL_UP_LIMIT reached: no level above it is taken, the grid stays put', async () => {
    const r = await trailingRig({ TRAIL_UP_LIMIT: '1.075' });
    for (let i = 0; i < 12; i++) {
      r.clock.advance(30_000);
      r.setPrice(1.125);
      await r.bot.tickOnce();
    }
    assert.equal(top(r.bot), 7, 'level 7 (1.07) is the last at or below 1.075');
    assert.equal(r.bot.state.trail?.moves, 3);
    assert.ok(Math.max(...r.bot.state.orders.map((o) => o.price)) <= 1.075);
    assert.equal(r.events.filter((e) => e.type === 'grid_built').length, 1, 'never a rebuild, however far the price went');
  });

  it('falling: the highest sell moves below the bottom, funded by the DOGE the grid holds', async () => {
    const r = await trailingRig({ TRAIL_DOWN_LIMIT: '0.5', DAILY_LOSS_LIMIT: '50' });
    let price = 1.0;
    for (let i = 0; i < 24; i++) {
      price = roundTo(price * 0.995, 7);
      r.setPrice(price);
      r.clock.advance(30_000);
      await r.bot.tickOnce();
      ledgerExact(r.bot, price);
    }
    const s = r.bot.state;
    assert.ok((s.trail?.moves ?? 0) >= 4);
    assert.equal(s.trail?.lastDirection, 'down');
    const bottom = Math.min(...s.orders.map((o) => o.level));
    assert.ok(roundTo(levelPrice(1, bottom, 1), 7) > price && roundTo(levelPrice(1, bottom - 1, 1), 7) <= price, `bottom level ${bottom} is just above ${price}`);
    assert.ok(s.orders.every((o) => o.side === 'sell'), 'all buys filled: the ladder is the sells that followed');
    assert.equal(r.events.filter((e) => e.type === 'grid_built').length, 1);
    assert.equal(r.counted.rejects, 0);
  });

  it('without AmendOrder: cancel + add, only when the counter has room for both, never rejected', async () => {
    const r = await trailingRig();
    r.counted.amendSupported = false;
    r.clock.advance(1_000);
    r.setPrice(1.125);
    for (let i = 0; i < 12; i++) {
      await r.bot.tickOnce();
      r.clock.advance(10_000);
    }
    assert.equal(top(r.bot), 12);
    assert.equal(r.counted.calls.filter((c) => c.op === 'amend').length, 0);
    assert.equal(r.counted.calls.filter((c) => c.op === 'cancel').length, 8);
    assert.equal(r.counted.rejects, 0);
    assert.equal(r.bot.state.orders.length, 10);
    assert.equal((await r.paper.listOpenOrders()).length, 10, 'the book has the ladder only');
    ledgerExact(r.bot, 1.125);
  });

  it('GRID_MODE=drift (the default) still rebuilds after the drift limit; /mode trailing switches at run time without a rebuild', async () => {
    const r = rebuildRig({ tier: null, price: 1.0, env: { STARTING_CAPITAL: '200' } });
    r.bot.state.settings.ratioOverride = 0.5;
    await r.bot.start();
    r.setPrice(1.06);
    r.clock.advance(30_000);
    await r.bot.tickOnce();
    await r.bot.trader.whenIdle();
    assert.ok(r.events.some((e) => e.type === 'grid_built' && e.reason === 'drift'), 'drift rebuild');
    const answer = await r.bot.trader.setGridMode('trailing');
    assert.match(answer, /trailing \(saved\)/);
    assert.equal(r.bot.state.settings.gridMode, 'trailing');
    const rebuilds = r.events.filter((e) => e.type === 'grid_built').length;
    r.setPrice(1.2);
    for (let i = 0; i < 6; i++) {
      r.clock.advance(30_000);
      await r.bot.tickOnce();
    }
    assert.equal(r.events.filter((e) => e.type === 'grid_built').length, rebuilds, 'no drift rebuild in trailing mode');
    assert.ok((r.bot.state.trail?.moves ?? 0) > 0);
    assert.match(await r.bot.trader.setSpacingMode('geometric'), /rebuilding/);
    await r.bot.trader.whenIdle();
    assert.ok(r.events.some((e) => e.type === 'grid_built' && e.reason === 'spacing mode changed'));
    const s = r.bot.state;
    // The rise sold the grid's DOGE: the rebuilt ladder is buys, at geometric levels.
    const buy2 = s.orders.find((o) => o.level === -2 && o.kind === 'grid');
    assert.ok(buy2 && buy2.price === roundTo(s.center * 1.01 ** -2, 7), `geometric level −2: ${buy2?.price}`);
  });
});

describe('the trailing grid against the Kraken simulator (Starter tier)', () => {
  it('follows a 10 % rise with no full rebuild and zero rate-limit errors', async () => {
    const { liveRig } = await import('../support/live-rig.js');
    const rig = await liveRig({ price: 1.0, env: { KRAKEN_TIER: 'starter', STARTING_CAPITAL: '200', GRID_MODE: 'trailing' }, sim: { tier: 'starter' }, start: false });
    try {
      const bot = rig.bot;
      bot.state.settings.ratioOverride = 0.5;
      await bot.start();
      assert.equal(rig.ours().length, 10, 'the first grid: 10 orders');
      let price = 1.0;
      for (let i = 0; i < 20; i++) {
        price = Math.round(price * 1.005 * 1e7) / 1e7;
        rig.sim.setPrice(price);
        await rig.tick(30_000);
      }
      for (let i = 0; i < 4; i++) await rig.tick(30_000);
      assert.ok(price >= 1.1, `the price rose 10 % (${price})`);
      const s = bot.state;
      assert.equal(s.center, 1.0, 'never rebuilt: the center is the first grid’s');
      assert.ok((s.trail?.moves ?? 0) >= 4, `the ladder followed (${s.trail?.moves} moves)`);
      const t = top(bot);
      assert.ok(roundTo(levelPrice(1, t, 1), 7) < price && roundTo(levelPrice(1, t + 1, 1), 7) >= price, `the top level ${t} is just below the price ${price}`);
      assert.equal(rig.sim.stats.rejections['EOrder:Rate limit exceeded'] ?? 0, 0, 'zero trading rate-limit rejections');
      assert.equal(rig.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0, 'zero REST rate-limit rejections');
      const ours = rig.ours();
      assert.deepEqual(new Set(ours.map((o) => o.txid)), new Set(s.orders.map((o) => o.id)), 'the state and the book agree');
      assert.ok(identityError(s.ledger, price) < 1e-9, 'ledger identity');
    } finally {
      await rig.close();
    }
  });
});
