// What the executions stream told us about our orders, as OrderReports the
// trader's usual sync can read instead of calling QueryOrders.
//
// Rules:
// - only our orders (the caller's `isOurs`, by cl_ord_id tag or userref); every other order
//   on the account is ignored;
// - progress only moves forward: executed volume never shrinks, a finished order never
//   reopens (duplicates and out-of-order messages change nothing);
// - a report is "complete" (usable without REST) only when its fee is known for the whole
//   executed volume: every trade seen once (by exec_id) with its fee; otherwise the order is
//   left to REST (e.g. a `filled` that overtook its `trade`, or a snapshot of a partly
//   filled order);
// - REST reports merge in by the same forward-only rule and become the base: later trades
//   add to it, and the entry stays complete only while base + later trades add up to the
//   executed volume (a trade REST had already counted, delivered late, breaks the sum: REST).
import type { OrderReport, OrderState } from '../exchange.js';
import type { StreamExecution } from './stream.js';

const VOL_EPS = 1e-9;
const MAX_ENTRIES = 2000;

interface Entry {
  report: OrderReport;
  /** exec_id → [qty, fee] of each trade seen since the base. */
  trades: Map<string, [number, number]>;
  /** Executed volume and fee as REST last reported them (0 for orders known from the stream or our AddOrder). */
  baseVol: number;
  baseFee: number;
  /** Numbers known for the whole executed volume: base + the trades seen since add up to it. */
  complete: boolean;
}

const TERMINAL = new Set<OrderState>(['closed', 'canceled', 'expired']);

function stateOf(e: StreamExecution): OrderState | null {
  switch (e.execType) {
    case 'filled':
      return 'closed';
    case 'canceled':
    case 'expired':
      return e.execType;
  }
  switch (e.orderStatus) {
    case 'pending_new':
      return 'pending';
    case 'new':
    case 'partially_filled':
      return 'open';
    case 'filled':
      return 'closed';
    case 'canceled':
    case 'expired':
      return e.orderStatus;
  }
  return null;
}

/** Is `next` at least as far along as `prev` (never backwards)? */
function forward(prev: OrderReport, next: OrderReport): boolean {
  if (TERMINAL.has(prev.state) && !TERMINAL.has(next.state)) return false;
  return next.volumeExecuted + VOL_EPS >= prev.volumeExecuted;
}

export class StreamOrders {
  private readonly entries = new Map<string, Entry>();
  /** Executions of other orders on the account, ignored (for tests and logs). */
  ignored = 0;

  constructor(
    private readonly isOurs: (e: StreamExecution) => boolean,
    private readonly clientIdOf: (clOrdId: string | null) => string | null,
    private readonly userrefOf: (e: StreamExecution) => number | null,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * Applies execution messages; returns the reports of our orders that executed or finished
   * (what should wake the trader), once per real change.
   */
  apply(execs: readonly StreamExecution[]): OrderReport[] {
    const woke: OrderReport[] = [];
    for (const e of execs) {
      if (!this.isOurs(e)) {
        this.ignored++;
        continue;
      }
      const before = this.entries.get(e.orderId);
      const prevVol = before?.report.volumeExecuted ?? 0;
      const prevState = before?.report.state;
      const entry = this.applyOne(e, before);
      if (!entry) continue;
      const r = entry.report;
      if (r.volumeExecuted > prevVol + VOL_EPS || (TERMINAL.has(r.state) && r.state !== prevState)) woke.push({ ...r });
    }
    this.prune();
    return woke;
  }

  private applyOne(e: StreamExecution, before: Entry | undefined): Entry | null {
    const state = stateOf(e);
    let entry = before;
    if (!entry) {
      if (e.side === null || e.limitPrice === null || e.orderQty === null || state === null) return null;
      entry = {
        report: {
          id: e.orderId,
          clientOrderId: this.clientIdOf(e.clOrdId),
          userref: this.userrefOf(e),
          side: e.side,
          price: e.limitPrice,
          volume: e.orderQty,
          volumeExecuted: 0,
          avgPrice: 0,
          fee: 0,
          state,
          openedAt: e.timestamp ?? 0,
        },
        trades: new Map(),
        baseVol: 0,
        baseFee: 0,
        complete: true,
      };
      this.entries.set(e.orderId, entry);
    }
    const r = entry.report;
    if (e.execType === 'amended' && !TERMINAL.has(r.state)) {
      if (e.limitPrice !== null) r.price = e.limitPrice;
      if (e.orderQty !== null) r.volume = e.orderQty;
    }
    if (e.execType === 'trade' && e.execId !== null && !entry.trades.has(e.execId) && e.lastQty !== null && e.tradeFee !== null) {
      entry.trades.set(e.execId, [e.lastQty, e.tradeFee]);
    }
    if (e.cumQty !== null && e.cumQty > r.volumeExecuted + VOL_EPS) {
      r.volumeExecuted = e.cumQty;
      if (e.avgPrice !== null && e.avgPrice > 0) r.avgPrice = e.avgPrice;
    }
    if (state !== null && !TERMINAL.has(r.state) && (TERMINAL.has(state) || r.state === 'pending')) {
      r.state = state;
      if (state === 'canceled' && e.reason !== null && /post\s*only/i.test(e.reason)) r.postOnlyRejected = true;
    }
    // A trade REST already counted and the stream delivers late makes the sum too large: incomplete, REST decides.
    let qty = entry.baseVol;
    let fee = entry.baseFee;
    for (const [q, f] of entry.trades.values()) {
      qty += q;
      fee += f;
    }
    r.fee = fee;
    entry.complete = Math.abs(qty - r.volumeExecuted) <= VOL_EPS * Math.max(1, r.volume);
    return entry;
  }

  /** An order we just placed (AddOrder answered): open, nothing executed, unless the stream already said more. */
  placed(report: OrderReport): void {
    if (this.entries.has(report.id)) return;
    this.entries.set(report.id, { report: { ...report }, trades: new Map(), baseVol: report.volumeExecuted, baseFee: report.fee, complete: true });
  }

  /** Forgets an order (after we cancelled or amended it): the next question about it goes to REST. */
  forget(id: string): void {
    this.entries.delete(id);
  }

  /** Merges REST reports (authoritative numbers, forward only); returns what to hand the trader. */
  merge(reports: readonly OrderReport[]): OrderReport[] {
    return reports.map((rest) => {
      const cur = this.entries.get(rest.id);
      if (cur && cur.complete && !forward(cur.report, rest)) return { ...cur.report };
      this.entries.set(rest.id, { report: { ...rest }, trades: new Map(), baseVol: rest.volumeExecuted, baseFee: rest.fee, complete: true });
      return { ...rest };
    });
  }

  /** Complete reports for the ids we know; the rest is `missing` (ask REST). */
  answer(ids: readonly string[]): { reports: OrderReport[]; missing: string[] } {
    const reports: OrderReport[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const e = this.entries.get(id);
      if (e && e.complete) reports.push({ ...e.report });
      else missing.push(id);
    }
    return { reports, missing };
  }

  /** Keeps memory bounded: finished orders go first. */
  private prune(): void {
    if (this.entries.size <= MAX_ENTRIES) return;
    for (const [id, e] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES * 0.8) break;
      if (TERMINAL.has(e.report.state)) this.entries.delete(id);
    }
  }
}
