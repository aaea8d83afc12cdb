// The report commands' handlers (/daily, /weekly, /monthly, /profit,
// /balance, /trades): they parse the optional count and read the reports
// (ops/reports.ts) the bot hands the front end. The command table
// (commands.ts) lists them; they change nothing.
import {
  REPORT_DAYS_DEFAULT,
  REPORT_DAYS_MAX,
  REPORT_MONTHS_DEFAULT,
  REPORT_MONTHS_MAX,
  REPORT_TRADES_DEFAULT,
  REPORT_TRADES_MAX,
  REPORT_WEEKS_DEFAULT,
  REPORT_WEEKS_MAX,
} from '../../core/limits.js';
import type { PeriodKind, ReportSource } from '../../ops/reports.js';
import type { StatusView } from '../../ops/status-view.js';
import { errorMessage, logger } from '../../util/log.js';
import { clip, html } from './html.js';
import { balanceMessage, periodsMessage, profitMessage, tradesMessage } from './report-replies.js';
import { unavailableMessage, usageMessage } from './replies.js';

const log = logger('telegram-commands');

/** What the report handlers read (a subset of the command context). */
export interface ReportContext {
  status: () => StatusView;
  /** Absent when the bot wired no reports (then the commands say so). */
  reports?: ReportSource;
  /** DAILY_SUMMARY_HOUR_UTC, for the day reports' heading. */
  dayStartHourUtc?: number;
}

export type ReportHandler = (args: readonly string[], ctx: ReportContext, usage: string) => Promise<string>;

/** The count argument: absent → the default; else a whole number from 1 to max. */
export function parseCount(args: readonly string[], def: number, max: number): { ok: true; n: number } | { ok: false; error: string } {
  if (args.length === 0) return { ok: true, n: def };
  const bad = `the count must be a whole number from 1 to ${max}`;
  if (args.length > 1) return { ok: false, error: `one count at most; ${bad}` };
  const a = args[0]!;
  if (!/^\d{1,6}$/.test(a)) return { ok: false, error: `"${clip(a, 20)}" is not a count: ${bad}` };
  const n = Number(a);
  if (n < 1 || n > max) return { ok: false, error: `${n} is out of range: ${bad}` };
  return { ok: true, n };
}

const COUNTS: Record<PeriodKind, { def: number; max: number }> = {
  day: { def: REPORT_DAYS_DEFAULT, max: REPORT_DAYS_MAX },
  week: { def: REPORT_WEEKS_DEFAULT, max: REPORT_WEEKS_MAX },
  month: { def: REPORT_MONTHS_DEFAULT, max: REPORT_MONTHS_MAX },
};

export function countArgs(max: number): string {
  return `[1..${max}]`;
}

export const PERIOD_COUNT_ARGS: Record<PeriodKind, string> = { day: countArgs(REPORT_DAYS_MAX), week: countArgs(REPORT_WEEKS_MAX), month: countArgs(REPORT_MONTHS_MAX) };
export const TRADES_COUNT_ARGS = countArgs(REPORT_TRADES_MAX);

const NAMES: Record<PeriodKind, string> = { day: 'The daily report', week: 'The weekly report', month: 'The monthly report' };

export function periodReport(kind: PeriodKind): ReportHandler {
  const { def, max } = COUNTS[kind];
  return async (args, ctx, usage) => {
    const c = parseCount(args, def, max);
    if (!c.ok) return usageMessage(usage, c.error, `Without a count: the last ${def}.`);
    if (!ctx.reports) return unavailableMessage(NAMES[kind]);
    return periodsMessage(ctx.reports.periods(kind), c.n, kind === 'day' ? (ctx.dayStartHourUtc ?? null) : null);
  };
}

export const profitReport: ReportHandler = async (args, ctx, usage) => {
  if (args.length !== 0) return usageMessage(usage, `${usage} takes no arguments`);
  if (!ctx.reports) return unavailableMessage('The profit report');
  const r = ctx.reports;
  return profitMessage(ctx.status(), { day: r.periods('day'), week: r.periods('week'), month: r.periods('month') });
};

export const balanceReport: ReportHandler = async (args, ctx, usage) => {
  if (args.length !== 0) return usageMessage(usage, `${usage} takes no arguments`);
  if (!ctx.reports) return unavailableMessage('The balance');
  try {
    return balanceMessage(await ctx.reports.balance());
  } catch (err) {
    log.warn(`balance failed: ${errorMessage(err)}`);
    return html`❌ The exchange did not answer the balance request: ${clip(errorMessage(err), 300)}\nTry again in a minute.`;
  }
};

export const tradesReport: ReportHandler = async (args, ctx, usage) => {
  const c = parseCount(args, REPORT_TRADES_DEFAULT, REPORT_TRADES_MAX);
  if (!c.ok) return usageMessage(usage, c.error, `Without a count: the last ${REPORT_TRADES_DEFAULT}.`);
  if (!ctx.reports) return unavailableMessage('The fills list');
  return tradesMessage(ctx.reports.trades(c.n), c.n);
};
