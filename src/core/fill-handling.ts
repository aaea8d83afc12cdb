// What an exchange report about one of our orders means for the state:
// executions are booked into the ledger as they appear in `vol_exec` (also
// partial ones); when the order is finished its fill is recorded, a round trip
// is completed if it answered an earlier fill, and the next order is planned.
// Pure apart from mutating the state it is given.
import type { OrderReport, PairInfo } from '../exchange/exchange.js';
import { counterIntent, rearmIntent, roundTripProfit, touch, VOLUME_EPS, type GridOrder, type GridState, type OrderIntent, type SpacingMode } from './grid-strategy.js';
import { bookBuy, bookSell } from './ledger.js';
import { REPORT_FEE_MAX_SHARE, REPORT_PRICE_MAX_FACTOR } from './limits.js';
import type { FillRecord } from './types.js';

export interface ReportOutcome {
  /** The order is finished (closed, canceled or expired) and leaves the state. */
  finished: boolean;
  /** Set when a finished order had executed volume. */
  fill: FillRecord | null;
  /** Orders to place next: the counter/re-arm for what executed, a replacement for what the exchange cancelled. */
  next: OrderIntent[];
  /** Human-readable notes (partial executions, replacements, dropped remainders). */
  notes: string[];
}

export interface ReportContext {
  spacingPct: number;
  pair: PairInfo;
  now: number;
  /** We cancelled it ourselves (rebuild, pause, shutdown): book executions, plan nothing. */
  cancelledByUs: boolean;
  /** The pair's maker fee in percent: the fee of an execution whose report carries no usable one. */
  makerFeePct: number;
  /** How the grid's levels are spaced (absent: arithmetic): the counter sits on the neighbouring level. */
  spacingMode?: SpacingMode;
}

/** A finite number, or null (NaN, ±Infinity, a string, a missing field). */
function finite(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function withinFactor(price: number, limit: number): boolean {
  return price > 0 && price <= limit * REPORT_PRICE_MAX_FACTOR && price >= limit / REPORT_PRICE_MAX_FACTOR;
}

/**
 * The average execution price of a report, or null when it cannot be trusted.
 * Missing or 0 (Kraken's "nothing executed" value) on a post-only order: it can
 * only have executed at its limit price. Anything else unusable (negative,
 * infinite, a string, far from the limit) leaves the execution unknown.
 */
function executionPrice(order: GridOrder, raw: unknown, notes: string[]): number | null {
  const p = finite(raw);
  if (p !== null && p > 0) {
    if (withinFactor(p, order.price)) return p;
    notes.push(`${order.side} level ${order.level} (${order.id ?? order.clientOrderId}): average price ${p} is more than ${REPORT_PRICE_MAX_FACTOR}× away from its limit ${order.price}; not booked, asked again next tick`);
    return null;
  }
  const missing = raw === undefined || raw === null || p === 0 || (typeof raw === 'number' && Number.isNaN(raw));
  if (missing && order.kind !== 'accumulation') {
    notes.push(`${order.side} level ${order.level} (${order.id ?? order.clientOrderId}): no average price in the report (${String(raw)}); a post-only order executes at its limit ${order.price}`);
    return order.price;
  }
  notes.push(`${order.side} level ${order.level} (${order.id ?? order.clientOrderId}): unusable average price ${String(raw)}; not booked, asked again next tick`);
  return null;
}

/** The total fee of an execution costing `cost`: the report's, or the maker fee when it has no usable one (logged). */
function executionFee(order: GridOrder, raw: unknown, cost: number, ctx: ReportContext, notes: string[]): number {
  const f = finite(raw);
  if (f !== null && f >= 0 && f <= cost * REPORT_FEE_MAX_SHARE) return f;
  const fee = cost * (ctx.makerFeePct / 100);
  notes.push(`${order.side} level ${order.level} (${order.id ?? order.clientOrderId}): unusable fee ${String(raw)} in the report; booked the maker fee ${fee}`);
  return fee;
}

/** Books any new execution in `report` and decides what follows. */
export function applyReport(state: GridState, order: GridOrder, report: OrderReport, ctx: ReportContext): ReportOutcome {
  const notes: string[] = [];
  const unknown = (): ReportOutcome => ({ finished: false, fill: null, next: [], notes });
  const reported = finite(report.volumeExecuted);
  if (reported === null || reported < 0 || reported > order.volume * (1 + 1e-6) + VOLUME_EPS) {
    notes.push(`${order.side} level ${order.level} (${order.id ?? order.clientOrderId}): unusable executed volume ${String(report.volumeExecuted)}; not booked, asked again next tick`);
    return unknown();
  }
  const executed = Math.min(reported, order.volume + VOLUME_EPS);
  const delta = executed - order.bookedVolume;
  if (delta > VOLUME_EPS) {
    const avg = executionPrice(order, report.avgPrice, notes);
    if (avg === null) return unknown();
    const totalCost = avg * executed;
    let deltaCost = totalCost - order.bookedCost;
    // The part not booked yet, priced from the totals; the average itself when that is off (an earlier part booked at a fallback).
    if (!withinFactor(deltaCost / delta, order.price)) deltaCost = avg * delta;
    const deltaFee = Math.max(0, executionFee(order, report.fee, totalCost, ctx, notes) - order.bookedFee);
    const price = deltaCost / delta;
    if (order.side === 'buy') bookBuy(state.ledger, delta, price, deltaFee);
    else bookSell(state.ledger, delta, price, deltaFee);
    order.bookedVolume = executed;
    order.bookedCost = order.bookedCost + deltaCost;
    order.bookedFee = order.bookedFee + deltaFee;
    if (report.state === 'open' || report.state === 'pending') notes.push(`partial ${order.side} ${delta} at ${price} (level ${order.level})`);
    touch(state);
  }
  if (report.state === 'open' || report.state === 'pending') return { finished: false, fill: null, next: [], notes };

  const next: OrderIntent[] = [];
  let fill: FillRecord | null = null;
  const vol = order.bookedVolume;
  if (vol > VOLUME_EPS) {
    const avg = order.bookedCost / vol;
    const profit = order.answers ? roundTripProfit(order.answers, { side: order.side, price: avg, volume: vol, fee: order.bookedFee }) : null;
    fill = { time: ctx.now, side: order.side, price: avg, volume: vol, fee: order.bookedFee, level: order.level, profit, orderId: order.id ?? order.clientOrderId };
    if (order.kind === 'accumulation') {
      state.profit.dogeAccumulated += vol;
      state.profit.dogeAccumulatedToday += vol;
      fill.profit = null;
    } else if (!ctx.cancelledByUs) {
      const done = { side: order.side, level: order.level, price: avg, volume: vol, fee: order.bookedFee, time: ctx.now };
      next.push(order.answers ? rearmIntent(done, ctx.spacingPct, ctx.pair, ctx.spacingMode) : counterIntent(done, ctx.spacingPct, ctx.pair, ctx.spacingMode));
    }
  }

  const remainder = order.volume - vol;
  if (!ctx.cancelledByUs && report.state !== 'closed' && order.kind !== 'accumulation' && remainder > VOLUME_EPS) {
    // Cancelled or expired behind our back: put the unexecuted part back at the same level.
    if (remainder + VOLUME_EPS >= ctx.pair.orderMin && remainder * order.price >= ctx.pair.costMin) {
      let answers = order.answers;
      if (answers && vol > VOLUME_EPS) {
        const share = Math.max(0, 1 - vol / answers.volume);
        answers = { ...answers, volume: answers.volume * share, fee: answers.fee * share };
      }
      next.push({ kind: order.kind, level: order.level, side: order.side, price: order.price, volume: remainder, answers });
      if (report.postOnlyRejected === true) {
        // Kraken accepted the post-only order, then cancelled it because it would have taken liquidity:
        // not a fill, not an operator's cancel. The level waits (pending) until the price allows it.
        notes.push(`${order.side} at level ${order.level} was cancelled by Kraken as post-only (the price had crossed it); placed again when the price allows`);
      } else notes.push(`${order.side} at level ${order.level} was ${report.state} by the exchange; replacing ${remainder}`);
    } else {
      notes.push(`${order.side} at level ${order.level} was ${report.state}; remainder ${remainder} is below the pair minimum, dropped`);
    }
  }
  touch(state);
  return { finished: true, fill, next, notes };
}
