// What the five analyzers share: the result and input types, the settings
// common to all of them, number checks and the formatting of summaries.

import type { Candle, FillRecord, PricePoint } from '../core/types.js';
import { fmtAmount } from '../util/format.js';

// ---------------------------------------------------------------------------
// Public types

export type AnalyzerColor = 'green' | 'yellow' | 'red' | 'gray';

export interface AnalyzerResult {
  name: string;
  verdict: string;
  color: AnalyzerColor;
  /** 0..1: 1 − p for the tests; data sufficiency for the hidden-risk model; 0 when insufficient. */
  confidence: number;
  /** One line. */
  summary: string;
  detail: Record<string, number | string | boolean | null>;
}

/** A verdict with its traffic-light color. */
export interface Verdict {
  verdict: string;
  color: AnalyzerColor;
}

/** Plain JSON, persisted by the bot so the 48 h baseline survives restarts. */
export interface PoissonBaseline {
  startedAt: number;
  windowMs: number;
  fillCount: number;
  complete: boolean;
  /**
   * Time of the newest fill already counted (optional; older saved baselines
   * lack it). Lets updateBaseline keep counting new fills after old ones have
   * dropped out of the bounded fill list.
   */
  lastFillTime?: number | null;
}

export interface AnalyzerGrid {
  center: number;
  spacingPct: number;
  lowestBuy: number | null;
  highestSell: number | null;
  levelsPerSide: number;
}

export interface AnalyzerInput {
  now: number;
  /** Newest last, up to 10,000. */
  fills: readonly FillRecord[];
  /**
   * Equity at the close of each complete day, oldest first: the profitability
   * analyzer tests the daily changes. Absent or short: insufficient data.
   */
  dailyEquity?: readonly number[];
  /** Equity now minus the starting capital: the health verdict never says "profitable" while it is negative. */
  equityChange?: number | null;
  /** Net USD profit of each completed round trip (informational; no longer tested: fixed by construction). */
  roundTripProfits?: readonly number[];
  /** Last 24 h of samples, oldest first, typically every 30 s. */
  prices: readonly PricePoint[];
  /** Recent 5-minute OHLC (may be empty). */
  candles: readonly Candle[];
  grid: AnalyzerGrid;
  pollIntervalSec: number;
  baseline: PoissonBaseline;
  /** Default 12 h. */
  asymmetryWindowMs?: number;
}

export type HealthVerdict = 'calibrating' | 'favorable' | 'profitable' | 'neutral' | 'exposed' | 'unfavorable' | 'dangerous';

export interface StatsReport {
  generatedAt: number;
  health: { verdict: HealthVerdict; color: string; summary: string };
  /** Exactly 5, in the order of ANALYZER_NAMES. */
  analyzers: AnalyzerResult[];
}

// ---------------------------------------------------------------------------
// Settings shared by the analyzers (each analyzer's own live in its module)

export const ANALYZER_NAMES = ['profitability', 'fill_asymmetry', 'hidden_risk', 'fill_rate', 'random_walk'] as const;

/** What a person reads for each analyzer (the code names stay in the JSON). */
export const ANALYZER_LABELS: Readonly<Record<string, string>> = {
  profitability: 'Equity trend',
  fill_asymmetry: 'Buy/sell balance',
  hidden_risk: 'Hidden risk',
  fill_rate: 'Fill rate',
  random_walk: 'Random walk',
};

/** The human label of an analyzer's code name; unknown names are made readable ("foo_bar" → "Foo bar"). */
export function analyzerLabel(name: string): string {
  const known = ANALYZER_LABELS[name];
  if (known) return known;
  const s = String(name).replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export const HOUR_MS = 3_600_000;
/** Significance level of every test. */
export const ALPHA = 0.05;

// ---------------------------------------------------------------------------
// Small helpers

export const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Fixed decimals (util/format's fmtAmount), switching to exponent form for huge or vanishing values. */
export function fmt(x: number | null | undefined, digits = 2): string {
  if (isNum(x)) {
    const ax = Math.abs(x);
    if (ax !== 0 && (ax >= 1e9 || ax < 10 ** -digits / 10)) return x.toExponential(Math.max(1, digits - 1));
  }
  return fmtAmount(x, digits);
}

/** A p-value: two significant digits, exponent form below 0.001. */
export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  if (p >= 0.001) return Number(p.toPrecision(2)).toString();
  if (p === 0) return '0';
  return p.toExponential(1);
}

/**
 * USD for statistics, finer than util/format's fmtUsd: 4 decimals below $1,
 * exponent form from $1e9, and the sign kept on values that round to zero.
 */
export function fmtUsdFine(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  const ax = Math.abs(x);
  const s = ax >= 1e9 ? ax.toExponential(2) : ax >= 1 ? ax.toFixed(2) : ax.toFixed(4);
  return (x < 0 ? '-$' : '$') + s;
}

/**
 * A fraction (0.5) as a percentage ("50.0%"); unlike util/format's fmtPct,
 * which takes a percent, and with a floor shown as "<0.1%".
 */
export function fmtFractionPct(x: number, digits = 1): string {
  if (!Number.isFinite(x)) return 'n/a';
  const v = x * 100;
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return (v < 0 ? '-' : '') + '<' + (10 ** -digits).toFixed(digits) + '%';
  return v.toFixed(digits) + '%';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function insufficient(name: string, need: string, detail: AnalyzerResult['detail'] = {}): AnalyzerResult {
  return {
    name,
    verdict: 'insufficient data',
    color: 'gray',
    confidence: 0,
    summary: `Insufficient data: ${need}`,
    detail: { ...detail, insufficient: true, need },
  };
}

/** The result of a significance test with p-value p: confidence 1 − p. */
export function testResult(name: string, v: Verdict, p: number, summary: string, detail: AnalyzerResult['detail']): AnalyzerResult {
  return { name, verdict: v.verdict, color: v.color, confidence: 1 - p, summary, detail };
}

/** The time of a fill, or NaN when the record is malformed. */
export function fillTime(f: unknown): number {
  if (f === null || typeof f !== 'object') return NaN;
  const t = (f as { time?: unknown }).time;
  return isNum(t) ? t : NaN;
}

/** One line of text with no NaN or Infinity in it. */
export function oneLine(s: unknown, fallback: string): string {
  const str = typeof s === 'string' && s.length > 0 ? s : fallback;
  return str.replace(/[\r\n]+/g, ' ').replace(/\bNaN\b/g, 'n/a').replace(/-?Infinity\b/g, 'n/a');
}

/** The value when it is an array, else an empty one. */
export function arr<T>(x: unknown): readonly T[] {
  return Array.isArray(x) ? (x as T[]) : [];
}
