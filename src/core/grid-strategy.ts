// GridState and the trading rules (SPEC §3, §4.3–4.5) as small functions.
// Nothing here performs I/O: the bot asks these functions what to do, then
// does it through the Exchange. GridState is plain data (JSON.stringify-able).
import { LEVELS_PER_SIDE_MAX, LEVELS_PER_SIDE_MIN, PRICE_JUMP_FACTOR, PRICE_JUMP_WINDOW_MS, RATIO_MAX, RATIO_MIN } from './limits.js';
import type { PairInfo, Ticker } from '../exchange/exchange.js';
import { newLedger, equity, type Ledger } from './ledger.js';
import { roundTo } from './money.js';
import type { FillRecord, PricePoint, Side } from './types.js';

export interface Settings {
  spacingPct: number;
  /** Manual trend ratio; null = automatic from fills. */
  ratioOverride: number | null;
  aiIntervalSec: number;
  /** Fixed levels per side instead of the adaptive count (backtest sweeps); null/absent = adaptive. */
  levelsOverride?: number | null;
  /** Notification levels set with /notify, by kind (ops/notify-levels.ts); absent in older states. */
  notify?: Partial<Record<string, 'on' | 'silent' | 'off'>>;
  /**
   * Start and exit rules and the profit policy (issue 14), changeable at run
   * time. Absent in states saved before they existed: the environment's value
   * is used (see `rules`).
   */
  startPrice?: number | null;
  takeProfitEquity?: number | null;
  stopAction?: StopAction;
  profitMode?: ProfitMode;
  /** Set by the operator at run time (GRID_MODE until then): drift rebuilds, or a trailing ladder. */
  gridMode?: GridMode;
  /** Set by the operator at run time (GRID_SPACING_MODE until then): how level prices are spaced. */
  spacingMode?: SpacingMode;
}

export type StopAction = 'hold' | 'sell';
export type ProfitMode = 'compound' | 'fixed' | 'accumulate';

/** drift: rebuild around the price after GRID_DRIFT_RESET_PCT; trailing: move the farthest order one level at a time (trading/trailing.ts). */
export type GridMode = 'drift' | 'trailing';
/** arithmetic: center × (1 ± s·i); geometric: center × (1 + s)^±i. */
export type SpacingMode = 'arithmetic' | 'geometric';
export const GRID_MODES: readonly GridMode[] = ['drift', 'trailing'];
export const SPACING_MODES: readonly SpacingMode[] = ['arithmetic', 'geometric'];

/** Everything the rules need from the start-up configuration. */
export interface StrategyConfig {
  startingCapital: number;
  makerFeePct: number;
  stopFloor: number;
  dailyLossLimit: number;
  gridDriftResetPct: number;
  dailySummaryHourUtc: number;
  monthlyReserveUsd: number;
  accumulationSweepDays: number;
  orderSizeUsd: number;
  gridLevels: number;
  /** ORDER_SIZE_USD / GRID_LEVELS set in the environment: they win over the adaptive sizing. */
  orderSizeExplicit?: boolean;
  gridLevelsExplicit?: boolean;
  /** Start-up values of the run-time rules (Settings overrides them once saved). */
  startPrice?: number | null;
  takeProfitEquity?: number | null;
  stopAction?: StopAction;
  profitMode?: ProfitMode;
  /** GRID_MODE / GRID_SPACING_MODE (the settings override them once the operator changes them); absent = drift / arithmetic. */
  gridMode?: GridMode;
  spacingMode?: SpacingMode;
  /** TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT: prices the trailing grid never follows beyond; null = no limit. */
  trailUpLimit?: number | null;
  trailDownLimit?: number | null;
}

/** The start/exit rules and profit policy in force: the saved settings, else the environment's, else today's behaviour. */
export function rules(state: GridState, cfg: Pick<StrategyConfig, 'startPrice' | 'takeProfitEquity' | 'stopAction' | 'profitMode'>): { startPrice: number | null; takeProfitEquity: number | null; stopAction: StopAction; profitMode: ProfitMode } {
  const st = state.settings;
  return {
    startPrice: st.startPrice !== undefined ? st.startPrice : (cfg.startPrice ?? null),
    takeProfitEquity: st.takeProfitEquity !== undefined ? st.takeProfitEquity : (cfg.takeProfitEquity ?? null),
    stopAction: st.stopAction ?? cfg.stopAction ?? 'hold',
    profitMode: st.profitMode ?? cfg.profitMode ?? 'accumulate',
  };
}

/** The grid mode in force: the operator's, else the start-up one. */
export function gridModeOf(settings: Settings, cfg: { gridMode?: GridMode }): GridMode {
  return settings.gridMode ?? cfg.gridMode ?? 'drift';
}

/** The spacing mode in force: the operator's, else the start-up one. */
export function spacingModeOf(settings: Settings, cfg: { spacingMode?: SpacingMode }): SpacingMode {
  return settings.spacingMode ?? cfg.spacingMode ?? 'arithmetic';
}

/** The fill an order answers: a counter order completes a round trip with it. */
export interface Answered {
  side: Side;
  price: number;
  volume: number;
  fee: number;
  time: number;
}

/** 'exit': a sell of the grid's DOGE after a stop with STOP_ACTION=sell (trading/exit.ts); never part of `orders`. */
export type OrderKind = 'grid' | 'counter' | 'accumulation' | 'exit';

export interface GridOrder {
  clientOrderId: string;
  /** Exchange id once placed; null while pending. */
  id: string | null;
  /** pending: not (yet) on the exchange; open: resting; unknown: placement outcome unknown, look it up before anything else. */
  status: 'pending' | 'open' | 'unknown';
  kind: OrderKind;
  level: number;
  side: Side;
  price: number;
  volume: number;
  /** Parts of `vol_exec`, fee and cost already booked into the ledger. */
  bookedVolume: number;
  bookedFee: number;
  bookedCost: number;
  placedAt: number;
  answers: Answered | null;
  attempts: number;
  /** We asked the exchange to cancel it (rebuild, pause): however late it is seen finished, it is ours, never replaced. */
  cancelRequested?: boolean;
  /** When a rebuild last moved it in place (AmendOrder): its resting time for the trading counter starts here. */
  amendedAt?: number;
}

export type PauseKind = 'operator' | 'daily_loss' | 'ai';

export interface Profit {
  total: number;
  today: number;
  fees: number;
  feesToday: number;
  grossToday: number;
  roundTrips: number;
  roundTripsToday: number;
  tradesToday: number;
  /**
   * Every fill booked since the bot first started (the fills list keeps only
   * the newest). Missing in states saved before it was counted: the first fill
   * after such a restart starts it from the fills kept.
   */
  trades?: number;
  dogeAccumulated: number;
  dogeAccumulatedToday: number;
}

export interface AiRecommendationRecord {
  time: number;
  condition: string;
  action: string;
  reason: string;
  status: string;
}

/** The grid a rebuild builds, fixed when its first step runs. */
export interface RebuildTarget {
  center: number;
  spacingPct: number;
  ratio: number;
  levelsPerSide: number;
  orderSizeUsd: number;
  /** Level spacing of the target (absent in states saved before it existed: arithmetic). */
  spacingMode?: SpacingMode;
  /** When the target was fixed: counter orders placed after it answer fills of the new grid and keep their slot. */
  builtAt: number;
}

/** A rebuild in progress (GridState.rebuild), shown as "rebuild in progress: k of n levels moved". */
export interface RebuildProgress {
  reason: string;
  /** Null until the first step fixes it (a newer request resets it: the newer settings win). */
  target: RebuildTarget | null;
  /** Levels of the target already worked by an order at their price. */
  moved: number;
  /** Levels of the target. */
  total: number;
  startedAt: number;
  /** Operations so far (for the log and the bench). */
  amended: number;
  cancelled: number;
  added: number;
}

export interface GridState {
  version: 1;
  /** Which mode wrote this state: a paper history must never become a live one. */
  mode?: 'dry_run' | 'live';
  /** Random per deployment; client order ids are derived from it. */
  botId: string;
  orderSeq: number;
  /** Bumped by every change worth saving. */
  revision: number;
  startedAt: number;
  settings: Settings;
  center: number;
  gridBuiltAt: number;
  ratioAtBuild: number;
  trend: { ratio: number; buys12h: number; sells12h: number };
  orderSizeUsd: number;
  levelsPerSide: number;
  orders: GridOrder[];
  ledger: Ledger;
  /** False until the first grid splits the capital into cash and inventory. */
  funded: boolean;
  profit: Profit;
  day: { key: string; startEquity: number };
  accumulation: { lastSweepAt: number; profitAtLastSweep: number };
  fills: FillRecord[];
  roundTripProfits: number[];
  priceHistory: PricePoint[];
  lastPrice: number;
  risk: { paused: boolean; pauseKind: PauseKind | null; pauseReason: string | null; stopped: boolean; stopReason: string | null };
  ai: { lastRunAt: number; checkRequested: boolean; last: AiRecommendationRecord | null; pendingApproval: unknown };
  statsBaseline: unknown;
  /** Price when the first grid split the capital (hold benchmark); absent in states saved before it was recorded. */
  firstPrice?: number | null;
  /** Equity at the close of each trading day, oldest first (bounded); read by the profitability analyzer and the period reports. */
  equityDays?: { day: string; equity: number; /** Price the close was valued at (absent in states saved before it was recorded). */ price?: number }[];
  /** The rebuild in progress (null/absent: none); it goes on in steps, across ticks and restarts. */
  rebuild?: RebuildProgress | null;
  /** START_PRICE in force and the side the price was on when waiting began; null/absent: not waiting. */
  startWait?: { price: number; side: 'below' | 'above'; since: number } | null;
  /** The sell of the grid's DOGE after a stop (STOP_ACTION=sell), in progress or finished; null/absent: none. */
  exit?: ExitProgress | null;
  /** The trailing grid's moves so far (absent: none yet). */
  trail?: { moves: number; lastMoveAt: number; lastDirection: 'up' | 'down' } | null;
}

/** A sell-on-stop (trading/exit.ts): maker first, a marketable limit after the timeout, every part booked through the ledger. */
export interface ExitProgress {
  reason: string;
  startedAt: number;
  /** DOGE to sell, fixed by the first step: the grid's inventory (accumulated DOGE kept), never more than the account holds. */
  target: number | null;
  phase: 'maker' | 'taker' | 'done';
  /** When the current phase (or the current taker order) started: the maker timeout counts from here. */
  phaseAt: number;
  sold: number;
  proceeds: number;
  fees: number;
  /** The exit order working now (not in `orders`: a stopped bot cancels those). */
  order: GridOrder | null;
  finishedAt: number | null;
}

export const EQUITY_DAYS_KEPT = 400;

/** Fills (and round-trip profits) the state keeps: at least this many of the newest, at most FILLS_TRIM_BATCH more. */
export const MAX_FILLS_KEPT = 10_000;
/**
 * The oldest fills go in batches: one splice per this many fills, instead of
 * a shift per fill, which copies the whole 10,000-entry array whenever V8
 * cannot trim it in place (during garbage-collector marking; 2 µs per fill in a
 * backtest year, 5 % of its replay).
 */
export const FILLS_TRIM_BATCH = 500;
export const PRICE_WINDOW_MS = 24 * 3600_000;
export const TREND_WINDOW_MS = 12 * 3600_000;
export const RATIO_REBUILD_DELTA = 0.2;
/** Float tolerance for volumes (base units). */
export const VOLUME_EPS = 1e-9;

export function newState(cfg: StrategyConfig, settings: Settings, botId: string, now: number): GridState {
  return {
    version: 1,
    botId,
    orderSeq: 0,
    revision: 0,
    startedAt: now,
    // Every field written out, not spread: a spread gave each new state's settings another hidden
    // class, and the optimizer's back-to-back backtests re-optimized every rule that reads them
    // (85 deoptimizations and 313 optimizations → 37 and 258 over 16 runs). Absent fields stay
    // undefined (JSON leaves them out: the saved state is the same).
    settings: {
      spacingPct: settings.spacingPct,
      ratioOverride: settings.ratioOverride,
      aiIntervalSec: settings.aiIntervalSec,
      levelsOverride: settings.levelsOverride,
      notify: settings.notify,
      startPrice: settings.startPrice !== undefined ? settings.startPrice : (cfg.startPrice ?? null),
      takeProfitEquity: settings.takeProfitEquity !== undefined ? settings.takeProfitEquity : (cfg.takeProfitEquity ?? null),
      stopAction: settings.stopAction ?? cfg.stopAction ?? 'hold',
      profitMode: settings.profitMode ?? cfg.profitMode ?? 'accumulate',
      gridMode: settings.gridMode,
      spacingMode: settings.spacingMode,
    },
    center: 0,
    gridBuiltAt: 0,
    ratioAtBuild: 0.5,
    trend: { ratio: settings.ratioOverride ?? 0.5, buys12h: 0, sells12h: 0 },
    orderSizeUsd: cfg.orderSizeUsd,
    levelsPerSide: cfg.gridLevels,
    orders: [],
    ledger: newLedger(cfg.startingCapital),
    funded: false,
    profit: emptyProfit(),
    day: { key: dayKey(now, cfg.dailySummaryHourUtc), startEquity: cfg.startingCapital },
    accumulation: { lastSweepAt: now, profitAtLastSweep: 0 },
    fills: [],
    roundTripProfits: [],
    priceHistory: [],
    lastPrice: 0,
    risk: { paused: false, pauseKind: null, pauseReason: null, stopped: false, stopReason: null },
    ai: { lastRunAt: now, checkRequested: false, last: null, pendingApproval: null },
    statsBaseline: null,
  };
}

function emptyProfit(): Profit {
  return { total: 0, today: 0, fees: 0, feesToday: 0, grossToday: 0, roundTrips: 0, roundTripsToday: 0, tradesToday: 0, trades: 0, dogeAccumulated: 0, dogeAccumulatedToday: 0 };
}

export function touch(state: GridState): void {
  state.revision++;
}

// ---------------------------------------------------------------- ids

/** A UUID-shaped client order id, unique per deployment and sequence number. Deterministic, so a replayed decision after a crash finds its order again. */
export function nextClientOrderId(state: GridState): string {
  state.orderSeq++;
  const hex = state.botId.replace(/[^0-9a-f]/gi, '').toLowerCase().padEnd(20, '0').slice(0, 20);
  const seq = state.orderSeq.toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(12, 15)}-8${hex.slice(15, 18)}-${seq}`;
}

// ---------------------------------------------------------------- geometry and sizing

/** A level's distance from the center as a factor: arithmetic `1 + s·i`, geometric `(1 + s)^i`. */
export function levelFactor(level: number, spacingPct: number, mode: SpacingMode = 'arithmetic'): number {
  const s = spacingPct / 100;
  return mode === 'geometric' ? Math.pow(1 + s, level) : 1 + s * level;
}

/**
 * Price of a grid level (unrounded). Arithmetic (default): below center
 * `c(1 − s·i)`, above `c(1 + s·i)`; geometric: `c(1 + s)^±i`, the same
 * percentage gap between any two neighbouring levels. Every level price of
 * the bot comes from here (planGrid, counters, re-arms, the trailing grid).
 */
export function levelPrice(center: number, level: number, spacingPct: number, mode: SpacingMode = 'arithmetic'): number {
  return center * levelFactor(level, spacingPct, mode);
}

/**
 * The price one level away (`dir` +1 up, −1 down) from a fill at `price`:
 * SPEC §3's price × (1 ± s) in the default arithmetic mode (the counter is
 * priced from the fill, as the system we port does); geometric: price ×
 * (1 + s)^dir, which is exactly the neighbouring level of a geometric grid.
 */
export function neighbourPrice(price: number, dir: 1 | -1, spacingPct: number, mode: SpacingMode = 'arithmetic'): number {
  if (mode === 'geometric') return price * (1 + spacingPct / 100) ** dir;
  return price * (1 + (dir * spacingPct) / 100);
}

/** Buy and sell counts for a grid of `2 × levelsPerSide` orders split by the trend ratio. */
export function splitLevels(levelsPerSide: number, ratio: number): { buys: number; sells: number } {
  const total = 2 * levelsPerSide;
  const buys = Math.min(total - 2, Math.max(2, Math.round(total * ratio)));
  return { buys, sells: total - buys };
}

/**
 * Adaptive order size and levels per side (SPEC §3 "Adaptive sizing"): the
 * smallest order the pair allows (+20 %), as many levels as 60 % of the capital
 * funds at 1.5× that size; once the levels reach the cap (20), the order size
 * grows instead, so capital above ~$80 is used (issue 17 item 10).
 */
export function adaptiveParams(pair: PairInfo, price: number, effectiveCapital: number): { orderSizeUsd: number; levelsPerSide: number } {
  const minSize = minOrderSizeUsd(pair, price);
  const raw = Math.floor((0.6 * effectiveCapital) / (1.5 * minSize));
  const levelsPerSide = Math.min(LEVELS_PER_SIDE_MAX, Math.max(LEVELS_PER_SIDE_MIN, Number.isFinite(raw) ? raw : LEVELS_PER_SIDE_MIN));
  const spread = (0.6 * effectiveCapital) / (1.5 * levelsPerSide);
  const orderSizeUsd = levelsPerSide === LEVELS_PER_SIDE_MAX && Number.isFinite(spread) && spread > minSize ? spread : minSize;
  return { orderSizeUsd, levelsPerSide };
}

/** The smallest order the grid places at `price`: the pair minimum + 20 %, never below the minimum cost. */
export function minOrderSizeUsd(pair: PairInfo, price: number): number {
  return Math.max(pair.orderMin * price * 1.2, pair.costMin);
}

export interface GridSizing {
  orderSizeUsd: number;
  levelsPerSide: number;
  /** Why these numbers, for the log and the status ("adaptive", "ORDER_SIZE_USD", …). */
  source: string;
  /** A value the operator set that could not be used as is (raised to the pair minimum), or null. */
  warning: string | null;
}

/**
 * The order size and levels a grid is built with: ORDER_SIZE_USD and
 * GRID_LEVELS when the operator set them (they win; the size is raised to the
 * pair minimum with a warning), otherwise the adaptive sizing on the capital
 * the profit mode sizes with. A levels override (backtest --levels) fixes the count.
 */
export function sizeGrid(state: GridState, cfg: StrategyConfig, pair: PairInfo, price: number): GridSizing {
  const capital = sizingCapital(state, cfg);
  const adaptive = adaptiveParams(pair, price, capital);
  const minSize = minOrderSizeUsd(pair, price);
  let levels = state.settings.levelsOverride ?? (cfg.gridLevelsExplicit ? cfg.gridLevels : adaptive.levelsPerSide);
  let size = adaptive.orderSizeUsd;
  const sources: string[] = [];
  let warning: string | null = null;
  if (cfg.orderSizeExplicit) {
    size = cfg.orderSizeUsd;
    sources.push('ORDER_SIZE_USD');
    if (!cfg.gridLevelsExplicit && state.settings.levelsOverride == null) {
      const fit = Math.floor((0.6 * capital) / (1.5 * Math.max(size, minSize)));
      levels = Math.min(LEVELS_PER_SIDE_MAX, Math.max(LEVELS_PER_SIDE_MIN, fit));
    }
  } else if (cfg.gridLevelsExplicit) {
    // The capital spread over the levels the operator chose.
    size = Math.max(minSize, (0.6 * capital) / (1.5 * levels));
  }
  if (cfg.gridLevelsExplicit) sources.push('GRID_LEVELS');
  if (size < minSize) {
    warning = `ORDER_SIZE_USD $${size} is below the pair minimum at ${price} ($${minSize.toFixed(4)}: ${pair.orderMin} DOGE + 20 %, at least $${pair.costMin}); using $${minSize.toFixed(4)}`;
    size = minSize;
  }
  return { orderSizeUsd: size, levelsPerSide: levels, source: sources.length ? sources.join(' + ') : `adaptive on $${capital.toFixed(2)} (${rules(state, cfg).profitMode})`, warning };
}

/** Today's sizing capital: the starting capital plus the profit so far (never less than the start). */
export function effectiveCapital(state: GridState): number {
  return state.ledger.startingCapital + Math.max(0, state.profit.total);
}

/**
 * The capital the grid sizes itself with under the profit mode: `fixed` the
 * starting capital only; `compound` and `accumulate` (today's rule) the
 * starting capital plus the profit so far.
 */
export function sizingCapital(state: GridState, cfg: Pick<StrategyConfig, 'profitMode'>): number {
  return (state.settings.profitMode ?? cfg.profitMode ?? 'accumulate') === 'fixed' ? state.ledger.startingCapital : effectiveCapital(state);
}

/** Volume for one order: order size at this price, never below the pair minimum, in lot decimals. */
export function orderVolume(orderSizeUsd: number, price: number, pair: PairInfo): number {
  const v = roundTo(orderSizeUsd / price, pair.lotDecimals);
  return v < pair.orderMin ? pair.orderMin : v;
}

export interface OrderIntent {
  kind: OrderKind;
  level: number;
  side: Side;
  price: number;
  volume: number;
  answers: Answered | null;
}

/** The fresh ladder around `center` (no I/O): buys at −1…−nBuys, sells at +1…+nSells. */
export function planGrid(center: number, spacingPct: number, ratio: number, levelsPerSide: number, orderSizeUsd: number, pair: PairInfo, mode: SpacingMode = 'arithmetic'): OrderIntent[] {
  const { buys, sells } = splitLevels(levelsPerSide, ratio);
  const out: OrderIntent[] = [];
  for (let i = 1; i <= sells; i++) {
    const price = roundTo(levelPrice(center, i, spacingPct, mode), pair.priceDecimals);
    out.push({ kind: 'grid', level: i, side: 'sell', price, volume: orderVolume(orderSizeUsd, price, pair), answers: null });
  }
  for (let i = 1; i <= buys; i++) {
    const price = roundTo(levelPrice(center, -i, spacingPct, mode), pair.priceDecimals);
    out.push({ kind: 'grid', level: -i, side: 'buy', price, volume: orderVolume(orderSizeUsd, price, pair), answers: null });
  }
  return out;
}

/**
 * The grid level an order keeps busy: its own level, or for a counter order
 * the level of the fill it answers (a counter sell one level above a filled
 * buy holds that buy's place in the ladder until its round trip re-arms it).
 * Null for the accumulation sweep, which is not part of the ladder.
 */
export function gridSlot(o: { kind: OrderKind; level: number; answers: Answered | null }): number | null {
  if (o.kind === 'accumulation') return null;
  if (o.kind === 'counter' && o.answers) return o.answers.side === 'buy' ? o.level - 1 : o.level + 1;
  return o.level;
}

/**
 * The orders of the current grid (around `state.center`, as it was built) whose
 * level no order of the state keeps busy: what a shutdown cancelled before a
 * restart adopted the rest.
 */
export function missingGridLevels(state: GridState, pair: PairInfo, mode: SpacingMode = 'arithmetic'): OrderIntent[] {
  if (!(state.center > 0) || !(state.levelsPerSide > 0)) return [];
  const busy = new Set(state.orders.map(gridSlot));
  return planGrid(state.center, state.settings.spacingPct, state.ratioAtBuild, state.levelsPerSide, state.orderSizeUsd, pair, mode).filter((i) => !busy.has(i.level));
}

/** Base units the plan's sells need; the first grid funds them from the capital. */
export function baseNeeded(plan: readonly OrderIntent[]): number {
  return plan.filter((o) => o.side === 'sell').reduce((s, o) => s + o.volume, 0);
}

/** The opposite order one level away, answering a completed fill (SPEC §3 "Fills"). */
export function counterIntent(filled: { side: Side; level: number; price: number; volume: number; fee: number; time: number }, spacingPct: number, pair: PairInfo, mode: SpacingMode = 'arithmetic'): OrderIntent {
  const side: Side = filled.side === 'buy' ? 'sell' : 'buy';
  const price = roundTo(neighbourPrice(filled.price, filled.side === 'buy' ? 1 : -1, spacingPct, mode), pair.priceDecimals);
  return {
    kind: 'counter',
    level: filled.side === 'buy' ? filled.level + 1 : filled.level - 1,
    side,
    price,
    volume: filled.volume,
    answers: { side: filled.side, price: filled.price, volume: filled.volume, fee: filled.fee, time: filled.time },
  };
}

/**
 * After a counter order completes its round trip, the level it came from is
 * re-armed with a plain grid order, so the ladder keeps catching oscillations.
 */
export function rearmIntent(completed: { side: Side; level: number; price: number; volume: number }, spacingPct: number, pair: PairInfo, mode: SpacingMode = 'arithmetic'): OrderIntent {
  const side: Side = completed.side === 'buy' ? 'sell' : 'buy';
  const price = roundTo(neighbourPrice(completed.price, completed.side === 'buy' ? 1 : -1, spacingPct, mode), pair.priceDecimals);
  return { kind: 'grid', level: completed.side === 'buy' ? completed.level + 1 : completed.level - 1, side, price, volume: completed.volume, answers: null };
}

/** Net profit of a round trip: |sell − buy| × volume − both fees (the answered fee prorated to the volume). */
export function roundTripProfit(answered: Answered, closing: { side: Side; price: number; volume: number; fee: number }): number {
  const sellPrice = closing.side === 'sell' ? closing.price : answered.price;
  const buyPrice = closing.side === 'buy' ? closing.price : answered.price;
  const share = answered.volume > 0 ? Math.min(1, closing.volume / answered.volume) : 1;
  return (sellPrice - buyPrice) * closing.volume - closing.fee - answered.fee * share;
}

// ---------------------------------------------------------------- trend ratio

/** Trend ratio from fills in the last 12 h (SPEC §3), or the manual override. */
export function computeTrend(fills: readonly FillRecord[], now: number, override: number | null): { ratio: number; buys12h: number; sells12h: number } {
  let buys = 0;
  let sells = 0;
  for (let i = fills.length - 1; i >= 0; i--) {
    const f = fills[i];
    if (f.time < now - TREND_WINDOW_MS) break;
    if (f.time > now) continue;
    if (f.side === 'buy') buys++;
    else sells++;
  }
  if (override !== null) return { ratio: override, buys12h: buys, sells12h: sells };
  const total = buys + sells;
  if (total === 0) return { ratio: 0.5, buys12h: 0, sells12h: 0 };
  const raw = sells / total;
  const confidence = Math.min(1, total / 8);
  const ratio = Math.min(RATIO_MAX, Math.max(RATIO_MIN, 0.5 + (raw - 0.5) * confidence));
  return { ratio, buys12h: buys, sells12h: sells };
}

export function ratioNeedsRebuild(ratio: number, ratioAtBuild: number): boolean {
  return Math.abs(ratio - ratioAtBuild) >= RATIO_REBUILD_DELTA - 1e-12;
}

// ---------------------------------------------------------------- drift

export function driftPct(price: number, center: number): number {
  return center > 0 ? ((price - center) / center) * 100 : 0;
}

export function driftNeedsRebuild(price: number, center: number, thresholdPct: number): boolean {
  return center > 0 && Math.abs(driftPct(price, center)) >= thresholdPct - 1e-12;
}

// ---------------------------------------------------------------- risk

export type RiskVerdict = { action: 'none' } | { action: 'pause'; reason: string } | { action: 'stop'; reason: string };

/** Stop floor on mark-to-market equity; daily loss limit on today's equity drop (SPEC §4.4). */
export function checkRisk(state: GridState, price: number, cfg: StrategyConfig): RiskVerdict {
  if (!state.funded || state.risk.stopped) return { action: 'none' };
  const eq = equity(state.ledger, price);
  if (eq < cfg.stopFloor) return { action: 'stop', reason: `equity $${eq.toFixed(2)} fell below the stop floor $${cfg.stopFloor.toFixed(2)}` };
  const takeProfit = rules(state, cfg).takeProfitEquity;
  if (takeProfit !== null && eq >= takeProfit) return { action: 'stop', reason: `take-profit: equity $${eq.toFixed(2)} reached TAKE_PROFIT_EQUITY $${takeProfit.toFixed(2)}` };
  const drop = state.day.startEquity - eq;
  if (!state.risk.paused && drop >= cfg.dailyLossLimit) {
    return { action: 'pause', reason: `equity fell $${drop.toFixed(2)} today (limit $${cfg.dailyLossLimit.toFixed(2)})` };
  }
  return { action: 'none' };
}

// ---------------------------------------------------------------- days

/** Trading-day key: the UTC date of the day that started at DAILY_SUMMARY_HOUR_UTC. */
export function dayKey(now: number, hourUtc: number): string {
  const t = now - hourUtc * 3600_000;
  // Asked every tick with the same day almost always: the last day's bounds answer without formatting a date.
  const c = lastDay;
  if (t >= c.from && t < c.to) return c.key;
  const from = Math.floor(t / 86400_000) * 86400_000;
  const key = new Date(t).toISOString().slice(0, 10);
  if (Number.isFinite(from)) lastDay = { from, to: from + 86400_000, key };
  return key;
}

let lastDay = { from: 0, to: 0, key: '' };

export interface DailySummaryRow {
  date: string;
  tradesCount: number;
  grossProfit: number;
  feesPaid: number;
  netProfit: number;
  dogeAccumulated: number;
}

/**
 * Closes every trading day that ended before `now`: returns one summary row
 * per day crossed (empty rows for days the bot was down), zeroes today's
 * counters, resets the day's equity baseline and lifts a daily-loss pause.
 */
export function rollDays(state: GridState, now: number, price: number, hourUtc: number): DailySummaryRow[] {
  const today = dayKey(now, hourUtc);
  // Same day, or a clock stepped back: a day never rolls backwards (its row was written), it ends when time catches up.
  if (today <= state.day.key) return [];
  const rows: DailySummaryRow[] = [];
  const p = state.profit;
  // gross − fees = net by construction (fees of every fill today, both legs of round trips included).
  rows.push({ date: state.day.key, tradesCount: p.tradesToday, grossProfit: p.today + p.feesToday, feesPaid: p.feesToday, netProfit: p.today, dogeAccumulated: p.dogeAccumulatedToday });
  let d = Date.parse(state.day.key + 'T00:00:00Z') + 86400_000;
  const end = Date.parse(today + 'T00:00:00Z');
  while (d < end && rows.length < 3660) {
    rows.push({ date: new Date(d).toISOString().slice(0, 10), tradesCount: 0, grossProfit: 0, feesPaid: 0, netProfit: 0, dogeAccumulated: 0 });
    d += 86400_000;
  }
  if (state.funded) {
    state.equityDays = [...(state.equityDays ?? []), { day: state.day.key, equity: equity(state.ledger, price), price }].slice(-EQUITY_DAYS_KEPT);
  }
  Object.assign(p, { today: 0, feesToday: 0, grossToday: 0, roundTripsToday: 0, tradesToday: 0, dogeAccumulatedToday: 0 });
  state.day = { key: today, startEquity: state.funded ? equity(state.ledger, price) : state.ledger.startingCapital };
  if (state.risk.paused && state.risk.pauseKind === 'daily_loss') {
    state.risk.paused = false;
    state.risk.pauseKind = null;
    state.risk.pauseReason = null;
  }
  touch(state);
  return rows;
}

// ---------------------------------------------------------------- accumulation

/**
 * USD to sweep into DOGE now, or 0: every ACCUMULATION_SWEEP_DAYS, the profit
 * made since the last sweep minus the hosting reserve prorated over those
 * days (MONTHLY_RESERVE_USD / 30 per day), if that is at least $1.
 */
export function accumulationAmount(state: GridState, now: number, cfg: StrategyConfig): number {
  if (!sweepDue(state, now, cfg)) return 0;
  const days = (now - state.accumulation.lastSweepAt) / 86400_000;
  const earned = state.profit.total - state.accumulation.profitAtLastSweep;
  const reserve = (cfg.monthlyReserveUsd / 30) * days;
  const sweep = earned - reserve;
  return sweep >= 1 ? Math.floor(sweep * 100) / 100 : 0;
}

/** Whether ACCUMULATION_SWEEP_DAYS have passed since the last sweep period closed. */
export function sweepDue(state: GridState, now: number, cfg: Pick<StrategyConfig, 'accumulationSweepDays'>): boolean {
  return (now - state.accumulation.lastSweepAt) / 86400_000 >= cfg.accumulationSweepDays;
}

/** Marks a sweep period as done (whether or not anything was swept). */
export function closeAccumulationPeriod(state: GridState, now: number): void {
  state.accumulation = { lastSweepAt: now, profitAtLastSweep: state.profit.total };
  touch(state);
}

// ---------------------------------------------------------------- price history

function usablePrice(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;
}

/**
 * The price the rules act on: the last trade kept inside the bid/ask spread
 * (the median of bid, last and ask), the mid when the last trade is unusable,
 * whatever single field is usable otherwise; null when none is. With bid = ask =
 * last (paper, backtests) it is the last price.
 */
export function marketPrice(t: Ticker): number | null {
  const last = usablePrice(t.last);
  const bid = usablePrice(t.bid);
  const ask = usablePrice(t.ask);
  if (bid !== null && ask !== null) {
    const lo = Math.min(bid, ask);
    const hi = Math.max(bid, ask);
    return last === null ? (lo + hi) / 2 : Math.min(hi, Math.max(lo, last));
  }
  return last ?? bid ?? ask;
}

/** Whether `a` and `b` are within PRICE_JUMP_FACTOR of each other. */
export function closePrices(a: number, b: number): boolean {
  return a <= b * PRICE_JUMP_FACTOR && b <= a * PRICE_JUMP_FACTOR;
}

/**
 * The median of the prices recorded in the last PRICE_JUMP_WINDOW_MS when
 * `price` is further than PRICE_JUMP_FACTOR from it (a jump to confirm before
 * acting on it), else null (no recent price, or close to it).
 */
export function unconfirmedJump(history: readonly PricePoint[], now: number, price: number): number | null {
  // Every tick asks: when the price is close to the lowest and the highest recent price it is close to
  // their median too (which lies between them), and no sort is needed.
  let lo = Infinity;
  let hi = -Infinity;
  let first = history.length;
  for (let i = history.length - 1; i >= 0 && history[i].time >= now - PRICE_JUMP_WINDOW_MS; i--) {
    first = i;
    const h = history[i];
    if (h.time > now) continue;
    if (h.price < lo) lo = h.price;
    if (h.price > hi) hi = h.price;
  }
  if (lo > hi) return null;
  if (closePrices(price, lo) && closePrices(price, hi)) return null;
  const recent: number[] = [];
  for (let i = history.length - 1; i >= first; i--) if (history[i].time <= now) recent.push(history[i].price);
  recent.sort((a, b) => a - b);
  const m = recent.length >> 1;
  const median = recent.length % 2 ? recent[m] : (recent[m - 1] + recent[m]) / 2;
  return closePrices(price, median) ? null : median;
}

export function recordPrice(state: GridState, now: number, price: number): void {
  const h = state.priceHistory;
  h.push({ time: now, price });
  const cutoff = now - PRICE_WINDOW_MS;
  let drop = 0;
  while (drop < h.length && h[drop].time < cutoff) drop++;
  dropOldest(h, drop);
  state.lastPrice = price;
}

/** Percent change against the newest sample at least `ms` old; null without one. */
export function priceChangePct(history: readonly PricePoint[], now: number, ms: number): number | null {
  if (history.length < 2) return null;
  const target = now - ms;
  let lo = 0;
  let hi = history.length - 1;
  if (history[0].time > target) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (history[mid].time <= target) lo = mid;
    else hi = mid - 1;
  }
  const then = history[lo].price;
  const last = history[history.length - 1].price;
  return then > 0 ? ((last - then) / then) * 100 : null;
}

/**
 * The 1 h / 4 h / 24 h changes shown on the dashboard and given to the AI.
 * "24 h" looks 23.5 h back: the window keeps samples newer than 24 h, so none is ever exactly that old.
 */
export function priceChanges(history: readonly PricePoint[], now: number): { h1: number | null; h4: number | null; h24: number | null } {
  return {
    h1: priceChangePct(history, now, 3600_000),
    h4: priceChangePct(history, now, 4 * 3600_000),
    h24: priceChangePct(history, now, 23.5 * 3600_000),
  };
}

/** How many fills (newest last) happened at or after `since`. */
export function fillsSince(fills: readonly FillRecord[], since: number): number {
  let n = 0;
  for (let i = fills.length - 1; i >= 0 && fills[i].time >= since; i--) n++;
  return n;
}

// ---------------------------------------------------------------- bookkeeping of fills

/**
 * Removes the first `n` items. shift() one at a time, not splice(0, n): V8
 * trims the front of the backing store for shift, while splice(0, 1) copies
 * the whole array (60 µs per fill at 10,000 fills kept, 10 % of a backtest).
 */
function dropOldest(items: unknown[], n: number): void {
  for (let i = 0; i < n; i++) items.shift();
}

/** Keeps the newest MAX_FILLS_KEPT once the list is FILLS_TRIM_BATCH longer than that. */
function trimKept(items: unknown[]): void {
  if (items.length > MAX_FILLS_KEPT + FILLS_TRIM_BATCH) items.splice(0, items.length - MAX_FILLS_KEPT);
}

export function recordFill(state: GridState, fill: FillRecord): void {
  state.fills.push(fill);
  const p = state.profit;
  p.trades = (p.trades ?? state.fills.length - 1) + 1;
  trimKept(state.fills);
  p.fees += fill.fee;
  p.feesToday += fill.fee;
  p.tradesToday++;
  if (fill.profit !== null) {
    p.total += fill.profit;
    p.today += fill.profit;
    p.grossToday += fill.profit + fill.fee;
    p.roundTrips++;
    p.roundTripsToday++;
    state.roundTripProfits.push(fill.profit);
    trimKept(state.roundTripProfits);
  }
  touch(state);
}

/** Inventory already promised to open or pending sells (accumulated DOGE is never sold by the grid). */
export function committedBase(state: GridState): number {
  let v = 0;
  for (const o of state.orders) if (o.side === 'sell') v += o.volume - o.bookedVolume;
  return v;
}

/** Cash already promised to open or pending buys, fees included. */
export function committedQuote(state: GridState, makerFeePct: number): number {
  let c = 0;
  for (const o of state.orders) if (o.side === 'buy') c += commitment(o, makerFeePct);
  return c;
}

/** What one order holds of its side's funds: DOGE for a sell, USD with the fee for a buy. */
export function commitment(o: { side: Side; volume: number; bookedVolume: number; price: number }, makerFeePct: number): number {
  const left = o.volume - o.bookedVolume;
  return o.side === 'sell' ? left : left * o.price * (1 + makerFeePct / 100);
}

/** The side's funds not promised to any order: DOGE for sells (accumulated DOGE excluded), USD for buys. */
export function freeFunds(state: GridState, side: Side, makerFeePct: number): number {
  return side === 'sell' ? state.ledger.inventory - state.profit.dogeAccumulated - committedBase(state) : state.ledger.cash - committedQuote(state, makerFeePct);
}

/** Whether `free` funds of the intent's side (see freeFunds) pay for it. */
export function fundsCover(free: number, intent: OrderIntent, makerFeePct: number): boolean {
  if (intent.side === 'sell') return free + VOLUME_EPS >= intent.volume;
  return free + 1e-9 >= intent.price * intent.volume * (1 + makerFeePct / 100);
}

/** Whether the ledger can fund a new order on top of what is already committed. */
export function canFund(state: GridState, intent: OrderIntent, makerFeePct: number): boolean {
  return fundsCover(freeFunds(state, intent.side, makerFeePct), intent, makerFeePct);
}

// ---------------------------------------------------------------- text

function usd(x: number): string {
  return (x < 0 ? '-$' : '$') + Math.abs(x).toFixed(4);
}

/** Plain-text summary for /status and the periodic log line. */
export function statusText(state: GridState, price: number, mode: 'dry_run' | 'live'): string {
  const buys = state.orders.filter((o) => o.side === 'buy').length;
  const sells = state.orders.length - buys;
  const eq = equity(state.ledger, price);
  const lines = [
    `${mode === 'dry_run' ? 'DRY RUN' : 'LIVE'}${state.risk.stopped ? ' — STOPPED' : state.risk.paused ? ' — PAUSED' : ''}`,
    `Price ${price.toFixed(6)} | center ${state.center.toFixed(6)} (${driftPct(price, state.center).toFixed(2)}%)`,
    `Grid: ${buys} buys, ${sells} sells, spacing ${state.settings.spacingPct}%, ${usd(state.orderSizeUsd)} per order`,
    `Trend ratio ${state.trend.ratio.toFixed(2)} (${state.settings.ratioOverride === null ? 'auto' : 'manual'}; 12h fills ${state.trend.buys12h}B/${state.trend.sells12h}S)`,
    `Today: ${usd(state.profit.today)} over ${state.profit.roundTripsToday} round trips`,
    `Total: ${usd(state.profit.total)} over ${state.profit.roundTrips} round trips, fees ${usd(state.profit.fees)}`,
    `Equity ${usd(eq)} (cash ${usd(state.ledger.cash)}, ${state.ledger.inventory.toFixed(2)} DOGE)`,
  ];
  if (state.profit.dogeAccumulated > 0) lines.push(`DOGE accumulated: ${state.profit.dogeAccumulated.toFixed(2)}`);
  if (state.risk.paused) lines.push(`Paused: ${state.risk.pauseReason ?? ''}`);
  if (state.risk.stopped) lines.push(`Stopped: ${state.risk.stopReason ?? ''}`);
  if (state.startWait) lines.push(`Waiting for start price ${state.startWait.price} (now ${price})`);
  if (state.exit) lines.push(`Sell-on-stop ${state.exit.phase}: sold ${state.exit.sold} DOGE for $${state.exit.proceeds.toFixed(4)}, fees $${state.exit.fees.toFixed(4)}`);
  return lines.join('\n');
}
