// The JSON shapes of the report views (GET /api/periods, /balance, /daily …):
// types only, no Node imports, so the dashboard's browser script can check
// itself against them (like status-view.ts).

export type PeriodKind = 'day' | 'week' | 'month';

/** Where a row's counts came from: the daily journal, the fills log (journal row lost), nothing (no fills that day), neither (lost), the state (running day), or several. */
export type PeriodSource = 'journal' | 'fills' | 'empty' | 'unknown' | 'live' | 'mixed';

export interface PeriodRowView {
  period: string;
  from: string;
  to: string;
  open: boolean;
  /** Null: unknown (lost from both the journal and the fills log). */
  fills: number | null;
  round_trips: number | null;
  grid_profit: number | null;
  fees: number | null;
  /** At the close (now for the running period); null: unknown. */
  equity: number | null;
  hold: number | null;
  vs_hold: number | null;
  source: PeriodSource;
}

/** GET /api/periods?kind=…, and what /daily, /weekly, /monthly and /profit read. */
export interface PeriodsView {
  kind: PeriodKind;
  starting_capital: number;
  first_price: number | null;
  /** Oldest first; the last row is the running period. */
  rows: PeriodRowView[];
  notes: string[];
}

export interface BalanceAssetView {
  asset: string;
  /** What the exchange reports: total, and the part held by open orders (null: not reported). */
  exchange: number;
  held: number | null;
  ledger: number;
  /** exchange − ledger, in the asset and in USD at the last price (null before the first price). */
  diff: number;
  diff_usd: number | null;
  /** The difference is worth BALANCE_DIFF_FLAG_USD or more. */
  flagged: boolean;
}

/** What /balance shows. */
export interface BalanceView {
  venue: 'paper' | 'kraken';
  /** How the amounts were read: 'balance_ex' (Kraken totals and holds), 'balances' (getBalances), or the error. */
  source: 'balance_ex' | 'balances';
  price: number | null;
  base: BalanceAssetView;
  quote: BalanceAssetView;
  /** Exchange amounts at the last price, and the ledger's equity. */
  exchange_value: number | null;
  ledger_equity: number | null;
  flagged: boolean;
  note: string | null;
}
