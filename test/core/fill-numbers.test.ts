// Issue 18 item 1 (core): one bad number in an exchange report must never
// reach the ledger, and broken books stop new orders with an alarm.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { applyReport } from '../../src/core/fill-handling.js';
import { newState, type GridOrder, type GridState } from '../../src/core/grid-strategy.js';
import { identityError } from '../../src/core/ledger.js';
import { strategyConfig } from '../../src/core/trader.js';
import type { TraderEvent } from '../../src/core/trading/events.js';
import { FALLBACK_PAIR_INFO, type OrderReport } from '../../src/exchange/exchange.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

const config = testConfig();
const FEE = config.makerFeePct / 100;

function setup(kind: GridOrder['kind'] = 'grid'): { state: GridState; order: GridOrder } {
  const state = newState(strategyConfig(config), { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'aabbccddeeff00112233', 0);
  state.funded = true;
  const order: GridOrder = { clientOrderId: 'c1', id: 'O1', status: 'open', kind, level: -1, side: 'buy', price: 0.198, volume: 50, bookedVolume: 0, bookedFee: 0, bookedCost: 0, placedAt: 0, answers: null, attempts: 1 };
  state.orders.push(order);
  return { state, order };
}

function report(fields: Record<string, unknown>): OrderReport {
  return { id: 'O1', clientOrderId: 'c1', userref: 1, side: 'buy', price: 0.198, volume: 50, volumeExecuted: 50, avgPrice: 0.198, fee: 50 * 0.198 * FEE, state: 'closed', openedAt: 0, ...fields } as OrderReport;
}

// A variable, not a literal: the context gained the maker fee with the fix.
const ctx = { spacingPct: 1, pair: FALLBACK_PAIR_INFO, now: 1000, cancelledByUs: false, makerFeePct: config.makerFeePct };

function assertBooks(state: GridState, volume: number, price: number, fee: number): void {
  const l = state.ledger;
  for (const [k, v] of Object.entries(l)) assert.ok(Number.isFinite(v), `ledger.${k} = ${v}`);
  assert.ok(Math.abs(l.inventory - volume) < 1e-12, `inventory ${l.inventory}`);
  assert.ok(Math.abs(l.cash - (config.startingCapital - volume * price - fee)) < 1e-12, `cash ${l.cash}`);
  assert.ok(Math.abs(l.fees - fee) < 1e-15, `fees ${l.fees}, expected ${fee}`);
  assert.ok(identityError(l, 0.2) <= 1e-12);
}

describe('fill handling refuses bad numbers', () => {
  it('a NaN, negative or missing fee: the fee is taken from the maker fee', () => {
    for (const fee of [NaN, -1, undefined, Infinity, '0.02']) {
      const { state, order } = setup();
      const out = applyReport(state, order, report({ fee }), ctx);
      assert.equal(out.finished, true);
      assertBooks(state, 50, 0.198, 50 * 0.198 * FEE);
      assert.equal(out.fill?.fee, 50 * 0.198 * FEE);
      assert.ok(out.notes.some((n) => /fee/.test(n)), `the fallback is logged (fee ${String(fee)})`);
      assert.equal(out.next.length, 1, 'the counter follows');
    }
  });

  it('an average price 0 or missing on a post-only order: booked at its limit price', () => {
    for (const avgPrice of [0, undefined, NaN]) {
      const { state, order } = setup();
      const out = applyReport(state, order, report({ avgPrice }), ctx);
      assert.equal(out.finished, true);
      assertBooks(state, 50, 0.198, 50 * 0.198 * FEE);
      assert.equal(out.fill?.price, 0.198);
    }
  });

  it('a huge, negative or string price, or a bad executed volume: nothing booked, asked again next tick', () => {
    const bad = [{ avgPrice: 1e300 }, { avgPrice: 25 }, { avgPrice: -0.198 }, { avgPrice: '0.198' }, { volumeExecuted: NaN }, { volumeExecuted: 1e300 }, { volumeExecuted: -5 }, { volumeExecuted: '50' }];
    for (const fields of bad) {
      const { state, order } = setup();
      const out = applyReport(state, order, report(fields), ctx);
      assert.equal(out.finished, false, JSON.stringify(fields));
      assert.equal(out.fill, null);
      assert.deepEqual(out.next, []);
      assert.equal(order.bookedVolume, 0);
      assertBooks(state, 0, 0, 0);
      // The next answer is sane: booked once, exactly.
      const again = applyReport(state, order, report({}), ctx);
      assert.equal(again.finished, true);
      assertBooks(state, 50, 0.198, 50 * 0.198 * FEE);
    }
  });

  it('the accumulation sweep (not post-only) without a price is not guessed at its limit', () => {
    const { state, order } = setup('accumulation');
    const out = applyReport(state, order, report({ avgPrice: 0 }), ctx);
    assert.equal(out.finished, false);
    assertBooks(state, 0, 0, 0);
  });

  it('partial executions: a bad number in the middle books nothing, the next sane answer books the rest exactly', () => {
    const { state, order } = setup();
    applyReport(state, order, report({ state: 'open', volumeExecuted: 20, fee: 20 * 0.198 * FEE }), ctx);
    applyReport(state, order, report({ state: 'open', volumeExecuted: 30, avgPrice: 1e300, fee: NaN }), ctx);
    assert.equal(order.bookedVolume, 20);
    const out = applyReport(state, order, report({}), ctx);
    assert.equal(out.finished, true);
    assertBooks(state, 50, 0.198, 50 * 0.198 * FEE);
  });
});

describe('the ledger identity is checked after booking', () => {
  it('broken books stop new orders with an alarm instead of trading on', async () => {
    for (const corrupt of [(s: GridState) => (s.ledger.realized += 5), (s: GridState) => (s.ledger.cash = NaN)]) {
      const clock = new FakeClock(Date.parse('2026-05-04T10:00:00Z'));
      let price = 0.2;
      const events: TraderEvent[] = [];
      const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => price, clock.now), now: clock.now, services: { onEvent: (e) => void events.push(e) } });
      await bot.start();
      clock.advance(30_000);
      assert.equal(await bot.tickOnce(), true);
      corrupt(bot.state);
      price = 0.197; // a buy fills: its counter must not be placed on broken books
      clock.advance(30_000);
      await bot.tickOnce();
      assert.equal(bot.state.risk.stopped, true, 'trading stops');
      assert.match(bot.state.risk.stopReason ?? '', /ledger/);
      assert.ok(events.some((e) => e.type === 'risk' && e.action === 'stop' && /ledger/.test(e.reason)), 'the notifier gets the alarm');
      assert.deepEqual(bot.state.orders.filter((o) => o.kind === 'counter'), [], 'no new order');
      clock.advance(30_000);
      await bot.tickOnce();
      assert.deepEqual(bot.state.orders, [], 'nothing is placed while the books are broken');
      assert.match(await bot.trader.resume(), /ledger/, 'resume is refused until the books are repaired');
    }
  });
});
