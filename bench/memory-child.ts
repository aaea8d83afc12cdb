// Child process of benchMemory: 30 simulated days of 30 s ticks, then one JSON line.
import { Bot } from '../src/bot.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../test/support/core.js';

const STEP = 30_000;
const DAYS = 30;

async function main(): Promise<void> {
  const steps = DAYS * 2880;
  const T0 = Date.parse('2026-06-01T00:00:00Z');
  const clock = new FakeClock(T0);
  const priceAt = meanRevertingPath({ seed: 3, start: T0, steps: steps + 10, stepMs: STEP, p0: 0.1, volPerStep: 0.0016, reversion: 0.004 });
  const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: 'c0c0c0c0c0c0c0c0c0c0' });
  await bot.start();
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  let rssDay1 = 0;
  let heapDay1 = 0;
  for (let k = 1; k <= steps; k++) {
    clock.advance(STEP);
    await bot.tickOnce();
    if (k === 2880) {
      gc();
      rssDay1 = process.memoryUsage().rss;
      heapDay1 = process.memoryUsage().heapUsed;
    }
  }
  gc();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ days: DAYS, fills: bot.state.fills.length, rssDay1, heapDay1, rss: m.rss, heap: m.heapUsed }) + '\n');
}

void main();
