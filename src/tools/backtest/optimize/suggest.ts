// The bot's /suggest: a small walk-forward on its own recent candles. The
// space is the settings the bot can change while running (spacing around the
// current one, ratio auto or 0.5); each train window chooses, the next test
// window scores, next to the current settings. A configuration is proposed
// only when the walk-forward choices beat the current settings out of sample
// (summed over the test windows) and the final choice differs from them.
import { sinceLastGap, type SuggestRequest, type SuggestResult } from '../../../ops/suggestion.js';
import { seriesFromCandles } from '../candles.js';
import { createRunner } from './pool.js';
import { walkForward, walkForwardTotals } from './search.js';
import { currentCandidate, describeCandidate, gridCandidates, sameCandidate, type Space } from './space.js';

const SPACING_FACTORS = [0.6, 0.8, 1, 1.25, 1.5, 2];

function money(x: number): string {
  return `${x < 0 ? '-' : '+'}$${Math.abs(x).toFixed(2)}`;
}

/** Spacings around the current one (at least the minimum), and the ratio modes. */
export function suggestSpace(req: SuggestRequest): Space {
  const spacings = new Set<number>();
  for (const f of SPACING_FACTORS) spacings.add(Number(Math.max(req.minSpacingPct, req.current.spacingPct * f).toFixed(2)));
  const ratios = req.current.ratioOverride === null ? ['auto', 0.5] : ['auto', req.current.ratioOverride];
  return [
    { key: 'spacing', values: [...spacings].sort((a, b) => a - b) },
    { key: 'ratio', values: [...new Set(ratios)] },
  ];
}

export async function suggestFromCandles(req: SuggestRequest): Promise<SuggestResult> {
  const candles = sinceLastGap(req.candles);
  const series = seriesFromCandles(candles);
  const need = req.trainMs + req.testMs;
  const have = series.length > 0 ? series.time[series.length - 1]! + series.intervalMs - series.time[0]! : 0;
  const h = (ms: number) => `${+(ms / 3_600_000).toFixed(1)} h`;
  const leftOut = candles.length < req.candles.length ? ` (${req.candles.length - candles.length} older candles before a gap in the history left out)` : '';
  if (have < need) return { verdict: 'no_data', evidence: [`Not enough candles yet: ${h(have)} kept${leftOut}, a walk-forward needs ${h(need)} (train ${h(req.trainMs)} + test ${h(req.testMs)}).`], proposal: null, outOfSample: null };
  const space = suggestSpace(req);
  const current = currentCandidate(space, { spacingPct: req.current.spacingPct, driftResetPct: req.current.driftResetPct, levelsOverride: null, ratioOverride: req.current.ratioOverride });
  const candidates = gridCandidates(space);
  const run = createRunner(series, { env: req.env }, { workers: 1 });
  const start = series.time[0]!;
  const end = series.time[series.length - 1]! + series.intervalMs;
  let r: Awaited<ReturnType<typeof walkForward>>;
  try {
    r = await walkForward(run, candidates, { start, end, trainMs: req.trainMs, testMs: req.testMs, objective: 'equity', baseline: current });
  } finally {
    await run.close();
  }
  const t = walkForwardTotals(r, (s) => s.equityChange);
  const final = r.final!.candidate;
  const oos = { chosen: t.outOfSample, current: t.baseline ?? 0, wins: t.wins, windows: r.windows.length };
  const better = oos.chosen > oos.current && !sameCandidate(final, current);
  const stable = r.stability.map((s) => `${s.key} ${s.mode} in ${s.modeCount}/${s.chosen.length} windows`).join(', ');
  const evidence = [
    `Walk-forward on the last ${h(end - start)} of 5-minute candles${leftOut}: ${r.windows.length} window${r.windows.length === 1 ? '' : 's'} (train ${h(req.trainMs)}, test ${h(req.testMs)}), ${candidates.length} configurations each.`,
    `Out of sample, the configurations chosen on each train window made ${money(oos.chosen)} against ${money(oos.current)} for the current settings (${describeCandidate(current)}); better in ${oos.wins} of ${oos.windows} windows.`,
    `In sample (train windows) they made ${money(t.inSample)}: the out-of-sample figure is the honest one. Chosen most often: ${stable}.`,
    better
      ? `Proposed (best on the last ${h(req.trainMs)}): ${describeCandidate(final)}.`
      : `No change proposed: ${sameCandidate(final, current) ? 'the current settings are the best on the last train window' : 'the choices did not beat the current settings out of sample'}.`,
  ];
  const proposal = better ? { spacingPct: Number(final.spacing), ratio: final.ratio === 'auto' ? ('auto' as const) : Number(final.ratio) } : null;
  return { verdict: better ? 'better' : 'keep', evidence, proposal, outOfSample: oos };
}
