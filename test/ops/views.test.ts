// What /health, /api/status and Telegram say when the bot cannot trade
// (issue 17 item 4, issue 18 item 5): 503 until the first start-up succeeds
// and while ticks keep failing or stop coming, one notice when trading stops
// working and one when it works again, and a monotonic clock for staleness.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { FILLS_TRIM_BATCH, MAX_FILLS_KEPT, recordFill } from '../../src/core/grid-strategy.js';
import { healthOf, metricsOf, statusOf } from '../../src/ops/views.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';

function rig() {
  const clock = new FakeClock(Date.UTC(2024, 2, 1, 12));
  let mono = 1_000_000;
  let down = true;
  const market = new ScriptedMarket(() => 0.1, clock.now);
  const real = market.getTicker.bind(market);
  market.getTicker = async () => {
    if (down) throw new Error('Kraken Ticker: network error: ECONNREFUSED');
    return real();
  };
  const notices: (string | null)[] = [];
  const sleeps: number[] = [];
  let duringSleep: (() => void) | null = null;
  const bot = Bot.create({
    config: testConfig(),
    market,
    now: clock.now,
    monoNow: () => mono,
    services: { onTradingProblem: (_b, p) => void notices.push(p) },
    sleep: async (ms) => {
      sleeps.push(ms);
      duringSleep?.();
    },
  });
  return {
    bot,
    clock,
    notices,
    sleeps,
    setDown: (d: boolean) => (down = d),
    advanceMono: (ms: number) => (mono += ms),
    onSleep: (f: () => void) => (duringSleep = f),
  };
}

describe('health and the not-trading reason', () => {
  it('503 with the reason while start-up fails, one notice; 200 and a recovery notice once it works', async () => {
    const r = rig();
    const seen: { status: boolean; body: Record<string, unknown>; notTrading: string | null }[] = [];
    r.onSleep(() => {
      const h = healthOf(r.bot);
      seen.push({ status: h.healthy, body: h.body, notTrading: statusOf(r.bot).not_trading });
      if (seen.length === 2) r.setDown(false);
    });
    assert.equal(healthOf(r.bot).healthy, false, 'not healthy before the first start-up');
    await r.bot.start();
    assert.equal(seen.length, 2);
    for (const s of seen) {
      assert.equal(s.status, false);
      assert.equal(s.body.status, 'starting');
      assert.match(String(s.body.reason), /start-up failing: .*ECONNREFUSED/);
      assert.match(String(s.notTrading), /start-up failing/);
    }
    assert.equal(r.notices.length, 2, 'one notice for the failure (not one per attempt), one for the recovery');
    assert.match(String(r.notices[0]), /start-up failing/);
    assert.equal(r.notices[1], null);
    assert.equal(healthOf(r.bot).healthy, true);
    assert.equal(statusOf(r.bot).not_trading, null);
  });

  it('503 after three failed ticks in a row, with a notice; back to 200 with a notice after a good tick', async () => {
    const r = rig();
    r.setDown(false);
    await r.bot.start();
    r.setDown(true);
    for (let i = 1; i <= 3; i++) {
      r.clock.advance(30_000);
      r.advanceMono(30_000);
      await r.bot.tickOnce();
      assert.equal(healthOf(r.bot).healthy, i < 3, `after ${i} failed ticks`);
    }
    assert.match(String(healthOf(r.bot).body.reason), /the last 3 ticks failed: .*ECONNREFUSED/);
    assert.match(String(statusOf(r.bot).not_trading), /ticks failed/);
    assert.deepEqual(r.notices.length, 1);
    r.setDown(false);
    r.clock.advance(30_000);
    r.advanceMono(30_000);
    await r.bot.tickOnce();
    assert.equal(healthOf(r.bot).healthy, true);
    assert.deepEqual(r.notices.slice(1), [null]);
  });

  it('a stalled loop is unhealthy even when the wall clock was stepped back (monotonic age)', async () => {
    const r = rig();
    r.setDown(false);
    await r.bot.start();
    await r.bot.tickOnce();
    assert.equal(healthOf(r.bot).healthy, true);
    r.clock.t -= 10 * 60_000; // the wall clock goes back 10 minutes: the last tick now looks "in the future"
    r.advanceMono(5 * 60_000); // while 5 real minutes pass without a tick
    const h = healthOf(r.bot);
    assert.equal(h.healthy, false);
    assert.match(String(h.body.reason), /no tick for 300 s/);
  });
});

describe('a state that cannot be saved (issue 18 item 2)', () => {
  it('no new order is sent, /health is 503 with the reason and Telegram hears it once; all back to normal when the disk recovers', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const clock = new FakeClock(Date.UTC(2024, 2, 1, 12));
    let price = 0.1;
    const notices: (string | null)[] = [];
    const config = testConfig();
    const bot = Bot.create({ config, market: new ScriptedMarket(() => price, clock.now), now: clock.now, services: { onTradingProblem: (_b, p) => void notices.push(p) } });
    await bot.start();
    let placed = 0;
    const place = bot.exchange.placeOrder.bind(bot.exchange);
    bot.exchange.placeOrder = async (req) => {
      placed++;
      return place(req);
    };
    // The disk "fills up": state.json becomes a non-empty directory, so the atomic rename fails.
    const file = path.join(config.logDir, 'state.json');
    fs.rmSync(file);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'x'), 'x');
    price = 0.0985; // below the first buy: a fill, then a counter order to place
    for (let i = 0; i < 3; i++) {
      clock.advance(30_000);
      await bot.tickOnce();
    }
    assert.ok(bot.state.fills.length > 0, 'a buy filled meanwhile');
    assert.equal(placed, 0, 'no order was placed while the state could not be saved');
    const h = healthOf(bot);
    assert.equal(h.healthy, false);
    assert.match(String(h.body.reason), /cannot save the state/);
    assert.equal(notices.length, 1);
    fs.rmSync(file, { recursive: true });
    clock.advance(30_000);
    await bot.tickOnce();
    clock.advance(30_000);
    await bot.tickOnce();
    assert.equal(healthOf(bot).healthy, true, String(healthOf(bot).body.reason));
    assert.ok(placed > 0, 'the counter order goes out once the state is saved again');
    assert.deepEqual(notices.slice(1), [null]);
  });
});

describe('metrics', () => {
  it('dogegrid_fills_total counts every fill, never the kept list, which the trim shortens by a batch', () => {
    const clock = new FakeClock(Date.UTC(2024, 2, 1, 12));
    const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
    const n = MAX_FILLS_KEPT + FILLS_TRIM_BATCH + 1;
    for (let i = 0; i < n; i++) recordFill(bot.state, { time: clock.now() + i, side: 'buy', price: 0.1, volume: 10, fee: 0.001, level: -1, profit: null, orderId: `O${i}` });
    assert.equal(bot.state.fills.length, MAX_FILLS_KEPT, 'the kept list was just trimmed');
    assert.equal(metricsOf(bot).fillsTotal, n);
  });
});
