// The JSON shape of GET /api/status (SPEC §2). Key names follow the reference
// implementation because outside tools read them. Never holds a secret.
import type { LimitsView } from '../core/limits.js';
import type { Side } from '../core/types.js';

export interface GridRow {
  level: number;
  side: Side;
  price: number;
  volume: number;
  status: string;
}

export interface FillRow {
  time: string; // ISO
  side: Side;
  price: number;
  volume: number;
  fee: number;
  profit: number | null;
  level: number;
}

export interface AnalyzerView {
  name: string;
  /** Human label ("Fill rate"); absent from older producers. */
  label?: string;
  verdict: string;
  color: string;
  confidence: number;
  summary: string;
  detail: Record<string, number | string | boolean | null>;
}

/** Where the money is (ops/attribution.ts): equity = starting_capital + grid_profit + inventory_pnl. */
export interface AttributionView {
  equity: number;
  starting_capital: number;
  /** equity − starting capital, and as a percent of it. */
  change: number;
  change_pct: number;
  /** Realized: booked round trips net of both fees (same as profit.total). */
  grid_profit: number;
  /** Every fee paid (already inside grid_profit and inventory_pnl). */
  fees: number;
  /** Unrealized: DOGE held at market minus its cost (open fills included). */
  inventory_pnl: number;
  inventory: number;
  inventory_value: number;
  inventory_cost: number;
  doge_accumulated: number;
  doge_accumulated_value: number;
  hold: { first_price: number | null; first_price_source: 'recorded' | 'earliest_known' | 'none'; value: number | null; vs_hold: number | null };
}

export interface StatusView {
  mode: 'dry_run' | 'live';
  paused: boolean;
  pause_reason: string | null;
  /** Why the bot is not trading although it should (start-up failing, ticks failing, no tick); null while it trades. */
  not_trading: string | null;
  uptime: number; // seconds
  pair: string;
  price: { current: number; center: number; drift_pct: number; change_1h: number | null; change_4h: number | null; change_24h: number | null };
  profit: {
    today: number;
    total: number;
    fees: number;
    round_trips: number;
    round_trips_today: number;
    doge_accumulated: number;
  };
  /** realized = grid profit (booked round trips net of fees), unrealized = inventory P&L: the attribution's definitions. */
  ledger: { cash: number; inventory: number; avg_cost: number; realized: number; unrealized: number; equity: number; starting_capital: number };
  attribution: AttributionView;
  grid: GridRow[]; // price descending
  trend: {
    ratio: number;
    source: 'auto' | 'manual';
    buy_pct: number;
    sell_pct: number;
    buy_12h: number;
    sell_12h: number;
    grid_buys: number;
    grid_sells: number;
  };
  config: {
    order_size: number;
    grid_levels: number;
    spacing_pct: number;
    effective_capital: number;
    starting_capital: number;
    ai_interval: number;
    round_trip_fee_pct: number;
    min_spacing: number;
    drift_reset_pct: number;
    stop_floor: number;
    daily_loss_limit: number;
    poll_interval: number;
    /** Start and exit rules and the profit policy in force (issue 14); null = off. */
    start_price?: number | null;
    take_profit_equity?: number | null;
    stop_action?: 'hold' | 'sell';
    profit_mode?: 'compound' | 'fixed' | 'accumulate';
    /** ORDER_SIZE_USD / GRID_LEVELS when the operator set them (they win over the adaptive sizing); null = adaptive. */
    order_size_set?: number | null;
    grid_levels_set?: number | null;
    /** The capital the grid sizes itself with under the profit mode. */
    sizing_capital?: number;
    /** Whether POST /api/config is accepted, and whether it needs the token. */
    controls: 'open' | 'token' | 'read_only';
    /** GRID_MODE in force (the operator's setting, else the environment's): drift or trailing. */
    grid_mode?: 'drift' | 'trailing';
    /** GRID_SPACING_MODE in force: arithmetic or geometric. */
    spacing_mode?: 'arithmetic' | 'geometric';
    /** TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT (null: none). */
    trail_up_limit?: number | null;
    trail_down_limit?: number | null;
    /** Moves the trailing grid made so far (one order, one level each). */
    trail_moves?: number;
  };
  /** Every bound the controls enforce, so the dashboard restates none. */
  limits: LimitsView;
  recent_fills: FillRow[]; // newest first
  ai_recommendation: { time: string; condition: string; action: string; reason: string; status: string } | null;
  price_history: [number, number][]; // [epoch ms, price], oldest first, downsampled
  /** analyzers[].label is the human name; analyzers[].name stays the code name. */
  stats: { health: { verdict: string; color: string; summary: string }; analyzers: AnalyzerView[] } | null;
  last_tick: string | null; // ISO
  /**
   * The grid rebuild in progress (a spacing/ratio/reset change, a drift or a
   * resume goes on in the background within Kraken's trading counter), or null.
   */
  rebuild?: RebuildView | null;
  /** START_PRICE holds back the first grid: "waiting for start price X (now Y)", or null. */
  start_wait?: { price: number; side: 'below' | 'above'; since: string; text: string } | null;
  /** The sell-on-stop (STOP_ACTION=sell), working or finished, or null. */
  exit?: ExitView | null;
  /** Kraken WebSocket v2 (KRAKEN_WS): live, reconnecting (REST polls meanwhile) or rest_only (off). */
  stream?: StreamView;
}

export interface StreamView {
  state: 'live' | 'reconnecting' | 'rest_only';
  /** Seconds since the stream's last message (heartbeats included); null before the first. */
  last_message_age_s: number | null;
}

/** The stream in one line, for /status and the dashboard: "live (last message 0.4 s ago)". */
export function streamLine(s: StreamView | undefined): string {
  if (!s || s.state === 'rest_only') return 'REST only';
  const age = s.last_message_age_s === null ? '' : ` (last message ${s.last_message_age_s} s ago)`;
  return `${s.state}${age}`;
}

export interface ExitView {
  phase: 'maker' | 'taker' | 'done';
  reason: string;
  target: number | null;
  sold: number;
  proceeds: number;
  fees: number;
  started_at: string; // ISO
  finished_at: string | null; // ISO
  /** Plain text for /status and the dashboard. */
  text: string;
}

export interface RebuildView {
  reason: string;
  /** Levels of the new grid already worked by an order at their price, of `total`. */
  moved: number;
  total: number;
  started_at: string; // ISO
  /** "rebuild in progress: k of n levels moved" (plain text, for /status and the dashboard). */
  text: string;
}
