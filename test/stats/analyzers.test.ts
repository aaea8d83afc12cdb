// Behaviour of the five analyzers, the Poisson baseline, the health verdict
// and the prompt text on small hand-made inputs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Candle, FillRecord, PricePoint, Side } from '../../src/core/types.js';
import {
  ANALYZER_NAMES,
  analyzeAsymmetry,
  analyzeFillRate,
  analyzeHiddenRisk,
  analyzeProfitability,
  analyzeRandomWalk,
  healthVerdict,
  newBaseline,
  daysToSignificance,
  dailyChanges,
  runAnalyzers,
  statsPromptLines,
  updateBaseline,
  wilsonInterval,
  type AnalyzerGrid,
  type AnalyzerInput,
  type AnalyzerResult,
} from '../../src/stats/analyzers.js';
import { binomialTwoSidedP, studentTCdf, studentTQuantile } from '../../src/stats/distributions.js';

const H = 3_600_000;
const NOW = Date.UTC(2025, 4, 1);

let seq = 0;
function fill(time: number, side: Side, level: number): FillRecord {
  return { time, side, price: 0.1 * (1 + level / 100), volume: 100, fee: 0.02, level, profit: null, orderId: `o${seq++}` };
}

const GRID: AnalyzerGrid = { center: 0.1, spacingPct: 1, lowestBuy: 0.095, highestSell: 0.105, levelsPerSide: 5 };

function flatPrices(n: number, price = 0.1, stepMs = 30_000, wiggle = 0.0005): PricePoint[] {
  const out: PricePoint[] = [];
  for (let i = n - 1; i >= 0; i--) out.push({ time: NOW - i * stepMs, price: price * (1 + wiggle * Math.sin(i * 1.7)) });
  return out;
}

// ---------------------------------------------------------------------------
// 1. profitability

test('profitability: insufficient data says how many more days', () => {
  const r = analyzeProfitability([0.01, 0.02, -0.01]);
  assert.equal(r.verdict, 'insufficient data');
  assert.equal(r.color, 'gray');
  assert.equal(r.confidence, 0);
  assert.equal(r.detail.needed, 4);
  assert.match(r.summary, /need 4 more days of equity/);
});

test('profitability tests equity, so it can fail: fixed-profit round trips with falling equity are a loss', () => {
  // Issue 17: every round trip books the same positive profit (spacing minus
  // fees), while the DOGE held loses more each day. The old test on round-trip
  // profits said "significant profit, edge proven"; equity per day says loss.
  const closes = [120];
  for (let d = 1; d <= 10; d++) closes.push(120 + d * 0.05 /* round trips */ - d * 0.3 /* inventory */ + (d % 2 ? 0.02 : -0.02));
  const r = analyzeProfitability(dailyChanges(closes));
  assert.equal(r.verdict, 'significant loss');
  assert.equal(r.color, 'red');
  assert.deepEqual(dailyChanges([1, 2, NaN, 4, 7]), [1, 3]);
});

test('profitability: exact t p-value and CI from the t quantile', () => {
  const xs = [0.012, -0.004, 0.02, 0.008, 0.015, -0.002, 0.011, 0.009];
  const r = analyzeProfitability(xs);
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = mean / (sd / Math.sqrt(n));
  assert.ok(Math.abs((r.detail.t as number) - t) < 1e-12);
  assert.ok(Math.abs((r.detail.pValue as number) - 2 * studentTCdf(-Math.abs(t), n - 1)) < 1e-15);
  const tc = studentTQuantile(0.975, n - 1);
  assert.ok(Math.abs((r.detail.ciLow as number) - (mean - (tc * sd) / Math.sqrt(n))) < 1e-15);
  assert.equal(r.verdict, 'significant profit');
  assert.equal(r.detail.daysNeeded, 0);
});

test('profitability: significant loss, identical days, and days still needed', () => {
  assert.equal(analyzeProfitability([-0.01, -0.012, -0.009, -0.011, -0.013, -0.01, -0.012]).verdict, 'significant loss');
  const same = analyzeProfitability([0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02]);
  assert.equal(same.verdict, 'significant profit');
  assert.equal(same.detail.pValue, 0);
  const zero = analyzeProfitability([0, 0, 0, 0, 0, 0, 0]);
  assert.equal(zero.verdict, 'not significant');
  // the seed's card: a positive total that proves nothing yet
  const xs = [0.2, -0.15, 0.1, 0.05, -0.12, 0.3, -0.2, 0.08, 0.11, -0.05];
  const r = analyzeProfitability(xs);
  assert.equal(r.verdict, 'not significant');
  const need = r.detail.daysNeeded as number;
  assert.ok(need > 0);
  assert.match(r.summary, new RegExp(`need ~${need} more days?`));
});

test('daysToSignificance is the smallest sufficient count (brute force)', () => {
  for (const [n, mean, sd] of [
    [10, 0.01, 0.05],
    [5, 1, 2],
    [30, 0.003, 0.02],
    [200, -0.001, 0.03],
    [3, 0.5, 0.4],
  ] as const) {
    const more = daysToSignificance(n, mean, sd)!;
    const ok = (m: number) => studentTQuantile(0.975, m - 1) * (sd / Math.sqrt(m)) < Math.abs(mean);
    const m = n + more;
    assert.ok(ok(m), `sufficient at ${m}`);
    if (m - 1 >= Math.max(2, n)) assert.ok(!ok(m - 1), `minimal at ${m}`);
  }
  assert.equal(daysToSignificance(10, 0, 1), null);
});

// ---------------------------------------------------------------------------
// 2. fill asymmetry

function sides(buys: number, sells: number, ageMs = H): FillRecord[] {
  const out: FillRecord[] = [];
  for (let i = 0; i < buys; i++) out.push(fill(NOW - ageMs + i, 'buy', -1 - (i % 3)));
  for (let i = 0; i < sells; i++) out.push(fill(NOW - ageMs + buys + i, 'sell', 1 + (i % 3)));
  return out.sort((a, b) => a.time - b.time);
}

test("fill asymmetry: the seed's 6/2 is not significant, 30/10 is a trend", () => {
  const a = analyzeAsymmetry(sides(6, 2), NOW);
  assert.equal(a.verdict, 'balanced');
  assert.equal((a.detail.pValue as number).toFixed(4), '0.2891');
  const b = analyzeAsymmetry(sides(30, 10), NOW);
  assert.equal(b.verdict, 'downtrend');
  assert.equal(b.detail.pValue, binomialTwoSidedP(30, 40, 0.5));
  const [lo, hi] = wilsonInterval(30, 40);
  assert.equal(b.detail.ciLow, lo);
  assert.equal(b.detail.ciHigh, hi);
  assert.ok(lo > 0.5);
  assert.equal(analyzeAsymmetry(sides(10, 30), NOW).verdict, 'uptrend');
});

test('fill asymmetry: sliding window and insufficient data', () => {
  const old = sides(30, 0, 13 * H); // outside the default 12 h window
  const r = analyzeAsymmetry([...old, ...sides(2, 1)], NOW);
  assert.equal(r.verdict, 'insufficient data');
  assert.equal(r.detail.needed, 3);
  assert.match(r.summary, /need 3 more fills in the 12 h window/);
  assert.equal(analyzeAsymmetry([...old, ...sides(2, 1)], NOW, 14 * H).verdict, 'downtrend');
});

test('Wilson interval matches the textbook formula', () => {
  const [lo, hi] = wilsonInterval(6, 8);
  assert.ok(Math.abs(lo - 0.409275) < 1e-6 && Math.abs(hi - 0.928521) < 1e-6);
  assert.deepEqual(wilsonInterval(0, 0), [0, 1]);
});

// ---------------------------------------------------------------------------
// 3. hidden risk

test('hidden risk: Brownian-bridge probability for known volatility', () => {
  // alternate ±r so the estimated variance per ms is exactly r²/30 s
  const r = 0.001;
  const prices: PricePoint[] = [];
  for (let i = 240; i >= 0; i--) prices.push({ time: NOW - i * 30_000, price: 0.1 * Math.exp(i % 2 === 0 ? 0 : r) });
  const lowest = 0.1 * Math.exp(-0.002);
  const grid = { ...GRID, lowestBuy: lowest, highestSell: null };
  const res = analyzeHiddenRisk(prices, [], grid, NOW, 30);
  // each interval: endpoints at distance 0.002 and 0.003 from the barrier in log space
  const p = Math.exp((-2 * 0.002 * 0.003) / (r * r));
  const expected = 1 - Math.pow(1 - p, 120);
  assert.ok(Math.abs((res.detail.exceedProbSamples as number) - expected) < 1e-12);
  assert.equal(res.detail.intervals, 120);
  assert.equal(res.detail.exceedProbCandles, null);
  assert.equal(res.verdict, expected > 0.1 ? 'high risk' : expected > 0.05 ? 'elevated risk' : 'low risk');
});

test('hidden risk: near edge is high risk, far edge low, observed breach is certain', () => {
  const prices = flatPrices(200, 0.1, 30_000, 0.002);
  const near = analyzeHiddenRisk(prices, [], { ...GRID, lowestBuy: 0.0997, highestSell: 0.1003 }, NOW, 30);
  assert.equal(near.verdict, 'high risk');
  const far = analyzeHiddenRisk(prices, [], { ...GRID, lowestBuy: 0.08, highestSell: 0.12 }, NOW, 30);
  assert.equal(far.verdict, 'low risk');
  assert.ok((far.detail.exceedProb as number) < 1e-6);
  const breach = analyzeHiddenRisk(prices, [], { ...GRID, lowestBuy: 0.1001, highestSell: null }, NOW, 30);
  assert.equal(breach.detail.exceedProb, 1);
  assert.ok((breach.detail.observedBreaches as number) > 0);
  assert.match(breach.summary, /Grid exceeded/);
});

test('hidden risk: candles cross-check volatility and reveal breaches between samples', () => {
  const prices = flatPrices(200, 0.1, 30_000, 0.0005);
  const candles: Candle[] = [];
  for (let i = 24; i >= 1; i--) {
    const t = NOW - i * 300_000;
    candles.push({ time: t, open: 0.1, high: 0.1012, low: 0.0988, close: 0.1, volume: 1 });
  }
  const grid = { ...GRID, lowestBuy: 0.098, highestSell: 0.102 };
  const r = analyzeHiddenRisk(prices, candles, grid, NOW, 30);
  assert.ok((r.detail.hourlyVolCandles as number) > (r.detail.hourlyVolSamples as number));
  assert.ok((r.detail.exceedProbCandles as number) > (r.detail.exceedProbSamples as number));
  assert.equal(r.detail.volMismatch, true);
  // a candle whose low went through the lowest buy although no sample did
  candles[candles.length - 1] = { ...candles[candles.length - 1]!, low: 0.0975 };
  const r2 = analyzeHiddenRisk(prices, candles, grid, NOW, 30);
  assert.equal(r2.detail.candleBreaches, 1);
  assert.equal(r2.verdict, 'high risk');
});

test('hidden risk: insufficient without grid or samples', () => {
  assert.equal(analyzeHiddenRisk(flatPrices(100), [], { ...GRID, lowestBuy: null, highestSell: null }, NOW, 30).verdict, 'insufficient data');
  const few = analyzeHiddenRisk(flatPrices(6), [], GRID, NOW, 30);
  assert.equal(few.verdict, 'insufficient data');
  assert.equal(few.detail.needed, 15);
  const stale = analyzeHiddenRisk(flatPrices(100), [], GRID, NOW + 3 * H, 30);
  assert.match(stale.summary, /no price samples in the last hour/);
});

// ---------------------------------------------------------------------------
// 4. Poisson baseline and fill rate

test('baseline: counts the window once, survives truncated and overlapping lists', () => {
  const start = NOW - 60 * H;
  let b = newBaseline(start);
  assert.deepEqual({ ...b, lastFillTime: undefined }, { startedAt: start, windowMs: 48 * H, fillCount: 0, complete: false, lastFillTime: undefined });
  const all: FillRecord[] = [];
  for (let i = 0; i < 300; i++) all.push(fill(start - 2 * H + i * 12 * 60_000, i % 2 ? 'buy' : 'sell', 1)); // every 12 min for 60 h
  const inWindow = all.filter((f) => f.time >= start && f.time < start + 48 * H).length;
  // feed it as a bot would: growing list, capped at 50 newest, called repeatedly
  let prev = 0;
  for (let i = 1; i <= all.length; i++) {
    const list = all.slice(Math.max(0, i - 50), i);
    b = updateBaseline(b, list, list[list.length - 1]!.time);
    b = updateBaseline(b, list, list[list.length - 1]!.time); // repeated call: no double count
    assert.ok(b.fillCount >= prev, 'monotone');
    prev = b.fillCount;
  }
  assert.equal(b.fillCount, inWindow);
  assert.equal(b.complete, true);
  // JSON round trip (persisted by the bot)
  const again = updateBaseline(JSON.parse(JSON.stringify(b)), all.slice(-50), NOW);
  assert.equal(again.fillCount, inWindow);
  // a legacy baseline without lastFillTime never decreases and never double counts
  const legacy = { startedAt: start, windowMs: 48 * H, fillCount: 7, complete: false };
  assert.equal(updateBaseline(legacy, all.slice(0, 5), NOW).fillCount, 7);
  assert.equal(updateBaseline(legacy, all, NOW).fillCount, inWindow);
});

function poissonFills(ratePerHour: number, from: number, to: number, seed: number): FillRecord[] {
  // deterministic evenly-jittered arrivals (exact count = rate × hours)
  const out: FillRecord[] = [];
  const n = Math.round((ratePerHour * (to - from)) / H);
  for (let i = 0; i < n; i++) out.push(fill(from + ((i + 0.5 + 0.3 * Math.sin(i * seed)) / n) * (to - from), i % 2 ? 'buy' : 'sell', 1 + (i % 3)));
  return out;
}

test('fill rate: calibrating, then normal / high / low regimes', () => {
  const start = NOW - 54 * H;
  const base = poissonFills(1.5, start, start + 48 * H, 1);
  let b = updateBaseline(newBaseline(start), base, start + 20 * H);
  const cal = analyzeFillRate(base, start + 20 * H, b);
  assert.equal(cal.verdict, 'insufficient data');
  assert.match(cal.summary, /28\.0 h of 48 h left/);
  b = updateBaseline(b, base, start + 48 * H);
  assert.equal(b.fillCount, 72);
  const early = analyzeFillRate(base, start + 48 * H + 30 * 60_000, b);
  assert.equal(early.verdict, 'insufficient data');
  assert.match(early.summary, /30 more minutes/);
  const normal = analyzeFillRate([...base, ...poissonFills(1.5, start + 48 * H, NOW, 2)], NOW, b);
  assert.equal(normal.verdict, 'normal');
  const hot = analyzeFillRate([...base, ...poissonFills(8, start + 48 * H, NOW, 3)], NOW, b);
  assert.equal(hot.verdict, 'high volatility');
  assert.ok((hot.detail.pValue as number) < 0.01);
  assert.ok(Math.abs((hot.detail.spacingFactor as number) - Math.sqrt(8 / 1.5)) < 0.01);
  assert.match(hot.summary, /HIGH VOL: 8\.00\/h/);
  // exact conditional test: c1 ~ Bin(c0 + c1, T1 / (T0 + T1))
  assert.equal(hot.detail.pValue, binomialTwoSidedP(48, 72 + 48, 6 / 54));
  const cold = analyzeFillRate(base, NOW, b);
  assert.equal(cold.verdict, 'low volatility');
});

// ---------------------------------------------------------------------------
// 5. random-walk fit

function levelFills(counts: number[]): FillRecord[] {
  const out: FillRecord[] = [];
  counts.forEach((c, i) => {
    for (let j = 0; j < c; j++) out.push(fill(NOW - out.length * 1000, j % 2 ? 'buy' : 'sell', (j % 2 ? -1 : 1) * (i + 1)));
  });
  return out;
}

test('random walk: 1/k law fits, inner excess is mean reverting, outer excess momentum', () => {
  const K = 5;
  const Hk = 1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5;
  const exact = [1, 2, 3, 4, 5].map((k) => Math.round((120 / k / Hk) * 1));
  const rw = analyzeRandomWalk(levelFills(exact), { ...GRID, levelsPerSide: K });
  assert.equal(rw.verdict, 'random walk');
  assert.ok((rw.detail.pValue as number) > 0.9);
  const mr = analyzeRandomWalk(levelFills([80, 25, 8, 4, 3]), { ...GRID, levelsPerSide: K });
  assert.equal(mr.verdict, 'mean reverting');
  const mo = analyzeRandomWalk(levelFills([30, 25, 22, 22, 21]), { ...GRID, levelsPerSide: K });
  assert.equal(mo.verdict, 'momentum');
});

test('random walk: bins merged until expected >= 5, fills beyond the grid excluded', () => {
  const r = analyzeRandomWalk(levelFills([12, 6, 4, 3, 2, 2, 2, 1, 1, 1, 5]), { ...GRID, levelsPerSide: 10 });
  const expected = String(r.detail.expected).split(',').map(Number);
  for (const e of expected) assert.ok(e >= 5, `bin expected ${e}`);
  assert.equal(r.detail.excluded, 5);
  assert.equal(r.detail.df, expected.length - 1);
  const few = analyzeRandomWalk(levelFills([3, 1]), { ...GRID, levelsPerSide: 10 });
  assert.equal(few.verdict, 'insufficient data');
  assert.match(few.summary, /need \d+ more fills/);
  assert.equal(analyzeRandomWalk(levelFills([30]), { ...GRID, levelsPerSide: 1 }).verdict, 'insufficient data');
});

// ---------------------------------------------------------------------------
// health and the report

function res(name: string, verdict: string, color: AnalyzerResult['color'] = 'gray'): AnalyzerResult {
  return { name, verdict, color, confidence: 0.5, summary: verdict, detail: {} };
}
const ALL_INSUFFICIENT = ANALYZER_NAMES.map((n) => res(n, 'insufficient data'));
function withVerdicts(v: Partial<Record<(typeof ANALYZER_NAMES)[number], [string, AnalyzerResult['color']]>>): AnalyzerResult[] {
  return ALL_INSUFFICIENT.map((r) => (v[r.name as keyof typeof v] ? res(r.name, v[r.name as keyof typeof v]![0], v[r.name as keyof typeof v]![1]) : r));
}

test('health verdict rules and precedence', () => {
  assert.equal(healthVerdict(ALL_INSUFFICIENT).verdict, 'calibrating');
  assert.equal(healthVerdict(withVerdicts({ random_walk: ['momentum', 'red'] })).verdict, 'unfavorable');
  assert.equal(healthVerdict(withVerdicts({ fill_rate: ['high volatility', 'red'], fill_asymmetry: ['downtrend', 'yellow'] })).verdict, 'dangerous');
  assert.equal(
    healthVerdict(withVerdicts({ fill_rate: ['high volatility', 'red'], fill_asymmetry: ['uptrend', 'yellow'], random_walk: ['momentum', 'red'] })).verdict,
    'dangerous',
  );
  assert.equal(healthVerdict(withVerdicts({ fill_rate: ['high volatility', 'red'] })).verdict, 'neutral');
  assert.equal(healthVerdict(withVerdicts({ hidden_risk: ['high risk', 'red'], random_walk: ['mean reverting', 'green'] })).verdict, 'exposed');
  assert.equal(healthVerdict(withVerdicts({ random_walk: ['mean reverting', 'green'], profitability: ['significant profit', 'green'] })).verdict, 'favorable');
  assert.equal(healthVerdict(withVerdicts({ profitability: ['significant profit', 'green'] })).verdict, 'profitable');
  assert.equal(healthVerdict(withVerdicts({ profitability: ['significant loss', 'red'] })).verdict, 'unfavorable');
  assert.equal(healthVerdict(withVerdicts({ fill_asymmetry: ['balanced', 'green'] })).verdict, 'neutral');
  const h = healthVerdict(withVerdicts({ profitability: ['significant profit', 'green'], hidden_risk: ['elevated risk', 'yellow'] }));
  assert.equal(h.color, 'green');
  assert.match(h.summary, /Hidden risk: elevated risk/);
});

test('health never says "profitable" while equity is below the start (issue 17)', () => {
  const v = withVerdicts({ profitability: ['significant profit', 'green'] });
  assert.equal(healthVerdict(v, { equityChange: 0.5 }).verdict, 'profitable');
  const down = healthVerdict(v, { equityChange: -0.05 });
  assert.equal(down.verdict, 'neutral');
  assert.doesNotMatch(down.summary, /profitable|edge proven/i);
  assert.match(down.summary, /\$0\.0500 below the start/);
});

test('runAnalyzers: five results in fixed order, prompt lines one per analyzer', () => {
  const input: AnalyzerInput = {
    now: NOW,
    fills: sides(30, 10),
    roundTripProfits: [0.01, 0.012, 0.011, 0.009, 0.013],
    dailyEquity: [120, 120.1, 120.22, 120.31, 120.43, 120.52, 120.63, 120.75],
    equityChange: 0.75,
    prices: flatPrices(200),
    candles: [],
    grid: GRID,
    pollIntervalSec: 30,
    baseline: newBaseline(NOW - H),
  };
  const r = runAnalyzers(input);
  assert.deepEqual(
    r.analyzers.map((a) => a.name),
    [...ANALYZER_NAMES],
  );
  assert.equal(r.generatedAt, NOW);
  // fills only at levels 1..3 of 5: inner excess, which outranks the proven profit
  assert.equal(r.analyzers[4]!.verdict, 'mean reverting');
  assert.equal(r.analyzers[0]!.verdict, 'significant profit');
  assert.equal(r.health.verdict, 'favorable');
  assert.deepEqual(r.health, healthVerdict(r.analyzers));
  const lines = statsPromptLines(r);
  assert.equal(lines.length, 6);
  assert.match(lines[0]!, /^health: FAVORABLE/);
  for (const l of lines) assert.ok(!l.includes('\n') && l.length < 400, l);
  assert.match(lines[2]!, /^fill_asymmetry: DOWNTREND: 30 buys \/ 10 sells/);
  // JSON-serialisable without loss
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});
