// TradesHistory's range and paging as Kraken documents them
// (https://docs.kraken.com/api/docs/rest-api/get-trade-history): `start`
// exclusive, `end` inclusive, each a unix timestamp or a trade id; `ofs`
// pages 50 at a time; `count` is the size of the whole range. The simulator
// used to ignore all three and always answer the newest 50 trades (found by
// pointing ccxt at it: its fetchMyTrades(since) sends `start`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { SharedClock } from '../../support/kraken.js';
import { RawKraken } from './raw-kraken.js';

test('TradesHistory honours start (exclusive), end (inclusive), trade ids as bounds, and ofs', async () => {
  const clock = new SharedClock(Date.UTC(2026, 0, 5, 12));
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'manual', price: 0.1 }, balances: { ZUSD: 10_000, XXDG: 10_000 } });
  try {
    const k = new RawKraken(sim);
    // 55 fills, one a minute: a sell each time the price rises through it.
    const times: number[] = [];
    for (let i = 0; i < 55; i++) {
      clock.advance(60_000);
      sim.placeOrderDirect({ side: 'sell', price: 0.1001, volume: 20 });
      sim.setPrice(0.1002);
      sim.setPrice(0.1);
      times.push(clock.now());
    }
    const trades = sim.trades().sort((a, b) => a.time - b.time);
    assert.equal(trades.length, 55);
    const sec = (ms: number) => String(ms / 1000);

    const all = await k.ok('TradesHistory');
    assert.equal(all.count, 55);
    assert.equal(Object.keys(all.trades).length, 50, 'one page of 50, newest first');
    assert.equal(Object.keys(all.trades)[0], trades[54]!.tid);
    const page2 = await k.ok('TradesHistory', { ofs: '50' });
    assert.deepEqual(Object.keys(page2.trades), trades.slice(0, 5).map((t) => t.tid).reverse(), 'ofs=50: the five oldest');

    const since = await k.ok('TradesHistory', { start: sec(times[49]!) });
    assert.equal(since.count, 5, 'start is exclusive');
    assert.deepEqual(Object.keys(since.trades), trades.slice(50).map((t) => t.tid).reverse());
    const until = await k.ok('TradesHistory', { end: sec(times[2]!) });
    assert.deepEqual(Object.keys(until.trades), trades.slice(0, 3).map((t) => t.tid).reverse(), 'end is inclusive');
    clock.advance(60_000); // REST counter room
    const between = await k.ok('TradesHistory', { start: trades[10]!.tid, end: trades[12]!.tid });
    assert.deepEqual(Object.keys(between.trades), [trades[12]!.tid, trades[11]!.tid], 'trade ids stand for their times');
    assert.equal(await k.err('TradesHistory', { start: 'TNOPE0-NOPE0-NOPE00' }), 'EGeneral:Invalid arguments:start');
  } finally {
    await sim.close();
  }
});
