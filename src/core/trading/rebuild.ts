// Rebuilds in steps: a new grid around the price, reached by moving the
// orders nearest the price first (amend when cheaper, else add; then cancel
// what is not wanted), each step within what Kraken's trading counter allows
// now. A newer request supersedes the one in progress; nothing ever waits.
import { ExchangeError } from '../../exchange/exchange.js';
import { errorMessage } from '../../util/log.js';
import { baseNeeded, closePrices, commitment, freeFunds, fundsCover, sizeGrid, spacingModeOf, touch, type GridSizing, type GridOrder, type OrderIntent, type RebuildProgress } from '../grid-strategy.js';
import { equity, fundInventory } from '../ledger.js';
import { diffGrid, newRebuild, pickAmend, targetPlan } from '../rebuild-plan.js';
import { bookCancelled, unfinishedCancels } from './cancels.js';
import { affords, budget, log, pairInfo, placeable, positive, postOnlyFits, saveIfPossible, unfundedNotice, type Desk } from './desk.js';
import { placeAll, resolveUnknown, submit } from './orders.js';

/**
 * Asks for a rebuild around the price of its first step, with the settings
 * of that moment. Returns at once: the work goes on in steps (in the tick,
 * and with `background` one step queued behind the lock right away). A newer
 * request supersedes one in progress: its target is fixed again from the newer
 * settings, and the orders already moved are simply moved on from where they are.
 */
export function requestRebuild(d: Desk, reason: string, kick?: () => void): void {
  const s = d.state;
  const prev = s.rebuild;
  if (prev) log.info(`rebuild (${prev.reason}) superseded by "${reason}" after ${prev.moved} of ${prev.total} levels moved`);
  s.rebuild = newRebuild(reason, d.now());
  d.rebuildGaveUp.clear();
  touch(s);
  kick?.();
}

/** Fixes the target of a new rebuild: around the current price, with the settings of now. */
async function fixTarget(d: Desk, r: RebuildProgress): Promise<void> {
  const s = d.state;
  const price = s.lastPrice;
  // Orders whose placement outcome is unknown may be live: find them first. Never-sent ones of the old grid go.
  await resolveUnknown(d);
  s.orders = s.orders.filter((o) => o.status !== 'pending');
  const pair = pairInfo(d);
  const params = sizeGrid(s, d.cfg, pair, price);
  announceSizing(d, params);
  const levels = params.levelsPerSide;
  const ratio = s.settings.ratioOverride ?? s.trend.ratio;
  const target = { center: price, spacingPct: s.settings.spacingPct, spacingMode: spacingModeOf(s.settings, d.cfg), ratio, levelsPerSide: levels, orderSizeUsd: params.orderSizeUsd, builtAt: d.now() };
  const plan = targetPlan(target, pair);
  if (!s.funded) await fundFirstGrid(d, plan, price);
  s.orderSizeUsd = params.orderSizeUsd;
  s.levelsPerSide = levels;
  s.center = price;
  s.ratioAtBuild = ratio;
  s.gridBuiltAt = target.builtAt;
  r.target = target;
  r.total = plan.length;
  touch(s);
}

/** The sizing is logged whenever it changes (never silently), with what it comes from; a raised ORDER_SIZE_USD warns once per change. */
function announceSizing(d: Desk, p: GridSizing): void {
  const s = d.state;
  if (p.orderSizeUsd === s.orderSizeUsd && p.levelsPerSide === s.levelsPerSide && s.funded) return;
  log.info(`grid sizing: $${p.orderSizeUsd.toFixed(4)} per order, ${p.levelsPerSide} levels per side (${p.source})`);
  if (p.warning) {
    log.warn(p.warning);
    d.emit({ type: 'warning', message: p.warning });
  }
}

/**
 * The first grid splits the starting capital: the DOGE its sells need moves
 * from cash to inventory at the current price (the operator's own funding,
 * no fee), limited to what the account actually holds. When the account holds
 * less USD than that would leave as cash (the README's half-and-half funding
 * does), the difference is taken as DOGE too: a ledger that claimed USD the
 * account lacks sent buys the exchange refused.
 */
async function fundFirstGrid(d: Desk, plan: OrderIntent[], price: number): Promise<void> {
  const s = d.state;
  const balances = await d.exchange.getBalances();
  if (!(positive(balances.base) || balances.base === 0) || !(positive(balances.quote) || balances.quote === 0)) {
    throw new ExchangeError('retryable', `unusable balances answer (base ${String(balances.base)}, quote ${String(balances.quote)})`);
  }
  const need = baseNeeded(plan);
  const forSells = Math.min(need, (s.ledger.cash * 0.9) / price);
  const cashShort = Math.max(0, s.ledger.cash - forSells * price - balances.quote);
  const base = Math.min(forSells + cashShort / price, balances.base);
  if (base < need) log.warn(`the account holds ${balances.base} DOGE; the sell side needs ${need}. Sells beyond that are skipped.`);
  if (cashShort > 0) log.info(`the account holds $${balances.quote.toFixed(2)}: $${(cashShort).toFixed(2)} more of STARTING_CAPITAL is counted as DOGE, so the grid never plans buys the account cannot pay`);
  if (balances.quote + balances.base * price < s.ledger.startingCapital * 0.999) {
    log.warn(`the account is worth $${(balances.quote + balances.base * price).toFixed(2)}, less than STARTING_CAPITAL $${s.ledger.startingCapital}`);
  }
  fundInventory(s.ledger, base, price);
  s.funded = true;
  if (!(typeof s.firstPrice === 'number' && s.firstPrice > 0)) s.firstPrice = price;
  s.day.startEquity = equity(s.ledger, price);
  touch(s);
}

/**
 * One step of the rebuild in progress: the wanted levels nearest the price
 * first, each by amend (when cheaper) or add, then the orders not wanted any
 * more cancelled nearest-first, all within what the trading counter allows
 * now (never waiting on it). Finishes the rebuild when nothing is left to do.
 */
export async function rebuildStep(d: Desk): Promise<void> {
  const s = d.state;
  const r = s.rebuild;
  if (!r) return;
  // Also while the first grid waits for START_PRICE (trading/start-price.ts): nothing is built before it.
  if (s.risk.stopped || s.risk.paused || d.pair === null || !(s.lastPrice > 0) || s.startWait) {
    s.rebuild = null;
    touch(s);
    return;
  }
  if (d.pairBlocked !== null) return;
  if (r.target === null) await fixTarget(d, r);
  const target = r.target as NonNullable<RebuildProgress['target']>;
  const plan = targetPlan(target, pairInfo(d));
  const price = s.lastPrice;
  const diffNow = () => {
    const d2 = diffGrid(s, plan, price, target.builtAt);
    // Renumbering costs nothing on the exchange: the order already rests at the wanted price.
    for (const { order, level } of d2.relabel) order.level = level;
    if (d2.relabel.length > 0) touch(s);
    return d2;
  };
  let diff = diffNow();
  let budgetLeft = await sendKept(d, diff.kept);
  // Never-sent orders of the old grid cost nothing to drop.
  const dropped = new Set(diff.surplus.filter((o) => o.status === 'pending'));
  if (dropped.size > 0) {
    s.orders = s.orders.filter((o) => !dropped.has(o));
    touch(s);
  }
  if (budgetLeft) budgetLeft = await moveLevels(d, r, diff.todo, diff.surplus.filter((o) => !dropped.has(o)), price);
  if (s.rebuild !== r) return;
  diff = diffNow();
  // Orders whose cancel failed before (still open, still marked) are asked again with the surplus.
  if (budgetLeft) budgetLeft = await cancelSurplus(d, r, [...unfinishedCancels(d), ...diff.surplus]);
  if (s.rebuild !== r) return;
  diff = diffNow();
  // Adds that waited for the room or the funds the cancels freed.
  if (budgetLeft) await moveLevels(d, r, diff.todo, [], price);
  diff = diffNow();
  r.moved = diff.total - diff.todo.length;
  r.total = diff.total;
  touch(s);
  const unplaceable = diff.todo.filter((t) => d.rebuildGaveUp.has(`${t.side}${t.level}`) || !placeable(d, t));
  if (diff.surplus.length === 0 && unplaceable.length === diff.todo.length) finishRebuild(d, r, diff.todo);
}

/** Kept orders not sent yet (a rate limit or post-only refusal last step) go first: they are at wanted levels. False when the counter ran out. */
async function sendKept(d: Desk, kept: readonly GridOrder[]): Promise<boolean> {
  for (const o of kept) {
    if (o.status !== 'pending' || !postOnlyFits(d, o)) continue;
    if (!affords(d, budget(d).addCost)) return false;
    await submit(d, o);
  }
  return true;
}

/**
 * Works the wanted levels nearest-first: amends a surplus order of the same
 * side onto the level when that costs no more than cancel + add, else adds
 * (when funded). Returns false when the trading counter ran out.
 */
async function moveLevels(d: Desk, r: RebuildProgress, todo: readonly OrderIntent[], surplus: GridOrder[], price: number): Promise<boolean> {
  const s = d.state;
  const pool = [...surplus];
  for (const t of todo) {
    if (s.rebuild !== r || s.risk.paused || s.risk.stopped) return false;
    if (d.rebuildGaveUp.size > 0 && d.rebuildGaveUp.has(`${t.side}${t.level}`)) continue;
    const now = d.now();
    const b = budget(d);
    const c = d.exchange.amendOrder && !d.amendUnsupported ? pickAmend(t, fundedMoves(d, pool, t), b, now, price) : null;
    if (c) {
      if (!affords(d, b.amendCost(now - c.placedAt))) return false;
      const out = await amend(d, c, t);
      pool.splice(pool.indexOf(c), 1);
      if (out === 'done') {
        r.amended++;
        continue;
      }
      if (out === 'stop') return false;
      // 'refused' or 'unsupported': this level is added instead.
    }
    if (!placeable(d, t)) continue;
    if (workingGridOrders(d) >= r.total) continue;
    if (!affords(d, budget(d).addCost)) return false;
    const before = s.orders.length;
    await placeAll(d, [t]);
    const placed = s.orders.length > before;
    if (placed) r.added++;
    else d.rebuildGaveUp.add(`${t.side}${t.level}`);
  }
  return true;
}

/** The orders of `pool` on the side of `t` that the ledger funds moved onto `t` (each one's own commitment counted free). */
function fundedMoves(d: Desk, pool: readonly GridOrder[], t: OrderIntent): GridOrder[] {
  const s = d.state;
  const fee = d.cfg.makerFeePct;
  const free = freeFunds(s, t.side, fee);
  return pool.filter((o) => o.side === t.side && s.orders.includes(o) && fundsCover(free + commitment(o, fee), t, fee));
}

/** AmendOrder `o` onto the wanted level `t` (also the trailing grid's move, trading/trailing.ts). */
export async function amend(d: Desk, o: GridOrder, t: OrderIntent): Promise<'done' | 'refused' | 'unsupported' | 'stop'> {
  const amendOrder = d.exchange.amendOrder;
  if (!amendOrder || !o.id) return 'unsupported';
  try {
    const res = await amendOrder.call(d.exchange, { id: o.id, clientOrderId: o.clientOrderId, side: o.side, price: t.price, volume: t.volume, postOnly: true, placedAt: o.placedAt });
    o.price = positive(res.price) && closePrices(res.price, t.price) ? res.price : t.price;
    o.volume = positive(res.volume) && closePrices(res.volume, t.volume) ? res.volume : t.volume;
    o.level = t.level;
    o.kind = 'grid';
    o.answers = null;
    o.placedAt = d.now();
    o.amendedAt = o.placedAt;
    touch(d.state);
    return 'done';
  } catch (err) {
    const kind = err instanceof ExchangeError ? err.kind : 'network';
    if (kind === 'unsupported') {
      d.amendUnsupported = true;
      log.info('the exchange does not support AmendOrder; moving orders by cancel + add');
      return 'unsupported';
    }
    if (kind === 'auth') throw err;
    if (kind === 'unknown_order') {
      // Filled or cancelled meanwhile: ours to finish, never replaced; booked now.
      o.cancelRequested = true;
      touch(d.state);
      await bookCancelled(d, [o]);
      return 'refused';
    }
    if (kind === 'network' || kind === 'retryable' || kind === 'rate_limit' || kind === 'invalid_nonce') {
      log.warn(`amending ${o.side} level ${o.level} (${o.id}): ${errorMessage(err)}; the rebuild goes on next step`);
      return 'stop';
    }
    log.info(`amending ${o.side} level ${o.level} (${o.id}) refused (${errorMessage(err)}); cancel + add instead`);
    return 'refused';
  }
}

/**
 * Cancels the orders the new grid does not want, nearest the price first, as
 * far as the counter allows now; books what executed. `r` null: the leftovers
 * of a finished rebuild whose cancel was refused. False when the counter ran out.
 */
export async function cancelSurplus(d: Desk, r: RebuildProgress | null, surplus: readonly GridOrder[]): Promise<boolean> {
  const s = d.state;
  const live = surplus.filter((o) => o.status === 'open' && o.id);
  const chosen: GridOrder[] = [];
  let left = budget(d).room;
  let budgetLeft = true;
  for (const o of live) {
    const cost = budget(d).cancelCost(d.now() - o.placedAt);
    if (cost > 0 && cost > left + 1e-9) {
      budgetLeft = false;
      break;
    }
    left -= cost;
    chosen.push(o);
  }
  if (chosen.length === 0) return budgetLeft;
  for (const o of chosen) o.cancelRequested = true;
  touch(s);
  saveIfPossible(d, 'marking the orders a rebuild cancels');
  for (const o of chosen) {
    if (r !== null && s.rebuild !== r) break;
    try {
      await d.exchange.cancelOrder(o.id as string, o.placedAt);
      if (r) r.cancelled++;
    } catch (err) {
      log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
    }
  }
  await bookCancelled(d, chosen);
  return budgetLeft;
}

/** Orders of the ladder not being cancelled: a rebuild never adds beyond the grid's size (what it replaces goes first). */
function workingGridOrders(d: Desk): number {
  let n = 0;
  for (const o of d.state.orders) if (o.kind !== 'accumulation' && !o.cancelRequested) n++;
  return n;
}

function finishRebuild(d: Desk, r: RebuildProgress, unplaced: readonly OrderIntent[]): void {
  const s = d.state;
  const target = r.target as NonNullable<RebuildProgress['target']>;
  s.rebuild = null;
  touch(s);
  const unfunded = d.rebuildGaveUp.size === 0 ? unplaced : unplaced.filter((t) => !d.rebuildGaveUp.has(`${t.side}${t.level}`));
  if (unfunded.length > 0) d.emit({ type: 'warning', message: unfundedNotice(unfunded) });
  const buys = s.orders.filter((o) => o.side === 'buy').length;
  const sells = s.orders.length - buys;
  const durationMs = Math.max(0, d.now() - r.startedAt);
  log.info(
    `grid built (${r.reason}) around ${target.center}: ${buys} buys, ${sells} sells, spacing ${target.spacingPct}%, $${target.orderSizeUsd.toFixed(4)} per order; ` +
      `${r.amended} amended, ${r.cancelled} cancelled, ${r.added} added in ${(durationMs / 1000).toFixed(1)} s`,
  );
  d.emit({
    type: 'grid_built',
    reason: r.reason,
    center: target.center,
    buys,
    sells,
    spacingPct: target.spacingPct,
    orderSizeUsd: target.orderSizeUsd,
    durationMs,
    amended: r.amended,
    cancelled: r.cancelled,
    added: r.added,
  });
}
