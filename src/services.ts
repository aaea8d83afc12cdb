// Wires the leaves around the trading loop: the HTTP server (dashboard + API),
// and later Telegram, the AI advisor and the analyzers. Each leaf reads state
// and hands requests back through the controls module; none trades by itself.
import type { Bot, BotServices } from './bot.js';
import { csvFiles } from './bot.js';
import { createControls, type Controls } from './controls.js';
import { equity, unrealized } from './ledger.js';
import { errorMessage, logger } from './log.js';
import { startHttpServer, type MetricsSnapshot, type RunningHttpServer } from './http-server.js';
import { buildStatusView } from './status.js';
import type { StatusView } from './status-view.js';

const log = logger('services');

export interface Services {
  hooks: BotServices;
  controls: Controls;
  /** Starts what should run before the first price (the HTTP server, so /health answers during start-up). */
  startEarly(): Promise<void>;
  stop(): Promise<void>;
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
  const hourAgo = bot.now() - 3600_000;
  let fillsLastHour = 0;
  for (let i = s.fills.length - 1; i >= 0 && s.fills[i].time >= hourAgo; i--) fillsLastHour++;
  const buys = s.orders.filter((o) => o.side === 'buy').length;
  return {
    price,
    equity: price ? equity(s.ledger, price) : null,
    realizedPnl: s.ledger.realized,
    unrealizedPnl: price ? unrealized(s.ledger, price) : null,
    roundTrips: s.profit.roundTrips,
    openOrders: { buy: buys, sell: s.orders.length - buys },
    fillsPerHour: fillsLastHour,
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

export async function createServices(bot: Bot): Promise<Services> {
  const config = bot.config;
  const controls = createControls(bot.trader);
  let http: RunningHttpServer | null = null;

  return {
    controls,
    hooks: {},
    async startEarly() {
      if (config.httpPort === 0) return;
      try {
        http = await startHttpServer(config.httpPort, {
          mode: () => (config.dryRun ? 'dry_run' : 'live'),
          status: () => statusOf(bot),
          stats: () => null,
          health: () => healthOf(bot),
          metrics: () => metricsOf(bot),
          controls,
          dashboardToken: config.dashboardToken,
          csvFiles: csvFiles(config.logDir),
          now: bot.now,
        });
        log.info(`dashboard on http://localhost:${http.port}/`);
      } catch (err) {
        log.error(`HTTP server not started on port ${config.httpPort}: ${errorMessage(err)}`);
      }
    },
    async stop() {
      await http?.close();
    },
  };
}
