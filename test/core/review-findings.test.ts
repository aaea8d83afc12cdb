// Findings of a review of the money paths (full disk, price confirmation):
// each test failed before its fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import type { TraderEvent } from '../../src/core/trader.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, rng, ScriptedMarket, testConfig } from '../support/core.js';
import { FaultyExchange, NO_FAULTS, World } from '../support/fuzz-exchange.js';

const T0 = Date.parse('2026-05-04T10:00:00Z');

async function rig(env: Record<string, string>) {
  const clock = new FakeClock(T0);
  let price = 0.1;
  const config = testConfig(env);
  const market = new ScriptedMarket(() => price, clock.now);
  const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
  const exchange = new FaultyExchange(new World(paper, config.makerFeePct / 100), rng(1), NO_FAULTS);
  const events: TraderEvent[] = [];
  const bot = Bot.create({ config, exchange, now: clock.now, botId: 'abcdef0123456789abcd', services: { onEvent: (e) => void events.push(e) } });
  await bot.start();
  const r = {
    bot, paper, events,
    setPrice: (p: number) => (price = p),
    tick: async () => { clock.advance(30_000); return bot.tickOnce(); },
  };
  for (let i = 0; i < 20; i++) assert.equal(await r.tick(), true);
  return r;
}

describe('review findings: full disk, confirmed jumps', () => {
  it('disk full: a confirmed stop-floor breach still cancels every order', async () => {
    const r = await rig({ STOP_FLOOR: '100', DAILY_LOSS_LIMIT: '50' });
    const before = (await r.paper.listOpenOrders()).length;
    assert.ok(before > 0);
    (r.bot.store as unknown as { save: () => void }).save = () => { throw new Error('ENOSPC: no space left on device'); };
    r.setPrice(0.04);
    await r.tick();
    await r.tick();
    await r.tick();
    assert.equal(r.bot.state.risk.stopped, true, 'stopped in memory');
    const open = (await r.paper.listOpenOrders()).length;
    assert.equal(open, 0, `stop should cancel every order even when the disk is full; ${open} of ${before} still open`);
  });

  it('disk full: shutdown still cancels every order', async () => {
    const r = await rig({});
    (r.bot.store as unknown as { save: () => void }).save = () => { throw new Error('ENOSPC'); };
    await r.bot.shutdown('test', 0);
    const open = (await r.paper.listOpenOrders()).length;
    assert.equal(open, 0, `${open} orders left open after shutdown with a full disk`);
  });

  it('a sustained real jump: once confirmed, every following tick is acted on', async () => {
    const r = await rig({ GRID_DRIFT_RESET_PCT: '90' });
    r.setPrice(0.16);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) { const h = r.bot.state.priceHistory; const n = h.length; const last = h[n - 1]?.time; await r.tick(); seen.push(r.bot.state.priceHistory[r.bot.state.priceHistory.length - 1].time !== last ? 1 : 0); }
    assert.deepEqual(seen.slice(1), Array(11).fill(1), `acted-on (1) / ignored (0) per tick after the jump: ${seen.join(', ')}`);
  });
});
