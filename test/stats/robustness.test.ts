// Property / fuzz tests: random, empty, malformed, NaN, ±Infinity and extreme
// inputs never make the analyzers throw, and never put NaN into a verdict,
// summary, confidence or detail. Seeded, so failures are reproducible.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANALYZER_NAMES,
  newBaseline,
  runAnalyzers,
  statsPromptLines,
  updateBaseline,
  type AnalyzerInput,
  type StatsReport,
} from '../../src/stats/analyzers.js';
import {
  binomialTwoSidedP,
  chiSquareSf,
  normalCdf,
  normalQuantile,
  poissonExactCi,
  studentTCdf,
  studentTQuantile,
} from '../../src/stats/distributions.js';
import { createRng, type Rng } from '../../src/stats/rng.js';

const HEALTH = new Set(['calibrating', 'favorable', 'profitable', 'neutral', 'exposed', 'unfavorable', 'dangerous']);
const COLORS = new Set(['green', 'yellow', 'red', 'gray']);
const NOW = Date.UTC(2025, 6, 1);

const WEIRD = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, -5e-324, 1e-300, 1e15, -1e15, 2 ** 53, -1, 1];

function weirdNumber(rng: Rng): number {
  const u = rng.uniform();
  if (u < 0.3) return WEIRD[rng.int(WEIRD.length)]!;
  if (u < 0.6) return rng.normal() * 10 ** rng.int(12);
  return rng.uniform();
}

/** A value of any JSON-ish type, mostly numbers. */
function anything(rng: Rng): unknown {
  const u = rng.uniform();
  if (u < 0.6) return weirdNumber(rng);
  if (u < 0.7) return null;
  if (u < 0.75) return undefined;
  if (u < 0.85) return ['buy', 'sell', '', 'NaN', 'x'][rng.int(5)];
  if (u < 0.9) return {};
  if (u < 0.95) return [];
  return rng.bernoulli(0.5);
}

function maybe<T>(rng: Rng, good: () => T): unknown {
  return rng.uniform() < 0.8 ? good() : anything(rng);
}

function randomTime(rng: Rng): number {
  return rng.uniform() < 0.85 ? NOW - rng.uniform() * 72 * 3_600_000 : weirdNumber(rng);
}

function randomFill(rng: Rng): unknown {
  if (rng.uniform() < 0.03) return anything(rng);
  return {
    time: maybe(rng, () => randomTime(rng)),
    side: maybe(rng, () => (rng.bernoulli(0.5) ? 'buy' : 'sell')),
    price: maybe(rng, () => 0.1 + 0.01 * rng.normal()),
    volume: maybe(rng, () => 100),
    fee: maybe(rng, () => 0.02),
    level: maybe(rng, () => (rng.bernoulli(0.5) ? -1 : 1) * (1 + rng.int(12))),
    profit: maybe(rng, () => (rng.bernoulli(0.5) ? null : 0.01 * rng.normal())),
    orderId: 'f',
  };
}

function randomList<T>(rng: Rng, make: () => T, big = 400): T[] {
  const u = rng.uniform();
  const n = u < 0.15 ? 0 : u < 0.3 ? 1 + rng.int(3) : u < 0.97 ? rng.int(big) : 10_001;
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(make());
  if (rng.uniform() < 0.7) {
    // usually time-ordered, as in the bot
    out.sort((a, b) => {
      const ta = (a as { time?: unknown })?.time;
      const tb = (b as { time?: unknown })?.time;
      return typeof ta === 'number' && typeof tb === 'number' && Number.isFinite(ta - tb) ? ta - tb : 0;
    });
  }
  return out;
}

function randomInput(rng: Rng): AnalyzerInput {
  const price = rng.uniform() < 0.9 ? 0.1 : weirdNumber(rng);
  let lp = Math.log(Math.abs(price) || 1);
  const volScale = 10 ** (rng.int(5) - 4);
  const input = {
    now: rng.uniform() < 0.9 ? NOW : weirdNumber(rng),
    fills: rng.uniform() < 0.97 ? randomList(rng, () => randomFill(rng)) : anything(rng),
    roundTripProfits: rng.uniform() < 0.97 ? randomList(rng, () => (rng.uniform() < 0.9 ? 0.01 * rng.normal() : weirdNumber(rng))) : anything(rng),
    dailyEquity: rng.uniform() < 0.97 ? randomList(rng, () => (rng.uniform() < 0.9 ? 120 + rng.normal() : weirdNumber(rng))) : anything(rng),
    equityChange: rng.uniform() < 0.9 ? rng.normal() : anything(rng),
    prices:
      rng.uniform() < 0.97
        ? randomList(
            rng,
            () => {
              lp += volScale * rng.normal();
              return rng.uniform() < 0.95
                ? { time: NOW - rng.uniform() * 86_400_000, price: Math.exp(lp) }
                : { time: anything(rng), price: anything(rng) };
            },
            3000,
          )
        : anything(rng),
    candles:
      rng.uniform() < 0.97
        ? randomList(rng, () => ({
            time: maybe(rng, () => NOW - rng.int(300) * 300_000),
            open: anything(rng),
            high: maybe(rng, () => 0.1 * (1 + Math.abs(0.01 * rng.normal()))),
            low: maybe(rng, () => 0.1 * (1 - Math.abs(0.01 * rng.normal()))),
            close: anything(rng),
            volume: anything(rng),
          }))
        : anything(rng),
    grid:
      rng.uniform() < 0.95
        ? {
            center: maybe(rng, () => 0.1),
            spacingPct: maybe(rng, () => 1),
            lowestBuy: maybe(rng, () => 0.1 * (1 - 0.05 * rng.uniform())),
            highestSell: maybe(rng, () => 0.1 * (1 + 0.05 * rng.uniform())),
            levelsPerSide: maybe(rng, () => 1 + rng.int(12)),
          }
        : anything(rng),
    pollIntervalSec: maybe(rng, () => 30),
    baseline:
      rng.uniform() < 0.9
        ? {
            startedAt: maybe(rng, () => NOW - rng.uniform() * 80 * 3_600_000),
            windowMs: maybe(rng, () => 48 * 3_600_000),
            fillCount: maybe(rng, () => rng.int(500)),
            complete: maybe(rng, () => rng.bernoulli(0.5)),
          }
        : anything(rng),
    asymmetryWindowMs: rng.uniform() < 0.7 ? undefined : weirdNumber(rng),
  };
  return input as unknown as AnalyzerInput;
}

function checkReport(r: StatsReport, label: string): void {
  assert.ok(r && typeof r === 'object', label);
  assert.ok(Number.isFinite(r.generatedAt), `${label}: generatedAt`);
  assert.ok(HEALTH.has(r.health.verdict), `${label}: health verdict ${r.health.verdict}`);
  assert.equal(typeof r.health.color, 'string');
  assert.equal(typeof r.health.summary, 'string');
  assert.ok(!/NaN|undefined/.test(r.health.summary), `${label}: health summary ${r.health.summary}`);
  assert.deepEqual(
    r.analyzers.map((a) => a.name),
    [...ANALYZER_NAMES],
    label,
  );
  for (const a of r.analyzers) {
    assert.ok(typeof a.verdict === 'string' && a.verdict.length > 0, `${label}: ${a.name} verdict`);
    assert.ok(!/NaN|undefined|Infinity/.test(a.verdict), `${label}: ${a.name} verdict ${a.verdict}`);
    assert.ok(typeof a.summary === 'string' && a.summary.length > 0 && !a.summary.includes('\n'), `${label}: ${a.name} summary`);
    assert.ok(!/NaN|undefined|Infinity/.test(a.summary), `${label}: ${a.name} summary: ${a.summary}`);
    assert.ok(COLORS.has(a.color), `${label}: ${a.name} color ${a.color}`);
    assert.ok(Number.isFinite(a.confidence) && a.confidence >= 0 && a.confidence <= 1, `${label}: ${a.name} confidence ${a.confidence}`);
    assert.notEqual(a.verdict, 'error', `${label}: ${a.name} failed: ${a.summary}`);
    for (const [k, v] of Object.entries(a.detail)) {
      const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
      assert.ok(ok, `${label}: ${a.name}.detail.${k} = ${String(v)}`);
    }
  }
  const text = JSON.stringify(r);
  assert.ok(!text.includes('NaN'));
  for (const line of statsPromptLines(r)) {
    assert.equal(typeof line, 'string');
    assert.ok(!/NaN|undefined/.test(line), line);
    assert.ok(!line.includes('\n'));
  }
}

test('runAnalyzers on 3000 random inputs: never throws, never NaN', () => {
  const rng = createRng(2024);
  const t0 = Date.now();
  for (let i = 0; i < 3000; i++) {
    const input = randomInput(rng);
    let report: StatsReport | undefined;
    assert.doesNotThrow(() => {
      report = runAnalyzers(input);
    }, `case ${i}`);
    checkReport(report!, `case ${i}`);
  }
  console.log(`fuzzed 3000 inputs in ${Date.now() - t0} ms`);
});

test('degenerate inputs: empty, null, constant, extreme', () => {
  const empty: AnalyzerInput = {
    now: NOW,
    fills: [],
    roundTripProfits: [],
    prices: [],
    candles: [],
    grid: { center: 0.1, spacingPct: 1, lowestBuy: null, highestSell: null, levelsPerSide: 0 },
    pollIntervalSec: 30,
    baseline: newBaseline(NOW),
  };
  const r = runAnalyzers(empty);
  checkReport(r, 'empty');
  assert.equal(r.health.verdict, 'calibrating');
  for (const a of r.analyzers) assert.equal(a.verdict, 'insufficient data', a.name);

  for (const bad of [null, undefined, {}, [], 42, 'x']) checkReport(runAnalyzers(bad as unknown as AnalyzerInput), String(bad));

  const constant: AnalyzerInput = {
    ...empty,
    fills: Array.from({ length: 9_999 }, (_, i) => ({
      time: NOW - 1000,
      side: 'buy' as const,
      price: 0.1,
      volume: 1,
      fee: 0,
      level: -1,
      profit: null,
      orderId: `${i}`,
    })),
    roundTripProfits: Array.from({ length: 5000 }, () => 1e15),
    dailyEquity: Array.from({ length: 400 }, (_, i) => 120 + i * 1e12),
    prices: Array.from({ length: 2880 }, (_, i) => ({ time: NOW - (2879 - i) * 30_000, price: 0.1 })),
    candles: Array.from({ length: 288 }, (_, i) => ({ time: NOW - (288 - i) * 300_000, open: 0.1, high: 0.1, low: 0.1, close: 0.1, volume: 0 })),
    grid: { center: 0.1, spacingPct: 1, lowestBuy: 0.099, highestSell: 0.101, levelsPerSide: 10 },
    baseline: { startedAt: NOW - 60 * 3_600_000, windowMs: 48 * 3_600_000, fillCount: 0, complete: true },
  };
  const rc = runAnalyzers(constant);
  checkReport(rc, 'constant');
  assert.equal(rc.analyzers[0]!.verdict, 'significant profit');
  assert.equal(rc.analyzers[1]!.verdict, 'downtrend');
  assert.equal(rc.analyzers[2]!.verdict, 'low risk'); // zero volatility, price inside
  assert.equal(rc.analyzers[3]!.verdict, 'high volatility'); // 0 fills in baseline, 10,000 now
  assert.equal(rc.analyzers[4]!.verdict, 'mean reverting');
  assert.equal(rc.health.verdict, 'dangerous');
  // a full list (10,000 fills) all within the last second only covers that second
  const full = runAnalyzers({ ...constant, fills: [...constant.fills, constant.fills[0]!] });
  checkReport(full, 'full list');
  assert.equal(full.analyzers[3]!.verdict, 'insufficient data');
  assert.match(full.analyzers[3]!.summary, /need 60 more minutes/);

  const huge: AnalyzerInput = {
    ...constant,
    roundTripProfits: [1e308, -1e308, 1e308, 5e-324, -1e308, 1e308],
    dailyEquity: [1e308, -1e308, 1e308, 5e-324, -1e308, 1e308, 1e308, -1e308, 1e308],
    prices: Array.from({ length: 100 }, (_, i) => ({ time: NOW - (99 - i) * 30_000, price: i % 2 ? 1e308 : 5e-324 })),
    grid: { center: 1e308, spacingPct: 1e308, lowestBuy: 5e-324, highestSell: 1.7e308, levelsPerSide: 1e9 },
    pollIntervalSec: 1e308,
    asymmetryWindowMs: 1e308,
  };
  checkReport(runAnalyzers(huge), 'huge');
});

test('updateBaseline: random call sequences keep the count finite and monotone', () => {
  const rng = createRng(77);
  for (let run = 0; run < 300; run++) {
    let b = rng.uniform() < 0.8 ? newBaseline(NOW - rng.uniform() * 50 * 3_600_000) : (anything(rng) as ReturnType<typeof newBaseline>);
    let prev = -1;
    for (let step = 0; step < 10; step++) {
      const fills = randomList(rng, () => randomFill(rng), 50) as never;
      b = updateBaseline(b, fills, rng.uniform() < 0.9 ? NOW : weirdNumber(rng));
      assert.ok(Number.isFinite(b.fillCount) && b.fillCount >= 0);
      assert.ok(b.fillCount >= prev);
      assert.ok(Number.isFinite(b.startedAt) && Number.isFinite(b.windowMs) && b.windowMs > 0);
      assert.equal(typeof b.complete, 'boolean');
      prev = b.fillCount;
    }
    assert.deepEqual(JSON.parse(JSON.stringify(b)), b);
  }
});

test('distribution functions on random arguments: no throw, results in range or NaN', () => {
  const rng = createRng(99);
  const inUnit = (x: number) => Number.isNaN(x) || (x >= 0 && x <= 1);
  for (let i = 0; i < 5000; i++) {
    const a = weirdNumber(rng);
    const b = weirdNumber(rng);
    const c = rng.uniform();
    assert.ok(inUnit(normalCdf(a)));
    assert.ok(inUnit(studentTCdf(a, Math.abs(b))));
    assert.ok(inUnit(chiSquareSf(a, Math.abs(b))));
    const q = normalQuantile(c);
    assert.ok(!Number.isNaN(q));
    const tq = studentTQuantile(c, Math.abs(b));
    assert.ok(Number.isNaN(tq) || !(Math.abs(b) > 0) || Math.sign(tq) === Math.sign(c - 0.5) || tq === 0);
    const n = Math.floor(Math.abs(b)) % 20000;
    const k = Math.floor(c * (n + 1));
    const p = rng.uniform();
    assert.ok(inUnit(binomialTwoSidedP(k, n, p)), `binom ${k} ${n} ${p}`);
    const [lo, hi] = poissonExactCi(Math.floor(Math.abs(a)) % 100_000, c);
    assert.ok((Number.isNaN(lo) && Number.isNaN(hi)) || (lo <= hi && lo >= 0), `poisson ${a} ${c}`);
  }
});
