// The wall clock jumps 3 days ahead and comes back (issue 18 item 5): the
// daily journal never writes a date twice nor goes back in time, and the jump
// sends one daily summary, not one per day crossed plus one more on the way back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { rollDays, newState, type DailySummaryRow } from '../../src/core/grid-strategy.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

const T0 = Date.parse('2026-04-01T10:00:00Z');
const DAY = 86_400_000;

describe('day roll under wall-clock jumps', () => {
  it('+3 days and back: every date journaled once, in order; one summary for the jump', async () => {
    const clock = new FakeClock(T0);
    const market = new ScriptedMarket(() => 0.2, clock.now);
    const config = testConfig();
    const paper = new PaperExchange({ market, startingQuote: config.startingCapital, makerFeePct: config.makerFeePct, userref: config.krakenUserref, now: clock.now });
    const rows: DailySummaryRow[] = [];
    const summaries: string[] = [];
    const bot = Bot.create({
      config,
      exchange: paper,
      now: clock.now,
      botId: 'aabbccddeeff00112233',
      journal: { fill: () => {}, daily: (r) => rows.push(r) },
      services: {
        onEvent: (e) => {
          if (e.type === 'daily_summary') summaries.push(e.row.date);
        },
      },
    });
    await bot.start();
    const tick = async (at: number) => {
      clock.t = at;
      await bot.tickOnce();
    };
    await tick(T0 + 30_000);
    await tick(T0 + 3 * DAY); // the clock jumps three days ahead…
    await tick(T0 + 3 * DAY + 30_000);
    const afterJump = summaries.length;
    await tick(T0 + 60_000); // …and is set right again
    await tick(T0 + 90_000);
    assert.equal(summaries.length, afterJump, `stepping back sent ${summaries.slice(afterJump).join(', ')}`);
    assert.equal(afterJump, 1, `the jump sent summaries for ${summaries.join(', ')}`);
    // Real time goes on through the days the jump already closed, and one more.
    for (let t = T0 + 6 * 3600_000; t <= T0 + 4 * DAY + 3600_000; t += 6 * 3600_000) await tick(t);
    const dates = rows.map((r) => r.date);
    assert.deepEqual([...new Set(dates)], dates, `a date journaled twice: ${dates.join(', ')}`);
    assert.deepEqual([...dates].sort(), dates, `journal went back in time: ${dates.join(', ')}`);
    assert.deepEqual(dates, ['2026-04-01', '2026-04-02', '2026-04-03', '2026-04-04']);
    assert.equal(bot.state.day.key, '2026-04-05');
    await bot.shutdown('test over', 0);
  });

  it('rollDays never rolls a day backwards', () => {
    const cfg = testConfig();
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'ab', Date.parse('2026-01-08T10:00:00Z'));
    s.profit.today = 0.5;
    assert.deepEqual(rollDays(s, Date.parse('2026-01-05T10:00:00Z'), 0.1, 0), []);
    assert.equal(s.day.key, '2026-01-08');
    assert.equal(s.profit.today, 0.5, "today's counters survive a clock stepped back");
  });
});
