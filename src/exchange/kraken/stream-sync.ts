// When the order sync may trust the executions stream instead of QueryOrders.
//
// - While the private stream is live, the trader's per-tick order query is answered from
//   what the stream said (StreamOrders), and the full REST reconciliation (QueryOrders of
//   every order we think is working) runs only every `reconcileEveryMs` (default 5 min).
// - After any (re)connect, and whenever the stream is stale or down, the next query goes to
//   REST at once, and every query after it until the stream is live again.
// - Orders the stream has not described completely (unknown id, fee not known for the whole
//   executed volume) are asked by REST, only those.
import { logger } from '../../util/log.js';
import type { OrderReport } from '../exchange.js';
import type { KrakenStream, StreamExecution, StreamHealth } from './stream.js';
import { StreamOrders } from './stream-orders.js';

const log = logger('kraken-stream');

export const RECONCILE_EVERY_MS = 5 * 60_000;

export interface StreamSyncOptions {
  now: () => number;
  reconcileEveryMs?: number;
  isOurs(e: StreamExecution): boolean;
  clientIdOf(clOrdId: string | null): string | null;
  userrefOf(e: StreamExecution): number | null;
}

export class StreamSync {
  readonly orders: StreamOrders;
  private needFullRest = true;
  private lastFullRestAt = -Infinity;
  private readonly reconcileEveryMs: number;
  private readonly listeners: ((reason: 'execution' | 'stream_up' | 'stream_down', report?: OrderReport) => void)[] = [];
  /** REST order queries made (full reconciliations and gap fills), for tests and the bench. */
  restQueries = 0;

  constructor(
    readonly stream: KrakenStream,
    private readonly o: StreamSyncOptions,
  ) {
    this.reconcileEveryMs = o.reconcileEveryMs ?? RECONCILE_EVERY_MS;
    this.orders = new StreamOrders(o.isOurs, o.clientIdOf, o.userrefOf);
    stream.onExecutions((execs) => {
      for (const r of this.orders.apply(execs)) this.emit('execution', r);
    });
    stream.onLiveChange((endpoint, live) => {
      if (endpoint !== 'auth') return;
      // Whatever happened while we were not listening is only known to REST: reconcile at once.
      this.needFullRest = true;
      this.emit(live ? 'stream_up' : 'stream_down');
    });
  }

  /** Called when one of our orders executed or finished on the stream, and when the stream comes up or goes down. */
  onActivity(fn: (reason: 'execution' | 'stream_up' | 'stream_down', report?: OrderReport) => void): void {
    this.listeners.push(fn);
  }

  health(): StreamHealth {
    return this.stream.health();
  }

  /** The stream may stand in for QueryOrders now. */
  trusted(): boolean {
    return this.stream.authLive() && !this.needFullRest && this.o.now() - this.lastFullRestAt < this.reconcileEveryMs;
  }

  async queryOrders(ids: string[], rest: (ids: string[]) => Promise<OrderReport[]>): Promise<OrderReport[]> {
    if (!this.trusted()) {
      // Cleared before the call: a drop or reconnect during it asks for another one.
      this.needFullRest = false;
      const started = this.o.now();
      try {
        this.restQueries++;
        const merged = this.orders.merge(await rest(ids));
        this.lastFullRestAt = started;
        return merged;
      } catch (err) {
        this.needFullRest = true;
        throw err;
      }
    }
    const { reports, missing } = this.orders.answer(ids);
    if (missing.length === 0) return reports;
    log.debug(`order sync: ${missing.length} order(s) not known from the stream; asking REST`);
    this.restQueries++;
    return [...reports, ...this.orders.merge(await rest(missing))];
  }

  private emit(reason: 'execution' | 'stream_up' | 'stream_down', report?: OrderReport): void {
    for (const fn of this.listeners) fn(reason, report);
  }
}
