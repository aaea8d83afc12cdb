// Minimal deterministic replays of what the fuzz campaign (fuzz-trader.test.ts)
// found: the real Bot and Trader on a PaperExchange behind FaultyExchange with
// no random faults, and one forced fault at the moment that matters.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, rng, ScriptedMarket, testConfig } from '../support/core.js';
import { FaultyExchange, NO_FAULTS, World } from '../support/fuzz-exchange.js';

const T0 = Date.parse('2026-05-04T10:00:00Z');

async function rig(env: Record<string, string> = {}) {
  const clock = new FakeClock(T0);
  let price = 0.2;
  const config = testConfig(env);
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const exchange = new FaultyExchange(new World(paper, config.makerFeePct / 100), rng(1), NO_FAULTS);
  const bot = Bot.create({ config, exchange, now: clock.now, botId: 'abcdef0123456789abcd' });
  await bot.start();
  return {
    bot,
    exchange,
    paper,
    setPrice: (p: number) => (price = p),
    tick: async () => {
      clock.advance(30_000);
      return bot.tickOnce();
    },
    openBuys: async () => (await paper.listOpenOrders()).filter((o) => o.side === 'buy').map((o) => o.id),
    untracked: async () => {
      const tracked = new Set(bot.state.orders.map((o) => o.id));
      return (await paper.listOpenOrders()).filter((o) => !tracked.has(o.id)).map((o) => o.id);
    },
  };
}

describe('fuzz regressions', () => {
  it('a pause whose cancels failed cancels the remaining buys at the next tick', async () => {
    const r = await rig();
    assert.equal(await r.tick(), true);
    assert.ok((await r.openBuys()).length > 0);
    r.exchange.force = { cancelOrder: 'before' };
    await r.bot.trader.pause('operator');
    assert.equal(r.bot.state.risk.paused, true);
    r.exchange.force = {};
    assert.equal(await r.tick(), true);
    assert.deepEqual(await r.openBuys(), [], 'no buy is left working while paused');
    assert.deepEqual(r.bot.state.orders.filter((o) => o.side === 'buy'), []);
  });

  it('a pause whose status query leaves a buy out keeps tracking it instead of forgetting it', async () => {
    const r = await rig();
    assert.equal(await r.tick(), true);
    r.exchange.force = { cancelOrder: 'before', queryOrders: 'omit' };
    await r.bot.trader.pause('operator');
    r.exchange.force = {};
    assert.deepEqual(await r.untracked(), [], 'every open order of ours is still in the state');
    assert.equal(await r.tick(), true);
    assert.deepEqual(await r.openBuys(), [], 'no buy is left working while paused');
  });

  it('orders a rebuild cancelled but saw finish only at a later tick are not replaced as if the exchange had cancelled them', async () => {
    const r = await rig();
    assert.equal(await r.tick(), true);
    const oldPrices = new Set(r.bot.state.orders.map((o) => o.price));
    assert.ok(oldPrices.size > 10);
    r.setPrice(0.2013); // the new grid's prices differ from the old one's
    assert.equal(await r.tick(), true);
    // The rebuild's cancels reach the exchange, but every answer about them is lost.
    r.exchange.force = { cancelAllOurs: 'before', cancelOrder: 'after', queryOrders: 'omit' };
    await r.bot.trader.resetGrid('operator');
    r.exchange.force = {};
    assert.deepEqual(await r.untracked(), []);
    assert.equal(await r.tick(), true);
    const replaced = r.bot.state.orders.filter((o) => oldPrices.has(o.price));
    assert.deepEqual(replaced.map((o) => `${o.side} L${o.level} @ ${o.price}`), [], 'nothing of the cancelled grid is placed again');
  });

  it('a stop whose cancels failed cancels the remaining orders at the next tick', async () => {
    const r = await rig({ STOP_FLOOR: '119.9' });
    assert.equal(await r.tick(), true);
    r.exchange.force = { cancelAllOurs: 'before', cancelOrder: 'before' };
    r.setPrice(0.199);
    await r.tick();
    assert.equal(r.bot.state.risk.stopped, true);
    assert.ok(r.bot.state.orders.length > 0, 'the failed cancels kept the orders');
    r.exchange.force = {};
    assert.equal(await r.tick(), true);
    assert.deepEqual((await r.paper.listOpenOrders()).map((o) => o.id), [], 'nothing is left working while stopped');
  });
});
