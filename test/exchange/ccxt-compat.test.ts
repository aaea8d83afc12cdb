// A widely used third-party Kraken client, unchanged, against the simulator
// (issue 12 item 5): ccxt's `kraken` class (npm `ccxt`, a devDependency) with
// only its API base URLs pointed at the simulator on 127.0.0.1. Nothing of
// ccxt is patched; every request it sends is recorded and must go to the
// simulator (no network: ccxt fetches nothing when it loads or is built, and
// a guard on the global fetch refuses any other host while the test runs).
//
// What ccxt shows about the simulator's fidelity (each simulator behaviour
// names its page of Kraken's docs in src/tools/sim/):
// - markets (Assets + AssetPairs), ticker, candles, order book, BalanceEx,
//   post-only and cl_ord_id orders, QueryOrders, OpenOrders (with its
//   cl_ord_id filter), AmendOrder (ccxt's editOrder), CancelOrder by txid and
//   by cl_ord_id, ClosedOrders, TradesHistory (with `start`, which the
//   simulator used to ignore), TradeVolume (ccxt's fetchTradingFee; ccxt has
//   no fetchTradingFees for Kraken) and the auth errors.
// - A wrong secret answers EAPI:Invalid signature, as Kraken does (its errors
//   guide and support article: the API-Sign does not match). ccxt maps that
//   string to a plain ExchangeError, not an AuthenticationError — ccxt's
//   choice (ccxt issue #5128 shows the same against Kraken); an unknown key
//   answers EAPI:Invalid key, which ccxt maps to AuthenticationError.
// - ccxt's fetchOrder(undefined, symbol, {clientOrderId}) sends the client
//   id as `userref` (a Kraken integer), which Kraken would not match either:
//   a client id is looked up with OpenOrders/ClosedOrders' cl_ord_id filter.
//
// ccxt's own throttle is off (it would space private calls 3 s apart); the
// simulator still enforces the Starter tier's REST counter (15, decaying
// 0.33/s), so the test moves the simulator's clock on between groups of
// calls instead of waiting for the counter in real time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { startKrakenSim, type KrakenSim } from '../../src/tools/sim/kraken-sim.js';

type Kraken = InstanceType<typeof ccxt.kraken>;

describe('ccxt (kraken) against the simulator, unchanged (Starter tier)', () => {
  let sim: KrakenSim;
  let skewMs = 0;
  /** The simulator's clock moves on by `s` seconds (its counters decay, its orders age). */
  const later = (s: number) => void (skewMs += s * 1000);
  const urls: string[] = [];
  const realFetch = globalThis.fetch;

  function client(apiKey: string, secret: string): Kraken {
    const ex = new ccxt.kraken({ apiKey, secret, enableRateLimit: false, timeout: 10_000 });
    ex.urls['api'] = { public: sim.url, private: sim.url, zendesk: sim.url };
    const send = ex.fetch.bind(ex);
    ex.fetch = (url: string, method?: string, headers?: unknown, body?: unknown) => {
      urls.push(url);
      return send(url, method, headers, body);
    };
    return ex;
  }

  before(async () => {
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith('http://127.0.0.1:')) return Promise.reject(new Error(`no network in tests: ${url}`));
      return realFetch(input, init);
    }) as typeof fetch;
    sim = await startKrakenSim({
      process: { kind: 'manual', price: 0.1 },
      now: () => Date.now() + skewMs,
      spreadPct: 0.2,
      balances: { ZUSD: 500, XXDG: 2000, 'XDG.F': 300 },
    });
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sim?.close();
  });

  it('loads, reads the market and the account, trades, queries, cancels and reports fees like on Kraken', async () => {
    const ex = client(sim.apiKey, sim.apiSecret);
    assert.equal(urls.length, 0, 'building the client fetched nothing');

    // Markets: Assets + AssetPairs.
    const markets = await ex.loadMarkets();
    const m = markets['DOGE/USD']!;
    assert.equal(m.id, 'XDGUSD');
    assert.equal(m.base, 'DOGE');
    assert.equal(m.quote, 'USD');
    assert.equal(m.active, true);
    assert.equal(m.precision.price, 1e-7, 'tick_size');
    assert.equal(m.precision.amount, 1e-8, 'lot_decimals');
    assert.equal(m.limits.amount?.min, 13, 'ordermin');
    assert.equal(m.limits.cost?.min, 0.5, 'costmin');
    assert.equal(m.maker, 0.0025);
    assert.equal(m.taker, 0.004);

    // Market data.
    const t = await ex.fetchTicker('DOGE/USD');
    assert.ok(t.bid! < t.ask!, `bid ${t.bid} < ask ${t.ask}`);
    assert.ok(Math.abs(t.last! - 0.1) < 1e-9, `last ${t.last}`);
    for (const p of [0.1005, 0.0998]) {
      later(60);
      sim.setPrice(p);
    }
    const candles = await ex.fetchOHLCV('DOGE/USD', '1m');
    assert.ok(candles.length >= 2, `${candles.length} candles`);
    for (const c of candles) {
      assert.equal(c.length, 6);
      assert.equal(c[0]! % 60_000, 0, 'candles open on the minute');
      assert.ok(c[3]! <= Math.min(c[1]!, c[4]!) && c[2]! >= Math.max(c[1]!, c[4]!), `low <= open, close <= high: ${c}`);
    }
    const book = await ex.fetchOrderBook('DOGE/USD', 10);
    assert.ok(book.bids.length > 0 && book.asks.length > 0);
    assert.ok(book.bids[0]![0]! < book.asks[0]![0]!, 'the book is not crossed');
    assert.ok(book.bids.every((b, i) => i === 0 || b[0]! < book.bids[i - 1]![0]!), 'bids best first');
    assert.ok(book.asks.every((a, i) => i === 0 || a[0]! > book.asks[i - 1]![0]!), 'asks best first');

    // Account: BalanceEx (balance and hold_trade per asset key).
    const bal0 = await ex.fetchBalance();
    assert.equal(bal0['USD']?.total, 500);
    assert.equal(bal0['USD']?.used, 0);
    assert.equal(bal0['DOGE']?.total, 2000);

    // A post-only limit order, and one with a client id (cl_ord_id).
    later(30);
    const po = await ex.createOrder('DOGE/USD', 'limit', 'buy', 50, 0.095, { postOnly: true });
    assert.match(po.id ?? '', /^[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{6}$/, 'a Kraken txid');
    const cl = await ex.createOrder('DOGE/USD', 'limit', 'sell', 40, 0.105, { clientOrderId: 'ccxt-test-1' });
    const poNow = await ex.fetchOrder(po.id!, 'DOGE/USD');
    assert.equal(poNow.status, 'open');
    assert.equal(poNow.postOnly, true, 'oflags post');
    assert.equal(poNow.price, 0.095);
    assert.equal(poNow.amount, 50);
    const bal1 = await ex.fetchBalance();
    // The hold covers the order's cost and its maker fee (0.25 %), in ZUSD's 4 decimals.
    assert.ok(Math.abs(bal1['USD']!.used! - 4.75 * 1.0025) < 1e-4, `the buy holds its cost and fee: ${bal1['USD']!.used}`);

    later(30);
    const open = await ex.fetchOpenOrders('DOGE/USD');
    assert.deepEqual(open.map((o) => o.id).sort(), [po.id, cl.id].sort());
    const byCl = await ex.fetchOpenOrders('DOGE/USD', undefined, undefined, { clientOrderId: 'ccxt-test-1' });
    assert.deepEqual(byCl.map((o) => [o.id, o.clientOrderId, o.side, o.price]), [[cl.id, 'ccxt-test-1', 'sell', 0.105]]);

    // AmendOrder (ccxt's editOrder): same txid, new price.
    await ex.editOrder(cl.id!, 'DOGE/USD', 'limit', 'sell', 40, 0.1052);
    const amended = await ex.fetchOrder(cl.id!, 'DOGE/USD');
    assert.equal(amended.price, 0.1052);
    assert.equal(amended.clientOrderId, 'ccxt-test-1');

    // A crossing post-only order: accepted, then cancelled by Kraken with the reason.
    later(30);
    const cross = await ex.createOrder('DOGE/USD', 'limit', 'buy', 50, 0.11, { postOnly: true });
    const crossNow = await ex.fetchOrder(cross.id!, 'DOGE/USD');
    assert.equal(crossNow.status, 'canceled');
    assert.equal((crossNow.info as { reason?: string }).reason, 'Post only order');
    assert.equal(crossNow.filled, 0);

    // Cancel by txid and by client id.
    later(30);
    await ex.cancelOrder(po.id!, 'DOGE/USD');
    assert.equal((await ex.fetchOrder(po.id!, 'DOGE/USD')).status, 'canceled');
    const cl2 = await ex.createOrder('DOGE/USD', 'limit', 'buy', 30, 0.09, { clientOrderId: 'ccxt-test-2' });
    await ex.cancelOrder(undefined as unknown as string, 'DOGE/USD', { clientOrderId: 'ccxt-test-2' });
    later(30);
    assert.equal((await ex.fetchOrder(cl2.id!, 'DOGE/USD')).status, 'canceled');
    await assert.rejects(ex.cancelOrder(po.id!, 'DOGE/USD'), (e: unknown) => e instanceof ccxt.OrderNotFound, 'EOrder:Unknown order');

    // A fill: the price rises through the sell.
    later(30);
    const fillAt = sim.now();
    sim.setPrice(0.106);
    const filled = await ex.fetchOrder(cl.id!, 'DOGE/USD');
    assert.equal(filled.status, 'closed');
    assert.equal(filled.filled, 40);
    assert.equal(filled.average, 0.1052);
    assert.equal(filled.trades.length, 1, 'trades=true lists the fill');
    later(30);
    const closed = await ex.fetchClosedOrders('DOGE/USD');
    assert.ok(closed.some((o) => o.id === cl.id && o.status === 'closed' && o.clientOrderId === 'ccxt-test-1'));
    assert.ok(closed.some((o) => o.id === po.id && o.status === 'canceled'));
    const trades = await ex.fetchMyTrades('DOGE/USD');
    assert.equal(trades.length, 1);
    const tr = trades[0]!;
    assert.equal(tr.order, cl.id);
    assert.equal(tr.side, 'sell');
    assert.equal(tr.price, 0.1052);
    assert.equal(tr.amount, 40);
    assert.equal(tr.takerOrMaker, 'maker');
    assert.equal(tr.fee?.currency, 'USD');
    assert.ok(Math.abs(tr.fee!.cost! - 40 * 0.1052 * 0.0025) < 1e-9, `maker fee ${tr.fee?.cost}`);
    assert.equal((await ex.fetchMyTrades('DOGE/USD', fillAt - 1_000)).length, 1, 'a trade after `start`');
    later(30);
    assert.deepEqual(await ex.fetchMyTrades('DOGE/USD', fillAt + 1_000), [], 'TradesHistory `start` is exclusive of earlier trades');

    // Fees: TradeVolume.
    const fee = await ex.fetchTradingFee('DOGE/USD');
    assert.equal(fee.maker, 0.0025);
    assert.equal(fee.taker, 0.004);

    assert.ok(urls.length > 0 && urls.every((u) => u.startsWith(sim.url + '/0/')), `every request went to the simulator: ${urls.filter((u) => !u.startsWith(sim.url))}`);
    const rej = sim.stats.rejections;
    assert.equal(rej['EAPI:Rate limit exceeded'] ?? 0, 0, JSON.stringify(rej));
    assert.equal(rej['EOrder:Rate limit exceeded'] ?? 0, 0, JSON.stringify(rej));
  });

  it('auth errors: a wrong secret (EAPI:Invalid signature) and an unknown key (EAPI:Invalid key)', async () => {
    const wrongSecret = client(sim.apiKey, Buffer.from('not the secret of this key, at all').toString('base64'));
    await assert.rejects(wrongSecret.fetchBalance(), (e: unknown) => e instanceof ccxt.ExchangeError && /EAPI:Invalid signature/.test((e as Error).message));
    const unknownKey = client('not-a-key-of-this-account', sim.apiSecret);
    await assert.rejects(unknownKey.fetchBalance(), (e: unknown) => e instanceof ccxt.AuthenticationError && /EAPI:Invalid key/.test((e as Error).message));
  });
});
