// The fuzz campaign's driver: one seed = one price path, one config variant
// and one stream of injected faults, crashes and operator actions, run through
// the real Bot and Trader with every invariant checked after every tick.
import fs from 'node:fs';
import { Bot } from '../../src/bot.js';
import type { Config } from '../../src/config.js';
import type { GridOrder } from '../../src/core/grid-strategy.js';
import { identityError } from '../../src/core/ledger.js';
import { configureLogger, parseLogLevel } from '../../src/util/log.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { StateStore } from '../../src/persistence/state-store.js';
import { FakeClock, meanRevertingPath, rng, ScriptedMarket, testConfig } from './core.js';
import { DEFAULT_RATES, FaultyExchange, World, type FaultRates, type TruthOrder, type WorldSnapshot } from './fuzz-exchange.js';

export interface FuzzOptions {
  seed: number;
  ticks: number;
  /** Multiplies every fault rate (default: drawn per seed in [0.5, 2]). */
  intensity?: number;
  rates?: FaultRates;
  /** Probability per tick of a crash (half between ticks, half inside an exchange call). */
  crashRate?: number;
  /** Probability per tick of something done behind the bot's back (expiry, partial execution). */
  behindRate?: number;
  /** Probability per tick of an operator action (pause, resume, spacing, ratio, reset). */
  controlRate?: number;
  /** Stop at the first violation (default) or collect up to this many. */
  maxViolations?: number;
  /** Keep LOG_DIR (default: removed). */
  keepDir?: boolean;
}

export interface FuzzResult {
  seed: number;
  ticks: number;
  violations: string[];
  stats: {
    faults: number;
    faultFreeTicks: number;
    failedTicks: number;
    crashes: number;
    restoredFromSnapshot: number;
    behind: number;
    controls: number;
    fills: number;
    roundTrips: number;
    counts: Record<string, number>;
    configVariant: string;
    logDir: string;
  };
}

const BOT_ID = 'f0220ddeadbeef012345';
const T0 = Date.parse('2026-05-04T18:00:00Z');
const EPS_VOL = 1e-8;

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Per-seed configuration variant (spacing, drift threshold, risk limits, capital, sweep period). */
function variant(r: () => number): Record<string, string> {
  return {
    GRID_SPACING_PCT: String(pick(r, [0.6, 0.8, 1, 1.5, 2.5])),
    GRID_DRIFT_RESET_PCT: String(pick(r, [1.5, 3, 5])),
    DAILY_LOSS_LIMIT: String(pick(r, [0.5, 1, 3, 10])),
    STOP_FLOOR: String(pick(r, [0, 100, 100, 110, 115])),
    STARTING_CAPITAL: String(pick(r, [120, 120, 300])),
    ACCUMULATION_SWEEP_DAYS: String(pick(r, [1, 7])),
    MONTHLY_RESERVE_USD: String(pick(r, [0, 5])),
  };
}

interface Incarnation {
  bot: Bot;
  exchange: FaultyExchange;
}

/** The bot's log lines go to a ring buffer; FUZZ_TRACE=1 prints the tail with a violation. */
const logTail: string[] = [];
/** Orders a rebuild could not cancel and kept (the trader says so in a warning). */
const keptAfterCancel = new Set<string>();
configureLogger({
  // WARNING at least: the harness reads the trader's "kept in the state" warnings.
  level: process.env.FUZZ_TRACE ? 'INFO' : parseLogLevel(process.env.TEST_LOG_LEVEL ?? '') === 'DEBUG' ? 'DEBUG' : 'WARNING',
  write: (line) => {
    const kept = / order (\S+) is still reported open after cancelling; kept/.exec(line);
    if (kept) keptAfterCancel.add(kept[1]);
    logTail.push(line);
    if (logTail.length > 60) logTail.shift();
  },
});

export async function runFuzzSeed(opts: FuzzOptions): Promise<FuzzResult> {
  const r = rng(opts.seed * 2654435761 + 12345);
  const intensity = opts.intensity ?? 0.5 + 1.5 * r();
  const rates = opts.rates ?? DEFAULT_RATES;
  const crashRate = opts.crashRate ?? 0.004;
  const behindRate = opts.behindRate ?? 0.03;
  const controlRate = opts.controlRate ?? 0.004;
  const maxViolations = opts.maxViolations ?? 1;
  const env = variant(r);
  // State is saved (fsync) on most ticks: keep LOG_DIR in memory when the machine has a tmpfs.
  const config: Config = testConfig(fs.existsSync('/dev/shm') ? { ...env, LOG_DIR: fs.mkdtempSync('/dev/shm/grid-fuzz-') } : env);
  const stepMs = pick(r, [30_000, 60_000, 120_000]);
  const p0 = pick(r, [0.08, 0.2, 0.5, 1.2]);
  const reversion = pick(r, [0, 0.002, 0.005, 0.01]);
  const vol = pick(r, [0.001, 0.002, 0.004]);
  const shifts = [];
  for (let k = 0; k < 3; k++) if (r() < 0.5) shifts.push({ at: Math.floor(r() * opts.ticks), factor: 0.85 + 0.3 * r() });
  shifts.sort((a, b) => a.at - b.at);
  const clock = new FakeClock(T0 + Math.floor(r() * 86400_000));
  const priceAt = meanRevertingPath({ seed: opts.seed, start: clock.t, steps: opts.ticks + 100, stepMs, p0, volPerStep: vol, reversion, shifts });
  const market = new ScriptedMarket(priceAt, clock.now);
  const feeRate = config.makerFeePct / 100;
  const paperOpts = { market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, takerFeePct: config.makerFeePct + 0.15, userref: config.krakenUserref, now: clock.now };
  let world = new World(new PaperExchange({ ...paperOpts, snapshot: null }), feeRate);

  const violations: string[] = [];
  keptAfterCancel.clear();
  const stats: FuzzResult['stats'] = {
    faults: 0,
    faultFreeTicks: 0,
    failedTicks: 0,
    crashes: 0,
    restoredFromSnapshot: 0,
    behind: 0,
    controls: 0,
    fills: 0,
    roundTrips: 0,
    counts: {},
    configVariant: `${JSON.stringify(env)} step=${stepMs} p0=${p0} rev=${reversion} vol=${vol} intensity=${intensity.toFixed(2)}`,
    logDir: config.logDir,
  };
  let incarnations = 0;
  const violate = (msg: string) => {
    if (violations.length >= maxViolations) return;
    violations.push(process.env.FUZZ_TRACE ? `${msg}\n--- log tail ---\n${logTail.join('\n')}` : msg);
  };

  // Truth about every order the exchange ever had (the paper forgets old closed ones).
  let truthLog = new Map<string, TruthOrder>();
  // Exchange id -> client id as the bot recorded them (this world's lifetime).
  let idToClient = new Map<string, string>();
  // Ledger baselines after the first funding.
  let base: { inventory: number; cash: number } | null = null;
  let builtAt = 0;
  let splits = 0;

  function newIncarnation(): Incarnation {
    incarnations++;
    const exchange = new FaultyExchange(world, rng(opts.seed * 7919 + incarnations * 104729), rates, intensity);
    const bot = Bot.create({ config, exchange, now: clock.now, botId: BOT_ID });
    // The paper account is saved next to the bot's state, as Bot.persist does for a PaperExchange.
    const store = bot.store;
    const save = store.save.bind(store);
    store.save = (state, _exchange) => save(state, exchange.world.snapshot());
    return { bot, exchange };
  }

  /** Bot.start without its real-time back-off: faults on the first attempts, then a clean one. */
  async function start(inc: Incarnation): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      inc.exchange.enabled = attempt <= 3;
      try {
        await inc.bot.trader.exclusive(() => inc.bot.trader.start());
        break;
      } catch (err) {
        if (attempt >= 5) {
          violate(`start-up failed without faults: ${String(err)}`);
          break;
        }
      }
    }
    inc.exchange.enabled = true;
    inc.bot.persist(true);
  }

  async function restart(label: string): Promise<Incarnation> {
    stats.crashes++;
    stats.faults += cur.exchange.faults;
    mergeCounts(stats.counts, cur.exchange.counts);
    if (r() < 0.5) {
      // Dry-run semantics: the paper account is restored from the snapshot saved with the state.
      const saved = new StateStore(config.logDir).load().saved;
      const snap = (saved?.exchange ?? null) as WorldSnapshot | null;
      world = new World(new PaperExchange({ ...paperOpts, snapshot: snap }), feeRate, snap?.fuzz);
      stats.restoredFromSnapshot++;
      const restored = new Map<string, TruthOrder>();
      const nextId = snap?.nextId ?? 1;
      for (const [id, t] of truthLog) if (Number(id.replace(/\D/g, '')) < nextId) restored.set(id, t);
      truthLog = restored;
      idToClient = new Map();
    }
    // Otherwise live semantics: the exchange lives on, only the bot process died.
    const inc = newIncarnation();
    const before = ordersById(inc.bot.state.orders);
    const n = inc.bot.state.fills.length;
    await start(inc);
    check(inc, `after restart (${label})`, false, before, n);
    return inc;
  }

  function check(inc: Incarnation, where: string, faultFree: boolean, before: Map<string, GridOrder>, nFillsBefore: number): void {
    const s = inc.bot.state;
    const price = s.lastPrice;
    const bad = (m: string) => violate(`seed ${opts.seed} ${where}: ${m}`);
    if (s.funded && price > 0) {
      const e = identityError(s.ledger, price);
      if (!(e <= 1e-9)) bad(`ledger identity error ${e}`);
    }
    // No garbage number from the exchange reaches the books (issue 18).
    for (const [k, v] of Object.entries(s.ledger)) if (!Number.isFinite(v)) bad(`ledger.${k} is ${String(v)}`);
    if (s.risk.stopReason?.startsWith('ledger check failed')) bad(`trading stopped on broken books: ${s.risk.stopReason}`);
    if (!(Number.isFinite(s.lastPrice) && s.lastPrice >= 0)) bad(`last price ${String(s.lastPrice)}`);
    for (const p of s.priceHistory) if (!(Number.isFinite(p.price) && p.price > 0 && p.price < 1e6)) bad(`price ${String(p.price)} recorded in the history`);
    for (const f of s.fills.slice(nFillsBefore)) {
      if (!(Number.isFinite(f.price) && f.price > 0 && Number.isFinite(f.volume) && f.volume > 0 && Number.isFinite(f.fee) && f.fee >= 0)) bad(`fill ${f.orderId} with price ${f.price}, volume ${f.volume}, fee ${f.fee}`);
      if (f.profit !== null && !Number.isFinite(f.profit)) bad(`fill ${f.orderId} with profit ${f.profit}`);
    }
    for (const o of s.orders) {
      if (!(Number.isFinite(o.price) && o.price > 0 && Number.isFinite(o.volume) && o.volume > 0)) bad(`order ${o.clientOrderId} with price ${o.price}, volume ${o.volume}`);
      if (!(Number.isFinite(o.bookedCost) && Number.isFinite(o.bookedFee) && Number.isFinite(o.bookedVolume))) bad(`order ${o.clientOrderId} with booked ${o.bookedVolume}/${o.bookedCost}/${o.bookedFee}`);
    }
    if (s.ledger.cash < -1e-6) bad(`cash negative: ${s.ledger.cash}`);
    if (s.ledger.inventory < -1e-6) bad(`inventory negative: ${s.ledger.inventory}`);
    if (!(s.trend.ratio >= 0.25 && s.trend.ratio <= 0.75)) bad(`ratio ${s.trend.ratio}`);
    // A rebuild keeps what it could not cancel (so no fill is lost) and places a full ladder beside it.
    // An order partly executed and then expired splits in two (a counter for the executed part, the remainder
    // replaced at its level) until the next rebuild.
    if (s.gridBuiltAt !== builtAt) {
      builtAt = s.gridBuiltAt;
      splits = 0;
    }
    const kept = s.orders.filter((o) => o.id && keptAfterCancel.has(o.id)).length + splits;
    if (s.orders.length > 40 + kept) bad(`${s.orders.length} orders in the state (${kept} kept after failed cancels or split)`);

    const truth = world.truth();
    for (const t of truth) truthLog.set(t.id, t);
    const truthOpen = truth.filter((t) => !t.finished);
    if (truthOpen.length > 40 + kept) bad(`${truthOpen.length} open orders on the exchange (${kept} kept after failed cancels or split)`);
    const openClients = new Set<string>();
    for (const t of truthOpen) {
      if (openClients.has(t.clientOrderId)) bad(`two open orders on the exchange with client id ${t.clientOrderId}`);
      openClients.add(t.clientOrderId);
    }

    // Never double-place: one exchange order per client id, open or not (SPEC §4.7).
    const clientToId = new Map<string, string>();
    for (const t of truthLog.values()) {
      const other = clientToId.get(t.clientOrderId);
      if (other !== undefined && other !== t.id) bad(`client id ${t.clientOrderId} placed twice: ${other} and ${t.id}`);
      clientToId.set(t.clientOrderId, t.id);
    }

    const stateIds = new Set<string>();
    const stateClients = new Set<string>();
    for (const o of s.orders) {
      if (stateClients.has(o.clientOrderId)) bad(`client id ${o.clientOrderId} twice in the state`);
      stateClients.add(o.clientOrderId);
      if (!o.id) continue;
      if (stateIds.has(o.id)) bad(`order id ${o.id} twice in the state`);
      stateIds.add(o.id);
      const prev = idToClient.get(o.id);
      if (prev !== undefined && prev !== o.clientOrderId) bad(`exchange id ${o.id} recorded for client ids ${prev} and ${o.clientOrderId}`);
      idToClient.set(o.id, o.clientOrderId);
      const t = truthLog.get(o.id);
      if (!t) bad(`state order ${o.id} unknown to the exchange`);
      else if (t.clientOrderId !== o.clientOrderId) bad(`state order ${o.id} has client id ${o.clientOrderId}, the exchange says ${t.clientOrderId}`);
    }

    // Every execution booked exactly once.
    const booked = new Map<string, number>();
    for (const f of s.fills) booked.set(f.orderId, (booked.get(f.orderId) ?? 0) + f.volume);
    for (const o of s.orders) if (o.id && o.bookedVolume > 0) booked.set(o.id, (booked.get(o.id) ?? 0) + o.bookedVolume);
    for (const [id, b] of booked) {
      const t = truthLog.get(id);
      if (!t) bad(`booked ${b} for order ${id} the exchange never had`);
      else if (b > t.executed + EPS_VOL) bad(`order ${id} booked ${b} but executed ${t.executed} (double booking)`);
    }
    for (const t of truthLog.values()) {
      if (!t.finished || t.executed <= 0) continue;
      if (stateIds.has(t.id) || stateClients.has(t.clientOrderId) || world.revealing(t.id)) continue;
      const b = booked.get(t.id) ?? 0;
      if (Math.abs(b - t.executed) > EPS_VOL) bad(`order ${t.id} (${t.side}) executed ${t.executed} but the bot booked ${b} and no longer tracks it`);
    }

    // The ledger is the sum of what was booked.
    if (s.funded) {
      let inv = 0;
      let cash = 0;
      let fees = 0;
      const add = (side: 'buy' | 'sell', volume: number, cost: number, fee: number) => {
        inv += side === 'buy' ? volume : -volume;
        cash += side === 'buy' ? -cost - fee : cost - fee;
        fees += fee;
      };
      for (const f of s.fills) add(f.side, f.volume, f.price * f.volume, f.fee);
      for (const o of s.orders) add(o.side, o.bookedVolume, o.bookedCost, o.bookedFee);
      if (!base) base = { inventory: s.ledger.inventory - inv, cash: s.ledger.cash - cash };
      if (Math.abs(base.inventory + inv - s.ledger.inventory) > 1e-6) bad(`ledger inventory ${s.ledger.inventory} != funded + booked ${base.inventory + inv}`);
      if (Math.abs(base.cash + cash - s.ledger.cash) > 1e-6) bad(`ledger cash ${s.ledger.cash} != funded + booked ${base.cash + cash}`);
      if (Math.abs(fees - s.ledger.fees) > 1e-9) bad(`ledger fees ${s.ledger.fees} != booked fees ${fees}`);
    }

    // Round-trip profit formula for every new fill.
    for (const f of s.fills.slice(nFillsBefore)) {
      stats.fills++;
      if (f.profit === null) continue;
      stats.roundTrips++;
      // An order placed ambiguously is known by its client id until the tick finds it.
      const o = before.get(f.orderId) ?? before.get(truthLog.get(f.orderId)?.clientOrderId ?? '');
      if (!o?.answers) {
        bad(`round trip ${f.orderId} without the order it answers`);
        continue;
      }
      const a = o.answers;
      const sell = o.side === 'sell' ? f.price : a.price;
      const buy = o.side === 'buy' ? f.price : a.price;
      const expected = (sell - buy) * f.volume - f.fee - a.fee * Math.min(1, f.volume / a.volume);
      if (!(Math.abs(f.profit - expected) < 1e-12)) bad(`round trip ${f.orderId}: profit ${f.profit}, formula ${expected}`);
    }

    if (!faultFree) return;
    // After a tick without injected faults the bot and the exchange agree.
    for (const o of s.orders) {
      if (o.status === 'unknown') bad(`order ${o.clientOrderId} still of unknown status after a fault-free tick`);
      if (o.status !== 'open' || !o.id) continue;
      const t = truthLog.get(o.id);
      if (o.kind === 'accumulation') continue;
      if (t && t.finished && !world.revealing(o.id)) bad(`state order ${o.id} (${o.side} L${o.level}) is open in the state but ${t.executed > 0 ? 'filled' : 'gone'} on the exchange after a fault-free tick`);
    }
    for (const t of truthOpen) {
      if (!stateIds.has(t.id)) bad(`open order ${t.id} (${t.side}, client ${t.clientOrderId}) on the exchange is not tracked by the bot after a fault-free tick`);
    }
    if (s.risk.paused) {
      for (const t of truthOpen) if (t.side === 'buy') bad(`buy ${t.id} still working on the exchange while paused (${s.risk.pauseReason})`);
    }
    if (s.risk.stopped) {
      for (const t of truthOpen) bad(`order ${t.id} still working on the exchange while stopped`);
    }
  }

  let cur = newIncarnation();
  await start(cur);
  check(cur, 'after start', false, new Map(), 0);

  const controls: ((inc: Incarnation) => Promise<string>)[] = [
    (inc) => inc.bot.trader.pause('operator'),
    (inc) => inc.bot.trader.resume(),
    (inc) => inc.bot.trader.setSpacing(pick(r, [0.6, 1, 1.7, 3])),
    (inc) => inc.bot.trader.setRatioOverride(r() < 0.5 ? null : 0.25 + 0.5 * r()),
    (inc) => inc.bot.trader.resetGrid('operator'),
  ];

  const settleFrom = opts.ticks;
  const total = opts.ticks + 12;
  for (let i = 0; i < total && violations.length < maxViolations; i++) {
    const settling = i >= settleFrom;
    clock.advance(stepMs);
    cur.exchange.enabled = !settling;

    if (!settling && r() < behindRate) {
      const open = world.truth().filter((t) => !t.finished);
      if (open.length > 0) {
        const t = pick(r, open);
        stats.behind++;
        const what = r();
        if (world.partials.has(t.id) && what < 0.4) splits++;
        if (what < 0.4) world.expire(t.id, r() < 0.5);
        else if (world.partialFill(t.id, 0.1 + 0.8 * r()) && what > 0.7) {
          world.expire(t.id, r() < 0.5);
          splits++;
        }
      }
    }
    if (!settling && r() < controlRate) {
      stats.controls++;
      const n = cur.bot.state.fills.length;
      const before = ordersById(cur.bot.state.orders);
      let crashed = false;
      try {
        crashed = (await Promise.race([pick(r, controls)(cur), cur.exchange.crashed])) === 'crash';
      } catch {
        // An exchange failure during a control action is reported to the operator; fine.
      }
      if (crashed) cur = await restart(`inside a control action before tick ${i}`);
      else check(cur, `tick ${i} after a control action`, false, before, n);
    }
    if (!settling && r() < crashRate / 2) cur = await restart(`between ticks, before tick ${i}`);
    if (!settling && r() < crashRate / 2) cur.exchange.armCrash(1 + Math.floor(r() * 60), r() < 0.5);

    const nFills = cur.bot.state.fills.length;
    const before = ordersById(cur.bot.state.orders);
    const faultsBefore = cur.exchange.faults;
    let outcome: boolean | 'crash';
    try {
      outcome = await Promise.race([cur.bot.tickOnce(), cur.exchange.crashed]);
    } catch (err) {
      violate(`seed ${opts.seed} tick ${i}: tickOnce threw ${String(err)}`);
      break;
    }
    if (outcome === 'crash') {
      cur = await restart(`inside tick ${i}`);
      continue;
    }
    if (!outcome) stats.failedTicks++;
    const faultFree = outcome && cur.exchange.faults === faultsBefore;
    if (faultFree) stats.faultFreeTicks++;
    check(cur, `tick ${i}${settling ? ' (settling)' : ''}`, faultFree, before, nFills);
  }
  if (violations.length === 0) {
    for (const id of world.reveals.keys()) if (world.revealing(id)) violate(`seed ${opts.seed}: fill of ${id} still not reported after settling`);
  }
  stats.faults += cur.exchange.faults;
  mergeCounts(stats.counts, cur.exchange.counts);
  if (!opts.keepDir) fs.rmSync(config.logDir, { recursive: true, force: true });
  return { seed: opts.seed, ticks: opts.ticks, violations, stats };
}

/** The orders as they were, by exchange id and by client id (a fill's orderId is one of them). */
function ordersById(orders: readonly GridOrder[]): Map<string, GridOrder> {
  const m = new Map<string, GridOrder>();
  for (const o of orders) {
    const c = structuredClone(o);
    if (o.id) m.set(o.id, c);
    m.set(o.clientOrderId, c);
  }
  return m;
}

function mergeCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
