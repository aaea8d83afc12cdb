// Fault-injection campaign against the trading engine: the real Bot and
// Trader on a hostile exchange (a PaperExchange behind FaultyExchange, see
// support/fuzz-exchange.ts), thousands of ticks per seed, crashes and
// restarts, operator actions, with every invariant checked after every tick
// (support/fuzz-harness.ts), garbage numbers in every kind of answer (NaN, 0,
// negative, 1e300, strings, missing fields) and off-market tickers included.
// Deterministic: the seed decides everything.
//   FUZZ_SEEDS=500 FUZZ_TICKS=3000 FUZZ_FIRST=1000 node --test dist/test/core/fuzz-trader.test.js
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFuzzSeed, type FuzzResult } from '../support/fuzz-harness.js';

const SEEDS = Number(process.env.FUZZ_SEEDS ?? 30);
const TICKS = Number(process.env.FUZZ_TICKS ?? 1500);
const FIRST = Number(process.env.FUZZ_FIRST ?? 1);

describe('fuzz: the trader on a hostile exchange', () => {
  it(`keeps every invariant over ${SEEDS} seeds × ${TICKS} ticks`, async () => {
    const results: FuzzResult[] = [];
    const failures: string[] = [];
    for (let seed = FIRST; seed < FIRST + SEEDS; seed++) {
      const res = await runFuzzSeed({ seed, ticks: TICKS });
      results.push(res);
      if (res.violations.length) failures.push(`${res.violations.join('\n')}\n  variant: ${res.stats.configVariant}`);
    }
    const sum = (k: 'faults' | 'crashes' | 'fills' | 'roundTrips' | 'faultFreeTicks' | 'failedTicks' | 'behind' | 'controls' | 'restoredFromSnapshot') => results.reduce((s, r) => s + r.stats[k], 0);
    const counts: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.stats.counts)) counts[k] = (counts[k] ?? 0) + v;
    const hostile = Object.entries(counts).reduce((n, [k, v]) => n + (k.startsWith('hostile-') ? v : 0), 0);
    if (process.env.FUZZ_VERBOSE) {
      console.log(JSON.stringify({ seeds: SEEDS, ticks: TICKS, faults: sum('faults'), crashes: sum('crashes'), restoredFromSnapshot: sum('restoredFromSnapshot'), fills: sum('fills'), roundTrips: sum('roundTrips'), faultFreeTicks: sum('faultFreeTicks'), failedTicks: sum('failedTicks'), behind: sum('behind'), controls: sum('controls'), counts }));
    }
    assert.deepEqual(failures, [], `${failures.length} seeds broke an invariant`);
    // The campaign must actually exercise the engine.
    assert.ok(sum('crashes') >= SEEDS / 2, `only ${sum('crashes')} crashes`);
    assert.ok(sum('roundTrips') >= SEEDS * 5, `only ${sum('roundTrips')} round trips`);
    assert.ok(sum('faultFreeTicks') >= (SEEDS * TICKS) / 4, `only ${sum('faultFreeTicks')} fault-free ticks`);
    // Garbage numbers in the answers (issue 18): injected, and none reached the books.
    assert.ok(hostile >= SEEDS, `only ${hostile} garbage numbers injected`);
    assert.ok((counts['ticker-outlier'] ?? 0) >= 1, 'no off-market ticker injected');
  });
});
