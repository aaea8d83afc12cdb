// The CSV journal in LOG_DIR: one row per fill (trades.csv) and per day
// (daily_summary.csv). ai_recommendations.csv is written by the advisor.
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
