// The five statistical analyzers (SPEC §6, seed "5 Statistical Analyzers")
// and the overall health verdict. Read-only, pure, never throw: each analyzer
// is fenced, and every number that reaches a verdict, summary or detail is
// checked for finiteness first.
//
// 1. profitability   one-sample t-test of the daily change in equity against
//                    zero, exact t p-value and 95 % CI, days still needed.
// 2. fill_asymmetry  exact two-sided binomial test of buys vs sells in a
//                    sliding window, Wilson 95 % CI of the buy share.
// 3. hidden_risk     Brownian-bridge probability that price went beyond the
//                    outermost grid level between two samples, volatility
//                    from the samples and, as a cross-check, from OHLC ranges.
// 4. fill_rate       Poisson fill rate against a persisted 48 h baseline:
//                    Garwood CIs, exact conditional test of the two counts.
// 5. random_walk     chi-squared goodness of fit of fills per distance k
//                    against P(k) ∝ 1/k, bins merged to expected ≥ 5.
//
// Each analyzer lives in its own module (profitability.ts, fill-asymmetry.ts,
// hidden-risk.ts, fill-rate.ts, random-walk.ts), the verdict in health.ts, the
// AI prompt text in prompt.ts and what they share in shared.ts. This module
// runs them all and re-exports their public names.

import type { Candle, FillRecord, PricePoint } from '../core/types.js';
import { analyzeAsymmetry, DEFAULT_ASYMMETRY_WINDOW_MS } from './fill-asymmetry.js';
import { analyzeFillRate } from './fill-rate.js';
import { healthVerdict } from './health.js';
import { analyzeHiddenRisk } from './hidden-risk.js';
import { analyzeProfitability, dailyChanges } from './profitability.js';
import { analyzeRandomWalk } from './random-walk.js';
import {
  ANALYZER_NAMES,
  arr,
  fillTime,
  isNum,
  oneLine,
  type AnalyzerColor,
  type AnalyzerGrid,
  type AnalyzerInput,
  type AnalyzerResult,
  type PoissonBaseline,
  type StatsReport,
} from './shared.js';

export {
  ALPHA,
  ANALYZER_LABELS,
  ANALYZER_NAMES,
  analyzerLabel,
  type AnalyzerColor,
  type AnalyzerGrid,
  type AnalyzerInput,
  type AnalyzerResult,
  type HealthVerdict,
  type PoissonBaseline,
  type StatsReport,
} from './shared.js';
export { analyzeProfitability, dailyChanges, daysToSignificance, MIN_DAYS } from './profitability.js';
export { analyzeAsymmetry, DEFAULT_ASYMMETRY_WINDOW_MS, MIN_ASYMMETRY_FILLS, wilsonInterval } from './fill-asymmetry.js';
export { analyzeHiddenRisk, ELEVATED_RISK, HIGH_RISK, MIN_RETURNS, RISK_WINDOW_MS } from './hidden-risk.js';
export { analyzeFillRate, DEFAULT_BASELINE_MS, MIN_RATE_WINDOW_MS, newBaseline, RATE_WINDOW_MS, updateBaseline } from './fill-rate.js';
export { analyzeRandomWalk, MIN_RANDOM_WALK_FILLS } from './random-walk.js';
export { healthVerdict } from './health.js';
export { statsPromptLines } from './prompt.js';

const COLORS = new Set<AnalyzerColor>(['green', 'yellow', 'red', 'gray']);

function sanitize(r: AnalyzerResult, name: string): AnalyzerResult {
  const detail: AnalyzerResult['detail'] = {};
  if (r.detail && typeof r.detail === 'object') {
    for (const [k, v] of Object.entries(r.detail)) {
      if (typeof v === 'number') detail[k] = Number.isFinite(v) ? v + 0 : null; // + 0 turns −0 into 0
      else if (typeof v === 'string' || typeof v === 'boolean' || v === null) detail[k] = v;
      else detail[k] = null;
    }
  }
  const c = isNum(r.confidence) ? Math.min(1, Math.max(0, r.confidence)) + 0 : 0;
  return {
    name,
    verdict: oneLine(r.verdict, 'error'),
    color: COLORS.has(r.color) ? r.color : 'gray',
    confidence: c,
    summary: oneLine(r.summary, 'no summary'),
    detail,
  };
}

/** The result of a failed analyzer. */
function failed(name: string, err: unknown, detail: AnalyzerResult['detail']): AnalyzerResult {
  const msg = err instanceof Error ? err.message : String(err);
  return sanitize({ name, verdict: 'error', color: 'gray', confidence: 0, summary: `Analyzer failed: ${msg}`.slice(0, 200), detail }, name);
}

function fenced(name: string, fn: () => AnalyzerResult): AnalyzerResult {
  try {
    return sanitize(fn(), name);
  } catch (err) {
    return failed(name, err, { error: true });
  }
}

/** `now` when given, else the newest timestamp in the data. */
function reportTime(now: unknown, fills: readonly FillRecord[], prices: readonly PricePoint[]): number {
  if (isNum(now)) return now;
  let latest = 0;
  const f = fills.length > 0 ? fillTime(fills[fills.length - 1]) : NaN;
  if (isNum(f)) latest = Math.max(latest, f);
  const p = prices.length > 0 ? prices[prices.length - 1] : undefined;
  if (p && isNum(p.time)) latest = Math.max(latest, p.time);
  return latest;
}

function safeHealth(analyzers: readonly AnalyzerResult[], equityChange: unknown): StatsReport['health'] {
  try {
    const health = healthVerdict(analyzers, { equityChange: isNum(equityChange) ? equityChange : null });
    return { verdict: health.verdict, color: health.color, summary: oneLine(health.summary, 'n/a') };
  } catch {
    return { verdict: 'neutral', color: 'gray', summary: 'health verdict unavailable' };
  }
}

/** Run all five analyzers. Never throws; never NaN in verdicts, summaries or confidences. */
export function runAnalyzers(input: AnalyzerInput): StatsReport {
  try {
    const inp = (input && typeof input === 'object' ? input : {}) as Partial<AnalyzerInput>;
    const fills = arr<FillRecord>(inp.fills);
    const prices = arr<PricePoint>(inp.prices);
    const t = reportTime(inp.now, fills, prices);
    const grid = (inp.grid && typeof inp.grid === 'object' ? inp.grid : {}) as AnalyzerGrid;
    const analyzers = [
      fenced('profitability', () => analyzeProfitability(dailyChanges(arr<number>(inp.dailyEquity)))),
      fenced('fill_asymmetry', () => analyzeAsymmetry(fills, t, inp.asymmetryWindowMs ?? DEFAULT_ASYMMETRY_WINDOW_MS)),
      fenced('hidden_risk', () => analyzeHiddenRisk(prices, arr<Candle>(inp.candles), grid, t, inp.pollIntervalSec ?? 30)),
      fenced('fill_rate', () => analyzeFillRate(fills, t, inp.baseline as PoissonBaseline)),
      fenced('random_walk', () => analyzeRandomWalk(fills, grid)),
    ];
    return { generatedAt: t, health: safeHealth(analyzers, inp.equityChange), analyzers };
  } catch (err) {
    return {
      generatedAt: 0,
      health: { verdict: 'calibrating', color: 'gray', summary: 'statistics unavailable' },
      analyzers: ANALYZER_NAMES.map((name) => failed(name, err, {})),
    };
  }
}
