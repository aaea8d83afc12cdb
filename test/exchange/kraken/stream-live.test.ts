// LIVE mode with the Kraken WebSocket stream (KRAKEN_WS=true) against the
// simulator at the Starter tier: the real Bot builds its own client, exchange
// and stream from the config. The stream's timers are fired by hand (no
// reconnect or watchdog runs on its own); real time only carries the socket I/O.
import '../../support/core.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFillsBooked, assertIdentity, assertInSync, liveRig, type LiveRig } from '../../support/live-rig.js';
import { ManualTimers, waitFor } from '../../support/stream.js';
import { FlowClock } from '../../support/clock.js';
import { statusOf } from '../../../src/ops/views.js';
import { statusMessage } from '../../../src/frontends/telegram/replies.js';

/** The stream measures silence on its own (monotonic) clock: `streamClock`, which flows with real time and jumps when a test says. */
async function streamRig(env: Record<string, string> = {}): Promise<{ rig: LiveRig; timers: ManualTimers; streamClock: FlowClock }> {
  const timers = new ManualTimers();
  const streamClock = new FlowClock();
  const rig = await liveRig({ env: { KRAKEN_WS: 'true', ...env }, start: false, sim: { wsHeartbeatMs: 0 } });
  // liveRig built the bot already: rebuild it with the stream's test timers.
  rig.bot = (await import('../../../src/bot.js')).Bot.create({ config: rig.config, now: rig.clock.now, botId: '0123456789abcdef0123', stream: { timers, random: () => 0.5, now: streamClock.now } });
  await rig.bot.start();
  await waitFor(() => rig.bot.streamSync!.stream.authLive() && rig.bot.streamSync!.stream.public.isLive(), 'stream live');
  // The stream may have come up after the start: let its wake run, then the first tick (REST: the stream just came up).
  await new Promise((r) => setTimeout(r, 20));
  await rig.bot.trader.whenIdle();
  await rig.tick();
  return { rig, timers, streamClock };
}

const queries = (rig: LiveRig) => rig.sim.stats.calls['QueryOrders'] ?? 0;

function consistent(rig: LiveRig, label: string): void {
  assertInSync(rig, label);
  assertFillsBooked(rig, label);
  assertIdentity(rig, label);
}

describe('Kraken WebSocket stream, live', () => {
  it('a fill is booked and its counter order placed without waiting for a tick, with no QueryOrders', async () => {
    const { rig } = await streamRig();
    try {
      const s = rig.bot.state;
      const ticks = rig.bot.ticks;
      const q = queries(rig);
      const buy1 = s.orders.find((o) => o.side === 'buy' && o.level === -1)!;
      rig.sim.setPrice(0.0989); // Kraken executes our buy: nobody calls tick()
      await waitFor(() => s.fills.length === 1 && s.orders.some((o) => o.kind === 'counter' && o.status === 'open'), 'the counter order');
      await rig.bot.trader.whenIdle();
      assert.equal(rig.bot.ticks, ticks + 1, 'one tick, woken by the execution');
      assert.equal(queries(rig), q, 'the order states came from the stream');
      const counter = s.orders.find((o) => o.kind === 'counter')!;
      assert.equal(rig.sim.order(counter.id!)!.status, 'open', 'accepted by Kraken');
      assert.equal(s.fills[0]!.orderId, buy1.id);
      consistent(rig, 'after the streamed fill');
      // Ticks after it: still no QueryOrders while the stream is live and the reconciliation is not due.
      for (let i = 0; i < 5; i++) assert.equal(await rig.tick(), true);
      assert.equal(queries(rig), q);
      // Five minutes after the last reconciliation: one full REST reconciliation, the same books.
      await rig.tick(5 * 60_000);
      assert.equal(queries(rig), q + 1);
      consistent(rig, 'after the slow reconciliation');
      const view = statusOf(rig.bot);
      assert.equal(view.stream?.state, 'live');
      assert.match(statusMessage(view), /Stream: live/);
    } finally {
      rig.bot.streamSync?.stream.stop();
      await rig.close();
    }
  });

  it('a fill while disconnected is booked once after the reconnect; duplicated executions book once', async () => {
    const { rig, timers } = await streamRig();
    try {
      const s = rig.bot.state;
      const sync = rig.bot.streamSync!;
      const ticks = rig.bot.ticks;
      rig.sim.ws.fault({ type: 'drop', endpoint: 'auth' });
      await waitFor(() => !sync.stream.authLive() && rig.bot.ticks === ticks + 1, 'the drop wakes a REST tick');
      await rig.bot.trader.whenIdle();
      const q = queries(rig);
      rig.sim.setPrice(0.0989); // executes while we are not listening
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(s.fills.length, 0, 'nobody told us yet');
      timers.fireRetries();
      await waitFor(() => s.fills.length === 1 && s.orders.some((o) => o.kind === 'counter' && o.status === 'open'), 'booked after the reconnect');
      await rig.bot.trader.whenIdle();
      assert.ok(queries(rig) > q, 'the reconnect reconciled through REST');
      consistent(rig, 'after the reconnect');
      // Duplicated execution messages, then REST and stream both report the same fill.
      rig.sim.ws.fault({ type: 'duplicate', count: 5 });
      rig.sim.setPrice(0.1);
      await waitFor(() => s.fills.length === 2, 'the counter sell filled');
      await rig.bot.trader.whenIdle();
      await rig.tick(5 * 60_000); // full REST reconciliation over the same fills
      await rig.tick();
      assert.equal(s.fills.length, 2);
      assert.equal(s.profit.roundTrips, 1);
      consistent(rig, 'after duplicates and REST');
    } finally {
      rig.bot.streamSync?.stream.stop();
      await rig.close();
    }
  });

  it('an execution of a foreign order changes nothing and wakes nothing', async () => {
    const { rig } = await streamRig();
    try {
      const before = JSON.stringify(rig.bot.state.orders);
      const ticks = rig.bot.ticks;
      const foreign = rig.sim.placeOrderDirect({ side: 'sell', price: 0.1, volume: 100, userref: 42, postOnly: false });
      const other = rig.sim.placeOrderDirect({ side: 'buy', price: 0.0999, volume: 100, clOrdId: 'someone-else' });
      rig.sim.closeBehindBack(other, 'canceled');
      await waitFor(() => rig.bot.streamSync!.orders.ignored >= 3, 'the foreign executions arrived');
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(rig.bot.ticks, ticks);
      assert.equal(JSON.stringify(rig.bot.state.orders), before);
      assert.equal(rig.sim.order(foreign)!.status, 'closed', 'the foreign order traded (taker)');
    } finally {
      rig.bot.streamSync?.stream.stop();
      await rig.close();
    }
  });

  it('stall: within the stale limit (10 s) the stream is not live and every tick polls REST until it is back', async () => {
    const { rig, timers, streamClock } = await streamRig();
    try {
      const sync = rig.bot.streamSync!;
      rig.sim.ws.fault({ type: 'stall' });
      streamClock.advance(10_001);
      const ticks = rig.bot.ticks;
      sync.stream.check(); // the watchdog's 1 s check
      assert.equal(sync.health().state, 'reconnecting');
      await waitFor(() => rig.bot.ticks === ticks + 1, 'the stall wakes a REST tick');
      await rig.bot.trader.whenIdle();
      const q = queries(rig);
      await rig.tick();
      await rig.tick();
      assert.equal(queries(rig), q + 2, 'REST every tick while the stream is down');
      assert.equal(statusOf(rig.bot).stream?.state, 'reconnecting');
      rig.sim.ws.clear();
      timers.fireRetries();
      await waitFor(() => sync.stream.authLive(), 'back');
      await rig.bot.trader.whenIdle();
      await rig.tick(); // the reconnect's REST reconciliation (if the wake did not do it already)
      const q2 = queries(rig);
      await rig.tick();
      await rig.tick();
      assert.equal(queries(rig), q2, 'the stream answers again');
    } finally {
      rig.bot.streamSync?.stream.stop();
      await rig.close();
    }
  });

  it('KRAKEN_WS=false: no stream, one QueryOrders per tick as before, status says REST only', async () => {
    const rig = await liveRig({ env: { KRAKEN_WS: 'false' } });
    try {
      assert.equal(rig.bot.streamSync, null);
      assert.equal(rig.sim.ws.connections(), 0);
      const q = queries(rig);
      for (let i = 0; i < 3; i++) await rig.tick();
      assert.equal(queries(rig), q + 3);
      const view = statusOf(rig.bot);
      assert.deepEqual(view.stream, { state: 'rest_only', last_message_age_s: null });
      assert.match(statusMessage(view), /Stream: REST only/);
    } finally {
      await rig.close();
    }
  });
});
