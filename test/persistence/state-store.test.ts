// state.json as it may really be found: written by a healthy run, or broken by
// hand edits, old versions and bad disks. A broken one must end in the
// documented state error, never a TypeError in the loop or a bot with no grid.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Bot, StateUnreadableError } from '../../src/bot.js';
import { StateStore } from '../../src/persistence/state-store.js';
import { stateProblems } from '../../src/persistence/state-shape.js';
import { FakeClock, ScriptedMarket, tempDir, testConfig } from '../support/core.js';

/** A state as a real dry run saves it (a grid built, orders working). */
async function healthyState(): Promise<Record<string, unknown>> {
  const clock = new FakeClock(Date.UTC(2024, 2, 1));
  const config = testConfig();
  const bot = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
  await bot.start();
  bot.persist(true);
  return JSON.parse(fs.readFileSync(path.join(config.logDir, 'state.json'), 'utf8')) as Record<string, unknown>;
}

const BROKEN: [string, (s: Record<string, any>) => void, RegExp][] = [
  ['no settings', (s) => delete s.state.settings, /settings/],
  ['no risk', (s) => delete s.state.risk, /risk/],
  ['a null order', (s) => (s.state.orders = [null]), /orders\[0\]/],
  ['spacing "abc"', (s) => (s.state.settings.spacingPct = 'abc'), /settings\.spacingPct/],
  ['spacing 0', (s) => (s.state.settings.spacingPct = 0), /settings\.spacingPct/],
  ['cash null (a NaN once saved)', (s) => (s.state.ledger.cash = null), /ledger\.cash/],
  ['orders not a list', (s) => (s.state.orders = {}), /orders/],
  ['an order with a negative price', (s) => (s.state.orders[0].price = -1), /orders\[0\]\.price/],
  ['a ratio override out of bounds', (s) => (s.state.settings.ratioOverride = 3), /ratioOverride/],
];

describe('state.json shapes', () => {
  it('a state a healthy run saved has no problems', async () => {
    const saved = await healthyState();
    assert.deepEqual(stateProblems(saved.state), []);
  });

  for (const [name, breakIt, field] of BROKEN) {
    it(`${name}: kept aside with a reason naming the field; dry run starts fresh, live refuses`, async () => {
      const saved = await healthyState();
      breakIt(saved);
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(saved));
      const loaded = new StateStore(dir, () => 1).load();
      assert.equal(loaded.saved, null);
      assert.equal(loaded.unreadable, true);
      assert.match(loaded.notes.join('\n'), field);
      assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('state.json.corrupt-')), 'the bad file is kept for the operator');

      const dry = testConfig();
      fs.writeFileSync(path.join(dry.logDir, 'state.json'), JSON.stringify(saved));
      const bot = Bot.create({ config: dry, market: new ScriptedMarket(() => 0.1, () => Date.UTC(2024, 2, 1)) });
      assert.equal(bot.state.orders.length, 0, 'a fresh paper state');

      const live = { ...testConfig(), dryRun: false, krakenApiKey: 'key', krakenApiSecret: 'c2VjcmV0' };
      fs.writeFileSync(path.join(live.logDir, 'state.json'), JSON.stringify(saved));
      assert.throws(() => Bot.create({ config: live }), StateUnreadableError);
    });
  }
});

describe('a state of the other mode (issue 17 item 6)', () => {
  it('says to use a fresh LOG_DIR (moving state.json away only restores its backup), and logs a restore once', async () => {
    const { configureLogger } = await import('../../src/util/log.js');
    const clock = new FakeClock(Date.UTC(2024, 2, 1));
    const config = testConfig();
    const bot = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    await bot.start();
    bot.persist(true);
    bot.persist(true); // a second save leaves state.json.bak behind
    const live = { ...config, dryRun: false, krakenApiKey: 'key', krakenApiSecret: 'c2VjcmV0' };
    assert.throws(
      () => Bot.create({ config: live }),
      (err: Error) => /fresh directory/.test(err.message) && !/or move state\.json away/.test(err.message),
    );
    // The operator moves state.json away: the backup comes back (and says so once), and the refusal stays.
    fs.renameSync(path.join(config.logDir, 'state.json'), path.join(config.logDir, 'moved.json'));
    const lines: string[] = [];
    configureLogger({ write: (l) => lines.push(l), level: 'INFO' });
    try {
      assert.throws(() => Bot.create({ config: live }), /fresh directory/);
    } finally {
      configureLogger({ write: (l) => process.stdout.write(l + '\n'), level: 'ERROR' });
    }
    assert.equal(lines.filter((l) => /restored the previous state/.test(l)).length, 1, lines.join('\n'));
  });
});
