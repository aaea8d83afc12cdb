// STOP_ACTION=sell (issue 14): after a stop (stop floor or take-profit) the
// DOGE the grid holds is sold with limit orders near the market, driven from
// the tick while the bot is stopped:
//   1. maker: a post-only sell at the best ask (one tick above the bid when the
//      spread is closed), for EXIT_MAKER_TIMEOUT_MS;
//   2. then a marketable limit: a plain (not post-only) sell priced
//      EXIT_TAKER_THROUGH_BID_PCT below the bid, so it executes at once against
//      the bids but never below that bound; a part it leaves unfilled is
//      cancelled after the same timeout and placed again at the new bid.
// Every execution, partial ones included, is booked through the ledger with its
// fee (applyReport, as for any order). The DOGE sold is the ledger's inventory
// less the accumulated DOGE, never more than the account holds. When what is
// left is below the pair minimum the exit ends and reports the DOGE sold, the
// proceeds and the fees paid (log and a TraderEvent the notifier sends on).
import { ExchangeError, type Ticker } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { applyReport } from '../fill-handling.js';
import { nextClientOrderId, rules, touch, VOLUME_EPS, type ExitProgress, type GridOrder } from '../grid-strategy.js';
import { floorTo } from '../money.js';
import { bookFill, log, pairInfo, positive, reportContext, type Desk } from './desk.js';

/** How long the maker sell may rest before the exit turns to a marketable limit (and how long each of those may rest). */
export const EXIT_MAKER_TIMEOUT_MS = 5 * 60_000;
/** How far below the best bid the marketable limit sells (percent): the worst price it accepts. */
export const EXIT_TAKER_THROUGH_BID_PCT = 0.5;

/** Starts a sell-on-stop when STOP_ACTION=sell (no-op otherwise, or while one is working). */
export function beginExit(d: Desk, reason: string): void {
  const s = d.state;
  if (rules(s, d.cfg).stopAction !== 'sell') return;
  if (s.exit && s.exit.phase !== 'done') return;
  const now = d.now();
  s.exit = { reason, startedAt: now, target: null, phase: 'maker', phaseAt: now, sold: 0, proceeds: 0, fees: 0, order: null, finishedAt: null };
  touch(s);
  log.warn(`STOP_ACTION=sell: selling the grid's DOGE (${reason})`);
}

/** Whether a sell-on-stop is working (the backtest ticks at every visit meanwhile). */
export function exitActive(s: { exit?: ExitProgress | null }): boolean {
  return !!s.exit && s.exit.phase !== 'done';
}

/** One step of the sell-on-stop in progress: book what the working order did, move on to the next phase, place the next order, or finish. */
export async function exitStep(d: Desk, ticker: Ticker): Promise<void> {
  const s = d.state;
  const ex = s.exit;
  if (!ex || ex.phase === 'done') return;
  // The grid's own orders go first: their fills change the inventory to sell.
  if (s.orders.length > 0) return;
  if (ex.target === null) await fixTarget(d, ex);
  if (ex.order && !(await workOrder(d, ex, ex.order))) return;
  if (rules(s, d.cfg).stopAction !== 'sell') return finish(d, ex, 'STOP_ACTION was set to hold');
  const pair = pairInfo(d);
  const left = floorTo(Math.min((ex.target ?? 0) - ex.sold, s.ledger.inventory - s.profit.dogeAccumulated), pair.lotDecimals);
  const { bid, ask } = quotes(ticker, s.lastPrice);
  if (left + VOLUME_EPS < pair.orderMin || left * bid < pair.costMin) return finish(d, ex, null);
  // A maker sell the exchange kept refusing (post-only, the price moving) also gives way after the timeout.
  if (ex.phase === 'maker' && d.now() - ex.phaseAt >= EXIT_MAKER_TIMEOUT_MS) {
    ex.phase = 'taker';
    ex.phaseAt = d.now();
    log.info(`sell-on-stop: no maker sell filled within ${EXIT_MAKER_TIMEOUT_MS / 1000} s; selling with a marketable limit ${EXIT_TAKER_THROUGH_BID_PCT}% through the bid`);
  }
  await place(d, ex, left, bid, ask);
}

/** The DOGE to sell: the grid's inventory (accumulated DOGE kept), never more than the account holds. */
async function fixTarget(d: Desk, ex: ExitProgress): Promise<void> {
  const s = d.state;
  const balances = await d.exchange.getBalances();
  const held = positive(balances.base) ? balances.base : 0;
  const grid = Math.max(0, s.ledger.inventory - s.profit.dogeAccumulated);
  ex.target = Math.min(grid, held);
  touch(s);
  log.info(`sell-on-stop: ${ex.target} DOGE to sell (grid inventory ${grid}, account holds ${held})`);
  d.emit({ type: 'exit', phase: 'started', reason: ex.reason, volume: ex.target, proceeds: 0, fees: 0, unsold: ex.target });
}

/** Bid and ask to price the exit from (the last price when the ticker's are unusable). */
function quotes(t: Ticker, last: number): { bid: number; ask: number } {
  const bid = positive(t.bid) ? t.bid : last;
  const ask = positive(t.ask) && t.ask >= bid ? t.ask : bid;
  return { bid, ask };
}

/**
 * Books what the working exit order did; cancels it once it rested past the
 * timeout (a maker order then gives way to the marketable limit). True when
 * no order works any more (the next one may be placed).
 */
async function workOrder(d: Desk, ex: ExitProgress, o: GridOrder): Promise<boolean> {
  const s = d.state;
  if (o.status === 'unknown') {
    const found = await d.exchange.findOrderByClientId(o.clientOrderId, { side: 'sell' });
    if (found) {
      o.id = found.id;
      o.status = 'open';
    } else o.status = 'pending';
    touch(s);
  }
  if (o.status === 'pending' || !o.id) {
    // Never sent: nothing to book or cancel.
    ex.order = null;
    touch(s);
    return true;
  }
  if (await book(d, ex, o, false)) return true;
  const timedOut = d.now() - ex.phaseAt >= EXIT_MAKER_TIMEOUT_MS;
  const holdNow = rules(s, d.cfg).stopAction !== 'sell';
  if (!timedOut && !holdNow) return false;
  try {
    await d.exchange.cancelOrder(o.id, o.placedAt);
  } catch (err) {
    log.warn(`sell-on-stop: cancelling ${o.id}: ${errorMessage(err)}`);
  }
  const gone = await book(d, ex, o, true);
  if (gone && timedOut && ex.phase === 'maker') {
    ex.phase = 'taker';
    log.info(`sell-on-stop: the maker sell did not fill within ${EXIT_MAKER_TIMEOUT_MS / 1000} s; selling with a marketable limit ${EXIT_TAKER_THROUGH_BID_PCT}% through the bid`);
  }
  if (gone) ex.phaseAt = d.now();
  touch(s);
  return gone;
}

/** Queries the exit order and books any new execution (partial ones too); true when it is finished (and gone from the exit). */
async function book(d: Desk, ex: ExitProgress, o: GridOrder, cancelled: boolean): Promise<boolean> {
  const s = d.state;
  const [rep] = await d.exchange.queryOrders([o.id as string]);
  if (!rep) return false;
  const before = { v: o.bookedVolume, c: o.bookedCost, f: o.bookedFee };
  const out = applyReport(s, o, rep, reportContext(d, d.now(), true));
  for (const n of out.notes) log.info(`sell-on-stop: ${n}`);
  ex.sold += o.bookedVolume - before.v;
  ex.proceeds += o.bookedCost - before.c;
  ex.fees += o.bookedFee - before.f;
  if (out.fill) bookFill(d, out.fill);
  if (out.finished) ex.order = null;
  else if (cancelled) log.warn(`sell-on-stop: order ${o.id} is still reported open after cancelling; asked again next tick`);
  touch(s);
  return out.finished;
}

/** Places the next exit sell of `volume`: post-only at the ask (maker phase) or a marketable limit through the bid (taker phase). */
async function place(d: Desk, ex: ExitProgress, volume: number, bid: number, ask: number): Promise<void> {
  const s = d.state;
  const pair = pairInfo(d);
  const tick = pair.tickSize ?? 10 ** -pair.priceDecimals;
  const maker = ex.phase === 'maker';
  const raw = maker ? (ask > bid ? ask : bid + tick) : bid * (1 - EXIT_TAKER_THROUGH_BID_PCT / 100);
  const f = 10 ** pair.priceDecimals;
  const price = maker ? Math.ceil(raw * f - 1e-9) / f : Math.floor(raw * f + 1e-9) / f;
  const now = d.now();
  const o: GridOrder = {
    clientOrderId: nextClientOrderId(s),
    id: null,
    status: 'pending',
    kind: 'exit',
    level: 0,
    side: 'sell',
    price,
    volume,
    bookedVolume: 0,
    bookedFee: 0,
    bookedCost: 0,
    placedAt: now,
    answers: null,
    attempts: 1,
  };
  ex.order = o;
  touch(s);
  // Write-ahead like every order: a crash after sending finds it again by its client id.
  d.checkpoint();
  try {
    const placed = await d.exchange.placeOrder({ side: 'sell', price, volume, clientOrderId: o.clientOrderId, postOnly: maker });
    o.id = placed.id;
    o.status = 'open';
    o.placedAt = d.now();
    if (!maker) ex.phaseAt = o.placedAt;
    log.info(`sell-on-stop: ${maker ? 'post-only' : 'marketable'} sell ${volume} DOGE at ${price} (bid ${bid}, ask ${ask})`);
  } catch (err) {
    const kind = err instanceof ExchangeError ? err.kind : 'network';
    if (kind === 'network' || kind === 'retryable') o.status = 'unknown';
    else {
      ex.order = null;
      if (kind === 'auth') throw err;
      log.warn(`sell-on-stop: the ${maker ? 'post-only' : 'marketable'} sell at ${price} was not placed (${errorMessage(err)}); tried again next tick`);
    }
  }
  touch(s);
}

/** Ends the exit and reports what it sold, for how much, at what fees. */
function finish(d: Desk, ex: ExitProgress, cancelledBecause: string | null): void {
  const s = d.state;
  ex.phase = 'done';
  ex.finishedAt = d.now();
  touch(s);
  const unsold = Math.max(0, (ex.target ?? 0) - ex.sold);
  const avg = ex.sold > 0 ? ex.proceeds / ex.sold : 0;
  const why = cancelledBecause ? ` (ended early: ${cancelledBecause})` : '';
  log.warn(
    `sell-on-stop finished${why}: sold ${ex.sold} DOGE for $${ex.proceeds.toFixed(4)} (average ${avg.toFixed(6)}), fees $${ex.fees.toFixed(4)}, ${unsold} DOGE unsold`,
  );
  d.emit({ type: 'exit', phase: 'done', reason: cancelledBecause ?? ex.reason, volume: ex.sold, proceeds: ex.proceeds, fees: ex.fees, unsold });
}
