// Test support for the trading core: a fake clock, a scripted market, seeded
// price paths and a config built through the real loadConfig.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import { FALLBACK_PAIR_INFO, type MarketData, type PairInfo, type Ticker } from '../../src/exchange/exchange.js';
import type { Candle } from '../../src/core/types.js';
import { configureLogger, parseLogLevel } from '../../src/util/log.js';

// Tests are quiet unless TEST_LOG_LEVEL asks otherwise.
configureLogger({ level: parseLogLevel(process.env.TEST_LOG_LEVEL ?? 'ERROR') ?? 'ERROR' });

export { FakeClock } from './clock.js';

/** Prices from a function of time; the paper exchange matches orders against them. */
export class ScriptedMarket implements MarketData {
  constructor(
    public priceAt: (t: number) => number,
    private readonly now: () => number,
    private readonly pair: PairInfo = FALLBACK_PAIR_INFO,
  ) {}
  async getTicker(): Promise<Ticker> {
    const p = this.priceAt(this.now());
    return { bid: p, ask: p, last: p };
  }
  async getOhlc(): Promise<Candle[]> {
    return [];
  }
  async getPairInfo(): Promise<PairInfo> {
    return this.pair;
  }
}

/** Deterministic PRNG (mulberry32). */
export { mulberry32 as rng } from '../../src/util/random.js';
import { mulberry32 as rng } from '../../src/util/random.js';

export function gaussian(r: () => number): () => number {
  return () => {
    const u = Math.max(r(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
}

/**
 * A mean-reverting (Ornstein–Uhlenbeck in log price) path sampled every `stepMs`,
 * with optional level shifts of the mean at given step indexes (to force drift).
 */
export function meanRevertingPath(opts: { seed: number; start: number; steps: number; stepMs: number; p0: number; volPerStep: number; reversion: number; shifts?: { at: number; factor: number }[] }): (t: number) => number {
  const g = gaussian(rng(opts.seed));
  const prices = new Float64Array(opts.steps + 1);
  let mean = Math.log(opts.p0);
  let x = mean;
  const shifts = [...(opts.shifts ?? [])];
  for (let i = 0; i <= opts.steps; i++) {
    while (shifts.length && shifts[0].at <= i) mean += Math.log(shifts.shift()!.factor);
    prices[i] = Math.exp(x);
    x += opts.reversion * (mean - x) + opts.volPerStep * g();
  }
  return (t: number) => {
    const i = Math.min(opts.steps, Math.max(0, Math.floor((t - opts.start) / opts.stepMs)));
    return prices[i];
  };
}

export function tempDir(prefix = 'grid-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A config as the daemon would load it, with test-friendly defaults. */
export function testConfig(env: Record<string, string> = {}): Config {
  // KRAKEN_WS=false unless a test asks for the stream: these tests pin the REST-only behaviour
  // (tick by tick), which KRAKEN_WS=false must keep exactly (test/exchange/kraken/stream-live.test.ts has the stream on).
  return loadConfig({ LOG_DIR: tempDir(), HEALTH_PORT: '0', LOG_LEVEL: 'ERROR', KRAKEN_WS: 'false', ...env });
}
