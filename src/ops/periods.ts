// Period reports: a table of trading days, ISO weeks and months. Pure.
//
// Where each figure of a closed day comes from:
//   fills, grid profit, fees  the daily journal (daily_summary.csv); a day the
//                             journal lacks (file lost or cut) is rebuilt from
//                             the fills log (trades.csv): its fills, their fees,
//                             and the profits of the round trips they completed.
//   round trips               counted in the fills log (the journal has no such
//                             column); unknown for a day with fills the log no
//                             longer covers.
//   equity / hold at close    the state's day closes (equityDays: equity and the
//                             price it was valued at). The fills cannot say what
//                             the price was at a close, so a close the state
//                             does not hold stays unknown (null), never 0.
// The running day comes from the state's today counters and is valued now.
// Grid profit, fees and the hold benchmark mean what ops/attribution.ts says.
import { holdValue } from './attribution.js';

import type { PeriodKind, PeriodSource } from './report-views.js';

export type { PeriodKind, PeriodSource } from './report-views.js';
export const PERIOD_KINDS: readonly PeriodKind[] = ['day', 'week', 'month'];

/** One row of daily_summary.csv. */
export interface JournalDay {
  date: string;
  tradesCount: number;
  grossProfit: number;
  feesPaid: number;
  netProfit: number;
}

/** One row of trades.csv (profit: net profit of the round trip the fill completed, null when it opened one). */
export interface JournalFill {
  time: number;
  fee: number;
  profit: number | null;
}

/** The running trading day, from the state. */
export interface OpenDay {
  key: string;
  fills: number;
  roundTrips: number;
  gridProfit: number;
  fees: number;
  /** Valued at the last price (null before the first price). */
  equity: number | null;
  price: number | null;
}

export interface PeriodInputs {
  /** DAILY_SUMMARY_HOUR_UTC: a trading day starts at this hour (UTC). */
  hourUtc: number;
  /** daily_summary.csv rows; null when the file is missing. */
  journal: readonly JournalDay[] | null;
  /** trades.csv rows, oldest first; null when the file is missing. */
  fills: readonly JournalFill[] | null;
  /** The state's day closes, oldest first. */
  closes: readonly { day: string; equity: number; price?: number }[];
  startingCapital: number;
  /** The hold benchmark's first price (attribution.firstPriceOf), null when unknown. */
  firstPrice: number | null;
  today: OpenDay;
}

export interface PeriodRow {
  kind: PeriodKind;
  /** "2026-03-02", "2026-W10", "2026-03". */
  key: string;
  /** First and last trading day in the table. */
  from: string;
  to: string;
  /** Still running: the figures are so far, equity and hold are valued now. */
  open: boolean;
  /** Null: unknown (some day of it is in neither the journal nor the fills log; see the header). */
  fills: number | null;
  roundTrips: number | null;
  gridProfit: number | null;
  fees: number | null;
  /** At the close of the period's last day (now for a running one); null: unknown. */
  equity: number | null;
  hold: number | null;
  vsHold: number | null;
  source: PeriodSource;
}

/** Trading-day key of an instant: the UTC date of the day that started at hourUtc (as grid-strategy dayKey). */
export function tradingDay(time: number, hourUtc: number): string {
  return new Date(time - hourUtc * 3600_000).toISOString().slice(0, 10);
}

/** ISO 8601 week of a date key: "2026-W01" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(date: string): string {
  const d = new Date(date + 'T00:00:00Z');
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * 86400_000);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86400_000)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function periodKey(date: string, kind: PeriodKind): string {
  return kind === 'day' ? date : kind === 'week' ? isoWeek(date) : date.slice(0, 7);
}

const DAY_MS = 86400_000;
const VALID_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** At most this many days in one table (ten years), whatever the files say. */
const MAX_DAYS = 3660;

interface FillDay {
  fills: number;
  roundTrips: number;
  gridProfit: number;
  fees: number;
}

function fillsByDay(fills: readonly JournalFill[], hourUtc: number): Map<string, FillDay> {
  const out = new Map<string, FillDay>();
  for (const f of fills) {
    if (!Number.isFinite(f.time)) continue;
    const key = tradingDay(f.time, hourUtc);
    const d = out.get(key) ?? { fills: 0, roundTrips: 0, gridProfit: 0, fees: 0 };
    d.fills++;
    if (Number.isFinite(f.fee)) d.fees += f.fee;
    if (f.profit !== null && Number.isFinite(f.profit)) {
      d.roundTrips++;
      d.gridProfit += f.profit;
    }
    out.set(key, d);
  }
  return out;
}

/** The day keys from `first` to `last`, inclusive (bounded). */
function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  const end = Date.parse(last + 'T00:00:00Z');
  for (let t = Date.parse(first + 'T00:00:00Z'); t <= end && out.length < MAX_DAYS; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

function valued(i: PeriodInputs, equity: number | null, price: number | null): Pick<PeriodRow, 'equity' | 'hold' | 'vsHold'> {
  const hold = price !== null && price > 0 && i.firstPrice !== null && i.firstPrice > 0 ? holdValue(i.startingCapital, i.firstPrice, price) : null;
  return { equity, hold, vsHold: equity !== null && hold !== null ? equity - hold : null };
}

function openRow(i: PeriodInputs): PeriodRow {
  const t = i.today;
  return {
    kind: 'day',
    key: t.key,
    from: t.key,
    to: t.key,
    open: true,
    fills: t.fills,
    roundTrips: t.roundTrips,
    gridProfit: t.gridProfit,
    fees: t.fees,
    ...valued(i, t.equity, t.price),
    source: 'live',
  };
}

/** The first day the table shows: the earliest day any source knows (never after today). */
function firstDay(i: PeriodInputs, fillDays: Map<string, FillDay>): string {
  let first = i.today.key;
  const consider = (k: string) => {
    if (VALID_DAY.test(k) && k < first) first = k;
  };
  for (const j of i.journal ?? []) consider(j.date);
  for (const k of fillDays.keys()) consider(k);
  for (const c of i.closes) consider(c.day);
  return first;
}

/** One closed day from the journal, else the fills log, else empty. */
function closedRow(i: PeriodInputs, key: string, journal: Map<string, JournalDay>, fillDays: Map<string, FillDay>, logFrom: string | null, close: { equity: number; price?: number } | undefined): PeriodRow {
  const j = journal.get(key);
  const f = fillDays.get(key);
  // The fills log covers a day when it holds fills from that day or earlier.
  const covered = logFrom !== null && logFrom <= key;
  const base = { kind: 'day' as const, key, from: key, to: key, open: false };
  const value = close ? valued(i, close.equity, typeof close.price === 'number' ? close.price : null) : valued(i, null, null);
  if (j) {
    const roundTrips = f ? f.roundTrips : j.tradesCount === 0 || covered ? 0 : null;
    return { ...base, fills: j.tradesCount, roundTrips, gridProfit: j.netProfit, fees: j.feesPaid, ...value, source: 'journal' };
  }
  if (f) return { ...base, fills: f.fills, roundTrips: f.roundTrips, gridProfit: f.gridProfit, fees: f.fees, ...value, source: 'fills' };
  // No fills that day: known only if the fills log reaches back that far.
  if (covered) return { ...base, fills: 0, roundTrips: 0, gridProfit: 0, fees: 0, ...value, source: 'empty' };
  return { ...base, fills: null, roundTrips: null, gridProfit: null, fees: null, ...value, source: 'unknown' };
}

/** Every trading day from the first one known to today (the running day last), oldest first. */
export function buildDays(i: PeriodInputs): PeriodRow[] {
  const fillDays = fillsByDay(i.fills ?? [], i.hourUtc);
  const journal = new Map<string, JournalDay>();
  for (const j of i.journal ?? []) if (VALID_DAY.test(j.date) && j.date < i.today.key) journal.set(j.date, j);
  const closes = new Map<string, { equity: number; price?: number }>();
  for (const c of i.closes) if (Number.isFinite(c.equity)) closes.set(c.day, c);
  const logFrom = [...fillDays.keys()].sort()[0] ?? null;
  const rows: PeriodRow[] = [];
  const keys = daysBetween(firstDay(i, fillDays), i.today.key);
  for (const key of keys.slice(0, -1)) rows.push(closedRow(i, key, journal, fillDays, logFrom, closes.get(key)));
  rows.push(openRow(i));
  return rows;
}

/** A sum that is unknown when any part is. */
const add = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/** Days grouped into ISO weeks or calendar months (of the trading-day dates), oldest first. */
export function rollUp(days: readonly PeriodRow[], kind: PeriodKind): PeriodRow[] {
  if (kind === 'day') return days.map((d) => ({ ...d }));
  const out: PeriodRow[] = [];
  for (const d of days) {
    const key = periodKey(d.key, kind);
    const cur = out[out.length - 1];
    if (!cur || cur.key !== key) {
      out.push({ ...d, kind, key });
      continue;
    }
    cur.to = d.to;
    cur.open = cur.open || d.open;
    cur.fills = add(cur.fills, d.fills);
    cur.roundTrips = add(cur.roundTrips, d.roundTrips);
    cur.gridProfit = add(cur.gridProfit, d.gridProfit);
    cur.fees = add(cur.fees, d.fees);
    cur.equity = d.equity;
    cur.hold = d.hold;
    cur.vsHold = d.vsHold;
    if (cur.source !== d.source) cur.source = 'mixed';
  }
  return out;
}

export interface PeriodTable {
  kind: PeriodKind;
  /** Oldest first; the last row is the running period. */
  rows: PeriodRow[];
  /** Plain-text notes on what is unknown and why (empty when everything is known). */
  notes: string[];
}

/** What the table could not know, in words. */
function notesFor(i: PeriodInputs, days: readonly PeriodRow[]): string[] {
  const notes: string[] = [];
  const rebuilt = days.filter((d) => d.source === 'fills').length;
  if (i.journal === null && days.length > 1) notes.push('The daily journal (daily_summary.csv) is missing: closed days are rebuilt from the fills log (trades.csv).');
  else if (rebuilt > 0) notes.push(`${rebuilt} day${rebuilt === 1 ? '' : 's'} missing from the daily journal, rebuilt from the fills log.`);
  if (days.some((d) => !d.open && d.equity === null)) notes.push('Equity at close is unknown for days the state holds no close of (the fills do not tell the price at a close).');
  else if (days.some((d) => !d.open && d.hold === null)) notes.push('The hold benchmark at close is unknown for days closed before the close price was recorded.');
  if (days.some((d) => d.source === 'unknown')) notes.push('Some days are in neither the daily journal nor the fills log: their figures are unknown.');
  else if (days.some((d) => d.roundTrips === null)) notes.push('Round trips are unknown for days the fills log no longer covers.');
  return notes;
}

export function periodTable(i: PeriodInputs, kind: PeriodKind): PeriodTable {
  const days = buildDays(i);
  return { kind, rows: rollUp(days, kind), notes: notesFor(i, days) };
}

// ---------------------------------------------------------------- CSV

export const PERIOD_CSV_HEADER = ['period', 'kind', 'from', 'to', 'open', 'fills', 'round_trips', 'grid_profit', 'fees', 'equity_close', 'hold_close', 'vs_hold', 'source'] as const;

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 1e8) / 1e8) : '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV (header first); unknown figures are empty cells, never 0. */
export function periodsCsv(t: PeriodTable): string {
  const lines = [PERIOD_CSV_HEADER.join(',')];
  for (const r of t.rows) {
    lines.push([r.key, r.kind, r.from, r.to, r.open, r.fills, r.roundTrips, r.gridProfit, r.fees, r.equity, r.hold, r.vsHold, r.source].map(csvCell).join(','));
  }
  return lines.join('\n') + '\n';
}
