// The trading engine: one tick reads the price, books what the exchange
// filled, applies risk, drift and ratio rules, and places what the rules ask
// for. It decides through grid-strategy.ts and fill-handling.ts and acts
// through the Exchange; it never knows whether the exchange is paper or real.
// bot.ts owns the schedule, the services and the process; this owns the
// trading. The parts of the work live in trading/ as functions of one Desk
// (the shared context); this class holds the lock and the order of things.
import { SerialQueue } from '../util/serial.js';
import type { Config } from '../config.js';
import { minSpacingPct } from './limits.js';
import type { Exchange, PairInfo, Ticker } from '../exchange/exchange.js';
import {
  accumulationAmount,
  checkRisk,
  closeAccumulationPeriod,
  closePrices,
  computeTrend,
  driftNeedsRebuild,
  gridModeOf,
  marketPrice,
  missingGridLevels,
  ratioNeedsRebuild,
  recordPrice,
  rollDays,
  rules,
  spacingModeOf,
  sweepDue,
  touch,
  unconfirmedJump,
  type GridMode,
  type GridState,
  type RebuildProgress,
  type SpacingMode,
  type StrategyConfig,
} from './grid-strategy.js';
import { equity, ledgerProblem } from './ledger.js';
import { LEDGER_IDENTITY_TOLERANCE } from './limits.js';
import { errorMessage } from '../util/log.js';
import { roundTo } from './money.js';
import type { FillRecord } from './types.js';
import { booksOk, log, pairInfo, type Desk } from './trading/desk.js';
import type { Journal, TraderEvent } from './trading/events.js';
import { placeAll, placePending, syncOrders } from './trading/orders.js';
import { cancelNearestFirst, cancelOpenBuys, cancelOurOrders, pauseTrading, stopTrading, unfinishedCancels } from './trading/cancels.js';
import { cancelSurplus, rebuildStep, requestRebuild } from './trading/rebuild.js';
import { reconcile } from './trading/reconcile.js';
import { trailStep } from './trading/trailing.js';
import { exchangeFactsDue, readPair, refreshExchangeFacts } from './trading/exchange-facts.js';
import { beginExit, exitActive, exitStep } from './trading/exit.js';
import { startRule } from './trading/start-price.js';

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
    orderSizeExplicit: c.orderSizeExplicit ?? false,
    gridLevelsExplicit: c.gridLevelsExplicit ?? false,
    startPrice: c.startPrice ?? null,
    takeProfitEquity: c.takeProfitEquity ?? null,
    stopAction: c.stopAction ?? 'hold',
    profitMode: c.profitMode ?? 'accumulate',
    gridMode: c.gridMode,
    spacingMode: c.gridSpacingMode,
    trailUpLimit: c.trailUpLimit,
    trailDownLimit: c.trailDownLimit,
  };
}

/** Also the target of the operator controls (ops/controls.ts `ControlTarget`, matched structurally so core never imports ops). */
export class Trader {
  readonly config: Config;
  readonly exchange: Exchange;
  readonly state: GridState;
  /** The last ticker seen (for the spread in the AI prompt). */
  lastTicker: Ticker | null = null;
  private readonly d: Desk;
  private readonly cfg: StrategyConfig;
  private readonly now: () => number;
  private readonly checkpoint: () => void;
  private readonly lock = new SerialQueue();

  constructor(deps: TraderDeps) {
    this.config = deps.config;
    this.exchange = deps.exchange;
    this.state = deps.state;
    this.cfg = strategyConfig(deps.config);
    this.now = deps.now;
    this.checkpoint = deps.checkpoint ?? (() => undefined);
    this.d = {
      config: deps.config,
      exchange: deps.exchange,
      state: deps.state,
      cfg: this.cfg,
      now: deps.now,
      journal: deps.journal,
      checkpoint: this.checkpoint,
      emit: (e) => {
        try {
          deps.onEvent?.(e);
        } catch (err) {
          log.error(`event handler failed: ${errorMessage(err)}`);
        }
      },
      pair: null,
      unjournaled: { fills: [], days: [] },
      refillLevels: false,
      suspectPrice: null,
      amendUnsupported: false,
      pairBlocked: null,
      pairCheckedAt: 0,
      feeReadAt: 0,
      kicked: false,
      rebuildGaveUp: new Set(),
    };
  }

  get pairInfo(): PairInfo {
    return pairInfo(this.d);
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
    const { fills, days } = this.d.unjournaled;
    this.d.unjournaled = { fills: [], days: [] };
    const journal = this.d.journal;
    if (!journal) return;
    for (const f of fills) journal.fill(f);
    for (const row of days) journal.daily(row);
  }

  // ------------------------------------------------------------ start-up

  /**
   * Reads the pair, then either reconciles saved orders with the exchange
   * (SPEC §4.6) or builds the first grid.
   */
  async start(): Promise<void> {
    await readPair(this.d);
    const ticker = await this.exchange.getTicker();
    const price = marketPrice(ticker);
    if (price === null) throw new Error(`invalid price from exchange: ${JSON.stringify(ticker)}`);
    const now = this.now();
    // After a restart the saved prices judge the first one like any tick's: an off-market sample builds nothing.
    const median = unconfirmedJump(this.state.priceHistory, now, price);
    if (median === null) recordPrice(this.state, now, price);
    else {
      this.d.suspectPrice = price;
      log.warn(`price ${price} at start-up is far from the recent median ${median}; no grid is built on it unless the next tick confirms it`);
    }
    // Always: with an empty state (lost LOG_DIR) our earlier orders must not keep working beside a new grid.
    await this.reconcile();
    booksOk(this.d);
    if (this.state.risk.stopped) {
      log.warn(`trading is stopped: ${this.state.risk.stopReason ?? ''}`);
      return;
    }
    const startAt = median === null ? price : this.state.lastPrice;
    if (this.state.orders.length === 0 && !this.state.risk.paused && !this.state.rebuild && startRule(this.d, startAt) !== 'wait') requestRebuild(this.d, 'startup');
    // With the price unconfirmed the first tick takes the rebuild's first step, around the price it confirms.
    if (this.state.rebuild && !this.state.risk.paused && median === null) await rebuildStep(this.d);
  }

  /** Adopt our open orders we know, book what filled while we were down, cancel our orphans. */
  reconcile(): Promise<void> {
    return reconcile(this.d);
  }

  // ------------------------------------------------------------ the tick

  async tick(): Promise<TickResult> {
    return this.exclusive(() => this.tickInner());
  }

  private async tickInner(): Promise<TickResult> {
    const d = this.d;
    const ticker = await this.exchange.getTicker();
    this.lastTicker = ticker;
    const now = this.now();
    const s = this.state;
    const price = this.confirmedPrice(ticker, now);
    if (price === null) {
      // Fills are still booked and countered; no rule acts on the unconfirmed price.
      const fills = await syncOrders(d, false);
      return { price: s.lastPrice, fills, rebuilt: null };
    }
    recordPrice(s, now, price);
    if (exchangeFactsDue(d, now)) await refreshExchangeFacts(d, now);

    const dailyPauseBefore = s.risk.paused && s.risk.pauseKind === 'daily_loss';
    const closedDays = rollDays(s, now, price, this.cfg.dailySummaryHourUtc);
    for (const row of closedDays) if (d.journal) d.unjournaled.days.push(row);
    // One summary per roll (the day that just ended); the empty rows of skipped days are journaled silently.
    if (closedDays.length > 0) d.emit({ type: 'daily_summary', row: closedDays[0]! });

    const fills = await syncOrders(d, false);
    if (s.risk.stopped) {
      // A stop whose cancels failed (or was interrupted) left orders working: retry every tick.
      if (s.orders.length > 0) await cancelOurOrders(d);
      // STOP_ACTION=sell: the grid's DOGE is sold while stopped (trading/exit.ts).
      await exitStep(d, ticker);
      return { price, fills, rebuilt: null };
    }

    const risk = checkRisk(s, price, this.cfg);
    if (risk.action === 'stop') {
      await stopTrading(d, risk.reason);
      beginExit(d, risk.reason);
      await exitStep(d, ticker);
      return { price, fills, rebuilt: null };
    }
    if (risk.action === 'pause') await pauseTrading(d, 'daily_loss', risk.reason);
    // A pause whose cancels failed (or was interrupted) left buys working: retry every tick.
    else if (s.risk.paused && s.orders.some((o) => o.side === 'buy')) await cancelOpenBuys(d);

    // Measured now, not at the tick's start: the fills just booked are stamped
    // after the exchange answered and must count in this tick's decisions.
    const trend = computeTrend(s.fills, this.now(), s.settings.ratioOverride);
    if (trend.ratio !== s.trend.ratio || trend.buys12h !== s.trend.buys12h || trend.sells12h !== s.trend.sells12h) {
      s.trend = trend;
      touch(s);
    }
    if (s.risk.paused) return { price, fills, rebuilt: null };
    // START_PRICE: no first grid until the price crossed it (trading/start-price.ts).
    const start = startRule(d, price);
    if (start === 'wait') return { price, fills, rebuilt: null };
    if (start === 'go' && s.orders.length === 0 && !s.rebuild) requestRebuild(d, 'start price crossed');
    const rebuilt = await this.workTheGrid(price, dailyPauseBefore);
    // Checked here so that most ticks skip the call.
    if (sweepDue(s, now, this.cfg)) await this.maybeAccumulate(price, now);
    return { price, fills, rebuilt };
  }

  /** The grid part of a tick that may trade: a rebuild the rules ask for (or its next step), else the orders still to place. */
  private async workTheGrid(price: number, dailyPauseBefore: boolean): Promise<string | null> {
    const d = this.d;
    const s = this.state;
    const refill = d.refillLevels;
    let rebuilt: string | null = null;
    // A requested rebuild whose target is not fixed yet builds around this price with the current settings anyway.
    const settled = !s.rebuild || s.rebuild.target !== null;
    const trailing = gridModeOf(s.settings, this.cfg) === 'trailing';
    if (dailyPauseBefore) {
      rebuilt = 'new day: daily-loss pause lifted';
      d.emit({ type: 'risk', action: 'resume', reason: 'new trading day' });
    } else if (settled && !trailing && driftNeedsRebuild(price, s.center, this.cfg.gridDriftResetPct)) {
      rebuilt = 'drift';
    } else if (settled && s.settings.ratioOverride === null && ratioNeedsRebuild(s.trend.ratio, s.ratioAtBuild)) {
      rebuilt = 'ratio';
    }
    if (rebuilt) {
      requestRebuild(d, rebuilt);
      d.refillLevels = false; // the rebuild places the whole grid
    }
    if (s.rebuild) {
      await rebuildStep(d);
      return rebuilt;
    }
    // A rebuild's cancel that was refused: asked again (within the counter) until the order is gone.
    const leftovers = unfinishedCancels(d);
    if (leftovers.length > 0) await cancelSurplus(d, null, leftovers);
    if (s.orders.some((o) => o.status === 'pending')) await placePending(d);
    // After adopting a previous run's orders: the levels its shutdown cancelled come back
    // (the flag stays set until that succeeded, so a failed tick tries again).
    if (refill) await this.refillLevels(trailing);
    // GRID_MODE=trailing, in place of the drift rebuild: the ladder follows the price one level at a time.
    if (trailing && !s.rebuild) await trailStep(d, price, spacingModeOf(s.settings, this.cfg));
    return rebuilt;
  }

  /** The levels a shutdown cancelled come back; a ladder the trailing grid moved off its build is rebuilt instead (its plan is not the build's). */
  private async refillLevels(trailing: boolean): Promise<void> {
    const s = this.state;
    if (trailing && s.orders.some((o) => Math.abs(o.level) > s.levelsPerSide + 1)) requestRebuild(this.d, 'restart with a trailed ladder');
    else await placeAll(this.d, missingGridLevels(s, this.pairInfo, spacingModeOf(s.settings, this.cfg)));
    this.d.refillLevels = false;
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
    const suspect = this.d.suspectPrice;
    this.d.suspectPrice = null;
    const median = unconfirmedJump(this.state.priceHistory, now, price);
    if (median === null) return price;
    if (suspect !== null && closePrices(price, suspect)) {
      log.warn(`price ${price} confirmed (recent median ${median}); acting on it`);
      // Prices near the confirmed one stay confirmed while the median catches up (not every other tick).
      this.d.suspectPrice = price;
      return price;
    }
    this.d.suspectPrice = price;
    log.warn(`price ${price} (ticker last ${String(ticker.last)}, bid ${String(ticker.bid)}, ask ${String(ticker.ask)}) is far from the recent median ${median}; ignored unless the next tick confirms it`);
    return null;
  }

  // ------------------------------------------------------------ accumulation

  private async maybeAccumulate(price: number, now: number): Promise<void> {
    // Only PROFIT_MODE=accumulate sweeps; the other modes close the period all the same (a later switch sweeps only newer profit).
    if (!sweepDue(this.state, now, this.cfg)) return;
    const usd = rules(this.state, this.cfg).profitMode === 'accumulate' ? accumulationAmount(this.state, now, this.cfg) : 0;
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
    await placeAll(this.d, [{ kind: 'accumulation', level: 0, side: 'buy', price: limit, volume, answers: null }]);
    if (this.state.orders.length > before) this.d.emit({ type: 'accumulation', usd, volume, price: limit });
    else {
      log.warn(`accumulation: the $${usd} sweep was not placed; carried over to the next period`);
      this.state.accumulation.profitAtLastSweep -= usd;
    }
  }

  // ------------------------------------------------------------ rebuilds in the background

  /** Asks for a rebuild and queues its first step behind the lock (see trading/rebuild.ts). */
  private requestRebuild(reason: string): void {
    requestRebuild(this.d, reason, () => this.kick());
  }

  /** Queues one rebuild step behind the lock, unless one is queued already. */
  private kick(): void {
    const d = this.d;
    if (d.kicked) return;
    d.kicked = true;
    this.exclusive(async () => {
      d.kicked = false;
      await rebuildStep(d);
      this.checkpoint();
    }).catch((err: unknown) => {
      log.warn(`rebuild step failed: ${errorMessage(err)}; the tick goes on with it`);
      d.emit({ type: 'warning', message: `rebuild step failed: ${errorMessage(err)}` });
    });
  }

  /** The progress of the rebuild in progress (status views), or null. */
  rebuildProgress(): RebuildProgress | null {
    return this.state.rebuild ?? null;
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
    await this.exclusive(() => cancelNearestFirst(this.d, deadline));
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
      if (trades && (this.d.pair === null || this.state.lastPrice <= 0)) return 'the bot is still starting; try again in a moment';
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

  /** GRID_MODE at run time: no rebuild (drift checks the current center from the next tick; trailing moves from the ladder as it is). */
  setGridMode(mode: GridMode): Promise<string> {
    return this.saveAndAnswer(() => {
      const before = gridModeOf(this.state.settings, this.cfg);
      this.state.settings.gridMode = mode;
      touch(this.state);
      if (before === mode) return `grid mode is ${mode} (saved)`;
      return mode === 'trailing' ? 'grid mode set to trailing (saved): the ladder follows the price one level at a time' : `grid mode set to drift (saved): rebuild after ${this.cfg.gridDriftResetPct}% drift`;
    });
  }

  /** GRID_SPACING_MODE at run time: the grid is rebuilt with the new level prices, like a spacing change. */
  setSpacingMode(mode: SpacingMode): Promise<string> {
    return this.saveAndAnswer(() => {
      const before = spacingModeOf(this.state.settings, this.cfg);
      this.state.settings.spacingMode = mode;
      touch(this.state);
      if (before === mode) return `spacing mode is ${mode} (saved)`;
      if (!this.canTrade()) return `spacing mode set to ${mode} (saved)`;
      this.requestRebuild('spacing mode changed');
      return `spacing mode set to ${mode} (saved); rebuilding the grid in the background`;
    });
  }

  setAiInterval(seconds: number): Promise<string> {
    return this.saveAndAnswer(() => {
      this.state.settings.aiIntervalSec = seconds;
      touch(this.state);
      return `AI check every ${seconds} s`;
    });
  }

  /** START_PRICE at run time: only the first grid waits for it; null starts at once. */
  setStartPrice(price: number | null): Promise<string> {
    return this.control(false, async () => {
      const s = this.state;
      s.settings.startPrice = price;
      touch(s);
      if (s.funded || s.orders.length > 0) return `start price ${price === null ? 'cleared' : `set to ${price}`} (saved); it only holds back the first grid, which is already built`;
      if (price === null) {
        const waited = !!s.startWait;
        s.startWait = null;
        if (waited && this.canTrade()) requestRebuild(this.d, 'start price cleared');
        return waited ? 'start price cleared: building the first grid at the next tick' : 'start price cleared (saved)';
      }
      s.startWait = null;
      return this.state.lastPrice > 0 ? `start price set to ${price} (saved): no grid until the price crosses it (now ${s.lastPrice})` : `start price set to ${price} (saved)`;
    });
  }

  /** TAKE_PROFIT_EQUITY at run time; null turns it off. */
  setTakeProfit(equityUsd: number | null): Promise<string> {
    return this.control(false, async () => {
      const s = this.state;
      if (equityUsd !== null) {
        const eq = s.funded && s.lastPrice > 0 ? equity(s.ledger, s.lastPrice) : s.ledger.startingCapital;
        if (equityUsd <= eq) return `not changed: the take-profit must be above the current equity $${eq.toFixed(2)}`;
        if (equityUsd <= this.cfg.stopFloor) return `not changed: the take-profit must be above the stop floor $${this.cfg.stopFloor}`;
      }
      s.settings.takeProfitEquity = equityUsd;
      touch(s);
      return equityUsd === null ? 'take-profit off (saved)' : `take-profit set: trading stops when equity reaches $${equityUsd} (saved)`;
    });
  }

  /** STOP_ACTION at run time: applies to the next stop; `hold` also ends a sell-on-stop in progress at the next tick. */
  setStopAction(action: 'hold' | 'sell'): Promise<string> {
    return this.control(false, async () => {
      this.state.settings.stopAction = action;
      touch(this.state);
      if (action === 'hold' && exitActive(this.state)) return 'stop action set to hold (saved): the sell-on-stop in progress ends at the next tick';
      return action === 'sell' ? "stop action set to sell (saved): the next stop sells the grid's DOGE near the market" : 'stop action set to hold (saved): a stop keeps the DOGE';
    });
  }

  /** PROFIT_MODE at run time: the next grid build sizes with it, the next sweep follows it. */
  setProfitMode(mode: 'compound' | 'fixed' | 'accumulate'): Promise<string> {
    return this.control(false, async () => {
      this.state.settings.profitMode = mode;
      touch(this.state);
      return `profit mode set to ${mode} (saved); it applies from the next grid build${mode === 'accumulate' ? ' and the next sweep' : ''}`;
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
      await pauseTrading(this.d, reason === 'ai' ? 'ai' : 'operator', `paused by ${reason}`);
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
        const takeProfit = rules(s, this.cfg).takeProfitEquity;
        if (takeProfit !== null && eq >= takeProfit) return `cannot resume: equity $${eq.toFixed(2)} is at or above the take-profit $${takeProfit}; raise or clear it first (/takeprofit)`;
        if (exitActive(s)) return 'cannot resume: the sell-on-stop is still working; set the stop action to hold first (/stopaction hold)';
        s.risk.stopped = false;
        s.risk.stopReason = null;
      } else if (!s.risk.paused && s.orders.length > 0) return 'not paused';
      s.risk.paused = false;
      s.risk.pauseKind = null;
      s.risk.pauseReason = null;
      touch(s);
      requestRebuild(this.d, 'resumed');
      await rebuildStep(this.d);
      this.d.emit({ type: 'risk', action: 'resume', reason: 'operator' });
      const r = s.rebuild;
      return r ? `resumed: rebuilding the grid around the current price (${r.moved} of ${r.total} levels placed so far)` : 'resumed: grid rebuilt around the current price';
    });
  }

  resetGrid(reason: string): Promise<string> {
    return this.saveAndAnswer(() => {
      if (this.d.pair === null || this.state.lastPrice <= 0) return 'the bot is still starting; try again in a moment';
      if (!this.canTrade()) return 'not rebuilt: trading is paused or stopped';
      this.requestRebuild(`reset by ${reason}`);
      return `grid reset: rebuilding around ${this.state.lastPrice} in the background`;
    });
  }

  private canTrade(): boolean {
    return !this.state.risk.paused && !this.state.risk.stopped && this.state.lastPrice > 0 && this.d.pair !== null;
  }
}
