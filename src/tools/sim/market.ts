// The market around the simulated account: a price path (manual, GBM, OU or a
// replay, see price-process.ts), bid/ask around it, and the recorded samples
// Kraken's Ticker and OHLC answers are computed from.
import { PRICE_DECIMALS as pd } from './asset-pair.js';
import type { PriceProcess } from './price-process.js';

export interface Sample {
  /** ms */
  t: number;
  p: number;
  /** Volume traded at this sample. */
  v: number;
}

/** Kraken's OHLC row: [time, open, high, low, close, vwap, volume, count]. */
export type OhlcRow = [number, string, string, string, string, string, string, number];

/** Volume, VWAP, trade count, low and high over a window, formatted as Ticker fields. */
export interface WindowStats {
  v: string;
  p: string;
  t: number;
  l: string;
  h: string;
}

const MAX_SAMPLES = 200_000;
const KEEP_SAMPLES = 150_000;
/** Kraken's OHLC endpoint returns at most 720 candles. */
const MAX_CANDLES = 720;

interface Bucket {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  pv: number;
  n: number;
}

export class SimMarket {
  readonly samples: Sample[] = [];

  constructor(
    readonly proc: PriceProcess,
    /** Bid/ask spread around the mid price, as a fraction. */
    private readonly spread: number,
    private readonly now: () => number,
  ) {
    this.samples.push({ t: now(), p: this.mid(), v: 0 });
  }

  mid(): number {
    return this.proc.current();
  }
  bid(): number {
    return this.mid() * (1 - this.spread / 2);
  }
  ask(): number {
    return this.mid() * (1 + this.spread / 2);
  }

  /** A price on the path: each one counts as 1000 units of market volume. */
  record(p: number): void {
    this.samples.push({ t: this.now(), p, v: 1000 });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - KEEP_SAMPLES);
  }

  /** Our own fills add to the volume of the latest sample. */
  addVolume(qty: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last) last.v += qty;
  }

  /** Samples at or after `t` (ms). */
  since(t: number): Sample[] {
    return this.samples.filter((s) => s.t >= t);
  }

  /** Ticker statistics of a window of samples (mid price when the window is empty). */
  windowStats(xs: Sample[]): WindowStats {
    const v = xs.reduce((a, s) => a + s.v, 0);
    const pv = xs.reduce((a, s) => a + s.v * s.p, 0);
    return {
      v: v.toFixed(8),
      p: (v > 0 ? pv / v : this.mid()).toFixed(pd),
      t: xs.filter((s) => s.v > 0).length,
      l: (xs.length ? xs.reduce((m, s) => Math.min(m, s.p), Infinity) : this.mid()).toFixed(pd),
      h: (xs.length ? xs.reduce((m, s) => Math.max(m, s.p), -Infinity) : this.mid()).toFixed(pd),
    };
  }

  /**
   * Candles of `intervalMin` minutes over the recorded path: the latest 720, one per interval with gaps
   * filled flat, as Kraken's "Get OHLC Data" (https://docs.kraken.com/api/docs/rest-api/get-ohlc-data) answers.
   */
  candles(intervalMin: number): OhlcRow[] {
    const ms = intervalMin * 60_000;
    const out: OhlcRow[] = [];
    let cur: Bucket | null = null;
    for (const s of this.samples) {
      const b = Math.floor(s.t / ms) * ms;
      if (cur && b !== cur.t) {
        out.push(candleRow(cur));
        // Kraken returns a candle per interval: fill gaps flat.
        const c = cur.c.toFixed(pd);
        for (let t = cur.t + ms; t < b; t += ms) out.push([t / 1000, c, c, c, c, c, '0.00000000', 0]);
        cur = null;
      }
      if (!cur) cur = { t: b, o: s.p, h: s.p, l: s.p, c: s.p, v: 0, pv: 0, n: 0 };
      cur.h = Math.max(cur.h, s.p);
      cur.l = Math.min(cur.l, s.p);
      cur.c = s.p;
      cur.v += s.v;
      cur.pv += s.v * s.p;
      if (s.v > 0) cur.n++;
    }
    if (cur) out.push(candleRow(cur));
    return out.slice(-MAX_CANDLES);
  }
}

function candleRow(b: Bucket): OhlcRow {
  const vwap = b.v > 0 ? b.pv / b.v : b.c;
  return [b.t / 1000, b.o.toFixed(pd), b.h.toFixed(pd), b.l.toFixed(pd), b.c.toFixed(pd), vwap.toFixed(pd), b.v.toFixed(8), b.n];
}
