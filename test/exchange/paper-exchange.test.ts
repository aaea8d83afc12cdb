import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeError, FALLBACK_PAIR_INFO } from '../../src/exchange/exchange.js';
import { PaperExchange } from '../../src/exchange/paper-exchange.js';
import { FakeClock, ScriptedMarket } from '../support/core.js';

function paper(price: { p: number }, extra: Partial<ConstructorParameters<typeof PaperExchange>[0]> = {}) {
  const clock = new FakeClock(Date.parse('2026-02-01T00:00:00Z'));
  const market = new ScriptedMarket(() => price.p, clock.now, FALLBACK_PAIR_INFO);
  return new PaperExchange({ market, startingQuote: 100, makerFeePct: 0.25, takerFeePct: 0.4, userref: 7, now: clock.now, ...extra });
}

describe('paper exchange', () => {
  it('funds half the capital in DOGE at the first price, without a fee', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    assert.deepEqual(await ex.getBalances(), { base: 500, quote: 50 });
  });

  it('fills a resting buy at its limit with the maker fee once price reaches it, and gives unique ids', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) ids.add((await ex.placeOrder({ side: 'buy', price: 0.09 - i * 0.0001, volume: 13, clientOrderId: `c${i}` })).id);
    assert.equal(ids.size, 30);
    const [first] = ids;
    price.p = 0.0901; // not yet
    await ex.getTicker();
    assert.equal((await ex.queryOrders([first]))[0].state, 'open');
    price.p = 0.09;
    await ex.getTicker();
    const [r] = await ex.queryOrders([first]);
    assert.equal(r.state, 'closed');
    assert.equal(r.avgPrice, 0.09);
    assert.ok(Math.abs(r.fee - 13 * 0.09 * 0.0025) < 1e-15);
  });

  it('rejects a post-only order that would cross, like Kraken', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.1, volume: 13, clientOrderId: 'x' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'post_only');
    await assert.rejects(ex.placeOrder({ side: 'sell', price: 0.099, volume: 13, clientOrderId: 'y' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'post_only');
  });

  it('charges the taker fee on an order that executes at once (the accumulation sweep)', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    const placed = await ex.placeOrder({ side: 'buy', price: 0.1005, volume: 20, clientOrderId: 'acc', postOnly: false });
    const [r] = await ex.queryOrders([placed.id]);
    assert.equal(r.state, 'closed');
    assert.equal(r.avgPrice, 0.1);
    assert.ok(Math.abs(r.fee - 20 * 0.1 * 0.004) < 1e-15, `fee ${r.fee}`);
  });

  it('refuses orders it cannot fund and orders below the pair minimum', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    await assert.rejects(ex.placeOrder({ side: 'sell', price: 0.2, volume: 600, clientOrderId: 's' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'insufficient_funds');
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.05, volume: 5, clientOrderId: 'b' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
  });

  it('survives a restart through its snapshot, ids continuing', async () => {
    const price = { p: 0.1 };
    const ex = paper(price);
    await ex.getTicker();
    const a = await ex.placeOrder({ side: 'buy', price: 0.095, volume: 13, clientOrderId: 'a' });
    const again = paper(price, { snapshot: JSON.parse(JSON.stringify(ex.snapshot())) });
    assert.deepEqual(await again.listOpenOrders(), await ex.listOpenOrders());
    const b = await again.placeOrder({ side: 'buy', price: 0.094, volume: 13, clientOrderId: 'b' });
    assert.notEqual(a.id, b.id);
    assert.equal((await again.findOrderByClientId('a'))?.id, a.id);
  });
});

it('a price source that throws at once still answers a rejected promise, as an async exchange would', async () => {
  const Paper = PaperExchange;
  const market = {
    getTicker: (): Promise<never> => {
      throw new Error('no route to host');
    },
    getPairInfo: (): Promise<never> => {
      throw new Error('no route to host');
    },
    getOhlc: () => Promise.resolve([]),
  };
  const ex = new Paper({ market, startingQuote: 100, makerFeePct: 0.25, userref: 1, now: () => 0 });
  let sync = false;
  let p: Promise<unknown> | undefined;
  try {
    p = ex.getTicker();
  } catch {
    sync = true;
  }
  assert.equal(sync, false);
  await assert.rejects(p!, /no route to host/);
  await assert.rejects(ex.getPairInfo(), /no route to host/);
  await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.1, volume: 20, clientOrderId: 'c1' }), /no route to host/);
});
