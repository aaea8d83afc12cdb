// Issue 12 item 4: Kraken as it really is (SPEC §5.1). Canned Kraken answers, no simulator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExchangeError } from '../../../src/exchange/exchange.js';
import { krakenErrorKind } from '../../../src/exchange/kraken/errors.js';
import { cannedClient, cannedKraken, captureLogs, krakenOrder, quietLogs } from '../../support/kraken.js';

quietLogs();

test('(a) tradable balances: BalanceEx balance − hold_trade summed over the tradable variants (.F), not staked ones', async () => {
  const k = await cannedKraken({
    BalanceEx: {
      error: [],
      result: {
        XXDG: { balance: '100', hold_trade: '30' },
        'XDG.F': { balance: '50', hold_trade: '0' },
        'XDG.S': { balance: '1000', hold_trade: '0' },
        'XDG.M': { balance: '1000', hold_trade: '0' },
        ZUSD: { balance: '20', hold_trade: '5' },
        'USD.F': { balance: '7.5', hold_trade: '0' },
        XXBT: { balance: '3', hold_trade: '0' },
      },
    },
  });
  try {
    const { ex } = cannedClient(k);
    assert.deepEqual(await ex.getBalances(), { base: 120, quote: 22.5 });
    assert.equal(k.count('Balance'), 0);
  } finally {
    await k.close();
  }
});

test('(a) BalanceEx refused (permission) → Balance, still summing the .F variants', async () => {
  const k = await cannedKraken({
    BalanceEx: { error: ['EGeneral:Permission denied'] },
    Balance: { error: [], result: { XXDG: '100', 'XDG.F': '50', 'XDG.S': '999', ZUSD: '20', 'USD.F': '1' } },
  });
  try {
    const { ex } = cannedClient(k);
    const r = await captureLogs(() => ex.getBalances());
    assert.deepEqual(r.result, { base: 150, quote: 21 });
    assert.ok(r.lines.some((l) => l.includes('BalanceEx')));
  } finally {
    await k.close();
  }
});

test('(b) findOrderByClientId matches our exact cl_ord_id, pair and side; never adopts an order without a cl_ord_id', async () => {
  const k = await cannedKraken();
  try {
    const { ex } = cannedClient(k);
    const cl = ex.krakenClientOrderId('c-1');
    const noCl = krakenOrder({ status: 'open', cl_ord_id: null });
    const otherPair = krakenOrder({ status: 'open', cl_ord_id: cl }, { pair: 'XBTUSD' });
    const otherSide = krakenOrder({ status: 'open', cl_ord_id: cl }, { type: 'sell' });
    const otherCl = krakenOrder({ status: 'open', cl_ord_id: ex.krakenClientOrderId('c-2') });
    k.set('OpenOrders', { error: [], result: { open: { N: noCl, P: otherPair, O: otherCl } } });
    k.set('ClosedOrders', { error: [], result: { closed: { N2: noCl }, count: 1 } });
    assert.equal(await ex.findOrderByClientId('c-1', { side: 'buy' }), null);
    k.set('OpenOrders', { error: [], result: { open: { N: noCl, S: otherSide, GOOD: krakenOrder({ status: 'open', cl_ord_id: cl }) } } });
    const found = await ex.findOrderByClientId('c-1', { side: 'buy' });
    assert.equal(found?.id, 'GOOD');
    assert.equal(found?.clientOrderId, 'c-1');
    // Kraken's altname and wsname forms of the pair are the same pair.
    k.set('OpenOrders', { error: [], result: { open: { W: krakenOrder({ status: 'open', cl_ord_id: cl }, { pair: 'XDG/USD' }) } } });
    assert.equal((await ex.findOrderByClientId('c-1'))?.id, 'W');
  } finally {
    await k.close();
  }
});

test('(b) the ambiguous-AddOrder lookup does not adopt an order without our cl_ord_id or of another pair/side', async () => {
  let adds = 0;
  const k = await cannedKraken({
    AddOrder: () => (++adds === 1 ? { error: ['EService:Unavailable'] } : { error: [], result: { txid: ['NEW'], descr: { order: 'x' } } }),
    OpenOrders: (p: URLSearchParams) => ({ error: [], result: { open: { N: krakenOrder({ status: 'open', cl_ord_id: null }), S: krakenOrder({ status: 'open', cl_ord_id: p.get('cl_ord_id') }, { type: 'sell' }) } } }),
    ClosedOrders: { error: [], result: { closed: {}, count: 0 } },
  });
  try {
    const { ex } = cannedClient(k);
    const placed = await ex.placeOrder({ side: 'buy', price: 0.09, volume: 20, clientOrderId: 'c-9' });
    assert.equal(placed.id, 'NEW');
    assert.equal(adds, 2);
  } finally {
    await k.close();
  }
});

test('(c) warnings (W…) beside a valid result are a success, logged as a warning; E… entries are failures', async () => {
  const k = await cannedKraken({ Balance: { error: ['WGeneral:Deprecated endpoint'], result: { XXDG: '1', ZUSD: '2' } } });
  try {
    const { client } = cannedClient(k);
    const r = await captureLogs(() => client.balance());
    assert.equal(r.error, undefined, String(r.error));
    assert.deepEqual(r.result, { XXDG: '1', ZUSD: '2' });
    assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('WGeneral:Deprecated endpoint')));
    k.set('Balance', { error: ['WGeneral:Deprecated endpoint', 'EGeneral:Invalid arguments'], result: { XXDG: '1' } });
    await assert.rejects(client.balance(), (e: unknown) => e instanceof ExchangeError && e.kind === 'invalid_arguments');
  } finally {
    await k.close();
  }
});

test('(d) EDatabase:Internal error and EGeneral:Internal error are transient: reads retried, AddOrder looked up by client id', async () => {
  assert.equal(krakenErrorKind('EDatabase:Internal error'), 'retryable');
  assert.equal(krakenErrorKind('EGeneral:Internal error'), 'retryable');
  const k = await cannedKraken({
    Balance: (_p: URLSearchParams, n: number) => (n === 1 ? { error: ['EDatabase:Internal error'] } : { error: [], result: { XXDG: '1' } }),
    AddOrder: { error: ['EDatabase:Internal error'] },
    OpenOrders: (p: URLSearchParams) => ({ error: [], result: { open: { FOUND: krakenOrder({ status: 'open', cl_ord_id: p.get('cl_ord_id') }, { price: '0.0900000' }) } } }),
  });
  try {
    const { client, ex } = cannedClient(k);
    assert.deepEqual(await client.balance(), { XXDG: '1' });
    const placed = await ex.placeOrder({ side: 'buy', price: 0.09, volume: 20, clientOrderId: 'c-db' });
    assert.equal(placed.id, 'FOUND');
    assert.equal(k.count('AddOrder'), 1, 'AddOrder is never blindly retried');
  } finally {
    await k.close();
  }
});

test('(e) AssetPairs status and tick_size reach PairInfo; prices go to Kraken rounded to tick_size', async () => {
  const k = await cannedKraken({
    AssetPairs: { error: [], result: { XDGUSD: { altname: 'XDGUSD', wsname: 'XDG/USD', base: 'XXDG', quote: 'ZUSD', pair_decimals: 7, lot_decimals: 8, ordermin: '13', costmin: '0.5', tick_size: '0.0000050', status: 'post_only' } } },
    AddOrder: { error: [], result: { txid: ['T1'], descr: { order: 'x' } } },
  });
  try {
    const { ex } = cannedClient(k);
    const info = await ex.getPairInfo();
    assert.equal(info.status, 'post_only');
    assert.equal(info.tickSize, 0.000005);
    const placed = await ex.placeOrder({ side: 'buy', price: 0.0951234, volume: 20, clientOrderId: 'c-t' });
    const sent = k.calls.find((c) => c.method === 'AddOrder')!.params.get('price');
    assert.equal(sent, '0.0951250');
    assert.equal(placed.price, 0.095125);
  } finally {
    await k.close();
  }
});

test('(f) the account maker fee from TradeVolume (fees_maker for the pair); null when Kraken cannot tell', async () => {
  const k = await cannedKraken({
    TradeVolume: { error: [], result: { currency: 'ZUSD', volume: '0', fees: { XDGUSD: { fee: '0.4000' } }, fees_maker: { XDGUSD: { fee: '0.1600', minfee: '0', maxfee: '0.25' } } } },
  });
  try {
    const { ex } = cannedClient(k);
    assert.equal(await ex.getMakerFeePct!(), 0.16);
    assert.equal(k.calls.find((c) => c.method === 'TradeVolume')!.params.get('pair'), 'XDGUSD');
    k.set('TradeVolume', { error: [], result: { fees_maker: { XDGUSD: { fee: 'NaN' } } } });
    assert.equal(await ex.getMakerFeePct!(), null);
    k.set('TradeVolume', { error: ['EGeneral:Permission denied'] });
    assert.equal(await ex.getMakerFeePct!(), null);
  } finally {
    await k.close();
  }
});

test('(g) a post-only order accepted then cancelled with reason "Post only order" is reported as postOnlyRejected', async () => {
  const k = await cannedKraken({
    QueryOrders: {
      error: [],
      result: {
        PO: krakenOrder({ status: 'canceled', vol_exec: '0', cost: '0', fee: '0', price: '0', reason: 'Post only order' }),
        US: krakenOrder({ status: 'canceled', vol_exec: '0', cost: '0', fee: '0', price: '0', reason: 'User requested' }),
      },
    },
    AddOrder: { error: ['EOrder:Post only order'] },
  });
  try {
    const { ex } = cannedClient(k);
    const by = new Map((await ex.queryOrders(['PO', 'US'])).map((r) => [r.id, r]));
    assert.equal(by.get('PO')!.postOnlyRejected, true);
    assert.equal(by.get('PO')!.state, 'canceled');
    assert.ok(!by.get('US')!.postOnlyRejected);
    // The older answer: refused at AddOrder → the same outcome, the 'post_only' kind (the core keeps the level).
    await assert.rejects(ex.placeOrder({ side: 'buy', price: 0.09, volume: 20, clientOrderId: 'c-po' }), (e: unknown) => e instanceof ExchangeError && e.kind === 'post_only');
    assert.equal(k.count('AddOrder'), 1);
  } finally {
    await k.close();
  }
});

test('(b) pair spellings: altname, wsname, X/Z-prefixed key and DOGE/XDG denote the same pair; nothing else does', async () => {
  const { matchesOrder, pairForms } = await import('../../../src/exchange/kraken/client.js');
  const o = (pair: string, cl: string | null, type = 'buy') => krakenOrder({ cl_ord_id: cl }, { pair, type }) as never;
  for (const p of ['XDGUSD', 'XDG/USD', 'XXDGZUSD', 'DOGEUSD', 'DOGE/USD']) assert.ok(matchesOrder(o(p, 'abc'), 'abc', { pairs: ['XDGUSD'], side: 'buy' }), p);
  assert.ok(matchesOrder(o('XDGUSD', 'abc'), 'abc', { pairs: ['DOGEUSD'] }));
  assert.ok(!matchesOrder(o('XBTUSD', 'abc'), 'abc', { pairs: ['XDGUSD'] }));
  assert.ok(!matchesOrder(o('XDGUSD', 'abc', 'sell'), 'abc', { pairs: ['XDGUSD'], side: 'buy' }));
  assert.ok(!matchesOrder(o('XDGUSD', null), 'abc', {}));
  assert.ok(!matchesOrder(o('XDGUSD', 'abd'), 'abc', {}));
  assert.deepEqual(pairForms('XXBTZUSD'), ['XXBTZUSD', 'XBTUSD']);
});
