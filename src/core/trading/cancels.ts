// Taking orders off the book: a stop (everything), a pause (the buys), a
// shutdown (nearest the price first, within the trading counter). Every cancel
// is marked and saved before it is sent, and what executed before it took
// effect is booked, so no fill is lost and none is taken for Kraken's cancel.
import type { OrderReport } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { applyReport } from '../fill-handling.js';
import { touch, type GridOrder, type PauseKind } from '../grid-strategy.js';
import { nearestFirst } from '../rebuild-plan.js';
import { bookFill, budget, log, reportContext, saveIfPossible, type Desk } from './desk.js';
import { resolveUnknown, syncOrders } from './orders.js';

/** One batched query books what executed before our cancels took effect; finished orders leave the state. */
export async function bookCancelled(d: Desk, orders: readonly GridOrder[]): Promise<void> {
  const s = d.state;
  if (orders.length === 0) return;
  let answer: OrderReport[];
  try {
    answer = await d.exchange.queryOrders(orders.map((o) => o.id as string));
  } catch (err) {
    // Nothing known: each keeps its mark and the next sync books it.
    log.warn(`checking ${orders.length} cancelled orders failed: ${errorMessage(err)}`);
    answer = [];
  }
  const reports = new Map(answer.map((x) => [x.id, x]));
  const done = new Set<GridOrder>();
  for (const o of orders) {
    const rep = reports.get(o.id as string);
    if (!rep) continue;
    const out = applyReport(s, o, rep, reportContext(d, d.now(), true));
    for (const n of out.notes) log.info(n);
    if (out.fill) bookFill(d, out.fill);
    if (out.finished) done.add(o);
  }
  s.orders = s.orders.filter((o) => !done.has(o));
  for (const o of orders) if (!done.has(o) && s.orders.includes(o)) log.warn(`order ${o.id ?? o.clientOrderId} is still reported open after cancelling; kept in the state`);
  touch(s);
}

/** Open orders we asked to cancel that are still open (a refused or lost cancel): asked again. */
export function unfinishedCancels(d: Desk): GridOrder[] {
  return d.state.orders.filter((o) => o.cancelRequested && o.status === 'open' && o.id !== null && o.kind !== 'accumulation');
}

/**
 * Cancels every order of ours (by userref), then books whatever executed
 * before the cancellation took effect. Orders that were never placed are
 * dropped; one the exchange still reports open is cancelled by id and kept
 * (with a warning) only if even that fails, so no fill is ever lost.
 */
export async function cancelOurOrders(d: Desk): Promise<void> {
  const s = d.state;
  s.orders = s.orders.filter((o) => o.status !== 'pending');
  await resolveUnknown(d);
  s.orders = s.orders.filter((o) => o.status !== 'pending');
  if (s.orders.length === 0) return;
  // Saved before asking: a cancel whose outcome is seen only later (lost answer, crash) is never taken for the exchange's.
  for (const o of s.orders) o.cancelRequested = true;
  touch(s);
  // Cancelling is always the safe direction: a full disk must not keep the grid working.
  saveIfPossible(d, 'marking the orders to cancel');
  try {
    await d.exchange.cancelAllOurs();
  } catch (err) {
    // Some cancels may have gone through: book those as cancelled by us
    // (never "replace" them as if the exchange had cancelled them) and try
    // the rest one by one below.
    log.warn(`cancelling our orders: ${errorMessage(err)}; checking which are still open`);
  }
  await syncOrders(d, true);
  for (const o of s.orders) {
    if (!o.id) continue;
    try {
      await d.exchange.cancelOrder(o.id);
    } catch (err) {
      log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
    }
  }
  if (s.orders.length > 0) await syncOrders(d, true);
  for (const o of s.orders) log.warn(`order ${o.id ?? o.clientOrderId} is still reported open after cancelling; kept in the state`);
  touch(s);
}

export async function cancelOpenBuys(d: Desk): Promise<void> {
  const s = d.state;
  // An order whose placement outcome is unknown may be live: find it first, never drop it blind.
  await resolveUnknown(d);
  const live = s.orders.filter((o) => o.side === 'buy' && o.status === 'open' && o.id);
  // Never sent: nothing to cancel.
  s.orders = s.orders.filter((o) => o.side !== 'buy' || (o.status === 'open' && o.id));
  touch(s);
  if (live.length === 0) return;
  for (const o of live) o.cancelRequested = true;
  saveIfPossible(d, 'marking the buys to cancel');
  for (const o of live) {
    try {
      await d.exchange.cancelOrder(o.id as string);
    } catch (err) {
      log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
    }
  }
  // One batched query books what executed before the cancels took effect; one left out of the
  // answer may still be working (or have filled), so it stays and a paused tick retries.
  await bookCancelled(d, live);
}

export async function pauseTrading(d: Desk, kind: PauseKind, reason: string): Promise<void> {
  const s = d.state;
  s.risk.paused = true;
  s.risk.pauseKind = kind;
  s.risk.pauseReason = reason;
  // A rebuild in progress stops here; resuming builds a fresh grid.
  s.rebuild = null;
  touch(s);
  await cancelOpenBuys(d);
  log.warn(`paused (${kind}): ${reason}`);
  d.emit({ type: 'risk', action: 'pause', reason });
}

export async function stopTrading(d: Desk, reason: string): Promise<void> {
  const s = d.state;
  s.risk.stopped = true;
  s.risk.stopReason = reason;
  s.rebuild = null;
  touch(s);
  await cancelOurOrders(d);
  log.error(`trading stopped: ${reason}`);
  d.emit({ type: 'risk', action: 'stop', reason });
}

/**
 * Cancels our open orders, nearest the price first, and books what filled
 * meanwhile, until `deadline`: only the cancels the trading counter allows
 * within that time are sent (cancelling a young order costs up to 8 points);
 * the others keep working and the next start adopts them.
 */
export async function cancelNearestFirst(d: Desk, deadline: number): Promise<void> {
  const s = d.state;
  s.orders = s.orders.filter((o) => o.status !== 'pending');
  await resolveUnknown(d);
  s.orders = s.orders.filter((o) => o.status !== 'pending');
  touch(s);
  const live = nearestFirst(
    s.orders.filter((o) => o.status === 'open' && o.id),
    s.lastPrice,
  );
  if (live.length === 0) return;
  const chosen = affordableBy(d, live, deadline);
  if (chosen.length < live.length) log.warn(`${live.length - chosen.length} of ${live.length} orders cannot be cancelled within the time left (Kraken's trading counter); they keep working`);
  if (chosen.length === 0) return;
  // Saved before asking: a cancel whose outcome is seen only later (lost answer, crash) is never taken for the exchange's.
  for (const o of chosen) o.cancelRequested = true;
  touch(s);
  // Cancelling is always the safe direction: a full disk must not keep the grid working.
  saveIfPossible(d, 'marking the orders to cancel');
  const sent: GridOrder[] = [];
  for (const o of chosen) {
    if (d.now() > deadline) break;
    try {
      await d.exchange.cancelOrder(o.id as string, o.placedAt);
    } catch (err) {
      log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
    }
    sent.push(o);
  }
  await bookCancelled(d, sent);
  for (const o of s.orders) if (o.cancelRequested && !sent.includes(o)) delete o.cancelRequested;
  touch(s);
}

/** The orders (in the given order) whose cancels the trading counter pays for by `deadline`. */
function affordableBy(d: Desk, live: readonly GridOrder[], deadline: number): GridOrder[] {
  const b = budget(d);
  const seconds = Number.isFinite(deadline) ? Math.max(0, (deadline - d.now()) / 1000) : Number.POSITIVE_INFINITY;
  let room = b.room + (Number.isFinite(seconds) ? b.decayPerSecond * seconds : Number.POSITIVE_INFINITY);
  const chosen: GridOrder[] = [];
  for (const o of live) {
    const cost = b.cancelCost(d.now() - o.placedAt);
    if (cost > 0 && cost > room + 1e-9) continue;
    room -= cost;
    chosen.push(o);
  }
  return chosen;
}
