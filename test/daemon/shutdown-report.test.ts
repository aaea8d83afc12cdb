// Stopping says what it left (issue 17 item 2): when the cancels do not all
// go through (Kraken's rate limit on young orders, an outage), the log and
// Telegram say how many orders are still open and that the next start
// adopts them, instead of "Cancelled 0 open orders".
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { shutdownMessage } from '../../src/frontends/telegram/messages.js';
import { configureLogger } from '../../src/util/log.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

describe('shutdown report', () => {
  it('cancels that fail leave orders open: the log and the hook say how many', async () => {
    const clock = new FakeClock(Date.UTC(2024, 2, 1));
    const config = testConfig();
    const market = new ScriptedMarket(() => 0.1, clock.now);
    const exchange = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: 0.25, userref: config.krakenUserref, now: clock.now });
    let refuse = 0;
    const cancel = exchange.cancelOrder.bind(exchange);
    exchange.cancelOrder = async (id: string) => {
      if (refuse-- > 0) return cancel(id);
      throw new Error('EOrder:Rate limit exceeded');
    };
    // Like Kraken at the Starter tier: the batch gets through a few young orders, then the counter is full.
    exchange.cancelAllOurs = async () => {
      const open = await exchange.listOpenOrders();
      for (const o of open) await exchange.cancelOrder(o.id);
      return open.length;
    };
    const reports: { cancelled: number; left: number }[] = [];
    const bot = Bot.create({ config, exchange, now: clock.now, services: { onShutdown: (_b, _r, orders) => void reports.push(orders) } });
    await bot.start();
    const open = bot.state.orders.length;
    assert.ok(open >= 20);
    refuse = 5; // five cancels go through, then Kraken refuses
    const lines: string[] = [];
    configureLogger({ write: (l) => lines.push(l), level: 'INFO' });
    try {
      await bot.shutdown('test', 0);
    } finally {
      configureLogger({ write: (l) => process.stdout.write(l + '\n'), level: 'ERROR' });
    }
    assert.equal(reports.length, 1);
    const left = bot.state.orders.length;
    assert.ok(left > 0);
    assert.deepEqual(reports[0], { cancelled: open - left, left });
    assert.ok(lines.some((l) => new RegExp(`${left} orders still open on the paper account: .*next start .*adopts them`).test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => /open orders cancelled/.test(l)), 'no claim that all orders were cancelled');
  });

  it('the Telegram text names the orders left and how to end with none', () => {
    const text = shutdownMessage({ reason: 'signal SIGTERM', ordersCancelled: 6, ordersLeft: 14, venue: 'Kraken', roundTrips: 0, totalProfit: 0, equity: 120 });
    assert.match(text, /Cancelled 6 open orders/);
    assert.match(text, /14 orders still open on Kraken<\/b>: the next start \(same LOG_DIR\) adopts them/);
    assert.match(text, /Stopping/);
    const clean = shutdownMessage({ reason: 'signal SIGTERM', ordersCancelled: 40, ordersLeft: 0, venue: 'Kraken', roundTrips: 0, totalProfit: 0, equity: 120 });
    assert.doesNotMatch(clean, /still open/);
  });
});
