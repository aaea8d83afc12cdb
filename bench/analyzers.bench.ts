// Benchmark: time to run all five analyzers on a full-size input
// (10,000 fills, 2,880 price samples = 24 h at 30 s, 288 five-minute candles,
// 5,000 round-trip profits). Reports the median over many runs after warm-up.

import type { Candle, FillRecord, PricePoint } from '../src/core/types.js';
import { newBaseline, runAnalyzers, updateBaseline, type AnalyzerInput } from '../src/stats/analyzers.js';
import { createRng } from '../src/stats/rng.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

const HOUR = 3_600_000;

/** A realistic full-size input; `profitEdge` sets the mean profit per trip relative to its spread. */
export function makeBenchInput(seed = 42, profitEdge = 0.2): AnalyzerInput {
  const rng = createRng(seed);
  const now = Date.UTC(2025, 0, 10, 12, 0, 0);
  const center = 0.1;
  const spacingPct = 1;
  const levels = 10;
  // 24 h of 30 s samples of a GBM (daily vol ≈ 5 %)
  const prices: PricePoint[] = [];
  const sig = 0.05 / Math.sqrt(2880);
  let lp = Math.log(center);
  for (let i = 2879; i >= 0; i--) {
    prices.push({ time: now - i * 30_000, price: Math.exp(lp) });
    lp += sig * rng.normal();
  }
  // 288 five-minute candles built from the samples
  const candles: Candle[] = [];
  for (let c = 0; c < 288; c++) {
    const slice = prices.slice(c * 10, c * 10 + 10);
    const ps = slice.map((p) => p.price);
    candles.push({
      time: slice[0]!.time,
      open: ps[0]!,
      high: Math.max(...ps) * (1 + 0.0004 * rng.uniform()),
      low: Math.min(...ps) * (1 - 0.0004 * rng.uniform()),
      close: ps[ps.length - 1]!,
      volume: 1000 * rng.uniform(),
    });
  }
  // 10,000 fills over the last 5 days, levels ±1..10 drawn from the 1/k law
  const fills: FillRecord[] = [];
  const span = 5 * 24 * HOUR;
  let H = 0;
  for (let k = 1; k <= levels; k++) H += 1 / k;
  for (let i = 0; i < 10_000; i++) {
    let u = rng.uniform() * H;
    let k = 1;
    while (k < levels && u > 1 / k) {
      u -= 1 / k;
      k++;
    }
    const side = rng.bernoulli(0.5) ? 'buy' : 'sell';
    const level = side === 'buy' ? -k : k;
    fills.push({
      time: now - span + Math.floor(((i + rng.uniform()) / 10_000) * span),
      side,
      price: center * (1 + (level * spacingPct) / 100),
      volume: 100,
      fee: 0.026,
      level,
      profit: side === 'sell' ? 0.05 + 0.05 * rng.normal() : null,
      orderId: `bench-${i}`,
    });
  }
  const roundTripProfits: number[] = [];
  for (let i = 0; i < 5000; i++) roundTripProfits.push(0.05 * (profitEdge / Math.sqrt(5000)) * 10 + 0.05 * rng.normal());
  const baseline = updateBaseline(newBaseline(now - span), fills, now);
  return {
    now,
    fills,
    roundTripProfits,
    prices,
    candles,
    grid: {
      center,
      spacingPct,
      lowestBuy: center * (1 - (levels * spacingPct) / 100),
      highestSell: center * (1 + (levels * spacingPct) / 100),
      levelsPerSide: levels,
    },
    pollIntervalSec: 30,
    baseline,
    asymmetryWindowMs: 12 * HOUR,
  };
}

function medianMs(fn: () => void, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchAnalyzers(): Promise<BenchResult[]> {
  const typical = makeBenchInput(42, 2); // profits significant
  const undecided = makeBenchInput(43, 0.005); // profits not significant: also computes trips still needed
  let sink = 0;
  const a = medianMs(() => {
    sink += runAnalyzers(typical).analyzers.length;
  }, 400, 100);
  const b = medianMs(() => {
    sink += runAnalyzers(undecided).analyzers.length;
  }, 400, 100);
  if (sink < 0) console.log(sink);
  return [
    { name: 'runAnalyzers, 10k fills + 2,880 prices (median)', value: Number(a.toFixed(4)), unit: 'ms', target: '<= 1 ms' },
    { name: 'runAnalyzers, same, profit not yet significant (median)', value: Number(b.toFixed(4)), unit: 'ms', target: '<= 1 ms' },
  ];
}

// Allow `node dist/bench/analyzers.bench.js` on its own.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  benchAnalyzers().then((rows) => {
    for (const r of rows) console.log(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target})` : ''}`);
  });
}
