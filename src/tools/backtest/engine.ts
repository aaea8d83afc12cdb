// The replay: OHLC candles through the real trading code — the dry-run bot as
// Bot.create builds it (Trader, PaperExchange, fresh state), one
// Trader.tick() per visited price, on a fake clock. Nothing here decides
// anything about trading; it only chooses which prices to show the Trader and
// when.
//
// Inside a candle the price visits, in this order: the open, then whichever
// of high and low is nearer to the open (the low on a tie), then the other
// extreme, then the close. The four visits happen at the candle's start plus
// 0, ¼, ½ and ¾ of the candle length (whole milliseconds). A visit at the same
// price as the previous visit of the same candle is the same tick (so a candle
// with open = high = low = close is exactly one tick at its start, like one
// poll of the live loop). Each visit is one `Trader.tick()` — unless the fast
// path proves the tick would do nothing:
//
// The quiet band. After every real tick the engine derives, from the state
// the Trader left behind, the open interval (lo, hi) of prices and the time
// `next` before which a tick can change nothing:
//   - lo/hi: the highest open buy and lowest open sell (the paper exchange
//     fills nothing strictly between them); the drift-rebuild limits
//     center × (1 ± GRID_DRIFT_RESET_PCT %) while trading; the prices at which
//     mark-to-market equity would reach the stop floor or today's loss limit
//     (equity = cash + inventory × price is monotone in the price);
//   - next: the next trading-day boundary, the moment the oldest fill of the
//     last 12 h leaves the trend window, the next accumulation sweep;
//   - and "tick at once" whenever an order is not plainly resting (pending or
//     unknown placement, or a non-post-only accumulation order that the paper
//     exchange may already have filled).
// A visit strictly inside (lo, hi) before `next` is skipped; a whole candle is
// skipped with three comparisons when low > lo, high < hi and its last visit
// is before `next`. All margins are inward (a doubtful visit runs the real
// tick), and a real tick inside the band is a no-op, so skipping never changes
// a fill, a rebuild or the ledger. The only thing skipped visits do not leave
// behind is their price sample in `state.priceHistory` (and
// `state.lastPrice`), which no trading rule reads; the analyzers get candle
// closes instead. `fastPath: false` runs every visit; `verify: true` runs every
// visit and checks that each one the fast path would have skipped changed
// nothing (tests use both). Even with the fast path, one skippable candle in
// 2048 is ticked and checked the same way, and the replay stops with an error
// if such a tick changes anything.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bot } from '../../bot.js';
import { loadConfig, type Config } from '../../config.js';
import { FALLBACK_PAIR_INFO, type MarketData, type PairInfo, type Ticker } from '../../exchange/exchange.js';
import { TREND_WINDOW_MS, type GridState, type Settings } from '../../core/grid-strategy.js';
import { equity, identityError, unrealized } from '../../core/ledger.js';
import { configureLogger, errorMessage } from '../../util/log.js';
import { PaperExchange } from '../../exchange/paper-exchange.js';
import { newBaseline, runAnalyzers, updateBaseline, type StatsReport } from '../../stats/analyzers.js';
import { strategyConfig, type TraderEvent } from '../../core/trader.js';
import type { Candle, FillRecord, PricePoint } from '../../core/types.js';
import { lowerBound, toCandles, type CandleSeries } from './candles.js';

const DAY_MS = 86_400_000;
/** One quiet candle in this many is replayed anyway, as a check of the quiet band (see the header). */
const AUDIT_EVERY = 2048;

/** Environment variables of the bot that shape the strategy; a backtest reads these and nothing else. */
export const STRATEGY_ENV_VARS = [
  'STARTING_CAPITAL',
  'MAKER_FEE_PCT',
  'GRID_SPACING_PCT',
  'STOP_FLOOR',
  'DAILY_LOSS_LIMIT',
  'GRID_DRIFT_RESET_PCT',
  'DAILY_SUMMARY_HOUR_UTC',
  'MONTHLY_RESERVE_USD',
  'ACCUMULATION_SWEEP_DAYS',
  'ORDER_SIZE_USD',
  'GRID_LEVELS',
  'PAIR',
] as const;

/** A Config for one scenario through the real loadConfig (same validation, e.g. spacing ≥ fees + 0.1). */
export function backtestConfig(opts: { spacingPct?: number; capital?: number; makerFeePct?: number; env?: Record<string, string | undefined> } = {}): Config {
  const env: Record<string, string> = { DRY_RUN: 'true', LOG_DIR: os.tmpdir(), HEALTH_PORT: '0', LOG_LEVEL: 'ERROR' };
  for (const k of STRATEGY_ENV_VARS) {
    const v = opts.env?.[k];
    if (v !== undefined) env[k] = v;
  }
  if (opts.capital !== undefined) env.STARTING_CAPITAL = String(opts.capital);
  if (opts.makerFeePct !== undefined) env.MAKER_FEE_PCT = String(opts.makerFeePct);
  if (opts.spacingPct !== undefined) env.GRID_SPACING_PCT = String(opts.spacingPct);
  return loadConfig(env);
}

/**
 * The Settings field a levels override would live in. The Trader does not
 * honour it yet (see LEVELS_UNSUPPORTED); the engine sets it and checks
 * whether the grid it gets has that many levels.
 */
export const LEVELS_OVERRIDE_FIELD = 'levelsOverride';
export const LEVELS_UNSUPPORTED =
  '--levels needs the Trader to honour a levels override: add `levelsOverride?: number | null` to Settings (src/grid-strategy.ts) ' +
  'and, in Trader.rebuildInner (src/trader.ts), use `s.settings.levelsOverride ?? params.levelsPerSide` for s.levelsPerSide and planGrid';

export class BacktestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestError';
  }
}

/** The price source of the paper account: whatever price the engine is showing. */
class ReplayMarket implements MarketData {
  price = 0;
  constructor(private readonly pair: PairInfo) {}
  getTicker(): Promise<Ticker> {
    const p = this.price;
    return Promise.resolve({ bid: p, ask: p, last: p });
  }
  getOhlc(): Promise<Candle[]> {
    return Promise.resolve([]);
  }
  getPairInfo(): Promise<PairInfo> {
    return Promise.resolve(this.pair);
  }
}

export interface BacktestOptions {
  config: Config;
  /** Levels per side instead of the adaptive count (needs the Trader hook; throws BacktestError otherwise). */
  levelsPerSide?: number | null;
  /** Pair rules (decimals, minimums). Default: the reference fallbacks (ordermin 13 DOGE, costmin $0.50). */
  pair?: PairInfo;
  /** Deployment id; client order ids derive from it. */
  botId?: string;
  /** Skip visits inside the quiet band (default true). */
  fastPath?: boolean;
  /** Run every visit and check the skippable ones changed nothing (slow; tests). */
  verify?: boolean;
  /** Every trading event, as the bot's notifier would see it. */
  onEvent?: (e: TraderEvent) => void;
  /** Stamp log lines with the replay's clock while it runs (the logger is global; restored to the wall clock after). */
  logReplayTime?: boolean;
}

export interface ScenarioSummary {
  spacingPct: number;
  /** Levels per side of the last grid built. */
  levelsPerSide: number;
  levelsOverride: number | null;
  candles: number;
  intervalMs: number;
  from: string;
  to: string;
  days: number;
  firstPrice: number;
  lastPrice: number;
  startingCapital: number;
  makerFeePct: number;
  /** Sum of completed round trips, net of both fees (what the bot reports as total profit). */
  netProfit: number;
  roundTrips: number;
  /** Every fee paid (all fills). */
  fees: number;
  fills: number;
  fillsPerDay: number;
  /** Mark-to-market equity at the last close, and its change from the starting capital (includes inventory gains/losses). */
  finalEquity: number;
  equityChange: number;
  realized: number;
  unrealized: number;
  /** Largest fall of mark-to-market equity from a previous peak, over every visited price. */
  maxDrawdown: number;
  maxDrawdownPct: number;
  cash: number;
  inventory: number;
  inventoryValue: number;
  dogeAccumulated: number;
  rebuilds: Record<string, number>;
  pauses: number;
  stopped: boolean;
  /** When the stop floor stopped trading (the inventory is kept and still marked to market afterwards). */
  stoppedAt: string | null;
  stopReason: string | null;
  warnings: number;
  errors: number;
  health: { verdict: string; summary: string };
  analyzers: { name: string; verdict: string; summary: string }[];
  perf: { realTicks: number; replayMs: number; candlesPerSecond: number };
}

export interface BacktestRun {
  summary: ScenarioSummary;
  /** The Trader's state at the end (the same shape the bot persists). */
  state: GridState;
  /** Every fill, in order (the state keeps only the last 10 000). */
  fills: FillRecord[];
  stats: StatsReport;
  exchange: PaperExchange;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
/** The smallest double above a positive finite x. */
export function nextUp(x: number): number {
  f64[0] = x;
  u64[0] = u64[0]! + 1n;
  return f64[0]!;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

export async function runBacktest(series: CandleSeries, opts: BacktestOptions): Promise<BacktestRun> {
  const n = series.length;
  if (n === 0) throw new BacktestError('no candles to replay');
  const { time, open, high, low, close } = series;
  const interval = series.intervalMs > 0 ? series.intervalMs : 60_000;
  const slot1 = Math.floor(interval / 4);
  const slot2 = Math.floor(interval / 2);
  const slot3 = Math.floor((3 * interval) / 4);
  const config = opts.config;
  const cfg = strategyConfig(config);
  if (!config.dryRun) throw new BacktestError('a backtest needs a dry-run configuration (DRY_RUN=true)');
  const fast = opts.fastPath !== false && !opts.verify;
  const verify = opts.verify === true;
  const pair = opts.pair ?? FALLBACK_PAIR_INFO;

  let clockNow = time[0]!;
  const now = (): number => clockNow;
  const market = new ReplayMarket(pair);
  const levelsOverride = opts.levelsPerSide ?? null;
  const fills: FillRecord[] = [];
  const rebuilds: Record<string, number> = {};
  let pauses = 0;
  let warnings = 0;
  let errors = 0;
  let levelsIgnored = false;
  let eventsInTick = 0;
  let stoppedAt: number | null = null;
  // The dry-run bot exactly as the daemon builds it (fresh state, paper account
  // and fees, Trader), on a directory that does not exist: nothing is loaded,
  // and since only the Trader is driven (never Bot.persist), nothing is written.
  const scratch = path.join(os.tmpdir(), `grid-backtest-${process.pid}-${crypto.randomUUID()}`);
  if (fs.existsSync(scratch)) throw new BacktestError(`scratch path ${scratch} exists`);
  const bot = Bot.create({
    config: { ...config, logDir: scratch },
    market,
    now,
    botId: opts.botId ?? 'b4c7e57b4c7e57b4c7e5',
    journal: null,
    persist: false,
    services: {
      onEvent: (e) => {
        eventsInTick++;
        if (e.type === 'fill' || e.type === 'round_trip') fills.push(e.fill);
        else if (e.type === 'grid_built') {
          const key = e.reason.startsWith('reset') ? 'reset' : e.reason;
          rebuilds[key] = (rebuilds[key] ?? 0) + 1;
          if (levelsOverride !== null && state.levelsPerSide !== levelsOverride) levelsIgnored = true;
        } else if (e.type === 'risk' && e.action === 'pause') pauses++;
        else if (e.type === 'risk' && e.action === 'stop') stoppedAt = clockNow;
        else if (e.type === 'warning') warnings++;
        opts.onEvent?.(e);
      },
    },
  });
  const trader = bot.trader;
  const state = bot.state;
  if (!(bot.exchange instanceof PaperExchange)) throw new BacktestError('the dry-run bot did not build a paper exchange');
  const exchange = bot.exchange;
  if (levelsOverride !== null) (state.settings as Settings & Record<string, unknown>)[LEVELS_OVERRIDE_FIELD] = levelsOverride;

  // ---- the quiet band, recomputed after every real tick
  let lo = Infinity; // nothing is quiet until the first refresh
  let hi = -Infinity;
  let next = -Infinity;
  let cash = state.ledger.cash;
  let inv = state.ledger.inventory;
  let dayKeyCached = '';
  let dayEnd = 0;
  const hourMs = config.dailySummaryHourUtc * 3_600_000;
  const sweepMs = config.accumulationSweepDays * DAY_MS;

  const refresh = (t: number): void => {
    const s = state;
    let force = false;
    let maxBuy = -Infinity;
    let minSell = Infinity;
    for (const o of s.orders) {
      if (o.status !== 'open' || o.kind === 'accumulation') force = true;
      if (o.side === 'buy') {
        if (o.price > maxBuy) maxBuy = o.price;
      } else if (o.price < minSell) minSell = o.price;
    }
    let l = maxBuy;
    let h = minSell;
    cash = s.ledger.cash;
    inv = s.ledger.inventory;
    if (s.funded && !s.risk.stopped) {
      let e = cfg.stopFloor;
      if (!s.risk.paused) e = Math.max(e, s.day.startEquity - cfg.dailyLossLimit);
      e += 1e-9 * Math.max(1, Math.abs(e));
      if (inv > 0) {
        const p = (e - cash) / inv;
        l = Math.max(l, p + Math.abs(p) * 1e-12);
      } else if (inv < 0) {
        const p = (cash - e) / -inv;
        h = Math.min(h, p - Math.abs(p) * 1e-12);
      } else if (!(cash > e)) force = true;
    }
    if (!s.risk.paused && !s.risk.stopped && s.center > 0) {
      const d = (cfg.gridDriftResetPct - 1e-6) / 100;
      l = Math.max(l, s.center * (1 - d));
      h = Math.min(h, s.center * (1 + d));
    }
    if (s.day.key !== dayKeyCached) {
      dayKeyCached = s.day.key;
      dayEnd = Date.parse(s.day.key + 'T00:00:00Z') + DAY_MS + hourMs;
    }
    let nx = dayEnd;
    const f = s.fills;
    const windowStart = t - TREND_WINDOW_MS;
    let oldest = Infinity;
    for (let j = f.length - 1; j >= 0; j--) {
      const ft = f[j]!.time;
      if (ft < windowStart) break;
      if (ft <= t) oldest = ft;
    }
    // computeTrend drops a fill once now > time + 12 h: the first such instant is the double just above.
    if (oldest < Infinity) nx = Math.min(nx, nextUp(oldest + TREND_WINDOW_MS));
    if (!s.risk.paused && !s.risk.stopped) {
      const due = s.accumulation.lastSweepAt + sweepMs - 1;
      if (due < nx) nx = due;
    }
    lo = l;
    hi = h;
    next = force ? -Infinity : nx;
  };

  // ---- equity drawdown over every visited price
  let peak = state.ledger.startingCapital;
  let maxDd = 0;
  let maxDdPct = 0;
  const mark = (p: number): void => {
    const e = cash + inv * p;
    if (e >= peak) peak = e;
    else {
      const d = peak - e;
      if (d > maxDd) maxDd = d;
      if (d / peak > maxDdPct) maxDdPct = d / peak;
    }
  };

  let realTicks = 0;
  /** One real tick at (t, p). With `quiet`, the fast path would have skipped it: check that it changed nothing. */
  const tickAt = async (t: number, p: number, quiet: boolean): Promise<void> => {
    clockNow = t;
    market.price = p;
    const rev = state.revision;
    const nFills = fills.length;
    const ledgerBefore = quiet ? JSON.stringify(state.ledger) : '';
    const ordersBefore = state.orders.length;
    eventsInTick = 0;
    try {
      await trader.tick();
    } catch (err) {
      // The live loop logs, counts and carries on; so does the replay.
      errors++;
      if (errors <= 3) process.emitWarning(`backtest tick at ${iso(t)} failed: ${errorMessage(err)}`);
    }
    realTicks++;
    if (quiet && (state.revision !== rev || fills.length !== nFills || eventsInTick !== 0 || state.orders.length !== ordersBefore || JSON.stringify(state.ledger) !== ledgerBefore)) {
      throw new BacktestError(
        `fast-path check: the tick at ${iso(t)} (price ${p}, inside the quiet band ${lo}…${hi}, before ${iso(next)}) changed the state. ` +
          'The Trader does something the quiet band does not know about: rerun with --no-fast-path, and update src/backtest/engine.ts',
      );
    }
    refresh(t);
    if (verify) await checkBook();
  };

  /** Verify mode: the orders the state holds as resting are exactly the paper exchange's open orders. */
  const checkBook = async (): Promise<void> => {
    const open = new Set((await exchange.listOpenOrders()).map((o) => o.id));
    const ours = new Set(state.orders.filter((o) => o.status === 'open' && o.kind !== 'accumulation' && o.id).map((o) => o.id as string));
    for (const id of open) if (!ours.has(id)) throw new BacktestError(`fast-path check: paper order ${id} is open but not in the state`);
    for (const id of ours) if (!open.has(id)) throw new BacktestError(`fast-path check: state order ${id} is not open on the paper exchange`);
  };

  const ps = new Float64Array(4);
  const slots = [0, slot1, slot2, slot3];
  /** The visits of candle i from visit k0 on, one at a time. */
  const candleSlow = async (i: number, k0: number): Promise<void> => {
    const t0 = time[i]!;
    const o = open[i]!;
    const hg = high[i]!;
    const lw = low[i]!;
    const lowFirst = o - lw <= hg - o;
    ps[0] = o;
    ps[1] = lowFirst ? lw : hg;
    ps[2] = lowFirst ? hg : lw;
    ps[3] = close[i]!;
    let prev = NaN;
    for (let k = 0; k < 4; k++) {
      const p = ps[k]!;
      if (p === prev) continue;
      prev = p;
      if (k < k0) continue;
      const t = t0 + slots[k]!;
      const quiet = p > lo && p < hi && t < next;
      if (!fast || !quiet) await tickAt(t, p, verify && quiet);
      mark(p);
    }
  };

  let quietCandles = 0;
  /** The replay proper: start at candle 0's open, then every candle. */
  const replay = async (): Promise<void> => {
    // Candle 0's open starts the bot (first grid), like Bot.start() at the first price.
    market.price = open[0]!;
    await trader.exclusive(() => trader.start());
    realTicks++;
    if (levelsOverride !== null && (levelsIgnored || state.levelsPerSide !== levelsOverride)) throw new BacktestError(LEVELS_UNSUPPORTED);
    refresh(clockNow);
    if (verify) await checkBook();
    mark(open[0]!);
    await candleSlow(0, 1);
    for (let i = 1; i < n; i++) {
      if (fast) {
        const lw = low[i]!;
        const hg = high[i]!;
        if (lw > lo && hg < hi && time[i]! + slot3 < next) {
          // Quiet candle: no tick; only the equity curve moves (visit order as in candleSlow).
          // Every AUDIT_EVERY-th one still runs its close through the real tick and
          // checks that nothing changed: a guard against Trader behaviour the band
          // does not model (it costs a few hundred ticks a year).
          if (++quietCandles % AUDIT_EVERY === 0) await tickAt(time[i]! + slot3, close[i]!, true);
          const o = open[i]!;
          const c = close[i]!;
          mark(o);
          if (o - lw <= hg - o) {
            mark(lw);
            mark(hg);
          } else {
            mark(hg);
            mark(lw);
          }
          mark(c);
          continue;
        }
      }
      await candleSlow(i, 0);
    }
  };

  const started = performance.now();
  if (opts.logReplayTime) configureLogger({ now });
  try {
    await replay();
  } finally {
    if (opts.logReplayTime) configureLogger({ now: Date.now });
  }
  const replayMs = performance.now() - started;
  if (levelsIgnored) throw new BacktestError(LEVELS_UNSUPPORTED);

  // ---- the end: analyzers as the bot's stats runner would run them, on candle data
  const endT = time[n - 1]! + slot3;
  clockNow = endT;
  const lastPrice = close[n - 1]!;
  const from24 = lowerBound(time, endT - DAY_MS);
  const prices: PricePoint[] = [];
  for (let i = from24; i < n; i++) prices.push({ time: time[i]! + slot3, price: close[i]! });
  const candles = toCandles(series, from24, n);
  let lowestBuy: number | null = null;
  let highestSell: number | null = null;
  for (const o of state.orders) {
    if (o.side === 'buy') lowestBuy = lowestBuy === null ? o.price : Math.min(lowestBuy, o.price);
    else highestSell = highestSell === null ? o.price : Math.max(highestSell, o.price);
  }
  const baseline = updateBaseline(newBaseline(state.startedAt), fills, endT);
  const stats = runAnalyzers({
    now: endT,
    fills: state.fills,
    roundTripProfits: state.roundTripProfits,
    prices,
    candles,
    grid: { center: state.center, spacingPct: state.settings.spacingPct, lowestBuy, highestSell, levelsPerSide: state.levelsPerSide },
    pollIntervalSec: interval / 1000,
    baseline,
  });

  const ledger = state.ledger;
  if (identityError(ledger, lastPrice) > 1e-9) throw new BacktestError('ledger identity broken at the end of the replay');
  const days = (time[n - 1]! + interval - time[0]!) / DAY_MS;
  const finalEquity = equity(ledger, lastPrice);
  const summary: ScenarioSummary = {
    spacingPct: state.settings.spacingPct,
    levelsPerSide: state.levelsPerSide,
    levelsOverride,
    candles: n,
    intervalMs: interval,
    from: iso(time[0]!),
    to: iso(time[n - 1]! + interval),
    days,
    firstPrice: open[0]!,
    lastPrice,
    startingCapital: ledger.startingCapital,
    makerFeePct: config.makerFeePct,
    netProfit: state.profit.total,
    roundTrips: state.profit.roundTrips,
    fees: state.profit.fees,
    fills: fills.length,
    fillsPerDay: days > 0 ? fills.length / days : 0,
    finalEquity,
    equityChange: finalEquity - ledger.startingCapital,
    realized: ledger.realized,
    unrealized: unrealized(ledger, lastPrice),
    maxDrawdown: maxDd,
    maxDrawdownPct: maxDdPct * 100,
    cash: ledger.cash,
    inventory: ledger.inventory,
    inventoryValue: ledger.inventory * lastPrice,
    dogeAccumulated: state.profit.dogeAccumulated,
    rebuilds,
    pauses,
    stopped: state.risk.stopped,
    stoppedAt: stoppedAt === null ? null : iso(stoppedAt),
    stopReason: state.risk.stopReason,
    warnings,
    errors,
    health: { verdict: stats.health.verdict, summary: stats.health.summary },
    analyzers: stats.analyzers.map((a) => ({ name: a.name, verdict: a.verdict, summary: a.summary })),
    perf: { realTicks, replayMs, candlesPerSecond: replayMs > 0 ? (n / replayMs) * 1000 : 0 },
  };
  return { summary, state, fills, stats, exchange };
}
