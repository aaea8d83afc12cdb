// Wires the leaves around the trading loop: the HTTP server (dashboard + API),
// Telegram, the AI advisor and the analyzers. Each leaf reads state and hands
// requests back through the controls module; none trades by itself.
import fs from 'node:fs';
import path from 'node:path';
import { createAiAdvisor, type AdvisorContext, type AiAdvisor } from './ai/advisor.js';
import { isPendingApproval, type PendingApproval } from './ai/approvals.js';
import type { Bot, BotServices } from '../bot.js';
import { csvFiles } from '../bot.js';
import { createControls, type Controls } from '../ops/controls.js';
import { fillsSince, priceChanges, touch } from '../core/grid-strategy.js';
import { startHttpServer, type MetricsSnapshot, type RunningHttpServer } from './http/server.js';
import { equity, unrealized } from '../core/ledger.js';
import { errorMessage, logger } from '../util/log.js';
import { shutdownMessage, startupMessage, traderEventMessage } from './telegram/messages.js';
import { TelegramNotifier } from './telegram/notifier.js';
import { writeFileAtomic } from '../persistence/state-store.js';
import { buildStatusView } from '../ops/status.js';
import type { StatusView } from '../ops/status-view.js';
import { StatsRunner } from '../stats/runner.js';
import { createTelegramFrontEnd, type TelegramFrontEnd } from './telegram/frontend.js';

const log = logger('services');

export interface Services {
  hooks: BotServices;
  controls: Controls;
  stats: StatsRunner;
  telegram: TelegramFrontEnd;
  advisor: AiAdvisor;
  /** Starts what should run before the first price: the HTTP server (so /health answers during start-up) and Telegram. */
  startEarly(): Promise<void>;
  stop(): Promise<void>;
  /** The background AI call in flight, if any (tests await it). */
  aiInFlight: Promise<void> | null;
  httpPort(): number | null;
}

/** Options for tests: shorter Telegram long polls and timeouts. */
export interface ServiceOptions {
  telegramPollTimeoutSec?: number;
  telegramRetryDelayMs?: number;
  aiTimeoutMs?: number;
  httpHost?: string;
}

export function statusOf(bot: Bot, stats: StatusView['stats'] = null, pendingApprovalAction: string | null = null): StatusView {
  return buildStatusView(bot.state, {
    config: bot.config,
    now: bot.now(),
    startedAt: bot.startedAt,
    stats,
    lastTickAt: bot.lastTickAt,
    pendingApprovalAction,
  });
}

export function metricsOf(bot: Bot): MetricsSnapshot {
  const s = bot.state;
  const price = s.lastPrice > 0 ? s.lastPrice : null;
  const buys = s.orders.filter((o) => o.side === 'buy').length;
  return {
    price,
    equity: price ? equity(s.ledger, price) : null,
    realizedPnl: s.ledger.realized,
    unrealizedPnl: price ? unrealized(s.ledger, price) : null,
    roundTrips: s.profit.roundTrips,
    openOrders: { buy: buys, sell: s.orders.length - buys },
    fillsPerHour: fillsSince(s.fills, bot.now() - 3600_000),
    fillsTotal: s.fills.length,
    apiErrorsTotal: bot.errorsTotal,
    lastTickDurationMs: bot.ticks > 0 ? bot.lastTickMs : null,
    ticksTotal: bot.ticks,
    paused: s.risk.paused || s.risk.stopped,
    uptimeSeconds: Math.floor((bot.now() - bot.startedAt) / 1000),
  };
}

/** Healthy while ticks keep coming and the error budget is not spent. */
export function healthOf(bot: Bot): { healthy: boolean; body: Record<string, unknown> } {
  const now = bot.now();
  const interval = bot.config.pollIntervalSeconds * 1000;
  const since = bot.lastTickAt ?? bot.startedAt;
  const stale = now - since > Math.max(3 * interval, 120_000);
  const healthy = !stale && bot.consecutiveErrors < bot.config.maxConsecutiveErrors;
  return {
    healthy,
    body: {
      status: healthy ? 'ok' : 'unhealthy',
      mode: bot.config.dryRun ? 'dry_run' : 'live',
      uptime_seconds: Math.floor((now - bot.startedAt) / 1000),
      last_tick: bot.lastTickAt ? new Date(bot.lastTickAt).toISOString() : null,
      consecutive_errors: bot.consecutiveErrors,
      paused: bot.state.risk.paused,
      stopped: bot.state.risk.stopped,
    },
  };
}

/**
 * The Telegram update offset, in its own small file written synchronously:
 * it must be on disk before an update is handled (so a restart never handles
 * it twice), and saving the whole state mid-tick could capture a half-done tick.
 */
export class OffsetStore {
  private readonly file: string;
  private value: number;
  constructor(dir: string) {
    this.file = path.join(dir, 'telegram-offset.json');
    let v = 0;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && Number.isSafeInteger((parsed as { offset: unknown }).offset)) v = (parsed as { offset: number }).offset;
    } catch {
      // Missing or unreadable: start from 0; Telegram then replays at most its last 24 h, and stale commands are refused.
    }
    this.value = v;
  }
  get(): number {
    return this.value;
  }
  set(n: number): void {
    this.value = n;
    try {
      writeFileAtomic(this.file, JSON.stringify({ offset: n }));
    } catch (err) {
      log.error(`saving the Telegram offset failed: ${errorMessage(err)}`);
    }
  }
}

export function advisorContext(bot: Bot, stats: StatsRunner): AdvisorContext {
  const s = bot.state;
  const now = bot.now();
  const t = bot.trader.lastTicker;
  const mid = t ? (t.bid + t.ask) / 2 : 0;
  const changes = priceChanges(s.priceHistory, now);
  return {
    pair: bot.config.pair,
    price: s.lastPrice,
    change1h: changes.h1,
    change4h: changes.h4,
    change24h: changes.h24,
    spreadPct: t && mid > 0 ? ((t.ask - t.bid) / mid) * 100 : null,
    fillsLastHour: fillsSince(s.fills, now - 3600_000),
    center: s.center,
    spacingPct: s.settings.spacingPct,
    analyzerSummaries: stats.promptLines(),
  };
}

export async function createServices(bot: Bot, opts: ServiceOptions = {}): Promise<Services> {
  const config = bot.config;
  const controls = createControls(bot.trader);
  const stats = new StatsRunner(() => bot.state, bot.exchange, config.pollIntervalSeconds);
  const offsets = new OffsetStore(config.logDir);
  const notifier = new TelegramNotifier({
    apiUrl: config.telegramApiUrl,
    token: config.telegramBotToken,
    chatId: config.telegramChatId,
    dryRun: config.dryRun,
    now: bot.now,
    ...(opts.telegramPollTimeoutSec !== undefined ? { pollTimeoutSec: opts.telegramPollTimeoutSec } : {}),
    ...(opts.telegramRetryDelayMs !== undefined ? { retryDelayMs: opts.telegramRetryDelayMs, maxRetryDelayMs: opts.telegramRetryDelayMs * 4 } : {}),
  });
  const advisor = createAiAdvisor({
    url: config.aiApiUrl,
    apiKey: config.aiApiKey,
    model: config.aiModel,
    logDir: config.logDir,
    now: bot.now,
    ...(opts.aiTimeoutMs !== undefined ? { timeoutMs: opts.aiTimeoutMs } : {}),
  });
  /** Saves outside a tick, so a half-done tick is never written. */
  const saveSoon = () => void bot.trader.exclusive(async () => bot.persist(false)).catch((err: unknown) => log.error(`save failed: ${errorMessage(err)}`));
  const pendingAction = (): string | null => {
    const p = bot.state.ai.pendingApproval;
    return isPendingApproval(p) ? p.action : null;
  };
  const status = () => statusOf(bot, stats.view(), pendingAction());
  const telegram = createTelegramFrontEnd({
    notifier,
    controls,
    logDir: config.logDir,
    now: bot.now,
    status,
    getPending: () => (isPendingApproval(bot.state.ai.pendingApproval) ? bot.state.ai.pendingApproval : null),
    setPending: (p: PendingApproval | null) => {
      bot.state.ai.pendingApproval = p;
      touch(bot.state);
      saveSoon();
    },
    getOffset: () => offsets.get(),
    setOffset: (n) => offsets.set(n),
    onDecision: (d) => {
      const last = bot.state.ai.last;
      if (last && last.action === d.action) {
        last.status = d.decision;
        touch(bot.state);
      }
    },
  });

  let http: RunningHttpServer | null = null;
  const services: Services = {
    controls,
    stats,
    telegram,
    advisor,
    aiInFlight: null,
    httpPort: () => http?.port ?? null,
    hooks: {
      onEvent: (e) => {
        if (e.type === 'fill' || e.type === 'round_trip') stats.markDirty();
        const message = traderEventMessage(e);
        if (message) telegram.notify(message);
      },
      afterTick: async (b) => {
        stats.afterTick(b.now());
        await telegram.checkExpiry();
        maybeAskAdvisor();
      },
      onStarted: (b) => {
        const s = b.state;
        telegram.notify(
          startupMessage({
            mode: config.dryRun ? 'dry_run' : 'live',
            pair: config.pair,
            price: s.lastPrice,
            spacingPct: s.settings.spacingPct,
            levelsPerSide: s.levelsPerSide,
            orderSizeUsd: s.orderSizeUsd,
            startingCapital: s.ledger.startingCapital,
            note: s.fills.length > 0 ? `restored state: ${s.profit.roundTrips} round trips, ${s.orders.length} orders working` : 'fresh start',
          }),
        );
        stats.run(b.now());
      },
      onShutdown: (b, reason, ordersCancelled) => {
        const s = b.state;
        telegram.notify(
          shutdownMessage({ reason, ordersCancelled, roundTrips: s.profit.roundTrips, totalProfit: s.profit.total, equity: equity(s.ledger, s.lastPrice) }),
        );
      },
    },
    async startEarly() {
      if (config.httpPort !== 0) {
        try {
          http = await startHttpServer(
            config.httpPort,
            {
              mode: () => (config.dryRun ? 'dry_run' : 'live'),
              status,
              stats: () => stats.report,
              health: () => healthOf(bot),
              metrics: () => metricsOf(bot),
              controls,
              dashboardToken: config.dashboardToken,
              csvFiles: csvFiles(config.logDir),
              now: bot.now,
            },
            opts.httpHost,
          );
        } catch (err) {
          log.error(`HTTP server not started on port ${config.httpPort}: ${errorMessage(err)}`);
        }
      }
      await telegram.start();
    },
    async stop() {
      await telegram.stop();
      await http?.close();
    },
  };

  function maybeAskAdvisor(): void {
    const s = bot.state;
    const now = bot.now();
    const due = s.ai.checkRequested || now - s.ai.lastRunAt >= s.settings.aiIntervalSec * 1000;
    if (!due || advisor.busy || s.lastPrice <= 0) return;
    const forced = s.ai.checkRequested;
    s.ai.checkRequested = false;
    s.ai.lastRunAt = now;
    touch(s);
    if (!advisor.enabled) {
      if (forced) telegram.notify('AI advisor is not configured (set AI_API_KEY).');
      return;
    }
    const context = advisorContext(bot, stats);
    services.aiInFlight = advisor
      .run(context)
      .then(async (rec) => {
        if (!rec) return;
        bot.state.ai.last = { time: rec.time, condition: rec.condition, action: rec.action, reason: rec.reason, status: rec.action === 'continue' ? 'n/a' : 'pending' };
        touch(bot.state);
        await telegram.recommend(rec);
      })
      .catch((err: unknown) => log.error(`AI advisor: ${errorMessage(err)}`))
      .finally(() => {
        services.aiInFlight = null;
      });
  }

  return services;
}
