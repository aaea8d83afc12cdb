// GridState → the /api/status view (SPEC §2). Read-only; never includes a secret.
import type { Config } from '../config.js';
import { limitsView, minSpacingPct, roundTripFeePct } from '../core/limits.js';
import { driftPct, gridModeOf, priceChanges, rules, sizingCapital, spacingModeOf, type GridState } from '../core/grid-strategy.js';
import { attribution, type Attribution } from './attribution.js';
import { analyzerLabel } from '../stats/shared.js';
import type { AnalyzerView, AttributionView, ExitView, RebuildView, StatusView } from './status-view.js';
import { equity, unrealized } from '../core/ledger.js';
import type { PricePoint } from '../core/types.js';

export interface StatusContext {
  config: Config;
  now: number;
  startedAt: number;
  stats: { health: { verdict: string; color: string; summary: string }; analyzers: AnalyzerView[] } | null;
  lastTickAt: number | null;
  pendingApprovalAction: string | null;
  /** Why the bot is not trading although it should (start-up or ticks failing); null when it trades. */
  notTrading?: string | null;
  /** The maker fee in use (`trader.makerFeePct()`: Kraken's TradeVolume unless MAKER_FEE_PCT overrides it); default the configured one. */
  makerFeePct?: number;
}

/** At most `max` points, evenly thinned, always keeping the newest. */
export function downsample(points: readonly PricePoint[], max: number): [number, number][] {
  if (points.length <= max) return points.map((p) => [p.time, p.price]);
  const step = points.length / max;
  const out: [number, number][] = [];
  for (let i = 0; i < max - 1; i++) {
    const p = points[Math.floor(i * step)];
    out.push([p.time, p.price]);
  }
  const last = points[points.length - 1];
  out.push([last.time, last.price]);
  return out;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

function attributionView(a: Attribution): AttributionView {
  return {
    equity: round(a.equity, 8),
    starting_capital: a.startingCapital,
    change: round(a.change, 8),
    change_pct: round(a.changePct, 4),
    grid_profit: round(a.gridProfit, 8),
    fees: round(a.fees, 8),
    inventory_pnl: round(a.inventoryPnl, 8),
    inventory: round(a.inventory, 8),
    inventory_value: round(a.inventoryValue, 8),
    inventory_cost: round(a.inventoryCost, 8),
    doge_accumulated: round(a.dogeAccumulated, 8),
    doge_accumulated_value: round(a.dogeAccumulatedValue, 8),
    hold: {
      first_price: a.hold.firstPrice,
      first_price_source: a.hold.firstPriceSource,
      value: a.hold.value === null ? null : round(a.hold.value, 8),
      vs_hold: a.hold.vsHold === null ? null : round(a.hold.vsHold, 8),
    },
  };
}

/** The analyzers with their human labels added (code names unchanged). */
function labelled(stats: StatusContext['stats']): StatusView['stats'] {
  if (!stats) return null;
  return { health: stats.health, analyzers: stats.analyzers.map((a) => ({ ...a, label: a.label ?? analyzerLabel(a.name) })) };
}

/** The grid and spacing modes in force and the trailing grid's limits and moves (issue 14). */
function modesView(state: GridState, c: Config): Pick<StatusView['config'], 'grid_mode' | 'spacing_mode' | 'trail_up_limit' | 'trail_down_limit' | 'trail_moves'> {
  return {
    grid_mode: gridModeOf(state.settings, { gridMode: c.gridMode }),
    spacing_mode: spacingModeOf(state.settings, { spacingMode: c.gridSpacingMode }),
    trail_up_limit: c.trailUpLimit ?? null,
    trail_down_limit: c.trailDownLimit ?? null,
    trail_moves: state.trail?.moves ?? 0,
  };
}

export function rebuildView(state: GridState): RebuildView | null {
  const r = state.rebuild;
  if (!r) return null;
  const text = r.target === null ? `rebuild (${r.reason}) starting` : `rebuild in progress: ${r.moved} of ${r.total} levels moved`;
  return { reason: r.reason, moved: r.moved, total: r.total, started_at: new Date(r.startedAt).toISOString(), text };
}

/** "waiting for start price X (now Y)" while START_PRICE holds back the first grid. */
export function startWaitView(state: GridState): StatusView['start_wait'] {
  const w = state.startWait;
  if (!w) return null;
  return { price: w.price, side: w.side, since: new Date(w.since).toISOString(), text: `waiting for start price ${w.price} (now ${state.lastPrice})` };
}

export function exitView(state: GridState): ExitView | null {
  const x = state.exit;
  if (!x) return null;
  const sold = `sold ${round(x.sold, 8)} of ${x.target === null ? '?' : round(x.target, 8)} DOGE for $${x.proceeds.toFixed(4)}, fees $${x.fees.toFixed(4)}`;
  const text = x.phase === 'done' ? `sell-on-stop finished: ${sold}` : `selling the grid's DOGE (${x.phase === 'maker' ? 'maker' : 'marketable limit'}): ${sold}`;
  return {
    phase: x.phase,
    reason: x.reason,
    target: x.target,
    sold: round(x.sold, 8),
    proceeds: round(x.proceeds, 8),
    fees: round(x.fees, 8),
    started_at: new Date(x.startedAt).toISOString(),
    finished_at: x.finishedAt === null ? null : new Date(x.finishedAt).toISOString(),
    text,
  };
}

/** The issue-14 keys of /api/status `config`. */
function ruleKeys(state: GridState, c: Config): Pick<StatusView['config'], 'start_price' | 'take_profit_equity' | 'stop_action' | 'profit_mode' | 'order_size_set' | 'grid_levels_set' | 'sizing_capital'> {
  const r = rules(state, c);
  return {
    start_price: r.startPrice,
    take_profit_equity: r.takeProfitEquity,
    stop_action: r.stopAction,
    profit_mode: r.profitMode,
    order_size_set: c.orderSizeExplicit ? c.orderSizeUsd : null,
    grid_levels_set: c.gridLevelsExplicit ? c.gridLevels : null,
    sizing_capital: round(sizingCapital(state, c), 6),
  };
}

export function buildStatusView(state: GridState, ctx: StatusContext): StatusView {
  const c = ctx.config;
  const price = state.lastPrice;
  const buys = state.orders.filter((o) => o.side === 'buy').length;
  const sells = state.orders.length - buys;
  const ratio = state.trend.ratio;
  const history = state.priceHistory;
  const money = attribution(state, price);
  const changes = priceChanges(history, ctx.now);
  const tokenMode: StatusView['config']['controls'] = c.dashboardToken ? 'token' : c.dryRun ? 'open' : 'read_only';
  const last = state.ai.last;
  return {
    mode: c.dryRun ? 'dry_run' : 'live',
    paused: state.risk.paused || state.risk.stopped,
    pause_reason: state.risk.stopped ? `stopped: ${state.risk.stopReason ?? ''}` : state.risk.pauseReason,
    not_trading: ctx.notTrading ?? null,
    uptime: Math.max(0, Math.floor((ctx.now - ctx.startedAt) / 1000)),
    pair: c.pair,
    price: {
      current: price,
      center: state.center,
      drift_pct: round(driftPct(price, state.center), 4),
      change_1h: changes.h1,
      change_4h: changes.h4,
      change_24h: changes.h24,
    },
    profit: {
      today: round(state.profit.today, 8),
      total: round(state.profit.total, 8),
      fees: round(state.profit.fees, 8),
      round_trips: state.profit.roundTrips,
      round_trips_today: state.profit.roundTripsToday,
      doge_accumulated: round(state.profit.dogeAccumulated, 8),
    },
    ledger: {
      cash: round(state.ledger.cash, 8),
      inventory: round(state.ledger.inventory, 8),
      avg_cost: state.ledger.avgCost,
      realized: round(money.gridProfit, 8),
      unrealized: round(money.inventoryPnl, 8),
      equity: round(money.equity, 8),
      starting_capital: state.ledger.startingCapital,
    },
    attribution: attributionView(money),
    grid: state.orders
      .map((o) => ({ level: o.level, side: o.side, price: o.price, volume: o.volume, status: o.status }))
      .sort((a, b) => b.price - a.price || b.level - a.level),
    trend: {
      ratio,
      source: state.settings.ratioOverride === null ? 'auto' : 'manual',
      buy_pct: round(ratio * 100, 2),
      sell_pct: round((1 - ratio) * 100, 2),
      buy_12h: state.trend.buys12h,
      sell_12h: state.trend.sells12h,
      grid_buys: buys,
      grid_sells: sells,
    },
    config: {
      order_size: round(state.orderSizeUsd, 6),
      grid_levels: state.levelsPerSide,
      spacing_pct: state.settings.spacingPct,
      effective_capital: round(state.ledger.startingCapital + Math.max(0, state.profit.total), 6),
      starting_capital: state.ledger.startingCapital,
      ai_interval: state.settings.aiIntervalSec,
      round_trip_fee_pct: roundTripFeePct(ctx.makerFeePct ?? c.makerFeePct),
      min_spacing: minSpacingPct(ctx.makerFeePct ?? c.makerFeePct),
      drift_reset_pct: c.gridDriftResetPct,
      stop_floor: c.stopFloor,
      daily_loss_limit: c.dailyLossLimit,
      poll_interval: c.pollIntervalSeconds,
      ...ruleKeys(state, c),
      controls: tokenMode,
      ...modesView(state, c),
    },
    limits: limitsView(ctx.makerFeePct ?? c.makerFeePct),
    recent_fills: state.fills
      .slice(-20)
      .reverse()
      .map((f) => ({ time: new Date(f.time).toISOString(), side: f.side, price: f.price, volume: f.volume, fee: f.fee, profit: f.profit, level: f.level })),
    ai_recommendation: last
      ? { time: new Date(last.time).toISOString(), condition: last.condition, action: last.action, reason: last.reason, status: ctx.pendingApprovalAction === last.action ? 'pending approval' : last.status }
      : null,
    price_history: downsample(history, 720),
    stats: labelled(ctx.stats),
    last_tick: ctx.lastTickAt ? new Date(ctx.lastTickAt).toISOString() : null,
    rebuild: rebuildView(state),
    start_wait: startWaitView(state),
    exit: exitView(state),
  };
}
