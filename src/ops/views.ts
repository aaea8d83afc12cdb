// The read side of the operations layer: every way a front end reads the bot
// (status for the dashboard and /status, Prometheus metrics, the health
// check, the AI advisor's context) is built here from the bot's state.
import { fillsSince, priceChanges } from '../core/grid-strategy.js';
import { equity } from '../core/ledger.js';
import { attribution } from './attribution.js';
import type { BotHandle } from './bot-handle.js';
import { buildStatusView } from './status.js';
import type { StatusView } from './status-view.js';

/** Mark-to-market equity at the last price. */
export function equityNow(bot: BotHandle): number {
  return equity(bot.state.ledger, bot.state.lastPrice);
}

export function statusOf(bot: BotHandle, stats: StatusView['stats'] = null, pendingApprovalAction: string | null = null): StatusView {
  const view = buildStatusView(bot.state, {
    notTrading: tradingProblem(bot),
    makerFeePct: bot.trader.makerFeePct(),
    config: bot.config,
    now: bot.now(),
    startedAt: bot.startedAt,
    stats,
    lastTickAt: bot.lastTickAt,
    pendingApprovalAction,
  });
  view.stream = bot.streamHealth?.() ?? { state: 'rest_only', last_message_age_s: null };
  return view;
}

/** What /metrics reports (Prometheus names are chosen by the HTTP server). */
export interface MetricsSnapshot {
  /** Last price seen, USD; null before the first tick. */
  price: number | null;
  /** Mark-to-market equity, USD. */
  equity: number | null;
  realizedPnl: number;
  roundTrips: number;
  openOrders: { buy: number; sell: number };
  /** Fills in the last hour. */
  fillsPerHour: number;
  /** Failed exchange API calls since start. */
  apiErrorsTotal: number;
  /** Duration of the last tick in milliseconds; null before the first tick. */
  lastTickDurationMs: number | null;
  ticksTotal: number;
  // Optional extras, reported when present.
  unrealizedPnl?: number | null;
  fillsTotal?: number;
  paused?: boolean;
  uptimeSeconds?: number;
}

export function metricsOf(bot: BotHandle): MetricsSnapshot {
  const s = bot.state;
  const price = s.lastPrice > 0 ? s.lastPrice : null;
  const buys = s.orders.filter((o) => o.side === 'buy').length;
  return {
    price,
    equity: price ? equity(s.ledger, price) : null,
    // realized = grid profit, unrealized = inventory P&L (ops/attribution.ts), as everywhere
    realizedPnl: s.profit.total,
    unrealizedPnl: price ? attribution(s, price).inventoryPnl : null,
    roundTrips: s.profit.roundTrips,
    openOrders: { buy: buys, sell: s.orders.length - buys },
    fillsPerHour: fillsSince(s.fills, bot.now() - 3600_000),
    // A counter: every fill since the first start, never the trimmed list's length (which drops by a batch now and then).
    fillsTotal: s.profit.trades ?? s.fills.length,
    apiErrorsTotal: bot.errorsTotal,
    lastTickDurationMs: bot.ticks > 0 ? bot.lastTickMs : null,
    ticksTotal: bot.ticks,
    paused: s.risk.paused || s.risk.stopped,
    uptimeSeconds: Math.floor((bot.now() - bot.startedAt) / 1000),
  };
}

export interface HealthView {
  healthy: boolean;
  body: Record<string, unknown>;
}

/** Failed ticks in a row after which the bot counts as not trading (health 503, Telegram notice). */
export const FAILED_TICKS_UNHEALTHY = 3;

/**
 * Why the bot is not trading although it should, or null: start-up not done
 * (or failing), the last few ticks failed, or no tick for a long time
 * (measured on the monotonic clock, so a wall-clock step back cannot hide a
 * stalled loop). A pause or stop by the risk rules is a decision, not a fault.
 */
export function tradingProblem(bot: BotHandle): string | null {
  if (!bot.started) return bot.startError ? `start-up failing: ${bot.startError}` : 'starting';
  if (bot.saveError) return `cannot save the state (no new orders until it can): ${bot.saveError}`;
  const failed = Math.min(FAILED_TICKS_UNHEALTHY, bot.config.maxConsecutiveErrors);
  if (bot.consecutiveErrors >= failed) return `the last ${bot.consecutiveErrors} ticks failed: ${bot.lastError ?? 'unknown error'}`;
  const age = bot.lastTickAgeMs();
  const limit = Math.max(3 * bot.config.pollIntervalSeconds * 1000, 120_000);
  if (age !== null && age > limit) return `no tick for ${Math.round(age / 1000)} s`;
  return null;
}

/** Healthy once started, while ticks keep coming and succeed (Railway holds a deploy or restarts the service otherwise). */
export function healthOf(bot: BotHandle): HealthView {
  const now = bot.now();
  const problem = tradingProblem(bot);
  const healthy = problem === null;
  return {
    healthy,
    body: {
      status: healthy ? 'ok' : bot.started ? 'unhealthy' : 'starting',
      reason: problem,
      mode: bot.config.dryRun ? 'dry_run' : 'live',
      uptime_seconds: Math.floor((now - bot.startedAt) / 1000),
      last_tick: bot.lastTickAt ? new Date(bot.lastTickAt).toISOString() : null,
      consecutive_errors: bot.consecutiveErrors,
      paused: bot.state.risk.paused,
      stopped: bot.state.risk.stopped,
    },
  };
}

/** The market picture the AI advisor's prompt is built from. */
export interface AdvisorContext {
  pair: string;
  price: number;
  /** Percent changes; null when the history is too short. */
  change1h: number | null;
  change4h: number | null;
  change24h: number | null;
  /** Bid/ask spread in percent of mid; null if unknown. */
  spreadPct: number | null;
  fillsLastHour: number;
  center: number;
  spacingPct: number;
  /** One line per analyzer, e.g. "Profitability: significant, mean +$0.012 (p=0.01)". */
  analyzerSummaries: string[];
}

export function advisorContext(bot: BotHandle, analyzerSummaries: string[]): AdvisorContext {
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
    analyzerSummaries,
  };
}
