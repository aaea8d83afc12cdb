// kill -9 with fills while the daemon is down: the built daemon (a child
// process, LIVE mode against the in-process simulator) places its grid and is
// killed; the price falls through three levels while nobody watches; the
// restarted daemon books each of those fills exactly once, answers each with
// a counter order carrying its volume, places nothing twice, and later books
// the round trips those counters complete.
import '../../support/core.js';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { GridState } from '../../../src/core/grid-strategy.js';
import { identityError } from '../../../src/core/ledger.js';
import { startKrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { tempDir } from '../../support/core.js';
import { ageTradingCounter, liveDaemonEnv, readDaemonState, startDaemon, waitForDaemonState } from '../../support/daemon.js';
import { assertFillsBooked, assertInSync, checkFillsBooked, checkInSync, isOurs, liveRig } from '../../support/live-rig.js';

const USERREF = 7301; // the default KRAKEN_USERREF

const waitForState = (dir: string, pred: (s: GridState) => boolean) => waitForDaemonState(dir, pred, 15_000);

describe('kill -9 while the market moves', () => {
  it('the restarted daemon books every fill made while it was down exactly once, places their counters, duplicates nothing', async () => {
    // The first run happens "10 minutes ago" (the simulator's clock lags, then
    // catches up), so the grid it leaves behind is old and cheap to cancel at
    // the final shutdown, as after a real restart.
    // Starter tier: the final SIGTERM cancels 35 old orders (free) and the 5 young counters and
    // re-armed buys (up to 8 trading points each), which fits in Starter's 60-point counter.
    let simLagMs = 600_000;
    const sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 }, now: () => Date.now() - simLagMs });
    after(() => sim.close());
    const dir = tempDir();
    const manual = sim.placeOrderDirect({ side: 'buy', price: 0.05, volume: 100, userref: 42 });
    const env = liveDaemonEnv(sim, dir, { POLL_INTERVAL_SECONDS: '1' });
    const ours = () => sim.openOrders().filter((o) => isOurs(o, USERREF));

    const first = startDaemon(env);
    await first.waitFor(/grid built \(startup\)/);
    await first.waitFor(/\[bot\] price/);
    const grid = readDaemonState(dir);
    assert.equal(grid.orders.length, 40);
    checkInSync(sim, grid, USERREF, 'first run');
    first.child.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    simLagMs = 0;
    ageTradingCounter(dir, 600_000); // the first run's counter snapshot dates from then too

    // While the daemon is down the price falls through three buy levels.
    const crossed = grid.orders.filter((o) => o.side === 'buy' && o.price >= 0.097);
    assert.deepEqual(crossed.map((o) => o.price).sort(), [0.097, 0.098, 0.099]);
    sim.setPrice(0.0969);
    sim.setPrice(0.0975);
    const filledWhileDown = crossed.map((o) => sim.order(o.id!)!);
    assert.ok(filledWhileDown.every((o) => o.status === 'closed'));
    const tradesWhileDown = sim.trades().length;
    assert.equal(tradesWhileDown, 3);

    const second = startDaemon(env);
    await second.waitFor(/reconciled/);
    const afterRestart = await waitForState(dir, (s) => s.fills.length >= 3 && s.orders.every((o) => o.status === 'open'));
    assert.doesNotMatch(second.output(), /grid built/, 'the grid was adopted, not rebuilt');
    assert.equal(afterRestart.fills.length, 3, 'each fill booked once');
    checkFillsBooked(sim, afterRestart, USERREF, 'after the restart');
    checkInSync(sim, afterRestart, USERREF, 'after the restart');
    assert.equal(afterRestart.orders.length, 40, '37 adopted grid orders and 3 counters');
    for (const o of filledWhileDown) {
      const counter = afterRestart.orders.find((x) => x.kind === 'counter' && x.answers?.price === o.price)!;
      assert.ok(counter, `a counter for the buy at ${o.price}`);
      assert.equal(counter.side, 'sell');
      assert.equal(counter.volume, o.volume);
      assert.equal(counter.price, Math.round(o.price * 1.01 * 1e7) / 1e7);
      assert.equal(sim.order(counter.id!)!.status, 'open');
    }
    assert.equal(ours().length, 40);

    // The market comes back up through two of the counters: two round trips, booked once each.
    sim.setPrice(0.0995);
    const later = await waitForState(dir, (s) => s.profit.roundTrips >= 2 && s.orders.every((o) => o.status === 'open'));
    assert.equal(later.profit.roundTrips, 2);
    checkFillsBooked(sim, later, USERREF, 'after the round trips');

    second.child.kill('SIGTERM');
    const { code } = await second.exited;
    assert.equal(code, 0, second.output());
    const final = readDaemonState(dir);
    assert.equal(final.orders.length, 0);
    assert.deepEqual(ours(), [], 'shutdown cancelled our orders');
    assert.deepEqual(sim.openOrders().map((o) => o.txid), [manual]);
    const booked = checkFillsBooked(sim, final, USERREF, 'after shutdown');
    assert.equal(booked.orders, 5);
    assert.equal(final.fills.length, 5);
    assert.ok(identityError(final.ledger, final.lastPrice) <= 1e-9);
    // One AddOrder per order the bot ever meant to place: nothing placed twice.
    const placed = sim.orders().filter((o) => isOurs(o, USERREF));
    assert.equal(new Set(placed.map((o) => o.clOrdId)).size, placed.length, 'no client order id used twice');
    assert.equal(placed.length, 40 + 3 + 2, 'first grid, three counters, two re-armed buys');
  });
});

describe('kill -9 between an AddOrder and the save that follows it', () => {
  // Orders are recorded as pending and the state saved before they are sent
  // (write-ahead). A process killed right after sending one therefore leaves
  // it on disk as pending; the restarted bot finds it by its client order id
  // and books what it executed while the bot was down.
  it('books an order placed just before the kill that executed while the bot was down', async () => {
    const rig = await liveRig();
    try {
      const file = path.join(rig.config.logDir, 'state.json');
      let atSend: Buffer | null = null;
      const ex = rig.bot.exchange;
      const place = ex.placeOrder.bind(ex);
      ex.placeOrder = (req) => {
        atSend ??= fs.readFileSync(file); // what is on disk when the first AddOrder leaves
        return place(req);
      };
      rig.sim.setPrice(0.0989);
      assert.equal(await rig.tick(), true); // books the buy at 0.099 and places its counter sell
      assert.ok(atSend, 'an order was sent');
      fs.writeFileSync(file, atSend); // …and the process dies before the tick's own save
      rig.sim.setPrice(0.1); // the counter sells while nobody watches
      rig.crash();
      await rig.bot.start();
      assert.equal(await rig.tick(), true);
      assertFillsBooked(rig, 'after the restart');
      assertInSync(rig, 'after the restart');
    } finally {
      await rig.close();
    }
  });
});
