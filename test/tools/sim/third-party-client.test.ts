// Is the simulator faithful enough that a widely used third-party Kraken
// client would work against it unchanged? This test plays such a client: it
// sends the requests a generic multi-exchange library sends (form-encoded
// private POSTs, market ids from AssetPairs' keys, `oflags=post`, `cl_ord_id`,
// `trades=true`) and reads only the fields such a library maps from Kraken's
// documented responses (REST reference pages named in src/tools/sim/endpoints/),
// parsing every number from its string. No third-party code is installed or
// copied: the shapes come from Kraken's docs. Starter tier (the default).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startKrakenSim, type KrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { SharedClock } from '../../support/kraken.js';
import { RawKraken } from './raw-kraken.js';

/** A decimal string a client parses with parseFloat: must be a finite number. */
function num(v: unknown, what: string): number {
  assert.equal(typeof v, 'string', `${what} is a decimal string`);
  const n = Number(v);
  assert.ok(Number.isFinite(n), `${what} parses: ${String(v)}`);
  return n;
}

/** The unified market a generic client builds from one AssetPairs entry (and Assets for the currency codes). */
function market(id: string, p: Record<string, any>, assets: Record<string, any>) {
  const base = assets[p.base].altname as string;
  const quote = assets[p.quote].altname as string;
  return {
    id,
    altname: p.altname as string,
    wsname: p.wsname as string,
    symbol: `${base === 'XDG' ? 'DOGE' : base}/${quote}`,
    active: p.status === 'online',
    status: p.status as string,
    precision: { amount: p.lot_decimals as number, price: p.pair_decimals as number, tick: num(p.tick_size, 'tick_size') },
    limits: { amountMin: num(p.ordermin, 'ordermin'), costMin: num(p.costmin, 'costmin') },
    taker: (p.fees as number[][])[0]![1]! / 100,
    maker: (p.fees_maker as number[][])[0]![1]! / 100,
  };
}

function order(txid: string, o: Record<string, any>) {
  assert.ok(['pending', 'open', 'closed', 'canceled', 'expired'].includes(o.status), o.status);
  assert.equal(typeof o.opentm, 'number');
  return {
    id: txid,
    clientOrderId: o.cl_ord_id as string | undefined,
    status: o.status as string,
    side: o.descr.type as string,
    type: o.descr.ordertype as string,
    symbolId: o.descr.pair as string,
    price: num(o.descr.price, 'descr.price'),
    amount: num(o.vol, 'vol'),
    filled: num(o.vol_exec, 'vol_exec'),
    cost: num(o.cost, 'cost'),
    fee: num(o.fee, 'fee'),
    average: num(o.price, 'price'),
    postOnly: String(o.oflags).split(',').includes('post'),
    reason: o.reason as string | undefined,
    trades: o.trades as string[] | undefined,
    timestamp: o.opentm * 1000,
    closed: o.closetm === undefined ? undefined : (o.closetm as number) * 1000,
  };
}

type Rig = { sim: KrakenSim; clock: SharedClock; k: RawKraken };

/** Markets (AssetPairs + Assets), ticker, candles, order book; returns the DOGE/USD market. */
async function marketData({ sim, clock, k }: Rig) {
  // load markets: AssetPairs + Assets
  const pairs = await k.pub('AssetPairs');
  const assets = (await k.pub('Assets')).result;
  assert.deepEqual(pairs.error, []);
  const markets = Object.entries(pairs.result as Record<string, any>).map(([id, p]) => market(id, p, assets));
  const doge = markets.find((m) => m.symbol === 'DOGE/USD')!;
  assert.deepEqual(doge, {
    id: 'XDGUSD', altname: 'XDGUSD', wsname: 'XDG/USD', symbol: 'DOGE/USD', active: true, status: 'online',
    precision: { amount: 8, price: 7, tick: 1e-7 }, limits: { amountMin: 13, costMin: 0.5 }, taker: 0.004, maker: 0.0025,
  });

  // ticker
  sim.setPrice(0.1);
  const t = (await k.pub('Ticker', { pair: doge.id })).result[doge.id];
  const ticker = { ask: num(t.a[0], 'a'), bid: num(t.b[0], 'b'), last: num(t.c[0], 'c'), baseVolume: num(t.v[1], 'v'), vwap: num(t.p[1], 'p'), low: num(t.l[1], 'l'), high: num(t.h[1], 'h'), open: num(t.o, 'o') };
  assert.equal(typeof t.t[1], 'number', 'trade count is a number');
  assert.deepEqual([ticker.bid, ticker.ask, ticker.last], [0.1, 0.1, 0.1]);

  // candles: [time, open, high, low, close, vwap, volume, count]
  clock.advance(60_000);
  sim.setPrice(0.101);
  const ohlc = (await k.pub('OHLC', { pair: doge.id, interval: '1' })).result;
  const rows = ohlc[doge.id] as unknown[][];
  assert.ok(rows.length >= 2);
  for (const r of rows) {
    assert.equal(r.length, 8);
    assert.equal(typeof r[0], 'number');
    for (let i = 1; i <= 6; i++) num(r[i], `ohlc[${i}]`);
    assert.equal(typeof r[7], 'number');
  }
  assert.equal(typeof ohlc.last, 'number');

  // order book: [price, volume, timestamp]
  const book = (await k.pub('Depth', { pair: doge.id, count: '5' })).result[doge.id];
  assert.equal(book.asks.length, 5);
  assert.ok(num(book.asks[0][0], 'ask') >= num(book.bids[0][0], 'bid'));
  assert.equal(typeof book.bids[0][2], 'number');

  return doge;
}

/** Balances, a post-only client-id order through its fill, cancels, a crossing post-only order, the fee tier. */
async function orders({ sim, clock, k }: Rig, doge: { id: string }) {
  // balances
  const bal = await k.ok('Balance');
  assert.deepEqual({ USD: num(bal.ZUSD, 'ZUSD'), DOGE: num(bal.XXDG, 'XXDG') }, { USD: 1000, DOGE: 10000 });
  const ex = await k.ok('BalanceEx');
  assert.equal(num(ex.ZUSD.hold_trade, 'hold_trade'), 0);

  // create a post-only limit order with a client order id
  const created = await k.ok('AddOrder', { pair: doge.id, type: 'buy', ordertype: 'limit', volume: '50', price: '0.0990000', oflags: 'post', cl_ord_id: 'c0ffee00-0000-4000-8000-000000000001' });
  assert.ok(Array.isArray(created.txid) && created.txid.length === 1);
  assert.equal(created.descr.order, 'buy 50.00000000 XDGUSD @ limit 0.0990000');
  const id = created.txid[0] as string;

  // fetch order / open orders
  const q = order(id, (await k.ok('QueryOrders', { txid: id, trades: 'true' }))[id]);
  assert.deepEqual([q.status, q.side, q.type, q.symbolId, q.price, q.amount, q.filled, q.postOnly, q.clientOrderId], ['open', 'buy', 'limit', 'XDGUSD', 0.099, 50, 0, true, 'c0ffee00-0000-4000-8000-000000000001']);
  const open = (await k.ok('OpenOrders', { trades: 'true' })).open;
  assert.deepEqual(Object.keys(open), [id]);
  assert.equal(Object.keys((await k.ok('OpenOrders', { cl_ord_id: 'c0ffee00000040008000000000000001' })).open).length, 1, 'a UUID matches with or without dashes');

  // a fill, then the trade history and the closed order
  clock.advance(30_000);
  sim.setPrice(0.098);
  const filled = order(id, (await k.ok('QueryOrders', { txid: id, trades: 'true' }))[id]);
  assert.deepEqual([filled.status, filled.filled, filled.average], ['closed', 50, 0.099]);
  assert.equal(filled.trades!.length, 1);
  const th = await k.ok('TradesHistory');
  assert.equal(th.count, 1);
  const tr = th.trades[filled.trades![0]!];
  assert.deepEqual([tr.ordertxid, tr.pair, tr.type, tr.ordertype, num(tr.price, 'price'), num(tr.vol, 'vol'), typeof tr.time, tr.maker], [id, 'XDGUSD', 'buy', 'limit', 0.099, 50, 'number', true]);
  assert.ok(Math.abs(num(tr.fee, 'fee') - 50 * 0.099 * 0.0025) < 1e-9);
  const closed = await k.ok('ClosedOrders', { start: String(Math.floor(clock.t / 1000) - 3600) });
  assert.equal(closed.count, 1);
  assert.equal(order(id, closed.closed[id]).status, 'closed');

  // cancel by txid and by client id
  const c1 = (await k.ok('AddOrder', { pair: doge.id, type: 'sell', ordertype: 'limit', volume: '50', price: '0.1100000', oflags: 'post' })).txid[0];
  assert.deepEqual(await k.ok('CancelOrder', { txid: c1 }), { count: 1 });
  await k.ok('AddOrder', { pair: doge.id, type: 'sell', ordertype: 'limit', volume: '50', price: '0.1100000', oflags: 'post', cl_ord_id: 'my-order-2' });
  assert.deepEqual(await k.ok('CancelOrder', { cl_ord_id: 'my-order-2' }), { count: 1 });
  const cancelled = order(c1, (await k.ok('QueryOrders', { txid: c1 }))[c1]);
  assert.deepEqual([cancelled.status, cancelled.reason], ['canceled', 'User requested']);
  assert.equal(await k.err('CancelOrder', { txid: c1 }), 'EOrder:Unknown order');

  // a post-only order that would take: accepted, then cancelled by Kraken
  const po = (await k.ok('AddOrder', { pair: doge.id, type: 'buy', ordertype: 'limit', volume: '50', price: '0.1000000', oflags: 'post' })).txid[0];
  const poInfo = order(po, (await k.ok('QueryOrders', { txid: po }))[po]);
  assert.deepEqual([poInfo.status, poInfo.reason, poInfo.filled], ['canceled', 'Post only order', 0]);

  // trading fee
  const fees = await k.ok('TradeVolume', { pair: doge.id });
  assert.deepEqual({ maker: num(fees.fees_maker[doge.id].fee, 'maker') / 100, taker: num(fees.fees[doge.id].fee, 'taker') / 100 }, { maker: 0.0025, taker: 0.004 });
  num(fees.volume, '30-day volume');

}

test('a generic third-party Kraken client works unchanged: markets, ticker, candles, book, balances, post-only and client-id orders, query, cancel, closed orders, trades, fees, auth errors', async () => {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now, process: { kind: 'manual', price: 0.1 } });
  const k = new RawKraken(sim);
  try {
    const r = { sim, clock, k };
    const doge = await marketData(r);
    await orders(r, doge);
    // errors a client maps: bad pair, auth
    assert.deepEqual((await k.pub('Ticker', { pair: 'NOPEUSD' })).error, ['EQuery:Unknown asset pair']);
    assert.deepEqual((await k.priv('Balance', {}, { key: 'not-a-key' })).error, ['EAPI:Invalid key']);
    assert.deepEqual((await k.priv('Balance', {}, { secret: Buffer.from('wrong secret').toString('base64') })).error, ['EAPI:Invalid signature']);
    assert.deepEqual((await k.priv('Balance', {}, { nonce: 1n })).error, ['EAPI:Invalid nonce']);
  } finally {
    await sim.close();
  }
});
