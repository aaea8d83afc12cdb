// CancelOrderBatch past the trading counter's maximum, as Kraken's "Spot
// Trading Limits" page says (https://docs.kraken.com/api/docs/guides/spot-ratelimits):
// "If the rate counter in the batch exceeds maximum for a batch cancel, the
// requests in batch are still accepted." The simulator used to refuse such a
// batch with EOrder:Rate limit exceeded, like a single CancelOrder. A batch
// arriving with the counter already at or past the maximum is not covered by
// the page; the simulator refuses it (the cautious reading for a client).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { SharedClock } from '../../support/kraken.js';
import { RawKraken } from './raw-kraken.js';

const limit = (price: string) => ({ pair: 'XDGUSD', type: 'buy', ordertype: 'limit', price, volume: '20', oflags: 'post' });

test('a batch cancel of young orders that takes the counter past 60 (Starter) is accepted and charged', async () => {
  const clock = new SharedClock(Date.UTC(2026, 0, 5, 12));
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'manual', price: 0.1 } });
  try {
    const k = new RawKraken(sim);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await k.ok('AddOrder', limit(`0.09${String(i).padStart(2, '0')}000`))).txid[0]);
    clock.advance(1_000);
    assert.ok(Math.abs(sim.tradingCounter() - 11) < 1e-9, `12 adds, 1 s of decay: ${sim.tradingCounter()}`);

    // Ten orders 1 s old cost 8 each: 80 points on top of 11, past the maximum of 60. Accepted.
    const r = await k.ok('CancelOrderBatch', { orders: ids.slice(0, 10) }, { json: true });
    assert.equal(r.count, 10);
    assert.ok(ids.slice(0, 10).every((id) => sim.order(id)!.status === 'canceled'), 'every order of the batch cancelled');
    assert.ok(Math.abs(sim.tradingCounter() - 91) < 1e-9, `charged in full: ${sim.tradingCounter()}`);

    // Past the maximum now: single calls, and a batch cancel arriving there, are refused.
    assert.equal(await k.err('AddOrder', limit('0.0800000')), 'EOrder:Rate limit exceeded');
    assert.equal(await k.err('CancelOrder', { txid: ids[10]! }), 'EOrder:Rate limit exceeded');
    assert.equal(await k.err('CancelOrderBatch', { orders: [ids[10], ids[11]] }, { json: true }), 'EOrder:Rate limit exceeded');
    assert.equal(sim.order(ids[10]!)!.status, 'open');

    // Below the maximum again (decay 1/s): the batch goes through even though it ends above it.
    clock.advance(40_000); // 91 - 40 = 51; the two orders are 41 s old: +4 each
    const r2 = await k.ok('CancelOrderBatch', { orders: [ids[10], ids[11]] }, { json: true });
    assert.equal(r2.count, 2);
    assert.ok(Math.abs(sim.tradingCounter() - 59) < 1e-9, `${sim.tradingCounter()}`);
  } finally {
    await sim.close();
  }
});
