// Issue 14 items 3–4 and issue 17 item 10: START_PRICE, TAKE_PROFIT_EQUITY,
// STOP_ACTION=sell (maker first, then a marketable limit after the timeout,
// partial fills booked through the ledger), PROFIT_MODE sizing, and an
// explicit ORDER_SIZE_USD / GRID_LEVELS that wins over the adaptive sizing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { FALLBACK_PAIR_INFO, type OrderReport, type PlaceOrderRequest, type PlacedOrder } from '../../src/exchange/exchange.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { newState, sizeGrid, type GridState } from '../../src/core/grid-strategy.js';
import { identityError } from '../../src/core/ledger.js';
import { strategyConfig } from '../../src/core/trader.js';
import { EXIT_MAKER_TIMEOUT_MS, EXIT_TAKER_THROUGH_BID_PCT } from '../../src/core/trading/exit.js';
import type { TraderEvent } from '../../src/core/trading/events.js';
import { buildStatusView } from '../../src/ops/status.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';
import { PassthroughExchange } from '../support/passthrough-exchange.js';

const T0 = Date.parse('2026-06-01T10:00:00Z');
const BOT_ID = 'a1b2c3d4e5f60718293a';

/** A paper exchange that, once armed, keeps post-only sells to itself and reports them partly filled (the rest never fills). */
class PartialMakerExchange extends PassthroughExchange {
  armed = false;
  share = 0.4;
  readonly placed: PlaceOrderRequest[] = [];
  private readonly held = new Map<string, OrderReport>();
  override async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    this.placed.push(req);
    if (this.armed && req.side === 'sell' && req.postOnly !== false) {
      const id = `HELD-${this.held.size + 1}`;
      const executed = Math.floor(req.volume * this.share * 1e8) / 1e8;
      this.held.set(id, {
        id,
        clientOrderId: req.clientOrderId,
        userref: 1,
        side: 'sell',
        price: req.price,
        volume: req.volume,
        volumeExecuted: executed,
        avgPrice: req.price,
        fee: executed * req.price * 0.0025,
        state: 'open',
        openedAt: 0,
      });
      return { id, clientOrderId: req.clientOrderId, price: req.price, volume: req.volume };
    }
    return this.inner.placeOrder(req);
  }
  override async cancelOrder(id: string): Promise<void> {
    const h = this.held.get(id);
    if (h) h.state = 'canceled';
    else await this.inner.cancelOrder(id);
  }
  override async queryOrders(ids: string[]): Promise<OrderReport[]> {
    const mine = ids.filter((i) => this.held.has(i)).map((i) => ({ ...this.held.get(i)! }));
    const rest = ids.filter((i) => !this.held.has(i));
    return [...mine, ...(rest.length ? await this.inner.queryOrders(rest) : [])];
  }
}

function rig(env: Record<string, string>, p0: number) {
  const clock = new FakeClock(T0);
  let price = p0;
  const market = new ScriptedMarket(() => price, clock.now);
  const config = testConfig(env);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const exchange = new PartialMakerExchange(paper);
  const events: TraderEvent[] = [];
  const bot = Bot.create({ config, exchange, now: clock.now, botId: BOT_ID, services: { onEvent: (e) => void events.push(e) } });
  const tick = async (p: number, ms = 30_000) => {
    price = p;
    clock.advance(ms);
    await bot.tickOnce();
  };
  return { clock, config, exchange, bot, events, tick };
}

function status(bot: Bot, config: ReturnType<typeof testConfig>) {
  return buildStatusView(bot.state, { config, now: T0, startedAt: T0, stats: null, lastTickAt: null, pendingApprovalAction: null });
}

describe('START_PRICE', () => {
  it('places nothing until the price crosses the start price between two ticks (from below), and says so', async () => {
    const r = rig({ START_PRICE: '0.1' }, 0.095);
    await r.bot.start();
    assert.equal(r.bot.state.orders.length, 0);
    assert.equal(r.bot.state.funded, false);
    assert.deepEqual(r.bot.state.startWait && { price: r.bot.state.startWait.price, side: r.bot.state.startWait.side }, { price: 0.1, side: 'below' });
    await r.tick(0.098);
    assert.equal(r.bot.state.orders.length, 0, 'still below: no orders');
    const v = status(r.bot, r.config);
    assert.equal(v.start_wait?.text, 'waiting for start price 0.1 (now 0.098)');
    assert.equal(v.config.start_price, 0.1);
    // The price never equals the start price: 0.098 → 0.103 crosses it between the ticks.
    await r.tick(0.103);
    assert.equal(r.bot.state.startWait, null);
    assert.ok(r.bot.state.orders.length > 0, 'the first grid is built');
    assert.equal(r.bot.state.center, 0.103);
    assert.ok(r.events.some((e) => e.type === 'start_price' && e.startPrice === 0.1 && e.price === 0.103));
    assert.equal(status(r.bot, r.config).start_wait, null);
  });

  it('from above: waits while the price stays above, builds once it is at or below', async () => {
    const r = rig({ START_PRICE: '0.1' }, 0.11);
    await r.bot.start();
    assert.equal(r.bot.state.startWait?.side, 'above');
    await r.tick(0.1001);
    assert.equal(r.bot.state.orders.length, 0);
    await r.tick(0.1);
    assert.ok(r.bot.state.orders.length > 0);
  });

  it('can be cleared at run time: the first grid is built at the next tick', async () => {
    const r = rig({ START_PRICE: '0.2' }, 0.1);
    await r.bot.start();
    assert.equal(r.bot.state.orders.length, 0);
    const msg = await r.bot.trader.setStartPrice(null);
    assert.match(msg, /building the first grid/);
    await r.tick(0.1);
    assert.ok(r.bot.state.orders.length > 0);
  });
});

describe('TAKE_PROFIT_EQUITY', () => {
  it('stops trading (orders cancelled, DOGE kept with STOP_ACTION=hold) when equity reaches it', async () => {
    const r = rig({ TAKE_PROFIT_EQUITY: '122' }, 0.1);
    await r.bot.start();
    const inv = r.bot.state.ledger.inventory;
    await r.tick(0.101);
    assert.equal(r.bot.state.risk.stopped, false, 'below the take-profit: trading goes on');
    await r.tick(0.106);
    assert.equal(r.bot.state.risk.stopped, true);
    assert.match(r.bot.state.risk.stopReason ?? '', /^take-profit: equity \$\d+\.\d\d reached TAKE_PROFIT_EQUITY \$122\.00/);
    assert.equal(r.bot.state.orders.length, 0);
    assert.ok(r.bot.state.ledger.inventory > 0 && r.bot.state.ledger.inventory <= inv);
    assert.equal(r.bot.state.exit ?? null, null, 'hold: nothing sold');
    assert.match(await r.bot.trader.resume(), /cannot resume: .* take-profit/);
  });
});

describe('STOP_ACTION=sell', () => {
  it('sells the grid DOGE after a stop: post-only at the ask, a partial fill booked, then the marketable limit after the timeout', async () => {
    const r = rig({ STOP_FLOOR: '117', DAILY_LOSS_LIMIT: '50', STOP_ACTION: 'sell' }, 0.1);
    await r.bot.start();
    r.exchange.armed = true;
    // A 7 % fall: the buys fill, equity drops below $117, the stop cancels the grid and the exit begins.
    await r.tick(0.093);
    const s = r.bot.state;
    assert.equal(s.risk.stopped, true);
    assert.ok(s.exit, 'an exit started');
    const target = s.exit!.target!;
    assert.ok(target > 0);
    assert.ok(Math.abs(target - s.ledger.inventory) < 1e-8, 'the whole grid inventory (none accumulated), as much as the account holds');
    const maker = r.exchange.placed.at(-1)!;
    assert.equal(maker.side, 'sell');
    assert.notEqual(maker.postOnly, false, 'maker first');
    assert.equal(maker.price, 0.0930001, 'one tick above the bid (the spread is closed)');
    assert.equal(maker.volume, Math.floor(target * 1e8 + 1e-9) / 1e8);
    assert.ok(r.events.some((e) => e.type === 'exit' && e.phase === 'started'));

    // The next tick books the part that executed (fee included) through the ledger.
    await r.tick(0.093);
    const part = Math.floor(target * 0.4 * 1e8) / 1e8;
    assert.ok(Math.abs(s.ledger.inventory - (target - part)) < 1e-9, 'the partial fill left the inventory');
    assert.ok(Math.abs(s.exit!.sold - part) < 1e-9);
    assert.ok(Math.abs(s.exit!.fees - part * 0.0930001 * 0.0025) < 1e-12);
    assert.equal(s.exit!.phase, 'maker');
    assert.ok(identityError(s.ledger, 0.093) < 1e-9);

    // Past the timeout: the maker order is cancelled and the rest goes out as a marketable limit.
    await r.tick(0.093, EXIT_MAKER_TIMEOUT_MS);
    const taker = r.exchange.placed.at(-1)!;
    assert.equal(taker.postOnly, false);
    assert.equal(EXIT_TAKER_THROUGH_BID_PCT, 0.5);
    assert.equal(taker.price, 0.092535, '0.5 % through the bid 0.093');
    assert.ok(Math.abs(taker.volume - (target - part)) < 1e-8);
    assert.equal(s.exit!.phase, 'taker');

    // The paper account fills it at once; the next tick books it and finishes the exit.
    await r.tick(0.093);
    await r.tick(0.093);
    assert.equal(s.exit!.phase, 'done');
    assert.ok(s.ledger.inventory < FALLBACK_PAIR_INFO.orderMin, 'only dust is left');
    const done = r.events.find((e) => e.type === 'exit' && e.phase === 'done');
    assert.ok(done && done.type === 'exit');
    assert.ok(Math.abs(done.volume - s.exit!.sold) < 1e-12);
    const takerVol = s.exit!.sold - part;
    const expectProceeds = part * 0.0930001 + takerVol * 0.093;
    assert.ok(Math.abs(done.proceeds - expectProceeds) < 1e-9, `proceeds ${done.proceeds} vs ${expectProceeds}`);
    assert.ok(Math.abs(done.fees - (part * 0.0930001 * 0.0025 + takerVol * 0.093 * 0.0025)) < 1e-9);
    assert.ok(identityError(s.ledger, 0.093) < 1e-9);
    assert.match(status(r.bot, r.config).exit?.text ?? '', /^sell-on-stop finished: sold/);
  });

  it('is never on by default: a stop keeps the DOGE', async () => {
    const r = rig({ STOP_FLOOR: '117', DAILY_LOSS_LIMIT: '50' }, 0.1);
    await r.bot.start();
    await r.tick(0.093);
    assert.equal(r.bot.state.risk.stopped, true);
    assert.equal(r.bot.state.exit ?? null, null);
    assert.ok(r.bot.state.ledger.inventory > 0);
  });
});

describe('PROFIT_MODE and the sizing', () => {
  const pair = FALLBACK_PAIR_INFO;
  const stateWith = (env: Record<string, string>, profit: number): { s: GridState; cfg: ReturnType<typeof strategyConfig> } => {
    const cfg = strategyConfig(loadConfig({ LOG_DIR: '/tmp', ...env }));
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, BOT_ID, T0);
    s.profit.total = profit;
    return { s, cfg };
  };

  it('compound grows the order size with the profit once the levels are capped; fixed keeps sizing on the starting capital', () => {
    for (const profit of [0, 30, 120]) {
      const compound = stateWith({ PROFIT_MODE: 'compound' }, profit);
      const fixed = stateWith({ PROFIT_MODE: 'fixed' }, profit);
      const c = sizeGrid(compound.s, compound.cfg, pair, 0.1);
      const f = sizeGrid(fixed.s, fixed.cfg, pair, 0.1);
      assert.equal(c.levelsPerSide, 20);
      assert.ok(Math.abs(c.orderSizeUsd - (0.6 * (120 + profit)) / 30) < 1e-12, `compound at +$${profit}`);
      assert.ok(Math.abs(f.orderSizeUsd - 2.4) < 1e-12, `fixed at +$${profit}`);
    }
    // accumulate (the default) sizes like today: starting capital + profit.
    const acc = stateWith({}, 30);
    assert.equal(sizeGrid(acc.s, acc.cfg, pair, 0.1).orderSizeUsd, sizeGrid(stateWith({ PROFIT_MODE: 'compound' }, 30).s, acc.cfg, pair, 0.1).orderSizeUsd);
  });

  it('an explicit ORDER_SIZE_USD / GRID_LEVELS wins over the adaptive sizing (it used to be overwritten at every build)', async () => {
    const r = rig({ ORDER_SIZE_USD: '4', GRID_LEVELS: '6' }, 0.1);
    await r.bot.start();
    const s = r.bot.state;
    assert.equal(s.orderSizeUsd, 4);
    assert.equal(s.levelsPerSide, 6);
    assert.equal(s.orders.length, 12);
    const buy1 = s.orders.find((o) => o.level === -1)!;
    assert.equal(buy1.volume, Math.round((4 / buy1.price) * 1e8) / 1e8);
    assert.equal(status(r.bot, r.config).config.order_size_set, 4);
  });

  it('ORDER_SIZE_USD alone sets the size, the levels follow from the capital; below the pair minimum it is raised with a warning', () => {
    const alone = stateWith({ ORDER_SIZE_USD: '3' }, 0);
    const a = sizeGrid(alone.s, alone.cfg, pair, 0.1);
    assert.equal(a.orderSizeUsd, 3);
    assert.equal(a.levelsPerSide, 16); // floor(72 / 4.5)
    assert.equal(a.source, 'ORDER_SIZE_USD');
    const tiny = stateWith({ ORDER_SIZE_USD: '0.6' }, 0);
    const t = sizeGrid(tiny.s, tiny.cfg, pair, 0.1);
    assert.ok(Math.abs(t.orderSizeUsd - 1.56) < 1e-12);
    assert.match(t.warning ?? '', /ORDER_SIZE_USD \$0\.6 is below the pair minimum/);
    const levels = stateWith({ GRID_LEVELS: '8' }, 0);
    const l = sizeGrid(levels.s, levels.cfg, pair, 0.1);
    assert.equal(l.levelsPerSide, 8);
    assert.ok(Math.abs(l.orderSizeUsd - 72 / 12) < 1e-12, 'the capital spread over the chosen levels');
  });
});

describe('configuration of the rules', () => {
  const bad: [Record<string, string>, string][] = [
    [{ START_PRICE: '-1' }, 'START_PRICE'],
    [{ START_PRICE: 'soon' }, 'START_PRICE'],
    [{ TAKE_PROFIT_EQUITY: '100' }, 'TAKE_PROFIT_EQUITY'],
    [{ STOP_ACTION: 'dump' }, 'STOP_ACTION'],
    [{ PROFIT_MODE: 'reinvest' }, 'PROFIT_MODE'],
    [{ ORDER_SIZE_USD: '30' }, 'ORDER_SIZE_USD'],
    [{ ORDER_SIZE_USD: '5', GRID_LEVELS: '20' }, 'GRID_LEVELS'],
    [{ GRID_LEVELS: '2' }, 'GRID_LEVELS'],
  ];
  for (const [env, variable] of bad) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(
        () => loadConfig({ LOG_DIR: '/tmp', ...env }),
        (e: unknown) => e instanceof ConfigError && e.variable === variable,
      );
    });
  }

  it('defaults: no start price, no take-profit, hold, accumulate (today), adaptive sizing', () => {
    const c = loadConfig({ LOG_DIR: '/tmp' });
    assert.equal(c.startPrice, null);
    assert.equal(c.takeProfitEquity, null);
    assert.equal(c.stopAction, 'hold');
    assert.equal(c.profitMode, 'accumulate');
    assert.equal(c.orderSizeExplicit, false);
    assert.equal(c.gridLevelsExplicit, false);
  });
});
