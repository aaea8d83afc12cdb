// The trailing grid (GRID_MODE=trailing), in place of the drift rebuild: when
// the price has left the ladder on one side — the next level beyond the
// outermost order is already on the far side of the price — the farthest
// order of the other side moves onto that level, one level at a time, so the
// ladder follows the price without a full rebuild.
//
// - Up: the lowest buy moves to the level above the top of the ladder (a buy
//   there is below the price, so it rests post-only). Down: the highest sell
//   moves to the level below the bottom. A move keeps the order's side; it is
//   funded like any order (a sell by DOGE the grid holds, a buy by USD), its
//   own commitment counted free. The center stays: levels beyond ±levelsPerSide
//   are still levels of the same grid (levelPrice), so counters of later fills
//   sit on the neighbouring level as before.
// - Never moved: a partly filled order (the next farthest goes instead), an
//   order being cancelled, one whose placement is unknown, the accumulation sweep.
// - TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT: no level above / below them is taken;
//   beyond them the grid stays put.
// - Each move is an AmendOrder where the exchange supports it and that costs
//   no more than cancel + add, else cancel + add; only when the trading
//   counter has room for the whole move now (never half a move). A gap of
//   several levels takes several moves, as many as the counter allows per
//   tick; the rest follow on the next ticks.
import { ExchangeError, type PairInfo } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { canFund, levelPrice, orderVolume, touch, VOLUME_EPS, type GridOrder, type GridState, type OrderIntent, type SpacingMode } from '../grid-strategy.js';
import { roundTo } from '../money.js';
import { pickAmend } from '../rebuild-plan.js';
import { bookCancelled } from './cancels.js';
import { affords, budget, log, pairInfo, saveIfPossible, type Desk } from './desk.js';
import { placeAll } from './orders.js';
import { amend } from './rebuild.js';

export interface TrailRules {
  spacingMode: SpacingMode;
  makerFeePct: number;
  upLimit: number | null;
  downLimit: number | null;
}

export interface TrailMove {
  direction: 'up' | 'down';
  order: GridOrder;
  to: OrderIntent;
}

/** Why no move is due (for status and tests): nothing to follow, a limit, or no movable/fundable order. */
export type TrailHold = 'inside' | 'up_limit' | 'down_limit' | 'no_movable_order' | 'not_funded' | 'no_grid';

/** The orders of the ladder: not the sweep, not those being cancelled. */
function ladder(state: GridState): GridOrder[] {
  return state.orders.filter((o) => o.kind !== 'accumulation' && !o.cancelRequested);
}

/** Whether the rules may move an order: nothing executed, not being cancelled, placement known. */
export function movable(o: GridOrder): boolean {
  if (o.kind === 'accumulation' || o.cancelRequested || o.bookedVolume > VOLUME_EPS) return false;
  return o.status === 'pending' || (o.status === 'open' && o.id !== null);
}

/** The price of level `level` of the state's grid, in the pair's decimals. */
export function trailLevelPrice(state: GridState, level: number, pair: PairInfo, mode: SpacingMode): number {
  return roundTo(levelPrice(state.center, level, state.settings.spacingPct, mode), pair.priceDecimals);
}

/** Whether the ledger funds `o` moved onto `t`, its own commitment counted free. */
function fundsMoveOf(state: GridState, o: GridOrder, t: OrderIntent, makerFeePct: number): boolean {
  const saved = state.orders;
  state.orders = saved.filter((x) => x !== o);
  try {
    return canFund(state, t, makerFeePct);
  } finally {
    state.orders = saved;
  }
}

/** The intent for `o` on `level`: the grid's order size there, else its own volume when only that is funded. */
function moveIntent(state: GridState, o: GridOrder, level: number, price: number, pair: PairInfo, rules: TrailRules): OrderIntent | null {
  const sized: OrderIntent = { kind: 'grid', level, side: o.side, price, volume: orderVolume(state.orderSizeUsd, price, pair), answers: null };
  if (fundsMoveOf(state, o, sized, rules.makerFeePct)) return sized;
  const own: OrderIntent = { ...sized, volume: o.volume };
  if (own.volume + 1e-12 >= pair.orderMin && own.volume * price >= pair.costMin && fundsMoveOf(state, o, own, rules.makerFeePct)) return own;
  return null;
}

/**
 * The next one-level move the price asks for, or why none (pure: reads the
 * state, changes nothing). Up when the level above the top of the ladder is
 * below the price; down when the level below the bottom is above it.
 */
export function nextTrailMove(state: GridState, price: number, pair: PairInfo, rules: TrailRules): TrailMove | TrailHold {
  const orders = ladder(state);
  if (!(state.center > 0) || orders.length === 0 || !(price > 0)) return 'no_grid';
  let top = -Infinity;
  let bottom = Infinity;
  for (const o of orders) {
    top = Math.max(top, o.level);
    bottom = Math.min(bottom, o.level);
  }
  const upPrice = trailLevelPrice(state, top + 1, pair, rules.spacingMode);
  const downPrice = trailLevelPrice(state, bottom - 1, pair, rules.spacingMode);
  let direction: 'up' | 'down';
  let level: number;
  let to: number;
  if (upPrice < price) {
    if (rules.upLimit !== null && upPrice > rules.upLimit) return 'up_limit';
    [direction, level, to] = ['up', top + 1, upPrice];
  } else if (downPrice > price) {
    if (rules.downLimit !== null && downPrice < rules.downLimit) return 'down_limit';
    if (!(downPrice > 0) || downPrice < 10 ** -pair.priceDecimals) return 'down_limit';
    [direction, level, to] = ['down', bottom - 1, downPrice];
  } else return 'inside';
  // The farthest order of the other side first: the lowest buy going up, the highest sell going down.
  const side = direction === 'up' ? 'buy' : 'sell';
  const candidates = orders.filter((o) => o.side === side && movable(o)).sort((a, b) => (direction === 'up' ? a.level - b.level : b.level - a.level));
  if (candidates.length === 0) return 'no_movable_order';
  for (const o of candidates) {
    const intent = moveIntent(state, o, level, to, pair, rules);
    if (intent) return { direction, order: o, to: intent };
  }
  return 'not_funded';
}

/** The trailing rules in force for a desk. */
export function trailRules(d: Desk, spacingMode: SpacingMode): TrailRules {
  return { spacingMode, makerFeePct: d.cfg.makerFeePct, upLimit: d.cfg.trailUpLimit ?? null, downLimit: d.cfg.trailDownLimit ?? null };
}

export interface TrailOutcome {
  moved: number;
  amended: number;
  cancelled: number;
  added: number;
  /** Why the following stopped this tick (a limit, the counter, funds), or 'inside' when it caught up. */
  held: TrailHold | 'counter' | 'exchange';
}

/**
 * Moves the ladder after the price, one level per move, as far as the
 * trading counter allows now. Never waits; what is left goes on next tick.
 */
export async function trailStep(d: Desk, price: number, spacingMode: SpacingMode): Promise<TrailOutcome> {
  const s = d.state;
  const out: TrailOutcome = { moved: 0, amended: 0, cancelled: 0, added: 0, held: 'inside' };
  const rules = trailRules(d, spacingMode);
  const pair = pairInfo(d);
  // Bounded: a gap jump never moves more orders than the ladder has.
  for (let i = ladder(s).length; i > 0; i--) {
    if (s.risk.paused || s.risk.stopped || d.pairBlocked !== null) break;
    const m = nextTrailMove(s, price, pair, rules);
    if (typeof m === 'string') {
      out.held = m;
      break;
    }
    const r = await moveOne(d, m, out);
    if (r !== 'done') {
      out.held = r;
      break;
    }
    out.moved++;
    s.trail = { moves: (s.trail?.moves ?? 0) + 1, lastMoveAt: d.now(), lastDirection: m.direction };
    touch(s);
    log.info(`trailing ${m.direction}: ${m.order.side} level ${m.order.level} (${m.order.price}) → level ${m.to.level} (${m.to.price})`);
  }
  return out;
}

/** One move: rewrite a never-sent order, amend a resting one when cheaper, else cancel + add. */
async function moveOne(d: Desk, m: TrailMove, out: TrailOutcome): Promise<'done' | 'counter' | 'exchange'> {
  const o = m.order;
  if (o.status === 'pending') {
    Object.assign(o, { level: m.to.level, price: m.to.price, volume: m.to.volume, kind: 'grid', answers: null });
    touch(d.state);
    return 'done';
  }
  const b = budget(d);
  const now = d.now();
  const age = now - o.placedAt;
  // The rebuild's rule: amend a resting, untouched order of the same side when that costs no more than cancel + add.
  const viaAmend = d.exchange.amendOrder !== undefined && !d.amendUnsupported && pickAmend(m.to, [o], b, now, d.state.lastPrice) === o;
  if (viaAmend) {
    if (!affords(d, b.amendCost(age))) return 'counter';
    const r = await amend(d, o, m.to);
    if (r === 'done') {
      out.amended++;
      return 'done';
    }
    if (r === 'stop') return 'exchange';
    // refused / unsupported: the order is still ours (or already booked as gone); cancel + add below.
    if (!d.state.orders.includes(o)) return placeMoved(d, m, out);
  }
  if (!affords(d, budget(d).cancelCost(d.now() - o.placedAt) + budget(d).addCost)) return 'counter';
  o.cancelRequested = true;
  touch(d.state);
  saveIfPossible(d, 'marking the order the trailing grid moves');
  try {
    await d.exchange.cancelOrder(o.id as string, o.placedAt);
    out.cancelled++;
  } catch (err) {
    if (!(err instanceof ExchangeError && err.kind === 'unknown_order')) {
      log.warn(`trailing: cancel ${o.id}: ${errorMessage(err)}; retried as a leftover cancel`);
      return 'exchange';
    }
  }
  // Books anything that executed meanwhile: the ledger stays exact, and what filled is never moved.
  await bookCancelled(d, [o]);
  return placeMoved(d, m, out);
}

/** Adds the moved order at its new level (funds checked again: the cancel may have booked an execution). */
async function placeMoved(d: Desk, m: TrailMove, out: TrailOutcome): Promise<'done' | 'exchange'> {
  const before = d.state.orders.length;
  if (!canFund(d.state, m.to, d.cfg.makerFeePct)) return 'exchange';
  await placeAll(d, [m.to]);
  if (d.state.orders.length > before) out.added++;
  return 'done';
}

/**
 * The open interval of prices at which the trailing rule cannot move anything
 * (the backtest's quiet band): between the level below the ladder's bottom and
 * the level above its top, narrowed by a relative 1e-4 for the rounding of
 * level prices. Null without a ladder.
 */
export function trailQuietBounds(state: GridState, spacingMode: SpacingMode): { lo: number; hi: number } | null {
  const orders = ladder(state);
  if (!(state.center > 0) || orders.length === 0) return null;
  let top = -Infinity;
  let bottom = Infinity;
  for (const o of orders) {
    top = Math.max(top, o.level);
    bottom = Math.min(bottom, o.level);
  }
  const sp = state.settings.spacingPct;
  return { lo: levelPrice(state.center, bottom - 1, sp, spacingMode) * (1 + 1e-4), hi: levelPrice(state.center, top + 1, sp, spacingMode) * (1 - 1e-4) };
}
