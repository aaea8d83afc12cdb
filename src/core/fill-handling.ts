// What an exchange report about one of our orders means for the state:
// executions are booked into the ledger as they appear in `vol_exec` (also
// partial ones); when the order is finished its fill is recorded, a round trip
// is completed if it answered an earlier fill, and the next order is planned.
// Pure apart from mutating the state it is given.
import type { OrderReport, PairInfo } from '../exchange/exchange.js';
import { counterIntent, rearmIntent, roundTripProfit, touch, VOLUME_EPS, type GridOrder, type GridState, type OrderIntent } from './grid-strategy.js';
import { bookBuy, bookSell } from './ledger.js';
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
}

/** Books any new execution in `report` and decides what follows. */
export function applyReport(state: GridState, order: GridOrder, report: OrderReport, ctx: ReportContext): ReportOutcome {
  const notes: string[] = [];
  const executed = Math.min(report.volumeExecuted, order.volume + VOLUME_EPS);
  const delta = executed - order.bookedVolume;
  if (delta > VOLUME_EPS) {
    const totalCost = report.avgPrice * executed;
    const deltaCost = Math.max(0, totalCost - order.bookedCost);
    const deltaFee = Math.max(0, report.fee - order.bookedFee);
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
      next.push(order.answers ? rearmIntent(done, ctx.spacingPct, ctx.pair) : counterIntent(done, ctx.spacingPct, ctx.pair));
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
      notes.push(`${order.side} at level ${order.level} was ${report.state} by the exchange; replacing ${remainder}`);
    } else {
      notes.push(`${order.side} at level ${order.level} was ${report.state}; remainder ${remainder} is below the pair minimum, dropped`);
    }
  }
  touch(state);
  return { finished: true, fill, next, notes };
}
