// Runs the five analyzers over the bot's state: every minute and after fills,
// with 5-minute OHLC refreshed every 5 minutes in the background. A leaf: it
// reads the state and only writes the persisted Poisson baseline.
import { touch, type GridState } from '../core/grid-strategy.js';
import type { MarketData } from '../exchange/exchange.js';
import { errorMessage, logger } from '../util/log.js';
import { newBaseline, runAnalyzers, statsPromptLines, updateBaseline, type PoissonBaseline, type StatsReport } from './analyzers.js';
import type { StatusView } from '../ops/status-view.js';
import type { Candle } from '../core/types.js';
import { equity } from '../core/ledger.js';
import type { CandleHistory } from './candle-history.js';

const log = logger('stats');

export const STATS_INTERVAL_MS = 60_000;
export const CANDLE_REFRESH_MS = 5 * 60_000;
const CANDLES_KEPT = 288; // 24 h of 5-minute candles

function isBaseline(x: unknown): x is PoissonBaseline {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as PoissonBaseline;
  return Number.isFinite(b.startedAt) && Number.isFinite(b.windowMs) && Number.isFinite(b.fillCount) && typeof b.complete === 'boolean';
}

export class StatsRunner {
  report: StatsReport | null = null;
  private lastRun = -Infinity;
  private dirty = true;
  private candles: Candle[] = [];
  private lastCandleFetch = -Infinity;
  private fetching = false;

  constructor(
    private readonly state: () => GridState,
    private readonly market: MarketData,
    private readonly pollIntervalSec: number,
    /** Keeps every refresh's candles for longer (the /suggest walk-forward reads it). */
    private readonly history: CandleHistory | null = null,
  ) {}

  /** New fills arrived: run at the next opportunity. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Called after every tick. Never throws. */
  afterTick(now: number): void {
    this.maybeRefreshCandles(now);
    if (this.dirty || now - this.lastRun >= STATS_INTERVAL_MS) this.run(now);
  }

  run(now: number): StatsReport | null {
    try {
      const s = this.state();
      const prev = isBaseline(s.statsBaseline) ? s.statsBaseline : newBaseline(s.startedAt);
      const baseline = updateBaseline(prev, s.fills, now);
      if (JSON.stringify(baseline) !== JSON.stringify(s.statsBaseline)) {
        s.statsBaseline = baseline;
        touch(s);
      }
      let lowestBuy: number | null = null;
      let highestSell: number | null = null;
      for (const o of s.orders) {
        if (o.side === 'buy') lowestBuy = lowestBuy === null ? o.price : Math.min(lowestBuy, o.price);
        else highestSell = highestSell === null ? o.price : Math.max(highestSell, o.price);
      }
      this.report = runAnalyzers({
        now,
        fills: s.fills,
        roundTripProfits: s.roundTripProfits,
        dailyEquity: (Array.isArray(s.equityDays) ? s.equityDays : []).map((d: unknown) => (d && typeof d === 'object' ? (d as { equity?: unknown }).equity : NaN) as number),
        equityChange: s.lastPrice > 0 ? equity(s.ledger, s.lastPrice) - s.ledger.startingCapital : null,
        prices: s.priceHistory,
        candles: this.candles,
        grid: { center: s.center, spacingPct: s.settings.spacingPct, lowestBuy, highestSell, levelsPerSide: s.levelsPerSide },
        pollIntervalSec: this.pollIntervalSec,
        baseline,
      });
      this.lastRun = now;
      this.dirty = false;
    } catch (err) {
      log.error(`analyzers failed: ${errorMessage(err)}`);
    }
    return this.report;
  }

  private maybeRefreshCandles(now: number): void {
    if (this.fetching || now - this.lastCandleFetch < CANDLE_REFRESH_MS) return;
    this.fetching = true;
    this.lastCandleFetch = now;
    this.market
      .getOhlc(5, now - CANDLES_KEPT * 5 * 60_000)
      .then((c) => {
        this.candles = c.slice(-CANDLES_KEPT);
        this.history?.add(c);
      })
      .catch((err: unknown) => log.warn(`OHLC refresh failed: ${errorMessage(err)}`))
      .finally(() => {
        this.fetching = false;
      });
  }

  /** The `stats` key of /api/status. */
  view(): StatusView['stats'] {
    const r = this.report;
    return r ? { health: r.health, analyzers: r.analyzers } : null;
  }

  promptLines(): string[] {
    return this.report ? statsPromptLines(this.report) : [];
  }
}
