// How the dashboard prints numbers. Missing values print as a dash. Durations
// come from the shared formatter (src/util/format.ts) so they read as in
// Telegram; prices and money keep the page's compact style (no $ on prices,
// a true minus sign).
import { fmtDuration as durationText } from '../../../../util/format.js';

export const MISSING = '–';

export function isNum(x: unknown): x is number {
  return typeof x === 'number' && isFinite(x);
}

export function fixed(x: unknown, digits: number): string {
  return isNum(x) ? x.toFixed(digits) : MISSING;
}

/** A number as people write a bound: no trailing zeros (12.5, not 12.500000). */
export function plain(x: unknown): string {
  return isNum(x) ? String(+x.toFixed(6)) : MISSING;
}

export function fmtPrice(p: unknown): string {
  if (!isNum(p)) return MISSING;
  const a = Math.abs(p);
  return p.toFixed(a >= 100 ? 2 : a >= 1 ? 4 : 5);
}

export function fmtUsd(x: unknown, signed = false): string {
  if (!isNum(x)) return MISSING;
  const a = Math.abs(x);
  const sign = x < 0 ? '−' : signed && x > 0 ? '+' : '';
  return sign + '$' + (a >= 1 ? a.toFixed(2) : a.toFixed(4));
}

export function fmtPct(x: unknown, digits = 2, signed = false): string {
  if (!isNum(x)) return MISSING;
  return (x < 0 ? '−' : signed && x > 0 ? '+' : '') + Math.abs(x).toFixed(digits) + '%';
}

export function fmtQty(x: unknown, digits: number): string {
  if (!isNum(x)) return MISSING;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtDuration(seconds: unknown): string {
  return isNum(seconds) && seconds >= 0 ? durationText(seconds) : MISSING;
}

export function ago(ms: number): string {
  return ms < 0 ? 'just now' : fmtDuration(ms / 1000) + ' ago';
}

export function pad(n: number): string {
  return (n < 10 ? '0' : '') + n;
}

/** Local clock time today, else "Mon D hh:mm". */
export function fmtTime(t: string | number): string {
  const d = new Date(t);
  if (isNaN(d.getTime())) return MISSING;
  const hm = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  if (d.toDateString() === new Date().toDateString()) return hm;
  return d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' }) + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
}

/** A grid level with its sign: +3, -2. */
export function fmtLevel(level: unknown): string {
  return isNum(level) ? (level > 0 ? '+' + level : String(level)) : MISSING;
}

/** snake_case verdicts and actions as words. */
export function words(s: unknown): string {
  return String(s || '').replace(/_/g, ' ');
}

export function signClass(x: unknown): string {
  return !isNum(x) || x === 0 ? '' : x > 0 ? 'pos' : 'neg';
}

export const COLORS: Readonly<Record<string, string>> = {
  green: '#3fb950',
  red: '#f85149',
  yellow: '#e3b341',
  amber: '#e3b341',
  orange: '#f0883e',
  blue: '#58a6ff',
  gray: '#8b98a9',
  grey: '#8b98a9',
  purple: '#bc8cff',
};

/** A colour name the analyzers report, or a #hex, as CSS; anything else is gray. */
export function colorOf(c: unknown): string {
  if (typeof c !== 'string') return COLORS.gray;
  const k = c.trim().toLowerCase();
  if (Object.prototype.hasOwnProperty.call(COLORS, k)) return COLORS[k];
  return /^#[0-9a-f]{3,8}$/.test(k) ? k : COLORS.gray;
}
