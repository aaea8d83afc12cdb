// Kraken's two rate counters and the open-order cap, per tier. Written from
// Kraken's documentation independently of the client's own model
// (src/exchange/kraken/rate-limiter.ts), so a client test passing against the
// simulator is evidence, not a tautology.
//
// - REST call counter, one per API key ("Spot REST Rate Limits",
//   https://docs.kraken.com/api/docs/guides/spot-rest-ratelimits): +1 per
//   call, +2 for ledger/trade history, AddOrder and CancelOrder excluded;
//   max 15/20/20, decay 0.33/0.5/1 per second (Starter/Intermediate/Pro);
//   over the max: EAPI:Rate limit exceeded.
// - Trading counter, one per pair ("Spot Trading Limits",
//   https://docs.kraken.com/api/docs/guides/spot-ratelimits): threshold
//   60/125/180, decay 1/2.34/3.75 per second; AddOrder +1, CancelOrder
//   +8/+6/+5/+4/+2/+1 when the order rested < 5/10/15/45/90/300 s, 0 after;
//   over the threshold: EOrder:Rate limit exceeded — except a batch cancel,
//   which the same page says is still accepted when its count takes the
//   counter past the maximum ("If the rate counter in the batch exceeds
//   maximum for a batch cancel, the requests in batch are still accepted").
//   A batch cancel arriving with the counter already at or past the maximum
//   is not covered by the page: the simulator refuses it (the cautious
//   reading for a client). Open orders per pair:
//   60/80/225. (AmendOrder and the batch endpoints would add their own costs
//   here through `chargeTrading`.)
import { XDGUSD_KEY } from './asset-pair.js';
import { KrakenFail, type SimTier } from './types.js';

export const REST_LIMITS: Record<SimTier, { max: number; decay: number }> = {
  starter: { max: 15, decay: 0.33 },
  intermediate: { max: 20, decay: 0.5 },
  pro: { max: 20, decay: 1 },
};
export const TRADING_LIMITS: Record<SimTier, { max: number; decay: number }> = {
  starter: { max: 60, decay: 1 },
  intermediate: { max: 125, decay: 2.34 },
  pro: { max: 180, decay: 3.75 },
};
export const OPEN_ORDER_LIMITS: Record<SimTier, number> = { starter: 60, intermediate: 80, pro: 225 };

/** Trading-counter points for cancelling an order that has rested `ageMs`. */
export function cancelPenalty(ageMs: number): number {
  const s = ageMs / 1000;
  return s < 5 ? 8 : s < 10 ? 6 : s < 15 ? 5 : s < 45 ? 4 : s < 90 ? 2 : s < 300 ? 1 : 0;
}

/** Trading-counter points for amending an order that has rested `ageMs` (the fixed +1 included). */
export function amendCost(ageMs: number): number {
  const s = ageMs / 1000;
  return 1 + (s < 5 ? 3 : s < 10 ? 2 : s < 15 ? 1 : 0);
}

/** Trading-counter points for an AddOrderBatch of `n` orders. */
export function batchAddCost(n: number): number {
  return Math.ceil(n / 2);
}

interface Level {
  counter: number;
  /** When `counter` was last written (ms). */
  at: number;
}

export class SimCounters {
  private readonly rest = new Map<string, Level>();
  private readonly trading = new Map<string, Level>();

  constructor(
    readonly tier: SimTier,
    /** False: count, but never refuse. */
    private readonly enforce: boolean,
    private readonly now: () => number,
  ) {}

  private decayed(l: Level | undefined, perSecond: number): number {
    return l ? Math.max(0, l.counter - ((this.now() - l.at) / 1000) * perSecond) : 0;
  }

  /** A new (or re-added) API key starts at 0. */
  resetKey(key: string): void {
    this.rest.set(key, { counter: 0, at: this.now() });
  }

  restLevel(key: string): number {
    return this.decayed(this.rest.get(key), REST_LIMITS[this.tier].decay);
  }

  /** Add `cost` to the key's REST counter, or throw EAPI:Rate limit exceeded. */
  chargeRest(key: string, cost: number): void {
    const { max } = REST_LIMITS[this.tier];
    const level = this.restLevel(key);
    if (this.enforce && level + cost > max) {
      this.rest.set(key, { counter: level, at: this.now() });
      throw new KrakenFail('EAPI:Rate limit exceeded');
    }
    this.rest.set(key, { counter: level + cost, at: this.now() });
  }

  tradingLevel(pair = XDGUSD_KEY): number {
    return this.decayed(this.trading.get(pair), TRADING_LIMITS[this.tier].decay);
  }

  /**
   * Add `points` to the pair's trading counter, or throw EOrder:Rate limit exceeded.
   * `batchCancel`: a CancelOrderBatch, accepted (and charged) even past the maximum, unless the counter is there already.
   */
  chargeTrading(points: number, pair = XDGUSD_KEY, opts: { batchCancel?: boolean } = {}): void {
    const level = this.tradingLevel(pair);
    const max = TRADING_LIMITS[this.tier].max;
    const over = opts.batchCancel ? level >= max : level + points > max;
    if (this.enforce && over) throw new KrakenFail('EOrder:Rate limit exceeded');
    this.trading.set(pair, { counter: level + points, at: this.now() });
  }

  openOrderLimit(): number {
    return OPEN_ORDER_LIMITS[this.tier];
  }
}
