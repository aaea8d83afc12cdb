// The simulator's seams on their own: the endpoint table (where new Kraken
// endpoints are registered), the trading-counter cancel penalties and the
// fault board.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cancelPenalty, SimCounters } from '../../../src/tools/sim/counters.js';
import { endpointTable } from '../../../src/tools/sim/endpoints/endpoint.js';
import { krakenEndpoints } from '../../../src/tools/sim/endpoints/index.js';
import { FaultBoard } from '../../../src/tools/sim/faults.js';
import { KrakenFail } from '../../../src/tools/sim/types.js';

test('the endpoint table serves the REST subset the bot uses, keyed by path, with their REST-counter costs', () => {
  const table = krakenEndpoints();
  const costs = Object.fromEntries([...table].map(([path, e]) => [path, e.restCost]));
  assert.deepEqual(costs, {
    '/0/public/Time': 0,
    '/0/public/Ticker': 0,
    '/0/public/OHLC': 0,
    '/0/public/AssetPairs': 0,
    '/0/public/Depth': 0,
    '/0/public/Assets': 0,
    '/0/public/SystemStatus': 0,
    '/0/private/AddOrder': 0,
    '/0/private/AddOrderBatch': 0,
    '/0/private/AmendOrder': 0,
    '/0/private/CancelOrder': 0,
    '/0/private/CancelOrderBatch': 0,
    '/0/private/Balance': 1,
    '/0/private/BalanceEx': 1,
    '/0/private/OpenOrders': 1,
    '/0/private/ClosedOrders': 2,
    '/0/private/QueryOrders': 1,
    '/0/private/TradesHistory': 2,
    '/0/private/TradeVolume': 1,
    '/0/private/GetWebSocketsToken': 1,
  });
  assert.equal(table.has('/0/private/CancelAll'), false, 'never CancelAll');
  const twice = { name: 'Time', access: 'public' as const, restCost: 0, handle: () => ({}) };
  assert.throws(() => endpointTable([twice], [twice]), /registered twice/);
});

test("cancel penalties follow Kraken's table: +8/+6/+5/+4/+2/+1 under 5/10/15/45/90/300 s, then 0", () => {
  const at = [0, 4_999, 5_000, 9_999, 10_000, 14_999, 15_000, 44_999, 45_000, 89_999, 90_000, 299_999, 300_000, 3_600_000];
  assert.deepEqual(at.map(cancelPenalty), [8, 8, 6, 6, 5, 5, 4, 4, 2, 2, 1, 1, 0, 0]);
});

test('trading counter: per tier threshold and decay; not enforced when switched off', () => {
  let t = 0;
  const c = new SimCounters('intermediate', true, () => t);
  c.chargeTrading(125);
  assert.throws(() => c.chargeTrading(1), (e: unknown) => e instanceof KrakenFail && e.krakenError === 'EOrder:Rate limit exceeded');
  t += 1000;
  assert.ok(Math.abs(c.tradingLevel() - (125 - 2.34)) < 1e-9);
  c.chargeTrading(1);
  const lax = new SimCounters('starter', false, () => t);
  lax.chargeTrading(100);
  assert.equal(lax.tradingLevel(), 100);
  assert.equal(c.openOrderLimit(), 80);
});

test('fault board: faults match by endpoint and are used up; latency faults add up', () => {
  const f = new FaultBoard();
  f.add([{ type: 'http_502', endpoint: 'Balance', times: 2 }, { type: 'service_busy' }, { type: 'latency', ms: 30, endpoint: 'Ticker' }]);
  f.latencyMs = 5;
  assert.equal(f.take('Ticker'), 'service_busy');
  assert.equal(f.take('Ticker'), null);
  assert.equal(f.take('Balance'), 'http_502');
  assert.equal(f.take('Balance'), 'http_502');
  assert.equal(f.take('Balance'), null);
  assert.equal(f.takeLatency('Balance'), 5);
  assert.equal(f.takeLatency('Ticker'), 35);
  assert.equal(f.takeLatency('Ticker'), 5);
  assert.deepEqual(f.list(), []);
  assert.throws(() => f.add({ type: 'nope' as never }), /unknown fault type/);
});
