// Prints what Telegram would show for /daily 7, /profit and /balance after a
// simulated week of dry-run trading (the 7-day path of
// test/daemon/simulation.test.ts), through the real command table, reports
// and paper account. Not a test (npm test does not run it):
//
//   npx tsc -p tsconfig.json && node dist/test/tools/week-reports.js
import { Bot } from '../../src/bot.js';
import { parseCommand, runCommand } from '../../src/frontends/telegram/commands.js';
import { createControls } from '../../src/ops/controls.js';
import { createReports } from '../../src/ops/reports.js';
import { statusOf } from '../../src/ops/views.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../support/core.js';
import { renderPlain, validateTelegramHtml } from '../support/telegram-double.js';

const STEP = 30_000;
const STEPS = 7 * 2880;
const T0 = Date.parse('2026-03-02T08:00:00Z');

async function main(): Promise<void> {
  const clock = new FakeClock(T0);
  const priceAt = meanRevertingPath({ seed: 7, start: T0, steps: STEPS + 10, stepMs: STEP, p0: 0.1, volPerStep: 0.0016, reversion: 0.004, shifts: [{ at: 3 * 2880, factor: 1.09 }] });
  const config = testConfig();
  const bot = Bot.create({ config, market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: 'a1b2c3d4e5f6a7b8c9d0' });
  await bot.start();
  for (let i = 0; i < STEPS; i++) {
    clock.advance(STEP);
    if (!(await bot.tickOnce())) throw new Error(`tick ${i} failed`);
  }
  const ctx = { controls: createControls(bot.trader), status: () => statusOf(bot), reports: createReports(bot), dayStartHourUtc: config.dailySummaryHourUtc };
  console.log(`after ${STEPS} ticks (${new Date(clock.now()).toISOString()}), LOG_DIR ${config.logDir}\n`);
  for (const text of ['/daily 7', '/profit', '/balance']) {
    const reply = await runCommand(parseCommand(text)!, ctx);
    const bad = validateTelegramHtml(reply);
    if (bad) throw new Error(`${text}: ${bad}`);
    console.log(`──── ${text} (${reply.length} characters of HTML)\n${renderPlain(reply, 'HTML')}\n`);
  }
}

await main();
