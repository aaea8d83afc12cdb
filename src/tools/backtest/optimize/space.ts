// The parameter space of the optimizer: one entry per tunable parameter in
// PARAMS. A parameter is either a strategy environment variable (the bot's own
// validation applies, e.g. spacing ≥ fees + 0.1) or a run option of the
// backtest (levels override, ratio override). Adding a parameter is one more
// entry here: its flag, its values' parser, and where it goes.
import { RATIO_MAX, RATIO_MIN } from '../../../core/limits.js';

/** One parameter value: a number, or a word (`auto`, a mode name). */
export type ParamValue = number | string;
/** One point of the space: a value for every parameter searched (the others keep the base setting). */
export type Candidate = Readonly<Record<string, ParamValue>>;

/** What a candidate changes in a backtest: strategy env vars and run options. */
export interface ScenarioSpec {
  env: Record<string, string>;
  levelsPerSide: number | null;
  ratioOverride: number | null;
}

export interface ParamDef {
  /** Key in a Candidate and the CLI flag (`--<key> LIST`). */
  key: string;
  /** Column header in the tables. */
  label: string;
  /** What the flag takes, for --help. */
  help: string;
  /** One value of the flag's comma list (ranges a:b:step are expanded before, for numeric parameters). */
  parse(word: string): ParamValue;
  /** Whether `a:b:step` ranges are allowed. */
  numeric: boolean;
  apply(spec: ScenarioSpec, value: ParamValue): void;
  format(value: ParamValue): string;
  /** The value the bot runs with now (the baseline a walk-forward compares against). */
  current(c: CurrentSettings): ParamValue;
}

/** What the running configuration says about each parameter. */
export interface CurrentSettings {
  spacingPct: number;
  driftResetPct: number;
  levelsOverride: number | null;
  ratioOverride: number | null;
  /** GRID_MODE and GRID_SPACING_MODE (absent: the defaults, drift and arithmetic). */
  gridMode?: string;
  spacingMode?: string;
}

export class SpaceError extends Error {}

function positive(key: string, max = Infinity, integer = false): (w: string) => number {
  return (w) => {
    const x = Number(w);
    if (w.trim() === '' || !Number.isFinite(x) || !(x > 0) || x > max || (integer && !Number.isInteger(x))) {
      throw new SpaceError(`--${key}: expected ${integer ? 'a whole number' : 'a number'} above 0${max < Infinity ? ` and at most ${max}` : ''}, got "${w}"`);
    }
    return x;
  };
}

/** A parameter that takes one of a few words (a mode), set through a strategy environment variable. */
function modeParam(key: string, envVar: string, words: readonly string[], help: string, current: (c: CurrentSettings) => string): ParamDef {
  return {
    key,
    label: key.replace('-', ' '),
    help: `${help}: ${words.join(' and/or ')} (${envVar})`,
    numeric: false,
    parse: (w) => {
      const x = w.trim();
      if (!words.includes(x)) throw new SpaceError(`--${key}: expected ${words.join(' or ')}, got "${w}"`);
      return x;
    },
    apply: (s, v) => void (s.env[envVar] = String(v)),
    format: (v) => String(v),
    current,
  };
}

export const PARAMS: readonly ParamDef[] = [
  {
    key: 'spacing',
    label: 'spacing',
    help: 'grid spacing in % (GRID_SPACING_PCT)',
    numeric: true,
    parse: positive('spacing', 20),
    apply: (s, v) => void (s.env.GRID_SPACING_PCT = String(v)),
    format: (v) => `${Number(v).toFixed(2)}%`,
    current: (c) => c.spacingPct,
  },
  {
    key: 'levels',
    label: 'levels',
    help: 'levels per side, or auto (the adaptive count)',
    numeric: true,
    parse: (w) => (w.trim() === 'auto' ? 'auto' : positive('levels', 50, true)(w)),
    apply: (s, v) => void (s.levelsPerSide = v === 'auto' ? null : Number(v)),
    format: (v) => String(v),
    current: (c) => c.levelsOverride ?? 'auto',
  },
  {
    key: 'drift-reset',
    label: 'drift reset',
    help: 'drift that rebuilds the grid, % from its center (GRID_DRIFT_RESET_PCT)',
    numeric: true,
    parse: positive('drift-reset', 100),
    apply: (s, v) => void (s.env.GRID_DRIFT_RESET_PCT = String(v)),
    format: (v) => `${Number(v).toFixed(1)}%`,
    current: (c) => c.driftResetPct,
  },
  {
    key: 'ratio',
    label: 'ratio',
    help: `buy/sell ratio mode: auto (from the trend) or a fixed ratio ${RATIO_MIN}–${RATIO_MAX}`,
    numeric: true,
    parse: (w) => {
      if (w.trim() === 'auto') return 'auto';
      const x = Number(w);
      if (w.trim() === '' || !(x >= RATIO_MIN && x <= RATIO_MAX)) throw new SpaceError(`--ratio: expected auto or a number ${RATIO_MIN}–${RATIO_MAX}, got "${w}"`);
      return x;
    },
    apply: (s, v) => void (s.ratioOverride = v === 'auto' ? null : Number(v)),
    format: (v) => (v === 'auto' ? 'auto' : Number(v).toFixed(2)),
    current: (c) => c.ratioOverride ?? 'auto',
  },
  modeParam('grid-mode', 'GRID_MODE', ['drift', 'trailing'], 'how the grid follows the price', (c) => c.gridMode ?? 'drift'),
  modeParam('spacing-mode', 'GRID_SPACING_MODE', ['arithmetic', 'geometric'], 'how levels are spaced', (c) => c.spacingMode ?? 'arithmetic'),
];

export function paramDef(key: string): ParamDef {
  const d = PARAMS.find((p) => p.key === key);
  if (!d) throw new SpaceError(`unknown parameter "${key}"`);
  return d;
}

/** A flag's list: "0.6,0.8", "0.6:2.0:0.2" (inclusive range; numeric parameters), "auto,0.5". */
export function parseValues(def: ParamDef, raw: string): ParamValue[] {
  const out: ParamValue[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (def.numeric && /^[^:]+:[^:]+:[^:]+$/.test(p)) {
      const [a, b, st] = p.split(':').map(Number) as [number, number, number];
      if (![a, b, st].every(Number.isFinite) || !(st > 0) || b < a) throw new SpaceError(`--${def.key}: expected from:to:step with step > 0, got "${p}"`);
      const n = Math.floor((b - a) / st + 1e-9);
      if (n > 1000) throw new SpaceError(`--${def.key}: range "${p}" has more than 1000 values`);
      for (let i = 0; i <= n; i++) out.push(def.parse(String(Number((a + i * st).toFixed(10)))));
    } else out.push(def.parse(p));
  }
  if (out.length === 0) throw new SpaceError(`--${def.key}: empty list`);
  return [...new Map(out.map((v) => [String(v), v])).values()];
}

/** The searched axes: parameter key → its values, in PARAMS order. */
export type Space = readonly { key: string; values: readonly ParamValue[] }[];

/** Every combination, the last axis varying fastest (a fixed order: results are reported and compared by index). */
export function gridCandidates(space: Space): Candidate[] {
  let out: Record<string, ParamValue>[] = [{}];
  for (const axis of space) {
    const next: Record<string, ParamValue>[] = [];
    for (const c of out) for (const v of axis.values) next.push({ ...c, [axis.key]: v });
    out = next;
  }
  return out;
}

export function gridSize(space: Space): number {
  return space.reduce((n, a) => n * a.values.length, 1);
}

/** `n` distinct combinations drawn at random (seeded: same seed, same sample), in grid order. */
export function sampleCandidates(space: Space, n: number, seed: number): Candidate[] {
  const all = gridCandidates(space);
  if (n >= all.length) return all;
  let x = (seed >>> 0) || 1;
  const rand = (): number => {
    // xorshift32: enough to pick a sample, the same everywhere.
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  const idx = all.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return idx
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => all[i]!);
}

/** The base scenario with a candidate's values applied. */
export function scenarioOf(candidate: Candidate, baseEnv: Record<string, string>): ScenarioSpec {
  const spec: ScenarioSpec = { env: { ...baseEnv }, levelsPerSide: null, ratioOverride: null };
  for (const def of PARAMS) if (candidate[def.key] !== undefined) def.apply(spec, candidate[def.key]!);
  return spec;
}

/** "spacing 1.00% · levels auto": the candidate's values, in PARAMS order. */
export function describeCandidate(c: Candidate): string {
  return PARAMS.filter((d) => c[d.key] !== undefined)
    .map((d) => `${d.key} ${d.format(c[d.key]!)}`)
    .join(' · ');
}

export function sameCandidate(a: Candidate, b: Candidate): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** The running configuration as a candidate over the searched parameters. */
export function currentCandidate(space: Space, c: CurrentSettings): Candidate {
  const out: Record<string, ParamValue> = {};
  for (const axis of space) out[axis.key] = paramDef(axis.key).current(c);
  return out;
}
