// `npm run backtest -- --optimize` and `--train 30d --test 7d` (walk-forward):
// the flags of the parameter space, the worker pool, progress on stderr and
// the report. cli.ts loads the data and hands over here.
import { ConfigError } from '../../../config.js';
import type { PairInfo } from '../../../exchange/exchange.js';
import type { CandleSeries } from '../candles.js';
import { backtestConfig, STRATEGY_ENV_VARS } from '../engine.js';
import { OBJECTIVES, type Objective } from './evaluate.js';
import { createRunner, defaultWorkers, type JobRunner } from './pool.js';
import { optimizeText, walkForwardText } from './report.js';
import { optimize, walkForward } from './search.js';
import { PARAMS, currentCandidate, gridCandidates, gridSize, parseValues, sampleCandidates, scenarioOf, SpaceError, type Candidate, type Space } from './space.js';

export const OPTIMIZE_USAGE = `Optimizer (--optimize) and walk-forward (--train D --test D):
  --optimize            rank every combination of the parameter lists below
                        (in sample: the same data chooses and scores)
  --train D --test D    walk-forward: rolling windows (D like 30d, 12h, 2w);
                        the best combination of each train window is scored
                        on the test window that follows, next to the current
                        configuration; windows advance by the test length
${PARAMS.map((p) => `  --${p.key} LIST`.padEnd(24) + p.help).join('\n')}
                        (lists: 1.0,1.2 or from:to:step; default: spacing
                        0.6:2.0:0.2, the rest as configured)
  --sample N            a random sample of N combinations instead of all
  --sample-seed S       seed of the sample (default 1)
  --rank OBJ            ${Object.keys(OBJECTIVES).join(' | ')} (default equity: final
                        mark-to-market equity change)
  --workers N           worker threads (default: one per core but one, and 1 =
                        no threads on 2 cores, where threads were slower)
  --top N               rows of the ranked table (default 20)
`;

export class OptimizeUsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

/** "30d", "12h", "90m", "2w" → milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(m|h|d|w)$/.exec(raw.trim());
  if (!m) throw new OptimizeUsageError(`--${name}: expected a duration like 30d, 12h, 90m or 2w, got "${raw}"`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  const ms = Number(m[1]) * unit;
  if (!(ms > 0)) throw new OptimizeUsageError(`--${name}: must be positive`);
  return ms;
}

function count(name: string, raw: string | boolean | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (!Number.isInteger(x) || x < min) throw new OptimizeUsageError(`--${name}: expected a whole number ≥ ${min}, got "${String(raw)}"`);
  return x;
}

/** The strategy environment every candidate starts from: the bot's variables, --capital and --fee. */
export function baseEnvOf(values: Values, env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const names: readonly string[] = STRATEGY_ENV_VARS;
  for (const [name, value] of Object.entries(env)) if (names.includes(name) && value !== undefined) out[name] = value;
  if (typeof values.capital === 'string') out.STARTING_CAPITAL = values.capital;
  if (typeof values.fee === 'string') out.MAKER_FEE_PCT = values.fee;
  return out;
}

/** The searched axes from the flags (spacing 0.6:2.0:0.2 when none is given). */
export function spaceOf(values: Values): Space {
  const space = PARAMS.filter((p) => typeof values[p.key] === 'string').map((p) => ({ key: p.key, values: parseValues(p, values[p.key] as string) }));
  return space.length > 0 ? space : [{ key: 'spacing', values: parseValues(PARAMS[0]!, '0.6:2.0:0.2') }];
}

/** The candidates, without those the bot's own validation refuses (e.g. spacing below the fee minimum). */
export function candidatesOf(values: Values, space: Space, baseEnv: Record<string, string>, stderr: (s: string) => void): Candidate[] {
  const size = gridSize(space);
  const sample = values.sample !== undefined ? count('sample', values.sample, 0, 1) : null;
  if (sample === null && size > 100_000) throw new OptimizeUsageError(`${size} combinations: narrow the lists or use --sample N`);
  const all = sample !== null ? sampleCandidates(space, sample, count('sample-seed', values['sample-seed'], 1, 0)) : gridCandidates(space);
  const ok: Candidate[] = [];
  const refused = new Map<string, number>();
  for (const c of all) {
    try {
      backtestConfig({ env: scenarioOf(c, baseEnv).env });
      ok.push(c);
    } catch (err) {
      const why = err instanceof ConfigError ? err.message : String(err);
      refused.set(why, (refused.get(why) ?? 0) + 1);
    }
  }
  for (const [why, n] of refused) stderr(`skipped ${n} combination${n === 1 ? '' : 's'}: ${why}\n`);
  if (ok.length === 0) throw new OptimizeUsageError('no valid combination to try');
  return ok;
}

/** Progress on stderr: at most one line every half second, and the last one. */
function progress(stderr: (s: string) => void, what: string): (done: number, total: number) => void {
  const t0 = Date.now();
  let shown = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - shown < 500) return;
    shown = now;
    const s = (now - t0) / 1000;
    const left = done > 0 ? (s / done) * (total - done) : 0;
    stderr(`${what}: ${done}/${total} runs (${Math.round((done / total) * 100)}%), ${s.toFixed(0)} s${done < total ? `, ~${left.toFixed(0)} s left` : ''}\n`);
  };
}

interface Plan {
  objective: Objective;
  candidates: Candidate[];
  workers: number;
  /** Rows of the ranked table (--top). */
  top: number;
  /** Set for a walk-forward. */
  walk: { trainMs: number; testMs: number; baseline: Candidate } | null;
}

/** The walk-forward's windows and baseline from the flags, or null for --optimize (checked before any worker starts). */
function walkOf(values: Values, space: Space, baseEnv: Record<string, string>, start: number, end: number): Plan['walk'] {
  if (values.train === undefined && values.test === undefined) return null;
  if (typeof values.train !== 'string' || typeof values.test !== 'string') throw new OptimizeUsageError('walk-forward needs both --train and --test');
  const trainMs = parseDuration('train', values.train);
  const testMs = parseDuration('test', values.test);
  if (trainMs + testMs > end - start) throw new OptimizeUsageError(`--train + --test (${(trainMs + testMs) / 86_400_000} d) is longer than the data (${((end - start) / 86_400_000).toFixed(1)} d)`);
  const cfg = backtestConfig({ env: baseEnv });
  const baseline = currentCandidate(space, { spacingPct: cfg.gridSpacingPct, driftResetPct: cfg.gridDriftResetPct, levelsOverride: null, ratioOverride: null, gridMode: cfg.gridMode, spacingMode: cfg.gridSpacingMode });
  return { trainMs, testMs, baseline };
}

async function searchAndReport(run: JobRunner, values: Values, series: CandleSeries, plan: Plan, stdout: (s: string) => void, stderr: (s: string) => void): Promise<void> {
  const { objective, candidates, workers, top, walk } = plan;
  const start = series.time[0]!;
  const end = series.time[series.length - 1]! + series.intervalMs;
  const t0 = performance.now();
  if (walk) {
    const r = await walkForward(run, candidates, { start, end, trainMs: walk.trainMs, testMs: walk.testMs, objective, baseline: walk.baseline }, progress(stderr, 'walk-forward'));
    const seconds = (performance.now() - t0) / 1000;
    stdout(values.json ? JSON.stringify(r, null, 2) + '\n' : walkForwardText(r, { seconds, workers }));
    return;
  }
  const r = await optimize(run, candidates, start, end, objective, progress(stderr, 'optimizing'));
  const seconds = (performance.now() - t0) / 1000;
  stdout(values.json ? JSON.stringify({ objective, seconds, workers, ranked: r.order.map((i) => ({ candidate: r.candidates[i], score: r.scores[i] })) }, null, 2) + '\n' : optimizeText(r, { objective, seconds, workers, candles: series.length, top }));
}

export async function runOptimizeCli(values: Values, data: { series: CandleSeries; pair: PairInfo }, io: { stdout: (s: string) => void; stderr: (s: string) => void; env: Record<string, string | undefined> }): Promise<void> {
  const objective = (values.rank ?? 'equity') as Objective;
  if (!(objective in OBJECTIVES)) throw new OptimizeUsageError(`--rank: expected ${Object.keys(OBJECTIVES).join(', ')}, got "${String(values.rank)}"`);
  let space: Space;
  try {
    space = spaceOf(values);
  } catch (err) {
    throw err instanceof SpaceError ? new OptimizeUsageError(err.message) : err;
  }
  const baseEnv = baseEnvOf(values, io.env);
  const candidates = candidatesOf(values, space, baseEnv, io.stderr);
  const workers = count('workers', values.workers, defaultWorkers(), 1);
  const top = count('top', values.top, 20, 1);
  const { series } = data;
  const walk = walkOf(values, space, baseEnv, series.time[0]!, series.time[series.length - 1]! + series.intervalMs);
  const run = createRunner(series, { env: baseEnv, pair: data.pair }, { workers });
  try {
    await searchAndReport(run, values, series, { objective, candidates, workers, top, walk }, io.stdout, io.stderr);
  } finally {
    await run.close();
  }
}
