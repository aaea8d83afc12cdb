// The CSV journal in LOG_DIR: one row per fill (trades.csv) and per day
// (daily_summary.csv). ai_recommendations.csv is written by the advisor.
import fs from 'node:fs';
import path from 'node:path';
import type { Journal } from '../core/trading/events.js';
import { CsvLog } from './csv-log.js';

export class CsvJournal implements Journal {
  private readonly trades: CsvLog;
  private readonly dailyLog: CsvLog;
  constructor(dir: string) {
    this.trades = new CsvLog(dir, 'trades.csv', ['timestamp', 'side', 'price', 'amount', 'fee', 'profit', 'grid_level']);
    this.dailyLog = new CsvLog(dir, 'daily_summary.csv', ['date', 'trades_count', 'gross_profit', 'fees_paid', 'net_profit', 'doge_accumulated']);
  }
  fill(f: Parameters<Journal['fill']>[0]): void {
    this.trades.append([new Date(f.time).toISOString(), f.side, f.price, f.volume, f.fee, f.profit, f.level]);
  }
  daily(r: Parameters<Journal['daily']>[0]): void {
    this.dailyLog.append([r.date, r.tradesCount, r.grossProfit, r.feesPaid, r.netProfit, r.dogeAccumulated]);
  }
}

/** The CSV files the dashboard offers for download, by export name. */
export function csvFiles(logDir: string): Record<string, string> {
  return { trades: path.join(logDir, 'trades.csv'), daily_summary: path.join(logDir, 'daily_summary.csv'), ai_recommendations: path.join(logDir, 'ai_recommendations.csv') };
}

/** What the journal files hold, for the period reports; null for a file that is missing. Malformed rows are skipped. */
export interface JournalContents {
  days: { date: string; tradesCount: number; grossProfit: number; feesPaid: number; netProfit: number }[] | null;
  fills: { time: number; fee: number; profit: number | null }[] | null;
}

const num = (s: string | undefined): number => (s === undefined || s.trim() === '' ? NaN : Number(s));

export function readJournal(dir: string): JournalContents {
  const dailyFile = new CsvLog(dir, 'daily_summary.csv', []);
  const tradesFile = new CsvLog(dir, 'trades.csv', []);
  const days = fs.existsSync(dailyFile.file)
    ? dailyFile
        .read()
        .map((r) => ({ date: r[0] ?? '', tradesCount: num(r[1]), grossProfit: num(r[2]), feesPaid: num(r[3]), netProfit: num(r[4]) }))
        .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.date) && [d.tradesCount, d.feesPaid, d.netProfit].every(Number.isFinite))
    : null;
  const fills = fs.existsSync(tradesFile.file)
    ? tradesFile
        .read()
        .map((r) => ({ time: Date.parse(r[0] ?? ''), fee: num(r[4]), profit: r[5] === undefined || r[5].trim() === '' ? null : num(r[5]) }))
        .filter((f) => Number.isFinite(f.time) && Number.isFinite(f.fee) && (f.profit === null || Number.isFinite(f.profit)))
    : null;
  return { days, fills };
}

/** Size and modification time of the journal files: a cheap key for caching what readJournal returns. */
export function journalStamp(dir: string): string {
  return ['daily_summary.csv', 'trades.csv']
    .map((n) => {
      try {
        const st = fs.statSync(path.join(dir, n));
        return `${st.size}:${st.mtimeMs}`;
      } catch {
        return '-';
      }
    })
    .join('|');
}
