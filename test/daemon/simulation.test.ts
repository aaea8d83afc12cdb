// Seven days of 30 s ticks of a mean-reverting price through the real Bot,
// Trader and PaperExchange, with the invariants checked at every tick.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { CsvLog } from '../../src/persistence/csv-log.js';
import type { GridOrder } from '../../src/core/grid-strategy.js';
import { identityError } from '../../src/core/ledger.js';
import { attribution } from '../../src/ops/attribution.js';
import type { TraderEvent } from '../../src/core/trading/events.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../support/core.js';

const STEP = 30_000;
const DAYS = 7;
const STEPS = DAYS * 2880;
const T0 = Date.parse('2026-03-02T08:00:00Z');

/** Independent restatement of the round-trip rule. */
function expectedProfit(order: GridOrder, fill: { price: number; volume: number; fee: number }): number {
  const a = order.answers!;
  const sell = order.side === 'sell' ? fill.price : a.price;
  const buy = order.side === 'buy' ? fill.price : a.price;
  return (sell - buy) * fill.volume - fill.fee - a.fee * Math.min(1, fill.volume / a.volume);
}

describe('a week of dry-run trading', () => {
  it('keeps every invariant at every tick', async () => {
    const clock = new FakeClock(T0);
    const priceAt = meanRevertingPath({
      seed: 7,
      start: T0,
      steps: STEPS + 10,
      stepMs: STEP,
      p0: 0.1,
      volPerStep: 0.0016,
      reversion: 0.004,
      shifts: [{ at: 3 * 2880, factor: 1.09 }],
    });
    const config = testConfig();
    const events: TraderEvent[] = [];
    const bot = Bot.create({ config, market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: 'a1b2c3d4e5f6a7b8c9d0', services: { onEvent: (e) => events.push(e) } });
    await bot.start();

    /** Issue 15: equity = starting capital + grid profit + inventory P&L, to the cent, every tick. */
    const checkAttribution = (i: number): void => {
      const s = bot.state;
      const a = attribution(s);
      const cash = s.ledger.cash + s.ledger.inventory * s.lastPrice;
      assert.ok(Math.abs(a.equity - cash) < 1e-9, `equity is cash + DOGE × price at tick ${i}`);
      assert.ok(Math.abs(cents(a.equity) - (cents(a.startingCapital) + cents(a.gridProfit) + cents(a.inventoryPnl))) <= 1, `identity to the cent at tick ${i}`);
      assert.ok(Math.abs(a.equity - (a.startingCapital + a.gridProfit + a.inventoryPnl)) < 1e-9, `identity at tick ${i}`);
      // grid profit is the booked round trips, recounted from the fills as they came
      assert.ok(Math.abs(a.gridProfit - profitSum) < 1e-9, `grid profit = sum of round trips at tick ${i}`);
      assert.ok(Math.abs(a.fees - feeSum) < 1e-9, `fees ${a.fees} = sum of fill fees ${feeSum} at tick ${i} (${s.fills.length} fills)`);
      // the same split reached through the ledger's own per-fill bookkeeping (average cost)
      const viaLedger = s.ledger.inventory * (s.lastPrice - s.ledger.avgCost) + (s.ledger.realized - s.profit.total);
      assert.ok(Math.abs(a.inventoryPnl - viaLedger) < 1e-9, `inventory P&L via the ledger at tick ${i}`);
      assert.ok(Math.abs(a.inventoryValue - s.ledger.inventory * s.lastPrice) < 1e-12);
      if (firstPrice !== null) {
        assert.equal(a.hold.firstPriceSource, 'recorded');
        assert.equal(a.hold.firstPrice, firstPrice);
        const hold = a.startingCapital / 2 + (a.startingCapital / 2 / firstPrice) * s.lastPrice;
        assert.ok(Math.abs(a.hold.value! - hold) < 1e-9 && Math.abs(a.hold.vsHold! - (a.equity - hold)) < 1e-9, `hold benchmark at tick ${i}`);
      }
    };

    const idToClient = new Map<string, string>();
    const fillIds = new Set<string>();
    let roundTrips = 0;
    let maxOpen = 0;
    let profitSum = 0;
    let feeSum = 0;
    // the first grid is funded at start-up, at the price of that moment
    let firstPrice: number | null = bot.state.funded ? bot.state.lastPrice : null;
    const cents = (x: number): number => Math.round(x * 100);
    for (let i = 0; i < STEPS; i++) {
      clock.advance(STEP);
      const before = new Map(bot.state.orders.filter((o) => o.id).map((o) => [o.id!, structuredClone(o)]));
      const nFills = bot.state.fills.length;
      assert.equal(await bot.tickOnce(), true, `tick ${i} failed`);
      const s = bot.state;
      const price = s.lastPrice;
      assert.ok(identityError(s.ledger, price) <= 1e-9, `ledger identity at tick ${i}`);
      assert.ok(s.orders.length <= 40, `open orders ${s.orders.length} at tick ${i}`);
      maxOpen = Math.max(maxOpen, s.orders.length);
      if (firstPrice === null && s.funded) firstPrice = price;
      assert.ok(s.trend.ratio >= 0.25 && s.trend.ratio <= 0.75, `ratio ${s.trend.ratio}`);
      for (const o of s.orders) {
        if (!o.id) continue;
        const prev = idToClient.get(o.id);
        assert.ok(prev === undefined || prev === o.clientOrderId, `order id ${o.id} reused`);
        idToClient.set(o.id, o.clientOrderId);
      }
      for (const f of s.fills.slice(nFills)) {
        assert.ok(!fillIds.has(f.orderId), `order ${f.orderId} filled twice`);
        fillIds.add(f.orderId);
        feeSum += f.fee;
        if (f.profit !== null) profitSum += f.profit;
        if (f.profit !== null) {
          roundTrips++;
          const order = before.get(f.orderId);
          assert.ok(order?.answers, `round trip ${f.orderId} without the order it answers`);
          assert.ok(Math.abs(f.profit - expectedProfit(order, f)) < 1e-12, `profit formula at tick ${i}`);
        }
      }
      checkAttribution(i);
    }
    const s = bot.state;
    assert.equal(s.profit.roundTrips, roundTrips);
    assert.ok(roundTrips >= 50, `only ${roundTrips} round trips`);
    assert.ok(events.some((e) => e.type === 'grid_built' && e.reason === 'drift'), 'a drift rebuild happened');
    const days = new CsvLog(config.logDir, 'daily_summary.csv', []).read();
    assert.equal(days.length, DAYS, 'one daily summary row per day crossed');
    const dates = days.map((r) => r[0]);
    assert.deepEqual(dates, [...new Set(dates)].sort());
    const trades = new CsvLog(config.logDir, 'trades.csv', []).read();
    assert.equal(trades.length, fillIds.size);
    const summed = days.reduce((a, r) => a + Number(r[4]), 0) + s.profit.today;
    assert.ok(Math.abs(summed - s.profit.total) < 1e-9, 'daily rows add up to the total');
    // one equity close per day crossed, for the profitability analyzer
    assert.equal(s.equityDays?.length, DAYS);
    const final = attribution(s);
    console.log(
      `attribution: equity $${final.equity.toFixed(2)} = $${final.startingCapital.toFixed(2)} + grid profit $${final.gridProfit.toFixed(2)} + inventory P&L $${final.inventoryPnl.toFixed(2)}; ` +
        `hold $${final.hold.value!.toFixed(2)} (first price ${final.hold.firstPrice}), vs hold $${final.hold.vsHold!.toFixed(2)}`,
    );
    console.log(`simulation: ${STEPS} ticks, ${fillIds.size} fills, ${roundTrips} round trips, profit $${s.profit.total.toFixed(4)}, max open ${maxOpen}, equity ${(s.ledger.cash + s.ledger.inventory * s.lastPrice).toFixed(4)}`);
  });
});
