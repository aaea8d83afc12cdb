// Where the money is (issues 15 and 17): one definition of grid profit
// (realized), inventory P&L (unrealized), equity and the hold benchmark.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newState, type GridState } from '../../src/core/grid-strategy.js';
import { bookBuy, bookSell, fundInventory } from '../../src/core/ledger.js';
import { attribution, firstPriceOf, holdValue } from '../../src/ops/attribution.js';
import { buildStatusView } from '../../src/ops/status.js';
import { runAnalyzers, newBaseline } from '../../src/stats/analyzers.js';
import { StatsRunner } from '../../src/stats/runner.js';
import type { MarketData } from '../../src/exchange/exchange.js';
import { testConfig } from '../support/core.js';

const T0 = Date.parse('2026-03-02T08:00:00Z');
const FEE = 0.0025;

/** The demo of issue 17: five round trips booked, the DOGE held fell meanwhile. */
function demoState(): GridState {
  const cfg = testConfig({ STARTING_CAPITAL: '120' });
  const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'b0', T0);
  fundInventory(s.ledger, 600, 0.1); // half the capital in DOGE at the first price
  s.funded = true;
  s.firstPrice = 0.1;
  for (let k = 0; k < 5; k++) {
    const vol = 40;
    const buyFee = vol * 0.099 * FEE;
    const sellFee = vol * 0.09999 * FEE;
    bookBuy(s.ledger, vol, 0.099, buyFee);
    bookSell(s.ledger, vol, 0.09999, sellFee);
    const profit = (0.09999 - 0.099) * vol - buyFee - sellFee;
    s.profit.total += profit;
    s.profit.roundTrips++;
    s.fills.push({ time: T0 + k * 1000, side: 'sell', price: 0.09999, volume: vol, fee: sellFee, level: 1, profit, orderId: `o${k}` });
  }
  s.lastPrice = 0.0998; // DOGE fell 0.2 % since the start
  s.priceHistory = [{ time: T0, price: 0.1 }, { time: T0 + 60_000, price: 0.0998 }];
  return s;
}

describe('attribution', () => {
  it('the issue 17 demo: grid profit positive, equity below the start, and the split adds up to the cent', () => {
    const s = demoState();
    const a = attribution(s);
    assert.ok(a.gridProfit > 0, `grid profit ${a.gridProfit}`);
    assert.ok(a.change < 0, `equity change ${a.change}`);
    assert.ok(a.inventoryPnl < 0);
    assert.equal(Math.round(a.equity * 100), Math.round((a.startingCapital + a.gridProfit + a.inventoryPnl) * 100));
    assert.ok(Math.abs(a.equity - (s.ledger.cash + s.ledger.inventory * s.lastPrice)) < 1e-12);
    assert.ok(Math.abs(a.hold.value! - holdValue(120, 0.1, 0.0998)) < 1e-12);
    assert.equal(a.hold.firstPriceSource, 'recorded');
    assert.ok(Math.abs(a.fees - s.ledger.fees) < 1e-15);
  });

  it('/api/status: ledger.realized is the grid profit (profit.total), not a second definition', () => {
    // Before: ledger.realized was the average-cost realized P&L (here negative,
    // the fees of fills whose round trip is open), shown as "Realized P&L"
    // beside a positive "Total P&L".
    const s = demoState();
    bookBuy(s.ledger, 40, 0.0995, 40 * 0.0995 * FEE); // an open buy: its fee is not in a round trip yet
    const v = buildStatusView(s, { config: testConfig(), now: T0 + 60_000, startedAt: T0, stats: null, lastTickAt: T0, pendingApprovalAction: null });
    assert.equal(v.ledger.realized, v.profit.total);
    assert.equal(v.attribution.grid_profit, v.profit.total);
    assert.equal(v.ledger.unrealized, v.attribution.inventory_pnl);
    assert.ok(Math.abs(v.ledger.equity - (v.ledger.starting_capital + v.ledger.realized + v.ledger.unrealized)) < 1e-6);
    assert.ok(v.attribution.change < 0 && v.attribution.hold.vs_hold !== null);
  });

  it('a state saved without the first price falls back to the earliest known price and says so', () => {
    const s = demoState();
    delete s.firstPrice;
    s.priceHistory = [{ time: T0 + 5000, price: 0.1003 }];
    s.fills[0]!.time = T0 + 1000; // older than the oldest price sample
    assert.deepEqual(firstPriceOf(s), { price: 0.09999, source: 'earliest_known' });
    s.fills = [];
    assert.deepEqual(firstPriceOf(s), { price: 0.1003, source: 'earliest_known' });
    s.priceHistory = [];
    assert.deepEqual(firstPriceOf(s), { price: 0.0998, source: 'earliest_known' });
    s.lastPrice = 0;
    const a = attribution(s);
    assert.equal(a.hold.firstPriceSource, 'none');
    assert.equal(a.hold.value, null);
    assert.equal(a.hold.vsHold, null);
  });

  it('health never says "profitable" while equity is below the start, even with round trips all positive', () => {
    const s = demoState();
    const a = attribution(s);
    const report = runAnalyzers({
      now: T0 + 60_000,
      fills: s.fills,
      roundTripProfits: s.fills.map((f) => f.profit!),
      dailyEquity: [120, 120.2, 120.4, 120.55, 120.8, 120.9, 121.1, 121.3],
      equityChange: a.change,
      prices: s.priceHistory,
      candles: [],
      grid: { center: 0.1, spacingPct: 1, lowestBuy: 0.099, highestSell: 0.101, levelsPerSide: 10 },
      pollIntervalSec: 30,
      baseline: newBaseline(T0),
    });
    assert.equal(report.analyzers[0]!.verdict, 'significant profit');
    assert.notEqual(report.health.verdict, 'profitable');
    assert.doesNotMatch(report.health.summary, /profitable|edge proven/i);
  });

  it('the stats runner tests equity per day from the state, not round-trip profits (the demo said "edge proven")', () => {
    const s = demoState();
    s.roundTripProfits = s.fills.map((f) => f.profit!);
    const market = { getOhlc: async () => [] } as unknown as MarketData;
    const runner = new StatsRunner(() => s, market, 30);
    const r1 = runner.run(T0 + 60_000)!;
    assert.equal(r1.analyzers[0]!.verdict, 'insufficient data', 'five fixed-profit round trips prove nothing');
    assert.notEqual(r1.health.verdict, 'profitable');
    // a week of closes from the state: rising days, but equity now below the start
    s.equityDays = [120, 120.2, 120.4, 120.55, 120.8, 120.9, 121.1, 121.3].map((equity, d) => ({ day: `2026-03-0${d + 1}`, equity }));
    const r2 = runner.run(T0 + 120_000)!;
    assert.equal(r2.analyzers[0]!.verdict, 'significant profit');
    assert.equal(r2.analyzers[0]!.detail.n, 7);
    assert.notEqual(r2.health.verdict, 'profitable');
    // a hand-edited list with holes does not stop the analyzers
    s.equityDays = [null, ...s.equityDays, { day: 'x' }] as unknown as GridState['equityDays'];
    assert.equal(runner.run(T0 + 150_000)!.analyzers[0]!.verdict, 'significant profit');
    s.lastPrice = 0.11; // equity above the start now
    runner.markDirty();
    assert.equal(runner.run(T0 + 180_000)!.health.verdict, 'profitable');
  });
});
