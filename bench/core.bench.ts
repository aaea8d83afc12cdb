// Trading-core benchmarks: CPU per tick with a full 40-order grid, and memory
// over 30 simulated days of 30 s ticks (no network: paper exchange, scripted prices).
import { Bot } from '../src/bot.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../test/support/core.js';
import type { BenchRow } from './run.js';

const STEP = 30_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU time of one tick (tick + save + journal), price moving inside the grid so all 40 orders stay open. */
export async function benchTick(): Promise<BenchRow[]> {
  const clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
  let i = 0;
  const market = new ScriptedMarket(() => 0.1 * (1 + 0.004 * Math.sin(i / 7)), clock.now);
  const bot = Bot.create({ config: testConfig(), market, now: clock.now, botId: 'b0b0b0b0b0b0b0b0b0b0' });
  await bot.start();
  const open = bot.state.orders.length;
  const samples: number[] = [];
  for (let round = 0; round < 20; round++) {
    const t0 = process.cpuUsage();
    for (let k = 0; k < 500; k++) {
      i++;
      clock.advance(STEP);
      await bot.tickOnce();
    }
    const d = process.cpuUsage(t0);
    samples.push((d.user + d.system) / 1000 / 500);
  }
  return [{ name: `CPU per tick (${open} open orders)`, value: median(samples), unit: 'ms', target: '≤ 1 ms' }];
}

/**
 * Memory over 30 simulated days, in a fresh child process so the other
 * benchmarks do not pollute it. Reports RSS (what the OS sees; V8 sizes its
 * young generation by allocation rate, and this simulation ticks flat out)
 * and the live heap after GC (what the bot actually keeps), at day 1 and day 30.
 */
export async function benchMemory(): Promise<BenchRow[]> {
  const { execFileSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const child = fileURLToPath(new URL('./memory-child.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--expose-gc', child], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const m = JSON.parse(out.trim().split('\n').pop() as string) as { rssDay1: number; rss: number; heapDay1: number; heap: number; fills: number; days: number };
  const mb = (x: number) => x / 2 ** 20;
  return [
    { name: `RSS after ${m.days} simulated days (${m.fills} fills)`, value: mb(m.rss), unit: 'MB', target: '≤ 50 MB' },
    { name: 'RSS growth, day 1 → day 30', value: mb(m.rss - m.rssDay1), unit: 'MB', target: '≈ 0' },
    { name: `live heap after GC, day ${m.days}`, value: mb(m.heap), unit: 'MB' },
    { name: 'live heap growth, day 1 → day 30', value: mb(m.heap - m.heapDay1), unit: 'MB', target: '≈ 0 (bounded lists)' },
  ];
}
