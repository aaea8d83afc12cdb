// Issue 18 item 3 (core): the stop floor, the daily-loss rule and the drift
// rebuild act on a confirmed price, never on one off-market sample.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ticker } from '../../src/exchange/exchange.js';
import { paperRig } from '../support/paper-rig.js';

const rig = (env: Record<string, string>) => paperRig(env);

describe('price outliers', () => {
  it('one ticker whose last price is 0.001 while bid and ask stay at 0.1: no stop, no pause, no rebuild', async () => {
    const r = await rig({ STOP_FLOOR: '100', DAILY_LOSS_LIMIT: '5' });
    const built = r.rebuilds();
    const orders = r.bot.state.orders.length;
    r.show((t) => ({ ...t, last: 0.001 }));
    assert.equal(await r.tick(), true);
    r.show(null);
    assert.equal(r.bot.state.risk.stopped, false, r.bot.state.risk.stopReason ?? '');
    assert.equal(r.bot.state.risk.paused, false, r.bot.state.risk.pauseReason ?? '');
    assert.equal(r.rebuilds(), built);
    assert.equal(r.bot.state.lastPrice, 0.1);
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.risk.stopped, false);
    assert.equal(r.bot.state.orders.length, orders);
  });

  it('a whole ticker at 0.001 once (bid, ask and last): ignored until the next tick confirms it', async () => {
    const r = await rig({ STOP_FLOOR: '100', DAILY_LOSS_LIMIT: '5' });
    r.show(() => ({ bid: 0.001, ask: 0.001, last: 0.001 }));
    assert.equal(await r.tick(), true);
    r.show(null);
    assert.equal(r.bot.state.risk.stopped, false);
    assert.equal(r.bot.state.risk.paused, false);
    assert.ok(r.bot.state.priceHistory.every((p) => p.price === 0.1), 'the outlier is not recorded as a price');
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.risk.stopped, false);
  });

  it('a real, sustained drop below the stop floor stops trading once the next tick confirms it', async () => {
    const r = await rig({ STOP_FLOOR: '100', DAILY_LOSS_LIMIT: '50' });
    r.setPrice(0.04);
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.risk.stopped, false, 'one sample is not a confirmed price');
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.risk.stopped, true, 'confirmed: stopped');
    assert.match(r.bot.state.risk.stopReason ?? '', /stop floor/);
  });

  it('a gradual fall below the stop floor (bid and ask agree) stops at once', async () => {
    const r = await rig({ STOP_FLOOR: '110', DAILY_LOSS_LIMIT: '50', GRID_DRIFT_RESET_PCT: '50' });
    let p = 0.1;
    let ticks = 0;
    while (!r.bot.state.risk.stopped && ticks < 200) {
      p *= 0.99;
      r.setPrice(p);
      await r.tick();
      ticks++;
    }
    assert.equal(r.bot.state.risk.stopped, true);
    assert.ok(p > 0.05, `stopped at ${p}`);
  });

  it('last = 1e308 once: no drift rebuild, nothing recorded', async () => {
    for (const shown of [(t: Ticker) => ({ ...t, last: 1e308 }), () => ({ bid: 1e308, ask: 1e308, last: 1e308 })]) {
      const r = await rig({});
      const built = r.rebuilds();
      const center = r.bot.state.center;
      r.show(shown);
      assert.equal(await r.tick(), true);
      r.show(null);
      assert.equal(r.rebuilds(), built, 'no rebuild');
      assert.equal(r.bot.state.center, center);
      assert.ok(r.bot.state.priceHistory.every((x) => x.price === 0.1));
      assert.equal(await r.tick(), true);
      assert.equal(r.rebuilds(), built);
    }
  });

  it('a real jump is followed once confirmed: the drift rebuild comes one tick later', async () => {
    const r = await rig({});
    const built = r.rebuilds();
    r.setPrice(0.16);
    assert.equal(await r.tick(), true);
    assert.equal(r.rebuilds(), built);
    assert.equal(await r.tick(), true);
    assert.equal(r.rebuilds(), built + 1);
    assert.equal(r.bot.state.center, 0.16);
  });

  it('a restart whose first ticker is off-market builds nothing on it: the grid waits for a confirmed price', async () => {
    const r = await rig({});
    await r.bot.shutdown('test'); // every order cancelled: the next start builds a fresh grid
    assert.equal(r.bot.state.orders.length, 0);
    r.show(() => ({ bid: 0.5, ask: 0.5, last: 0.5 }));
    await r.restart();
    r.show(null);
    assert.equal(r.bot.state.orders.length, 0, 'no order placed around the unconfirmed price');
    assert.equal(r.bot.state.lastPrice, 0.1, 'the outlier is not taken as the price');
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.center, 0.1, 'the grid is built around the confirmed price');
    assert.ok(r.bot.state.orders.length > 0);
    assert.ok(r.bot.state.orders.every((o) => o.price > 0.05 && o.price < 0.15));
  });

  it('a restart at a price that really moved (every ticker agrees) builds there one tick later', async () => {
    const r = await rig({});
    await r.bot.shutdown('test');
    r.setPrice(0.2);
    await r.restart();
    assert.equal(r.bot.state.orders.length, 0, 'one sample is not a confirmed price');
    assert.equal(await r.tick(), true);
    assert.equal(r.bot.state.center, 0.2);
    assert.ok(r.bot.state.orders.length > 0);
  });
});
