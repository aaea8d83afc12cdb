// Test support for live-mode tests: the real Bot (which builds its own
// KrakenClient and KrakenExchange from the config, exactly as the daemon
// does) trading against the in-process Kraken simulator, plus the checks the
// live tests share: the simulator's open orders equal the bot's view, every
// execution the simulator made for us is booked exactly once, the ledger
// identity holds.
//
// The clock. `Bot.create({now})` hands `now` to the KrakenClient but BotOptions
// has no `sleep`, so the client's rate limiter and backoff sleep with the real
// setTimeout while reading the injected clock. With a frozen fake clock a
// limiter wait would never end (it sleeps w real ms, reads the same fake time,
// computes the same w, sleeps again…). `FlowClock` therefore lets real time
// flow on top of the jumps a test makes, so a wait costs its real duration and
// ends. Tests that must not wait assert `limiterWaitMs === 0`.
import assert from 'node:assert/strict';
import { Bot, type BotServices } from '../../src/bot.js';
import type { Config } from '../../src/config.js';
import type { GridState } from '../../src/core/grid-strategy.js';
import type { KrakenClient } from '../../src/exchange/kraken/client.js';
import { KrakenExchange, userrefFromClientOrderId } from '../../src/exchange/kraken/kraken-exchange.js';
import { identityError } from '../../src/core/ledger.js';
import { startKrakenSim, type KrakenSim, type KrakenSimOptions, type SimOrder } from '../../src/tools/sim/kraken-sim.js';
import { testConfig } from './core.js';

export { FlowClock, T0 as LIVE_T0 } from './clock.js';
import { FlowClock } from './clock.js';

export interface LiveRigOptions {
  /** Extra environment for testConfig (DRY_RUN, KRAKEN_* are set by the rig). */
  env?: Record<string, string>;
  sim?: KrakenSimOptions;
  /** Start price of the simulator's manual price process. Default 0.1. */
  price?: number;
  botId?: string;
  services?: BotServices;
  /** Call bot.start() (default true). */
  start?: boolean;
}

export interface LiveRig {
  clock: FlowClock;
  sim: KrakenSim;
  config: Config;
  bot: Bot;
  /** The KrakenClient the bot built for itself. */
  client(): KrakenClient;
  /** Open orders in the simulator that carry our tag. */
  ours(): SimOrder[];
  /** Advance the clock (default one 30 s poll interval) and run one tick. */
  tick(ms?: number): Promise<boolean>;
  /** Drop the bot without shutdown (kill -9) and build a new one from LOG_DIR; does not start it. */
  crash(): Bot;
  close(): Promise<void>;
}

export async function liveRig(opts: LiveRigOptions = {}): Promise<LiveRig> {
  const clock = new FlowClock();
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'manual', price: opts.price ?? 0.1 }, ...opts.sim });
  const config = testConfig({
    DRY_RUN: 'false',
    KRAKEN_API_URL: sim.url,
    KRAKEN_API_KEY: sim.apiKey,
    KRAKEN_API_SECRET: sim.apiSecret,
    ...opts.env,
  });
  const make = () => Bot.create({ config, now: clock.now, botId: opts.botId ?? '0123456789abcdef0123', services: opts.services });
  const rig: LiveRig = {
    clock,
    sim,
    config,
    bot: make(),
    client: () => (rig.bot.exchange as KrakenExchange).client,
    ours: () => sim.openOrders().filter((o) => isOurs(o, config.krakenUserref)),
    async tick(ms = config.pollIntervalSeconds * 1000) {
      clock.advance(ms);
      return rig.bot.tickOnce();
    },
    crash() {
      rig.bot = make();
      return rig.bot;
    },
    close: () => sim.close(),
  };
  if (opts.start !== false) await rig.bot.start();
  return rig;
}

export function isOurs(o: SimOrder, userref: number): boolean {
  return userrefFromClientOrderId(o.clOrdId) === userref || o.userref === userref;
}

/** The bot's working orders equal our open orders in the simulator: same ids, nothing pending, no duplicate, none missing. */
export function assertInSync(rig: LiveRig, label = ''): void {
  checkInSync(rig.sim, rig.bot.state, rig.config.krakenUserref, label);
}

/** assertInSync for a state read from disk (the daemon's state.json). */
export function checkInSync(sim: KrakenSim, gridState: GridState, userref: number, label = ''): void {
  const state = gridState.orders;
  const ours = () => sim.openOrders().filter((o) => isOurs(o, userref));
  const notPlaced = state.filter((o) => o.status !== 'open' || !o.id);
  assert.deepEqual(
    notPlaced.map((o) => `${o.side} ${o.level} ${o.status}`),
    [],
    `${label}: every order in the state is placed`,
  );
  const botIds = state.map((o) => o.id as string).sort();
  const simIds = ours().map((o) => o.txid).sort();
  assert.equal(new Set(botIds).size, botIds.length, `${label}: no order twice in the state`);
  assert.deepEqual(botIds, simIds, `${label}: the simulator's open orders of ours equal the bot's view`);
  // No two working orders for the same client order id on the exchange.
  const cl = ours().map((o) => o.clOrdId);
  assert.equal(new Set(cl).size, cl.length, `${label}: no duplicate cl_ord_id among open orders`);
}

/**
 * Every execution the simulator made on one of our orders is booked exactly
 * once: finished orders have exactly one fill with the simulator's volume and
 * fee, open ones carry what executed so far in `bookedVolume`, and the ledger
 * holds the simulator's total fees.
 */
export function assertFillsBooked(rig: LiveRig, label = ''): { orders: number; volume: number; fees: number } {
  return checkFillsBooked(rig.sim, rig.bot.state, rig.config.krakenUserref, label);
}

/** assertFillsBooked for a state read from disk (the daemon's state.json). */
export function checkFillsBooked(sim: KrakenSim, s: GridState, userref: number, label = ''): { orders: number; volume: number; fees: number } {
  const byOrder = new Map<string, { volume: number; fee: number; cost: number }>();
  for (const t of sim.trades()) {
    const o = sim.order(t.ordertxid);
    if (!o || !isOurs(o, userref)) continue;
    const e = byOrder.get(t.ordertxid) ?? { volume: 0, fee: 0, cost: 0 };
    e.volume += t.volume;
    e.fee += t.fee;
    e.cost += t.cost;
    byOrder.set(t.ordertxid, e);
  }
  const fillsById = new Map<string, typeof s.fills>();
  for (const f of s.fills) fillsById.set(f.orderId, [...(fillsById.get(f.orderId) ?? []), f]);
  for (const [id, list] of fillsById) assert.equal(list.length, 1, `${label}: order ${id} booked ${list.length} times`);
  let volume = 0;
  let fees = 0;
  for (const [id, e] of byOrder) {
    const open = s.orders.find((o) => o.id === id);
    const fill = fillsById.get(id)?.[0];
    const simOrder = sim.order(id)!;
    if (simOrder.status === 'open') {
      assert.ok(open, `${label}: open order ${id} with executions is in the state`);
      assert.ok(Math.abs(open.bookedVolume - e.volume) < 1e-8, `${label}: ${id} booked ${open.bookedVolume}, executed ${e.volume}`);
      assert.ok(Math.abs(open.bookedFee - e.fee) < 1e-8, `${label}: ${id} fee booked ${open.bookedFee}, charged ${e.fee}`);
    } else {
      assert.ok(fill, `${label}: finished order ${id} (${simOrder.status}, ${e.volume} executed) has a fill`);
      assert.ok(Math.abs(fill.volume - e.volume) < 1e-8, `${label}: ${id} fill ${fill.volume}, executed ${e.volume}`);
      assert.ok(Math.abs(fill.fee - e.fee) < 1e-8, `${label}: ${id} fee ${fill.fee}, charged ${e.fee}`);
      assert.ok(Math.abs(fill.price - e.cost / e.volume) < 1e-7, `${label}: ${id} price ${fill.price}, executed at ${e.cost / e.volume}`);
    }
    volume += e.volume;
    fees += e.fee;
  }
  for (const f of s.fills) assert.ok(byOrder.has(f.orderId), `${label}: fill of ${f.orderId} has no execution in the simulator`);
  assert.ok(Math.abs(s.ledger.fees - fees) < 1e-8 * Math.max(1, byOrder.size), `${label}: ledger fees ${s.ledger.fees}, simulator charged ${fees}`);
  return { orders: byOrder.size, volume, fees };
}

export function assertIdentity(rig: LiveRig, label = ''): void {
  const s = rig.bot.state;
  const err = identityError(s.ledger, s.lastPrice);
  assert.ok(err <= 1e-9, `${label}: ledger identity error ${err}`);
}

/** Our open orders in the simulator, sorted by price, as "side price volume" strings (for messages). */
export function describeOurs(rig: LiveRig): string {
  return rig
    .ours()
    .sort((a, b) => a.price - b.price)
    .map((o) => `${o.side} ${o.price} ${o.volume}`)
    .join('\n');
}
