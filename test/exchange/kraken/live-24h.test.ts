// A simulated day of live trading at Kraken's starter tier with the default
// settings (30 s poll, default capital and grid): 2 880 ticks against the
// simulator, whose counters are enforced. Kraken must never answer with a
// rate-limit error, the client's limiter must never have to wait (it would
// sleep in real time: BotOptions has no `sleep`), and a steady-state tick
// (nothing filled, nothing placed) costs at most one private call on the
// REST counter.
import '../../support/core.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTradingEndpoint, restCost } from '../../../src/exchange/kraken/rate-limiter.js';
import { assertFillsBooked, assertIdentity, assertInSync, liveRig } from '../../support/live-rig.js';

const PRIVATE = new Set(['AddOrder', 'CancelOrder', 'OpenOrders', 'ClosedOrders', 'QueryOrders', 'Balance', 'BalanceEx', 'TradesHistory']);
const TICKS = 2880;

describe('24 hours at the starter tier', () => {
  it('zero rate-limit errors, no limiter wait, at most one REST-counter call per steady-state tick', async (t) => {
    const built: string[] = [];
    const rig = await liveRig({
      // Defaults: KRAKEN_TIER starter, POLL_INTERVAL_SECONDS 30, STARTING_CAPITAL 120, 1 % spacing.
      sim: { tier: 'starter', process: { kind: 'ou', price: 0.1, theta: 0.02, volatility: 0.004 }, seed: 3 },
      services: { onEvent: (e) => void (e.type === 'grid_built' && built.push(e.reason)) },
    });
    try {
      assert.equal(rig.config.krakenTier, 'starter');
      assert.equal(rig.config.pollIntervalSeconds, 30);
      const s = rig.bot.state;
      const steady: number[] = [];
      const busy: number[] = [];
      let pointsTotal = 0;
      let failed = 0;
      for (let i = 0; i < TICKS; i++) {
        rig.sim.step(1);
        const from = rig.sim.requests.length;
        const fills = s.fills.length;
        const seq = s.orderSeq;
        if (!(await rig.tick())) failed++;
        const calls = rig.sim.requests.slice(from).filter((r) => PRIVATE.has(r.endpoint) && !isTradingEndpoint(r.endpoint));
        const points = calls.reduce((sum, r) => sum + restCost(r.endpoint), 0);
        pointsTotal += points;
        if (s.fills.length === fills && s.orderSeq === seq) steady.push(calls.length);
        else busy.push(points);
      }
      const rejections = Object.entries(rig.sim.stats.rejections).filter(([k]) => /rate limit|lockout/i.test(k));
      const rateErrors = rig.sim.requests.filter((r) => /Rate limit exceeded|Temporary lockout/.test(r.outcome)).length;
      const stats = rig.client().stats;
      const perSteady = steady.reduce((a, b) => a + b, 0) / steady.length;
      t.diagnostic(
        `${TICKS} ticks (${failed} failed): ${s.fills.length} fills, ${s.profit.roundTrips} round trips, grids built: ${built.join(', ')}; ` +
          `rate-limit errors ${rateErrors}; steady-state ticks ${steady.length}: ${perSteady.toFixed(3)} REST-counter calls each (max ${Math.max(...steady)}); ` +
          `busy ticks ${busy.length}: max ${Math.max(0, ...busy)} points; REST points ${pointsTotal} over the day (${(pointsTotal / TICKS).toFixed(3)}/tick); ` +
          `private calls ${JSON.stringify(stats.privateCalls)}; limiter waited ${stats.limiterWaitMs} ms`,
      );
      assert.equal(failed, 0);
      assert.deepEqual(rejections, [], 'the simulator never rejected a call for the rate limit');
      assert.equal(rateErrors, 0);
      assert.equal(stats.limiterWaitMs, 0, 'the client never had to wait for its counters');
      assert.ok(steady.length > TICKS / 2, `${steady.length} steady-state ticks`);
      assert.ok(Math.max(...steady) <= 1, `a steady-state tick made ${Math.max(...steady)} REST-counter calls`);
      assert.ok(s.fills.length >= 20, `only ${s.fills.length} fills in a day`);
      assert.ok(s.profit.roundTrips >= 5, `only ${s.profit.roundTrips} round trips`);
      assertInSync(rig, 'after 24 h');
      assertFillsBooked(rig, 'after 24 h');
      assertIdentity(rig, 'after 24 h');
    } finally {
      await rig.close();
    }
  });
});
