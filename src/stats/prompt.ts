// The statistics as compact text for the AI prompt.

import { arr, oneLine, type AnalyzerResult, type StatsReport } from './shared.js';

/** Compact text for the AI prompt: the health line, then one line per analyzer. */
export function statsPromptLines(report: StatsReport): string[] {
  try {
    const lines: string[] = [];
    if (report && report.health) {
      lines.push(`health: ${oneLine(report.health.verdict, 'n/a').toUpperCase()}: ${oneLine(report.health.summary, '')}`);
    }
    for (const r of arr<AnalyzerResult>(report?.analyzers)) {
      if (!r || typeof r !== 'object') continue;
      lines.push(`${oneLine(r.name, '?')}: ${oneLine(r.verdict, '?').toUpperCase()}: ${oneLine(r.summary, '')}`);
    }
    return lines;
  } catch {
    return ['statistics unavailable'];
  }
}
