// The trading engine: one tick reads the price, books what the exchange
// filled, applies risk, drift and ratio rules, and places what the rules ask
// for. It decides through grid-strategy.ts and fill-handling.ts and acts
// through the Exchange; it never knows whether the exchange is paper or real.
// bot.ts owns the schedule, the services and the process; this owns the trading.
import { SerialQueue } from '../util/serial.js';
import type { Config } from '../config.js';
import { minSpacingPct } from './limits.js';
import { ExchangeError, type Exchange, type OrderReport, type PairInfo, type Ticker, type TradingBudget } from '../exchange/exchange.js';
import { UNLIMITED_BUDGET, diffGrid, nearestFirst, newRebuild, pickAmend, targetPlan } from './rebuild-plan.js';
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
  type RebuildProgress,
  type StrategyConfig,
} from './grid-strategy.js';
import { equity, fundInventory, ledgerProblem } from './ledger.js';
import { LEDGER_IDENTITY_TOLERANCE } from './limits.js';
import { errorMessage, logger } from '../util/log.js';
import { roundTo } from './money.js';
import type { FillRecord } from './types.js';

const log = logger('trader');

/** Pair statuses in which our post-only limit orders may be added (others: cancel_only, maintenance, reduce_only, delisted, …). */
const PAIR_STATUSES_ALLOWING_ADDS = new Set(['online', 'post_only', 'limit_only']);
const PAIR_STATUS_REFRESH_MS = 5 * 60_000;
const FEE_REFRESH_MS = 24 * 3600_000;

export type TraderEvent =
  | {
      type: 'grid_built';
      reason: string;
      center: number;
      buys: number;
      sells: number;
      spacingPct: number;
      orderSizeUsd: number;
      /** Emitted when the (background) rebuild finished: how long it took and how it moved the orders. */
      durationMs?: number;
      amended?: number;
      cancelled?: number;
      added?: number;
    }
  | { type: 'pair_status'; status: string; trading: boolean; message: string }
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
  /** Kraken answered AmendOrder "unknown method": move orders by cancel + add from now on. */
  private amendUnsupported = false;
  /** The pair status that forbids adding orders (cancel_only, maintenance, …), or null. Warned once per change. */
  private pairBlocked: string | null = null;
  private pairCheckedAt = 0;
  /** When the maker fee was last read from the exchange (TradeVolume). */
  private feeReadAt = 0;
  /** A background rebuild step is queued behind the lock (never more than one). */
  private kicked = false;
  /** Wanted levels of the current rebuild whose order the exchange refused: not retried by this rebuild. */
  private rebuildGaveUp = new Set<string>();

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

  /** Resolves once the tick or control step running now and any queued behind it (a background rebuild step) are done. */
  whenIdle(): Promise<void> {
    return this.lock.run(async () => undefined);
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
    this.pairCheckedAt = this.now();
    this.notePairStatus();
    await this.readMakerFee();
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
    if (this.state.orders.length === 0 && !this.state.risk.paused && !this.state.rebuild) this.requestRebuild('startup', false);
    if (this.state.rebuild && !this.state.risk.paused) await this.rebuildStep();
  }

  /** Adopt our open orders we know, book what filled while we were down, cancel our orphans. */
  async reconcile(): Promise<void> {
    const adopting = this.state.orders.length > 0;
    const open = await this.exchange.listOpenOrders();
    const byClientId = new Map<string, OrderReport>();
    for (const r of open) if (r.clientOrderId) byClientId.set(r.clientOrderId, r);
    const claimed = new Set<string>();
    const openById = new Map(open.map((r) => [r.id, r]));
    for (const o of this.state.orders) {
      if (o.id) {
        claimed.add(o.id);
        // The exchange's own opening time prices its trading-counter costs (cancelling an old order is free);
        // an order we amended has a newer resting time than the exchange's opening time tells.
        const seen = openById.get(o.id)?.openedAt;
        if (o.amendedAt === undefined && typeof seen === 'number' && Number.isFinite(seen) && seen > 0 && seen < o.placedAt) o.placedAt = seen;
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
    // The send path saves again before anything goes out; here a failed save must not stop the risk checks.
    if (queued > 0) this.saveIfPossible('recording the orders that answer the fills');
  }

  // ------------------------------------------------------------ exchange facts: pair status, maker fee

  /**
   * Re-reads the pair (its `status`) every few minutes and the maker fee
   * daily. A failure keeps what we knew: neither ever stops the tick.
   */
  private async refreshExchangeFacts(now: number): Promise<void> {
    if (now - this.pairCheckedAt >= PAIR_STATUS_REFRESH_MS) {
      this.pairCheckedAt = now;
      try {
        this.pair = await this.exchange.getPairInfo();
        this.notePairStatus();
      } catch (err) {
        log.warn(`reading the pair status failed: ${errorMessage(err)}`);
      }
    }
    if (now - this.feeReadAt >= FEE_REFRESH_MS) await this.readMakerFee();
  }

  /** Notices (once per change) a pair status that forbids new orders, and its end. */
  private notePairStatus(): void {
    const status = this.pair?.status;
    const blocked = status !== undefined && !PAIR_STATUSES_ALLOWING_ADDS.has(status) ? status : null;
    if (blocked === this.pairBlocked) return;
    const was = this.pairBlocked;
    this.pairBlocked = blocked;
    if (blocked !== null) {
      const message = `Kraken lists ${this.pair?.pair ?? 'the pair'} as "${blocked}": no new orders are placed until it is online again (open orders stay; fills are still booked)`;
      log.warn(message);
      this.emit({ type: 'pair_status', status: blocked, trading: false, message });
      this.emit({ type: 'warning', message });
    } else {
      const message = `Kraken lists ${this.pair?.pair ?? 'the pair'} as "${status ?? 'online'}" again (was "${was ?? ''}"): placing orders again`;
      log.info(message);
      this.emit({ type: 'pair_status', status: status ?? 'online', trading: true, message });
    }
  }

  /** The account's maker fee from the exchange (TradeVolume), unless MAKER_FEE_PCT overrides it. */
  private async readMakerFee(): Promise<void> {
    this.feeReadAt = this.now();
    if (this.config.makerFeeOverride || !this.exchange.getMakerFeePct) return;
    try {
      const fee = await this.exchange.getMakerFeePct();
      if (fee === null || !Number.isFinite(fee) || fee < 0 || fee > 5) return;
      if (fee !== this.cfg.makerFeePct) log.info(`maker fee from Kraken: ${fee}% (was ${this.cfg.makerFeePct}%)`);
      this.cfg.makerFeePct = fee;
    } catch (err) {
      log.warn(`reading the maker fee failed: ${errorMessage(err)}; keeping ${this.cfg.makerFeePct}%`);
    }
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
    await this.refreshExchangeFacts(now);

    const dailyPauseBefore = s.risk.paused && s.risk.pauseKind === 'daily_loss';
    const closedDays = rollDays(s, now, price, this.cfg.dailySummaryHourUtc);
    for (const row of closedDays) if (this.journal) this.unjournaled.days.push(row);
    // One summary per roll (the day that just ended); the empty rows of skipped days are journaled silently.
    if (closedDays.length > 0) this.emit({ type: 'daily_summary', row: closedDays[0]! });

    const fills = await this.syncOrders(false);
    const refill = this.refillLevels;
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
      // A requested rebuild whose target is not fixed yet builds around this price with the current settings anyway.
      const settled = !s.rebuild || s.rebuild.target !== null;
      if (dailyPauseBefore) {
        rebuilt = 'new day: daily-loss pause lifted';
        this.emit({ type: 'risk', action: 'resume', reason: 'new trading day' });
      } else if (settled && driftNeedsRebuild(price, s.center, this.cfg.gridDriftResetPct)) {
        rebuilt = 'drift';
      } else if (settled && s.settings.ratioOverride === null && ratioNeedsRebuild(s.trend.ratio, s.ratioAtBuild)) {
        rebuilt = 'ratio';
      }
      if (rebuilt) {
        this.requestRebuild(rebuilt, false);
        this.refillLevels = false; // the rebuild places the whole grid
      }
      if (s.rebuild) await this.rebuildStep();
      else {
        // A rebuild's cancel that was refused: asked again (within the counter) until the order is gone.
        const leftovers = this.unfinishedCancels();
        if (leftovers.length > 0) await this.cancelSurplus(null, leftovers);
        await this.placePending();
        // After adopting a previous run's orders: the levels its shutdown cancelled come back
        // (the flag stays set until that succeeded, so a failed tick tries again).
        if (refill) {
          await this.placeAll(missingGridLevels(s, this.pairInfo));
          this.refillLevels = false;
        }
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
  /**
   * Saves when it can, for the paths that must go on even with a full disk
   * (cancels, risk checks). Only sending an order requires the save (checkpoint).
   */
  private saveIfPossible(what: string): void {
    try {
      this.checkpoint();
    } catch (err) {
      log.error(`saving the state failed while ${what}: ${errorMessage(err)}; going on`);
    }
  }

  private confirmedPrice(ticker: Ticker, now: number): number | null {
    const price = marketPrice(ticker);
    if (price === null) throw new Error(`invalid price from exchange: ${JSON.stringify(ticker)}`);
    const suspect = this.suspectPrice;
    this.suspectPrice = null;
    const median = unconfirmedJump(this.state.priceHistory, now, price);
    if (median === null) return price;
    if (suspect !== null && closePrices(price, suspect)) {
      log.warn(`price ${price} confirmed (recent median ${median}); acting on it`);
      // Prices near the confirmed one stay confirmed while the median catches up (not every other tick).
      this.suspectPrice = price;
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
    // Kept pending (placed later): the pair forbids adding now, or a post-only order would only be cancelled by Kraken.
    if (this.pairBlocked !== null || !this.postOnlyFits(order)) return;
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
        // Sent before and now refused, or refused as a duplicate client id (the client's own resend after an
        // ambiguous answer, while the first send was still being processed): it may exist after all.
        const maybeExists = order.attempts > 1 || /cl_ord_id|client order id|duplicate|already/i.test(errorMessage(err));
        let existing: OrderReport | null = null;
        let lookupFailed = false;
        if (maybeExists) {
          try {
            existing = await this.exchange.findOrderByClientId(order.clientOrderId);
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
          this.emit({ type: 'warning', message });
        }
      }
    }
    touch(s);
  }

  /** Retries orders that are not on the exchange yet (post-only rejections, rate limits). */
  private async placePending(): Promise<void> {
    // Write-ahead: a pending order goes out only once it is on disk. If the save that recorded it failed
    // (full disk), this save fails too and the tick stops here instead of sending what a crash would forget.
    if (this.state.orders.some((o) => o.status === 'pending')) this.checkpoint();
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

  // ------------------------------------------------------------ rebuilds in steps

  /**
   * Asks for a rebuild around the price of its first step, with the settings
   * of that moment. Returns at once: the work goes on in steps (in the tick,
   * and with `background` one step queued behind the lock right away). A newer
   * request supersedes one in progress: its target is fixed again from the newer
   * settings, and the orders already moved are simply moved on from where they are.
   */
  private requestRebuild(reason: string, background = true): void {
    const s = this.state;
    const prev = s.rebuild;
    if (prev) log.info(`rebuild (${prev.reason}) superseded by "${reason}" after ${prev.moved} of ${prev.total} levels moved`);
    s.rebuild = newRebuild(reason, this.now());
    this.rebuildGaveUp.clear();
    touch(s);
    if (background) this.kick();
  }

  /** Queues one rebuild step behind the lock, unless one is queued already. */
  private kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    this.exclusive(async () => {
      this.kicked = false;
      await this.rebuildStep();
      this.checkpoint();
    }).catch((err: unknown) => {
      log.warn(`rebuild step failed: ${errorMessage(err)}; the tick goes on with it`);
      this.emit({ type: 'warning', message: `rebuild step failed: ${errorMessage(err)}` });
    });
  }

  /** The progress of the rebuild in progress (status views), or null. */
  rebuildProgress(): RebuildProgress | null {
    return this.state.rebuild ?? null;
  }

  /** The trading-counter model right now (unlimited without one). */
  private budget(): TradingBudget {
    return this.exchange.tradingBudget?.() ?? UNLIMITED_BUDGET;
  }

  /** Fixes the target of a new rebuild: around the current price, with the settings of now. */
  private async fixTarget(r: RebuildProgress): Promise<void> {
    const s = this.state;
    const price = s.lastPrice;
    // Orders whose placement outcome is unknown may be live: find them first. Never-sent ones of the old grid go.
    await this.resolveUnknown();
    s.orders = s.orders.filter((o) => o.status !== 'pending');
    const pair = this.pairInfo;
    const params = adaptiveParams(pair, price, effectiveCapital(s));
    const levels = s.settings.levelsOverride ?? params.levelsPerSide;
    const ratio = s.settings.ratioOverride ?? s.trend.ratio;
    const target = { center: price, spacingPct: s.settings.spacingPct, ratio, levelsPerSide: levels, orderSizeUsd: params.orderSizeUsd, builtAt: this.now() };
    const plan = targetPlan(target, pair);
    if (!s.funded) await this.fundFirstGrid(plan, price);
    s.orderSizeUsd = params.orderSizeUsd;
    s.levelsPerSide = levels;
    s.center = price;
    s.ratioAtBuild = ratio;
    s.gridBuiltAt = target.builtAt;
    r.target = target;
    r.total = plan.length;
    touch(s);
  }

  /**
   * One step of the rebuild in progress: the wanted levels nearest the price
   * first, each by amend (when cheaper) or add, then the orders not wanted any
   * more cancelled nearest-first, all within what the trading counter allows
   * now (never waiting on it). Finishes the rebuild when nothing is left to do.
   */
  private async rebuildStep(): Promise<void> {
    const s = this.state;
    const r = s.rebuild;
    if (!r) return;
    if (s.risk.stopped || s.risk.paused || this.pair === null || !(s.lastPrice > 0)) {
      s.rebuild = null;
      touch(s);
      return;
    }
    if (this.pairBlocked !== null) return;
    if (r.target === null) await this.fixTarget(r);
    const target = r.target as NonNullable<RebuildProgress['target']>;
    const plan = targetPlan(target, this.pairInfo);
    const price = s.lastPrice;
    let diff = diffGrid(s, plan, price, target.builtAt);
    let budgetLeft = true;
    // Kept orders not sent yet (a rate limit or post-only refusal last step) go first: they are at wanted levels.
    for (const o of diff.kept) {
      if (o.status !== 'pending' || !this.postOnlyFits(o)) continue;
      if (!this.affords(this.budget().addCost)) {
        budgetLeft = false;
        break;
      }
      await this.submit(o);
    }
    // Never-sent orders of the old grid cost nothing to drop.
    const dropped = new Set(diff.surplus.filter((o) => o.status === 'pending'));
    if (dropped.size > 0) {
      s.orders = s.orders.filter((o) => !dropped.has(o));
      touch(s);
    }
    if (budgetLeft) budgetLeft = await this.moveLevels(r, diff.todo, diff.surplus.filter((o) => !dropped.has(o)), price);
    if (s.rebuild !== r) return;
    diff = diffGrid(s, plan, price, target.builtAt);
    // Orders whose cancel failed before (still open, still marked) are asked again with the surplus.
    if (budgetLeft) budgetLeft = await this.cancelSurplus(r, [...this.unfinishedCancels(), ...diff.surplus]);
    if (s.rebuild !== r) return;
    diff = diffGrid(s, plan, price, target.builtAt);
    // Adds that waited for the room or the funds the cancels freed.
    if (budgetLeft) await this.moveLevels(r, diff.todo, [], price);
    diff = diffGrid(s, plan, price, target.builtAt);
    r.moved = diff.total - diff.todo.length;
    r.total = diff.total;
    touch(s);
    const unplaceable = diff.todo.filter((t) => this.rebuildGaveUp.has(`${t.side}${t.level}`) || !this.placeable(t));
    if (diff.surplus.length === 0 && unplaceable.length === diff.todo.length) this.finishRebuild(r, diff.todo);
  }

  /** Whether an operation of `cost` points fits in the trading counter now. */
  private affords(cost: number): boolean {
    return cost <= 0 || cost <= this.budget().room + 1e-9;
  }

  /** Whether a wanted level could be added now (funds, pair minimums, pause). */
  private placeable(t: OrderIntent): boolean {
    const s = this.state;
    if (s.risk.stopped || (s.risk.paused && t.side === 'buy')) return false;
    if (t.volume + 1e-12 < this.pairInfo.orderMin || t.price * t.volume < this.pairInfo.costMin) return false;
    return canFund(s, t, this.cfg.makerFeePct);
  }

  /**
   * Works the wanted levels nearest-first: amends a surplus order of the same
   * side onto the level when that costs no more than cancel + add, else adds
   * (when funded). Returns false when the trading counter ran out.
   */
  private async moveLevels(r: RebuildProgress, todo: readonly OrderIntent[], surplus: GridOrder[], price: number): Promise<boolean> {
    const s = this.state;
    const pool = [...surplus];
    for (const t of todo) {
      if (s.rebuild !== r || s.risk.paused || s.risk.stopped) return false;
      if (this.rebuildGaveUp.has(`${t.side}${t.level}`)) continue;
      const now = this.now();
      const budget = this.budget();
      const c = this.exchange.amendOrder && !this.amendUnsupported ? pickAmend(t, pool.filter((o) => o.side === t.side && this.fundsMove(o, t)), budget, now, price) : null;
      if (c) {
        if (!this.affords(budget.amendCost(now - c.placedAt))) return false;
        const out = await this.amend(c, t);
        pool.splice(pool.indexOf(c), 1);
        if (out === 'done') {
          r.amended++;
          continue;
        }
        if (out === 'stop') return false;
        // 'refused' or 'unsupported': this level is added instead.
      }
      if (!this.placeable(t)) continue;
      if (this.workingGridOrders() >= r.total) continue;
      if (!this.affords(this.budget().addCost)) return false;
      const before = s.orders.length;
      await this.placeAll([t]);
      const placed = s.orders.length > before;
      if (placed) r.added++;
      else this.rebuildGaveUp.add(`${t.side}${t.level}`);
    }
    return true;
  }

  /** Whether the ledger funds `o` moved onto `t` (its own commitment counted free). */
  private fundsMove(o: GridOrder, t: OrderIntent): boolean {
    const s = this.state;
    const i = s.orders.indexOf(o);
    if (i < 0) return false;
    s.orders.splice(i, 1);
    try {
      return canFund(s, t, this.cfg.makerFeePct);
    } finally {
      s.orders.splice(i, 0, o);
    }
  }

  /** AmendOrder `o` onto the wanted level `t`. */
  private async amend(o: GridOrder, t: OrderIntent): Promise<'done' | 'refused' | 'unsupported' | 'stop'> {
    const amendOrder = this.exchange.amendOrder;
    if (!amendOrder || !o.id) return 'unsupported';
    try {
      const res = await amendOrder.call(this.exchange, { id: o.id, clientOrderId: o.clientOrderId, side: o.side, price: t.price, volume: t.volume, postOnly: true, placedAt: o.placedAt });
      o.price = positive(res.price) && closePrices(res.price, t.price) ? res.price : t.price;
      o.volume = positive(res.volume) && closePrices(res.volume, t.volume) ? res.volume : t.volume;
      o.level = t.level;
      o.kind = 'grid';
      o.answers = null;
      o.placedAt = this.now();
      o.amendedAt = o.placedAt;
      touch(this.state);
      return 'done';
    } catch (err) {
      const kind = err instanceof ExchangeError ? err.kind : 'network';
      if (kind === 'unsupported') {
        this.amendUnsupported = true;
        log.info('the exchange does not support AmendOrder; moving orders by cancel + add');
        return 'unsupported';
      }
      if (kind === 'auth') throw err;
      if (kind === 'unknown_order') {
        // Filled or cancelled meanwhile: ours to finish, never replaced; booked now.
        o.cancelRequested = true;
        touch(this.state);
        await this.bookCancelled([o]);
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

  /** Cancels the orders the new grid does not want, nearest the price first, as far as the counter allows now; books what executed. */
  private async cancelSurplus(r: RebuildProgress | null, surplus: readonly GridOrder[]): Promise<boolean> {
    const s = this.state;
    const live = surplus.filter((o) => o.status === 'open' && o.id);
    const chosen: GridOrder[] = [];
    let left = this.budget().room;
    let budgetLeft = true;
    for (const o of live) {
      const cost = this.budget().cancelCost(this.now() - o.placedAt);
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
    this.saveIfPossible('marking the orders a rebuild cancels');
    for (const o of chosen) {
      if (r !== null && s.rebuild !== r) break;
      try {
        await this.exchange.cancelOrder(o.id as string, o.placedAt);
        if (r) r.cancelled++;
      } catch (err) {
        log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
      }
    }
    await this.bookCancelled(chosen);
    return budgetLeft;
  }

  /** One batched query books what executed before our cancels took effect; finished orders leave the state. */
  private async bookCancelled(orders: readonly GridOrder[]): Promise<void> {
    const s = this.state;
    if (orders.length === 0) return;
    let answer: OrderReport[];
    try {
      answer = await this.exchange.queryOrders(orders.map((o) => o.id as string));
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
      const out = applyReport(s, o, rep, this.reportContext(this.now(), true));
      for (const n of out.notes) log.info(n);
      if (out.fill) this.bookFill(out.fill);
      if (out.finished) done.add(o);
    }
    s.orders = s.orders.filter((o) => !done.has(o));
    for (const o of orders) if (!done.has(o) && s.orders.includes(o)) log.warn(`order ${o.id ?? o.clientOrderId} is still reported open after cancelling; kept in the state`);
    touch(s);
  }

  /** Open orders we asked to cancel that are still open (a refused or lost cancel): asked again. */
  private unfinishedCancels(): GridOrder[] {
    return this.state.orders.filter((o) => o.cancelRequested && o.status === 'open' && o.id !== null && o.kind !== 'accumulation');
  }

  /** Orders of the ladder not being cancelled: a rebuild never adds beyond the grid's size (what it replaces goes first). */
  private workingGridOrders(): number {
    return this.state.orders.filter((o) => o.kind !== 'accumulation' && !o.cancelRequested).length;
  }

  private finishRebuild(r: RebuildProgress, unplaced: readonly OrderIntent[]): void {
    const s = this.state;
    const target = r.target as NonNullable<RebuildProgress['target']>;
    s.rebuild = null;
    touch(s);
    const unfunded = unplaced.filter((t) => !this.rebuildGaveUp.has(`${t.side}${t.level}`));
    if (unfunded.length > 0) {
      const sells = unfunded.filter((i) => i.side === 'sell').length;
      const buys = unfunded.length - sells;
      const parts = [sells ? `${sells} sell${sells > 1 ? 's' : ''} (not enough DOGE)` : '', buys ? `${buys} buy${buys > 1 ? 's' : ''} (not enough USD)` : ''].filter(Boolean);
      this.emit({ type: 'warning', message: `${parts.join(' and ')} skipped: the grid's allocation cannot fund them` });
    }
    const buys = s.orders.filter((o) => o.side === 'buy').length;
    const sells = s.orders.length - buys;
    const durationMs = Math.max(0, this.now() - r.startedAt);
    log.info(
      `grid built (${r.reason}) around ${target.center}: ${buys} buys, ${sells} sells, spacing ${target.spacingPct}%, $${target.orderSizeUsd.toFixed(4)} per order; ` +
        `${r.amended} amended, ${r.cancelled} cancelled, ${r.added} added in ${(durationMs / 1000).toFixed(1)} s`,
    );
    this.emit({
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

  /** A post-only order at a price the market has crossed would only be cancelled by Kraken: it waits until the price allows. */
  private postOnlyFits(o: { kind: string; side: string; price: number }): boolean {
    const p = this.state.lastPrice;
    if (o.kind === 'accumulation' || !(p > 0)) return true;
    return o.side === 'buy' ? o.price < p : o.price > p;
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
    if (!(typeof s.firstPrice === 'number' && s.firstPrice > 0)) s.firstPrice = price;
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
    // Cancelling is always the safe direction: a full disk must not keep the grid working.
    this.saveIfPossible('marking the orders to cancel');
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
    this.saveIfPossible('marking the buys to cancel');
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
    // A rebuild in progress stops here; resuming builds a fresh grid.
    s.rebuild = null;
    touch(s);
    await this.cancelOpenBuys();
    log.warn(`paused (${kind}): ${reason}`);
    this.emit({ type: 'risk', action: 'pause', reason });
  }

  private async stopTrading(reason: string): Promise<void> {
    const s = this.state;
    s.risk.stopped = true;
    s.risk.stopReason = reason;
    s.rebuild = null;
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

  /**
   * Cancels our open orders, nearest the price first, and books what filled
   * meanwhile. Used at shutdown: with `budgetMs`, only the cancels the trading
   * counter allows within that time are sent (cancelling a young order costs up
   * to 8 points); the others keep working and the next start adopts them.
   */
  async cancelAll(opts: { budgetMs?: number } = {}): Promise<void> {
    const deadline = opts.budgetMs !== undefined ? this.now() + opts.budgetMs : Number.POSITIVE_INFINITY;
    await this.exclusive(() => this.cancelNearestFirst(deadline));
  }

  private async cancelNearestFirst(deadline: number): Promise<void> {
    const s = this.state;
    s.orders = s.orders.filter((o) => o.status !== 'pending');
    await this.resolveUnknown();
    s.orders = s.orders.filter((o) => o.status !== 'pending');
    touch(s);
    const live = nearestFirst(
      s.orders.filter((o) => o.status === 'open' && o.id),
      s.lastPrice,
    );
    if (live.length === 0) return;
    const budget = this.budget();
    const seconds = Number.isFinite(deadline) ? Math.max(0, (deadline - this.now()) / 1000) : Number.POSITIVE_INFINITY;
    let room = budget.room + (Number.isFinite(seconds) ? budget.decayPerSecond * seconds : Number.POSITIVE_INFINITY);
    const chosen: GridOrder[] = [];
    for (const o of live) {
      const cost = budget.cancelCost(this.now() - o.placedAt);
      if (cost > 0 && cost > room + 1e-9) continue;
      room -= cost;
      chosen.push(o);
    }
    if (chosen.length < live.length) log.warn(`${live.length - chosen.length} of ${live.length} orders cannot be cancelled within the time left (Kraken's trading counter); they keep working`);
    if (chosen.length === 0) return;
    // Saved before asking: a cancel whose outcome is seen only later (lost answer, crash) is never taken for the exchange's.
    for (const o of chosen) o.cancelRequested = true;
    touch(s);
    // Cancelling is always the safe direction: a full disk must not keep the grid working.
    this.saveIfPossible('marking the orders to cancel');
    const sent: GridOrder[] = [];
    for (const o of chosen) {
      if (this.now() > deadline) break;
      try {
        await this.exchange.cancelOrder(o.id as string, o.placedAt);
        sent.push(o);
      } catch (err) {
        log.warn(`cancel ${o.id}: ${errorMessage(err)}`);
        sent.push(o);
      }
    }
    await this.bookCancelled(sent);
    for (const o of s.orders) if (o.cancelRequested && !sent.includes(o)) delete o.cancelRequested;
    touch(s);
  }

  // ------------------------------------------------------------ ControlTarget (through controls.ts)

  minSpacingPct(): number {
    return minSpacingPct(this.cfg.makerFeePct);
  }

  /** The maker fee in use: MAKER_FEE_PCT when the operator set it, else the exchange's (TradeVolume), else the default. */
  makerFeePct(): number {
    return this.cfg.makerFeePct;
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

  /**
   * Applies a settings change without the lock, saves it and answers at once:
   * the grid change it asks for goes on in the background (see requestRebuild),
   * so the operator never waits on Kraken's trading counter.
   */
  private async saveAndAnswer(fn: () => string): Promise<string> {
    const out = fn();
    this.checkpoint();
    return out;
  }

  setSpacing(pct: number): Promise<string> {
    return this.saveAndAnswer(() => {
      this.state.settings.spacingPct = pct;
      touch(this.state);
      if (!this.canTrade()) return `spacing set to ${pct}% (saved)`;
      this.requestRebuild('spacing changed');
      return `spacing set to ${pct}% (saved); rebuilding the grid in the background`;
    });
  }

  setRatioOverride(ratio: number | null): Promise<string> {
    return this.saveAndAnswer(() => {
      const s = this.state;
      s.settings.ratioOverride = ratio;
      s.trend = computeTrend(s.fills, this.now(), ratio);
      touch(s);
      const said = ratio === null ? `ratio back to auto (${s.trend.ratio.toFixed(2)})` : `ratio fixed at ${ratio}`;
      if (!this.canTrade()) return `${said} (saved)`;
      this.requestRebuild('ratio changed');
      return `${said} (saved); rebuilding the grid in the background`;
    });
  }

  setAiInterval(seconds: number): Promise<string> {
    return this.saveAndAnswer(() => {
      this.state.settings.aiIntervalSec = seconds;
      touch(this.state);
      return `AI check every ${seconds} s`;
    });
  }

  requestAiCheck(): Promise<string> {
    return this.saveAndAnswer(() => {
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
      this.requestRebuild('resumed', false);
      await this.rebuildStep();
      this.emit({ type: 'risk', action: 'resume', reason: 'operator' });
      const r = s.rebuild;
      return r ? `resumed: rebuilding the grid around the current price (${r.moved} of ${r.total} levels placed so far)` : 'resumed: grid rebuilt around the current price';
    });
  }

  resetGrid(reason: string): Promise<string> {
    return this.saveAndAnswer(() => {
      if (this.pair === null || this.state.lastPrice <= 0) return 'the bot is still starting; try again in a moment';
      if (!this.canTrade()) return 'not rebuilt: trading is paused or stopped';
      this.requestRebuild(`reset by ${reason}`);
      return `grid reset: rebuilding around ${this.state.lastPrice} in the background`;
    });
  }

  private canTrade(): boolean {
    return !this.state.risk.paused && !this.state.risk.stopped && this.state.lastPrice > 0 && this.pair !== null;
  }
}
