// The simulator's Kraken WebSocket v2 endpoints (Starter tier, the default):
// status on connect, subscribe acknowledgements, ticker snapshot then updates,
// executions snapshot then updates for orders placed over REST, token checks,
// ping/pong, heartbeats, and the faults (drop, stall, malformed, duplicate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startKrakenSim, type KrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { connectWebSocket } from '../../../src/util/ws/client.js';
import type { WebSocketConnection, WsCloseInfo } from '../../../src/util/ws/connection.js';
import { FakeClock } from '../../support/clock.js';
import { RawKraken } from './raw-kraken.js';

type Msg = Record<string, any>;

/** A connection that records every message and can wait for one matching a predicate. */
async function open(url: string) {
  const ws = await connectWebSocket(url);
  const msgs: Msg[] = [];
  const waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  let closed: WsCloseInfo | null = null;
  const closeWaiters: ((i: WsCloseInfo) => void)[] = [];
  ws.on({
    onText: (t) => {
      const m = JSON.parse(t) as Msg;
      msgs.push(m);
      for (const w of [...waiters]) if (w.pred(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    },
    onClose: (i) => {
      closed = i;
      for (const f of closeWaiters) f(i);
    },
  });
  const next = (pred: (m: Msg) => boolean) => {
    const seen = msgs.find(pred);
    if (seen) {
      msgs.splice(msgs.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise<Msg>((resolve) => waiters.push({ pred, resolve: (m) => (msgs.splice(msgs.indexOf(m), 1), resolve(m)) }));
  };
  const whenClosed = () => (closed ? Promise.resolve(closed) : new Promise<WsCloseInfo>((r) => closeWaiters.push(r)));
  return { ws: ws as WebSocketConnection, msgs, next, whenClosed, send: (m: Msg) => ws.send(JSON.stringify(m)) };
}

async function withSim(fn: (sim: KrakenSim, clock: FakeClock, rest: RawKraken) => Promise<void>) {
  const clock = new FakeClock();
  const sim = await startKrakenSim({ now: clock.now, wsHeartbeatMs: 0 });
  try {
    await fn(sim, clock, new RawKraken(sim));
  } finally {
    await sim.close();
  }
}

const isExec = (type: string) => (m: Msg) => m.channel === 'executions' && m.type === type;

test('public endpoint: status, ticker ack, snapshot then an update per price change; ping/pong', async () => {
  await withSim(async (sim) => {
    const c = await open(sim.wsUrl);
    const status = await c.next((m) => m.channel === 'status');
    assert.equal(status.data[0].api_version, 'v2');
    c.send({ method: 'subscribe', params: { channel: 'ticker', symbol: ['DOGE/USD'] }, req_id: 7 });
    const ack = await c.next((m) => m.method === 'subscribe');
    assert.equal(ack.success, true);
    assert.equal(ack.req_id, 7);
    assert.equal(ack.result.channel, 'ticker');
    const snap = await c.next((m) => m.channel === 'ticker' && m.type === 'snapshot');
    assert.equal(snap.data[0].symbol, 'DOGE/USD');
    assert.equal(snap.data[0].last, 0.1);
    sim.setPrice(0.105);
    const upd = await c.next((m) => m.channel === 'ticker' && m.type === 'update');
    assert.equal(upd.data[0].last, 0.105);
    for (const k of ['bid', 'ask', 'bid_qty', 'ask_qty', 'volume', 'vwap', 'low', 'high', 'change', 'change_pct']) assert.equal(typeof upd.data[0][k], 'number', k);
    c.send({ method: 'ping', req_id: 9 });
    assert.equal((await c.next((m) => m.method === 'pong')).req_id, 9);
    c.send({ method: 'subscribe', params: { channel: 'ticker', symbol: ['DOGE/EUR'] }, req_id: 8 });
    const bad = await c.next((m) => m.method === 'subscribe' && m.req_id === 8);
    assert.equal(bad.success, false);
    assert.match(bad.error, /not supported/);
    c.send({ method: 'subscribe', params: { channel: 'executions', token: 'x' }, req_id: 10 });
    assert.equal((await c.next((m) => m.req_id === 10)).success, false, 'executions is on the auth endpoint only');
    c.ws.close();
  });
});

test('auth endpoint: bad token refused, snapshot of open orders, then new / trade / filled / canceled updates with cl_ord_id', async () => {
  await withSim(async (sim, clock, rest) => {
    const before = sim.placeOrderDirect({ side: 'buy', price: 0.09, volume: 100, clOrdId: 'before-1' });
    const c = await open(sim.wsAuthUrl);
    c.send({ method: 'subscribe', params: { channel: 'executions', token: 'nope' }, req_id: 1 });
    const refused = await c.next((m) => m.req_id === 1);
    assert.equal(refused.success, false);
    assert.equal(refused.error, 'ESession:Invalid session');
    const { token } = await rest.ok('GetWebSocketsToken');
    c.send({ method: 'subscribe', params: { channel: 'executions', token, snap_orders: true }, req_id: 2 });
    assert.equal((await c.next((m) => m.req_id === 2)).success, true);
    const snap = await c.next(isExec('snapshot'));
    assert.deepEqual(snap.data.map((d: Msg) => [d.order_id, d.cl_ord_id, d.order_status]), [[before, 'before-1', 'new']]);
    const placed = await rest.ok('AddOrder', { pair: 'XDGUSD', type: 'sell', ordertype: 'limit', price: '0.11', volume: '50', oflags: 'post', cl_ord_id: 'ours-1' });
    const txid = placed.txid[0];
    const created = await c.next(isExec('update'));
    assert.deepEqual([created.data[0].exec_type, created.data[0].order_id, created.data[0].cl_ord_id], ['new', txid, 'ours-1']);
    sim.setPrice(0.111);
    // One event per message, as Kraken streams them (ccxt routes a message by its first entry's exec_type).
    const filled = await c.next(isExec('update'));
    const closed = await c.next(isExec('update'));
    assert.deepEqual([...filled.data, ...closed.data].map((d: Msg) => d.exec_type), ['trade', 'filled']);
    assert.equal(filled.data.length, 1);
    assert.ok(closed.sequence > filled.sequence);
    assert.equal(filled.data[0].last_qty, 50);
    assert.equal(filled.data[0].last_price, 0.11);
    assert.equal(filled.data[0].order_status, 'filled');
    assert.ok(filled.data[0].fees[0].qty > 0);
    assert.ok(filled.sequence > created.sequence);
    sim.closeBehindBack(before, 'canceled');
    const cancelled = await c.next(isExec('update'));
    assert.deepEqual([cancelled.data[0].exec_type, cancelled.data[0].order_id], ['canceled', before]);
    // A token older than 15 minutes cannot start a subscription.
    clock.advance(900_000);
    const c2 = await open(sim.wsAuthUrl);
    c2.send({ method: 'subscribe', params: { channel: 'executions', token }, req_id: 3 });
    assert.equal((await c2.next((m) => m.req_id === 3)).error, 'ESession:Invalid session');
    c.ws.close();
    c2.ws.close();
  });
});

test('faults: duplicate execution, malformed frame, oversized message, stall, drop', async () => {
  await withSim(async (sim, clock, rest) => {
    const { token } = await rest.ok('GetWebSocketsToken');
    const c = await open(sim.wsAuthUrl);
    c.send({ method: 'subscribe', params: { channel: 'executions', token } });
    await c.next(isExec('snapshot'));
    sim.ws.fault({ type: 'duplicate' });
    sim.placeOrderDirect({ side: 'buy', price: 0.09, volume: 100 });
    const a = await c.next(isExec('update'));
    const b = await c.next(isExec('update'));
    assert.deepEqual(a, b);
    // stall: nothing is sent, the connection stays open
    c.msgs.length = 0;
    sim.ws.fault({ type: 'stall', endpoint: 'auth', ms: 5000 });
    sim.placeOrderDirect({ side: 'buy', price: 0.08, volume: 100 });
    assert.equal(c.msgs.length, 0);
    clock.advance(5000);
    sim.placeOrderDirect({ side: 'buy', price: 0.07, volume: 100 });
    assert.equal((await c.next(isExec('update'))).data[0].limit_price, 0.07);
    sim.ws.fault({ type: 'malformed', endpoint: 'auth' });
    const info = await c.whenClosed();
    assert.equal(info.code, 1002);
    const p = await open(sim.wsUrl);
    sim.ws.fault({ type: 'oversized', endpoint: 'public' });
    assert.equal((await p.whenClosed()).code, 1009);
    const d = await open(sim.wsUrl);
    await d.next((m) => m.channel === 'status');
    sim.ws.fault({ type: 'drop' });
    assert.equal((await d.whenClosed()).code, 1006);
  });
});
