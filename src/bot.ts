// The conductor: configuration, the exchange, the schedule of ticks, what
// happens after each tick (save, journal, analyzers, AI, approvals), the
// outside services, and shutdown. Trading itself lives in trader.ts.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Exchange, MarketData } from './exchange/exchange.js';
import type { GridState } from './core/grid-strategy.js';
import { KrakenClient, FileNonceStore } from './exchange/kraken/client.js';
import { FileRateStore } from './exchange/kraken/rate-limiter.js';
import { KrakenExchange } from './exchange/kraken/kraken-exchange.js';
import { KrakenStream, wsSymbol, type KrakenStreamOptions, type StreamHealth } from './exchange/kraken/stream.js';
import type { StreamSync } from './exchange/kraken/stream-sync.js';
import { configureLogger, errorMessage, guardStdout, logger, registerSecret } from './util/log.js';
import { PaperExchange, type PaperSnapshot } from './exchange/paper-exchange.js';
import { createServices } from './frontends/services.js';
import type { BotHandle, BotHooks } from './ops/bot-handle.js';
import { tradingProblem } from './ops/views.js';
import { CsvJournal } from './persistence/journal.js';
import { StateStore } from './persistence/state-store.js';
import type { Trader } from './core/trader.js';
import type { Journal } from './core/trading/events.js';
import { paperExchange, setUpTrading, type Trading } from './trading-setup.js';

const log = logger('bot');

const PRICE_SAVE_INTERVAL_MS = 5 * 60_000;
/**
 * How long shutdown may spend cancelling. Cancelling orders younger than a few
 * seconds costs Kraken rate points, so a burst can take minutes; what is not
 * cancelled in time stays in the saved state and is adopted at the next start.
 */
const SHUTDOWN_CANCEL_BUDGET_MS = 8_000;
/** Kept from the cancel budget for booking what the cancels left (one query) before the race ends. */
const SHUTDOWN_BOOKING_MS = 1_500;
const STATUS_LOG_INTERVAL_MS = 5 * 60_000;

/** The saved state belongs to the other mode (dry run vs live). */
export class StateModeError extends Error {
  constructor(saved: string, wanted: string, dir: string) {
    super(
      `the state in ${dir} was written in ${saved === 'live' ? 'LIVE' : 'DRY RUN'} mode but DRY_RUN says ${wanted === 'live' ? 'LIVE' : 'DRY RUN'}; ` +
        `point LOG_DIR at a fresh directory for ${wanted === 'live' ? 'live trading (paper profits and balances must not count as real)' : 'the dry run'} (moving state.json away is not enough: its backup would be restored)`,
    );
    this.name = 'StateModeError';
  }
}

/** A setting of the environment that cannot work with the saved state (e.g. a stop floor above the saved capital). */
export class StateSettingsError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'StateSettingsError';
  }
}

/** Nothing was ever funded, placed or filled: the saved state holds no history worth keeping over the environment. */
function neverTraded(state: GridState): boolean {
  return !state.funded && state.fills.length === 0 && state.orders.length === 0 && state.profit.roundTrips === 0;
}

/** Live mode with a state file that exists but cannot be read, and no usable backup. */
export class StateUnreadableError extends Error {
  constructor(dir: string) {
    super(
      `the saved state in ${dir} could not be read (kept aside as state.json.corrupt-*) and there is no usable backup; ` +
        'starting fresh would forget working orders and the profit history. Inspect the files, then restore one as state.json or move them away to start fresh',
    );
    this.name = 'StateUnreadableError';
  }
}

/** Start-up settings that the saved state overrides after the first start; say so instead of ignoring the env silently. */
function warnOverridden(config: Config, state: GridState): void {
  const diffs: string[] = [];
  if (state.settings.spacingPct !== config.gridSpacingPct) diffs.push(`GRID_SPACING_PCT=${config.gridSpacingPct} (saved spacing ${state.settings.spacingPct}% is used; change it with /spacing or the dashboard)`);
  if (state.settings.aiIntervalSec !== config.aiAdvisorInterval) diffs.push(`AI_ADVISOR_INTERVAL=${config.aiAdvisorInterval} (saved ${state.settings.aiIntervalSec} s is used)`);
  if (state.ledger.startingCapital !== config.startingCapital) diffs.push(`STARTING_CAPITAL=${config.startingCapital} (the saved ledger started with $${state.ledger.startingCapital}; start on a fresh LOG_DIR to change it)`);
  // The issue-14 rules (changeable at run time, saved like the spacing).
  const st = state.settings;
  const rule = (name: string, saved: unknown, env: unknown): void => void (saved !== undefined && saved !== env && diffs.push(`${name}=${env === null || env === undefined ? '(empty)' : String(env)} (saved ${saved === null ? 'off' : String(saved)} is used; change it with Telegram or the dashboard)`));
  rule('START_PRICE', st.startPrice, config.startPrice ?? null);
  rule('TAKE_PROFIT_EQUITY', st.takeProfitEquity, config.takeProfitEquity ?? null);
  rule('STOP_ACTION', st.stopAction, config.stopAction ?? 'hold');
  rule('PROFIT_MODE', st.profitMode, config.profitMode ?? 'accumulate');
  for (const d of diffs) log.warn(`saved state overrides ${d}`);
  // The risk rules compare with the saved ledger's capital: a floor at or above it would stop trading at once.
  if (config.stopFloor >= state.ledger.startingCapital) {
    throw new StateSettingsError(
      'STOP_FLOOR',
      `must be below the saved ledger's starting capital $${state.ledger.startingCapital} (STARTING_CAPITAL only applies to a fresh LOG_DIR), got ${config.stopFloor}`,
    );
  }
}

export interface BotOptions {
  config: Config;
  /** Injected in tests; by default Kraken (live) or a paper account on Kraken prices (dry run). */
  exchange?: Exchange;
  /** Price source of the paper account in dry run (default: Kraken's public API). */
  market?: MarketData;
  now?: () => number;
  /** Deterministic deployment id for tests; random and persisted otherwise. */
  botId?: string;
  /** Where fills and daily rows go; default CSV files in LOG_DIR, null for none (backtests). */
  journal?: Journal | null;
  /** false: never write state (backtests). Default true. */
  persist?: boolean;
  services?: BotHooks;
  /** Waits between start-up attempts (tests pass an instant one); default a timer that shutdown can cut short. */
  sleep?: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for the health check (default performance.now; tests inject one). */
  monoNow?: () => number;
  /** Overrides for the Kraken WebSocket stream the bot builds (tests: timers, random, stale limit). */
  stream?: Partial<KrakenStreamOptions>;
}

/** The hooks the outside services plug in (kept under its old name for tests and tools). */
export type BotServices = BotHooks;

/**
 * The daemon's Kraken client. Its rate limiter decays on a monotonic clock in
 * production (a wall-clock step must not freeze or flood calls); tests that
 * inject a clock drive the limiter with it, as the simulator decays on it too.
 */
function krakenClient(config: Config, now: () => number, monoNow: (() => number) | undefined): KrakenClient {
  return new KrakenClient({
    ...(monoNow ? { monoNow } : {}),
    baseUrl: config.krakenApiUrl,
    apiKey: config.dryRun ? undefined : config.krakenApiKey,
    apiSecret: config.dryRun ? undefined : config.krakenApiSecret,
    tier: config.krakenTier,
    now,
    nonceStore: config.dryRun ? undefined : new FileNonceStore(path.join(config.logDir, 'nonce')),
    // Kraken's per-pair trading counter as we modelled it, so a restart (even after kill -9) never causes a rate-limit reject.
    rateStore: config.dryRun ? undefined : new FileRateStore(path.join(config.logDir, 'trading-counter.json')),
  });
}

/**
 * KRAKEN_WS: a Kraken WebSocket v2 stream on the exchange that talks to Kraken (live: ticker and
 * executions; dry run: the ticker of the paper account's price source). Null when off. `now` is
 * monotonic: silence and token age are measured in real elapsed time, whatever the wall clock does.
 */
function attachKrakenStream(config: Config, kraken: KrakenExchange, now: () => number, over: Partial<KrakenStreamOptions> = {}): StreamSync | null {
  if (!config.krakenWs) return null;
  const stream = new KrakenStream({
    wsUrl: config.krakenWsUrl,
    wsAuthUrl: config.dryRun ? null : config.krakenWsAuthUrl,
    symbol: wsSymbol(config.pair),
    getToken: () => kraken.client.getWebSocketsToken(),
    now,
    random: Math.random,
    ...over,
  });
  return kraken.attachStream(stream);
}

/**
 * The injected exchange, or Kraken (live), or in dry run a paper account on the
 * injected price source or Kraken's public prices; with the Kraken stream when KRAKEN_WS is on.
 */
function openExchange(opts: BotOptions, now: () => number, state: GridState, snapshot: PaperSnapshot | null): { exchange: Exchange; streamSync: StreamSync | null } {
  const config = opts.config;
  if (opts.exchange) return { exchange: opts.exchange, streamSync: opts.exchange instanceof KrakenExchange ? opts.exchange.streamSync : null };
  const monoClock = opts.monoNow ?? (opts.now ? undefined : () => performance.now());
  const kraken = (): { kraken: KrakenExchange; streamSync: StreamSync | null } => {
    const k = new KrakenExchange(krakenClient(config, now, monoClock), { pair: config.pair, userref: config.krakenUserref, now });
    return { kraken: k, streamSync: attachKrakenStream(config, k, opts.monoNow ?? (() => performance.now()), opts.stream) };
  };
  if (!config.dryRun) {
    const live = kraken();
    return { exchange: live.kraken, streamSync: live.streamSync };
  }
  if (opts.market) {
    return { exchange: paperExchange(config, state, opts.market, now, snapshot), streamSync: opts.market instanceof KrakenExchange ? opts.market.streamSync : null };
  }
  const prices = kraken();
  return { exchange: paperExchange(config, state, prices.kraken, now, snapshot), streamSync: prices.streamSync };
}

/** Fewest milliseconds between two ticks woken by the dry-run price stream. */
const PRICE_WAKE_MIN_MS = 1000;

export class Bot implements BotHandle {
  readonly config: Config;
  readonly trader: Trader;
  readonly store: StateStore;
  readonly exchange: Exchange;
  readonly now: () => number;
  readonly startedAt: number;
  private services: BotHooks;
  private savedRevision = -1;
  private lastPriceSave = 0;
  private lastStatusLog = 0;
  consecutiveErrors = 0;
  errorsTotal = 0;
  lastTickAt: number | null = null;
  lastTickMs = 0;
  ticks = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping: Promise<void> | null = null;
  /** True once the first start-up (reconcile or first grid) succeeded. */
  started = false;
  /** The state came from LOG_DIR (a restart), not from the environment. */
  restored = false;
  /** Why the last start-up attempt failed, while it keeps failing. */
  startError: string | null = null;
  /** The last tick's error, while ticks keep failing. */
  lastError: string | null = null;
  /** Why the state could not be saved (full disk, permissions), until a save succeeds. */
  saveError: string | null = null;
  /** performance.now() of the last good tick: wall-clock steps must not make a stalled loop look fresh. */
  private lastTickMono: number | null = null;
  /** The trading problem Telegram was told about (cleared with a recovery notice). */
  private notifiedProblem: string | null = null;
  private readonly sleep: ((ms: number) => Promise<void>) | undefined;
  private readonly monoNow: () => number;
  /** Ends the start-up retry wait early (shutdown). */
  private wakeStart: (() => void) | null = null;
  /** The Kraken WebSocket stream (KRAKEN_WS), null when off or when the exchange is not Kraken's. */
  readonly streamSync: StreamSync | null;
  /** A tick woken by the stream is queued (at most one waits behind the running one). */
  private wakeQueued = false;
  private lastPriceWake = -Infinity;
  /** Resolves when the loop stops for good, with the process exit code. */
  readonly finished: Promise<number>;
  private finish!: (code: number) => void;

  private constructor(opts: BotOptions, trading: Trading, store: StateStore, streamSync: StreamSync | null = null) {
    this.config = opts.config;
    this.streamSync = streamSync;
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.services = opts.services ?? {};
    this.sleep = opts.sleep;
    this.monoNow = opts.monoNow ?? (() => performance.now());
    this.store = store;
    this.exchange = trading.exchange;
    this.trader = trading.trader;
    this.finished = new Promise((resolve) => (this.finish = resolve));
    if (streamSync) this.wireStream(streamSync);
  }

  /**
   * Stream events wake the trader at once through the serialised tick (never beside it): an
   * execution of one of our orders (live), a price that crosses one of our orders (dry run,
   * offered to the paper account first), and the stream going down or coming back (REST
   * reconciles at once).
   */
  private wireStream(sync: StreamSync): void {
    sync.onActivity(() => this.wake());
    const paper = this.exchange instanceof PaperExchange ? this.exchange : null;
    if (!paper) return;
    sync.stream.onTicker((t) => {
      if (!this.started || this.stopping) return;
      paper.observe(t.last);
      const crosses = this.state.orders.some((o) => o.status === 'open' && (o.side === 'buy' ? t.last <= o.price : t.last >= o.price));
      const now = this.now();
      if (crosses && now - this.lastPriceWake >= PRICE_WAKE_MIN_MS) {
        this.lastPriceWake = now;
        this.wake();
      }
    });
  }

  /** One tick soon (coalesced), when the bot runs. */
  private wake(): void {
    if (this.wakeQueued || !this.started || this.stopping) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      if (this.started && !this.stopping) void this.tickOnce();
    });
  }

  /** The stream's health for /api/status: rest_only when KRAKEN_WS is off or the exchange is not Kraken's. */
  streamHealth(): StreamHealth {
    return this.streamSync?.health() ?? { state: 'rest_only', last_message_age_s: null };
  }

  /** Plugs in the outside services (notifications, analyzers, AI); see frontends/services.ts. */
  use(services: BotHooks): void {
    this.services = { ...this.services, ...services };
  }

  get state(): GridState {
    return this.trader.state;
  }

  /** Loads the saved state (or starts fresh) and builds the exchange; does not talk to it yet. */
  static create(opts: BotOptions): Bot {
    const config = opts.config;
    const now = opts.now ?? Date.now;
    const store = new StateStore(config.logDir, now);
    const loaded = store.load();
    if (!config.dryRun && !loaded.saved && loaded.unreadable) {
      // Starting fresh would forget orders that may still be working and the profit history: an operator must look first.
      throw new StateUnreadableError(path.resolve(config.logDir));
    }
    let saved = loaded.saved;
    if (saved && neverTraded(saved.state)) {
      // A first start that never reached the exchange must not pin the capital and settings of that attempt.
      log.info('the saved state never traded: starting from the environment\'s settings (the deployment id is kept)');
      saved = null;
    }
    const mode = config.dryRun ? 'dry_run' : 'live';
    if (saved) {
      if (saved.state.mode && saved.state.mode !== mode) throw new StateModeError(saved.state.mode, mode, path.resolve(config.logDir));
      warnOverridden(config, saved.state);
    }
    let streamSync: StreamSync | null = null;
    // The Trader reports to the bot and checkpoints through it; the bot is made around the Trader (which emits nothing while built).
    let bot!: Bot;
    const trading = setUpTrading({
      config,
      now,
      saved: saved?.state ?? null,
      neverTraded: loaded.saved?.state ?? null,
      botId: opts.botId,
      exchange: (state) => {
        const opened = openExchange(opts, now, state, (saved?.exchange as PaperSnapshot | undefined) ?? null);
        streamSync = opened.streamSync;
        return opened.exchange;
      },
      journal: opts.journal === null ? undefined : (opts.journal ?? new CsvJournal(config.logDir)),
      onEvent: (e) => bot.services.onEvent?.(e, bot),
      checkpoint: opts.persist === false ? undefined : () => bot.persist(false),
    });
    bot = new Bot(opts, trading, store, streamSync);
    bot.restored = saved !== null;
    if (saved) bot.savedRevision = trading.state.revision;
    return bot;
  }

  /** Reconcile or build the first grid, retrying while the exchange is unreachable. */
  async start(): Promise<void> {
    this.streamSync?.stream.start();
    for (let attempt = 1; ; attempt++) {
      // A shutdown during a retry wait must not be followed by a grid nobody watches.
      if (this.stopping) return;
      try {
        await this.trader.exclusive(() => (this.stopping ? Promise.resolve() : this.trader.start()));
        break;
      } catch (err) {
        this.startError = errorMessage(err);
        await this.reportTradingProblem();
        if (attempt >= this.config.maxConsecutiveErrors) throw err;
        log.error(`start-up attempt ${attempt} failed: ${errorMessage(err)}; retrying`);
        await this.waitBeforeRetry(Math.min(30_000, 1000 * 2 ** attempt));
      }
    }
    if (this.stopping) return;
    this.started = true;
    this.startError = null;
    this.lastTickMono = this.monoNow();
    this.persist(true);
    await this.reportTradingProblem();
    await this.services.onStarted?.(this);
  }

  private async waitBeforeRetry(ms: number): Promise<void> {
    if (this.sleep) return this.sleep(ms);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wakeStart = () => {
        clearTimeout(t);
        resolve();
      };
    });
    this.wakeStart = null;
  }

  /** Milliseconds since the last good tick (or the start), on the monotonic clock; null before the start. */
  lastTickAgeMs(): number | null {
    return this.lastTickMono === null ? null : this.monoNow() - this.lastTickMono;
  }

  /** Tells the operator once when trading stops working, and once when it works again. */
  private async reportTradingProblem(): Promise<void> {
    const problem = tradingProblem(this);
    try {
      if (problem && !this.notifiedProblem) {
        this.notifiedProblem = problem;
        await this.services.onTradingProblem?.(this, problem);
      } else if (!problem && this.notifiedProblem) {
        this.notifiedProblem = null;
        await this.services.onTradingProblem?.(this, null);
      }
    } catch (err) {
      log.error(`trading-problem hook failed: ${errorMessage(err)}`);
    }
  }

  get isStopping(): boolean {
    return this.stopping !== null;
  }

  /** One tick plus its housekeeping. Never throws; counts consecutive errors. */
  async tickOnce(): Promise<boolean> {
    const t0 = performance.now();
    let ok = true;
    try {
      await this.trader.tick();
      this.consecutiveErrors = 0;
      this.lastError = null;
      this.lastTickAt = this.now();
      this.lastTickMono = this.monoNow();
    } catch (err) {
      ok = false;
      this.lastError = errorMessage(err);
      this.consecutiveErrors++;
      this.errorsTotal++;
      log.error(`tick failed (${this.consecutiveErrors}/${this.config.maxConsecutiveErrors}): ${errorMessage(err)}`);
      if (this.consecutiveErrors === 1 || this.consecutiveErrors % 5 === 0) {
        this.services.onEvent?.({ type: 'error', message: `tick failed: ${errorMessage(err)}` }, this);
      }
    }
    this.ticks++;
    this.lastTickMs = performance.now() - t0;
    try {
      this.persist(false);
    } catch (err) {
      log.error(`saving state failed: ${errorMessage(err)}`);
    }
    this.logStatusPeriodically();
    await this.reportTradingProblem();
    try {
      await this.services.afterTick?.(this, ok);
    } catch (err) {
      log.error(`after-tick work failed: ${errorMessage(err)}`);
    }
    return ok;
  }

  /** Saves the state if it changed (and the price history every few minutes), then journals the tick. */
  persist(force: boolean): void {
    const now = this.now();
    const state = this.state;
    if (force || state.revision !== this.savedRevision) {
      const snap = this.exchange instanceof PaperExchange ? this.exchange.snapshot() : null;
      try {
        this.store.save(state, snap);
        this.saveError = null;
      } catch (err) {
        // Thrown on: the trader saves before it sends an order, so nothing is placed that a crash would forget.
        this.saveError = errorMessage(err);
        throw err;
      }
      this.savedRevision = state.revision;
    }
    this.trader.flushJournal();
    if (force || now - this.lastPriceSave >= PRICE_SAVE_INTERVAL_MS) {
      this.store.savePrices(state.priceHistory);
      this.lastPriceSave = now;
    }
  }

  private logStatusPeriodically(): void {
    const now = this.now();
    if (now - this.lastStatusLog < STATUS_LOG_INTERVAL_MS) return;
    this.lastStatusLog = now;
    const s = this.state;
    log.info(
      `price ${s.lastPrice} center ${s.center} orders ${s.orders.length} round trips ${s.profit.roundTrips} profit today $${s.profit.today.toFixed(4)} total $${s.profit.total.toFixed(4)}${s.risk.paused ? ' PAUSED' : ''}`,
    );
  }

  /** Runs ticks every POLL_INTERVAL_SECONDS (measured start to start) until shutdown. */
  runLoop(): void {
    this.running = true;
    const interval = this.config.pollIntervalSeconds * 1000;
    const loop = async () => {
      if (!this.running) return;
      const started = Date.now();
      await this.tickOnce();
      if (this.consecutiveErrors >= this.config.maxConsecutiveErrors) {
        void this.shutdown(`${this.consecutiveErrors} consecutive errors`, 1);
        return;
      }
      if (!this.running) return;
      this.timer = setTimeout(loop, Math.max(0, interval - (Date.now() - started)));
    };
    this.timer = setTimeout(loop, interval);
  }

  /** Stops the loop, cancels our open orders, saves, and resolves `finished` with `code`. Idempotent. */
  shutdown(reason: string, code = 0): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.running = false;
      if (this.timer) clearTimeout(this.timer);
      this.wakeStart?.();
      this.streamSync?.stream.stop();
      log.info(`shutting down (${reason})`);
      const openBefore = this.state.orders.length;
      let timer: NodeJS.Timeout | undefined;
      const budget = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_CANCEL_BUDGET_MS)));
      try {
        const outcome = await Promise.race([this.trader.cancelAll({ budgetMs: SHUTDOWN_CANCEL_BUDGET_MS - SHUTDOWN_BOOKING_MS }).then(() => 'done' as const), budget]);
        if (outcome === 'done' && this.state.orders.length === 0) log.info('open orders cancelled');
        else log.warn(`not all orders were cancelled within ${SHUTDOWN_CANCEL_BUDGET_MS / 1000} s`);
      } catch (err) {
        log.error(`cancelling orders at shutdown failed: ${errorMessage(err)}`);
      } finally {
        clearTimeout(timer);
      }
      try {
        this.persist(true);
      } catch (err) {
        log.error(`saving state at shutdown failed: ${errorMessage(err)}`);
      }
      const left = this.state.orders.length;
      if (left > 0) {
        log.warn(
          `${left} order${left === 1 ? '' : 's'} still open on ${this.config.dryRun ? 'the paper account' : 'Kraken'}: they stay in the saved state and the next start (same LOG_DIR) adopts them; see the README "Stopping" to end with none`,
        );
      }
      try {
        await this.services.onShutdown?.(this, reason, { cancelled: Math.max(0, openBefore - left), left });
      } catch (err) {
        log.error(`shutdown hook failed: ${errorMessage(err)}`);
      }
      const s = this.state;
      log.info(`final state: ${s.profit.roundTrips} round trips, total profit $${s.profit.total.toFixed(4)}, fees $${s.profit.fees.toFixed(4)}`);
      this.finish(code);
    })();
    return this.stopping;
  }
}

/** What this run really uses: after a restart, capital and spacing come from the saved state, not the environment. */
function banner(config: Config, state: GridState): void {
  log.info(
    `doge-grid-bot starting: ${config.dryRun ? 'DRY RUN (paper account, real prices)' : 'LIVE TRADING'} on ${config.pair}, capital $${state.ledger.startingCapital}, spacing ${state.settings.spacingPct}%, poll ${config.pollIntervalSeconds}s, state in ${path.resolve(config.logDir)}`,
  );
  // Issue 17 item 10: say what sizes the grid (the numbers follow at the first build: "grid sizing: …").
  const size = config.orderSizeExplicit ? `$${config.orderSizeUsd} per order (ORDER_SIZE_USD)` : 'adaptive order size (ORDER_SIZE_USD empty)';
  const levels = config.gridLevelsExplicit ? `${config.gridLevels} levels per side (GRID_LEVELS)` : 'adaptive levels (GRID_LEVELS empty)';
  log.info(`grid sizing: ${size}, ${levels}, profit mode ${state.settings.profitMode ?? config.profitMode ?? 'accumulate'}`);
}

/** What installProcessHandlers needs of `process` (an EventEmitter in tests). */
export interface ProcessEvents {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Every way the process can be asked or forced to stop takes the orderly path
 * (stop the loop, cancel our orders within the budget, save): SIGTERM (Docker,
 * Railway), SIGINT (Ctrl-C), SIGHUP (a closed terminal or a supervisor
 * reload), and an exception or rejection nobody caught. A second signal while
 * stopping is logged and does not cut the cancels short.
 */
export function installProcessHandlers(bot: Bot, proc: ProcessEvents): void {
  const onSignal = (sig: string) => {
    if (bot.isStopping) {
      log.warn(`${sig} received while shutting down; still cancelling orders and saving (send SIGKILL to stop at once)`);
      return;
    }
    void bot.shutdown(`signal ${sig}`, 0);
  };
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) proc.on(sig, () => onSignal(sig));
  const onFatal = (kind: string) => (err: unknown) => {
    log.error(`${kind}: ${errorMessage(err)}; cancelling orders and stopping`);
    void bot.shutdown(kind, 1);
  };
  proc.on('uncaughtException', onFatal('uncaught exception'));
  proc.on('unhandledRejection', onFatal('unhandled rejection'));
}

/** The daemon: `node dist/src/bot.js`. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  guardStdout();
  configureLogger({ level: config.logLevel, format: config.logFormat });
  for (const secret of [config.krakenApiKey, config.krakenApiSecret, config.telegramBotToken, config.aiApiKey, config.dashboardToken]) registerSecret(secret);
  fs.mkdirSync(config.logDir, { recursive: true });

  let bot: Bot;
  try {
    bot = Bot.create({ config });
  } catch (err) {
    if (err instanceof StateModeError) {
      process.stderr.write(`Configuration error: DRY_RUN: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StateUnreadableError) {
      process.stderr.write(`State error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof StateSettingsError) {
      process.stderr.write(`Configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  banner(config, bot.state);
  const services = await createServices(bot);
  bot.use(services.hooks);

  installProcessHandlers(bot, process);

  await services.startEarly();
  try {
    await bot.start();
  } catch (err) {
    log.error(`could not start trading: ${errorMessage(err)}`);
    await services.stop();
    return 1;
  }
  if (!bot.isStopping) bot.runLoop();
  const code = await bot.finished;
  await services.stop();
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`fatal: ${errorMessage(err)}\n`);
      process.exit(1);
    },
  );
}
