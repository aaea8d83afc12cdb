// The dry-run bot exactly as the daemon builds it (fresh state, paper account
// and fees, Trader: trading-setup.ts, which Bot.create uses too), driven by
// the replay: its price source is whatever price the replay shows, its clock
// the replay's fake clock, and its events are counted for the summary.
import { FALLBACK_PAIR_INFO, type MarketData, type PairInfo, type Ticker } from '../../exchange/exchange.js';
import type { PaperExchange } from '../../exchange/paper-exchange.js';
import { freshDryRun } from '../../trading-setup.js';
import type { GridState, Settings } from '../../core/grid-strategy.js';
import type { Trader } from '../../core/trader.js';
import type { TraderEvent } from '../../core/trading/events.js';
import type { Candle, FillRecord } from '../../core/types.js';
import type { BacktestOptions } from './types.js';
import { BacktestError, LEVELS_OVERRIDE_FIELD } from './errors.js';

/** The price source of the paper account: whatever price the engine is showing. */
export class ReplayMarket implements MarketData {
  price = 0;
  constructor(private readonly pair: PairInfo) {}
  getTicker(): Promise<Ticker> {
    const p = this.price;
    return Promise.resolve({ bid: p, ask: p, last: p });
  }
  getOhlc(): Promise<Candle[]> {
    return Promise.resolve([]);
  }
  getPairInfo(): Promise<PairInfo> {
    return Promise.resolve(this.pair);
  }
}

/** The replay's fake clock: `t` is set by the replay, `now` is what the bot reads. */
export class ReplayClock {
  t = 0;
  readonly now = (): number => this.t;
  constructor(t: number) {
    this.t = t;
  }
}

/** What the Trader reported during the replay, as the bot's notifier would have seen it. */
export class EventTally {
  /** Every fill, in order (the state keeps only the last 10,000 or so: MAX_FILLS_KEPT). */
  readonly fills: FillRecord[] = [];
  readonly rebuilds: Record<string, number> = {};
  pauses = 0;
  warnings = 0;
  /** Failed ticks (counted by the replay, which carries on like the live loop). */
  errors = 0;
  /** A grid was built without the levels override the run asked for. */
  levelsIgnored = false;
  /** Events since the replay last reset it (the fast-path check wants none). */
  inTick = 0;
  stoppedAt: number | null = null;

  constructor(
    private readonly clock: ReplayClock,
    private readonly levelsOverride: number | null,
    private readonly levelsPerSide: () => number,
    private readonly forward: ((e: TraderEvent) => void) | undefined,
  ) {}

  record(e: TraderEvent): void {
    this.inTick++;
    if (e.type === 'fill' || e.type === 'round_trip') this.fills.push(e.fill);
    else if (e.type === 'grid_built') {
      const key = e.reason.startsWith('reset') ? 'reset' : e.reason;
      this.rebuilds[key] = (this.rebuilds[key] ?? 0) + 1;
      if (this.levelsOverride !== null && this.levelsPerSide() !== this.levelsOverride) this.levelsIgnored = true;
    } else if (e.type === 'risk' && e.action === 'pause') this.pauses++;
    else if (e.type === 'risk' && e.action === 'stop') this.stoppedAt = this.clock.t;
    else if (e.type === 'warning') this.warnings++;
    this.forward?.(e);
  }
}

export interface PaperBot {
  trader: Trader;
  state: GridState;
  exchange: PaperExchange;
  market: ReplayMarket;
  clock: ReplayClock;
  tally: EventTally;
  levelsOverride: number | null;
  /** Orders placed, cancelled and amended on the paper exchange (a proxy for the rate-limit cost). */
  ops: OrderOps;
}

export interface OrderOps {
  placed: number;
  cancelled: number;
  amended: number;
}

/** Counts the order operations the Trader sends (the calls themselves are unchanged). */
function countOrderOps(ex: PaperExchange): OrderOps {
  const ops: OrderOps = { placed: 0, cancelled: 0, amended: 0 };
  const place = ex.placeOrder.bind(ex);
  const cancel = ex.cancelOrder.bind(ex);
  const amend = ex.amendOrder.bind(ex);
  ex.placeOrder = (req) => (ops.placed++, place(req));
  ex.cancelOrder = (id) => (ops.cancelled++, cancel(id));
  ex.amendOrder = (req) => (ops.amended++, amend(req));
  return ops;
}

/** Builds the dry-run bot from a fresh state; only the Trader is driven, so nothing is journaled or saved. */
export function createPaperBot(opts: BacktestOptions, startMs: number): PaperBot {
  const clock = new ReplayClock(startMs);
  const market = new ReplayMarket(opts.pair ?? FALLBACK_PAIR_INFO);
  const levelsOverride = opts.levelsPerSide ?? null;
  const tally = new EventTally(clock, levelsOverride, () => state.levelsPerSide, opts.onEvent);
  if (!opts.config.dryRun) throw new BacktestError('a backtest needs a dry-run configuration (DRY_RUN=true)');
  const { trader, state, exchange } = freshDryRun({
    config: opts.config,
    market,
    now: clock.now,
    botId: opts.botId ?? 'b4c7e57b4c7e57b4c7e5',
    onEvent: (e) => tally.record(e),
  });
  if (opts.ratioOverride != null) state.settings.ratioOverride = opts.ratioOverride;
  if (levelsOverride !== null) (state.settings as Settings & Record<string, unknown>)[LEVELS_OVERRIDE_FIELD] = levelsOverride;
  return { trader, state, exchange, market, clock, tally, levelsOverride, ops: countOrderOps(exchange) };
}
