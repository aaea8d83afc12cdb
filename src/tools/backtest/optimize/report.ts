// Optimizer and walk-forward output: Markdown-compatible tables (readable in
// a terminal, pasteable into an issue) and JSON.
import { markdownTable } from '../report.js';
import type { Objective, Score } from './evaluate.js';
import { OBJECTIVES } from './evaluate.js';
import type { Ranked, WalkForwardResult } from './search.js';
import { walkForwardTotals } from './search.js';
import { PARAMS, describeCandidate, type Candidate } from './space.js';

function money(x: number, signed = false): string {
  const sign = x < 0 ? '-' : signed ? '+' : '';
  return `${sign}$${Math.abs(x).toFixed(2)}`;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function keysOf(candidates: readonly Candidate[]): string[] {
  return PARAMS.map((p) => p.key).filter((k) => candidates.some((c) => c[k] !== undefined));
}

function paramCells(c: Candidate, keys: string[]): string[] {
  return keys.map((k) => (c[k] === undefined ? '–' : PARAMS.find((p) => p.key === k)!.format(c[k]!)));
}

function scoreCells(s: Score): string[] {
  if (s.error !== undefined) return [`not run: ${s.error}`, '', '', '', '', ''];
  return [money(s.netProfit), money(s.fees), `${money(s.maxDrawdown)} (${s.maxDrawdownPct.toFixed(1)}%)`, money(s.equityChange, true), money(s.vsHold, true), s.stops ? 'stop' : s.pauses ? `${s.pauses} pause${s.pauses === 1 ? '' : 's'}` : '–'];
}

/** The ranked table: best first, `top` rows. */
export function rankedTable(r: Ranked, top: number): string {
  const keys = keysOf(r.candidates);
  const header = ['#', ...keys.map((k) => PARAMS.find((p) => p.key === k)!.label), 'net profit', 'fees', 'max drawdown', 'equity Δ', 'vs hold', 'stops hit', 'round trips', 'rebuilds'];
  const right = header.map((_, i) => i === 0 || i > keys.length);
  const rows = r.order.slice(0, top).map((ci, rank) => {
    const s = r.scores[ci]!;
    return [String(rank + 1), ...paramCells(r.candidates[ci]!, keys), ...scoreCells(s), String(s.roundTrips), String(s.rebuilds)];
  });
  return markdownTable(header, rows, right);
}

export function optimizeText(r: Ranked, info: { objective: Objective; seconds: number; workers: number; candles: number; top: number }): string {
  const lines = [
    `Optimizer: ${r.candidates.length} configurations × ${info.candles.toLocaleString('en-US')} candles, ranked by ${info.objective} (${objectiveText(info.objective)}); ${info.workers} worker${info.workers === 1 ? '' : 's'}, ${info.seconds.toFixed(1)} s.`,
    '',
    rankedTable(r, info.top),
    '',
    'net profit: round trips net of fees; equity Δ: final mark-to-market equity minus the capital; vs hold: equity Δ minus what holding the coin from the first open made;',
    'stops hit: the stop floor stopped trading (stop) or daily-loss pauses. In-sample: the best of many tries on the same data flatters — use --train/--test (walk-forward) before trusting it.',
  ];
  if (r.order.length > info.top) lines.push(`(${r.order.length - info.top} more; --top N shows more)`);
  return lines.join('\n') + '\n';
}

function objectiveText(o: Objective): string {
  return o === 'equity' ? 'equity Δ' : o === 'profit' ? 'net profit' : 'equity Δ − max drawdown';
}

export function walkForwardText(r: WalkForwardResult, info: { seconds: number; workers: number }): string {
  const keys = keysOf(r.windows.map((w) => w.chosen).concat(r.final ? [r.final.candidate] : []));
  const value = OBJECTIVES[r.objective];
  const header = ['window', 'train', 'test', ...keys.map((k) => PARAMS.find((p) => p.key === k)!.label), 'in-sample equity Δ', 'out-of-sample equity Δ', 'OOS net profit', 'OOS max dd', 'OOS stops / pauses', 'current config OOS'];
  const rows = r.windows.map((w, i) => [
    String(i + 1),
    `${day(w.trainFrom)} → ${day(w.trainTo)}`,
    `${day(w.testFrom)} → ${day(w.testTo)}`,
    ...paramCells(w.chosen, keys),
    money(w.inSample.equityChange, true),
    money(w.outOfSample.equityChange, true),
    money(w.outOfSample.netProfit),
    money(w.outOfSample.maxDrawdown),
    w.outOfSample.stops ? 'stop' : w.outOfSample.pauses ? String(w.outOfSample.pauses) : '–',
    w.baseline ? money(w.baseline.equityChange, true) : '–',
  ]);
  const t = walkForwardTotals(r, value);
  const days = (ms: number) => `${+(ms / 86_400_000).toFixed(2)} d`;
  const lines = [
    `Walk-forward: train ${days(r.trainMs)}, test ${days(r.testMs)}, ${r.windows.length} window${r.windows.length === 1 ? '' : 's'}, ${r.candidates} configurations each, chosen by ${r.objective} (${objectiveText(r.objective)}) on the train window only; ${info.workers} worker${info.workers === 1 ? '' : 's'}, ${info.seconds.toFixed(1)} s.`,
    '',
    markdownTable(header, rows, header.map((_, i) => i === 0 || i >= 3 + keys.length)),
    '',
    `In sample (sum of ${objectiveText(r.objective)} over the train windows): ${money(t.inSample, true)}; out of sample (sum over the test windows): ${money(t.outOfSample, true)}` +
      (t.baseline !== null ? `; current configuration out of sample: ${money(t.baseline, true)} (the choice beat it in ${t.wins} of ${r.windows.length} windows).` : '.'),
    'Each window starts a fresh bot with the full capital; the in-sample figure is the best of many tries on a longer stretch and is expected to flatter.',
    '',
    'Stability of the chosen parameters:',
    '',
    markdownTable(
      ['parameter', 'chosen per window', 'distinct', 'most often', 'changes'],
      r.stability.map((s) => [s.key, s.chosen.join(' '), String(s.distinct), `${s.mode} (${s.modeCount}/${s.chosen.length})`, String(s.changes)]),
      [false, false, true, false, true],
    ),
  ];
  if (r.final) lines.push('', `Chosen on the last ${days(r.trainMs)} (${day(r.final.from)} → ${day(r.final.to)}): ${describeCandidate(r.final.candidate)} (in sample ${money(r.final.score.equityChange, true)}).`);
  return lines.join('\n') + '\n';
}
