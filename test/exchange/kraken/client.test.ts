// KrakenClient: signing, public and private calls, nonces, the rate limiter,
// retries and the never-double-place rule for AddOrder, against the simulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ExchangeError } from '../../../src/exchange/exchange.js';
import { httpRequest } from '../../../src/util/http-client.js';
import { KrakenClient } from '../../../src/exchange/kraken/client.js';
import { signRequest } from '../../../src/exchange/kraken/signing.js';
import { FileNonceStore, MemoryNonceStore, NonceSource } from '../../../src/exchange/kraken/nonce-store.js';
import { KrakenApiError, krakenErrorKind, krakenResult, throttledUntil } from '../../../src/exchange/kraken/errors.js';
import type { AddOrderParams } from '../../../src/exchange/kraken/api-types.js';
import * as clientModule from '../../../src/exchange/kraken/client.js';
import { CounterLimiter, FileRateStore, MemoryRateStore, cancelPenalty, restCost } from '../../../src/exchange/kraken/rate-limiter.js';
import type { FaultType } from '../../../src/tools/sim/kraken-sim.js';
import { SharedClock, captureLogs, krakenRig, quietLogs } from '../../support/kraken.js';

quietLogs();

// Kraken's worked example (docs.kraken.com, "Spot REST Authentication" → Examples).
const DOC_SECRET = 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==';
const DOC_NONCE = '1616492376594';
const DOC_POSTDATA = 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25';
const DOC_PATH = '/0/private/AddOrder';
const DOC_SIGN = '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==';

let clSeq = 0;
function order(over: Partial<AddOrderParams> = {}): AddOrderParams {
  clSeq++;
  return {
    pair: 'XDGUSD',
    type: 'buy',
    ordertype: 'limit',
    price: '0.0950000',
    volume: '20.00000000',
    oflags: 'post',
    cl_ord_id: `t-${process.pid % 1000}-${clSeq}`,
    ...over,
  };
}

test('signRequest reproduces the worked example of Kraken REST authentication docs', () => {
  assert.equal(signRequest(DOC_PATH, DOC_NONCE, DOC_POSTDATA, DOC_SECRET), DOC_SIGN);
  // path, nonce and body are all part of the signature
  assert.notEqual(signRequest('/0/private/Balance', DOC_NONCE, DOC_POSTDATA, DOC_SECRET), DOC_SIGN);
  assert.notEqual(signRequest(DOC_PATH, '1616492376595', DOC_POSTDATA, DOC_SECRET), DOC_SIGN);
  assert.notEqual(signRequest(DOC_PATH, DOC_NONCE, DOC_POSTDATA.replace('1.25', '1.26'), DOC_SECRET), DOC_SIGN);
});

test('Kraken error strings map to typed ExchangeError kinds', () => {
  const table: [string, string][] = [
    ['EAPI:Invalid nonce', 'invalid_nonce'],
    ['EAPI:Rate limit exceeded', 'rate_limit'],
    ['EOrder:Rate limit exceeded', 'rate_limit'],
    ['EGeneral:Temporary lockout', 'rate_limit'],
    ['EAPI:Invalid key', 'auth'],
    ['EAPI:Invalid signature', 'auth'],
    ['EGeneral:Permission denied', 'auth'],
    ['EOrder:Insufficient funds', 'insufficient_funds'],
    ['EOrder:Post only order', 'post_only'],
    ['EOrder:Orders limit exceeded', 'orders_limit'],
    ['EGeneral:Invalid arguments', 'invalid_arguments'],
    ['EGeneral:Invalid arguments:volume', 'invalid_arguments'],
    ['EOrder:Invalid price:XDGUSD price can only be specified up to 7 decimals.', 'invalid_arguments'],
    ['EOrder:Order minimum not met', 'invalid_arguments'],
    ['EOrder:Unknown order', 'unknown_order'],
    ['EOrder:Invalid order', 'unknown_order'],
    ['EService:Unavailable', 'retryable'],
    ['EService:Busy', 'retryable'],
    ['EService:Throttled:1700000000', 'retryable'],
    ['EService: Throttled: 1700000000', 'retryable'],
    ['EFoo:Bar', 'other'],
  ];
  for (const [err, kind] of table) assert.equal(krakenErrorKind(err), kind, err);
  const retryable = new Set(['rate_limit', 'invalid_nonce', 'retryable', 'network']);
  for (const [, kind] of table) assert.equal(new ExchangeError(kind as never, 'x').retryable, retryable.has(kind));
});

test('Kraken answers are unwrapped or classified: Kraken errors first, then HTTP status, then a malformed body', () => {
  const res = (status: number, body: string) => ({ status, headers: {}, body });
  assert.deepEqual(krakenResult('Balance', res(200, '{"error":[],"result":{"ZUSD":"1"}}')), { ZUSD: '1' });
  const kindOf = (status: number, body: string): [string, number | null] => {
    try {
      krakenResult('Balance', res(status, body));
    } catch (e) {
      assert.ok(e instanceof KrakenApiError);
      return [e.kind, e.httpStatus];
    }
    assert.fail('no error');
  };
  assert.deepEqual(kindOf(200, '{"error":["EFoo:Bar","EAPI:Invalid nonce"]}'), ['invalid_nonce', 200]);
  assert.deepEqual(kindOf(502, '{"error":["EAPI:Invalid key"]}'), ['auth', 502]);
  assert.deepEqual(kindOf(502, '<html>'), ['retryable', 502]);
  assert.deepEqual(kindOf(429, ''), ['rate_limit', 429]);
  assert.deepEqual(kindOf(403, ''), ['auth', 403]);
  assert.deepEqual(kindOf(200, 'not json'), ['retryable', 200]);
  assert.deepEqual(kindOf(404, '{}'), ['other', 404]);
  assert.deepEqual(kindOf(200, '{"error":[]}'), ['retryable', 200]);
  assert.equal(throttledUntil(['EService:Busy', 'EService: Throttled: 1700000000.5']), 1700000000.5);
  assert.equal(throttledUntil(['EService:Busy']), null);
});

test('nonce source: clock in µs, never repeats on a frozen clock, never below the store\'s high-water mark', () => {
  let t = 1_000;
  const store = new MemoryNonceStore();
  const a = new NonceSource(() => t, store);
  assert.deepEqual([a.next(), a.next()], ['1000000', '1000001']);
  assert.equal(store.read(), 1_000_001);
  t = 500; // clock set back, second source sharing the store
  assert.equal(new NonceSource(() => t, store).next(), '1000002');
  assert.equal(new NonceSource(() => t).next(), '500000');
});

test('client.js keeps re-exporting the names that moved out of it (signRequest is a SPEC §2 contract)', () => {
  assert.equal(clientModule.signRequest, signRequest);
  assert.equal(clientModule.krakenErrorKind, krakenErrorKind);
  assert.equal(clientModule.FileNonceStore, FileNonceStore);
  assert.equal(clientModule.MemoryNonceStore, MemoryNonceStore);
  assert.equal(clientModule.KrakenApiError, KrakenApiError);
  assert.equal(typeof clientModule.normalizeClOrdId, 'function');
  assert.equal(typeof clientModule.isAmbiguous, 'function');
});

test('rate counter model: costs, cancel penalties, and waiting instead of failing', async () => {
  assert.equal(restCost('Balance'), 1);
  assert.equal(restCost('QueryOrders'), 1);
  assert.equal(restCost('TradesHistory'), 2);
  assert.equal(restCost('AddOrder'), 0);
  assert.deepEqual([0, 4_999, 5_000, 12_000, 30_000, 60_000, 120_000, 300_000, null].map((a) => cancelPenalty(a)), [8, 8, 6, 5, 4, 2, 1, 0, 8]);
  const clock = new SharedClock();
  const lim = new CounterLimiter({ max: 15, decayPerSecond: 0.33 }, clock, 1);
  for (let i = 0; i < 14; i++) await lim.take(1);
  assert.equal(clock.sleeps.length, 0, 'the first 14 points fit under 15 - margin');
  await lim.take(1);
  assert.equal(clock.sleeps.length, 1);
  assert.ok(Math.abs(clock.sleeps[0]! - 1000 / 0.33) < 2, `waited ${clock.sleeps[0]} ms for one point`);
  assert.ok(lim.level() <= 14 + 1e-9);
});

test('rate limiter: a clock stepped back 10 minutes does not freeze the counter (issue 18 item 5)', async () => {
  const clock = new SharedClock();
  const lim = new CounterLimiter({ max: 15, decayPerSecond: 0.33 }, clock, 1);
  for (let i = 0; i < 14; i++) await lim.take(1);
  clock.t -= 10 * 60_000;
  for (let i = 0; i < 3; i++) await lim.take(1);
  const waited = clock.sleeps.reduce((a, b) => a + b, 0);
  // Three points at 0.33/s: about 9 s. Before: decay froze until the clock was back where it was (~10 min).
  assert.ok(waited < 15_000, `waited ${waited} ms for 3 points after the step back`);
  assert.ok(lim.level() <= 14 + 1e-9);
});

test('KrakenClient: wall clock stepped back 10 minutes mid-burst; private calls keep flowing on the monotonic clock (issue 18 item 5)', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    let back = 0;
    // The wall clock the client sees can be stepped; the monotonic one (the rig's fake clock, advanced by its sleep) cannot.
    const client = rig.newClient({ now: () => rig.clock.t - back, monoNow: rig.clock.now });
    for (let i = 0; i < 14; i++) await client.balance();
    back = 10 * 60_000;
    const t0 = rig.clock.t;
    for (let i = 0; i < 5; i++) await client.balance();
    const waited = rig.clock.t - t0;
    assert.ok(waited < 30_000, `5 calls after the step took ${waited} ms of fake time`);
    assert.equal(rig.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0);
    assert.equal(rig.sim.stats.calls.Balance, 19);
  } finally {
    await rig.close();
  }
  // Without an explicit monotonic source the (fake-sleep) wall clock drives the limiter: a step back only re-anchors it.
  const rig2 = await krakenRig({ tier: 'starter' });
  try {
    let back = 0;
    const plain = rig2.newClient({ now: () => rig2.clock.t - back });
    for (let i = 0; i < 14; i++) await plain.balance();
    back = 10 * 60_000;
    const t1 = rig2.clock.t;
    for (let i = 0; i < 3; i++) await plain.balance();
    assert.ok(rig2.clock.t - t1 < 30_000, `3 calls after the step took ${rig2.clock.t - t1} ms of fake time`);
    assert.equal(rig2.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0);
  } finally {
    await rig2.close();
  }
});

test('KrakenClient: an explicit monotonic clock drives the limiter, not the injected wall clock', () => {
  const c = new KrakenClient({ baseUrl: 'http://127.0.0.1:9', tier: 'starter', now: () => 0, monoNow: () => performance.now() });
  c.restLimiter.saturate();
  const before = c.restLimiter.level();
  const spin = performance.now() + 30;
  while (performance.now() < spin) {
    /* let 30 ms of monotonic time pass */
  }
  assert.ok(c.restLimiter.level() < before, 'decays although the injected wall clock stands still');
});

test('public endpoints: Time, Ticker, AssetPairs, OHLC, Depth', async () => {
  const rig = await krakenRig({ process: { kind: 'manual', price: 0.1 } });
  try {
    const { client, sim, clock } = rig;
    const time = await client.getTime();
    assert.equal(time.unixtime, Math.floor(clock.t / 1000));
    const ticker = await client.getTicker('XDGUSD');
    assert.deepEqual(Object.keys(ticker), ['XDGUSD']);
    assert.equal(ticker.XDGUSD!.c[0], '0.1000000');
    const pairs = await client.getAssetPairs('XDGUSD');
    const p = pairs.XDGUSD!;
    assert.equal(p.altname, 'XDGUSD');
    assert.equal(p.base, 'XXDG');
    assert.equal(p.quote, 'ZUSD');
    assert.equal(p.pair_decimals, 7);
    assert.equal(p.lot_decimals, 8);
    assert.equal(p.ordermin, '13');
    assert.equal(p.costmin, '0.5');
    for (let i = 0; i < 5; i++) {
      clock.advance(60_000);
      sim.setPrice(0.1 + i * 0.001);
    }
    const ohlc = await client.getOhlc('XDGUSD', 1);
    assert.equal(ohlc.pairKey, 'XDGUSD');
    assert.ok(ohlc.rows.length >= 5);
    const lastRow = ohlc.rows[ohlc.rows.length - 1]!;
    assert.equal(lastRow[4], '0.1040000');
    assert.equal(lastRow.length, 8);
    const depth = await client.getDepth('XDGUSD', 3);
    assert.equal(depth.XDGUSD!.asks.length, 3);
    assert.equal(depth.XDGUSD!.bids.length, 3);
    await assert.rejects(client.getTicker('NOPE'), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
  } finally {
    await rig.close();
  }
});

test('private calls are signed so the simulator (which recomputes API-Sign) accepts them; a tampered body is refused', async () => {
  const rig = await krakenRig();
  try {
    const bal = await rig.client.balance();
    assert.equal(bal.ZUSD, '1000.0000');
    assert.equal(bal.XXDG, '10000.00000000');
    const ex = await rig.client.balanceEx();
    assert.equal(ex.ZUSD!.hold_trade, '0.0000');
    assert.equal(rig.sim.stats.calls.Balance, 1);
    // Same signature, different body: refused.
    const nonce = String(rig.clock.t * 1000 + 999_999);
    const body = `nonce=${nonce}`;
    const sign = signRequest('/0/private/Balance', nonce, body, rig.sim.apiSecret);
    const res = await httpRequest({
      url: `${rig.sim.url}/0/private/Balance`,
      method: 'POST',
      headers: { 'API-Key': rig.sim.apiKey, 'API-Sign': sign },
      body: `${body}&asset=ZUSD`,
      timeoutMs: 2000,
    });
    assert.deepEqual(JSON.parse(res.body).error, ['EAPI:Invalid signature']);
  } finally {
    await rig.close();
  }
});

test('bad key or bad secret → auth error, not retried, and neither key nor secret appears in messages or logs', async () => {
  const rig = await krakenRig();
  try {
    const secretKey = 'wrong-key-' + 'Q'.repeat(40);
    const wrongSecret = Buffer.from('another-secret-'.repeat(5)).toString('base64');
    const badKey = rig.newClient({ apiKey: secretKey });
    const badSecret = rig.newClient({ apiSecret: wrongSecret });
    const noKey = rig.newClient({ apiKey: undefined, apiSecret: undefined });
    const before = rig.sim.requests.length;
    const a = await captureLogs(() => badKey.balance());
    const b = await captureLogs(() => badSecret.openOrders());
    const c = await captureLogs(() => noKey.balance());
    for (const r of [a, b, c]) {
      assert.ok(r.error instanceof ExchangeError, String(r.error));
      assert.equal(r.error.kind, 'auth');
      for (const s of [secretKey, wrongSecret, rig.sim.apiSecret, rig.sim.apiKey]) {
        assert.ok(!r.error.message.includes(s), 'message leaks a credential');
        assert.ok(!r.lines.some((l) => l.includes(s)), 'log leaks a credential');
      }
    }
    assert.match((a.error as Error).message, /EAPI:Invalid key/);
    assert.match((b.error as Error).message, /EAPI:Invalid signature/);
    assert.equal(rig.sim.requests.length - before, 2, 'one request each, no retries; none without a key');
  } finally {
    await rig.close();
  }
});

test('nonces strictly increase: bursts on a frozen clock and two clients sharing one store', async () => {
  // Starter: on a frozen clock the REST counter (15 points) never decays, so the whole test stays
  // within 14 calls: a burst of 5, 4 interleaved pairs and one lone call.
  const rig = await krakenRig();
  try {
    const store = new MemoryNonceStore();
    const a = rig.newClient({ nonceStore: store });
    const b = rig.newClient({ nonceStore: store });
    // Burst on one client while the clock stands still: max(now µs, last + 1).
    await Promise.all(Array.from({ length: 5 }, () => a.balance()));
    // Two client instances (same key) sharing the store, interleaved.
    for (let i = 0; i < 4; i++) {
      await a.openOrders();
      await b.balance();
    }
    assert.equal(rig.clock.sleeps.length, 0, 'the clock never moved');
    assert.equal(rig.sim.stats.rejections['EAPI:Invalid nonce'] ?? 0, 0);
    assert.equal(a.stats.retries + b.stats.retries, 0);
    // A third instance without the shared store starts from the clock and collides.
    const lone = rig.newClient({ maxRetries: 0 });
    await assert.rejects(lone.balance(), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_nonce');
  } finally {
    await rig.close();
  }
});

test('nonces survive a restart through the persisted high-water mark, even with the clock set back', async () => {
  const rig = await krakenRig();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nonce-'));
  try {
    const file = path.join(dir, 'nonce');
    const first = rig.newClient({ nonceStore: new FileNonceStore(file) });
    await first.balance();
    await first.balance();
    const hw = Number(fs.readFileSync(file, 'utf8'));
    assert.equal(hw, rig.clock.t * 1000 + 1);
    // "Restart": a new instance whose clock is 10 minutes behind.
    const restarted = rig.newClient({ nonceStore: new FileNonceStore(file), now: () => rig.clock.t - 600_000, maxRetries: 0 });
    await restarted.balance();
    assert.equal(Number(fs.readFileSync(file, 'utf8')), hw + 1);
    assert.equal(rig.sim.stats.rejections['EAPI:Invalid nonce'] ?? 0, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await rig.close();
  }
});

test('limiter waits on the fake clock: 100 concurrent private calls at starter tier get zero rate-limit errors', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    const t0 = rig.clock.t;
    const startedReal = Date.now();
    const calls = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? rig.client.openOrders() : i % 3 === 1 ? rig.client.balance() : rig.client.queryOrders([])));
    await Promise.all(calls);
    const elapsed = (rig.clock.t - t0) / 1000;
    const sent = Object.values(rig.client.stats.privateCalls).reduce((a, b) => a + b, 0);
    assert.equal(rig.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0);
    assert.equal(rig.client.stats.retries, 0);
    // queryOrders([]) sends nothing: 67 calls really went out; 14 fit at once, the rest wait 1/0.33 s each.
    assert.equal(sent, 67);
    const expected = (67 - 14) / 0.33;
    assert.ok(Math.abs(elapsed - expected) < 3, `fake time ${elapsed.toFixed(1)} s, expected ≈ ${expected.toFixed(1)} s`);
    assert.ok(Date.now() - startedReal < 10_000, 'no real sleeping');
    assert.ok(rig.sim.restCounter() <= 15);

    // 100 more, all real calls, straight after: still no rejection.
    await Promise.all(Array.from({ length: 100 }, () => rig.client.balance()));
    assert.equal(rig.sim.stats.rejections['EAPI:Rate limit exceeded'] ?? 0, 0);
    assert.equal(rig.sim.stats.calls.Balance, 33 + 100);
  } finally {
    await rig.close();
  }
});

test('trading limiter: placing and quickly cancelling 30 orders at starter tier never trips EOrder:Rate limit exceeded', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await rig.client.addOrder(order({ price: (0.09 - i * 0.0001).toFixed(7) }))).txid[0]!);
    for (const id of ids) await rig.client.cancelOrder({ txid: id });
    assert.equal(rig.sim.stats.rejections['EOrder:Rate limit exceeded'] ?? 0, 0);
    assert.equal(rig.sim.openOrders().length, 0);
    assert.ok(rig.client.stats.limiterWaitMs > 0, 'the limiter had to wait');
    assert.ok(rig.client.stats.tradingPoints > 60, `charged ${rig.client.stats.tradingPoints} trading points`);
  } finally {
    await rig.close();
  }
});

const READ_FAULTS: FaultType[] = [
  'http_502',
  'http_502_after',
  'service_unavailable',
  'service_unavailable_after',
  'service_busy',
  'invalid_nonce',
  'rate_limit',
  'malformed_json',
  'drop_before',
  'drop_after',
  'timeout_before',
  'timeout_after',
];

test('every fault on a read is retried with (fake) backoff and the read succeeds', async () => {
  const rig = await krakenRig({}, { timeoutMs: 150 });
  try {
    for (const type of READ_FAULTS) {
      rig.sim.faults.add({ type, endpoint: 'OpenOrders', times: 2 });
      const retriesBefore = rig.client.stats.retries;
      const sleepsBefore = rig.clock.sleeps.length;
      const res = await rig.client.openOrders();
      assert.deepEqual(res.open, {}, type);
      assert.equal(rig.client.stats.retries - retriesBefore, 2, `${type}: two retries`);
      assert.ok(rig.clock.sleeps.length - sleepsBefore >= 2, `${type}: backed off on the fake clock`);
      assert.equal(rig.sim.faults.list().length, 0);
    }
    // Latency alone is not a failure.
    rig.sim.faults.add({ type: 'latency', ms: 30, endpoint: 'Balance' });
    await rig.client.balance();
    // Public reads retry too.
    rig.sim.faults.add({ type: 'http_502', endpoint: 'Ticker' });
    assert.ok((await rig.client.getTicker('XDGUSD')).XDGUSD);
  } finally {
    await rig.close();
  }
});

test('a fault that does not go away ends in a typed error after maxRetries backoffs', async () => {
  const rig = await krakenRig({}, { maxRetries: 3 });
  try {
    rig.sim.faults.add({ type: 'service_unavailable', endpoint: 'Balance', times: 100 });
    const sleeps = rig.clock.sleeps.length;
    await assert.rejects(rig.client.balance(), (e: unknown) => e instanceof ExchangeError && e.kind === 'retryable' && /EService:Unavailable/.test(e.message));
    const backoffs = rig.clock.sleeps.slice(sleeps);
    assert.equal(backoffs.length, 3);
    assert.ok(backoffs[1]! > backoffs[0]! && backoffs[2]! > backoffs[1]!, `exponential: ${backoffs.join(', ')}`);
    rig.sim.faults.clear();
    rig.sim.faults.add({ type: 'http_502', endpoint: 'Balance', times: 100 });
    await assert.rejects(rig.client.balance(), (e: unknown) => e instanceof ExchangeError && e.kind === 'retryable' && /HTTP 502/.test(e.message));
    rig.sim.faults.clear();
    // A temporary lockout is not hammered: one attempt, then the error.
    rig.sim.faults.add({ type: 'lockout', times: 100 });
    const sent = rig.sim.requests.length;
    await assert.rejects(rig.client.balance(), (e: unknown) => e instanceof ExchangeError && e.kind === 'rate_limit');
    await assert.rejects(rig.client.addOrder(order()), (e: unknown) => e instanceof ExchangeError && e.kind === 'rate_limit');
    assert.equal(rig.sim.requests.length - sent, 2);
  } finally {
    await rig.close();
  }
});

test('AddOrder under every fault: never a duplicate, exactly one order per cl_ord_id', async () => {
  const rig = await krakenRig({}, { timeoutMs: 150 });
  try {
    const executedFirst: FaultType[] = ['timeout_after', 'drop_after', 'http_502_after', 'service_unavailable_after', 'malformed_json'];
    const notExecuted: FaultType[] = ['timeout_before', 'drop_before', 'http_502', 'service_unavailable', 'service_busy', 'invalid_nonce', 'rate_limit'];
    for (const type of [...executedFirst, ...notExecuted]) {
      rig.sim.faults.add({ type, endpoint: 'AddOrder' });
      const p = order();
      const res = await rig.client.addOrder(p);
      const inSim = rig.sim.ordersByClientId(p.cl_ord_id!);
      assert.equal(inSim.length, 1, `${type}: exactly one order`);
      assert.equal(res.txid[0], inSim[0]!.txid, `${type}: the txid of that order`);
      assert.equal(Boolean(res.recovered), executedFirst.includes(type), `${type}: recovered by lookup`);
    }
    // Refused outright: not retried, no order.
    rig.sim.faults.add({ type: 'insufficient_funds', endpoint: 'AddOrder' });
    const p = order();
    await assert.rejects(rig.client.addOrder(p), (e: unknown) => e instanceof ExchangeError && e.kind === 'insufficient_funds');
    assert.equal(rig.sim.ordersByClientId(p.cl_ord_id!).length, 0);
    assert.equal(rig.sim.stats.calls.AddOrder, executedFirst.length + notExecuted.length);
  } finally {
    await rig.close();
  }
});

test('AddOrder whose outcome stays unknown is looked up before any new attempt, even in a later call', async () => {
  const rig = await krakenRig({}, { timeoutMs: 150, maxRetries: 2 });
  try {
    const p = order();
    rig.sim.faults.add([
      { type: 'timeout_after', endpoint: 'AddOrder' },
      { type: 'http_502', endpoint: 'OpenOrders', times: 50 },
    ]);
    await assert.rejects(rig.client.addOrder(p), (e: unknown) => e instanceof ExchangeError && e.kind === 'network' && /outcome unknown/.test(e.message));
    assert.equal(rig.sim.ordersByClientId(p.cl_ord_id!).length, 1);
    rig.sim.faults.clear();
    const res = await rig.client.addOrder(p);
    assert.equal(res.recovered, true);
    assert.equal(rig.sim.ordersByClientId(p.cl_ord_id!).length, 1);

    // An order that filled before the lookup is found among the closed ones.
    const q = order({ price: '0.0999000' });
    rig.sim.faults.add({ type: 'timeout_after', endpoint: 'AddOrder' });
    const pending = rig.client.addOrder(q);
    await new Promise((r) => setTimeout(r, 20));
    rig.sim.setPrice(0.0998);
    const filled = await pending;
    assert.equal(filled.recovered, true);
    assert.equal(rig.sim.ordersByClientId(q.cl_ord_id!).length, 1);
    assert.equal(rig.sim.order(filled.txid[0]!)!.status, 'closed');

    // Without a cl_ord_id an ambiguous failure is not retried at all.
    rig.sim.faults.add({ type: 'timeout_after', endpoint: 'AddOrder' });
    const before = rig.sim.orders().length;
    await assert.rejects(rig.client.addOrder(order({ cl_ord_id: undefined, userref: 77 })), (e: unknown) => e instanceof ExchangeError && e.kind === 'network');
    assert.equal(rig.sim.orders().length, before + 1);
  } finally {
    await rig.close();
  }
});

test('AddOrder errors are typed: post-only cross, decimals, minimums, userref with cl_ord_id', async () => {
  // Kraken's older answer to a crossing post-only order (EOrder:Post only order); the simulator's default,
  // accepted-then-cancelled, is covered by test/exchange/contract.test.ts (SPEC §5.1: both are handled).
  const rig = await krakenRig({ process: { kind: 'manual', price: 0.1 }, postOnlyCross: 'reject' });
  try {
    const kindOf = async (p: AddOrderParams) => {
      try {
        await rig.client.addOrder(p);
        return 'ok';
      } catch (e) {
        return e instanceof ExchangeError ? e.kind : 'not typed';
      }
    };
    assert.equal(await kindOf(order({ price: '0.1010000' })), 'post_only');
    assert.equal(await kindOf(order({ price: '0.09500001' })), 'invalid_arguments');
    assert.equal(await kindOf(order({ volume: '12.00000000' })), 'invalid_arguments');
    assert.equal(await kindOf(order({ userref: 5 })), 'invalid_arguments');
    assert.equal(await kindOf(order({ volume: '100000.00000000' })), 'insufficient_funds');
    assert.equal(await kindOf(order({ validate: true })), 'ok');
    assert.equal(rig.sim.orders().length, 0);
    await assert.rejects(rig.client.cancelOrder({ txid: 'OAAAAA-BBBBB-CCCCCC' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'unknown_order');
    await assert.rejects(rig.client.queryOrders(Array.from({ length: 51 }, (_, i) => `O${i}`)), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
  } finally {
    await rig.close();
  }
});

test('client has no CancelAll', () => {
  const proto = Object.getOwnPropertyNames(KrakenClient.prototype).map((n) => n.toLowerCase());
  assert.ok(!proto.some((n) => n.includes('cancelall')));
});

test('trading counter across a restart: a new client reading the saved counter waits instead of being rejected (kill -9 with a hot counter)', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    const store = new MemoryRateStore();
    const first = rig.newClient({ rateStore: store });
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push((await first.addOrder(order({ price: (0.09 - i * 0.0001).toFixed(7) }))).txid[0]!);
    // "kill -9": the first client is gone without a word; Kraken's counter is still hot (~50).
    const second = rig.newClient({ rateStore: store });
    assert.ok(second.tradingLimiter.level() > 45, `the restarted client starts from the saved counter (${second.tradingLimiter.level()})`);
    for (const id of ids.slice(0, 3)) await second.cancelOrder({ txid: id }, rig.clock.now());
    assert.equal(rig.sim.stats.rejections['EOrder:Rate limit exceeded'] ?? 0, 0, 'no reject after the restart');
    assert.ok(second.stats.limiterWaitMs > 0, 'the restarted client waited for the counter');
  } finally {
    await rig.close();
  }
});

test('FileRateStore: the saved counter decays by the time since; a clock set back counts as no time; no file = first start (empty); garbage = full', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rate-store-'));
  const file = path.join(dir, 'trading-counter.json');
  let now = 1_000_000;
  const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
  const spec = { max: 60, decayPerSecond: 1 };
  assert.equal(new CounterLimiter(spec, clock, 1, new FileRateStore(file)).level(), 0, 'first start: empty');
  const a = new CounterLimiter(spec, clock, 1, new FileRateStore(file));
  void a.take(40);
  now += 10_000;
  assert.equal(Math.round(new CounterLimiter(spec, clock, 1, new FileRateStore(file)).level()), 30, 'decayed by 10 s');
  now -= 60_000; // the wall clock went back a minute
  assert.equal(Math.round(new CounterLimiter(spec, clock, 1, new FileRateStore(file)).level()), 40, 'no decay credited for negative time');
  fs.writeFileSync(file, 'garbage');
  assert.equal(new CounterLimiter(spec, clock, 1, new FileRateStore(file)).level(), 60, 'unreadable: assume full');
});
