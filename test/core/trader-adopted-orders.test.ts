// Issue 17 item 1: orders left on the book by a shutdown whose cancels failed,
// timed out or were interrupted are adopted at the next start as ordinary
// working orders: their fills are countered, and the grid levels the shutdown
// did cancel are placed again at the next tick.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { ExchangeError } from '../../src/exchange/exchange.js';
import type { GridOrder } from '../../src/core/grid-strategy.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, rng, ScriptedMarket, testConfig } from '../support/core.js';
import { FaultyExchange, NO_FAULTS, World } from '../support/fuzz-exchange.js';

const T0 = Date.parse('2026-05-04T10:00:00Z');
const BOT_ID = 'abcdef0123456789abcd';

function rig() {
  const clock = new FakeClock(T0);
  let price = 0.2;
  const config = testConfig();
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const world = new World(paper, config.makerFeePct / 100);
  let incarnation = 0;
  /** A new bot process over the same LOG_DIR and the same (living) exchange account. */
  const boot = () => {
    const exchange = new FaultyExchange(world, rng(++incarnation), NO_FAULTS);
    return { bot: Bot.create({ config, exchange, now: clock.now, botId: BOT_ID }), exchange };
  };
  return {
    clock,
    config,
    paper,
    boot,
    setPrice: (p: number) => (price = p),
    tick: async (bot: Bot) => {
      clock.advance(30_000);
      return bot.tickOnce();
    },
  };
}

const shape = (orders: readonly GridOrder[]) =>
  orders
    .filter((o) => o.kind !== 'accumulation')
    .map((o) => `${o.side} L${o.level} ${o.volume} @ ${o.price}`)
    .sort();

/** After the restart: the adopted highest buy fills, and its counter sell must follow one level up. */
async function assertAdoptedBuyIsCountered(r: ReturnType<typeof rig>, bot: Bot): Promise<void> {
  const buy = bot.state.orders.filter((o) => o.side === 'buy' && o.id).sort((a, b) => b.price - a.price)[0];
  assert.ok(buy, 'an adopted buy');
  r.setPrice(buy.price - 0.0001); // fills this buy only
  assert.equal(await r.tick(bot), true);
  const fill = bot.state.fills.find((f) => f.orderId === buy.id);
  assert.ok(fill, 'the fill is booked');
  const counter = bot.state.orders.find((o) => o.kind === 'counter' && o.answers?.price === fill.price);
  assert.ok(counter, `no counter order for the adopted buy ${buy.id} (orders: ${shape(bot.state.orders).join(', ')})`);
  assert.equal(counter.side, 'sell');
  assert.equal(counter.level, buy.level + 1);
  assert.equal(counter.volume, fill.volume);
  assert.equal(counter.status, 'open', 'the counter is on the exchange');
  assert.ok(counter.price > buy.price);
}

/**
 * A first run that builds its grid, then stops with CancelAll failing and every single cancel of a
 * buy refused with `err` (young orders cost Kraken rate points): the sells go, the buys stay working.
 */
async function runThenStopKeepingBuys(r: ReturnType<typeof rig>, err: ExchangeError) {
  const first = r.boot();
  await first.bot.start();
  assert.equal(await r.tick(first.bot), true);
  const gridBefore = shape(first.bot.state.orders);
  first.exchange.force = { cancelAllOurs: 'before' };
  const cancelOne = first.exchange.cancelOrder.bind(first.exchange);
  first.exchange.cancelOrder = async (id: string) => {
    const o = first.bot.state.orders.find((x) => x.id === id);
    if (o?.side === 'buy') throw err;
    return cancelOne(id);
  };
  await first.bot.shutdown('test');
  return { first, gridBefore };
}

describe('adopted leftovers of a shutdown', () => {
  it('a shutdown whose cancels partly failed: an adopted buy that fills after the restart gets its counter sell', async () => {
    const r = rig();
    const { first, gridBefore } = await runThenStopKeepingBuys(r, new ExchangeError('rate_limit', 'EAPI:Rate limit exceeded'));
    const left = first.bot.state.orders;
    assert.ok(left.length > 0 && left.every((o) => o.side === 'buy' && o.cancelRequested === true), 'the buys stay on the book, marked');
    assert.ok(gridBefore.length > left.length);

    const second = r.boot();
    await second.bot.start();
    assert.equal(second.bot.state.orders.filter((o) => o.side === 'buy').length, left.length, 'the buys are adopted');
    await assertAdoptedBuyIsCountered(r, second.bot);
  });

  it('a process killed in the middle of a shutdown (marks saved, cancels never sent): adopted buys are countered', async () => {
    const r = rig();
    const first = r.boot();
    await first.bot.start();
    assert.equal(await r.tick(first.bot), true);
    const n = first.bot.state.orders.length;
    // kill -9 as CancelAll is about to leave: the marks are on disk, nothing was cancelled.
    first.exchange.armCrash(1, false);
    void first.bot.trader.cancelAll();
    assert.equal(await first.exchange.crashed, 'crash');

    const second = r.boot();
    assert.ok(second.bot.state.orders.length === n && second.bot.state.orders.every((o) => o.cancelRequested === true), 'the saved state carries the marks');
    await second.bot.start();
    assert.equal(second.bot.state.orders.length, n, 'every order is adopted');
    await assertAdoptedBuyIsCountered(r, second.bot);
  });

  it('the levels a failed shutdown did cancel are placed again at the next tick', async () => {
    const r = rig();
    const { first, gridBefore } = await runThenStopKeepingBuys(r, new ExchangeError('network', 'timeout'));
    assert.ok(first.bot.state.orders.length < gridBefore.length);

    const second = r.boot();
    await second.bot.start();
    assert.equal(await r.tick(second.bot), true);
    assert.deepEqual(shape(second.bot.state.orders), gridBefore, 'the grid is whole again');
    assert.ok(second.bot.state.orders.every((o) => o.status === 'open' && !o.cancelRequested));
    const open = (await r.paper.listOpenOrders()).map((o) => o.id).sort();
    assert.deepEqual(open, second.bot.state.orders.map((o) => o.id).sort(), 'the state and the book agree');
  });

  it('a process killed right after its first shutdown cancel took effect: the cancelled level is placed again at the next tick', async () => {
    const r = rig();
    const first = r.boot();
    await first.bot.start();
    assert.equal(await r.tick(first.bot), true);
    const gridBefore = shape(first.bot.state.orders);
    first.exchange.armCrash(1, true);
    void first.bot.trader.cancelAll();
    assert.equal(await first.exchange.crashed, 'crash');
    // Shutdown cancels one order at a time, nearest the price first (within the trading counter): the first went through.
    assert.equal((await r.paper.listOpenOrders()).length, gridBefore.length - 1, 'the first cancel went through');

    const second = r.boot();
    await second.bot.start();
    assert.equal(await r.tick(second.bot), true);
    assert.deepEqual(shape(second.bot.state.orders), gridBefore, 'the grid is whole again');
    assert.equal((await r.paper.listOpenOrders()).length, gridBefore.length);
  });
});
