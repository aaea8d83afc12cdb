// The /suggest candle history survives a restart (LOG_DIR/candles.json): saved
// after the refreshes that change it (at most every 5 minutes), read back at
// start; a file that cannot be read is kept aside and the history starts empty.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import type { Candle } from '../../src/core/types.js';
import { createServices } from '../../src/frontends/services.js';
import type { SuggestRequest, SuggestResult } from '../../src/ops/suggestion.js';
import { CANDLES_FILE, CANDLES_SAVE_INTERVAL_MS, CandleFile } from '../../src/persistence/candle-file.js';
import { CandleHistory } from '../../src/stats/candle-history.js';
import { FakeClock, ScriptedMarket, tempDir, testConfig } from '../support/core.js';

const FIVE_MIN = 300_000;
const DAY = 86_400_000;

function candles(from: number, n: number): Candle[] {
  return Array.from({ length: n }, (_, i) => ({ time: from + i * FIVE_MIN, open: 0.1, high: 0.101, low: 0.099, close: 0.1 + (i % 7) * 1e-4, volume: 1000 + i }));
}

/** A market whose 5-minute OHLC answer is `ohlc` (Kraken's holds the last 720 candles). */
class OhlcMarket extends ScriptedMarket {
  constructor(
    now: () => number,
    private readonly ohlc: Candle[],
  ) {
    super(() => 0.1, now);
  }
  override async getOhlc(): Promise<Candle[]> {
    return this.ohlc;
  }
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

describe('candles.json', () => {
  it('a restart keeps the candles the bot collected: /suggest gets them, not only what one OHLC answer holds', async () => {
    const clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
    const config = testConfig();
    const collected = candles(clock.now() - 3 * DAY, 3 * 288);
    const run = async (market: ScriptedMarket) => {
      const asked: SuggestRequest[] = [];
      const runner = async (req: SuggestRequest): Promise<SuggestResult> => {
        asked.push(req);
        return { verdict: 'no_data', evidence: [], proposal: null, outOfSample: null };
      };
      const bot = Bot.create({ config, market, now: clock.now, botId: '0123456789abcdef0123' });
      const services = await createServices(bot, { suggestRunner: runner });
      bot.use(services.hooks);
      await services.startEarly();
      await bot.start();
      return { bot, services, asked };
    };
    const first = await run(new OhlcMarket(clock.now, collected));
    closers.push(async () => {
      await first.bot.shutdown('test');
      await first.services.stop();
    });
    const file = path.join(config.logDir, CANDLES_FILE);
    for (let i = 0; i < 50 && !fs.existsSync(file); i++) {
      clock.advance(30_000);
      await first.bot.tickOnce();
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(fs.existsSync(file), 'candles.json written after the OHLC refresh');
    await first.bot.shutdown('test');
    await first.services.stop();

    // After the restart, the exchange answers no candles at all: what /suggest sees came from the file.
    const second = await run(new OhlcMarket(clock.now, []));
    closers.push(async () => {
      await second.bot.shutdown('test');
      await second.services.stop();
    });
    assert.equal(second.services.suggester.start().started, true);
    await second.services.suggester.inFlight;
    assert.equal(second.asked[0]!.candles.length, collected.length);
    assert.deepEqual(second.asked[0]!.candles.at(-1), collected.at(-1));
  });

  it('saved at most every 5 minutes; a refresh with nothing usable writes nothing', () => {
    const dir = tempDir();
    const file = path.join(dir, CANDLES_FILE);
    const clock = new FakeClock(1_000_000_000_000);
    const saved = new CandleFile(file, 'XDGUSD', clock.now);
    const h = new CandleHistory(14 * DAY);
    h.onChange = (c) => saved.maybeSave(c);
    const onDisk = () => new CandleFile(file, 'XDGUSD', clock.now).load(14 * DAY).length;
    h.add(candles(clock.now() - 10 * FIVE_MIN, 10));
    assert.equal(onDisk(), 10);
    clock.advance(CANDLES_SAVE_INTERVAL_MS - 1);
    h.add(candles(clock.now() - 3 * FIVE_MIN, 3));
    assert.equal(onDisk(), 10, 'not yet');
    clock.advance(1);
    h.add([]);
    assert.equal(onDisk(), 10, 'an empty refresh changes nothing');
    h.add(candles(clock.now() - FIVE_MIN, 1));
    assert.equal(onDisk(), h.size);
  });

  it('an unreadable file is kept aside and the history starts empty; candles with bad numbers are dropped', () => {
    const dir = tempDir();
    const file = path.join(dir, CANDLES_FILE);
    const clock = new FakeClock(1_000_000_000_000);
    const load = () => new CandleFile(file, 'XDGUSD', clock.now).load(14 * DAY);
    fs.writeFileSync(file, '{"pair": "XDGUSD", "candles": [{"time": 1, "open": 0.1');
    assert.deepEqual(load(), []);
    assert.ok(fs.readdirSync(dir).some((f) => f.startsWith(`${CANDLES_FILE}.corrupt-`)), 'kept for the operator');
    const good = candles(clock.now() - 2 * FIVE_MIN, 2);
    fs.writeFileSync(file, JSON.stringify({ pair: 'XDGUSD', candles: [...good, { ...good[0], time: 'x' }, null, { ...good[1], close: Infinity }] }));
    assert.deepEqual(load(), good);
  });

  it('read back only for the same pair, and only the kept span before now: no stale or future candles', () => {
    const file = path.join(tempDir(), CANDLES_FILE);
    const clock = new FakeClock(Date.parse('2026-06-20T00:00:00Z'));
    const old = candles(clock.now() - 20 * DAY, 3);
    const recent = candles(clock.now() - DAY, 3);
    const future = candles(clock.now() + DAY, 3);
    fs.writeFileSync(file, JSON.stringify({ pair: 'XDGUSD', candles: [...old, ...recent, ...future] }));
    assert.deepEqual(new CandleFile(file, 'XDGUSD', clock.now).load(14 * DAY), recent);
    assert.deepEqual(new CandleFile(file, 'XDGEUR', clock.now).load(14 * DAY), [], 'another pair: not its candles');
  });
});
