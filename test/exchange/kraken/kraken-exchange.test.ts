// KrakenExchange against the simulator: rounding, tagging, fills through
// batched QueryOrders, partial fills, cancelling only our own orders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExchangeError, FALLBACK_PAIR_INFO } from '../../../src/exchange/exchange.js';
import { KrakenExchange, krakenClientOrderId, userrefFromClientOrderId } from '../../../src/exchange/kraken/kraken-exchange.js';
import { captureLogs, exchangeFor, krakenRig, quietLogs } from '../../support/kraken.js';

quietLogs();

let seq = 0;
const cid = () => `4f3c2a1b-0000-4000-8000-${(++seq).toString(16).padStart(12, '0')}`;

test('cl_ord_id tagging: short-UUID form, deterministic, carries the userref', () => {
  const a = krakenClientOrderId(4242, 'abc');
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.equal(a, krakenClientOrderId(4242, 'abc'));
  assert.notEqual(a, krakenClientOrderId(4242, 'abd'));
  assert.notEqual(a, krakenClientOrderId(4243, 'abc'));
  assert.equal(userrefFromClientOrderId(a), 4242);
  assert.equal(userrefFromClientOrderId(krakenClientOrderId(-5, 'x')), -5);
  // Kraken may echo it as a long UUID; still ours.
  const long = `${a.slice(0, 8)}-${a.slice(8, 12)}-${a.slice(12, 16)}-${a.slice(16, 20)}-${a.slice(20)}`.toUpperCase();
  assert.equal(userrefFromClientOrderId(long), 4242);
  assert.equal(userrefFromClientOrderId('t-1'), null);
  assert.equal(userrefFromClientOrderId(null), null);
  assert.throws(() => new KrakenExchange({} as never, { pair: 'XDGUSD', userref: 0 }));
});

test('getPairInfo reads AssetPairs; falls back to FALLBACK_PAIR_INFO with a warning', async () => {
  const rig = await krakenRig({}, { maxRetries: 1 });
  try {
    const ex = exchangeFor(rig);
    assert.deepEqual(await ex.getPairInfo(), { pair: 'XDGUSD', baseAsset: 'XXDG', quoteAsset: 'ZUSD', priceDecimals: 7, lotDecimals: 8, orderMin: 13, costMin: 0.5, tickSize: 0.0000001, status: 'online' });
    const cold = exchangeFor(rig);
    rig.sim.faults.add({ type: 'malformed_json', endpoint: 'AssetPairs', times: 10 });
    const r = await captureLogs(() => cold.getPairInfo());
    assert.deepEqual(r.result, FALLBACK_PAIR_INFO);
    assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('fallback')));
    rig.sim.faults.clear();
    assert.equal((await cold.getPairInfo()).orderMin, 13, 'the fallback is not cached');
    const t = await ex.getTicker();
    assert.deepEqual(t, { bid: 0.1, ask: 0.1, last: 0.1 });
  } finally {
    await rig.close();
  }
});

test('placeOrder: post-only limit, rounded to the pair decimals, tagged with our userref via cl_ord_id', async () => {
  // Kraken's older answer to a crossing post-only order (EOrder:Post only order); the simulator's default,
  // accepted-then-cancelled, is covered by test/exchange/contract.test.ts (SPEC §5.1: both are handled).
  const rig = await krakenRig({ postOnlyCross: 'reject' });
  try {
    const ex = exchangeFor(rig, 4242);
    const id = cid();
    const placed = await ex.placeOrder({ side: 'buy', price: 0.0951234567, volume: 20.123456789, clientOrderId: id });
    assert.deepEqual({ ...placed, id: undefined }, { id: undefined, clientOrderId: id, price: 0.0951235, volume: 20.12345679 });
    const o = rig.sim.order(placed.id)!;
    assert.equal(o.oflags, 'post,fciq');
    assert.equal(o.price, 0.0951235);
    assert.equal(o.volume, 20.12345679);
    assert.equal(o.clOrdId, ex.krakenClientOrderId(id));
    assert.equal(o.userref, null, 'Kraken forbids userref together with cl_ord_id');
    const [report] = await ex.listOpenOrders();
    assert.equal(report!.id, placed.id);
    assert.equal(report!.clientOrderId, id);
    assert.equal(report!.userref, 4242);
    assert.equal(report!.state, 'open');
    assert.equal(report!.openedAt, rig.clock.t);

    // Would cross → Kraken refuses a post-only order.
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.1001, volume: 20, clientOrderId: cid() }), (e: unknown) => e instanceof ExchangeError && e.kind === 'post_only');
    await assert.rejects(ex.placeOrder({ side: 'sell', price: 0.0999, volume: 20, clientOrderId: cid() }), (e: unknown) => e instanceof ExchangeError && e.kind === 'post_only');
    // Below the pair minimum: refused locally, Kraken not asked.
    const adds = rig.client.stats.privateCalls.AddOrder;
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.09, volume: 12, clientOrderId: cid() }), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
    assert.equal(rig.client.stats.privateCalls.AddOrder, adds);
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.09, volume: 1e6, clientOrderId: cid() }), (e: unknown) => e instanceof ExchangeError && e.kind === 'insufficient_funds');
    // postOnly: false (the accumulation sweep) executes at once as a taker.
    const sweep = await ex.placeOrder({ side: 'buy', price: 0.1005, volume: 20, clientOrderId: cid(), postOnly: false });
    const [swept] = await ex.queryOrders([sweep.id]);
    assert.equal(swept!.state, 'closed');
    assert.equal(swept!.avgPrice, 0.1);
    assert.ok(Math.abs(swept!.fee - 20 * 0.1 * 0.004) < 1e-9, 'taker fee');
  } finally {
    await rig.close();
  }
});

test('fills are visible through queryOrders with vol_exec, fee and average price; balances follow', async () => {
  const rig = await krakenRig();
  try {
    const ex = exchangeFor(rig);
    const buy = await ex.placeOrder({ side: 'buy', price: 0.095, volume: 100, clientOrderId: cid() });
    const sell = await ex.placeOrder({ side: 'sell', price: 0.105, volume: 50, clientOrderId: cid() });
    let reports = await ex.queryOrders([buy.id, sell.id]);
    assert.deepEqual(
      reports.map((r) => [r.state, r.volumeExecuted, r.fee]),
      [
        ['open', 0, 0],
        ['open', 0, 0],
      ],
    );
    rig.sim.setPrice(0.0949);
    rig.sim.setPrice(0.1051);
    reports = await ex.queryOrders([buy.id, sell.id]);
    const b = reports.find((r) => r.id === buy.id)!;
    const s = reports.find((r) => r.id === sell.id)!;
    assert.equal(b.state, 'closed');
    assert.equal(b.side, 'buy');
    assert.equal(b.volumeExecuted, 100);
    assert.equal(b.avgPrice, 0.095);
    assert.ok(Math.abs(b.fee - 100 * 0.095 * 0.0025) < 1e-9, `maker fee ${b.fee}`);
    assert.equal(s.state, 'closed');
    assert.equal(s.side, 'sell');
    assert.equal(s.volumeExecuted, 50);
    assert.ok(Math.abs(s.fee - 50 * 0.105 * 0.0025) < 1e-9);
    const bal = await ex.getBalances();
    assert.ok(Math.abs(bal.base - (10000 + 100 - 50)) < 1e-9);
    assert.ok(Math.abs(bal.quote - (1000 - 9.5 - b.fee + 5.25 - s.fee)) <= 1e-4, `quote ${bal.quote} (ZUSD has 4 decimals)`);
  } finally {
    await rig.close();
  }
});

test('a partial fill is reported with its vol_exec and fee while the order stays open', async () => {
  const rig = await krakenRig({ partialFillRatio: 0.5 });
  try {
    const ex = exchangeFor(rig);
    const buy = await ex.placeOrder({ side: 'buy', price: 0.095, volume: 100, clientOrderId: cid() });
    rig.sim.setPrice(0.0949);
    let [r] = await ex.queryOrders([buy.id]);
    assert.equal(r!.state, 'open');
    assert.equal(r!.volumeExecuted, 50);
    assert.ok(Math.abs(r!.fee - 50 * 0.095 * 0.0025) < 1e-9);
    const details = await ex.getBalanceDetails();
    assert.ok(Math.abs(details.quote.held - 50 * 0.095 * 1.0025) < 1e-4, `held ${details.quote.held}`);
    rig.sim.setPrice(0.0948);
    [r] = await ex.queryOrders([buy.id]);
    assert.equal(r!.state, 'closed');
    assert.equal(r!.volumeExecuted, 100);
    assert.ok(Math.abs(r!.fee - 100 * 0.095 * 0.0025) < 1e-9);
  } finally {
    await rig.close();
  }
});

test('cancelAllOurs cancels only our orders: another userref, a manual order and another deployment survive', async () => {
  const rig = await krakenRig();
  try {
    const ours = exchangeFor(rig, 4242);
    const other = exchangeFor(rig, 777);
    const mine = [];
    for (let i = 0; i < 3; i++) mine.push(await ours.placeOrder({ side: 'buy', price: 0.09 - i * 0.001, volume: 20, clientOrderId: cid() }));
    const theirs = await other.placeOrder({ side: 'buy', price: 0.085, volume: 20, clientOrderId: cid() });
    const manual999 = rig.sim.placeOrderDirect({ side: 'sell', price: 0.12, volume: 30, userref: 999 });
    const manualPlain = rig.sim.placeOrderDirect({ side: 'sell', price: 0.13, volume: 30 });
    const viaApi = (await rig.client.addOrder({ pair: 'XDGUSD', type: 'buy', ordertype: 'limit', price: '0.0800000', volume: '20.00000000', userref: 999 })).txid[0]!;
    // An order carrying our number in Kraken's own userref field (e.g. placed by hand) counts as ours.
    const legacy = rig.sim.placeOrderDirect({ side: 'buy', price: 0.081, volume: 20, userref: 4242 });

    assert.deepEqual((await ours.listOpenOrders()).map((r) => r.id).sort(), [...mine.map((m) => m.id), legacy].sort());
    assert.deepEqual((await other.listOpenOrders()).map((r) => r.id), [theirs.id]);

    assert.equal(await ours.cancelAllOurs(), 4);
    const open = rig.sim.openOrders().map((o) => o.txid).sort();
    assert.deepEqual(open, [theirs.id, manual999, manualPlain, viaApi].sort());
    assert.deepEqual(await ours.listOpenOrders(), []);
    assert.equal(rig.sim.stats.rejections['EOrder:Rate limit exceeded'] ?? 0, 0);
    assert.ok(!rig.sim.requests.some((r) => r.endpoint === 'CancelAll'));
    assert.equal(await ours.cancelAllOurs(), 0);
    // Cancelling an order that is gone is not an error.
    await ours.cancelOrder(mine[0]!.id);
  } finally {
    await rig.close();
  }
});

test('queryOrders batches more than 50 ids into QueryOrders calls of at most 50; unknown ids are omitted', async () => {
  const rig = await krakenRig({ tier: 'intermediate' });
  try {
    const ex = exchangeFor(rig);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await ex.placeOrder({ side: 'buy', price: 0.09 - i * 0.0001, volume: 20, clientOrderId: cid() })).id);
    const before = rig.client.stats.privateCalls.QueryOrders ?? 0;
    const reports = await ex.queryOrders([...ids, ids[0]!]);
    assert.equal(reports.length, 60);
    assert.equal((rig.client.stats.privateCalls.QueryOrders ?? 0) - before, 2, 'two calls: 50 + 10');
    assert.ok(rig.sim.requests.filter((r) => r.endpoint === 'QueryOrders').length >= 2);
    const withUnknown = await ex.queryOrders([...ids.slice(0, 10), 'OUNKNO-WNXXX-XXXXXX']);
    assert.deepEqual(withUnknown.map((r) => r.id).sort(), ids.slice(0, 10).sort());
    assert.deepEqual(await ex.queryOrders([]), []);
  } finally {
    await rig.close();
  }
});

test('orders cancelled or expired behind our back show up as such', async () => {
  const rig = await krakenRig();
  try {
    const ex = exchangeFor(rig);
    const a = await ex.placeOrder({ side: 'buy', price: 0.09, volume: 20, clientOrderId: cid() });
    const b = await ex.placeOrder({ side: 'buy', price: 0.089, volume: 20, clientOrderId: cid() });
    rig.sim.closeBehindBack(a.id, 'canceled');
    rig.sim.closeBehindBack(b.id, 'expired');
    const reports = await ex.queryOrders([a.id, b.id]);
    assert.deepEqual(reports.map((r) => [r.id, r.state]).sort(), [
      [a.id, 'canceled'],
      [b.id, 'expired'],
    ].sort());
    assert.deepEqual(await ex.listOpenOrders(), []);
  } finally {
    await rig.close();
  }
});

test('findOrderByClientId finds our order after a restart, open or filled; placeOrder survives a lost answer', async () => {
  const rig = await krakenRig({}, { timeoutMs: 150 });
  try {
    const ex = exchangeFor(rig);
    const id = cid();
    rig.sim.faults.add({ type: 'timeout_after', endpoint: 'AddOrder' });
    const placed = await ex.placeOrder({ side: 'buy', price: 0.095, volume: 30, clientOrderId: id });
    assert.equal(rig.sim.orders().length, 1);
    const restarted = exchangeFor(rig, 4242, rig.newClient());
    let found = await restarted.findOrderByClientId(id);
    assert.equal(found!.id, placed.id);
    assert.equal(found!.clientOrderId, id);
    assert.equal(found!.state, 'open');
    rig.sim.setPrice(0.094);
    found = await restarted.findOrderByClientId(id);
    assert.equal(found!.state, 'closed');
    assert.equal(await restarted.findOrderByClientId(cid()), null);
    // Another deployment's userref maps the same client id to a different Kraken id.
    assert.equal(await exchangeFor(rig, 777, rig.newClient()).findOrderByClientId(id), null);
  } finally {
    await rig.close();
  }
});

test('measure: private counter points of one queryOrders of 40 ids', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    const ex = exchangeFor(rig);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await ex.placeOrder({ side: 'buy', price: 0.09 - i * 0.0001, volume: 20, clientOrderId: cid() })).id);
    await ex.getPairInfo();
    const rest0 = rig.client.stats.restPoints;
    const calls0 = { ...rig.client.stats.privateCalls };
    const reports = await ex.queryOrders(ids);
    await ex.getTicker();
    const points = rig.client.stats.restPoints - rest0;
    const calls = Object.entries(rig.client.stats.privateCalls)
      .map(([k, v]) => [k, v - (calls0[k] ?? 0)] as const)
      .filter(([, v]) => v > 0);
    assert.equal(reports.length, 40);
    assert.equal(points, 1);
    assert.deepEqual(calls, [['QueryOrders', 1]]);
    const perSecond = 0.33;
    console.log(
      `[measure] 1 queryOrders of 40 ids (+ 1 public Ticker) = ${calls.length} private call, ${points} REST counter point(s). ` +
        `Starter decays ${perSecond}/s, so this tick is sustainable every ${(points / perSecond).toFixed(2)} s; ` +
        `at POLL_INTERVAL_SECONDS=30 the counter stays at ~0 (decays ${(30 * perSecond).toFixed(1)} points per tick).`,
    );
  } finally {
    await rig.close();
  }
});

test('amendOrder: AmendOrder moves the order in place; a Kraken that answers EGeneral:Unknown method is "unsupported", asked once', async () => {
  const rig = await krakenRig();
  try {
    const ex = exchangeFor(rig, 4242);
    const placed = await ex.placeOrder({ side: 'buy', price: 0.095, volume: 20, clientOrderId: cid() });
    const calls = () => rig.client.stats.privateCalls['AmendOrder'] ?? 0;
    let supported = true;
    try {
      const r = await ex.amendOrder({ id: placed.id, clientOrderId: placed.clientOrderId, side: 'buy', price: 0.0941234567, volume: 21, placedAt: rig.clock.now() });
      assert.deepEqual(r, { price: 0.0941235, volume: 21 });
      assert.equal(rig.sim.order(placed.id)!.price, 0.0941235, 'same txid, new price');
    } catch (err) {
      supported = false;
      assert.ok(err instanceof ExchangeError && err.kind === 'unsupported', `unsupported, got ${String(err)}`);
    }
    if (!supported) {
      const before = calls();
      await assert.rejects(ex.amendOrder({ id: placed.id, clientOrderId: placed.clientOrderId, side: 'buy', price: 0.094, volume: 21 }), (e: unknown) => e instanceof ExchangeError && e.kind === 'unsupported');
      assert.equal(calls(), before, 'not asked again');
    }
    const b = ex.tradingBudget();
    assert.ok(b.room < 59, 'the AddOrder (and any amend) is on the modelled counter');
    assert.deepEqual([b.amendCost(1000), b.amendCost(7000), b.amendCost(12_000), b.amendCost(60_000)], [4, 3, 2, 1]);
    assert.deepEqual([b.cancelCost(1000), b.cancelCost(400_000)], [8, 0]);
  } finally {
    await rig.close();
  }
});
