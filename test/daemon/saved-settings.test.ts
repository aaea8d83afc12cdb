// Saved state and environment must not disagree silently (issue 17 items 5
// and 9): a first start that never traded does not pin its capital, a stop
// floor above the saved capital is refused at start with a message naming
// it, and a restart that adopted orders is not announced as a fresh start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot, StateSettingsError } from '../../src/bot.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

const T0 = Date.UTC(2024, 2, 1);

describe('saved state versus the environment', () => {
  it('a first start that never reached the exchange does not pin STARTING_CAPITAL: a restart with more capital and a higher floor trades', async () => {
    const clock = new FakeClock(T0);
    const first = testConfig();
    const down = new ScriptedMarket(() => 0.1, clock.now);
    down.getTicker = async () => {
      throw new Error('network error: ENOTFOUND');
    };
    const bot1 = Bot.create({ config: first, market: down, now: clock.now });
    bot1.persist(true); // what the daemon saves while it retries its start-up
    const botId = bot1.state.botId;

    const second = { ...first, startingCapital: 300, stopFloor: 250 };
    const bot2 = Bot.create({ config: second, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    assert.equal(bot2.restored, false);
    assert.equal(bot2.state.ledger.startingCapital, 300);
    assert.equal(bot2.state.botId, botId, 'the deployment id (and so its client order ids) is kept');
    await bot2.start();
    await bot2.tickOnce();
    assert.equal(bot2.state.risk.stopped, false, String(bot2.state.risk.stopReason));
    assert.ok(bot2.state.orders.length > 0);
  });

  it('a state that traded keeps its capital, and a stop floor at or above it is refused, naming STOP_FLOOR', async () => {
    const clock = new FakeClock(T0);
    const config = testConfig();
    const bot1 = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    await bot1.start();
    bot1.persist(true);
    assert.throws(
      () => Bot.create({ config: { ...config, startingCapital: 300, stopFloor: 250 }, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now }),
      (err: unknown) => err instanceof StateSettingsError && err.variable === 'STOP_FLOOR' && /saved ledger's starting capital \$120/.test(err.message),
    );
    const ok = Bot.create({ config: { ...config, startingCapital: 300, stopFloor: 100 }, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    assert.equal(ok.state.ledger.startingCapital, 120);
    assert.equal(ok.restored, true);
  });

  it('a restart that adopts working orders says "restored", not "fresh start"', async () => {
    const clock = new FakeClock(T0);
    const config = testConfig();
    const bot1 = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    await bot1.start();
    bot1.persist(true);
    const notes: string[] = [];
    const { createServices } = await import('../../src/frontends/services.js');
    const bot2 = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    const services = await createServices(bot2);
    const notify = services.telegram.notify.bind(services.telegram);
    services.telegram.notify = (text: string) => {
      notes.push(text);
      notify(text);
    };
    bot2.use(services.hooks);
    await bot2.start();
    await services.stop();
    assert.equal(bot2.state.fills.length, 0);
    const startup = notes.find((n) => /started|starting/i.test(n)) ?? notes.join('\n');
    assert.match(startup, /restored state: 0 round trips, \d+ orders working/);
    assert.doesNotMatch(startup, /fresh start/);
  });
});
