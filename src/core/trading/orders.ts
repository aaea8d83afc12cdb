// Orders in and out: sending what the rules ask for (write-ahead, so a crash
// never forgets or doubles an order) and reading back what the exchange did
// with them (fills booked once, the answering order planned).
import { ExchangeError, type OrderReport } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { applyReport } from '../fill-handling.js';
import { canFund, nextClientOrderId, touch, type GridOrder, type OrderIntent } from '../grid-strategy.js';
import type { FillRecord } from '../types.js';
import { bookFill, booksOk, log, pairInfo, positive, postOnlyFits, reportContext, unfundedNotice, type Desk } from './desk.js';

/** Orders whose placement outcome is unknown: find them by client id before doing anything else. */
export async function resolveUnknown(d: Desk): Promise<void> {
  for (const o of d.state.orders) {
    if (o.status !== 'unknown') continue;
    const found = await d.exchange.findOrderByClientId(o.clientOrderId);
    if (found) {
      o.id = found.id;
      o.status = 'open';
      log.info(`order ${o.clientOrderId} exists after all (${found.id})`);
    } else {
      o.status = 'pending';
    }
    touch(d.state);
  }
}

/**
 * Queries every order we think is working, books executions, records fills
 * and places what follows. With `cancelledByUs`, finished orders plan nothing.
 */
export async function syncOrders(d: Desk, cancelledByUs: boolean): Promise<FillRecord[]> {
  const s = d.state;
  if (s.orders.some((o) => o.status === 'unknown')) await resolveUnknown(d);
  const ids: string[] = [];
  for (const o of s.orders) if (o.status === 'open' && o.id) ids.push(o.id);
  if (ids.length === 0) return [];
  const { fills, intents } = bookReports(d, await d.exchange.queryOrders(ids), cancelledByUs);
  if (!booksOk(d)) return fills;
  if (intents.length > 0) await placeAll(d, intents);
  return fills;
}

/**
 * Books the answers about the state's open orders (asked in state order):
 * executions into the ledger, finished orders out of the state with their
 * fills recorded; returns the fills and the orders that follow them.
 */
function bookReports(d: Desk, reports: readonly OrderReport[], cancelledByUs: boolean): { fills: FillRecord[]; intents: OrderIntent[] } {
  const s = d.state;
  const fills: FillRecord[] = [];
  const intents: OrderIntent[] = [];
  const now = d.now();
  let finished: GridOrder[] | null = null;
  let k = 0;
  for (const o of s.orders) {
    if (o.status !== 'open' || !o.id) continue;
    const r = reportAt(reports, o.id, k++);
    if (!r) continue;
    // Still working with nothing new executed: applyReport would book and plan nothing (most orders, most ticks).
    if ((r.state === 'open' || r.state === 'pending') && r.volumeExecuted === o.bookedVolume) continue;
    const out = applyReport(s, o, r, reportContext(d, now, cancelledByUs || o.cancelRequested === true));
    for (const n of out.notes) log.info(n);
    if (!out.finished) continue;
    (finished ??= []).push(o);
    if (out.fill) {
      bookFill(d, out.fill);
      fills.push(out.fill);
    }
    for (const i of out.next) intents.push(i);
  }
  if (finished !== null) {
    const gone = finished;
    s.orders = s.orders.filter((o) => !gone.includes(o));
  }
  return { fills, intents };
}

/** The answer about order `id`, asked `k`-th: answers come in the order asked (paper, Kraken), else it is looked up. */
function reportAt(reports: readonly OrderReport[], id: string, k: number): OrderReport | undefined {
  if (reports[k]?.id === id) return reports[k];
  return reports.find((r) => r.id === id);
}

/**
 * Records intents as pending orders, saves (write-ahead), then sends them.
 * A failed attempt stays pending (retried) or is dropped with a warning.
 */
export async function placeAll(d: Desk, intents: readonly OrderIntent[]): Promise<void> {
  const queued: GridOrder[] = [];
  const unfunded: OrderIntent[] = [];
  for (const intent of intents) {
    const order = enqueue(d, intent, unfunded);
    if (order) queued.push(order);
  }
  // One notice per batch, not one per level: a rebuild after a rally can skip a dozen sells.
  if (unfunded.length > 0) d.emit({ type: 'warning', message: unfundedNotice(unfunded) });
  if (queued.length === 0) return;
  d.checkpoint();
  for (const order of queued) await submit(d, order);
}

/** Adds an order to the state as pending, if it may and can be placed. */
export function enqueue(d: Desk, intent: OrderIntent, unfunded?: OrderIntent[]): GridOrder | null {
  const s = d.state;
  if (s.risk.stopped) return null;
  if (s.risk.paused && intent.side === 'buy') return null;
  const pair = pairInfo(d);
  if (intent.volume + 1e-12 < pair.orderMin || intent.price * intent.volume < pair.costMin) {
    log.warn(`${intent.side} at level ${intent.level}: volume ${intent.volume} is below the pair minimum; not placed`);
    return null;
  }
  if (!canFund(s, intent, d.cfg.makerFeePct)) {
    log.warn(`${intent.side} at level ${intent.level} (${intent.volume} @ ${intent.price}) skipped: not enough ${intent.side === 'sell' ? 'DOGE' : 'USD'} in the grid's allocation`);
    unfunded?.push(intent);
    return null;
  }
  const order: GridOrder = {
    clientOrderId: nextClientOrderId(s),
    id: null,
    status: 'pending',
    kind: intent.kind,
    level: intent.level,
    side: intent.side,
    price: intent.price,
    volume: intent.volume,
    bookedVolume: 0,
    bookedFee: 0,
    bookedCost: 0,
    placedAt: d.now(),
    answers: intent.answers,
    attempts: 0,
  };
  s.orders.push(order);
  touch(s);
  return order;
}

export async function submit(d: Desk, order: GridOrder): Promise<void> {
  // Kept pending (placed later): the pair forbids adding now, or a post-only order would only be cancelled by Kraken.
  if (d.pairBlocked !== null || !postOnlyFits(d, order)) return;
  order.attempts++;
  try {
    const placed = await d.exchange.placeOrder({
      side: order.side,
      price: order.price,
      volume: order.volume,
      clientOrderId: order.clientOrderId,
      postOnly: order.kind !== 'accumulation',
    });
    if (typeof placed.id !== 'string' || placed.id === '') throw new ExchangeError('retryable', `AddOrder answered without an order id (${String(placed.id)})`);
    order.id = placed.id;
    order.status = 'open';
    // As submitted (after the exchange's rounding); an answer that is not a number keeps what we asked for.
    if (positive(placed.price) && placed.price <= order.price * 1.01 && placed.price >= order.price * 0.99) order.price = placed.price;
    else if (placed.price !== order.price) log.warn(`AddOrder answered price ${String(placed.price)} for ${order.side} level ${order.level} at ${order.price}; keeping ${order.price}`);
    if (positive(placed.volume) && placed.volume <= order.volume * 1.01 && placed.volume >= order.volume * 0.99) order.volume = placed.volume;
    else if (placed.volume !== order.volume) log.warn(`AddOrder answered volume ${String(placed.volume)} for ${order.side} level ${order.level} of ${order.volume}; keeping ${order.volume}`);
    order.placedAt = d.now();
  } catch (err) {
    await placementFailed(d, order, err);
  }
  touch(d.state);
}

/** What a refused or unanswered AddOrder means for the order: retry, look it up, or drop it with a warning. */
async function placementFailed(d: Desk, order: GridOrder, err: unknown): Promise<void> {
  const s = d.state;
  const kind = err instanceof ExchangeError ? err.kind : 'network';
  if (kind === 'network' || kind === 'retryable') {
    order.status = 'unknown';
    log.warn(`placing ${order.side} level ${order.level} failed ambiguously (${errorMessage(err)}); will look it up by client id`);
  } else if (kind === 'post_only' || kind === 'rate_limit' || kind === 'orders_limit' || kind === 'invalid_nonce') {
    order.status = 'pending';
    log.info(`${order.side} level ${order.level} not placed yet (${errorMessage(err)}); will retry`);
  } else if (kind === 'auth') {
    // A key without trade permission, or revoked: keep the order and fail the tick, so the error budget sees it.
    order.status = 'pending';
    touch(s);
    throw err;
  } else {
    // Sent before and now refused, or refused as a duplicate client id (the client's own resend after an
    // ambiguous answer, while the first send was still being processed): it may exist after all.
    const maybeExists = order.attempts > 1 || /cl_ord_id|client order id|duplicate|already/i.test(errorMessage(err));
    let existing: OrderReport | null = null;
    let lookupFailed = false;
    if (maybeExists) {
      try {
        existing = await d.exchange.findOrderByClientId(order.clientOrderId);
      } catch (lookupErr) {
        lookupFailed = true;
        log.warn(`looking up ${order.clientOrderId} failed (${errorMessage(lookupErr)}); kept as unknown`);
      }
    }
    if (existing) {
      order.id = existing.id;
      order.status = 'open';
      log.info(`order ${order.clientOrderId} already exists (${existing.id}); adopted`);
    } else if (lookupFailed) {
      // Never dropped while it may be working: looked up again at the next tick.
      order.status = 'unknown';
    } else {
      s.orders = s.orders.filter((o) => o !== order);
      const message = `${order.side} level ${order.level} (${order.volume} @ ${order.price}) rejected: ${errorMessage(err)}`;
      log.warn(message);
      d.emit({ type: 'warning', message });
    }
  }
}

/** Retries orders that are not on the exchange yet (post-only rejections, rate limits). */
export async function placePending(d: Desk): Promise<void> {
  // Write-ahead: a pending order goes out only once it is on disk. If the save that recorded it failed
  // (full disk), this save fails too and the tick stops here instead of sending what a crash would forget.
  if (!d.state.orders.some((o) => o.status === 'pending')) return;
  d.checkpoint();
  for (const o of [...d.state.orders]) {
    if (o.status !== 'pending') continue;
    if (d.state.risk.paused && o.side === 'buy') {
      d.state.orders = d.state.orders.filter((x) => x !== o);
      continue;
    }
    await submit(d, o);
  }
}
