// The overall health verdict, drawn from the five analyzer results.

import { analyzerLabel, fmtUsdFine, type AnalyzerResult, type HealthVerdict, type StatsReport } from './shared.js';

/** What the verdict knows beyond the analyzers. */
export interface HealthContext {
  /** Equity now minus the starting capital; null when unknown. */
  equityChange?: number | null;
}

const HEALTH_COLORS: Record<HealthVerdict, string> = {
  dangerous: 'red',
  unfavorable: 'red',
  exposed: 'yellow',
  favorable: 'green',
  profitable: 'green',
  calibrating: 'gray',
  neutral: 'gray',
};

/** The most severe verdict that applies, with its one-line reason. */
function headline(results: readonly AnalyzerResult[], ctx: HealthContext): { verdict: HealthVerdict; summary: string } {
  const v = (n: string): string => results.find((r) => r.name === n)?.verdict ?? 'insufficient data';
  const trend = v('fill_asymmetry') === 'uptrend' || v('fill_asymmetry') === 'downtrend';
  const highVol = v('fill_rate') === 'high volatility';
  if (highVol && trend) {
    return { verdict: 'dangerous', summary: `High volatility with a one-sided ${v('fill_asymmetry')}: widen spacing or pause` };
  }
  if (v('random_walk') === 'momentum') {
    return { verdict: 'unfavorable', summary: 'Momentum: price trends through the grid, grid trading has no edge here' };
  }
  if (v('profitability') === 'significant loss') {
    return { verdict: 'unfavorable', summary: 'Equity falls from day to day with statistical significance' };
  }
  if (v('hidden_risk') === 'high risk') {
    return { verdict: 'exposed', summary: 'Price often goes beyond the outermost grid level: add buffer levels or poll faster' };
  }
  if (v('random_walk') === 'mean reverting') {
    return { verdict: 'favorable', summary: 'Mean reverting market: the grid has a statistical edge' };
  }
  if (v('profitability') === 'significant profit') {
    const change = ctx.equityChange;
    if (typeof change === 'number' && change < 0) {
      return { verdict: 'neutral', summary: `Equity rose on most days but is ${fmtUsdFine(-change)} below the start` };
    }
    return { verdict: 'profitable', summary: 'Equity grows from day to day with statistical significance' };
  }
  if (results.every((r) => r.verdict === 'insufficient data')) {
    return { verdict: 'calibrating', summary: 'Collecting data: every analyzer still needs more observations' };
  }
  return { verdict: 'neutral', summary: 'No significant signal' };
}

/**
 * Precedence, most severe first: dangerous (high fill-rate volatility and a
 * significant fill asymmetry) > unfavorable (momentum, or a proven loss) >
 * exposed (grid exceeded often: hidden risk > 10 %) > favorable (mean
 * reverting) > profitable (significant profit) > calibrating (every analyzer
 * lacks data) > neutral. Never "profitable" while equity is below the start.
 */
export function healthVerdict(results: readonly AnalyzerResult[], ctx: HealthContext = {}): StatsReport['health'] {
  const { verdict, summary: reason } = headline(results, ctx);
  let summary = reason;
  // mention the other warning signs in passing
  const notes: string[] = [];
  for (const r of results) {
    if (r.color !== 'red' && r.color !== 'yellow') continue;
    if (r.verdict === 'not significant' || summary.toLowerCase().includes(r.verdict)) continue;
    notes.push(`${analyzerLabel(r.name)}: ${r.verdict}`);
  }
  if (notes.length > 0 && verdict !== 'calibrating') summary += ` (${notes.join('; ')})`;
  return { verdict, color: HEALTH_COLORS[verdict], summary };
}
