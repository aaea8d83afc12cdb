// LIVE mode end to end: the real Bot (DRY_RUN=false, its own KrakenClient and
// KrakenExchange built from the config) trading against the Kraken simulator.
// The simulator's order book, trades and fees are the ground truth the bot's
// state is compared with.
import '../../support/core.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { krakenClientOrderId, userrefFromClientOrderId } from '../../../src/exchange/kraken/kraken-exchange.js';
import { assertFillsBooked, assertIdentity, assertInSync, describeOurs, liveRig, type LiveRig } from '../../support/live-rig.js';

const SPACING = 0.01;
const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

/** All checks that must hold after every tick. */
function consistent(rig: LiveRig, label: string): void {
  assertInSync(rig, label);
  assertFillsBooked(rig, label);
  assertIdentity(rig, label);
}

function simTradesOf(rig: LiveRig, txid: string) {
  const ts = rig.sim.trades().filter((t) => t.ordertxid === txid);
  const volume = ts.reduce((s, t) => s + t.volume, 0);
  const cost = ts.reduce((s, t) => s + t.cost, 0);
  return { volume, fee: ts.reduce((s, t) => s + t.fee, 0), price: cost / volume };
}

describe('live trading against the simulator', () => {
  it('places the grid post-only, tagged with our userref through cl_ord_id, and leaves a foreign order alone', async () => {
    const rig = await liveRig({ start: false });
    try {
      const foreign = rig.sim.placeOrderDirect({ side: 'buy', price: 0.05, volume: 100, userref: 42 });
      await rig.bot.start();
      const s = rig.bot.state;
      assert.equal(s.orders.length, 40, 'default capital at 0.1: 20 levels per side');
      assert.equal(rig.ours().length, 40);
      for (const o of rig.ours()) {
        const mine = s.orders.find((x) => x.id === o.txid)!;
        assert.ok(mine, `${o.txid} is in the state`);
        assert.equal(o.oflags, 'post,fciq', 'post-only, fees in USD');
        assert.equal(userrefFromClientOrderId(o.clOrdId), rig.config.krakenUserref, 'our userref is in the cl_ord_id tag');
        assert.equal(o.clOrdId, krakenClientOrderId(rig.config.krakenUserref, mine.clientOrderId));
        assert.equal(o.userref, null, 'Kraken makes userref and cl_ord_id mutually exclusive');
        assert.equal(o.side, mine.side);
        assert.equal(o.price, mine.price);
        assert.equal(o.volume, mine.volume);
        assert.ok(o.side === 'buy' ? o.price < 0.1 : o.price > 0.1);
        assert.ok(o.volume >= 13 && o.volume * o.price >= 0.5, 'above ordermin/costmin');
      }
      assert.equal(rig.sim.order(foreign)!.status, 'open');
      assert.equal(rig.sim.stats.rejections['EOrder:Post only order'] ?? 0, 0);
      consistent(rig, 'after start');
    } finally {
      await rig.close();
    }
  });

  it('answers fills with counter orders one level away carrying the filled volume, and books round trips with the simulator fees', async () => {
    const rig = await liveRig();
    try {
      const s = rig.bot.state;
      const buy1 = s.orders.find((o) => o.side === 'buy' && o.level === -1)!;
      assert.equal(buy1.price, 0.099);

      rig.sim.setPrice(0.0989);
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after the first buy');
      assert.equal(s.fills.length, 1);
      const b = simTradesOf(rig, buy1.id!);
      assert.equal(b.volume, buy1.volume);
      assert.ok(Math.abs(b.fee - buy1.volume * 0.099 * 0.0025) < 1e-12, 'maker fee 0.25 %');
      const counter = s.orders.find((o) => o.kind === 'counter')!;
      assert.ok(counter, 'a counter order is working');
      assert.deepEqual([counter.side, counter.level, counter.price, counter.volume], ['sell', 0, round7(0.099 * (1 + SPACING)), b.volume]);
      const simCounter = rig.sim.order(counter.id!)!;
      assert.deepEqual([simCounter.status, simCounter.side, simCounter.price, simCounter.volume, simCounter.oflags], ['open', 'sell', counter.price, b.volume, 'post,fciq']);
      assert.deepEqual(counter.answers, { side: 'buy', price: 0.099, volume: b.volume, fee: s.fills[0]!.fee, time: s.fills[0]!.time });

      rig.sim.setPrice(0.1);
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after the round trip');
      const c = simTradesOf(rig, counter.id!);
      const expected = (c.price - b.price) * b.volume - c.fee - b.fee;
      assert.equal(s.profit.roundTrips, 1);
      const rt = s.fills.find((f) => f.orderId === counter.id)!;
      assert.ok(Math.abs(rt.profit! - expected) < 1e-10, `profit ${rt.profit} vs simulator ${expected}`);
      assert.ok(Math.abs(s.profit.total - expected) < 1e-10);
      assert.ok(expected > 0 && expected < (c.price - b.price) * b.volume, 'fees were taken off');
      // The level the buy came from is re-armed one level below the sell.
      const rearm = s.orders.find((o) => o.side === 'buy' && o.level === -1)!;
      assert.deepEqual([rearm.kind, rearm.price, rearm.volume], ['grid', round7(c.price * (1 - SPACING)), b.volume]);

      // A fall through three levels: three fills, three counters, each one level up with its volume.
      const before = new Set(s.orders.map((o) => o.id));
      const crossed = s.orders.filter((o) => o.side === 'buy' && o.price >= 0.0965);
      assert.equal(crossed.length, 3, describeOurs(rig));
      rig.sim.setPrice(0.0965);
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after three buys');
      const counters = s.orders.filter((o) => !before.has(o.id));
      assert.equal(counters.length, 3);
      for (const o of crossed) {
        const t = simTradesOf(rig, o.id!);
        const k = counters.find((x) => x.answers?.price === t.price)!;
        assert.ok(k, `counter for the buy at ${o.price}`);
        assert.deepEqual([k.side, k.level, k.price, k.volume], ['sell', o.level + 1, round7(t.price * (1 + SPACING)), t.volume]);
      }
      assert.equal(s.fills.length, 5);
    } finally {
      await rig.close();
    }
  });

  it('a drift rebuild and the shutdown cancel only our orders; an order under another userref survives both', async () => {
    const rig = await liveRig({ start: false });
    try {
      const foreign = rig.sim.placeOrderDirect({ side: 'buy', price: 0.05, volume: 100, userref: 42 });
      const foreignSell = rig.sim.placeOrderDirect({ side: 'sell', price: 0.2, volume: 100, userref: 7302 });
      await rig.bot.start();
      const s = rig.bot.state;
      const first = new Set(s.orders.map((o) => o.id));
      rig.clock.advance(6 * 60_000); // resting orders are old: cancelling them is free
      rig.sim.setPrice(0.106);
      assert.equal(await rig.tick(), true);
      assert.equal(s.center, 0.106, 'grid rebuilt around the new price');
      // At Starter a rebuild of 40 orders plus the fills' counters can take more than one tick's trading counter: it goes on in the next ticks.
      for (let i = 0; i < 10 && s.rebuild; i++) assert.equal(await rig.tick(), true);
      assert.equal(s.rebuild ?? null, null, 'the rebuild finished');
      // Old orders may be moved onto the new grid by AmendOrder (same ids) or cancelled and replaced: either way none stays at an old price.
      for (const o of s.orders) assert.equal(o.price, round7(0.106 * (1 + SPACING * o.level)), `${o.side} level ${o.level} (${first.has(o.id) ? 'amended' : 'new'}) sits on the new grid`);
      assert.equal(s.fills.length, 6, 'the six sells between 0.101 and 0.106 were booked before the rebuild');
      assert.ok(s.orders.length >= 30, `${s.orders.length} orders in the new grid`);
      assert.ok(s.orders.every((o) => (o.side === 'buy' ? o.price < 0.106 : o.price > 0.106)));
      consistent(rig, 'after the drift rebuild');
      assert.equal(rig.sim.order(foreign)!.status, 'open');
      assert.equal(rig.sim.order(foreignSell)!.status, 'open');
      // An old order still open on the simulator is one the rebuild amended onto the new grid (it is in the state at a new price).
      const kept = new Set(s.orders.map((o) => o.id));
      for (const id of first) if (!kept.has(id)) assert.notEqual(rig.sim.order(id!)!.status, 'open', `old order ${id} left working`);

      rig.clock.advance(6 * 60_000);
      await rig.bot.shutdown('test');
      assert.equal(await rig.bot.finished, 0);
      assert.deepEqual(rig.ours(), [], 'shutdown cancelled our orders');
      assert.deepEqual(rig.sim.openOrders().map((o) => o.txid).sort(), [foreign, foreignSell].sort());
      assert.equal(s.orders.length, 0);
      assertFillsBooked(rig, 'after shutdown');
      assertIdentity(rig, 'after shutdown');
      assert.equal(rig.client().stats.limiterWaitMs, 0);
      assert.ok(!rig.sim.requests.some((r) => r.endpoint === 'CancelAll'), 'CancelAll is never used');
    } finally {
      await rig.close();
    }
  });

  it('a rebuild in the tick that booked fills already uses the trend ratio those fills set (no second rebuild a tick later)', async () => {
    // Live time moves on while a tick talks to Kraken: the fills are stamped
    // after the tick started. They must still count in that tick's trend.
    const built: string[] = [];
    const rig = await liveRig({
      services: { onEvent: (e) => void (e.type === 'grid_built' && built.push(`${e.reason} ${e.buys}/${e.sells}`)) },
    });
    try {
      const s = rig.bot.state;
      rig.clock.advance(6 * 60_000);
      rig.sim.setPrice(0.106);
      assert.equal(await rig.tick(), true);
      assert.equal(s.fills.length, 6);
      assert.deepEqual([s.trend.sells12h, s.trend.buys12h, s.trend.ratio], [6, 0, 0.75], 'the six sells of this tick count');
      // At Starter the rebuild moves young orders within the trading counter, in steps over the next ticks.
      for (let i = 0; i < 10 && s.rebuild; i++) {
        rig.clock.advance(30_000);
        assert.equal(await rig.tick(), true);
      }
      assert.equal(s.rebuild ?? null, null, 'the rebuild finished');
      assert.equal(s.orders.filter((o) => o.side === 'buy').length, 30, 'the drift rebuild split the ladder by the new ratio');
      rig.clock.advance(6 * 60_000);
      assert.equal(await rig.tick(), true);
      assert.deepEqual(built.map((b) => b.split(' ')[0]), ['startup', 'drift'], `grids built: ${built.join(', ')}`);
      consistent(rig, 'after the rebuild');
    } finally {
      await rig.close();
    }
  });

  it('books partial fills by vol_exec; the counter carries the executed volume', async () => {
    const rig = await liveRig({ sim: { partialFillRatio: 0.85 } });
    try {
      const s = rig.bot.state;
      const buy1 = s.orders.find((o) => o.side === 'buy' && o.level === -1)!;
      const buy2 = s.orders.find((o) => o.side === 'buy' && o.level === -2)!;
      const inv0 = s.ledger.inventory;

      rig.sim.setPrice(0.0989); // first crossing: 85 % of buy −1
      assert.equal(await rig.tick(), true);
      const part = rig.sim.order(buy1.id!)!;
      assert.equal(part.status, 'open');
      assert.ok(part.volExec > 0 && part.volExec < part.volume);
      assert.equal(buy1.bookedVolume, part.volExec, 'booked by vol_exec');
      assert.ok(Math.abs(s.ledger.inventory - inv0 - part.volExec) < 1e-9);
      assert.equal(s.fills.length, 0, 'no fill record and no counter while the order works');
      assert.equal(s.orders.length, 40);
      consistent(rig, 'after a partial execution');

      rig.sim.setPrice(0.0988); // second crossing completes it
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after completion');
      const full = s.fills.find((f) => f.orderId === buy1.id)!;
      assert.equal(full.volume, buy1.volume);
      const counter1 = s.orders.find((o) => o.kind === 'counter')!;
      assert.equal(counter1.volume, buy1.volume);

      // Partly executed, then expired: the counter carries exactly what executed.
      rig.sim.setPrice(0.0979);
      assert.equal(await rig.tick(), true);
      const executed = rig.sim.order(buy2.id!)!.volExec;
      assert.ok(executed > 0 && executed < buy2.volume);
      rig.sim.closeBehindBack(buy2.id!, 'expired');
      rig.sim.setPrice(0.0985);
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after the expiry');
      const fill2 = s.fills.find((f) => f.orderId === buy2.id)!;
      assert.equal(fill2.volume, executed);
      const counter2 = s.orders.find((o) => o.kind === 'counter' && o.answers?.volume === executed)!;
      assert.ok(counter2, 'a counter for the executed part');
      assert.deepEqual([counter2.side, counter2.level, counter2.volume, counter2.price], ['sell', -1, executed, round7(0.098 * (1 + SPACING))]);
      assert.equal(rig.sim.order(counter2.id!)!.volume, executed);
    } finally {
      await rig.close();
    }
  });

  it('replaces an order that the exchange cancelled or expired behind its back', async () => {
    const rig = await liveRig();
    try {
      const s = rig.bot.state;
      const victims = [s.orders.find((o) => o.side === 'sell' && o.level === 3)!, s.orders.find((o) => o.side === 'buy' && o.level === -4)!];
      rig.sim.closeBehindBack(victims[0]!.id!, 'canceled');
      rig.sim.closeBehindBack(victims[1]!.id!, 'expired');
      const gone = victims.map((v) => ({ id: v.id, side: v.side, level: v.level, price: v.price, volume: v.volume }));
      assert.equal(await rig.tick(), true);
      consistent(rig, 'after the replacement');
      assert.equal(s.orders.length, 40);
      assert.equal(s.fills.length, 0, 'nothing executed, nothing booked');
      for (const v of gone) {
        const r = s.orders.find((o) => o.side === v.side && o.level === v.level)!;
        assert.ok(r, `level ${v.level} is worked again`);
        assert.notEqual(r.id, v.id);
        assert.deepEqual([r.price, r.volume], [v.price, v.volume]);
        assert.equal(rig.sim.order(r.id!)!.status, 'open');
      }
      assert.equal(await rig.tick(), true);
      consistent(rig, 'a tick later');
    } finally {
      await rig.close();
    }
  });
});
