// Guards added after review: controls wait for start-up; live mode never
// starts fresh over a state file it could not read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Bot, StateUnreadableError } from '../../src/bot.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

describe('guards', () => {
  it('a pause or resume before start-up is refused instead of half-running', async () => {
    const clock = new FakeClock(Date.now());
    const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    assert.match(await bot.trader.pause('telegram'), /still starting/);
    assert.match(await bot.trader.resume(), /still starting/);
    assert.match(await bot.trader.resetGrid('web'), /still starting/);
    assert.equal(bot.state.risk.paused, false);
    await bot.start();
    assert.match(await bot.trader.pause('telegram'), /paused/);
    assert.equal(bot.state.risk.paused, true);
  });

  it('live mode refuses to start fresh over an unreadable state; dry run starts fresh and keeps the bad file', () => {
    const dry = testConfig();
    fs.writeFileSync(path.join(dry.logDir, 'state.json'), '{"version":1,"sta');
    const bot = Bot.create({ config: dry });
    assert.equal(bot.state.orders.length, 0);
    assert.equal(fs.readdirSync(dry.logDir).filter((f) => f.startsWith('state.json.corrupt-')).length, 1);

    const live = { ...testConfig(), dryRun: false, krakenApiKey: 'key', krakenApiSecret: 'c2VjcmV0' };
    fs.writeFileSync(path.join(live.logDir, 'state.json'), 'not json at all');
    assert.throws(() => Bot.create({ config: live }), StateUnreadableError);
  });

  it('a rebuild that cannot fund its sells sends one warning, not one per level', async () => {
    const clock = new FakeClock(Date.now());
    let price = 0.1;
    const warnings: string[] = [];
    const bot = Bot.create({
      config: testConfig(),
      market: new ScriptedMarket(() => price, clock.now),
      now: clock.now,
      services: { onEvent: (e) => void (e.type === 'warning' && warnings.push(e.message)) },
    });
    await bot.start();
    // Enough for two sells only; the rest as if sold at cost, so the books stay consistent (the ledger check stops broken books).
    const l = bot.state.ledger;
    // (≈ 1.9 orders: the order size is $2.40 at $120 of capital, 24 DOGE at $0.10.)
    l.cash += (l.inventory - 46) * l.avgCost;
    l.inventory = 46;
    // The price moved a little: the reset has new levels (a reset at the same price keeps every order where it is).
    price = 0.1003;
    clock.advance(30_000);
    await bot.tickOnce();
    await bot.trader.resetGrid('test');
    await bot.trader.whenIdle();
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /^18 sells \(not enough DOGE\) skipped/);
    assert.equal(bot.state.orders.filter((o) => o.side === 'sell').length, 2);
  });
});
