// Client-side model of Kraken's rate counters. Kraken keeps, per API key, a
// REST "call counter" that every private call raises (ledger/trade-history
// calls by 2, the rest by 1) and that decays at a tier-dependent rate; a call
// that would push it past the tier maximum fails with `EAPI:Rate limit
// exceeded`. AddOrder/CancelOrder are not on that counter but on the matching
// engine's per-pair trading counter (AddOrder +1, CancelOrder a penalty that
// shrinks with the order's age). We model both and WAIT until a call fits,
// instead of letting Kraken reject it. A `RateStore` keeps the trading
// counter across restarts (LOG_DIR/trading-counter.json next to the nonce).
import fs from 'node:fs';
import path from 'node:path';

export type KrakenTier = 'starter' | 'intermediate' | 'pro';

export interface CounterSpec {
  /** Counter value above which Kraken rejects calls. */
  max: number;
  /** Decay in points per second. */
  decayPerSecond: number;
}

/** REST call counter (docs: "Spot REST Rate Limits"). */
export const REST_COUNTER: Record<KrakenTier, CounterSpec> = {
  starter: { max: 15, decayPerSecond: 0.33 },
  intermediate: { max: 20, decayPerSecond: 0.5 },
  pro: { max: 20, decayPerSecond: 1 },
};

/** Matching-engine trading counter per pair (docs: "Spot Trading Limits"). */
export const TRADING_COUNTER: Record<KrakenTier, CounterSpec> = {
  starter: { max: 60, decayPerSecond: 1 },
  intermediate: { max: 125, decayPerSecond: 2.34 },
  pro: { max: 180, decayPerSecond: 3.75 },
};

/** Private endpoints that Kraken counts as ledger/trade history (cost 2). ClosedOrders is counted as history too, conservatively. */
const HISTORY_ENDPOINTS = new Set(['TradesHistory', 'QueryTrades', 'Ledgers', 'QueryLedgers', 'ClosedOrders']);
/** Endpoints on the trading counter instead of the REST counter. */
const TRADING_ENDPOINTS = new Set(['AddOrder', 'CancelOrder', 'AddOrderBatch', 'CancelOrderBatch', 'EditOrder', 'AmendOrder']);

export function isTradingEndpoint(method: string): boolean {
  return TRADING_ENDPOINTS.has(method);
}

/** REST-counter cost of one private call (0 for the trading endpoints, which are on the other counter). */
export function restCost(method: string): number {
  if (TRADING_ENDPOINTS.has(method)) return 0;
  return HISTORY_ENDPOINTS.has(method) ? 2 : 1;
}

/** Trading-counter penalty of cancelling an order that has rested `ageMs` (unknown age: the worst case). */
export function cancelPenalty(ageMs: number | null): number {
  if (ageMs === null || !Number.isFinite(ageMs) || ageMs < 0) return 8;
  const s = ageMs / 1000;
  if (s < 5) return 8;
  if (s < 10) return 6;
  if (s < 15) return 5;
  if (s < 45) return 4;
  if (s < 90) return 2;
  if (s < 300) return 1;
  return 0;
}

/** Trading-counter cost of AmendOrder on an order that has rested `ageMs`: +1, plus 3/2/1 under 5/10/15 s (unknown age: the worst case). */
export function amendCost(ageMs: number | null): number {
  if (ageMs === null || !Number.isFinite(ageMs) || ageMs < 0) return 4;
  const s = ageMs / 1000;
  if (s < 5) return 4;
  if (s < 10) return 3;
  if (s < 15) return 2;
  return 1;
}

/** A counter's modelled value at a wall-clock time, as saved across restarts. */
export interface CounterSnapshot {
  value: number;
  at: number;
}

/** Where a limiter keeps its value across restarts (a kill -9 must not forget a hot counter). */
export interface RateStore {
  /** null: nothing saved (a first start); 'unknown': saved but unreadable (assume the counter full). */
  read(): CounterSnapshot | null | 'unknown';
  write(s: CounterSnapshot): void;
}

export class MemoryRateStore implements RateStore {
  snapshot: CounterSnapshot | null = null;
  read(): CounterSnapshot | null {
    return this.snapshot;
  }
  write(s: CounterSnapshot): void {
    this.snapshot = { ...s };
  }
}

/** The snapshot in a small JSON file, written atomically (temp file, rename) before the call it accounts for is sent. */
export class FileRateStore implements RateStore {
  constructor(readonly file: string) {}
  read(): CounterSnapshot | null | 'unknown' {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unknown';
    }
    try {
      const j = JSON.parse(text) as { value?: unknown; at?: unknown };
      return typeof j.value === 'number' && Number.isFinite(j.value) && typeof j.at === 'number' && Number.isFinite(j.at) ? { value: j.value, at: j.at } : 'unknown';
    } catch {
      return 'unknown';
    }
  }
  write(s: CounterSnapshot): void {
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(s));
      fs.renameSync(tmp, this.file);
    } catch {
      // The model goes on in memory; a restart then assumes the counter full (see CounterLimiter).
    }
  }
}

export interface LimiterClock {
  /** Milliseconds on a monotonic clock (performance.now, or a fake one whose sleep advances it). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * A decaying counter that waits until `cost` fits under `max - margin`.
 * Callers must not run `take` concurrently with themselves expecting fairness:
 * the Kraken client serialises private calls, so one waiter at a time.
 */
export class CounterLimiter {
  private value = 0;
  private at: number;
  /** Total fake-or-real milliseconds spent waiting, for measurement. */
  waitedMs = 0;
  /** Total points taken. */
  points = 0;

  constructor(
    readonly spec: CounterSpec,
    private readonly clock: LimiterClock,
    /** Headroom kept below Kraken's maximum: Kraken decays in steps every few seconds, we model it continuously. */
    readonly margin = 1,
    private readonly store?: RateStore,
  ) {
    this.at = clock.now();
    if (store) {
      // What a previous run left: decayed by the time since, never by a negative one (a clock set back
      // counts as no time passed). An unreadable snapshot assumes the counter full; none at all (first start) assumes it empty.
      const snap = store.read();
      if (snap === 'unknown') this.value = spec.max;
      else if (snap !== null) this.value = Math.max(0, Math.min(spec.max, snap.value) - (Math.max(0, this.at - snap.at) / 1000) * spec.decayPerSecond);
    }
  }

  /** Points that can be spent now without waiting. */
  room(): number {
    return this.spec.max - this.margin - this.level();
  }

  /** Current modelled counter value. */
  level(): number {
    this.decay();
    return this.value;
  }

  private decay(): void {
    const t = this.clock.now();
    if (!Number.isFinite(t)) return;
    if (t > this.at) {
      this.value = Math.max(0, this.value - ((t - this.at) / 1000) * this.spec.decayPerSecond);
    }
    // A clock that went backwards (a wall clock stepped back) counts as no time passed: re-anchor
    // here, so decay resumes from now instead of freezing until the clock is back where it was.
    this.at = t;
  }

  /** How long (ms) until `cost` fits. 0 when it fits now. */
  waitTime(cost: number): number {
    this.decay();
    const cap = Math.max(cost, this.spec.max - this.margin);
    const excess = this.value + cost - cap;
    if (excess <= 1e-9) return 0;
    return Math.ceil((excess / this.spec.decayPerSecond) * 1000);
  }

  /** Wait (through the injected sleep) until `cost` fits, then add it. */
  async take(cost: number): Promise<void> {
    if (cost <= 0) return;
    for (;;) {
      const w = this.waitTime(cost);
      if (w <= 0) break;
      this.waitedMs += w;
      await this.clock.sleep(w);
    }
    this.decay();
    this.value += cost;
    this.points += cost;
    this.store?.write({ value: this.value, at: this.at });
  }

  /** Kraken said we are over the limit: our model was optimistic (another process on the key?). Assume full. */
  saturate(): void {
    this.decay();
    this.value = Math.max(this.value, this.spec.max);
    this.store?.write({ value: this.value, at: this.at });
  }
}
