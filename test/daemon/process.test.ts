// The built daemon as an operator runs it: signals, exit codes, start-up errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startKrakenSim, type KrakenSim } from '../../src/tools/sim/kraken-sim.js';
import { tempDir } from '../support/core.js';
import { BOT_JS, liveDaemonEnv, startDaemon } from '../support/daemon.js';

describe('the daemon process', () => {
  let sim: KrakenSim;
  before(async () => {
    sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 } });
  });
  after(async () => {
    await sim.close();
  });

  it('dry run: SIGTERM cancels the paper orders, saves, and exits 0 within 5 s', async () => {
    const dir = tempDir();
    const d = startDaemon({ DRY_RUN: 'true', KRAKEN_API_URL: sim.url, LOG_DIR: dir, HEALTH_PORT: '0', POLL_INTERVAL_SECONDS: '1' });
    await d.waitFor(/grid built \(startup\)/);
    await d.waitFor(/\[bot\] price/, 10_000).catch(() => undefined);
    d.child.kill('SIGTERM');
    const { code, ms } = await d.exited;
    assert.equal(code, 0, d.output());
    assert.ok(ms < 5000, `exit took ${ms} ms`);
    assert.match(d.output(), /open orders cancelled/);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
    assert.equal(saved.state.orders.length, 0);
    assert.equal(saved.exchange.orders.filter((o: { state: string }) => o.state === 'open').length, 0);
  });

  it('live: kill -9, restart without duplicates, then SIGTERM cancels our orders and leaves a manual one alone', async () => {
    // The first run happens "10 minutes ago" (the simulator's clock lags, then
    // catches up): cancelling orders only seconds old costs Kraken 8 trading
    // points each, so a realistic restart has old orders to cancel.
    let simLagMs = 600_000;
    const sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 }, now: () => Date.now() - simLagMs });
    after(() => sim.close());
    const dir = tempDir();
    const manual = sim.placeOrderDirect({ side: 'buy', price: 0.05, volume: 100, userref: 42 });
    const env = liveDaemonEnv(sim, dir, { POLL_INTERVAL_SECONDS: '2' });
    const first = startDaemon(env);
    await first.waitFor(/grid built \(startup\)/);
    await first.waitFor(/\[bot\] price/);
    const placed = sim.openOrders().length - 1;
    assert.ok(placed >= 30, `only ${placed} orders placed`);
    first.child.kill('SIGKILL');
    await first.exited;
    simLagMs = 0;

    const second = startDaemon(env);
    await second.waitFor(/reconciled/);
    await second.waitFor(/\[bot\] price/);
    assert.equal(sim.openOrders().length - 1, placed, 'the restart adopted the grid instead of placing it again');
    assert.doesNotMatch(second.output(), /grid built/);
    second.child.kill('SIGTERM');
    const { code, ms } = await second.exited;
    assert.equal(code, 0, second.output());
    assert.ok(ms < 5000, `exit took ${ms} ms:\n${second.output()}`);
    assert.match(second.output(), /open orders cancelled/);
    assert.deepEqual(sim.openOrders().map((o) => o.txid), [manual]);
  });

  const bad: [string, string][] = [
    ['STARTING_CAPITAL', 'abc'],
    ['GRID_SPACING_PCT', '0.3'],
    ['STOP_FLOOR', '500'],
    ['KRAKEN_TIER', 'gold'],
    ['POLL_INTERVAL_SECONDS', '0'],
    ['DRY_RUN', 'maybe'],
    ['PORT', 'eighty'],
    ['LOG_LEVEL', 'chatty'],
    ['MAKER_FEE_PCT', 'x'],
    ['GRID_DRIFT_RESET_PCT', '-5'],
    ['TELEGRAM_CHAT_ID', 'not-a-number'],
    ['KRAKEN_API_URL', 'not a url'],
    ['AI_ADVISOR_INTERVAL', '5'],
  ];
  for (const [name, value] of bad) {
    it(`refuses to start with ${name}=${value}, naming the variable`, () => {
      const r = spawnSync(process.execPath, [BOT_JS], { env: { PATH: process.env.PATH ?? '', LOG_DIR: tempDir(), HEALTH_PORT: '0', [name]: value }, encoding: 'utf8', timeout: 10_000 });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, new RegExp(`Configuration error: ${name}:`));
    });
  }
});
