// The report views the front ends read besides the status: the period tables
// (days, ISO weeks, months), the exchange balances against the ledger, and the
// last fills. Built from the bot's state and its journal files (periods.ts
// holds the pure table building); JSON-shaped, snake_case like /api/status.
import { BALANCE_DIFF_FLAG_USD } from '../core/limits.js';
import { equity as ledgerEquity } from '../core/ledger.js';
import { readJournal, journalStamp, type JournalContents } from '../persistence/journal.js';
import { errorMessage } from '../util/log.js';
import { firstPriceOf } from './attribution.js';
import type { BotHandle } from './bot-handle.js';
import { periodTable, periodsCsv, type PeriodInputs, type PeriodKind, type PeriodRow, type PeriodTable } from './periods.js';
import type { BalanceAssetView, BalanceView, PeriodRowView, PeriodsView } from './report-views.js';
import type { FillRow } from './status-view.js';

export type { BalanceAssetView, BalanceView, PeriodKind, PeriodRowView, PeriodsView } from './report-views.js';

export interface ReportSource {
  periods(kind: PeriodKind): PeriodsView;
  periodsCsv(kind: PeriodKind): string;
  /** Asks the exchange (between ticks); rejects when it cannot answer. */
  balance(): Promise<BalanceView>;
  /** The last n fills, newest first. */
  trades(n: number): FillRow[];
}

function rowView(r: PeriodRow): PeriodRowView {
  return { period: r.key, from: r.from, to: r.to, open: r.open, fills: r.fills, round_trips: r.roundTrips, grid_profit: r.gridProfit, fees: r.fees, equity: r.equity, hold: r.hold, vs_hold: r.vsHold, source: r.source };
}

/** The pure inputs of the period tables, from the state and what the journal files hold. */
export function periodInputs(bot: BotHandle, journal: JournalContents): PeriodInputs {
  const s = bot.state;
  const price = s.lastPrice > 0 ? s.lastPrice : null;
  const closes = (Array.isArray(s.equityDays) ? s.equityDays : []).filter((c) => c && typeof c.day === 'string' && typeof c.equity === 'number');
  return {
    hourUtc: bot.config.dailySummaryHourUtc,
    journal: journal.days,
    fills: journal.fills,
    closes,
    startingCapital: s.ledger.startingCapital,
    firstPrice: firstPriceOf(s).price,
    today: {
      key: s.day.key,
      fills: s.profit.tradesToday,
      roundTrips: s.profit.roundTripsToday,
      gridProfit: s.profit.today,
      fees: s.profit.feesToday,
      equity: price !== null ? ledgerEquity(s.ledger, price) : null,
      price,
    },
  };
}

/** A table as JSON, with what its hold figures start from. */
export function toPeriodsView(t: PeriodTable, startingCapital: number, firstPrice: number | null): PeriodsView {
  return { kind: t.kind, starting_capital: startingCapital, first_price: firstPrice, rows: t.rows.map(rowView), notes: t.notes };
}

export function periodsView(bot: BotHandle, t: PeriodTable): PeriodsView {
  return toPeriodsView(t, bot.state.ledger.startingCapital, firstPriceOf(bot.state).price);
}

function assetView(asset: string, exchange: number, held: number | null, ledger: number, usdPerUnit: number | null): BalanceAssetView {
  const diff = exchange - ledger;
  const diffUsd = usdPerUnit === null ? null : diff * usdPerUnit;
  const flagged = diffUsd === null ? Math.abs(diff) > 1e-8 : Math.abs(diffUsd) >= BALANCE_DIFF_FLAG_USD;
  return { asset, exchange, held, ledger, diff, diff_usd: diffUsd, flagged };
}

/** What our open orders hold: DOGE in sells, USD in buys (limit price × what is still open). */
function heldByOurOrders(bot: BotHandle): { base: number; quote: number } {
  let base = 0;
  let quote = 0;
  for (const o of bot.state.orders) {
    if (o.status !== 'open') continue;
    const rest = Math.max(0, o.volume - o.bookedVolume);
    if (o.side === 'sell') base += rest;
    else quote += rest * o.price;
  }
  return { base, quote };
}

async function readBalances(bot: BotHandle): Promise<{ base: number; quote: number; heldBase: number | null; heldQuote: number | null; source: BalanceView['source']; note: string | null }> {
  const ex = bot.exchange;
  if (ex.getBalanceDetails) {
    try {
      const d = await ex.getBalanceDetails();
      return { base: d.base.total, quote: d.quote.total, heldBase: d.base.held, heldQuote: d.quote.held, source: 'balance_ex', note: null };
    } catch (err) {
      const b = await ex.getBalances();
      return { base: b.base, quote: b.quote, heldBase: null, heldQuote: null, source: 'balances', note: `totals by asset unavailable (${errorMessage(err)}): these are the balances the bot trades with` };
    }
  }
  const b = await ex.getBalances();
  const held = ex.kind === 'paper' ? heldByOurOrders(bot) : null;
  return { base: b.base, quote: b.quote, heldBase: held?.base ?? null, heldQuote: held?.quote ?? null, source: 'balances', note: null };
}

export async function balanceView(bot: BotHandle): Promise<BalanceView> {
  const r = await readBalances(bot);
  const s = bot.state;
  const price = s.lastPrice > 0 ? s.lastPrice : null;
  const base = assetView('DOGE', r.base, r.heldBase, s.ledger.inventory, price);
  const quote = assetView('USD', r.quote, r.heldQuote, s.ledger.cash, 1);
  const exchangeValue = price !== null ? r.quote + r.base * price : null;
  const ledgerEq = price !== null ? ledgerEquity(s.ledger, price) : null;
  return {
    venue: bot.exchange.kind,
    source: r.source,
    price,
    base,
    quote,
    exchange_value: exchangeValue,
    ledger_equity: ledgerEq,
    flagged: base.flagged || quote.flagged,
    note: r.note,
  };
}

export function tradesView(bot: BotHandle, n: number): FillRow[] {
  const fills = bot.state.fills;
  const out: FillRow[] = [];
  for (let k = fills.length - 1; k >= 0 && out.length < n; k--) {
    const f = fills[k]!;
    out.push({ time: new Date(f.time).toISOString(), side: f.side, price: f.price, volume: f.volume, fee: f.fee, profit: f.profit, level: f.level });
  }
  return out;
}

/**
 * The reports over a running bot. The journal files are parsed again only when
 * they changed (size or modification time), so a dashboard refreshing every few
 * seconds costs a stat; the state's part is read fresh every time.
 */
export function createReports(bot: BotHandle): ReportSource {
  let cache: { key: string; journal: JournalContents } | null = null;
  const journal = (): JournalContents => {
    const key = journalStamp(bot.config.logDir);
    if (!cache || cache.key !== key) cache = { key, journal: readJournal(bot.config.logDir) };
    return cache.journal;
  };
  const table = (kind: PeriodKind): PeriodTable => periodTable(periodInputs(bot, journal()), kind);
  return {
    periods: (kind) => periodsView(bot, table(kind)),
    periodsCsv: (kind) => periodsCsv(table(kind)),
    balance: () => bot.trader.exclusive(() => balanceView(bot)),
    trades: (n) => tradesView(bot, n),
  };
}
