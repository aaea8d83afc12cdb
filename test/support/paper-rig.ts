// A dry-run bot on a paper account behind the fuzz harness's (fault-free)
// exchange, with a scripted price and a ticker the test can distort: the rig
// of the core tests about prices and full disks.
import assert from 'node:assert/strict';
import { Bot } from '../../src/bot.js';
import type { TraderEvent } from '../../src/core/trading/events.js';
import type { Ticker } from '../../src/exchange/exchange.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, rng, ScriptedMarket, testConfig } from './core.js';
import { FaultyExchange, NO_FAULTS, World } from './fuzz-exchange.js';

const T0 = Date.parse('2026-05-04T10:00:00Z');

/** The paper account trades at the true price; the trader is shown `shown(true ticker)` when set. */
export async function paperRig(env: Record<string, string>, warmTicks = 3) {
  const clock = new FakeClock(T0);
  let price = 0.1;
  const config = testConfig(env);
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const exchange = new FaultyExchange(new World(paper, config.makerFeePct / 100), rng(1), NO_FAULTS);
  let shown: ((t: Ticker) => Ticker) | null = null;
  const real = exchange.getTicker.bind(exchange);
  exchange.getTicker = async () => {
    const t = await real();
    return shown ? shown(t) : t;
  };
  const events: TraderEvent[] = [];
  const bot = Bot.create({ config, exchange, now: clock.now, botId: 'abcdef0123456789abcd', services: { onEvent: (e) => void events.push(e) } });
  await bot.start();
  const r = {
    bot,
    paper,
    events,
    setPrice: (p: number) => (price = p),
    show: (f: ((t: Ticker) => Ticker) | null) => (shown = f),
    tick: async () => {
      clock.advance(30_000);
      return r.bot.tickOnce();
    },
    rebuilds: () => events.filter((e) => e.type === 'grid_built').length,
    /** The process restarts on the same LOG_DIR and account (what was saved is all the new bot knows). */
    restart: async () => {
      const next = Bot.create({ config, exchange, now: clock.now, botId: 'abcdef0123456789abcd', services: { onEvent: (e) => void events.push(e) } });
      r.bot = next;
      await next.start();
      return next;
    },
  };
  for (let i = 0; i < warmTicks; i++) assert.equal(await r.tick(), true);
  return r;
}

