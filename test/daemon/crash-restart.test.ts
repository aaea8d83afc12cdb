// The same price path run once straight through and once "killed" mid-way
// (no shutdown handler: the process state is simply dropped) and restarted
// from disk must end with identical totals, fills and open orders.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Bot, StateModeError } from '../../src/bot.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../support/core.js';

const STEP = 30_000;
const STEPS = 2 * 2880;
const T0 = Date.parse('2026-04-01T22:00:00Z');
const BOT_ID = 'ffeeddccbbaa99887766';

function path0() {
  return meanRevertingPath({ seed: 11, start: T0, steps: STEPS + 10, stepMs: STEP, p0: 0.2, volPerStep: 0.0018, reversion: 0.003, shifts: [{ at: 2000, factor: 0.93 }] });
}

async function run(crashAt: number[]): Promise<Bot> {
  const clock = new FakeClock(T0);
  const priceAt = path0();
  const config = testConfig();
  const make = () => Bot.create({ config, market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: BOT_ID });
  let bot = make();
  await bot.start();
  for (let i = 0; i < STEPS; i++) {
    if (crashAt.includes(i)) {
      bot = make(); // the old process is gone without shutdown; only the disk remains
      await bot.start();
    }
    clock.advance(STEP);
    await bot.tickOnce();
  }
  return bot;
}

describe('crash and restart', () => {
  it('ends with identical totals, fills and open orders', async () => {
    const straight = await run([]);
    const crashed = await run([1000, 2001, 2002, 4321]);
    const a = straight.state;
    const b = crashed.state;
    assert.ok(a.fills.length > 20, `only ${a.fills.length} fills`);
    assert.deepEqual(b.profit, a.profit);
    assert.deepEqual(b.ledger, a.ledger);
    assert.deepEqual(b.fills, a.fills);
    const strip = (s: typeof a) => s.orders.map(({ placedAt: _p, ...o }) => o);
    assert.deepEqual(strip(b), strip(a));
    assert.deepEqual(await crashed.exchange.listOpenOrders(), await straight.exchange.listOpenOrders());
  });

  it('keeps a corrupt state file aside and restores the backup', async () => {
    const clock = new FakeClock(T0);
    const priceAt = path0();
    const config = testConfig();
    const make = () => Bot.create({ config, market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: BOT_ID });
    const bot = make();
    await bot.start();
    for (let i = 0; i < 300; i++) {
      clock.advance(STEP);
      await bot.tickOnce();
    }
    const file = path.join(config.logDir, 'state.json');
    fs.writeFileSync(file, '{"version":1,"state":'); // torn write
    const again = make();
    const kept = fs.readdirSync(config.logDir).filter((f) => f.startsWith('state.json.corrupt-'));
    assert.equal(kept.length, 1, 'the bad file is kept aside');
    assert.ok(again.state.center > 0, 'the backup was restored instead of starting fresh');
    assert.equal(again.state.botId, BOT_ID);
  });

  it('refuses to continue a dry-run history in live mode (and the reverse)', async () => {
    const clock = new FakeClock(T0);
    const config = testConfig();
    const bot = Bot.create({ config, market: new ScriptedMarket(() => 0.2, clock.now), now: clock.now, botId: BOT_ID });
    await bot.start();
    const live = { ...config, dryRun: false, krakenApiKey: 'k', krakenApiSecret: 'c2VjcmV0' };
    assert.throws(() => Bot.create({ config: live, now: clock.now }), StateModeError);
    assert.ok(fs.existsSync(path.join(config.logDir, 'state.json')), 'the dry-run history is left untouched');
  });
});
