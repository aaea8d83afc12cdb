// The Kraken simulator on its own: authentication as Kraken does it, the rate
// counters, the matching engine, price processes, the admin API, fault
// switches and the CLI.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ExchangeError } from '../../../src/exchange/exchange.js';
import { httpRequest } from '../../../src/util/http-client.js';
import { signRequest } from '../../../src/exchange/kraken/client.js';
import { createPriceProcess, parseOhlcCsv } from '../../../src/tools/sim/price-process.js';
import { startKrakenSim, type KrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { SharedClock, krakenRig, quietLogs } from '../../support/kraken.js';

quietLogs();

/** A hand-made signed request, so the simulator is tested independently of KrakenClient's plumbing. */
function rawPrivate(sim: KrakenSim, method: string, nonce: bigint, params: string, over: { key?: string; sign?: string } = {}) {
  const body = `nonce=${nonce}${params ? `&${params}` : ''}`;
  const sign = over.sign ?? signRequest(`/0/private/${method}`, String(nonce), body, sim.apiSecret);
  return httpRequest({
    url: `${sim.url}/0/private/${method}`,
    method: 'POST',
    headers: { 'API-Key': over.key ?? sim.apiKey, 'API-Sign': sign },
    body,
    timeoutMs: 2000,
  }).then((r) => ({ status: r.status, json: JSON.parse(r.body) as { error: string[]; result?: Record<string, unknown> } }));
}

async function admin(sim: KrakenSim, method: 'GET' | 'POST' | 'DELETE', p: string, body?: unknown) {
  const r = await httpRequest({ url: `${sim.url}${p}`, method: method as 'GET' | 'POST', body: body === undefined ? undefined : JSON.stringify(body), timeoutMs: 2000 });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

test('private endpoints authenticate exactly like Kraken: API-Key, recomputed API-Sign, strictly increasing nonce', async () => {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now });
  try {
    let n = 1_000_000n;
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '')).json.error, []);
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '', { key: 'nope' })).json.error, ['EAPI:Invalid key']);
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '', { sign: 'AAAA' })).json.error, ['EAPI:Invalid signature']);
    // The signature covers the path: a Balance signature does not authorise OpenOrders.
    const body = `nonce=${++n}`;
    const sign = signRequest('/0/private/Balance', String(n), body, sim.apiSecret);
    assert.deepEqual((await rawPrivate(sim, 'OpenOrders', n, '', { sign })).json.error, ['EAPI:Invalid signature']);
    const ok = ++n;
    assert.deepEqual((await rawPrivate(sim, 'Balance', ok, '')).json.error, []);
    assert.deepEqual((await rawPrivate(sim, 'Balance', ok, '')).json.error, ['EAPI:Invalid nonce'], 'replayed nonce');
    assert.deepEqual((await rawPrivate(sim, 'Balance', ok - 5n, '')).json.error, ['EAPI:Invalid nonce'], 'older nonce');
    assert.deepEqual((await rawPrivate(sim, 'Balance', ok + 1n, '')).json.error, []);
    // A second key has its own nonce sequence.
    const secret2 = Buffer.from('second-key-secret-'.repeat(3)).toString('base64');
    sim.addApiKey('key-two', secret2);
    const r = await httpRequest({
      url: `${sim.url}/0/private/Balance`,
      method: 'POST',
      headers: { 'API-Key': 'key-two', 'API-Sign': signRequest('/0/private/Balance', '5', 'nonce=5', secret2) },
      body: 'nonce=5',
      timeoutMs: 2000,
    });
    assert.deepEqual(JSON.parse(r.body).error, []);
    const get = await httpRequest({ url: `${sim.url}/0/private/Balance`, timeoutMs: 2000 });
    assert.notDeepEqual(JSON.parse(get.body).error, []);
    const unknown = await httpRequest({ url: `${sim.url}/0/private/CancelAll`, method: 'POST', body: 'nonce=1', timeoutMs: 2000 });
    assert.deepEqual(JSON.parse(unknown.body).error, ['EGeneral:Unknown method']);
  } finally {
    await sim.close();
  }
});

test('the REST counter is enforced per tier (history calls cost 2) and decays with the injected clock', async () => {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now, tier: 'starter' });
  try {
    let n = 1n;
    for (let i = 0; i < 15; i++) assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '')).json.error, [], `call ${i + 1}`);
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '')).json.error, ['EAPI:Rate limit exceeded']);
    clock.advance(3100); // 0.33/s → one point back
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '')).json.error, []);
    assert.deepEqual((await rawPrivate(sim, 'Balance', ++n, '')).json.error, ['EAPI:Rate limit exceeded']);
    clock.advance(3100);
    assert.deepEqual((await rawPrivate(sim, 'TradesHistory', ++n, '')).json.error, ['EAPI:Rate limit exceeded'], 'costs 2, only 1 free');
    clock.advance(60_000);
    assert.deepEqual((await rawPrivate(sim, 'TradesHistory', ++n, '')).json.error, []);
    assert.ok(Math.abs(sim.restCounter() - 2) < 1e-9);
    // AddOrder is not on this counter.
    clock.advance(60_000);
    for (let i = 0; i < 15; i++) await rawPrivate(sim, 'Balance', ++n, '');
    const add = await rawPrivate(sim, 'AddOrder', ++n, 'pair=XDGUSD&type=buy&ordertype=limit&price=0.09&volume=20&oflags=post');
    assert.deepEqual(add.json.error, []);
  } finally {
    await sim.close();
  }
});

test('the trading counter: AddOrder +1, cancelling a young order +8, EOrder:Rate limit exceeded past the tier threshold', async () => {
  const rig = await krakenRig({ tier: 'starter' });
  try {
    const ids = [];
    for (let i = 0; i < 52; i++) ids.push(rig.sim.placeOrderDirect({ side: 'buy', price: 0.09 - i * 0.0001, volume: 20 }));
    let n = 10n;
    for (let i = 0; i < 52; i++) await rawPrivate(rig.sim, 'AddOrder', ++n, 'pair=XDGUSD&type=buy&ordertype=limit&price=0.05&volume=20&validate=true');
    assert.ok(Math.abs(rig.sim.tradingCounter() - 52) < 1e-9);
    assert.deepEqual((await rawPrivate(rig.sim, 'CancelOrder', ++n, `txid=${ids[0]}`)).json.error, []);
    assert.deepEqual((await rawPrivate(rig.sim, 'CancelOrder', ++n, `txid=${ids[1]}`)).json.error, ['EOrder:Rate limit exceeded']);
    rig.clock.advance(400_000); // old orders cost nothing to cancel
    assert.deepEqual((await rawPrivate(rig.sim, 'CancelOrder', ++n, `txid=${ids[1]}`)).json.error, []);
    assert.equal(rig.sim.tradingCounter(), 0);
  } finally {
    await rig.close();
  }
});

test('matching engine: resting orders fill along the price path at their limit, with maker fees and balances', async () => {
  const rig = await krakenRig({ process: { kind: 'manual', price: 0.1 }, makerFeePct: 0.25 });
  try {
    const { client, sim } = rig;
    const add = async (type: 'buy' | 'sell', price: string, extra: Record<string, string | number> = {}) =>
      (await client.addOrder({ pair: 'XDGUSD', type, ordertype: 'limit', price, volume: '100.00000000', oflags: 'post', ...extra })).txid[0]!;
    const buy = await add('buy', '0.0950000', { cl_ord_id: 'b-1' });
    const sell = await add('sell', '0.1050000', { cl_ord_id: 's-1' });
    const far = await add('buy', '0.0500000', { userref: 31 });
    sim.setPrice(0.0951);
    assert.equal(sim.order(buy)!.status, 'open');
    sim.setPrice(0.095);
    assert.equal(sim.order(buy)!.status, 'closed', 'buy fills when price ≤ limit');
    sim.setPrice(0.1049);
    assert.equal(sim.order(sell)!.status, 'open');
    sim.setPrice(0.2);
    assert.equal(sim.order(sell)!.status, 'closed', 'sell fills when price ≥ limit');
    assert.equal(sim.order(sell)!.cost, 100 * 0.105, 'filled at its limit, not at the market');
    assert.ok(Math.abs(sim.order(buy)!.fee - 100 * 0.095 * 0.0025) < 1e-12);
    const bal = sim.balances();
    assert.ok(Math.abs(bal.XXDG! - 10000) < 1e-9);
    assert.ok(Math.abs(bal.ZUSD! - (1000 - 9.5 * 1.0025 + 10.5 * 0.9975)) < 1e-9);
    const q = await client.queryOrders([buy, sell, far], { trades: true });
    assert.equal(q[buy]!.cl_ord_id, 'b-1');
    assert.equal(q[buy]!.trades!.length, 1);
    assert.equal(q[far]!.userref, 31);
    assert.equal(q[far]!.status, 'open');
    const hist = await client.tradesHistory();
    assert.equal(hist.count, 2);
    // Cancel by userref, by cl_ord_id, by txid.
    const byCl = await add('buy', '0.0600000', { cl_ord_id: 'c-9' });
    const byTx = await add('buy', '0.0610000');
    assert.equal((await client.cancelOrder({ txid: 31 })).count, 1);
    assert.equal(sim.order(far)!.status, 'canceled');
    assert.equal((await client.cancelOrder({ cl_ord_id: 'c-9' })).count, 1);
    assert.equal(sim.order(byCl)!.status, 'canceled');
    assert.equal((await client.cancelOrder({ txid: byTx })).count, 1);
    await assert.rejects(client.cancelOrder({ txid: byTx }), (e: unknown) => e instanceof ExchangeError && e.kind === 'unknown_order');
    const closed = await client.closedOrders({ cl_ord_id: 'b-1' });
    assert.deepEqual(Object.keys(closed.closed), [buy]);
    await assert.rejects(client.queryOrders(['OAAAAA-AAAAA-AAAAAA']), (e: unknown) => e instanceof ExchangeError && e.kind === 'unknown_order');
    // Duplicate cl_ord_id among open orders is refused.
    await add('buy', '0.0700000', { cl_ord_id: 'dup-1' });
    await assert.rejects(add('buy', '0.0710000', { cl_ord_id: 'dup-1' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
  } finally {
    await rig.close();
  }
});

test('partial fills: each crossing fills a share of the order', async () => {
  const rig = await krakenRig({ partialFillRatio: 0.25 });
  try {
    const id = rig.sim.placeOrderDirect({ side: 'sell', price: 0.11, volume: 100 });
    const seen = [];
    for (let i = 0; i < 5; i++) {
      rig.sim.setPrice(0.111);
      seen.push(rig.sim.order(id)!.volExec);
    }
    assert.deepEqual(seen, [25, 50, 75, 100, 100]);
    assert.equal(rig.sim.order(id)!.status, 'closed');
    assert.equal(rig.sim.order(id)!.trades.length, 4);
  } finally {
    await rig.close();
  }
});

test('price processes: seeded GBM and OU repeat; OU reverts to its mean; replay walks each candle', () => {
  const a = createPriceProcess({ kind: 'gbm', price: 0.1, volatility: 0.01 }, 42);
  const b = createPriceProcess({ kind: 'gbm', price: 0.1, volatility: 0.01 }, 42);
  const pa = Array.from({ length: 50 }, () => a.next()[0]);
  assert.deepEqual(pa, Array.from({ length: 50 }, () => b.next()[0]));
  assert.ok(new Set(pa).size > 40);
  const ou = createPriceProcess({ kind: 'ou', price: 0.2, mean: 0.1, theta: 0.1, volatility: 0.005 }, 7);
  let last = 0;
  let sum = 0;
  for (let i = 0; i < 2000; i++) {
    last = ou.next()[0]!;
    if (i >= 1000) sum += last;
  }
  assert.ok(Math.abs(sum / 1000 - 0.1) < 0.005, `OU mean ${sum / 1000}`);
  const csv = 'time,open,high,low,close,volume\n1700000000,0.10,0.11,0.09,0.105,5\n2023-11-14T22:14:20Z,0.105,0.106,0.095,0.096,1\n';
  const candles = parseOhlcCsv(csv);
  assert.equal(candles.length, 2);
  assert.equal(candles[0]!.time, 1_700_000_000_000);
  assert.equal(candles[1]!.time, Date.parse('2023-11-14T22:14:20Z'));
  const r = createPriceProcess({ kind: 'replay', candles, loop: false });
  assert.deepEqual(r.next(), [0.1, 0.09, 0.11, 0.105]);
  assert.deepEqual(r.next(), [0.105, 0.106, 0.095, 0.096]);
  assert.deepEqual(r.next(), [0.096]);
  const m = createPriceProcess({ kind: 'manual', price: 0.1 });
  m.set(0.2);
  assert.deepEqual(m.next(), [0.2]);
  assert.throws(() => m.set(-1));
});

test('a replayed candle fills an order at its low even when it closes higher; OHLC is served from the path', async () => {
  const clock = new SharedClock();
  const candles = parseOhlcCsv('1700000000,0.10,0.102,0.094,0.101\n1700000060,0.101,0.103,0.1,0.102\n');
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'replay', candles } });
  try {
    const id = sim.placeOrderDirect({ side: 'buy', price: 0.095, volume: 20 });
    clock.advance(60_000);
    sim.step();
    assert.equal(sim.price(), 0.101);
    assert.equal(sim.order(id)!.status, 'closed');
    const r = await httpRequest({ url: `${sim.url}/0/public/OHLC?pair=XDGUSD&interval=1`, timeoutMs: 2000 });
    const rows = JSON.parse(r.body).result.XDGUSD as string[][];
    const row = rows[rows.length - 1]!;
    assert.deepEqual(row.slice(1, 5), ['0.1000000', '0.1020000', '0.0940000', '0.1010000']);
  } finally {
    await sim.close();
  }
});

test('admin HTTP API scripts prices, orders, balances and faults from another process', async () => {
  const rig = await krakenRig({ process: { kind: 'ou', price: 0.1 }, seed: 3 });
  try {
    const { sim, client } = rig;
    assert.equal((await admin(sim, 'POST', '/sim/price', { price: 0.12 })).json.price, 0.12);
    assert.equal((await client.getTicker('XDGUSD')).XDGUSD!.c[0], '0.1200000');
    const stepped = (await admin(sim, 'POST', '/sim/step', { steps: 3 })).json.price as number;
    assert.notEqual(stepped, 0.12);
    const placed = await admin(sim, 'POST', '/sim/orders', { side: 'buy', price: 0.05, volume: 20, userref: 999 });
    const txid = placed.json.txid as string;
    assert.match(txid, /^O[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
    const crossed = await admin(sim, 'POST', '/sim/orders', { side: 'buy', price: 0.5, volume: 20 });
    assert.equal(crossed.status, 200, 'a crossing post-only order is accepted (Kraken today)…');
    assert.deepEqual([sim.order(crossed.json.txid as string)!.status, sim.order(crossed.json.txid as string)!.reason], ['canceled', 'Post only order'], '…and cancelled at once');
    const list = (await admin(sim, 'GET', '/sim/orders?status=open')).json.orders as { txid: string; userref: number }[];
    assert.deepEqual(list.map((o) => [o.txid, o.userref]), [[txid, 999]]);
    assert.equal((await admin(sim, 'POST', `/sim/orders/${txid}/expire`)).status, 200);
    const all = (await admin(sim, 'GET', '/sim/orders')).json.orders as { txid: string; status: string }[];
    assert.equal(all[0]!.status, 'expired');
    await admin(sim, 'POST', '/sim/balances', { ZUSD: 5 });
    assert.equal((await client.balance()).ZUSD, '5.0000');
    await admin(sim, 'POST', '/sim/faults', [{ type: 'http_502', endpoint: 'Balance', times: 2 }]);
    assert.equal(((await admin(sim, 'GET', '/sim/faults')).json.faults as unknown[]).length, 1);
    await client.balance();
    assert.equal(client.stats.retries, 2);
    await admin(sim, 'POST', '/sim/faults', { type: 'service_busy', times: 5 });
    assert.equal((await admin(sim, 'DELETE', '/sim/faults')).status, 200);
    assert.deepEqual(sim.faults.list(), []);
    assert.equal((await admin(sim, 'POST', '/sim/faults', { type: 'bogus' })).status, 400);
    await admin(sim, 'POST', '/sim/latency', { ms: 5 });
    assert.equal(sim.faults.latencyMs, 5);
    const state = (await admin(sim, 'GET', '/sim/state')).json;
    assert.equal(state.tier, 'starter');
    assert.equal(state.process, 'ou');
    assert.equal((await admin(sim, 'GET', '/sim/nope')).status, 404);
  } finally {
    await rig.close();
  }
});

test('close() returns even while a request is being held by a timeout fault', async () => {
  const rig = await krakenRig({}, { timeoutMs: 5_000, maxRetries: 0 });
  rig.sim.faults.add({ type: 'timeout_before', endpoint: 'Balance' });
  const pending = rig.client.balance().catch((e: unknown) => e);
  await new Promise((r) => setTimeout(r, 50));
  await rig.close();
  const err = await pending;
  assert.ok(err instanceof ExchangeError && err.kind === 'network');
});

test('CLI: node dist/src/tools/sim/main.js --port 0 --process gbm|replay:file prints its URL and serves prices', async () => {
  const main = fileURLToPath(new URL('../../../src/tools/sim/main.js', import.meta.url));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-cli-'));
  const csv = path.join(dir, 'candles.csv');
  fs.writeFileSync(csv, 'time,open,high,low,close\n1700000000,0.2,0.21,0.19,0.205\n1700000060,0.205,0.22,0.2,0.21\n');
  try {
    for (const proc of ['gbm', `replay:${csv}`]) {
      const child = spawn(process.execPath, [main, '--port', '0', '--process', proc, '--price', '0.1', '--step-ms', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const line = await new Promise<string>((resolve, reject) => {
          let buf = '';
          child.stdout.on('data', (d: Buffer) => {
            buf += d.toString();
            const i = buf.indexOf('\n');
            if (i >= 0) resolve(buf.slice(0, i));
          });
          child.once('exit', (code) => reject(new Error(`exited ${code}`)));
        });
        const info = JSON.parse(line) as { url: string; wsUrl: string; wsAuthUrl: string; apiKey: string; apiSecret: string; process: string };
        assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        // SPEC §2: the start line carries Kraken's WebSocket v2 endpoints (public and private) on the same port.
        assert.equal(info.wsUrl, `${info.url.replace('http:', 'ws:')}/v2`);
        assert.equal(info.wsAuthUrl, `${info.url.replace('http:', 'ws:')}/auth/v2`);
        assert.equal(info.process, proc === 'gbm' ? 'gbm' : 'replay');
        const price = async () => Number(JSON.parse((await httpRequest({ url: `${info.url}/0/public/Ticker?pair=XDGUSD`, timeoutMs: 2000 })).body).result.XDGUSD.c[0]);
        const first = await price();
        let later = first;
        for (let i = 0; i < 50 && later === first; i++) {
          await new Promise((r) => setTimeout(r, 20));
          later = await price();
        }
        assert.notEqual(later, first, 'the price process steps on its own');
        if (proc !== 'gbm') assert.ok(later >= 0.19 && later <= 0.22);
      } finally {
        const exited = child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
        child.kill('SIGTERM');
        assert.equal(await exited, 0);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
