// Price paths for the Kraken simulator: a manually set price, geometric
// Brownian motion, a mean-reverting Ornstein–Uhlenbeck process on log price,
// or a replay of OHLC candles from a CSV file. Seeded, so runs repeat.
import type { Candle } from '../../core/types.js';

export type PriceProcessSpec =
  | { kind: 'manual'; price: number }
  /** Per-step log drift and volatility (e.g. volatility 0.003 = 0.3 % per step). */
  | { kind: 'gbm'; price: number; drift?: number; volatility?: number }
  /** Log price reverts to log(mean) with speed theta per step. */
  | { kind: 'ou'; price: number; mean?: number; theta?: number; volatility?: number }
  /** One candle per step; each step walks open → low/high → high/low → close. */
  | { kind: 'replay'; candles: Candle[]; loop?: boolean };

export interface PriceProcess {
  readonly kind: PriceProcessSpec['kind'];
  current(): number;
  /** Prices visited during the next step, in order (last one is the new current price). */
  next(): number[];
  /** Move the price by hand (also re-anchors GBM/OU at the new level). */
  set(price: number): void;
}

/** Small deterministic PRNG (mulberry32). */
export { mulberry32 as seededRandom } from '../../util/random.js';
import { mulberry32 as seededRandom } from '../../util/random.js';

function gaussian(rand: () => number): () => number {
  return () => {
    let u = 0;
    while (u <= Number.EPSILON) u = rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

export function createPriceProcess(spec: PriceProcessSpec, seed = 1): PriceProcess {
  const normal = gaussian(seededRandom(seed));
  switch (spec.kind) {
    case 'manual': {
      let p = positive(spec.price, 'price');
      return { kind: 'manual', current: () => p, next: () => [p], set: (x) => void (p = positive(x, 'price')) };
    }
    case 'gbm': {
      let p = positive(spec.price, 'price');
      const mu = spec.drift ?? 0;
      const sigma = spec.volatility ?? 0.003;
      return {
        kind: 'gbm',
        current: () => p,
        next: () => {
          p = p * Math.exp(mu - (sigma * sigma) / 2 + sigma * normal());
          return [p];
        },
        set: (x) => void (p = positive(x, 'price')),
      };
    }
    case 'ou': {
      let p = positive(spec.price, 'price');
      let logMean = Math.log(positive(spec.mean ?? spec.price, 'mean'));
      const theta = spec.theta ?? 0.05;
      const sigma = spec.volatility ?? 0.003;
      return {
        kind: 'ou',
        current: () => p,
        next: () => {
          const x = Math.log(p);
          p = Math.exp(x + theta * (logMean - x) + sigma * normal());
          return [p];
        },
        set: (x) => {
          p = positive(x, 'price');
          if (spec.mean === undefined) logMean = Math.log(p);
        },
      };
    }
    case 'replay': {
      const candles = spec.candles;
      if (candles.length === 0) throw new Error('replay needs at least one candle');
      let i = 0;
      let p = candles[0]!.open;
      let manual: number | null = null;
      return {
        kind: 'replay',
        current: () => manual ?? p,
        next: () => {
          manual = null;
          if (i >= candles.length) {
            if (!spec.loop) return [p];
            i = 0;
          }
          const c = candles[i++]!;
          // A bullish candle most likely dipped first; a bearish one rose first.
          const path = c.close >= c.open ? [c.open, c.low, c.high, c.close] : [c.open, c.high, c.low, c.close];
          p = c.close;
          return path;
        },
        set: (x) => void (manual = positive(x, 'price')),
      };
    }
  }
}

function positive(x: number, name: string): number {
  if (!Number.isFinite(x) || x <= 0) throw new Error(`${name} must be a positive number`);
  return x;
}

/**
 * OHLC CSV: a header row is optional; columns time, open, high, low, close
 * [, volume]. Time in unix seconds, milliseconds or an ISO date.
 */
export function parseOhlcCsv(text: string): Candle[] {
  const out: Candle[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const cols = line.split(/[,;\t]/).map((c) => c.trim());
    if (cols.length < 5) continue;
    const [t, o, h, l, c, v] = cols;
    const open = Number(o);
    const high = Number(h);
    const low = Number(l);
    const close = Number(c);
    if (![open, high, low, close].every((x) => Number.isFinite(x) && x > 0)) continue; // header or junk
    let time = Number(t);
    if (!Number.isFinite(time)) time = Date.parse(String(t));
    else if (time < 1e12) time *= 1000;
    if (!Number.isFinite(time)) continue;
    out.push({ time, open, high: Math.max(high, open, close), low: Math.min(low, open, close), close, volume: Number(v ?? 0) || 0 });
  }
  return out;
}
