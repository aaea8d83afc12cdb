// The trading engine: one tick reads the price, books what the exchange
// filled, applies risk, drift and ratio rules, and places what the rules ask
// for. It decides through grid-strategy.ts and fill-handling.ts and acts
// through the Exchange; it never knows whether the exchange is paper or real.
// bot.ts owns the schedule, the services and the process; this owns the trading.
import { SerialQueue } from '../util/serial.js';
import type { Config } from '../config.js';
import { minSpacingPct } from './limits.js';
import { ExchangeError, type Exchange, type OrderReport, type PairInfo, type Ticker } from '../exchange/exchange.js';
import { applyReport, type ReportContext } from './fill-handling.js';
import {
  accumulationAmount,
  adaptiveParams,
  baseNeeded,
  canFund,
  checkRisk,
  closeAccumulationPeriod,
  closePrices,
  computeTrend,
  driftNeedsRebuild,
  effectiveCapital,
  gridSlot,
  marketPrice,
  missingGridLevels,
  nextClientOrderId,
  planGrid,
  ratioNeedsRebuild,
  recordFill,
  recordPrice,
  rollDays,
  touch,
  unconfirmedJump,
  type DailySummaryRow,
  type GridOrder,
  type GridState,
  type OrderIntent,
  type PauseKind,
  type StrategyConfig,
} from './grid-strategy.js';
import { equity, fundInventory, ledgerProblem } from './ledger.js';
import { LEDGER_IDENTITY_TOLERANCE } from './limits.js';
import { errorMessage, logger } from '../util/log.js';
import { roundTo } from './money.js';
import type { FillRecord } from './types.js';

const log = logger('trader');

export type TraderEvent =
  | { type: 'grid_built'; reason: string; center: number; buys: number; sells: number; spacingPct: number; orderSizeUsd: number }
  | { type: 'fill'; fill: FillRecord }
  | { type: 'round_trip'; fill: FillRecord }
  | { type: 'daily_summary'; row: DailySummaryRow }
  | { type: 'risk'; action: 'pause' | 'resume' | 'stop'; reason: string }
  | { type: 'accumulation'; usd: number; volume: number; price: number }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string };

/** Where fills and daily rows go (CSV files in LOG_DIR; nothing in backtests). Written after the state is saved. */
export interface Journal {
  fill(fill: FillRecord): void;
  daily(row: DailySummaryRow): void;
}

export interface TraderDeps {
  config: Config;
  exchange: Exchange;
  state: GridState;
  now: () => number;
  onEvent?: (e: TraderEvent) => void;
  journal?: Journal;
  /**
   * Saves the state. Called after new orders are recorded and before they are
   * sent, so a crash at any point leaves every decision on disk: a pending
   * order is looked up by its client id on restart instead of being lost or
   * sent twice.
   */
  checkpoint?: () => void;
}

export interface TickResult {
  price: number;
  fills: FillRecord[];
  rebuilt: string | null;
}

/** A finite number above zero (not NaN, not Infinity, not a string). */
function positive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

export function strategyConfig(c: Config): StrategyConfig {
  return {
    startingCapital: c.startingCapital,
    makerFeePct: c.makerFeePct,
    stopFloor: c.stopFloor,
    dailyLossLimit: c.dailyLossLimit,
    gridDriftResetPct: c.gridDriftResetPct,
    dailySummaryHourUtc: c.dailySummaryHourUtc,
    monthlyReserveUsd: c.monthlyReserveUsd,
    accumulationSweepDays: c.accumulationSweepDays,
    orderSizeUsd: c.orderSizeUsd,
    gridLevels: c.gridLevels,
  };
}

/** Also the target of the operator controls (ops/controls.ts `ControlTarget`, matched structurally so core never imports ops). */
export class Trader {
  readonly config: Config;
  readonly exchange: Exchange;
  readonly state: GridState;
  private readonly cfg: StrategyConfig;
  private readonly now: () => number;
  private readonly emit: (e: TraderEvent) => void;
  private readonly journal: Journal | undefined;
  private readonly checkpoint: () => void;
  private pair: PairInfo | null = null;
  /** The last ticker seen (for the spread in the AI prompt). */
  lastTicker: Ticker | null = null;
  private readonly lock = new SerialQueue();
  /** Fills and daily rows of the current tick, journaled once the state is saved. */
  private unjournaled: { fills: FillRecord[]; days: DailySummaryRow[] } = { fills: [], days: [] };
  /** Set when start adopted orders: the next tick places the grid levels nobody holds (what a shutdown cancelled). */
  private refillLevels = false;
  /** A price far from the recent ones, seen once: acted on only if the next tick confirms it. */
  private suspectPrice: number | null = null;

  constructor(deps: TraderDeps) {
    this.config = deps.config;
    this.exchange = deps.exchange;
    this.state = deps.state;
    this.cfg = strategyConfig(deps.config);
    this.now = deps.now;
    this.journal = deps.journal;
    this.checkpoint = deps.checkpoint ?? (() => undefined);
    this.emit = (e) => {
      try {
        deps.onEvent?.(e);
      } catch (err) {
        log.error(`event handler failed: ${errorMessage(err)}`);
      }
    };
  }

  get pairInfo(): PairInfo {
    if (!this.pair) throw new Error('trader not started');
    return this.pair;
  }

  /** Runs `fn` when no tick or other control action is running. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  /** Write the journal rows of the last tick (call after the state was saved). */
  flushJournal(): void {
    const { fills, days } = this.unjournaled;
    this.unjournaled = { fills: [], days: [] };
    if (!this.journal) return;
    for (const f of fills) this.journal.fill(f);
    for (const d of days) this.journal.daily(d);
  }

  // ------------------------------------------------------------ start-up

  /**
   * Reads the pair, then either reconciles saved orders with the exchange
   * (SPEC §4.6) or builds the first grid.
   */
  async start(): Promise<void> {
    this.pair = await this.exchange.getPairInfo();
    const ticker = await this.exchange.getTicker();
    const price = marketPrice(ticker);
    if (price === null) throw new Error(`invalid price from exchange: ${JSON.stringify(ticker)}`);
    const now = this.now();
    recordPrice(this.state, now, price);
    // Always: with an empty state (lost LOG_DIR) our earlier orders must not keep working beside a new grid.
    await this.reconcile();
    this.booksOk();
    if (this.state.risk.stopped) {
      log.warn(`trading is stopped: ${this.state.risk.stopReason ?? ''}`);
      return;
    }
    if (this.state.orders.length === 0 && !this.state.risk.paused) await this.rebuildInner(price, 'startup');
  }

  /** Adopt our open orders we know, book what filled while we were down, cancel our orphans. */
  async reconcile(): Promise<void> {
    const adopting = this.state.orders.length > 0;
    const open = await this.exchange.listOpenOrders();
    const byClientId = new Map<string, OrderReport>();
    for (const r of open) if (r.clientOrderId) byClientId.set(r.clientOrderId, r);
    const claimed = new Set<string>();
    for (const o of this.state.orders) {
      if (o.id) {
        claimed.add(o.id);
        continue;
      }
      // Never confirmed: the order may exist anyway (crash or timeout after sending it).
      const found = byClientId.get(o.clientOrderId) ?? (await this.exchange.findOrderByClientId(o.clientOrderId));
      if (found) {
        o.id = found.id;
        o.status = 'open';
        claimed.add(found.id);
        log.info(`adopted order ${found.id} (${o.side} level ${o.level}) placed before the restart`);
      } else {
        o.status = 'pending';
      }
    }
    await this.redecideCancels();
    let orphans = 0;
    for (const r of open) {
      if (claimed.has(r.id)) continue;
      try {
        await this.exchange.cancelOrder(r.id);
        orphans++;
      } catch (err) {
        log.warn(`could not cancel orphan ${r.id}: ${errorMessage(err)}`);
      }
    }
    this.refillLevels = adopting;
    touch(this.state);
    log.info(`reconciled: ${this.state.orders.length} orders in state, ${open.length} open on the exchange, ${orphans} orphans of ours cancelled`);
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
  private async redecideCancels(): Promise<void> {
    const s = this.state;
    const marked = s.orders.filter((o) => o.cancelRequested && o.id && o.status === 'open');
    if (marked.length === 0) return;
    const reports = new Map((await this.exchange.queryOrders(marked.map((o) => o.id as string))).map((r) => [r.id, r]));
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
      const out = applyReport(s, o, r, this.reportContext(this.now(), ours));
      for (const n of out.notes) log.info(n);
      if (out.fill) this.bookFill(out.fill);
      if (out.finished) done.add(o);
      else if (ours && !s.risk.stopped) {
        try {
          await this.exchange.cancelOrder(o.id as string);
        } catch (err) {
          log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
        }
      }
      intents.push(...out.next);
    }
    s.orders = s.orders.filter((o) => !done.has(o));
    if (!this.booksOk()) return;
    // Recorded as pending and saved now; the next tick sends them.
    let queued = 0;
    for (const intent of intents) if (this.enqueue(intent)) queued++;
    touch(s);
    if (queued > 0) this.checkpoint();
  }

  private reportContext(now: number, cancelledByUs: boolean): ReportContext {
    return { spacingPct: this.state.settings.spacingPct, pair: this.pairInfo, now, cancelledByUs, makerFeePct: this.cfg.makerFeePct };
  }

  /**
   * The ledger check after booking (SPEC §4.3): every field finite and
   * equity = cash + inventory × price = starting capital + realized + unrealized.
   * Broken books stop trading with an alarm; nothing new is placed on them.
   */
  private booksOk(): boolean {
    const s = this.state;
    const problem = ledgerProblem(s.ledger, s.lastPrice, LEDGER_IDENTITY_TOLERANCE);
    if (problem === null) return true;
    if (!s.risk.stopped) {
      const reason = `ledger check failed: ${problem}; no new orders until the books are repaired`;
      s.risk.stopped = true;
      s.risk.stopReason = reason;
      touch(s);
      log.error(`trading stopped: ${reason}`);
      this.emit({ type: 'risk', action: 'stop', reason });
    }
    return false;
  }

  private bookFill(fill: FillRecord): void {
    recordFill(this.state, fill);
    if (this.journal) this.unjournaled.fills.push(fill);
    this.emit({ type: fill.profit !== null ? 'round_trip' : 'fill', fill });
  }

  // ------------------------------------------------------------ the tick

  async tick(): Promise<TickResult> {
    return this.exclusive(() => this.tickInner());
  }

  private async tickInner(): Promise<TickResult> {
    const ticker = await this.exchange.getTicker();
    this.lastTicker = ticker;
    const now = this.now();
    const s = this.state;
    const price = this.confirmedPrice(ticker, now);
    if (price === null) {
      // Fills are still booked and countered; no rule acts on the unconfirmed price.
      const fills = await this.syncOrders(false);
      return { price: s.lastPrice, fills, rebuilt: null };
    }
    recordPrice(s, now, price);

    const dailyPauseBefore = s.risk.paused && s.risk.pauseKind === 'daily_loss';
    const closedDays = rollDays(s, now, price, this.cfg.dailySummaryHourUtc);
    for (const row of closedDays) if (this.journal) this.unjournaled.days.push(row);
    // One summary per roll (the day that just ended); the empty rows of skipped days are journaled silently.
    if (closedDays.length > 0) this.emit({ type: 'daily_summary', row: closedDays[0]! });

    const fills = await this.syncOrders(false);
    const refill = this.refillLevels;
    this.refillLevels = false;
    let rebuilt: string | null = null;
    if (s.risk.stopped) {
      // A stop whose cancels failed (or was interrupted) left orders working: retry every tick.
      if (s.orders.length > 0) await this.cancelOurOrders();
      return { price, fills, rebuilt };
    }

    const risk = checkRisk(s, price, this.cfg);
    if (risk.action === 'stop') {
      await this.stopTrading(risk.reason);
      return { price, fills, rebuilt };
    }
    if (risk.action === 'pause') await this.pauseInner('daily_loss', risk.reason);
    // A pause whose cancels failed (or was interrupted) left buys working: retry every tick.
    else if (s.risk.paused && s.orders.some((o) => o.side === 'buy')) await this.cancelOpenBuys();

    // Measured now, not at the tick's start: the fills just booked are stamped
    // after the exchange answered and must count in this tick's decisions.
    const trend = computeTrend(s.fills, this.now(), s.settings.ratioOverride);
    if (trend.ratio !== s.trend.ratio || trend.buys12h !== s.trend.buys12h || trend.sells12h !== s.trend.sells12h) {
      s.trend = trend;
      touch(s);
    }

    if (!s.risk.paused) {
      if (dailyPauseBefore) {
        rebuilt = 'new day: daily-loss pause lifted';
        this.emit({ type: 'risk', action: 'resume', reason: 'new trading day' });
      } else if (driftNeedsRebuild(price, s.center, this.cfg.gridDriftResetPct)) {
        rebuilt = 'drift';
      } else if (s.settings.ratioOverride === null && ratioNeedsRebuild(s.trend.ratio, s.ratioAtBuild)) {
        rebuilt = 'ratio';
      }
      if (rebuilt) await this.rebuildInner(price, rebuilt);
      else {
        await this.placePending();
        // After adopting a previous run's orders: the levels its shutdown cancelled come back.
        if (refill) await this.placeAll(missingGridLevels(s, this.pairInfo));
      }
      await this.maybeAccumulate(price, now);
    }
    return { price, fills, rebuilt };
  }

  /**
   * The price this tick acts on (see marketPrice), or null for a sample to
   * confirm first: one further than PRICE_JUMP_FACTOR from the recent median
   * is taken only when the next tick sees it again (a real jump), so a single
   * off-market ticker never stops, pauses or rebuilds anything.
   */
  private confirmedPrice(ticker: Ticker, now: number): number | null {
    const price = marketPrice(ticker);
    if (price === null) throw new Error(`invalid price from exchange: ${JSON.stringify(ticker)}`);
    const suspect = this.suspectPrice;
    this.suspectPrice = null;
    const median = unconfirmedJump(this.state.priceHistory, now, price);
    if (median === null) return price;
    if (suspect !== null && closePrices(price, suspect)) {
      log.warn(`price ${price} confirmed (recent median ${median}); acting on it`);
      return price;
    }
    this.suspectPrice = price;
    log.warn(`price ${price} (ticker last ${String(ticker.last)}, bid ${String(ticker.bid)}, ask ${String(ticker.ask)}) is far from the recent median ${median}; ignored unless the next tick confirms it`);
    return null;
  }

  /**
   * Queries every order we think is working, books executions, records fills
   * and places what follows. With `cancelledByUs`, finished orders plan nothing.
   */
  private async syncOrders(cancelledByUs: boolean): Promise<FillRecord[]> {
    const s = this.state;
    await this.resolveUnknown();
    const ids = s.orders.filter((o) => o.status === 'open' && o.id).map((o) => o.id as string);
    if (ids.length === 0) return [];
    const reports = await this.exchange.queryOrders(ids);
    const byId = new Map(reports.map((r) => [r.id, r]));
    const fills: FillRecord[] = [];
    const intents: OrderIntent[] = [];
    const now = this.now();
    const keep: GridOrder[] = [];
    for (const o of s.orders) {
      const r = o.id ? byId.get(o.id) : undefined;
      if (!r || o.status !== 'open') {
        keep.push(o);
        continue;
      }
      const out = applyReport(s, o, r, this.reportContext(now, cancelledByUs || o.cancelRequested === true));
      for (const n of out.notes) log.info(n);
      if (!out.finished) {
        keep.push(o);
        continue;
      }
      if (out.fill) {
        this.bookFill(out.fill);
        fills.push(out.fill);
      }
      intents.push(...out.next);
    }
    s.orders = keep;
    if (!this.booksOk()) return fills;
    await this.placeAll(intents);
    return fills;
  }

  /** Orders whose placement outcome is unknown: find them by client id before doing anything else. */
  private async resolveUnknown(): Promise<void> {
    for (const o of this.state.orders) {
      if (o.status !== 'unknown') continue;
      const found = await this.exchange.findOrderByClientId(o.clientOrderId);
      if (found) {
        o.id = found.id;
        o.status = 'open';
        log.info(`order ${o.clientOrderId} exists after all (${found.id})`);
      } else {
        o.status = 'pending';
      }
      touch(this.state);
    }
  }

  /**
   * Records intents as pending orders, saves (write-ahead), then sends them.
   * A failed attempt stays pending (retried) or is dropped with a warning.
   */
  private async placeAll(intents: readonly OrderIntent[]): Promise<void> {
    const queued: GridOrder[] = [];
    const unfunded: OrderIntent[] = [];
    for (const intent of intents) {
      const order = this.enqueue(intent, unfunded);
      if (order) queued.push(order);
    }
    if (unfunded.length > 0) {
      // One notice per batch, not one per level: a rebuild after a rally can skip a dozen sells.
      const sells = unfunded.filter((i) => i.side === 'sell').length;
      const buys = unfunded.length - sells;
      const parts = [sells ? `${sells} sell${sells > 1 ? 's' : ''} (not enough DOGE)` : '', buys ? `${buys} buy${buys > 1 ? 's' : ''} (not enough USD)` : ''].filter(Boolean);
      this.emit({ type: 'warning', message: `${parts.join(' and ')} skipped: the grid's allocation cannot fund them` });
    }
    if (queued.length === 0) return;
    this.checkpoint();
    for (const order of queued) await this.submit(order);
  }

  /** Adds an order to the state as pending, if it may and can be placed. */
  private enqueue(intent: OrderIntent, unfunded?: OrderIntent[]): GridOrder | null {
    const s = this.state;
    if (s.risk.stopped) return null;
    if (s.risk.paused && intent.side === 'buy') return null;
    if (intent.volume + 1e-12 < this.pairInfo.orderMin || intent.price * intent.volume < this.pairInfo.costMin) {
      log.warn(`${intent.side} at level ${intent.level}: volume ${intent.volume} is below the pair minimum; not placed`);
      return null;
    }
    if (!canFund(s, intent, this.cfg.makerFeePct)) {
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
      placedAt: this.now(),
      answers: intent.answers,
      attempts: 0,
    };
    s.orders.push(order);
    touch(s);
    return order;
  }

  private async submit(order: GridOrder): Promise<void> {
    const s = this.state;
    order.attempts++;
    try {
      const placed = await this.exchange.placeOrder({
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
      order.placedAt = this.now();
    } catch (err) {
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
        // Sent before and now refused (e.g. a duplicate client id): it may exist after all.
        const existing = order.attempts > 1 ? await this.exchange.findOrderByClientId(order.clientOrderId).catch(() => null) : null;
        if (existing) {
          order.id = existing.id;
          order.status = 'open';
          log.info(`order ${order.clientOrderId} already exists (${existing.id}); adopted`);
        } else {
          s.orders = s.orders.filter((o) => o !== order);
          const message = `${order.side} level ${order.level} (${order.volume} @ ${order.price}) rejected: ${errorMessage(err)}`;
          log.warn(message);
          this.emit({ type: 'warning', message });
        }
      }
    }
    touch(s);
  }

  /** Retries orders that are not on the exchange yet (post-only rejections, rate limits). */
  private async placePending(): Promise<void> {
    for (const o of [...this.state.orders]) {
      if (o.status !== 'pending') continue;
      if (this.state.risk.paused && o.side === 'buy') {
        this.state.orders = this.state.orders.filter((x) => x !== o);
        continue;
      }
      await this.submit(o);
    }
  }

  // ------------------------------------------------------------ grid building

  /** Cancel our grid, book anything that filled meanwhile, and place a fresh ladder around `price`. */
  private async rebuildInner(price: number, reason: string): Promise<void> {
    const s = this.state;
    await this.cancelOurOrders();
    const pair = this.pairInfo;
    const params = adaptiveParams(pair, price, effectiveCapital(s));
    s.orderSizeUsd = params.orderSizeUsd;
    const levels = s.settings.levelsOverride ?? params.levelsPerSide;
    s.levelsPerSide = levels;
    const ratio = s.settings.ratioOverride ?? s.trend.ratio;
    const plan = planGrid(price, s.settings.spacingPct, ratio, levels, params.orderSizeUsd, pair);
    if (!s.funded) await this.fundFirstGrid(plan, price);
    s.center = price;
    s.ratioAtBuild = ratio;
    s.gridBuiltAt = this.now();
    touch(s);
    await this.placeAll(plan);
    const buys = s.orders.filter((o) => o.side === 'buy').length;
    const sells = s.orders.length - buys;
    log.info(`grid built (${reason}) around ${price}: ${buys} buys, ${sells} sells, spacing ${s.settings.spacingPct}%, $${params.orderSizeUsd.toFixed(4)} per order`);
    this.emit({ type: 'grid_built', reason, center: price, buys, sells, spacingPct: s.settings.spacingPct, orderSizeUsd: params.orderSizeUsd });
  }

  /**
   * The first grid splits the starting capital: the DOGE its sells need moves
   * from cash to inventory at the current price (the operator's own funding,
   * no fee), limited to what the account actually holds.
   */
  private async fundFirstGrid(plan: OrderIntent[], price: number): Promise<void> {
    const s = this.state;
    const balances = await this.exchange.getBalances();
    if (!(positive(balances.base) || balances.base === 0) || !(positive(balances.quote) || balances.quote === 0)) {
      throw new ExchangeError('retryable', `unusable balances answer (base ${String(balances.base)}, quote ${String(balances.quote)})`);
    }
    const need = baseNeeded(plan);
    const base = Math.min(need, balances.base, (s.ledger.cash * 0.9) / price);
    if (base < need) log.warn(`the account holds ${balances.base} DOGE; the sell side needs ${need}. Sells beyond that are skipped.`);
    if (balances.quote + balances.base * price < s.ledger.startingCapital * 0.999) {
      log.warn(`the account is worth $${(balances.quote + balances.base * price).toFixed(2)}, less than STARTING_CAPITAL $${s.ledger.startingCapital}`);
    }
    fundInventory(s.ledger, base, price);
    s.funded = true;
    s.day.startEquity = equity(s.ledger, price);
    touch(s);
  }

  /**
   * Cancels every order of ours (by userref), then books whatever executed
   * before the cancellation took effect. Orders that were never placed are
   * dropped; one the exchange still reports open is cancelled by id and kept
   * (with a warning) only if even that fails, so no fill is ever lost.
   */
  private async cancelOurOrders(): Promise<void> {
    const s = this.state;
    s.orders = s.orders.filter((o) => o.status !== 'pending');
    await this.resolveUnknown();
    s.orders = s.orders.filter((o) => o.status !== 'pending');
    if (s.orders.length === 0) return;
    // Saved before asking: a cancel whose outcome is seen only later (lost answer, crash) is never taken for the exchange's.
    for (const o of s.orders) o.cancelRequested = true;
    touch(s);
    this.checkpoint();
    try {
      await this.exchange.cancelAllOurs();
    } catch (err) {
      // Some cancels may have gone through: book those as cancelled by us
      // (never "replace" them as if the exchange had cancelled them) and try
      // the rest one by one below.
      log.warn(`cancelling our orders: ${errorMessage(err)}; checking which are still open`);
    }
    await this.syncOrders(true);
    for (const o of s.orders) {
      if (!o.id) continue;
      try {
        await this.exchange.cancelOrder(o.id);
      } catch (err) {
        log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
      }
    }
    if (s.orders.length > 0) await this.syncOrders(true);
    for (const o of s.orders) log.warn(`order ${o.id ?? o.clientOrderId} is still reported open after cancelling; kept in the state`);
    touch(s);
  }

  private async cancelOpenBuys(): Promise<void> {
    const s = this.state;
    // An order whose placement outcome is unknown may be live: find it first, never drop it blind.
    await this.resolveUnknown();
    const live = s.orders.filter((o) => o.side === 'buy' && o.status === 'open' && o.id);
    // Never sent: nothing to cancel.
    s.orders = s.orders.filter((o) => o.side !== 'buy' || (o.status === 'open' && o.id));
    touch(s);
    if (live.length === 0) return;
    for (const o of live) o.cancelRequested = true;
    this.checkpoint();
    for (const o of live) {
      try {
        await this.exchange.cancelOrder(o.id as string);
      } catch (err) {
        log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
      }
    }
    // One batched query books what executed before the cancels took effect.
    const reports = new Map((await this.exchange.queryOrders(live.map((o) => o.id as string))).map((r) => [r.id, r]));
    const done = new Set<GridOrder>();
    for (const o of live) {
      const r = reports.get(o.id as string);
      // Left out of the answer: it may still be working (or have filled). Keep it; a paused tick retries.
      if (!r) continue;
      const out = applyReport(s, o, r, this.reportContext(this.now(), true));
      if (out.fill) this.bookFill(out.fill);
      if (out.finished) done.add(o);
    }
    s.orders = s.orders.filter((o) => !done.has(o));
    touch(s);
  }

  // ------------------------------------------------------------ risk

  private async pauseInner(kind: PauseKind, reason: string): Promise<void> {
    const s = this.state;
    s.risk.paused = true;
    s.risk.pauseKind = kind;
    s.risk.pauseReason = reason;
    touch(s);
    await this.cancelOpenBuys();
    log.warn(`paused (${kind}): ${reason}`);
    this.emit({ type: 'risk', action: 'pause', reason });
  }

  private async stopTrading(reason: string): Promise<void> {
    const s = this.state;
    s.risk.stopped = true;
    s.risk.stopReason = reason;
    touch(s);
    await this.cancelOurOrders();
    log.error(`trading stopped: ${reason}`);
    this.emit({ type: 'risk', action: 'stop', reason });
  }

  // ------------------------------------------------------------ accumulation

  private async maybeAccumulate(price: number, now: number): Promise<void> {
    const usd = accumulationAmount(this.state, now, this.cfg);
    const days = (now - this.state.accumulation.lastSweepAt) / 86400_000;
    if (days < this.cfg.accumulationSweepDays) return;
    closeAccumulationPeriod(this.state, now);
    if (usd <= 0) return;
    const limit = roundTo(price * 1.005, this.pairInfo.priceDecimals);
    const volume = roundTo(usd / limit, this.pairInfo.lotDecimals);
    if (volume < this.pairInfo.orderMin) {
      log.info(`accumulation: $${usd} buys less than the pair minimum; carried over`);
      this.state.accumulation.profitAtLastSweep -= usd;
      return;
    }
    log.info(`accumulation: sweeping $${usd} into ${volume} DOGE (limit ${limit})`);
    const before = this.state.orders.length;
    await this.placeAll([{ kind: 'accumulation', level: 0, side: 'buy', price: limit, volume, answers: null }]);
    if (this.state.orders.length > before) this.emit({ type: 'accumulation', usd, volume, price: limit });
    else {
      log.warn(`accumulation: the $${usd} sweep was not placed; carried over to the next period`);
      this.state.accumulation.profitAtLastSweep -= usd;
    }
  }

  // ------------------------------------------------------------ shutdown

  /** Cancels our open orders and books what filled meanwhile. Used at shutdown. */
  async cancelAll(): Promise<void> {
    await this.exclusive(() => this.cancelOurOrders());
  }

  // ------------------------------------------------------------ ControlTarget (through controls.ts)

  minSpacingPct(): number {
    return minSpacingPct(this.config.makerFeePct);
  }

  currentSpacingPct(): number {
    return this.state.settings.spacingPct;
  }

  /**
   * Runs a control action exclusively with the tick, then saves: an operator
   * who was told "paused" must find the bot paused after a crash. Actions
   * that trade wait for start-up (the pair rules and first price).
   */
  private control(trades: boolean, fn: () => Promise<string>): Promise<string> {
    return this.exclusive(async () => {
      if (trades && (this.pair === null || this.state.lastPrice <= 0)) return 'the bot is still starting; try again in a moment';
      const out = await fn();
      this.checkpoint();
      return out;
    });
  }

  setSpacing(pct: number): Promise<string> {
    return this.control(false, async () => {
      this.state.settings.spacingPct = pct;
      touch(this.state);
      if (this.canTrade()) await this.rebuildInner(this.state.lastPrice, 'spacing changed');
      return `spacing set to ${pct}%${this.canTrade() ? '; grid rebuilt' : ''}`;
    });
  }

  setRatioOverride(ratio: number | null): Promise<string> {
    return this.control(false, async () => {
      const s = this.state;
      s.settings.ratioOverride = ratio;
      s.trend = computeTrend(s.fills, this.now(), ratio);
      touch(s);
      if (this.canTrade()) await this.rebuildInner(s.lastPrice, 'ratio changed');
      return ratio === null ? `ratio back to auto (${s.trend.ratio.toFixed(2)})` : `ratio fixed at ${ratio}`;
    });
  }

  setAiInterval(seconds: number): Promise<string> {
    return this.control(false, async () => {
      this.state.settings.aiIntervalSec = seconds;
      touch(this.state);
      return `AI check every ${seconds} s`;
    });
  }

  requestAiCheck(): Promise<string> {
    return this.control(false, async () => {
      this.state.ai.checkRequested = true;
      touch(this.state);
      return 'AI check requested for the next cycle';
    });
  }

  pause(reason: string): Promise<string> {
    return this.control(true, async () => {
      if (this.state.risk.paused) return 'already paused';
      await this.pauseInner(reason === 'ai' ? 'ai' : 'operator', `paused by ${reason}`);
      return 'paused: open buys cancelled';
    });
  }

  resume(): Promise<string> {
    return this.control(true, async () => {
      const s = this.state;
      if (s.risk.stopped) {
        const problem = ledgerProblem(s.ledger, s.lastPrice, LEDGER_IDENTITY_TOLERANCE);
        if (problem) return `cannot resume: the ledger check fails (${problem}); repair the books first`;
        const eq = equity(s.ledger, s.lastPrice);
        if (eq < this.cfg.stopFloor) return `cannot resume: equity $${eq.toFixed(2)} is below the stop floor $${this.cfg.stopFloor}`;
        s.risk.stopped = false;
        s.risk.stopReason = null;
      } else if (!s.risk.paused && s.orders.length > 0) return 'not paused';
      s.risk.paused = false;
      s.risk.pauseKind = null;
      s.risk.pauseReason = null;
      touch(s);
      await this.rebuildInner(s.lastPrice, 'resumed');
      this.emit({ type: 'risk', action: 'resume', reason: 'operator' });
      return 'resumed: grid rebuilt around the current price';
    });
  }

  resetGrid(reason: string): Promise<string> {
    return this.control(true, async () => {
      if (!this.canTrade()) return 'not rebuilt: trading is paused or stopped';
      await this.rebuildInner(this.state.lastPrice, `reset by ${reason}`);
      return `grid rebuilt around ${this.state.center}`;
    });
  }

  private canTrade(): boolean {
    return !this.state.risk.paused && !this.state.risk.stopped && this.state.lastPrice > 0 && this.pair !== null;
  }
}
