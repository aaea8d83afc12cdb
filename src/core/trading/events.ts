// What the trader tells the rest of the process: events for the notifier,
// the dashboard and the backtest, and the journal its fills and days go to.
import type { DailySummaryRow } from '../grid-strategy.js';
import type { FillRecord } from '../types.js';

export type TraderEvent =
  | {
      type: 'grid_built';
      reason: string;
      center: number;
      buys: number;
      sells: number;
      spacingPct: number;
      orderSizeUsd: number;
      /** Emitted when the (background) rebuild finished: how long it took and how it moved the orders. */
      durationMs?: number;
      amended?: number;
      cancelled?: number;
      added?: number;
    }
  | { type: 'pair_status'; status: string; trading: boolean; message: string }
  | { type: 'fill'; fill: FillRecord }
  | { type: 'round_trip'; fill: FillRecord }
  | { type: 'daily_summary'; row: DailySummaryRow }
  | { type: 'risk'; action: 'pause' | 'resume' | 'stop'; reason: string }
  | { type: 'accumulation'; usd: number; volume: number; price: number }
  /** START_PRICE crossed: the first grid is built now. */
  | { type: 'start_price'; startPrice: number; price: number }
  /** A sell-on-stop (STOP_ACTION=sell) began, or finished: what it sold, for how much, at what fees. */
  | { type: 'exit'; phase: 'started' | 'done'; reason: string; volume: number; proceeds: number; fees: number; unsold: number }
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string };

/** Where fills and daily rows go (CSV files in LOG_DIR; nothing in backtests). Written after the state is saved. */
export interface Journal {
  fill(fill: FillRecord): void;
  daily(row: DailySummaryRow): void;
}
