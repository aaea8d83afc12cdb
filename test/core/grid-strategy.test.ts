import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FALLBACK_PAIR_INFO, type OrderReport } from '../../src/exchange/exchange.js';
import { applyReport } from '../../src/core/fill-handling.js';
import {
  accumulationAmount,
  adaptiveParams,
  computeTrend,
  counterIntent,
  dayKey,
  driftNeedsRebuild,
  levelPrice,
  FILLS_TRIM_BATCH,
  MAX_FILLS_KEPT,
  newState,
  nextClientOrderId,
  orderVolume,
  planGrid,
  priceChangePct,
  ratioNeedsRebuild,
  recordFill,
  recordPrice,
  rollDays,
  roundTripProfit,
  splitLevels,
  type GridOrder,
  type StrategyConfig,
} from '../../src/core/grid-strategy.js';
import { bookBuy, bookSell, equity, fundInventory, identityError, newLedger } from '../../src/core/ledger.js';
import type { FillRecord } from '../../src/core/types.js';

const pair = FALLBACK_PAIR_INFO;
const cfg: StrategyConfig = {
  startingCapital: 120,
  makerFeePct: 0.25,
  stopFloor: 100,
  dailyLossLimit: 3,
  gridDriftResetPct: 5,
  dailySummaryHourUtc: 0,
  monthlyReserveUsd: 5,
  accumulationSweepDays: 7,
  orderSizeUsd: 3.5,
  gridLevels: 10,
};
const T0 = Date.parse('2026-01-05T12:00:00Z');

function fills(buys: number, sells: number, t: number): FillRecord[] {
  const out: FillRecord[] = [];
  for (let i = 0; i < buys; i++) out.push({ time: t, side: 'buy', price: 1, volume: 1, fee: 0, level: -1, profit: null, orderId: `b${i}` });
  for (let i = 0; i < sells; i++) out.push({ time: t, side: 'sell', price: 1, volume: 1, fee: 0, level: 1, profit: null, orderId: `s${i}` });
  return out;
}

describe('grid geometry', () => {
  it('places level i at center × (1 ± s·i)', () => {
    assert.equal(levelPrice(0.1, -3, 1), 0.1 * (1 - 0.03));
    assert.equal(levelPrice(0.1, 2, 1.5), 0.1 * (1 + 0.03));
  });

  it('splits 2×levels by the ratio and clamps to [2, total−2]', () => {
    assert.deepEqual(splitLevels(10, 0.5), { buys: 10, sells: 10 });
    assert.deepEqual(splitLevels(10, 0.75), { buys: 15, sells: 5 });
    assert.deepEqual(splitLevels(3, 0.75), { buys: 4, sells: 2 }); // round(4.5)=5 → clamp to 4
    assert.deepEqual(splitLevels(3, 0.25), { buys: 2, sells: 4 }); // round(1.5)=2
    assert.deepEqual(splitLevels(3, 0.0), { buys: 2, sells: 4 });
    assert.deepEqual(splitLevels(3, 1.0), { buys: 4, sells: 2 });
  });

  it('plans sells above and buys below, rounded to pair decimals', () => {
    const plan = planGrid(0.1, 1, 0.5, 4, 1.5, pair);
    assert.equal(plan.length, 8);
    for (const o of plan) {
      assert.equal(o.side === 'buy', o.level < 0);
      assert.equal(o.price, Math.round(o.price * 1e7) / 1e7);
      assert.ok(o.side === 'buy' ? o.price < 0.1 : o.price > 0.1);
    }
  });
});

describe('adaptive sizing', () => {
  it('hugs the Kraken minimum with a 20% buffer, never below costmin, while the levels are below the cap', () => {
    assert.ok(Math.abs(adaptiveParams(pair, 0.09, 40).orderSizeUsd - 13 * 0.09 * 1.2) < 1e-12); // 11 levels
    assert.equal(adaptiveParams(pair, 0.001, 10).orderSizeUsd, 0.5); // 13 × 0.001 × 1.2 = 0.0156 < costmin; 8 levels
  });

  it('grows the order size once the levels reach the cap, so capital above ~$80 is used (issue 17 item 10)', () => {
    // Before: $1.404 per order at any capital from ~$70 up; 20 levels × 2 sides × $1.404 = $56 of $1000 used.
    const at1000 = adaptiveParams(pair, 0.09, 1000);
    assert.equal(at1000.levelsPerSide, 20);
    assert.ok(Math.abs(at1000.orderSizeUsd - (0.6 * 1000) / (1.5 * 20)) < 1e-12); // $20 per order
    assert.ok(Math.abs(adaptiveParams(pair, 0.09, 120).orderSizeUsd - 2.4) < 1e-12);
    // Continuous at the cap: just enough capital for 20 levels keeps the minimum size.
    const edge = (20 * 1.5 * 13 * 0.09 * 1.2) / 0.6;
    assert.ok(Math.abs(adaptiveParams(pair, 0.09, edge).orderSizeUsd - 13 * 0.09 * 1.2) < 1e-9);
  });

  it('sizes levels per side from 60% of capital at 1.5× order size, clamped to 3..20', () => {
    assert.equal(adaptiveParams(pair, 0.09, 120).levelsPerSide, 20); // floor(72 / 2.106) = 34 → 20
    assert.equal(adaptiveParams(pair, 0.09, 20).levelsPerSide, 5); // floor(12 / 2.106) = 5
    assert.equal(adaptiveParams(pair, 0.09, 1).levelsPerSide, 3);
  });

  it('never sends a volume below ordermin', () => {
    assert.equal(orderVolume(0.5, 0.1, pair), 13);
    assert.equal(orderVolume(3, 0.1, pair), 30);
  });
});

describe('trend ratio', () => {
  it('is 0.5 without fills and the override when set', () => {
    assert.equal(computeTrend([], T0, null).ratio, 0.5);
    assert.equal(computeTrend(fills(5, 0, T0), T0, 0.3).ratio, 0.3);
  });

  it('scales by confidence min(1, n/8)', () => {
    // 4 sells of 4: raw 1, confidence 0.5 → 0.75
    assert.equal(computeTrend(fills(0, 4, T0), T0, null).ratio, 0.75);
    // 1 sell of 2: raw 0.5 → 0.5
    assert.equal(computeTrend(fills(1, 1, T0), T0, null).ratio, 0.5);
    // 1 buy, 1 sell, 0 → ... 3 buys 1 sell: raw .25, conf .5 → 0.375
    assert.equal(computeTrend(fills(3, 1, T0), T0, null).ratio, 0.375);
    // 16 sells: raw 1, conf 1 → 1 → clamped 0.75
    assert.equal(computeTrend(fills(0, 16, T0), T0, null).ratio, 0.75);
    assert.equal(computeTrend(fills(16, 0, T0), T0, null).ratio, 0.25);
  });

  it('counts only the last 12 h', () => {
    const old = fills(0, 8, T0 - 12 * 3600_000 - 1);
    const t = computeTrend(old, T0, null);
    assert.equal(t.sells12h, 0);
    assert.equal(t.ratio, 0.5);
  });

  it('rebuilds at a change of 0.2 exactly', () => {
    assert.equal(ratioNeedsRebuild(0.7, 0.5), true);
    assert.equal(ratioNeedsRebuild(0.69, 0.5), false);
  });
});

describe('drift', () => {
  it('rebuilds at exactly the threshold and not below', () => {
    assert.equal(driftNeedsRebuild(1.05, 1, 5), true);
    assert.equal(driftNeedsRebuild(0.95, 1, 5), true);
    assert.equal(driftNeedsRebuild(1.0499, 1, 5), false);
    assert.equal(driftNeedsRebuild(1, 0, 5), false);
  });
});

describe('days', () => {
  it('keys trading days by the configured UTC hour', () => {
    assert.equal(dayKey(Date.parse('2026-01-05T23:59:59Z'), 0), '2026-01-05');
    assert.equal(dayKey(Date.parse('2026-01-06T00:00:00Z'), 0), '2026-01-06');
    assert.equal(dayKey(Date.parse('2026-01-06T05:00:00Z'), 6), '2026-01-05');
  });

  it('closes the day at midnight UTC, zeroes today and lifts a daily-loss pause', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', Date.parse('2026-01-05T23:59:30Z'));
    s.profit.today = 1.5;
    s.profit.tradesToday = 4;
    s.risk = { paused: true, pauseKind: 'daily_loss', pauseReason: 'x', stopped: false, stopReason: null };
    assert.deepEqual(rollDays(s, Date.parse('2026-01-05T23:59:59Z'), 0.1, 0), []);
    const rows = rollDays(s, Date.parse('2026-01-06T00:00:00Z'), 0.1, 0);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].date, '2026-01-05');
    assert.equal(rows[0].netProfit, 1.5);
    assert.equal(s.profit.today, 0);
    assert.equal(s.risk.paused, false);
    assert.equal(s.day.key, '2026-01-06');
  });

  it('writes one row per day crossed while the bot was down', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', Date.parse('2026-01-05T10:00:00Z'));
    const rows = rollDays(s, Date.parse('2026-01-08T01:00:00Z'), 0.1, 0);
    assert.deepEqual(rows.map((r) => r.date), ['2026-01-05', '2026-01-06', '2026-01-07']);
  });

  it('keeps an operator pause across midnight', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', Date.parse('2026-01-05T10:00:00Z'));
    s.risk = { paused: true, pauseKind: 'operator', pauseReason: 'x', stopped: false, stopReason: null };
    rollDays(s, Date.parse('2026-01-06T01:00:00Z'), 0.1, 0);
    assert.equal(s.risk.paused, true);
  });
});

describe('accumulation', () => {
  it('sweeps profit above the prorated reserve every N days, at least $1', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    s.profit.total = 3;
    assert.equal(accumulationAmount(s, T0 + 6.9 * 86400_000, cfg), 0); // not yet due
    // 7 days: reserve 5/30 × 7 = 1.1667 → 3 − 1.1667 = 1.83
    assert.equal(accumulationAmount(s, T0 + 7 * 86400_000, cfg), 1.83);
    s.profit.total = 2;
    assert.equal(accumulationAmount(s, T0 + 7 * 86400_000, cfg), 0); // 0.83 < $1
    s.profit.total = 3;
    // 14 days since the last sweep doubles the reserve: 3 − 2.333 = 0.67 → nothing
    assert.equal(accumulationAmount(s, T0 + 14 * 86400_000, cfg), 0);
  });
});

describe('price history', () => {
  it('keeps a 24 h window and computes changes against the sample at least that old', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    for (let i = 0; i <= 2 * 2880; i++) recordPrice(s, T0 + i * 30_000, 1 + i / 10000);
    assert.ok(s.priceHistory.length <= 2881);
    const now = T0 + 2 * 2880 * 30_000;
    const ch = priceChangePct(s.priceHistory, now, 3600_000)!;
    const last = 1 + (2 * 2880) / 10000;
    const hourAgo = 1 + (2 * 2880 - 120) / 10000;
    assert.ok(Math.abs(ch - ((last - hourAgo) / hourAgo) * 100) < 1e-9);
    assert.equal(priceChangePct(s.priceHistory, now, 48 * 3600_000), null);
  });
});

describe('ids', () => {
  it('client order ids are unique, UUID-shaped and deterministic per bot id and sequence', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, '0123456789abcdef0123', T0);
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) ids.add(nextClientOrderId(s));
    assert.equal(ids.size, 1000);
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('ledger', () => {
  it('keeps equity = cash + inventory × price = capital + realized + unrealized', () => {
    const l = newLedger(120);
    fundInventory(l, 300, 0.1);
    bookBuy(l, 20, 0.099, 0.00495);
    bookSell(l, 20, 0.1, 0.005);
    bookSell(l, 100, 0.102, 0.0255);
    bookBuy(l, 50, 0.097, 0.012125);
    for (const p of [0.05, 0.0987, 0.1, 0.2]) assert.ok(identityError(l, p) < 1e-12, `price ${p}`);
    assert.ok(Math.abs(equity(l, 0.1) - (l.cash + l.inventory * 0.1)) < 1e-12);
  });
});

describe('fills and round trips', () => {
  it('a counter order carries the filled volume, one level away', () => {
    const c = counterIntent({ side: 'buy', level: -2, price: 0.098, volume: 17.5, fee: 0.004, time: T0 }, 1, pair);
    assert.equal(c.side, 'sell');
    assert.equal(c.level, -1);
    assert.equal(c.volume, 17.5);
    // SPEC §3: the counter is the fill price × (1 + spacing) in the default arithmetic mode.
    assert.equal(c.price, Math.round(0.098 * 1.01 * 1e7) / 1e7);
    assert.deepEqual(c.answers, { side: 'buy', price: 0.098, volume: 17.5, fee: 0.004, time: T0 });
  });

  it('profit = |sell − buy| × volume − both fees, for both directions', () => {
    const buyFirst = roundTripProfit({ side: 'buy', price: 0.1, volume: 20, fee: 0.005, time: 0 }, { side: 'sell', price: 0.101, volume: 20, fee: 0.00505 });
    assert.ok(Math.abs(buyFirst - (0.001 * 20 - 0.005 - 0.00505)) < 1e-15);
    const sellFirst = roundTripProfit({ side: 'sell', price: 0.101, volume: 20, fee: 0.00505, time: 0 }, { side: 'buy', price: 0.1, volume: 20, fee: 0.005 });
    assert.ok(Math.abs(sellFirst - buyFirst) < 1e-15);
  });

  function order(partial: Partial<GridOrder>): GridOrder {
    return { clientOrderId: 'c', id: 'X1', status: 'open', kind: 'grid', level: -1, side: 'buy', price: 0.099, volume: 20, bookedVolume: 0, bookedFee: 0, bookedCost: 0, placedAt: T0, answers: null, attempts: 1, ...partial };
  }
  function report(partial: Partial<OrderReport>): OrderReport {
    return { id: 'X1', clientOrderId: 'c', userref: 1, side: 'buy', price: 0.099, volume: 20, volumeExecuted: 0, avgPrice: 0, fee: 0, state: 'open', openedAt: T0, ...partial };
  }

  it('books partial executions once, and the counter carries the whole executed volume', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    const o = order({});
    const ctx = { spacingPct: 1, pair, now: T0, cancelledByUs: false, makerFeePct: 0.25 };
    let out = applyReport(s, o, report({ volumeExecuted: 8, avgPrice: 0.099, fee: 0.00198 }), ctx);
    assert.equal(out.finished, false);
    assert.equal(s.ledger.inventory, 8);
    out = applyReport(s, o, report({ volumeExecuted: 8, avgPrice: 0.099, fee: 0.00198 }), ctx); // same report again: nothing new
    assert.equal(s.ledger.inventory, 8);
    out = applyReport(s, o, report({ volumeExecuted: 20, avgPrice: 0.099, fee: 0.00495, state: 'closed' }), ctx);
    assert.equal(out.finished, true);
    assert.equal(s.ledger.inventory, 20);
    assert.ok(Math.abs(s.ledger.fees - 0.00495) < 1e-15);
    assert.equal(out.next.length, 1);
    assert.equal(out.next[0].side, 'sell');
    assert.equal(out.next[0].volume, 20);
    assert.equal(out.fill?.profit, null);
  });

  it('replaces an order the exchange cancelled, and the unexecuted remainder of a partial', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    const ctx = { spacingPct: 1, pair, now: T0, cancelledByUs: false, makerFeePct: 0.25 };
    const out = applyReport(s, order({}), report({ state: 'expired' }), ctx);
    assert.equal(out.finished, true);
    assert.equal(out.fill, null);
    assert.deepEqual(out.next.map((n) => [n.side, n.level, n.volume]), [['buy', -1, 20]]);

    const partial = applyReport(s, order({ volume: 40 }), report({ volume: 40, volumeExecuted: 15, avgPrice: 0.099, fee: 0.001, state: 'canceled' }), ctx);
    assert.deepEqual(partial.next.map((n) => [n.side, n.kind, n.volume]), [['sell', 'counter', 15], ['buy', 'grid', 25]]);
  });

  it('drops a remainder below ordermin, and plans nothing for orders we cancelled', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    const small = applyReport(s, order({}), report({ volumeExecuted: 15, avgPrice: 0.099, fee: 0.001, state: 'canceled' }), { spacingPct: 1, pair, now: T0, cancelledByUs: false, makerFeePct: 0.25 });
    assert.deepEqual(small.next.map((n) => n.kind), ['counter']);
    const ours = applyReport(s, order({}), report({ volumeExecuted: 5, avgPrice: 0.099, fee: 0.001, state: 'canceled' }), { spacingPct: 1, pair, now: T0, cancelledByUs: true, makerFeePct: 0.25 });
    assert.deepEqual(ours.next, []);
    assert.equal(ours.fill?.volume, 5);
  });

  it('completes a round trip only when a counter order fills', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    fundInventory(s.ledger, 100, 0.1);
    const ctx = { spacingPct: 1, pair, now: T0, cancelledByUs: false, makerFeePct: 0.25 };
    const plainSell = applyReport(s, order({ side: 'sell', level: 1, price: 0.101 }), report({ side: 'sell', volumeExecuted: 20, avgPrice: 0.101, fee: 0.00505, state: 'closed' }), ctx);
    assert.equal(plainSell.fill?.profit, null); // a sell that answers no buy is not a round trip
    const answers = { side: 'buy' as const, price: 0.099, volume: 20, fee: 0.00495, time: T0 };
    const counter = applyReport(s, order({ side: 'sell', level: 0, price: 0.09999, kind: 'counter', answers }), report({ side: 'sell', volumeExecuted: 20, avgPrice: 0.09999, fee: 0.0049995, state: 'closed' }), ctx);
    assert.ok(Math.abs(counter.fill!.profit! - ((0.09999 - 0.099) * 20 - 0.0049995 - 0.00495)) < 1e-15);
    assert.deepEqual(counter.next.map((n) => [n.side, n.kind, n.level]), [['buy', 'grid', -1]]);
  });
});

describe('bounded history', () => {
  it('a state saved before fills were counted starts the count from the fills it kept', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    const fill = (i: number) => recordFill(s, { time: T0 + i, side: 'buy', price: 0.1, volume: 10, fee: 0.001, level: -1, profit: null, orderId: `O${i}` });
    for (let i = 0; i < 3; i++) fill(i);
    delete s.profit.trades;
    fill(3);
    assert.equal(s.profit.trades, 4);
  });

  it('keeps the newest MAX_FILLS_KEPT fills and round-trip profits, the oldest dropped in batches of FILLS_TRIM_BATCH, totals over all', () => {
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', T0);
    const fill = (i: number) => recordFill(s, { time: T0 + i, side: 'sell', price: 0.1, volume: 10, fee: 0.001, level: 1, profit: 0.01, orderId: `O${i}` });
    const full = MAX_FILLS_KEPT + FILLS_TRIM_BATCH;
    for (let i = 0; i < full; i++) fill(i);
    assert.equal(s.fills.length, full, 'nothing dropped until the batch is full');
    assert.equal(s.fills[0]!.orderId, 'O0');
    const n = full + 1;
    fill(full);
    assert.equal(s.fills.length, MAX_FILLS_KEPT);
    assert.equal(s.fills[0]!.orderId, `O${n - MAX_FILLS_KEPT}`);
    assert.equal(s.fills.at(-1)!.orderId, `O${n - 1}`);
    assert.equal(s.roundTripProfits.length, MAX_FILLS_KEPT);
    assert.equal(s.profit.roundTrips, n, 'the counters count every fill');
    assert.equal(s.profit.trades, n, 'every fill, for the dogegrid_fills_total counter: never back down at a trim');
  });
});
