// Deterministic synthetic candles (`--synthetic gbm|ou --days N --seed S`):
// the log price follows geometric Brownian motion (optionally with a drift, a
// trending market) or an Ornstein–Uhlenbeck process around the starting price
// (a mean-reverting market), stepped once per candle. Each candle's high and
// low are drawn exactly from the Brownian bridge between its open and close
// (the maximum of a bridge with increment r and variance v is
// (r + sqrt(r² − 2v·ln U)) / 2), so the ranges have the right size for the
// volatility. Same options and seed → the same candles, bit for bit.
import { createRng } from '../../stats/rng.js';
import { emptySeries, type CandleSeries } from './candles.js';

export type SyntheticKind = 'gbm' | 'ou';

export interface SyntheticOptions {
  kind: SyntheticKind;
  days: number;
  seed: number;
  /** First candle's start, epoch ms (default 2025-01-01T00:00:00Z). */
  startMs?: number;
  /** Default 0.1 (a DOGE-like price). */
  startPrice?: number;
  /** Daily volatility of the log price, in % (default 4). */
  dailyVolPct?: number;
  /** GBM only: median price change over a year, in % (default 0; 100 = doubles, −50 = halves). */
  yearlyDriftPct?: number;
  /** OU only: half-life of a deviation from the mean, in days (default 3). */
  halfLifeDays?: number;
  /** Candle length (default 60 000 = 1 minute). */
  intervalMs?: number;
}

export const SYNTHETIC_DEFAULTS = {
  startMs: Date.UTC(2025, 0, 1),
  startPrice: 0.1,
  dailyVolPct: 4,
  yearlyDriftPct: 0,
  halfLifeDays: 3,
  intervalMs: 60_000,
} as const;

const DAY_MS = 86_400_000;

export function syntheticCandles(opts: SyntheticOptions): CandleSeries {
  const interval = opts.intervalMs ?? SYNTHETIC_DEFAULTS.intervalMs;
  const p0 = opts.startPrice ?? SYNTHETIC_DEFAULTS.startPrice;
  const vol = (opts.dailyVolPct ?? SYNTHETIC_DEFAULTS.dailyVolPct) / 100;
  const drift = opts.yearlyDriftPct ?? SYNTHETIC_DEFAULTS.yearlyDriftPct;
  const halfLife = opts.halfLifeDays ?? SYNTHETIC_DEFAULTS.halfLifeDays;
  const t0 = opts.startMs ?? SYNTHETIC_DEFAULTS.startMs;
  if (!(opts.days > 0) || !Number.isFinite(opts.days)) throw new Error('synthetic: --days must be a positive number');
  if (!(interval > 0)) throw new Error('synthetic: interval must be positive');
  if (!(p0 > 0)) throw new Error('synthetic: start price must be positive');
  if (!(vol >= 0) || !Number.isFinite(vol)) throw new Error('synthetic: volatility must be a number ≥ 0');
  if (!(drift > -100) || !Number.isFinite(drift)) throw new Error('synthetic: yearly drift must be above −100 %');
  if (!(halfLife > 0)) throw new Error('synthetic: half-life must be positive');
  const n = Math.round((opts.days * DAY_MS) / interval);
  if (n < 1) throw new Error('synthetic: fewer than one candle');
  const s = emptySeries(n, interval);
  const rng = createRng(opts.seed);
  const stepsPerDay = DAY_MS / interval;
  const sd = vol / Math.sqrt(stepsPerDay);
  const v = sd * sd;
  const mu = Math.log(1 + drift / 100) / (365 * stepsPerDay);
  const mean = Math.log(p0);
  const theta = Math.LN2 / (halfLife * stepsPerDay);
  const a = Math.exp(-theta);
  const ouSd = sd * Math.sqrt((1 - a * a) / (2 * theta));
  const { time, open, high, low, close, volume } = s;
  let x = mean;
  let px = p0;
  for (let i = 0; i < n; i++) {
    const z = rng.normal();
    const next = opts.kind === 'gbm' ? x + mu + sd * z : mean + (x - mean) * a + ouSd * z;
    const r = next - x;
    const up = (r + Math.sqrt(r * r - 2 * v * Math.log(1 - rng.uniform()))) / 2;
    const down = (r - Math.sqrt(r * r - 2 * v * Math.log(1 - rng.uniform()))) / 2;
    const pc = Math.exp(next);
    time[i] = t0 + i * interval;
    open[i] = px;
    close[i] = pc;
    high[i] = Math.max(px, pc, Math.exp(x + up));
    low[i] = Math.min(px, pc, Math.exp(x + down));
    volume[i] = 20_000 + 60_000 * rng.uniform();
    x = next;
    px = pc;
  }
  return s;
}

export function describeSynthetic(opts: SyntheticOptions): string {
  const vol = opts.dailyVolPct ?? SYNTHETIC_DEFAULTS.dailyVolPct;
  const extra = opts.kind === 'gbm' ? `drift ${opts.yearlyDriftPct ?? SYNTHETIC_DEFAULTS.yearlyDriftPct}%/year` : `half-life ${opts.halfLifeDays ?? SYNTHETIC_DEFAULTS.halfLifeDays} d`;
  return `synthetic ${opts.kind.toUpperCase()} seed ${opts.seed}, ${opts.days} d, vol ${vol}%/day, ${extra}`;
}
