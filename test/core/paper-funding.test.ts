// The first grid's ledger against the account it trades: with the funding the
// README asks for (about half of STARTING_CAPITAL in each asset, which is what
// the paper account starts with), the ledger used to move into DOGE only what
// the sells needed and keep the rest as cash, claiming more USD than the
// account held. Buys beyond the account's USD then went out and were refused
// ("EOrder:Insufficient funds": 17,379 refused orders in the volatile bench
// year, each a warning and, live, a point on Kraken's trading counter).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { backtestConfig, runBacktest } from '../../src/tools/backtest/engine.js';
import { syntheticCandles } from '../../src/tools/backtest/synthetic.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

describe('funding of the first grid', () => {
  it('the ledger never holds more USD or DOGE than the paper account', async () => {
    const clock = new FakeClock(Date.parse('2026-01-05T00:00:00Z'));
    const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    await bot.start();
    const account = await bot.exchange.getBalances();
    const l = bot.state.ledger;
    assert.ok(l.cash <= account.quote + 1e-9, `ledger cash ${l.cash} > account USD ${account.quote}`);
    assert.ok(l.inventory <= account.base + 1e-9, `ledger DOGE ${l.inventory} > account DOGE ${account.base}`);
    // Still STARTING_CAPITAL worth, all of it: the identity of SPEC §4.3 at the start.
    assert.ok(Math.abs(l.cash + l.inventory * 0.1 - l.startingCapital) < 1e-9);
  });

  it('a volatile fortnight places no order the paper account refuses', async () => {
    const series = syntheticCandles({ kind: 'ou', days: 14, seed: 1, dailyVolPct: 9, halfLifeDays: 3 });
    const refused: string[] = [];
    const run = await runBacktest(series, {
      config: backtestConfig({ spacingPct: 1, env: { STOP_FLOOR: '20', DAILY_LOSS_LIMIT: '100' } }),
      onEvent: (e) => void (e.type === 'warning' && /Insufficient funds/.test(e.message) && refused.push(e.message)),
    });
    assert.ok(run.summary.fills > 100, `only ${run.summary.fills} fills: not the volatile path this test is about`);
    assert.deepEqual(refused.slice(0, 3), [], `${refused.length} orders refused`);
  });
});
