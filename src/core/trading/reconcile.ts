// Start-up against the exchange (SPEC §4.6): our saved orders are matched
// with what Kraken holds, what filled while we were down is booked, what a
// previous run meant to cancel is decided again, and our orphans go.
import type { OrderReport } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { applyReport } from '../fill-handling.js';
import { gridSlot, touch, type GridOrder, type OrderIntent } from '../grid-strategy.js';
import { bookFill, booksOk, log, reportContext, saveIfPossible, type Desk } from './desk.js';
import { enqueue } from './orders.js';

/** Adopt our open orders we know, book what filled while we were down, cancel our orphans. */
export async function reconcile(d: Desk): Promise<void> {
  const s = d.state;
  const adopting = s.orders.length > 0;
  const open = await d.exchange.listOpenOrders();
  const byClientId = new Map<string, OrderReport>();
  for (const r of open) if (r.clientOrderId) byClientId.set(r.clientOrderId, r);
  const claimed = new Set<string>();
  const openById = new Map(open.map((r) => [r.id, r]));
  for (const o of s.orders) {
    if (o.id) {
      claimed.add(o.id);
      // The exchange's own opening time prices its trading-counter costs (cancelling an old order is free);
      // an order we amended has a newer resting time than the exchange's opening time tells.
      const seen = openById.get(o.id)?.openedAt;
      if (o.amendedAt === undefined && typeof seen === 'number' && Number.isFinite(seen) && seen > 0 && seen < o.placedAt) o.placedAt = seen;
      continue;
    }
    // Never confirmed: the order may exist anyway (crash or timeout after sending it).
    const found = byClientId.get(o.clientOrderId) ?? (await d.exchange.findOrderByClientId(o.clientOrderId));
    if (found) {
      o.id = found.id;
      o.status = 'open';
      claimed.add(found.id);
      log.info(`adopted order ${found.id} (${o.side} level ${o.level}) placed before the restart`);
    } else {
      o.status = 'pending';
    }
  }
  await redecideCancels(d);
  // A sell-on-stop's order (trading/exit.ts) is ours too: its step books it.
  const exitOrder = s.exit?.order;
  if (exitOrder) {
    const id = exitOrder.id ?? byClientId.get(exitOrder.clientOrderId)?.id;
    if (id) claimed.add(id);
  }
  let orphans = 0;
  for (const r of open) {
    if (claimed.has(r.id)) continue;
    try {
      await d.exchange.cancelOrder(r.id);
      orphans++;
    } catch (err) {
      log.warn(`could not cancel orphan ${r.id}: ${errorMessage(err)}`);
    }
  }
  d.refillLevels = adopting;
  touch(s);
  log.info(`reconciled: ${s.orders.length} orders in state, ${open.length} open on the exchange, ${orphans} orphans of ours cancelled`);
}

/**
 * Orders a previous run asked to cancel (a shutdown, rebuild or pause that
 * failed, timed out or was killed) carry the mark into this run. Whether the
 * cancel went through is looked up, never assumed, and the intent is decided
 * again: an order another order has replaced (a rebuild's leftover) or that
 * a pause or stop still forbids is cancelled again and booked as ours; every
 * other one is an ordinary working order of the grid. One found filled is
 * countered; one found cancelled has its level placed again (next tick).
 */
async function redecideCancels(d: Desk): Promise<void> {
  const s = d.state;
  const marked = s.orders.filter((o) => o.cancelRequested && o.id && o.status === 'open');
  if (marked.length === 0) return;
  const reports = new Map((await d.exchange.queryOrders(marked.map((o) => o.id as string))).map((r) => [r.id, r]));
  const done = new Set<GridOrder>();
  const intents: OrderIntent[] = [];
  for (const o of marked) {
    const r = reports.get(o.id as string);
    // Left out of the answer: nothing is known; the mark stays and the tick asks again.
    if (!r) continue;
    const slot = gridSlot(o);
    const replaced = slot !== null && s.orders.some((x) => x !== o && !done.has(x) && gridSlot(x) === slot && (!x.cancelRequested || x.placedAt > o.placedAt));
    const ours = replaced || s.risk.stopped || (s.risk.paused && o.side === 'buy');
    if (!ours) {
      delete o.cancelRequested;
      log.info(`order ${o.id} (${o.side} level ${o.level}) a previous run meant to cancel is ${r.state}; kept as a working grid order`);
    }
    const out = applyReport(s, o, r, reportContext(d, d.now(), ours));
    for (const n of out.notes) log.info(n);
    if (out.fill) bookFill(d, out.fill);
    if (out.finished) done.add(o);
    else if (ours && !s.risk.stopped) {
      try {
        await d.exchange.cancelOrder(o.id as string);
      } catch (err) {
        log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
      }
    }
    intents.push(...out.next);
  }
  s.orders = s.orders.filter((o) => !done.has(o));
  if (!booksOk(d)) return;
  // Recorded as pending and saved now; the next tick sends them.
  let queued = 0;
  for (const intent of intents) if (enqueue(d, intent)) queued++;
  touch(s);
  // The send path saves again before anything goes out; here a failed save must not stop the risk checks.
  if (queued > 0) saveIfPossible(d, 'recording the orders that answer the fills');
}
