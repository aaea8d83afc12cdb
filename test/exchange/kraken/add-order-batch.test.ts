// KrakenExchange.placeOrders through AddOrderBatch against the simulator at
// the Starter tier (issue 12 item 4, optional part): Kraken's "Spot Trading
// Limits" page charges a batch add +(n/2) instead of +1 per order, so a first
// grid of 40 orders costs 21 trading points (batches of 15, 15, 10: 8 + 8 + 5)
// instead of 40, leaving room for a quick change right after start-up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExchangeError, type PlaceOrderRequest } from '../../../src/exchange/exchange.js';
import { exchangeFor, krakenRig, quietLogs } from '../../support/kraken.js';

quietLogs();

let seq = 0;
const cid = () => `5e3c2a1b-0000-4000-8000-${(++seq).toString(16).padStart(12, '0')}`;

/** A first grid: 20 buys below 0.1, 20 sells above, 1 % apart. */
function grid(): PlaceOrderRequest[] {
  const out: PlaceOrderRequest[] = [];
  for (let k = 1; k <= 20; k++) {
    out.push({ side: 'sell', price: 0.1 * (1 + k / 100), volume: 20, clientOrderId: cid() });
    out.push({ side: 'buy', price: 0.1 * (1 - k / 100), volume: 20, clientOrderId: cid() });
  }
  return out;
}

test('a first grid of 40 through AddOrderBatch: 3 calls, 21 trading points instead of 40, every order tagged and found', async () => {
  const rig = await krakenRig({ tier: 'starter', balances: { ZUSD: 1000, XXDG: 10_000 } });
  try {
    const ex = exchangeFor(rig);
    const reqs = grid();
    const placed = await ex.placeOrders(reqs);
    assert.equal(placed.length, 40);
    assert.equal(rig.sim.stats.calls['AddOrderBatch'], 3);
    assert.equal(rig.sim.stats.calls['AddOrder'] ?? 0, 0);
    assert.equal(rig.sim.tradingCounter(), 21, 'ceil(15/2) + ceil(15/2) + ceil(10/2)');
    assert.equal(rig.client.stats.tradingPoints, 21, "the client's model charged the same");
    for (const [i, p] of placed.entries()) {
      assert.ok(!(p instanceof ExchangeError), `order ${i}: ${p instanceof Error ? p.message : ''}`);
      assert.equal(p.clientOrderId, reqs[i]!.clientOrderId);
      const o = rig.sim.order(p.id)!;
      assert.equal(o.side, reqs[i]!.side);
      assert.equal(o.price, p.price);
      assert.equal(o.oflags, 'post,fciq');
      const found = await ex.findOrderByClientId(reqs[i]!.clientOrderId);
      assert.equal(found?.id, p.id, 'tagged with our cl_ord_id');
    }
    assert.equal((await ex.listOpenOrders()).length, 40);
  } finally {
    await rig.close();
  }
});

test("one order's own failure stays with it; an order below the pair minimum never reaches Kraken; a lone order goes by AddOrder", async () => {
  const rig = await krakenRig({ tier: 'starter', balances: { ZUSD: 10, XXDG: 10_000 } });
  try {
    const ex = exchangeFor(rig);
    const reqs: PlaceOrderRequest[] = [
      { side: 'buy', price: 0.09, volume: 20, clientOrderId: cid() },
      { side: 'buy', price: 0.089, volume: 1000, clientOrderId: cid() }, // $89 with $10 - 1.8 left: insufficient funds
      { side: 'sell', price: 0.11, volume: 1, clientOrderId: cid() }, // below ordermin 13
      { side: 'sell', price: 0.11, volume: 20, clientOrderId: cid() },
    ];
    const out = await ex.placeOrders(reqs);
    assert.ok(!(out[0] instanceof ExchangeError));
    assert.ok(out[1] instanceof ExchangeError && out[1].kind === 'insufficient_funds', String(out[1]));
    assert.ok(out[2] instanceof ExchangeError && out[2].kind === 'invalid_arguments', String(out[2]));
    assert.ok(!(out[3] instanceof ExchangeError));
    assert.equal(rig.sim.stats.calls['AddOrderBatch'], 1, 'the three valid orders in one batch');
    assert.equal(rig.sim.openOrders().length, 2);

    const lone = await ex.placeOrders([{ side: 'sell', price: 0.12, volume: 20, clientOrderId: cid() }]);
    assert.ok(!(lone[0] instanceof ExchangeError));
    assert.equal(rig.sim.stats.calls['AddOrder'], 1, 'a batch needs at least 2 orders');
  } finally {
    await rig.close();
  }
});

test('an AddOrderBatch whose answer is lost is looked up order by order: nothing placed twice, nothing lost', async () => {
  const rig = await krakenRig({ tier: 'starter', balances: { ZUSD: 1000, XXDG: 10_000 } });
  try {
    const ex = exchangeFor(rig);
    rig.sim.faults.add({ type: 'drop_after', endpoint: 'AddOrderBatch' });
    const reqs = grid().slice(0, 6);
    const out = await ex.placeOrders(reqs);
    for (const p of out) assert.ok(!(p instanceof ExchangeError), String(p));
    assert.equal(rig.sim.openOrders().length, 6, 'executed once, found by cl_ord_id');
    assert.deepEqual(
      out.map((p) => (p as { id: string }).id).sort(),
      rig.sim.openOrders().map((o) => o.txid).sort(),
    );

    rig.sim.faults.add({ type: 'drop_before', endpoint: 'AddOrderBatch' });
    const more = grid().slice(0, 4);
    const out2 = await ex.placeOrders(more);
    for (const p of out2) assert.ok(p instanceof ExchangeError && p.kind === 'retryable' && /not placed/.test(p.message), String(p));
    assert.equal(rig.sim.openOrders().length, 6, 'the lost batch was not executed and is reported not placed');
  } finally {
    await rig.close();
  }
});
