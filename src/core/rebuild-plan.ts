// How a rebuild moves the grid from the orders it has to the ladder it wants,
// within the exchange's trading counter (SPEC §5.1). Pure: the trader asks,
// then acts through the Exchange one operation at a time.
//
// - Levels nearest the price come first, so the grid works near the market
//   within seconds even when the counter only allows part of the move now.
// - An order already at a wanted level stays (costs nothing).
// - An order of the same side that is not wanted any more is amended onto a
//   wanted level when the venue supports it and that costs no more than
//   cancel + add (Kraken: amend 1–4 points, cancelling a young order up to 8).
// - What is left is cancelled (nearest the price first) and added.
import type { TradingBudget } from '../exchange/exchange.js';
import { gridSlot, planGrid, VOLUME_EPS, type GridOrder, type GridState, type OrderIntent, type RebuildProgress, type RebuildTarget } from './grid-strategy.js';
import type { PairInfo } from '../exchange/exchange.js';

export function newRebuild(reason: string, now: number): RebuildProgress {
  return { reason, target: null, moved: 0, total: 0, startedAt: now, amended: 0, cancelled: 0, added: 0 };
}

/** No rate limit and nothing costs: the paper exchange and backtests. */
export const UNLIMITED_BUDGET: TradingBudget = {
  room: Number.POSITIVE_INFINITY,
  decayPerSecond: Number.POSITIVE_INFINITY,
  addCost: 0,
  cancelCost: () => 0,
  amendCost: () => 0,
};

export function targetPlan(t: RebuildTarget, pair: PairInfo): OrderIntent[] {
  return planGrid(t.center, t.spacingPct, t.ratio, t.levelsPerSide, t.orderSizeUsd, pair, t.spacingMode ?? 'arithmetic');
}

/** Nearest the price first (ties: sells before buys, as planGrid lists them). */
export function nearestFirst<T extends { price: number }>(items: readonly T[], price: number): T[] {
  // Array.prototype.sort is stable: ties keep the order of `items`.
  return items.slice().sort((a, b) => Math.abs(a.price - price) - Math.abs(b.price - price));
}

function samePrice(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}

export interface RebuildDiff {
  /** Wanted levels no order works yet, nearest the price first. */
  todo: OrderIntent[];
  /** Orders at a wanted level (open, or pending to be sent). */
  kept: GridOrder[];
  /** Orders not wanted: amend candidates first, the rest to cancel (nearest the price first). */
  surplus: GridOrder[];
  /** Kept orders resting at a wanted price under another level number (a spacing change): they take the new number. */
  relabel: Array<{ order: GridOrder; level: number }>;
  total: number;
}

/** Compares the state's orders with the target ladder. The accumulation sweep and orders already being cancelled are left alone. */
export function diffGrid(state: GridState, plan: readonly OrderIntent[], price: number, builtAt: number): RebuildDiff {
  // Plain loops over flags, not find/Set: a rebuild step asks this four times, for every level against every order.
  const live: GridOrder[] = [];
  for (const o of state.orders) if (o.kind !== 'accumulation' && !o.cancelRequested) live.push(o);
  const taken = new Uint8Array(live.length);
  const kept: GridOrder[] = [];
  const todo: OrderIntent[] = [];
  const relabel: RebuildDiff['relabel'] = [];
  const ordered = nearestFirst(plan, price);
  const take = (j: number): GridOrder => {
    taken[j] = 1;
    kept.push(live[j]!);
    return live[j]!;
  };
  // Exact matches first, so an order is renumbered only when no order holds its wanted level already.
  const exact = new Uint8Array(ordered.length);
  for (let i = 0; i < ordered.length; i++) {
    const j = restingAt(live, taken, ordered[i]!, true);
    if (j >= 0) {
      take(j);
      exact[i] = 1;
    }
  }
  for (let i = 0; i < ordered.length; i++) {
    if (exact[i]) continue;
    const t = ordered[i]!;
    // An order of the old ladder resting at this price already (another level number before a spacing change).
    const atPrice = restingAt(live, taken, t, false);
    // A counter answering a fill of the new grid holds that level until its round trip re-arms it.
    const j = atPrice >= 0 ? atPrice : counterHolding(live, taken, t.level, builtAt);
    if (j < 0) {
      todo.push(t);
      continue;
    }
    const m = take(j);
    if (j === atPrice && m.level !== t.level) relabel.push({ order: m, level: t.level });
  }
  const rest: GridOrder[] = [];
  for (let j = 0; j < live.length; j++) if (!taken[j]) rest.push(live[j]!);
  return { todo, kept, surplus: nearestFirst(rest, price), relabel, total: plan.length };
}

/** The first untaken grid order of the intent's side resting at its price (at its level too, with `sameLevel`), or −1. */
function restingAt(live: readonly GridOrder[], taken: Uint8Array, t: OrderIntent, sameLevel: boolean): number {
  for (let j = 0; j < live.length; j++) {
    const o = live[j]!;
    if (taken[j] === 0 && o.kind === 'grid' && o.side === t.side && (!sameLevel || o.level === t.level) && samePrice(o.price, t.price)) return j;
  }
  return -1;
}

/** The first untaken counter order placed after the build that keeps `level` busy, or −1. */
function counterHolding(live: readonly GridOrder[], taken: Uint8Array, level: number, builtAt: number): number {
  for (let j = 0; j < live.length; j++) {
    const o = live[j]!;
    if (taken[j] === 0 && o.kind === 'counter' && o.placedAt > builtAt && gridSlot(o) === level) return j;
  }
  return -1;
}

/** Whether an order can be moved in place: resting, nothing executed (an amend would carry a partial fill into a new level). */
export function amendable(o: GridOrder): boolean {
  return o.status === 'open' && o.id !== null && o.bookedVolume <= VOLUME_EPS && o.kind !== 'accumulation';
}

/**
 * The surplus order to amend onto `target`, or null when cancel + add is as
 * cheap or cheaper (or none fits): same side, the cheapest amend (oldest),
 * ties to the one furthest from the price (the least useful where it is).
 */
export function pickAmend(target: OrderIntent, surplus: readonly GridOrder[], budget: TradingBudget, now: number, price: number): GridOrder | null {
  let best: GridOrder | null = null;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const o of surplus) {
    if (o.side !== target.side || !amendable(o)) continue;
    const age = now - o.placedAt;
    const amend = budget.amendCost(age);
    if (amend > budget.cancelCost(age) + budget.addCost) continue;
    if (amend < bestCost || (amend === bestCost && best !== null && Math.abs(o.price - price) > Math.abs(best.price - price))) {
      best = o;
      bestCost = amend;
    }
  }
  return best;
}
