// The trader's working context: what every part of the trading engine
// (orders, cancels, rebuilds, reconciliation) reads and changes, and the
// small checks they share. One Desk per Trader; the parts are functions of it.
import type { Config } from '../../config.js';
import type { Exchange, PairInfo, TradingBudget } from '../../exchange/exchange.js';
import { errorMessage, logger } from '../../util/log.js';
import { canFund, recordFill, spacingModeOf, touch, type DailySummaryRow, type GridState, type OrderIntent, type StrategyConfig } from '../grid-strategy.js';
import { ledgerProblem } from '../ledger.js';
import { LEDGER_IDENTITY_TOLERANCE } from '../limits.js';
import type { ReportContext } from '../fill-handling.js';
import { UNLIMITED_BUDGET } from '../rebuild-plan.js';
import type { FillRecord } from '../types.js';
import type { Journal, TraderEvent } from './events.js';

export const log = logger('trader');

export interface Desk {
  readonly config: Config;
  readonly exchange: Exchange;
  readonly state: GridState;
  /** The strategy's settings; the maker fee in it follows the exchange's (TradeVolume) unless MAKER_FEE_PCT overrides it. */
  readonly cfg: StrategyConfig;
  readonly now: () => number;
  readonly emit: (e: TraderEvent) => void;
  readonly journal: Journal | undefined;
  /** Saves the state (write-ahead: called before any new order is sent). */
  readonly checkpoint: () => void;
  pair: PairInfo | null;
  /** Fills and daily rows of the current tick, journaled once the state is saved. */
  unjournaled: { fills: FillRecord[]; days: DailySummaryRow[] };
  /** Set when start adopted orders: the next tick places the grid levels nobody holds (what a shutdown cancelled). */
  refillLevels: boolean;
  /** A price far from the recent ones, seen once: acted on only if the next tick confirms it. */
  suspectPrice: number | null;
  /** Kraken answered AmendOrder "unknown method": move orders by cancel + add from now on. */
  amendUnsupported: boolean;
  /** The pair status that forbids adding orders (cancel_only, maintenance, …), or null. Warned once per change. */
  pairBlocked: string | null;
  pairCheckedAt: number;
  /** When the maker fee was last read from the exchange (TradeVolume). */
  feeReadAt: number;
  /** A background rebuild step is queued behind the lock (never more than one). */
  kicked: boolean;
  /** Wanted levels of the current rebuild whose order the exchange refused: not retried by this rebuild. */
  rebuildGaveUp: Set<string>;
}

/** A finite number above zero (not NaN, not Infinity, not a string). */
export function positive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

export function pairInfo(d: Desk): PairInfo {
  if (!d.pair) throw new Error('trader not started');
  return d.pair;
}

export function reportContext(d: Desk, now: number, cancelledByUs: boolean): ReportContext {
  return { spacingPct: d.state.settings.spacingPct, pair: pairInfo(d), now, cancelledByUs, makerFeePct: d.cfg.makerFeePct, spacingMode: spacingModeOf(d.state.settings, d.cfg) };
}

/**
 * The ledger check after booking (SPEC §4.3): every field finite and
 * equity = cash + inventory × price = starting capital + realized + unrealized.
 * Broken books stop trading with an alarm; nothing new is placed on them.
 */
export function booksOk(d: Desk): boolean {
  const s = d.state;
  const problem = ledgerProblem(s.ledger, s.lastPrice, LEDGER_IDENTITY_TOLERANCE);
  if (problem === null) return true;
  if (!s.risk.stopped) {
    const reason = `ledger check failed: ${problem}; no new orders until the books are repaired`;
    s.risk.stopped = true;
    s.risk.stopReason = reason;
    touch(s);
    log.error(`trading stopped: ${reason}`);
    d.emit({ type: 'risk', action: 'stop', reason });
  }
  return false;
}

export function bookFill(d: Desk, fill: FillRecord): void {
  recordFill(d.state, fill);
  if (d.journal) d.unjournaled.fills.push(fill);
  d.emit({ type: fill.profit !== null ? 'round_trip' : 'fill', fill });
}

/**
 * Saves when it can, for the paths that must go on even with a full disk
 * (cancels, risk checks). Only sending an order requires the save (checkpoint).
 */
export function saveIfPossible(d: Desk, what: string): void {
  try {
    d.checkpoint();
  } catch (err) {
    log.error(`saving the state failed while ${what}: ${errorMessage(err)}; going on`);
  }
}

/** The trading-counter model right now (unlimited without one). */
export function budget(d: Desk): TradingBudget {
  return d.exchange.tradingBudget?.() ?? UNLIMITED_BUDGET;
}

/** Whether an operation of `cost` points fits in the trading counter now. */
export function affords(d: Desk, cost: number): boolean {
  return cost <= 0 || cost <= budget(d).room + 1e-9;
}

/** A post-only order at a price the market has crossed would only be cancelled by Kraken: it waits until the price allows. */
export function postOnlyFits(d: Desk, o: { kind: string; side: string; price: number }): boolean {
  const p = d.state.lastPrice;
  if (o.kind === 'accumulation' || !(p > 0)) return true;
  return o.side === 'buy' ? o.price < p : o.price > p;
}

/** Whether a wanted level could be added now (funds, pair minimums, pause). */
export function placeable(d: Desk, t: OrderIntent): boolean {
  const s = d.state;
  if (s.risk.stopped || (s.risk.paused && t.side === 'buy')) return false;
  const pair = pairInfo(d);
  if (t.volume + 1e-12 < pair.orderMin || t.price * t.volume < pair.costMin) return false;
  return canFund(s, t, d.cfg.makerFeePct);
}

/** "3 sells (not enough DOGE) and 1 buy (not enough USD)": one notice per batch, not one per level. */
export function unfundedNotice(unfunded: readonly OrderIntent[]): string {
  const sells = unfunded.filter((i) => i.side === 'sell').length;
  const buys = unfunded.length - sells;
  const parts = [sells ? `${sells} sell${sells > 1 ? 's' : ''} (not enough DOGE)` : '', buys ? `${buys} buy${buys > 1 ? 's' : ''} (not enough USD)` : ''].filter(Boolean);
  return `${parts.join(' and ')} skipped: the grid's allocation cannot fund them`;
}
