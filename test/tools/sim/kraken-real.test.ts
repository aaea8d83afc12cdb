// The simulator as Kraken really is (issue 12, SPEC §5.1), at the Starter tier
// unless a test says why not: the trading counter with its age-based costs,
// the open-order cap, post-only crossing accepted then cancelled, AmendOrder,
// AddOrderBatch, CancelOrderBatch, suffixed balances in BalanceEx,
// TradeVolume, GetWebSocketsToken, Assets, SystemStatus and pair status
// changes through the admin API. Requests are signed by hand (raw-kraken.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amendCost, batchAddCost } from '../../../src/tools/sim/counters.js';
import { startKrakenSim, type KrakenSimOptions } from '../../../src/tools/sim/kraken-sim.js';
import { httpRequest } from '../../../src/util/http-client.js';
import { SharedClock } from '../../support/kraken.js';
import { RawKraken } from './raw-kraken.js';

async function rig(opts: KrakenSimOptions = {}) {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'manual', price: 0.1 }, ...opts });
  return { clock, sim, k: new RawKraken(sim), close: () => sim.close() };
}

const limit = (type: 'buy' | 'sell', price: string, extra: Record<string, string> = {}) => ({ pair: 'XDGUSD', type, ordertype: 'limit', price, volume: '20', oflags: 'post', ...extra });

async function admin(url: string, p: string, body: unknown) {
  const r = await httpRequest({ url: `${url}${p}`, method: 'POST', body: JSON.stringify(body), timeoutMs: 2000 });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

test('amend and batch costs follow SPEC §5.1: AmendOrder 1 + 3/2/1 under 5/10/15 s; AddOrderBatch ceil(n/2)', () => {
  assert.deepEqual([0, 4_999, 5_000, 9_999, 10_000, 14_999, 15_000, 600_000].map(amendCost), [4, 4, 3, 3, 2, 2, 1, 1]);
  assert.deepEqual([2, 3, 4, 15].map(batchAddCost), [1, 2, 2, 8]);
});

test('Starter is the default tier: trading counter 60, decay 1/s; AddOrder +1, young cancels +8, amends reset the resting time', async () => {
  const { clock, sim, k, close } = await rig();
  try {
    const a = (await k.ok('AddOrder', limit('buy', '0.0900000'))).txid[0] as string;
    assert.equal(sim.tradingCounter(), 1);
    clock.advance(20_000); // 20 s: the counter decays to 0; a cancel now would cost 4.
    assert.equal(sim.tradingCounter(), 0);
    await k.ok('AmendOrder', { txid: a, limit_price: '0.0910000' });
    assert.equal(sim.tradingCounter(), 1, 'an amend of an order older than 15 s costs 1');
    await k.ok('AmendOrder', { txid: a, limit_price: '0.0920000' });
    assert.equal(sim.tradingCounter(), 5, 'the amend reset the resting time: +1 +3');
    await k.ok('CancelOrder', { txid: a });
    assert.equal(sim.tradingCounter(), 13, 'cancelling an order amended < 5 s ago costs 8');
    // Fill the counter to its Starter threshold, then one more point is refused and nothing is done.
    sim.placeOrderDirect({ side: 'buy', price: 0.08, volume: 20 });
    for (let i = 0; i < 47; i++) await k.ok('AddOrder', limit('buy', '0.0800000'));
    assert.equal(sim.tradingCounter(), 60);
    const before = sim.openOrders().length;
    assert.equal(await k.err('AddOrder', limit('buy', '0.0800000')), 'EOrder:Rate limit exceeded');
    assert.equal(sim.openOrders().length, before, 'nothing placed');
    const young = sim.openOrders()[1]!.txid;
    assert.equal(await k.err('CancelOrder', { txid: young }), 'EOrder:Rate limit exceeded');
    assert.equal(sim.order(young)!.status, 'open', 'nothing cancelled');
    assert.equal(await k.err('AmendOrder', { txid: young, limit_price: '0.0810000' }), 'EOrder:Rate limit exceeded');
    assert.equal(sim.order(young)!.price, 0.08, 'nothing amended');
    clock.advance(8_000); // decays 8 points: room for one young-ish cancel (6 points at 5-10 s)
    await k.ok('CancelOrder', { txid: young });
  } finally {
    await close();
  }
});

test('open orders per pair: Starter 60, then EOrder:Orders limit exceeded', async () => {
  const { sim, k, close } = await rig({ balances: { ZUSD: 1_000_000, XXDG: 0 } });
  try {
    for (let i = 0; i < 60; i++) sim.placeOrderDirect({ side: 'buy', price: 0.05, volume: 20 });
    assert.equal(await k.err('AddOrder', limit('buy', '0.0500000')), 'EOrder:Orders limit exceeded');
    assert.equal(sim.openOrders().length, 60);
  } finally {
    await close();
  }
});

test('a crossing post-only order is accepted with a txid, then cancelled with reason "Post only order"; the older refusal is an option', async () => {
  const { sim, k, close } = await rig();
  try {
    const r = await k.ok('AddOrder', limit('buy', '0.1010000'));
    const o = (await k.ok('QueryOrders', { txid: r.txid[0] }))[r.txid[0]];
    assert.deepEqual([o.status, o.reason, o.vol_exec], ['canceled', 'Post only order', '0.00000000']);
    assert.equal(sim.trades().length, 0, 'never executed');
    assert.deepEqual((await k.ok('OpenOrders')).open, {});
  } finally {
    await close();
  }
  const old = await rig({ postOnlyCross: 'reject' });
  try {
    assert.equal(await old.k.err('AddOrder', limit('sell', '0.0990000')), 'EOrder:Post only order');
    assert.equal(old.sim.orders().length, 0);
  } finally {
    await old.close();
  }
});

test('AmendOrder: by txid or cl_ord_id, same ids, fills kept, post_only guard, quantity at the filled amount cancels the rest', async () => {
  const { clock, sim, k, close } = await rig({ partialFillRatio: 0.5 });
  try {
    const txid = (await k.ok('AddOrder', limit('buy', '0.0950000', { cl_ord_id: 'grid-1', volume: '100' }))).txid[0] as string;
    sim.setPrice(0.095); // half of it fills
    assert.equal(sim.order(txid)!.volExec, 50);
    sim.setPrice(0.1);
    clock.advance(60_000);
    const a = await k.ok('AmendOrder', { cl_ord_id: 'grid-1', order_qty: '120', limit_price: '0.0940000' });
    assert.match(a.amend_id, /^T[A-Z2-7]{5}-[A-Z2-7]{5}-[A-Z2-7]{6}$/);
    const o = (await k.ok('QueryOrders', { txid }))[txid];
    assert.deepEqual([o.status, o.vol, o.vol_exec, o.descr.price, o.cl_ord_id], ['open', '120.00000000', '50.00000000', '0.0940000', 'grid-1']);
    assert.equal(sim.order(txid)!.trades.length, 1, 'the earlier fill stays on the order');
    assert.equal(await k.err('AmendOrder', { txid, limit_price: '0.1010000', post_only: 'true' }), 'EOrder:Post only order');
    assert.equal(sim.order(txid)!.price, 0.094, 'a refused amend changes nothing');
    assert.equal(await k.err('AmendOrder', { txid: 'OAAAAA-BBBBB-CCCCCC', limit_price: '0.09' }), 'EOrder:Unknown order');
    assert.equal(await k.err('AmendOrder', { limit_price: '0.09' }), 'EGeneral:Invalid arguments:txid or cl_ord_id required');
    assert.match(await k.err('AmendOrder', { txid, limit_price: '0.094000001' }), /^EOrder:Invalid price/);
    // Kraken: "If an amend request will reduce the order quantity below the existing filled quantity, the remaining quantity will be cancelled."
    await k.ok('AmendOrder', { txid, order_qty: '40' });
    assert.deepEqual([sim.order(txid)!.status, sim.order(txid)!.volExec], ['canceled', 50]);
  } finally {
    await close();
  }
});

test('AddOrderBatch: 2 to 15 orders on one pair, validated all or nothing, then funds per order; JSON or form body', async () => {
  const { sim, k, close } = await rig({ balances: { ZUSD: 3, XXDG: 10000 } });
  try {
    const orders = [
      { type: 'buy', ordertype: 'limit', price: '0.0900000', volume: '20', oflags: 'post', cl_ord_id: 'b-1' },
      { type: 'buy', ordertype: 'limit', price: '0.0890000', volume: '20', oflags: 'post', cl_ord_id: 'b-2' },
      { type: 'sell', ordertype: 'limit', price: '0.1100000', volume: '20', oflags: 'post', cl_ord_id: 's-1' },
    ];
    const bad = [...orders.slice(0, 2), { ...orders[2]!, volume: '12' }];
    assert.equal(await k.err('AddOrderBatch', { pair: 'XDGUSD', orders: bad }, { json: true }), 'EOrder:Order minimum not met');
    assert.equal(sim.orders().length, 0, 'one invalid order rejects the whole batch');
    assert.equal(sim.tradingCounter(), 0);
    const r = await k.ok('AddOrderBatch', { pair: 'XDGUSD', orders }, { json: true });
    // 3 USD buys the first 20 DOGE at 0.09 (1.8045 with the fee), not the second: its error stays with it.
    assert.equal(r.orders.length, 3);
    assert.match(r.orders[0].txid, /^O/);
    assert.deepEqual(r.orders[1], { error: 'EOrder:Insufficient funds' });
    assert.equal(r.orders[2].descr.order, 'sell 20.00000000 XDGUSD @ limit 0.1100000');
    assert.equal(sim.tradingCounter(), 2, 'ceil(3/2)');
    assert.equal(await k.err('AddOrderBatch', { pair: 'XDGUSD', orders: orders.slice(0, 1) }, { json: true }), 'EGeneral:Invalid arguments:orders');
    const many = Array.from({ length: 16 }, (_, i) => ({ ...orders[2]!, cl_ord_id: `m-${i}` }));
    assert.equal(await k.err('AddOrderBatch', { pair: 'XDGUSD', orders: many }, { json: true }), 'EGeneral:Invalid arguments:orders');
    const form: Record<string, string> = { pair: 'XDGUSD' };
    ['0.1200000', '0.1210000'].forEach((price, i) => Object.assign(form, { [`orders[${i}][type]`]: 'sell', [`orders[${i}][ordertype]`]: 'limit', [`orders[${i}][price]`]: price, [`orders[${i}][volume]`]: '20' }));
    assert.equal((await k.ok('AddOrderBatch', form)).orders.filter((o: { txid?: string }) => o.txid).length, 2);
  } finally {
    await close();
  }
});

test('CancelOrderBatch: up to 50 txids or cl_ord_ids, each priced by its age, all or nothing on the counter', async () => {
  const { clock, sim, k, close } = await rig();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await k.ok('AddOrder', limit('buy', `0.09${i}0000`, { cl_ord_id: `c-${i}` }))).txid[0]);
    clock.advance(400_000); // older than 300 s: cancels are free
    const r = await k.ok('CancelOrderBatch', { orders: [ids[0], ids[1]], cl_ord_ids: ['c-2'] }, { json: true });
    assert.equal(r.count, 3);
    assert.equal(sim.tradingCounter(), 0);
    assert.deepEqual(sim.openOrders().map((o) => o.txid), [ids[3]]);
    const fresh = (await k.ok('AddOrder', limit('buy', '0.0800000'))).txid[0];
    await k.ok('CancelOrderBatch', { 'orders[0]': ids[3], 'orders[1]': fresh });
    assert.equal(sim.tradingCounter(), 1 + 8, 'the fresh order costs 8, the old one 0');
    assert.equal(await k.err('CancelOrderBatch', { orders: Array.from({ length: 51 }, () => ids[0]) }, { json: true }), 'EGeneral:Invalid arguments:orders');
  } finally {
    await close();
  }
});

test('BalanceEx with suffixed balances: DOGE under XXDG and XDG.F is tradable, hold_trade follows open orders', async () => {
  const { k, close } = await rig({ balances: { ZUSD: 1000, XXDG: 100, 'XDG.F': 9900 } });
  try {
    await k.ok('AddOrder', limit('sell', '0.1100000', { volume: '5000' }));
    const ex = await k.ok('BalanceEx');
    assert.deepEqual(ex.XXDG, { balance: '100.00000000', hold_trade: '100.00000000' });
    assert.deepEqual(ex['XDG.F'], { balance: '9900.00000000', hold_trade: '4900.00000000' });
    assert.equal((await k.ok('Balance'))['XDG.F'], '9900.00000000', 'Balance lists the suffixed key too');
    assert.equal(await k.err('AddOrder', limit('sell', '0.1100000', { volume: '5001' })), 'EOrder:Insufficient funds');
  } finally {
    await close();
  }
});

test('TradeVolume, GetWebSocketsToken, Assets and SystemStatus answer in Kraken shape', async () => {
  const { k, close } = await rig();
  try {
    const tv = await k.ok('TradeVolume', { pair: 'XDGUSD' });
    assert.equal(tv.currency, 'ZUSD');
    assert.equal(tv.volume, '0.0000');
    assert.deepEqual(tv.fees_maker.XDGUSD, { fee: '0.2500', minfee: '0.0000', maxfee: '0.2500', nextfee: '0.2000', nextvolume: '10000.0000', tiervolume: '0.0000' });
    assert.equal(tv.fees.XDGUSD.fee, '0.4000');
    assert.equal((await k.ok('TradeVolume')).fees, undefined, 'fees only for the pairs asked');
    const tok = await k.ok('GetWebSocketsToken');
    assert.equal(typeof tok.token, 'string');
    assert.equal(tok.expires, 900);
    const assets = (await k.pub('Assets')).result;
    assert.equal(assets.XXDG.altname, 'XDG');
    assert.equal(assets.ZUSD.decimals, 4);
    assert.deepEqual(Object.keys((await k.pub('Assets', { asset: 'XDG' })).result), ['XXDG']);
    assert.deepEqual((await k.pub('Assets', { asset: 'NOPE' })).error, ['EQuery:Unknown asset']);
    const st = (await k.pub('SystemStatus')).result;
    assert.equal(st.status, 'online');
    assert.match(st.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  } finally {
    await close();
  }
});

test('pair status through the admin API: AssetPairs reports it; cancel_only, post_only and maintenance refuse with Kraken errors', async () => {
  const { sim, k, close } = await rig();
  try {
    const txid = (await k.ok('AddOrder', limit('buy', '0.0900000'))).txid[0];
    assert.equal((await admin(sim.url, '/sim/pair-status', { status: 'cancel_only' })).json.status, 'cancel_only');
    assert.equal((await k.pub('AssetPairs', { pair: 'XDGUSD' })).result.XDGUSD.status, 'cancel_only');
    assert.equal(await k.err('AddOrder', limit('buy', '0.0900000')), 'EService:Market in cancel_only mode');
    assert.equal(await k.err('AmendOrder', { txid, limit_price: '0.0890000' }), 'EService:Market in cancel_only mode');
    sim.setPairStatus('post_only');
    assert.equal(await k.err('AddOrder', { ...limit('buy', '0.0900000'), oflags: '' }), 'EService:Market in post_only mode');
    await k.ok('AddOrder', limit('buy', '0.0900000'));
    sim.setPairStatus('maintenance');
    assert.equal(await k.err('CancelOrder', { txid }), 'EService:Unavailable');
    sim.setPairStatus('online');
    sim.setSystemStatus('maintenance');
    assert.equal((await k.pub('SystemStatus')).result.status, 'maintenance');
    assert.equal(await k.err('AddOrder', limit('buy', '0.0900000')), 'EService:Unavailable');
    sim.setSystemStatus('online');
    await k.ok('CancelOrder', { txid });
    assert.equal((await admin(sim.url, '/sim/pair-status', { status: 'bogus' })).status, 400);
  } finally {
    await close();
  }
});

test('CLI: Starter by default, --post-only-cross and --pair-status set the behaviours; the JSON line comes first', async () => {
  const { spawn } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const main = fileURLToPath(new URL('../../../src/tools/sim/main.js', import.meta.url));
  const child = spawn(process.execPath, [main, '--port', '0', '--process', 'manual', '--post-only-cross', 'reject', '--pair-status', 'post_only'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const first = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (b: Buffer) => {
        buf += b.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const info = JSON.parse(first) as { url: string; tier: string };
    assert.equal(info.tier, 'starter');
    const state = JSON.parse((await httpRequest({ url: `${info.url}/sim/state`, timeoutMs: 2000 })).body) as Record<string, unknown>;
    assert.deepEqual([state.tier, state.postOnlyCross, state.pairStatus], ['starter', 'reject', 'post_only']);
  } finally {
    child.kill('SIGTERM');
  }
});
