// Every way the process is told or forced to stop takes the orderly path:
// SIGTERM, SIGINT, SIGHUP, a second signal while stopping, an uncaught
// exception, and a log reader that goes away (EPIPE on stdout).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Bot, installProcessHandlers } from '../../src/bot.js';
import { startKrakenSim, type KrakenSim } from '../../src/tools/sim/kraken-sim.js';
import { FakeClock, ScriptedMarket, tempDir, testConfig } from '../support/core.js';
import { startDaemon } from '../support/daemon.js';

async function tradingBot(): Promise<Bot> {
  const clock = new FakeClock(Date.UTC(2024, 2, 1));
  const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
  await bot.start();
  assert.ok(bot.state.orders.length > 0);
  return bot;
}

describe('process handlers (in-process)', () => {
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    it(`${sig} stops in order: orders cancelled, exit code 0`, async () => {
      const bot = await tradingBot();
      const proc = new EventEmitter();
      installProcessHandlers(bot, proc);
      proc.emit(sig);
      assert.equal(await bot.finished, 0);
      assert.equal(bot.state.orders.length, 0);
    });
  }

  it('a second signal while stopping is logged and does not cut the shutdown short', async () => {
    const bot = await tradingBot();
    const proc = new EventEmitter();
    installProcessHandlers(bot, proc);
    proc.emit('SIGTERM');
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    assert.equal(await bot.finished, 0);
    assert.equal(bot.state.orders.length, 0);
  });

  it('an uncaught exception or rejection cancels the orders, then exits 1', async () => {
    for (const event of ['uncaughtException', 'unhandledRejection']) {
      const bot = await tradingBot();
      const proc = new EventEmitter();
      installProcessHandlers(bot, proc);
      proc.emit(event, new Error('boom'));
      assert.equal(await bot.finished, 1);
      assert.equal(bot.state.orders.length, 0);
    }
  });
});

describe('the built daemon and its signals', () => {
  let sim: KrakenSim;
  before(async () => {
    sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 } });
  });
  after(async () => {
    await sim.close();
  });

  const env = (dir: string) => ({ DRY_RUN: 'true', KRAKEN_API_URL: sim.url, LOG_DIR: dir, HEALTH_PORT: '0', POLL_INTERVAL_SECONDS: '1' });
  const savedOrders = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { state: { orders: unknown[] } }).state.orders.length;

  it('SIGHUP cancels and saves like SIGTERM (it used to kill the bot outright)', async () => {
    const dir = tempDir();
    const d = startDaemon(env(dir));
    await d.waitFor(/grid built \(startup\)/);
    d.child.kill('SIGHUP');
    const { code, signal } = await d.exited;
    assert.equal(signal, null, d.output());
    assert.equal(code, 0, d.output());
    assert.match(d.output(), /open orders cancelled/);
    assert.equal(savedOrders(dir), 0);
  });

  it('a double SIGTERM still ends with the orders cancelled and exit 0', async () => {
    const dir = tempDir();
    const d = startDaemon(env(dir));
    await d.waitFor(/grid built \(startup\)/);
    d.child.kill('SIGTERM');
    d.child.kill('SIGTERM');
    const { code, signal } = await d.exited;
    assert.equal(signal, null, d.output());
    assert.equal(code, 0, d.output());
    assert.equal(savedOrders(dir), 0);
  });

  it('a log reader that goes away (EPIPE) does not kill the bot: SIGTERM afterwards still cancels and exits 0', async () => {
    const dir = tempDir();
    const d = startDaemon(env(dir));
    await d.waitFor(/grid built \(startup\)/);
    d.child.stdout!.destroy(); // the pipe's reader is gone; the next log line gets EPIPE
    d.child.kill('SIGTERM'); // shutdown logs several lines into the broken pipe
    const { code, signal } = await d.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, d.output());
    assert.equal(savedOrders(dir), 0);
  });
});

describe('log lines', () => {
  it('control and bidi-override characters are escaped, one event stays one line', async () => {
    const { configureLogger, logger } = await import('../../src/util/log.js');
    const lines: string[] = [];
    configureLogger({ write: (l) => lines.push(l), level: 'INFO', format: 'text' });
    try {
      logger('ai-advisor').info('REASON: safe\u202Egnp.exe\nERROR [bot] forged line\u0007');
      configureLogger({ format: 'json' });
      logger('ai-advisor').info('x\u202Ey');
    } finally {
      configureLogger({ write: (l) => process.stdout.write(l + '\n'), level: 'ERROR', format: 'text' });
    }
    assert.equal(lines.length, 2);
    assert.ok(!/[\u202E\n\u0007]/.test(lines[0]), lines[0]);
    assert.match(lines[0], /\\u202e/);
    assert.equal((JSON.parse(lines[1]) as { msg: string }).msg, 'x\u202Ey', 'JSON stays valid and decodes to the original');
    assert.ok(!lines[1].includes('\u202E'));
  });
});
