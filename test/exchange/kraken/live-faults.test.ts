// The fault matrix: for every fault the simulator can inject (FAULT_TYPES),
// plus orders cancelled or expired behind the bot's back, the live bot trades
// through the same price path (a dozen fills and a drift rebuild) while the
// fault hits its reads and writes. Ticks may fail; the loop goes on. Once the
// fault has cleared and a few ticks passed, the simulator's open orders of
// ours equal the bot's view (no duplicate, none missing), every execution is
// booked exactly once, and the ledger identity holds.
//
// The bot builds its KrakenClient from the config with the default 15 s
// request timeout (BotOptions has no way to shorten it and no env var sets
// it), so each `timeout_*` hit costs 15 real seconds. The cases run
// concurrently to keep the file near the longest one.
import '../../support/core.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configureLogger } from '../../../src/util/log.js';
import { FAULT_TYPES, type FaultSpec, type FaultType } from '../../../src/tools/sim/kraken-sim.js';
import { assertFillsBooked, assertIdentity, assertInSync, liveRig } from '../../support/live-rig.js';

// Failed ticks log errors by design; keep the output readable unless asked.
if (!process.env.TEST_LOG_LEVEL) configureLogger({ write: () => undefined });

/** Prices the simulator is set to, one per tick; 'wait' lets the resting orders age (cheap cancels at the rebuild). */
const PATH: (number | 'wait')[] = [0.0989, 0.0979, 0.0992, 0.1, 0.1011, 0.0999, 0.1012, 'wait', 0.1065, 0.1054, 0.1066, 0.1053, 0.1067];

type Case = FaultType | 'cancelled_behind_back' | 'expired_behind_back';

function faultsFor(type: FaultType): FaultSpec[] {
  if (type === 'latency') return [{ type, ms: 40, times: 400 }];
  // Each timeout costs the client's full 15 s: hit the write whose outcome it leaves unknown.
  if (type === 'timeout_before' || type === 'timeout_after') return [{ type, endpoint: 'AddOrder', times: 1 }];
  return [
    { type, endpoint: 'AddOrder', times: 2 },
    { type, endpoint: 'QueryOrders', times: 1 },
    { type, endpoint: 'Ticker', times: 1 },
    { type, endpoint: 'OpenOrders', times: 1 },
    { type, endpoint: 'CancelOrder', times: 2 },
  ];
}

const CASES: Case[] = [...FAULT_TYPES, 'cancelled_behind_back', 'expired_behind_back'];

describe('fault matrix: the live bot keeps running and ends in sync with the simulator', { concurrency: true }, () => {
  for (const kind of CASES) {
    it(kind, async (t) => {
      const started = performance.now();
      const rig = await liveRig();
      try {
        const s = rig.bot.state;
        if (kind !== 'cancelled_behind_back' && kind !== 'expired_behind_back') rig.sim.faults.add(faultsFor(kind));
        let failed = 0;
        let ticks = 0;
        for (const [i, step] of PATH.entries()) {
          if (step === 'wait') {
            rig.clock.advance(6 * 60_000);
            continue;
          }
          rig.sim.setPrice(step);
          if (kind === 'cancelled_behind_back' || kind === 'expired_behind_back') {
            // Every other tick the exchange drops one of our resting orders.
            const victim = i % 2 === 0 ? rig.ours()[i % Math.max(1, rig.ours().length)] : undefined;
            if (victim) rig.sim.closeBehindBack(victim.txid, kind === 'cancelled_behind_back' ? 'canceled' : 'expired');
          }
          ticks++;
          if (!(await rig.tick())) failed++;
        }
        const hits = rig.sim.stats.rejections[`fault:${kind}`] ?? 0;
        const left = rig.sim.faults.list();
        rig.sim.faults.clear();
        // Recovery: a few quiet ticks.
        for (let i = 0; i < 3; i++) assert.equal(await rig.tick(), true, `recovery tick ${i + 1} after ${kind}`);
        assert.ok(rig.bot.consecutiveErrors === 0);
        assertInSync(rig, kind);
        const booked = assertFillsBooked(rig, kind);
        assertIdentity(rig, kind);
        assert.ok(s.fills.length >= 10, `${kind}: only ${s.fills.length} fills`);
        assert.ok(s.gridBuiltAt > 0 && s.center >= 0.1, `${kind}: the drift rebuild happened (center ${s.center})`);
        if (kind !== 'latency' && kind !== 'cancelled_behind_back' && kind !== 'expired_behind_back') {
          assert.ok(hits > 0, `${kind}: the fault was injected`);
        }
        const stats = rig.client().stats;
        t.diagnostic(
          `${kind}: ${hits} injected (${left.length} unused), ${failed}/${ticks} ticks failed, ${s.fills.length} fills (${booked.orders} orders executed), ` +
            `${s.profit.roundTrips} round trips, ${stats.retries} client retries, ${stats.addOrderRecovered} AddOrder recovered by lookup, ` +
            `${s.orders.length} open, ${Math.round(performance.now() - started)} ms`,
        );
      } finally {
        await rig.close();
      }
    });
  }
});

describe('a rebuild whose bulk cancel partly fails', () => {
  it('books the orders it did cancel as its own, cancels the rest by id, and does not place the old grid again', async () => {
    const rig = await liveRig();
    try {
      const s = rig.bot.state;
      const firstGrid = new Set(s.orders.map((o) => o.id));
      rig.clock.advance(6 * 60_000);
      // Two cancels of the bulk pass are refused (a non-retryable Kraken error); the rest go through.
      rig.sim.faults.add({ type: 'insufficient_funds', endpoint: 'CancelOrder', times: 2 });
      const placedBefore = rig.sim.orders().length;
      rig.sim.setPrice(0.1065);
      await rig.tick();
      for (let i = 0; i < 3; i++) assert.equal(await rig.tick(), true);
      assert.equal(rig.sim.stats.rejections['fault:insufficient_funds'], 2);
      assert.ok(Math.abs(s.center - 0.1065) < 1e-12, `rebuilt around the new price (center ${s.center})`);
      // Each old order is cancelled, or (where the simulator has AmendOrder) moved in place onto the new grid.
      const now = new Map(s.orders.map((o) => [o.id, o]));
      for (const id of firstGrid) {
        const o = rig.sim.order(id!)!;
        assert.ok(o.status !== 'open' || (now.has(id) && now.get(id)!.price === o.price && now.get(id)!.amendedAt !== undefined), `old grid order ${id} is cancelled or moved onto the new grid`);
      }
      const placedAfter = rig.sim.orders().slice(placedBefore);
      const counters = s.fills.length; // one counter per fill of the drift tick, cancelled by the rebuild
      assert.ok(placedAfter.length <= 40 + counters, `${placedAfter.length} orders placed for one rebuild (${counters} counters): the cancelled grid was placed again`);
      assertInSync(rig, 'after the rebuild');
      assertFillsBooked(rig, 'after the rebuild');
      assertIdentity(rig, 'after the rebuild');
    } finally {
      await rig.close();
    }
  });
});
