// An AddOrder whose first send timed out, and whose resend Kraken refused as a
// duplicate client id because the first send was still being processed: the
// order works on the exchange, so the bot must adopt it, never drop it
// (review finding). A lookup that fails keeps the order as unknown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { ExchangeError } from '../../src/exchange/exchange.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

async function rig(lookupFails: boolean) {
  const clock = new FakeClock();
  let price = 0.1;
  const config = testConfig();
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const bot = Bot.create({ config, exchange: paper, now: clock.now });
  await bot.start();
  // From now on one placement is sent, then answered as a duplicate (the client's resend lost the race).
  const place = paper.placeOrder.bind(paper);
  let raceOnce = true;
  paper.placeOrder = async (req) => {
    if (!raceOnce) return place(req);
    raceOnce = false;
    await place(req);
    throw new ExchangeError('invalid_arguments', 'EGeneral:Invalid arguments:cl_ord_id already in use');
  };
  if (lookupFails) {
    const find = paper.findOrderByClientId.bind(paper);
    let failOnce = true;
    paper.findOrderByClientId = async (id: string) => {
      if (failOnce) {
        failOnce = false;
        throw new ExchangeError('network', 'timeout');
      }
      return find(id);
    };
  }
  const buy = bot.state.orders.filter((o) => o.side === 'buy').sort((a, b) => b.price - a.price)[0]!;
  price = buy.price - 0.0001; // the highest buy fills: its counter sell is placed into the race
  const tick = async () => {
    clock.advance(30_000);
    return bot.tickOnce();
  };
  return { bot, paper, tick };
}

describe('a resend refused as a duplicate client id', () => {
  it('is adopted, not dropped: the state and the book agree', async () => {
    const r = await rig(false);
    await r.tick();
    await r.tick();
    const open = (await r.paper.listOpenOrders()).map((o) => o.id).sort();
    assert.deepEqual(open, r.bot.state.orders.filter((o) => o.id).map((o) => o.id).sort());
    assert.ok(r.bot.state.orders.some((o) => o.kind === 'counter' && o.status === 'open'));
  });

  it('a lookup that fails keeps the order as unknown; the next tick finds it', async () => {
    const r = await rig(true);
    await r.tick();
    await r.tick();
    await r.tick();
    const open = (await r.paper.listOpenOrders()).map((o) => o.id).sort();
    assert.deepEqual(open, r.bot.state.orders.filter((o) => o.id).map((o) => o.id).sort());
    assert.ok(r.bot.state.orders.some((o) => o.kind === 'counter' && o.status === 'open'));
  });
});
