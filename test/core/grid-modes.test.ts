// Issue 14 items 1–2 (pure rules): geometric levels, the counter order on the
// neighbouring level in both spacing modes, and the trailing grid's decision
// (nextTrailMove) at its edges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  committedQuote,
  counterIntent,
  levelPrice,
  missingGridLevels,
  neighbourPrice,
  newState,
  planGrid,
  rearmIntent,
  type GridOrder,
  type GridState,
  type SpacingMode,
} from '../../src/core/grid-strategy.js';
import { fundInventory } from '../../src/core/ledger.js';
import { roundTo } from '../../src/core/money.js';
import { targetPlan } from '../../src/core/rebuild-plan.js';
import { nextTrailMove, trailQuietBounds, type TrailRules } from '../../src/core/trading/trailing.js';
import { FALLBACK_PAIR_INFO, type PairInfo } from '../../src/exchange/exchange.js';

const pair: PairInfo = FALLBACK_PAIR_INFO;

describe('geometric levels (GRID_SPACING_MODE=geometric)', () => {
  it('20 levels per side: the same percentage gap between any two neighbours, prices in the pair decimals', () => {
    const center = 0.1234567;
    const plan = planGrid(center, 1, 0.5, 20, 3.5, pair, 'geometric');
    assert.equal(plan.length, 40);
    const prices = plan.map((o) => o.price).sort((a, b) => a - b);
    for (const p of prices) assert.equal(p, roundTo(p, pair.priceDecimals), `${p} has at most ${pair.priceDecimals} decimals`);
    for (const o of plan) assert.equal(o.price, roundTo(center * 1.01 ** o.level, pair.priceDecimals), `level ${o.level}`);
    // Equal ratios, up to the rounding of each price (half a unit of the last decimal).
    const tick = 10 ** -pair.priceDecimals;
    for (let i = 1; i < prices.length; i++) {
      const ratio = prices[i]! / prices[i - 1]!;
      const slack = tick / prices[i - 1]!;
      // Between −1 and +1: the gap between −1 and +1 spans two levels.
      const expected = prices[i - 1]! < center && prices[i]! > center ? 1.01 ** 2 : 1.01;
      assert.ok(Math.abs(ratio - expected) <= 2 * slack, `gap ${i}: ${ratio} vs ${expected}`);
    }
    // Arithmetic (the default) stays center × (1 ± s·i): equal price steps, not equal ratios.
    const arith = planGrid(center, 1, 0.5, 20, 3.5, pair);
    assert.deepEqual(arith, planGrid(center, 1, 0.5, 20, 3.5, pair, 'arithmetic'));
    for (const o of arith) assert.equal(o.price, roundTo(center * (1 + 0.01 * o.level), pair.priceDecimals));
    const far = plan.find((o) => o.level === -20)!;
    assert.ok(far.price > arith.find((o) => o.level === -20)!.price, 'below the center geometric levels stay above the arithmetic ones (they never reach zero)');
  });

  it('a rebuild target carries its spacing mode (absent in old states: arithmetic)', () => {
    const t = { center: 0.1, spacingPct: 1, ratio: 0.5, levelsPerSide: 5, orderSizeUsd: 3.5, builtAt: 0 };
    assert.deepEqual(targetPlan(t, pair), planGrid(0.1, 1, 0.5, 5, 3.5, pair));
    assert.deepEqual(targetPlan({ ...t, spacingMode: 'geometric' }, pair), planGrid(0.1, 1, 0.5, 5, 3.5, pair, 'geometric'));
  });

  it("arithmetic (SPEC §3): a fill's counter is the fill price × (1 ± spacing), and the re-arm the counter's price × (1 ∓ spacing)", () => {
    const plan = planGrid(0.1, 1, 0.5, 20, 3.5, pair);
    for (const o of plan) {
      const c = counterIntent({ side: o.side, level: o.level, price: o.price, volume: o.volume, fee: 0.001, time: 0 }, 1, pair);
      assert.equal(c.level, o.level + (o.side === 'buy' ? 1 : -1));
      assert.equal(c.price, roundTo(o.price * (o.side === 'buy' ? 1.01 : 0.99), pair.priceDecimals));
      const back = rearmIntent({ side: c.side, level: c.level, price: c.price, volume: c.volume }, 1, pair);
      assert.equal(back.level, o.level);
      assert.equal(back.price, roundTo(c.price * (c.side === 'buy' ? 1.01 : 0.99), pair.priceDecimals));
    }
  });

  for (const mode of ['geometric'] as SpacingMode[]) {
    it(`${mode}: a fill's counter and the re-arm after it sit exactly on the neighbouring levels`, () => {
      const center = 0.1;
      const plan = planGrid(center, 1, 0.5, 20, 3.5, pair, mode);
      for (const o of plan) {
        const c = counterIntent({ side: o.side, level: o.level, price: o.price, volume: o.volume, fee: 0.001, time: 0 }, 1, pair, mode);
        const want = roundTo(levelPrice(center, c.level, 1, mode), pair.priceDecimals);
        assert.ok(Math.abs(c.price - want) <= 1.01 * 10 ** -pair.priceDecimals, `${o.side} ${o.level}: counter ${c.price}, level ${c.level} is ${want}`);
        const back = rearmIntent({ side: c.side, level: c.level, price: c.price, volume: c.volume }, 1, pair, mode);
        assert.equal(back.level, o.level);
        assert.equal(back.price, o.price, `${o.side} ${o.level}: the re-arm comes back to the level's price`);
      }
      // Without the rounding, exact.
      assert.ok(Math.abs(neighbourPrice(levelPrice(center, -7, 1, mode), 1, 1, mode) - levelPrice(center, -6, 1, mode)) < 1e-15);
      assert.ok(Math.abs(neighbourPrice(levelPrice(center, 3, 1, mode), -1, 1, mode) - levelPrice(center, 2, 1, mode)) < 1e-15);
    });
  }

  it('missingGridLevels plans the levels of the grid in its own spacing mode', () => {
    const s = newState(cfgLike(), { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'b0b0b0b0b0b0b0b0b0b0', 0);
    Object.assign(s, { center: 0.1, levelsPerSide: 3, ratioAtBuild: 0.5, orderSizeUsd: 3.5 });
    const geo = missingGridLevels(s, pair, 'geometric');
    assert.deepEqual(geo, planGrid(0.1, 1, 0.5, 3, 3.5, pair, 'geometric'));
  });
});

function cfgLike() {
  return {
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
}

let seq = 0;
function order(level: number, side: 'buy' | 'sell', price: number, extra: Partial<GridOrder> = {}): GridOrder {
  seq++;
  return { clientOrderId: `c${seq}`, id: `O${seq}`, status: 'open', kind: 'grid', level, side, price, volume: 35, bookedVolume: 0, bookedFee: 0, bookedCost: 0, placedAt: 0, answers: null, attempts: 1, ...extra };
}

/** A funded state around 0.1 with buys at −3…−1 and sells at +1…+3 (arithmetic, 1 %). */
function ladderState(mode: SpacingMode = 'arithmetic'): GridState {
  const s = newState(cfgLike(), { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'b0b0b0b0b0b0b0b0b0b0', 0);
  Object.assign(s, { center: 0.1, levelsPerSide: 3, ratioAtBuild: 0.5, orderSizeUsd: 3.5, funded: true });
  fundInventory(s.ledger, 120, 0.1);
  const px = (l: number) => roundTo(levelPrice(0.1, l, 1, mode), 7);
  s.orders = [order(-3, 'buy', px(-3)), order(-2, 'buy', px(-2)), order(-1, 'buy', px(-1)), order(1, 'sell', px(1)), order(2, 'sell', px(2)), order(3, 'sell', px(3))];
  return s;
}

const RULES: TrailRules = { spacingMode: 'arithmetic', makerFeePct: 0.25, upLimit: null, downLimit: null };

describe('the trailing grid decision (nextTrailMove)', () => {
  it('inside the ladder nothing moves; beyond the top the lowest buy moves to the level above the top', () => {
    const s = ladderState();
    assert.equal(nextTrailMove(s, 0.1, pair, RULES), 'inside');
    assert.equal(nextTrailMove(s, 0.1035, pair, RULES), 'inside', 'the next level (0.104) is not below the price yet');
    // The sells filled: the ladder is buys only (counters at 0…2 hold the sells' slots).
    s.orders = s.orders.filter((o) => o.side === 'buy');
    s.orders.push(order(0, 'buy', 0.1, { kind: 'counter' }), order(1, 'buy', 0.101, { kind: 'counter' }), order(2, 'buy', 0.102, { kind: 'counter' }));
    const m = nextTrailMove(s, 0.1035, pair, RULES);
    assert.ok(typeof m !== 'string');
    assert.equal(m.direction, 'up');
    assert.equal(m.order.level, -3, 'the farthest order of the other side');
    assert.deepEqual({ level: m.to.level, side: m.to.side, price: m.to.price, kind: m.to.kind }, { level: 3, side: 'buy', price: 0.103, kind: 'grid' });
  });

  it('a partly filled order is never moved: the next farthest goes instead', () => {
    const s = ladderState();
    s.orders = s.orders.filter((o) => o.side === 'buy');
    s.orders[0]!.bookedVolume = 10; // level −3 partly filled
    const m = nextTrailMove(s, 0.1005, pair, RULES);
    assert.ok(typeof m !== 'string');
    assert.equal(m.order.level, -2);
    assert.equal(m.to.level, 0);
    // Being cancelled or of unknown placement: not moved either.
    s.orders[1]!.cancelRequested = true;
    s.orders[2]!.status = 'unknown';
    assert.equal(nextTrailMove(s, 0.1005, pair, RULES), 'no_movable_order');
  });

  it('TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT: no level beyond them is taken, the grid stays put', () => {
    const s = ladderState();
    s.orders = s.orders.filter((o) => o.side === 'buy');
    assert.equal(nextTrailMove(s, 0.2, pair, { ...RULES, upLimit: 0.0999 }), 'up_limit');
    const ok = nextTrailMove(s, 0.2, pair, { ...RULES, upLimit: 0.1 });
    assert.ok(typeof ok !== 'string' && ok.to.price === 0.1, 'a level exactly at the limit is taken');
    const d = ladderState();
    d.orders = d.orders.filter((o) => o.side === 'sell');
    assert.equal(nextTrailMove(d, 0.05, pair, { ...RULES, downLimit: 0.1001 }), 'down_limit');
    const down = nextTrailMove(d, 0.05, pair, { ...RULES, downLimit: 0.1 });
    assert.ok(typeof down !== 'string');
    assert.deepEqual({ dir: down.direction, from: down.order.level, to: down.to.level, price: down.to.price, side: down.to.side }, { dir: 'down', from: 3, to: 0, price: 0.1, side: 'sell' });
  });

  it('a moved sell is funded by DOGE the grid holds, a moved buy by USD (its own commitment counted free)', () => {
    const s = ladderState();
    s.orders = s.orders.filter((o) => o.side === 'sell');
    for (const o of s.orders) o.volume = 30;
    // Lower price, same order size: more DOGE (35) than the sell has. Only its own 30 DOGE are free: it keeps its volume.
    s.ledger.inventory = 90;
    const m = nextTrailMove(s, 0.05, pair, RULES);
    assert.ok(typeof m !== 'string');
    assert.deepEqual({ from: m.order.level, to: m.to.level, volume: m.to.volume }, { from: 3, to: 0, volume: 30 });
    s.ledger.inventory = 120;
    const full = nextTrailMove(s, 0.05, pair, RULES);
    assert.ok(typeof full !== 'string' && full.to.volume === 35, 'with free DOGE: the full order size');
    s.ledger.inventory = 89;
    assert.equal(nextTrailMove(s, 0.05, pair, RULES), 'not_funded');
    const b = ladderState();
    b.orders = b.orders.filter((o) => o.side === 'buy');
    for (const o of b.orders) o.volume = roundTo(3.5 / o.price, 8);
    b.ledger.cash = committedQuote(b, 0.25) + 0.001;
    const up = nextTrailMove(b, 0.2, pair, RULES);
    assert.ok(typeof up !== 'string' && up.to.volume === 35, 'its own USD commitment funds it');
    b.ledger.cash = committedQuote(b, 0.25) - 0.2;
    assert.equal(nextTrailMove(b, 0.2, pair, RULES), 'not_funded');
  });

  it('geometric: the move goes to the geometric level; the quiet band brackets the trigger prices', () => {
    const s = ladderState('geometric');
    s.orders = s.orders.filter((o) => o.side === 'buy');
    const m = nextTrailMove(s, 0.2, pair, { ...RULES, spacingMode: 'geometric' });
    assert.ok(typeof m !== 'string');
    assert.equal(m.to.price, roundTo(0.1 * 1.01 ** 0, 7));
    const b = trailQuietBounds(s, 'geometric')!;
    assert.ok(b.hi < 0.1 && b.hi > 0.1 * (1 - 2e-4));
    assert.ok(b.lo > 0.1 * 1.01 ** -4 && b.lo < 0.1 * 1.01 ** -4 * (1 + 2e-4));
  });
});
