// A widely used third-party client's Kraken WebSocket v2 support, unchanged,
// against the simulator (issue 13 item 7): ccxt.pro's `kraken` class with only
// its REST and WebSocket base URLs pointed at the simulator on 127.0.0.1.
// watchTicker reads the public v2 `ticker`; watchOrders and watchMyTrades
// authenticate with a GetWebSocketsToken token and read the private
// `executions` channel. What it showed: Kraken streams one execution event per
// message (ccxt routes a message by the exec_type of its first entry), which
// the simulator now does too. ccxt refuses a plain ws:// URL until its proxy
// agents are loaded (`loadHttpProxyAgent`, ccxt's own API, nothing patched).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt from 'ccxt';
import { startKrakenSim, type KrakenSim } from '../../src/tools/sim/kraken-sim.js';

/** Real time: ccxt's sockets run on the real clock; each wait is bounded so a silent simulator fails the test instead of hanging it. */
function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

describe('ccxt.pro (kraken) WebSocket v2 against the simulator, unchanged', () => {
  let sim: KrakenSim;
  const realFetch = globalThis.fetch;
  before(async () => {
    globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (!url.startsWith('http://127.0.0.1:')) return Promise.reject(new Error(`no network in tests: ${url}`));
      return realFetch(input, init);
    }) as typeof fetch;
    sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 }, spreadPct: 0.2, balances: { ZUSD: 500, XXDG: 2000 } });
  });
  after(async () => {
    globalThis.fetch = realFetch;
    await sim?.close();
  });

  it('watchTicker, watchOrders and watchMyTrades see the ticker, our new order and its fill', async () => {
    const ex = new ccxt.pro.kraken({ apiKey: sim.apiKey, secret: sim.apiSecret, enableRateLimit: false, timeout: 10_000 });
    const api = ex.urls['api'] as Record<string, unknown>;
    ex.urls['api'] = { ...api, public: sim.url, private: sim.url, zendesk: sim.url, ws: { public: sim.wsUrl, private: sim.wsAuthUrl, publicV2: sim.wsUrl, privateV2: sim.wsAuthUrl } };
    try {
      await ex.loadHttpProxyAgent();
      await ex.loadMarkets();
      const t = await within(ex.watchTicker('DOGE/USD'), 'watchTicker');
      assert.equal(t.symbol, 'DOGE/USD');
      assert.ok(t.bid! > 0 && t.ask! > t.bid! && t.bid! <= 0.1 && t.ask! >= 0.1, `bid ${t.bid} ask ${t.ask}`);

      const ordersSeen = ex.watchOrders('DOGE/USD');
      await new Promise((r) => setTimeout(r, 300)); // the executions subscription is acknowledged
      const placed = await ex.createOrder('DOGE/USD', 'limit', 'buy', 30, 0.09, { postOnly: true });
      const orders = await within(ordersSeen, 'watchOrders');
      const mine = orders.find((o) => o.id === placed.id);
      assert.ok(mine, `our order ${placed.id} in ${JSON.stringify(orders.map((o) => o.id))}`);
      assert.equal(mine.status, 'open');
      assert.equal(mine.side, 'buy');
      assert.equal(mine.price, 0.09);

      const tradesSeen = ex.watchMyTrades('DOGE/USD');
      await new Promise((r) => setTimeout(r, 300));
      sim.setPrice(0.089);
      const trades = await within(tradesSeen, 'watchMyTrades');
      const fill = trades.find((x) => x.order === placed.id);
      assert.ok(fill, 'the fill of our order');
      assert.equal(fill.price, 0.09);
      assert.equal(fill.amount, 30);
      assert.ok(trades.every((x) => typeof x.price === 'number' && typeof x.amount === 'number'), 'every entry is a trade (no order status parsed as one)');
    } finally {
      await ex.close();
    }
  });
});
