// Issue 12 items 1–3: controls answer at once, rebuilds run in the background
// in short steps within Kraken's trading counter (nearest levels first, amend
// when cheaper), a newer change supersedes a pending rebuild, and shutdown
// cancels nearest-first within its budget. The exchange is the paper account
// behind a modelled Starter counter that REJECTS over-limit calls like Kraken.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flush, rebuildRig } from './rebuild-rig.js';
import { diffGrid, pickAmend, UNLIMITED_BUDGET } from '../../src/core/rebuild-plan.js';
import { planGrid, type GridOrder } from '../../src/core/grid-strategy.js';
import { FALLBACK_PAIR_INFO } from '../../src/exchange/exchange.js';
import { statusOf } from '../../src/ops/views.js';

async function startedRig(opts: Parameters<typeof rebuildRig>[0] = {}) {
  const r = rebuildRig(opts);
  await r.bot.start();
  assert.equal(r.bot.state.orders.length, 40, 'the first grid');
  return r;
}

describe('rebuilds in the background (issue 12)', () => {
  it('a spacing change answers while the rebuild’s exchange calls are still pending, and the rebuild then completes', async () => {
    const r = await startedRig({ tier: null });
    r.counted.close();
    let answered: string | null = null;
    void r.bot.trader.setSpacing(1.5).then((m) => (answered = m));
    await flush();
    assert.ok(r.counted.waiting > 0, 'the rebuild has a trading call waiting at the gate');
    assert.match(answered ?? '', /^spacing set to 1\.5% \(saved\); rebuilding the grid in the background/, 'the control answered without waiting for the rebuild');
    assert.equal(r.bot.state.settings.spacingPct, 1.5, 'saved');
    // Other controls do not queue behind it either.
    let other: string | null = null;
    void r.bot.trader.setAiInterval(600).then((m) => (other = m));
    await flush();
    assert.equal(other, 'AI check every 600 s');
    r.counted.open();
    await r.bot.trader.whenIdle();
    assert.equal(r.bot.state.rebuild ?? null, null, 'done');
    const s = r.bot.state;
    const buy1 = s.orders.find((o) => o.level === -1 && o.kind === 'grid');
    assert.ok(buy1 && Math.abs(buy1.price / s.center - 0.985) < 1e-6, 'the ladder uses the new spacing');
    assert.equal(r.events.filter((e) => e.type === 'grid_built' && e.reason === 'spacing changed').length, 1, 'a grid_built event says it finished');
  });

  it('a newer change supersedes a pending rebuild: one rebuild, with the newer settings', async () => {
    const r = await startedRig({ tier: null });
    const built = () => r.events.filter((e) => e.type === 'grid_built').length;
    const before = built();
    r.counted.close();
    await r.bot.trader.setSpacing(1.5);
    await flush();
    await r.bot.trader.setSpacing(2);
    await r.bot.trader.setRatioOverride(0.6);
    assert.equal(r.bot.state.rebuild?.reason, 'ratio changed');
    r.counted.open();
    await r.bot.trader.whenIdle();
    await r.bot.tickOnce();
    assert.equal(r.bot.state.rebuild ?? null, null);
    assert.equal(built() - before, 1, 'one grid built, not one per change');
    const last = r.events.filter((e) => e.type === 'grid_built').at(-1);
    assert.ok(last && last.type === 'grid_built' && last.spacingPct === 2);
    const s = r.bot.state;
    assert.equal(s.orders.filter((o) => o.side === 'buy').length, 24, 'ratio 0.6: 24 buys');
    assert.equal(s.orders.length, 40);
    assert.equal(s.orders.filter((o) => o.cancelRequested).length, 0);
  });

  it('at Starter with young orders: progress is visible, the nearest levels move first, amend is used, and no call is ever rate-limited', async () => {
    const r = await startedRig();
    const oldPrices = r.bot.state.orders.map((o) => o.price);
    r.clock.advance(2_000); // the grid is 2 s old: cancelling costs 8 points each, amending 4
    r.setPrice(0.2);
    await r.bot.trader.setSpacing(1.5);
    await r.bot.trader.whenIdle();
    assert.equal(r.counted.waitedMs, 0, 'the step never waited on the counter');
    assert.ok(r.bot.state.rebuild, 'still in progress after the first step');
    const p = { ...r.bot.state.rebuild };
    assert.equal(p.total, 40);
    assert.ok(p.moved > 0 && p.moved < 40, `k of n levels moved: ${p.moved} of ${p.total}`);
    // The status view shows it.
    const view = statusOf(r.bot);
    assert.deepEqual({ moved: view.rebuild?.moved, total: view.rebuild?.total, reason: view.rebuild?.reason }, { moved: p.moved, total: 40, reason: 'spacing changed' });
    assert.equal(view.rebuild?.text, `rebuild in progress: ${p.moved} of 40 levels moved`);

    for (let i = 0; i < 40 && r.bot.state.rebuild; i++) {
      r.clock.advance(10_000);
      await r.bot.tickOnce();
    }
    assert.equal(r.bot.state.rebuild ?? null, null, 'finished');
    assert.equal(r.counted.rejects, 0, 'never EOrder:Rate limit exceeded');
    assert.equal(r.counted.waitedMs, 0, 'no step ever waited on the counter');
    const moves = r.counted.calls.filter((c) => c.op === 'amend');
    // 12 levels of the 1.5 % ladder fall on prices of the 1 % ladder (0.197 ↔ 0.194 …): those orders stay; every other one moves by AmendOrder.
    const s0 = r.bot.state;
    const stay = planGrid(s0.center, 1.5, s0.ratioAtBuild, s0.levelsPerSide, s0.orderSizeUsd, r.bot.trader.pairInfo).filter((t) => oldPrices.some((x) => Math.abs(x - t.price) < 1e-12));
    assert.equal(stay.length, 12);
    assert.equal(moves.length, 40 - stay.length, 'every other order moved in place by AmendOrder');
    assert.equal(r.counted.calls.filter((c) => c.op === 'cancel').length, 0);
    // Nearest first: the distance to the price never decreases along the moves of the first step.
    const d = moves.map((c) => Math.abs((c.price as number) - 0.2));
    const firstStep = d.slice(0, p.moved);
    for (let i = 1; i < firstStep.length; i++) assert.ok(firstStep[i] >= firstStep[i - 1] - 1e-12, `move ${i} is not further than move ${i - 1}`);
    assert.ok(Math.max(...firstStep) <= Math.min(...d.slice(p.moved)) + 1e-12, 'the first step moved the nearest levels');
    const s = r.bot.state;
    assert.equal(s.orders.length, 40);
    const buy1 = s.orders.find((o) => o.level === -1);
    assert.ok(buy1 && Math.abs(buy1.price / s.center - 0.985) < 1e-6);
  });

  it('without AmendOrder (EGeneral:Unknown method) the rebuild falls back to cancel + add, asks once, and still never exceeds the counter', async () => {
    const r = await startedRig();
    const oldPrices = r.bot.state.orders.map((o) => o.price);
    r.counted.amendSupported = false;
    r.clock.advance(20_000);
    await r.bot.tickOnce();
    await r.bot.trader.setSpacing(1.5);
    await r.bot.trader.whenIdle();
    for (let i = 0; i < 80 && r.bot.state.rebuild; i++) {
      r.clock.advance(10_000);
      await r.bot.tickOnce();
    }
    assert.equal(r.bot.state.rebuild ?? null, null, 'finished');
    assert.equal(r.counted.rejects, 0);
    assert.equal(r.counted.waitedMs, 0, 'no step ever waited on the counter');
    assert.equal(r.counted.calls.filter((c) => c.op === 'amend').length, 0);
    const s0 = r.bot.state;
    const stay = planGrid(s0.center, 1.5, s0.ratioAtBuild, s0.levelsPerSide, s0.orderSizeUsd, r.bot.trader.pairInfo).filter((t) => oldPrices.some((x) => Math.abs(x - t.price) < 1e-12));
    assert.equal(stay.length, 12, 'orders already at a price of the new ladder stay');
    assert.equal(r.counted.calls.filter((c) => c.op === 'cancel').length, 40 - stay.length);
    assert.equal(r.bot.state.orders.length, 40);
    assert.equal((await r.paper.listOpenOrders()).length, 40, 'the book has the new grid only');
  });

  it('pickAmend: amend when it costs no more than cancel + add, otherwise cancel + add', () => {
    const plan = planGrid(0.2, 1, 0.5, 2, 3.5, FALLBACK_PAIR_INFO);
    const order = (side: 'buy' | 'sell', price: number, placedAt: number): GridOrder => ({
      clientOrderId: `c${price}`,
      id: `id${price}`,
      status: 'open',
      kind: 'grid',
      level: side === 'buy' ? -5 : 5,
      side,
      price,
      volume: 20,
      bookedVolume: 0,
      bookedFee: 0,
      bookedCost: 0,
      placedAt,
      answers: null,
      attempts: 1,
    });
    const target = plan.find((t) => t.side === 'buy')!;
    const cands = [order('buy', 0.15, 0), order('sell', 0.25, 0)];
    assert.equal(pickAmend(target, cands, UNLIMITED_BUDGET, 1000, 0.2)?.side, 'buy', 'same side only');
    const dearAmend = { ...UNLIMITED_BUDGET, addCost: 1, cancelCost: () => 0, amendCost: () => 2 };
    assert.equal(pickAmend(target, cands, dearAmend, 1000, 0.2), null, 'an amend dearer than cancel + add is not used');
    const kraken = { ...UNLIMITED_BUDGET, addCost: 1, cancelCost: () => 8, amendCost: () => 4 };
    assert.ok(pickAmend(target, cands, kraken, 1000, 0.2), 'young order: amend (4) beats cancel + add (9)');
    const partly = { ...cands[0], bookedVolume: 5 };
    assert.equal(pickAmend(target, [partly], UNLIMITED_BUDGET, 1000, 0.2), null, 'a partly filled order is never amended');
  });

  it('diffGrid keeps orders already at a wanted level (a reset at the same price costs nothing)', async () => {
    const r = await startedRig();
    const s = r.bot.state;
    const plan = planGrid(s.center, s.settings.spacingPct, s.ratioAtBuild, s.levelsPerSide, s.orderSizeUsd, r.bot.trader.pairInfo);
    const d = diffGrid(s, plan, s.lastPrice, 0);
    assert.equal(d.todo.length, 0);
    assert.equal(d.surplus.length, 0);
    const calls = r.counted.calls.length;
    await r.bot.trader.resetGrid('telegram');
    await r.bot.trader.whenIdle();
    assert.equal(r.counted.calls.length, calls, 'no trading call');
    assert.equal(r.bot.state.rebuild ?? null, null);
  });

  it('an order already at a wanted price stays where it is when only its level number changes (1 % → 1.5 %: 0.097 was level −3, is level −2)', async () => {
    const r = await startedRig({ tier: null });
    const s = r.bot.state;
    const center = s.center;
    const before = new Map(s.orders.map((o) => [o.id, o.price]));
    const calls = r.counted.calls.length;
    await r.bot.trader.setSpacing(1.5);
    await r.bot.trader.whenIdle();
    assert.equal(s.rebuild ?? null, null, 'done');
    const moves = r.counted.calls.slice(calls);
    const wanted = planGrid(center, 1.5, s.ratioAtBuild, s.levelsPerSide, s.orderSizeUsd, r.bot.trader.pairInfo);
    const shared = wanted.filter((t) => [...before.values()].some((p) => Math.abs(p - t.price) < 1e-12));
    assert.ok(shared.length >= 4, `levels of both ladders share prices (${shared.length})`);
    for (const t of shared) {
      assert.ok(!moves.some((c) => c.op !== 'cancel' && c.price !== undefined && Math.abs(c.price - t.price) < 1e-12), `nothing is moved onto ${t.price}: an order already rests there`);
      const o = s.orders.find((x) => x.side === t.side && Math.abs(x.price - t.price) < 1e-12);
      assert.ok(o, `an order rests at ${t.price}`);
      assert.equal(o.level, t.level, 'it carries its new level number');
      assert.equal(before.get(o.id), t.price, 'the same order as before the change');
    }
    const levels = s.orders.filter((o) => o.kind === 'grid').map((o) => `${o.side}${o.level}`);
    assert.equal(new Set(levels).size, levels.length, 'one order per level');
  });

  it('shutdown cancels nearest the price first, only what the counter allows in its budget; the rest keeps working', async () => {
    const r = await startedRig();
    r.clock.advance(1_000); // young grid: 8 points per cancel
    await r.bot.trader.cancelAll({ budgetMs: 6_500 });
    const cancels = r.counted.calls.filter((c) => c.op === 'cancel');
    assert.equal(r.counted.rejects, 0);
    assert.ok(r.counted.waitedMs <= 6_500, `waited ${r.counted.waitedMs} ms, within the budget`);
    // Room after the first grid: 59 - 40 + 1 s decay = 20, plus 6.5 s of decay: 26 points → 3 cancels of 8.
    assert.equal(cancels.length, 3);
    const left = r.bot.state.orders;
    assert.equal(left.length, 37);
    assert.ok(left.every((o) => !o.cancelRequested), 'the orders left are ordinary working orders');
    const dist = (price: number) => Math.abs(price - 0.2);
    const cancelledMax = Math.max(...cancels.map((c) => dist(r.paper.snapshot().orders.find((o) => o.id === c.id)!.price)));
    assert.ok(left.every((o) => dist(o.price) >= cancelledMax - 1e-12), 'the nearest were cancelled');
  });
});

describe('a full rebuild at Starter against the simulator (the real bot, issue 12)', () => {
  it('a spacing change right after the first grid: answered at once, the rebuild completes over a few ticks, zero rate-limit rejections', async () => {
    const { liveRig } = await import('../support/live-rig.js');
    const rig = await liveRig({ env: { KRAKEN_TIER: 'starter', STARTING_CAPITAL: '400' }, sim: { tier: 'starter' } });
    try {
      const bot = rig.bot;
      assert.equal(rig.ours().length, 40, 'the first grid: 40 orders');
      // Seconds old: at Starter each cancel costs 8 points, so the move takes minutes of counter.
      rig.clock.advance(2_000);
      const answer = await bot.trader.setSpacing(1.5);
      assert.match(answer, /rebuilding the grid in the background/);
      await bot.trader.whenIdle();
      assert.ok(bot.state.rebuild, 'the rebuild goes on after the first step');
      let ticks = 0;
      while (bot.state.rebuild && ticks < 40) {
        await rig.tick(30_000);
        ticks++;
      }
      assert.equal(bot.state.rebuild ?? null, null, `finished after ${ticks} ticks`);
      assert.equal(rig.sim.stats.rejections['EOrder:Rate limit exceeded'] ?? 0, 0, 'zero trading rate-limit rejections');
      assert.equal(rig.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0, 'zero REST rate-limit rejections');
      const ours = rig.ours();
      assert.equal(ours.length, 40, 'a whole grid on the book, nothing left over');
      const s = bot.state;
      const buy1 = s.orders.find((o) => o.level === -1 && o.kind === 'grid');
      assert.ok(buy1 && Math.abs(buy1.price / s.center - 0.985) < 1e-6, 'the new spacing');
      assert.deepEqual(new Set(ours.map((o) => o.txid)), new Set(s.orders.map((o) => o.id)), 'the state and the book agree');
    } finally {
      await rig.close();
    }
  });
});
