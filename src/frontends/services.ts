// Wires the leaves around the trading loop: the HTTP server (dashboard + API),
// Telegram, the AI advisor and the analyzers. Each leaf reads the bot through
// the views in ops/ and hands requests back through the controls; none trades
// by itself.
import path from 'node:path';
import type { Config } from '../config.js';
import { recordDecision, setPendingApproval } from '../ops/advisor-record.js';
import type { BotHandle, BotHooks } from '../ops/bot-handle.js';
import { createControls, type Controls } from '../ops/controls.js';
import { createReports, type ReportSource } from '../ops/reports.js';
import { notifyChanges, savedNotifyTarget, WARNINGS_OFF_TEXT, type NotifyTarget } from '../ops/notify-levels.js';
import type { StatusView } from '../ops/status-view.js';
import { advisorContext, equityNow, healthOf, metricsOf, statusOf } from '../ops/views.js';
import { csvFiles } from '../persistence/journal.js';
import { OffsetStore } from '../persistence/telegram-offset.js';
import { StatsRunner } from '../stats/runner.js';
import { CandleHistory } from '../stats/candle-history.js';
import { CANDLES_FILE, CandleFile } from '../persistence/candle-file.js';
import { strategyEnvOf, SUGGEST_HISTORY_MS, type SuggestRunner } from '../ops/suggestion.js';
import { Suggester } from './ai/suggest.js';
import { errorMessage, logger } from '../util/log.js';
import { AdvisorSchedule } from './ai/advisor-schedule.js';
import { createAiAdvisor, type AiAdvisor } from './ai/advisor.js';
import { isPendingApproval, type PendingApproval } from './ai/approvals.js';
import { periodCsvTables } from './http/periods-api.js';
import { startHttpServer, type RunningHttpServer } from './http/server.js';
import { createTelegramFrontEnd, type TelegramFrontEnd } from './telegram/frontend.js';
import { html } from './telegram/html.js';
import { shutdownMessage, startupMessage, tradingProblemMessage, traderEventNotice } from './telegram/messages.js';
import { TelegramNotifier } from './telegram/notifier.js';

const log = logger('services');

export interface Services {
  hooks: BotHooks;
  controls: Controls;
  stats: StatsRunner;
  telegram: TelegramFrontEnd;
  advisor: AiAdvisor;
  /** /suggest and POST /api/suggest. */
  suggester: Suggester;
  /** Starts what should run before the first price: the HTTP server (so /health answers during start-up) and Telegram. */
  startEarly(): Promise<void>;
  stop(): Promise<void>;
  /** The background AI call in flight, if any (tests await it). */
  readonly aiInFlight: Promise<void> | null;
  httpPort(): number | null;
}

/** Options for tests: shorter Telegram long polls and timeouts. */
export interface ServiceOptions {
  telegramPollTimeoutSec?: number;
  telegramRetryDelayMs?: number;
  aiTimeoutMs?: number;
  /** Runs /suggest's walk-forward (default: a child process); tests inject a stub. */
  suggestRunner?: SuggestRunner;
  httpHost?: string;
}

function createNotifier(config: Config, now: () => number, opts: ServiceOptions): TelegramNotifier {
  return new TelegramNotifier({
    apiUrl: config.telegramApiUrl,
    token: config.telegramBotToken,
    chatId: config.telegramChatId,
    dryRun: config.dryRun,
    now,
    ...(opts.telegramPollTimeoutSec !== undefined ? { pollTimeoutSec: opts.telegramPollTimeoutSec } : {}),
    ...(opts.telegramRetryDelayMs !== undefined ? { retryDelayMs: opts.telegramRetryDelayMs, maxRetryDelayMs: opts.telegramRetryDelayMs * 4 } : {}),
  });
}

function createAdvisor(config: Config, now: () => number, opts: ServiceOptions): AiAdvisor {
  return createAiAdvisor({
    url: config.aiApiUrl,
    apiKey: config.aiApiKey,
    model: config.aiModel,
    logDir: config.logDir,
    now,
    ...(opts.aiTimeoutMs !== undefined ? { timeoutMs: opts.aiTimeoutMs } : {}),
  });
}

/** Telegram commands, notices and the approval buttons, over the bot's state. */
function createTelegram(bot: BotHandle, controls: Controls, status: () => StatusView, reports: ReportSource, opts: ServiceOptions, suggest: () => { started: boolean; message: string }): TelegramFrontEnd {
  const offsets = new OffsetStore(bot.config.logDir);
  /** Saves outside a tick, so a half-done tick is never written. */
  const saveSoon = () => void bot.trader.exclusive(async () => bot.persist(false)).catch((err: unknown) => log.error(`save failed: ${errorMessage(err)}`));
  return createTelegramFrontEnd({
    notifier: createNotifier(bot.config, bot.now, opts),
    controls,
    logDir: bot.config.logDir,
    now: bot.now,
    status,
    reports,
    dayStartHourUtc: bot.config.dailySummaryHourUtc,
    getPending: () => (isPendingApproval(bot.state.ai.pendingApproval) ? bot.state.ai.pendingApproval : null),
    setPending: (p: PendingApproval | null) => {
      setPendingApproval(bot.state, p);
      saveSoon();
    },
    getOffset: () => offsets.get(),
    setOffset: (n) => offsets.set(n),
    onDecision: (d) => recordDecision(bot.state, d.action, d.decision),
    suggest,
  });
}

/** What the services do when the bot starts, trades, ticks and stops. */
function createHooks(stats: StatsRunner, telegram: TelegramFrontEnd, schedule: AdvisorSchedule, controls: Controls): BotHooks {
  return {
    onEvent: (e) => {
      if (e.type === 'fill' || e.type === 'round_trip') stats.markDirty();
      const notice = traderEventNotice(e);
      if (notice) telegram.notify(notice.text, notice.kind);
    },
    afterTick: async (b) => {
      stats.afterTick(b.now());
      await telegram.checkExpiry();
      schedule.maybeAsk();
    },
    onStarted: (b) => {
      const s = b.state;
      telegram.notify(
        startupMessage({
          mode: b.config.dryRun ? 'dry_run' : 'live',
          pair: b.config.pair,
          price: s.lastPrice,
          spacingPct: s.settings.spacingPct,
          levelsPerSide: s.levelsPerSide,
          orderSizeUsd: s.orderSizeUsd,
          startingCapital: s.ledger.startingCapital,
          note: b.restored ? `restored state: ${s.profit.roundTrips} round trips, ${s.orders.length} orders working` : 'fresh start',
          notifyChanges: notifyChanges(controls.notifyLevels()),
          warningsOff: controls.notifyLevels().warnings === 'off',
        }),
      );
      stats.run(b.now());
    },
    onTradingProblem: (_b, problem) => {
      telegram.notify(tradingProblemMessage(problem), 'warnings');
    },
    onShutdown: (b, reason, orders) => {
      const s = b.state;
      telegram.notify(
        shutdownMessage({
          reason,
          ordersCancelled: orders.cancelled,
          ordersLeft: orders.left,
          venue: b.config.dryRun ? 'the paper account' : 'Kraken',
          roundTrips: s.profit.roundTrips,
          totalProfit: s.profit.total,
          equity: equityNow(b),
        }),
      );
    },
  };
}

/** The dashboard and API; a port that cannot be bound is logged, not fatal (trading goes on). */
async function startHttp(bot: BotHandle, controls: Controls, stats: StatsRunner, status: () => StatusView, reports: ReportSource, host: string | undefined, suggest: () => { started: boolean; message: string }): Promise<RunningHttpServer | null> {
  const config = bot.config;
  if (config.httpPort === 0) return null;
  try {
    return await startHttpServer(
      config.httpPort,
      {
        mode: () => (config.dryRun ? 'dry_run' : 'live'),
        status,
        stats: () => stats.report,
        health: () => healthOf(bot),
        metrics: () => metricsOf(bot),
        controls,
        suggest,
        dashboardToken: config.dashboardToken,
        allowedHosts: config.dashboardHosts,
        csvFiles: csvFiles(config.logDir),
        csvTables: periodCsvTables((kind) => reports.periodsCsv(kind)),
        periods: (kind) => reports.periods(kind),
        now: bot.now,
      },
      host,
    );
  } catch (err) {
    log.error(`HTTP server not started on port ${config.httpPort}: ${errorMessage(err)}`);
    return null;
  }
}

/** NOTIFY, then /notify changes saved in the state (settings.notify), saved outside a tick. */
function notifySettings(bot: BotHandle): NotifyTarget {
  const target = savedNotifyTarget({
    env: bot.config.notify,
    saved: () => bot.state.settings.notify,
    save: (next) =>
      bot.trader.exclusive(async () => {
        bot.state.settings.notify = next;
        bot.state.revision++; // what core's touch() does; front ends do not value-import core
        bot.persist(false);
      }),
  });
  if (target.notifyLevels().warnings === 'off') log.warn(WARNINGS_OFF_TEXT);
  return target;
}

/** /suggest over the bot's own candles; a better configuration goes to the approval flow with its numbers. */
function createSuggester(bot: BotHandle, controls: Controls, history: CandleHistory, telegram: TelegramFrontEnd, runner: SuggestRunner | undefined): Suggester {
  return new Suggester({
    candles: () => history.candles(),
    request: () => ({
      env: strategyEnvOf(bot.config, bot.state.settings),
      current: { spacingPct: bot.state.settings.spacingPct, driftResetPct: bot.config.gridDriftResetPct, ratioOverride: bot.state.settings.ratioOverride },
      minSpacingPct: controls.minSpacingPct(),
    }),
    ...(runner ? { runner } : {}),
    propose: (r) => telegram.propose({ condition: 'backtest (walk-forward)', reason: [r.evidence[1], r.evidence[3]].join(' '), price: bot.state.lastPrice, suggestion: r.proposal! }),
    notify: (text) => telegram.notify(html`🔎 ${text}`),
    now: bot.now,
  });
}

/** The candles /suggest reads, kept in LOG_DIR/candles.json across restarts (persistence/candle-file.ts). */
function keptCandleHistory(bot: BotHandle): CandleHistory {
  const file = new CandleFile(path.join(bot.config.logDir, CANDLES_FILE), bot.config.pair, bot.now);
  const history = new CandleHistory(SUGGEST_HISTORY_MS);
  history.add(file.load(SUGGEST_HISTORY_MS));
  history.onChange = (candles) => file.maybeSave(candles);
  return history;
}

export async function createServices(bot: BotHandle, opts: ServiceOptions = {}): Promise<Services> {
  const controls = createControls(bot.trader, notifySettings(bot));
  const history = keptCandleHistory(bot);
  const stats = new StatsRunner(() => bot.state, bot.exchange, bot.config.pollIntervalSeconds, history);
  const advisor = createAdvisor(bot.config, bot.now, opts);
  const pendingAction = (): string | null => {
    const p = bot.state.ai.pendingApproval;
    return isPendingApproval(p) ? p.action : null;
  };
  const status = () => statusOf(bot, stats.view(), pendingAction());
  const reports = createReports(bot);
  let suggester: Suggester | null = null;
  const suggest = () => suggester!.start();
  const telegram = createTelegram(bot, controls, status, reports, opts, suggest);
  suggester = createSuggester(bot, controls, history, telegram, opts.suggestRunner);
  const schedule = new AdvisorSchedule({
    advisor,
    state: () => bot.state,
    now: bot.now,
    context: () => advisorContext(bot, [...stats.promptLines(), ...(suggester?.evidenceLines() ?? [])]),
    notify: (text) => telegram.notify(text),
    recommend: (rec, asked) => telegram.recommend(rec, asked),
  });
  let http: RunningHttpServer | null = null;
  return {
    controls,
    stats,
    telegram,
    advisor,
    suggester,
    get aiInFlight() {
      return schedule.inFlight;
    },
    httpPort: () => http?.port ?? null,
    hooks: createHooks(stats, telegram, schedule, controls),
    async startEarly() {
      http = await startHttp(bot, controls, stats, status, reports, opts.httpHost ?? bot.config.httpHost, suggest);
      await telegram.start();
    },
    async stop() {
      await telegram.stop();
      await http?.close();
    },
  };
}
