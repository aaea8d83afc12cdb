// A paper exchange behind Kraken's per-pair trading counter (SPEC §5.1), for
// the rebuild tests: it charges AddOrder / AmendOrder / CancelOrder by the
// order's age, REJECTS a call that would push the counter past its maximum
// (as Kraken does: `EOrder:Rate limit exceeded`), logs every trading call,
// and can hold trading calls at a gate (a slow exchange).
import { ExchangeError, type AmendOrderRequest, type Exchange, type PlaceOrderRequest, type TradingBudget } from '../../src/exchange/exchange.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { TRADING_COUNTER, amendCost, cancelPenalty, type KrakenTier } from '../../src/exchange/kraken/rate-limiter.js';
import { Bot } from '../../src/bot.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';
import type { TraderEvent } from '../../src/core/trading/events.js';

export interface Call {
  op: 'add' | 'amend' | 'cancel';
  side?: string;
  price?: number;
  id?: string;
  cost: number;
}

export class CountedExchange {
  calls: Call[] = [];
  rejects = 0;
  /** Milliseconds trading calls waited in the (modelled) client limiter. */
  waitedMs = 0;
  amendSupported = true;
  private counter = 0;
  private at: number;
  private readonly opened = new Map<string, number>();
  gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  /** Trading calls that reached the gate and wait there. */
  waiting = 0;

  constructor(
    readonly paper: PaperExchange,
    readonly clock: FakeClock,
    readonly tier: KrakenTier | null,
  ) {
    this.at = clock.now();
  }

  close(): void {
    this.gate = new Promise((r) => (this.openGate = r));
  }
  open(): void {
    this.openGate?.();
    this.gate = null;
  }

  level(): number {
    if (!this.tier) return 0;
    const t = this.clock.now();
    this.counter = Math.max(0, this.counter - ((t - this.at) / 1000) * TRADING_COUNTER[this.tier].decayPerSecond);
    this.at = t;
    return this.counter;
  }

  /**
   * The client's limiter, then Kraken's check: a call that does not fit under the
   * headroom waits (the fake clock moves on, counted in `waitedMs`: the trader
   * should never make a rebuild step wait); over the maximum → rejected.
   */
  private charge(cost: number): void {
    if (!this.tier) return;
    const spec = TRADING_COUNTER[this.tier];
    const excess = this.level() + cost - Math.max(cost, spec.max - 1);
    if (excess > 1e-9) {
      const ms = Math.ceil((excess / spec.decayPerSecond) * 1000);
      this.waitedMs += ms;
      this.clock.advance(ms);
    }
    if (this.level() + cost > spec.max) {
      this.rejects++;
      throw new ExchangeError('rate_limit', 'EOrder:Rate limit exceeded');
    }
    this.counter += cost;
  }

  private async pass(): Promise<void> {
    while (this.gate) {
      this.waiting++;
      await this.gate;
      this.waiting--;
    }
  }

  age(id: string): number | null {
    const t = this.opened.get(id);
    return t === undefined ? null : this.clock.now() - t;
  }

  exchange(): Exchange {
    const p = this.paper;
    const ex: Exchange = {
      kind: 'paper',
      getTicker: () => p.getTicker(),
      getOhlc: (i, s) => p.getOhlc(i, s),
      getPairInfo: () => p.getPairInfo(),
      placeOrder: async (req: PlaceOrderRequest) => {
        await this.pass();
        this.charge(1);
        const r = await p.placeOrder(req);
        this.opened.set(r.id, this.clock.now());
        this.calls.push({ op: 'add', side: req.side, price: req.price, id: r.id, cost: 1 });
        return r;
      },
      cancelOrder: async (id: string) => {
        await this.pass();
        const cost = cancelPenalty(this.age(id));
        this.charge(cost);
        this.calls.push({ op: 'cancel', id, cost });
        await p.cancelOrder(id);
      },
      cancelAllOurs: () => p.cancelAllOurs(),
      queryOrders: (ids) => p.queryOrders(ids),
      listOpenOrders: () => p.listOpenOrders(),
      getBalances: () => p.getBalances(),
      findOrderByClientId: (c) => p.findOrderByClientId(c),
      amendOrder: async (req: AmendOrderRequest) => {
        await this.pass();
        if (!this.amendSupported) throw new ExchangeError('unsupported', 'EGeneral:Unknown method');
        const cost = amendCost(this.age(req.id));
        this.charge(cost);
        const r = await p.amendOrder(req);
        this.opened.set(req.id, this.clock.now());
        this.calls.push({ op: 'amend', side: req.side, price: req.price, id: req.id, cost });
        return r;
      },
    };
    if (this.tier) {
      const spec = TRADING_COUNTER[this.tier];
      ex.tradingBudget = (): TradingBudget => ({
        room: spec.max - 1 - this.level(),
        decayPerSecond: spec.decayPerSecond,
        addCost: 1,
        cancelCost: cancelPenalty,
        amendCost,
      });
    }
    return ex;
  }
}

export function rebuildRig(opts: { tier?: KrakenTier | null; env?: Record<string, string>; price?: number; patch?: (ex: Exchange) => void } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 12));
  let price = opts.price ?? 0.2;
  const config = testConfig({ STARTING_CAPITAL: '400', ...opts.env });
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const counted = new CountedExchange(paper, clock, opts.tier === undefined ? 'starter' : opts.tier);
  const events: TraderEvent[] = [];
  const exchange = counted.exchange();
  opts.patch?.(exchange);
  const bot = Bot.create({ config, exchange, now: clock.now, services: { onEvent: (e) => void events.push(e) } });
  return {
    clock,
    config,
    paper,
    counted,
    events,
    bot,
    setPrice: (p: number) => (price = p),
  };
}

/** Lets every promise that can settle without the gate settle (no real time passes). */
export async function flush(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}
