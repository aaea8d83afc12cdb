// Issue 18 item 1 (exchange side): every number that enters from Kraken is
// validated at the edge. Canned Kraken answers, no simulator.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OrderReport } from '../../../src/exchange/exchange.js';
import { ExchangeError } from '../../../src/exchange/exchange.js';
import { cannedClient, cannedKraken, captureLogs, krakenOrder, quietLogs } from '../../support/kraken.js';

quietLogs();

function sane(r: OrderReport): void {
  for (const k of ['price', 'volume', 'volumeExecuted', 'avgPrice', 'fee', 'openedAt'] as const) {
    assert.ok(Number.isFinite(r[k]) && r[k] >= 0, `${k} = ${r[k]}`);
  }
  assert.ok(r.avgPrice < 1e6 && r.fee < 1e6 && r.volumeExecuted <= r.volume);
}

async function reportsFor(orders: Record<string, Record<string, unknown>>) {
  const k = await cannedKraken({ QueryOrders: { error: [], result: orders } });
  try {
    const { ex } = cannedClient(k);
    return await captureLogs(() => ex.queryOrders(Object.keys(orders)));
  } finally {
    await k.close();
  }
}

test('order reports: a bad fee falls back to cost × maker fee, logged', async () => {
  const r = await reportsFor({ O1: krakenOrder({ fee: 'NaN' }), O2: krakenOrder({ fee: '-3' }), O3: krakenOrder({ fee: '1e300' }) });
  const reports = r.result!;
  assert.equal(reports.length, 3);
  for (const x of reports) {
    sane(x);
    assert.ok(Math.abs(x.fee - 2 * 0.0025) < 1e-12, `fee ${x.fee}`);
  }
  assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('fee')));
});

test('order reports: avg price 0 or missing with vol_exec > 0 → cost/vol_exec, else the limit price, logged', async () => {
  const r = await reportsFor({
    O1: krakenOrder({ price: '0', cost: '1.9', vol_exec: '20' }),
    O2: krakenOrder({ price: undefined, cost: '1.9', vol_exec: '20' }),
    O3: krakenOrder({ price: '0', cost: 'abc', vol_exec: '20' }, { price: '0.0990000' }),
    O4: krakenOrder({ price: '0', cost: '0', vol_exec: '0', fee: '0', status: 'canceled' }),
  });
  const by = new Map(r.result!.map((x) => [x.id, x]));
  for (const x of by.values()) sane(x);
  assert.ok(Math.abs(by.get('O1')!.avgPrice - 0.095) < 1e-12);
  assert.ok(Math.abs(by.get('O2')!.avgPrice - 0.095) < 1e-12);
  assert.equal(by.get('O3')!.avgPrice, 0.099);
  assert.equal(by.get('O4')!.avgPrice, 0);
  assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('average price')));
});

test('order reports: absurd numbers make the report unknown (omitted, asked again next tick), logged with the reason', async () => {
  const r = await reportsFor({
    OK: krakenOrder(),
    A: krakenOrder({ vol_exec: 'abc' }),
    B: krakenOrder({ vol_exec: '-1' }),
    C: krakenOrder({ vol: '1e300', vol_exec: '1e300' }),
    D: krakenOrder({ price: '1e300' }),
    E: krakenOrder({}, { price: 'Infinity' }),
    F: krakenOrder({ vol_exec: '25' }),
    G: krakenOrder({ vol: '-20', vol_exec: '0' }),
  });
  assert.deepEqual(r.result!.map((x) => x.id), ['OK']);
  sane(r.result![0]!);
  const lines = r.lines.filter((l) => l.includes('unknown'));
  assert.ok(lines.length >= 7, lines.join('\n'));
});

test('findOrderByClientId with an absurd report: a retryable error, never a bogus report or a false "not found"; listOpenOrders lists it as unreadable', async () => {
  const k = await cannedKraken();
  try {
    const { ex } = cannedClient(k);
    const cl = ex.krakenClientOrderId('c-1');
    k.set('OpenOrders', { error: [], result: { open: { O1: krakenOrder({ status: 'open', cl_ord_id: cl, vol_exec: 'NaN' }) } } });
    await assert.rejects(ex.findOrderByClientId('c-1'), (e: unknown) => e instanceof ExchangeError && e.retryable);
    // One garbled order must not hide the others from the start-up reconcile (garbled-open-order.test.ts): listed, no numbers.
    const [listed] = await ex.listOpenOrders();
    assert.equal(listed!.id, 'O1');
    assert.ok(listed!.unreadable && Number.isNaN(listed!.volumeExecuted));
  } finally {
    await k.close();
  }
});

test('ticker: last far outside [bid, ask] is corrected to the mid (logged); bid > ask or non-positive values are rejected', async () => {
  const k = await cannedKraken();
  try {
    const { ex } = cannedClient(k);
    const tick = (a: string, b: string, c: string) => k.set('Ticker', { error: [], result: { XDGUSD: { a: [a, '1', '1'], b: [b, '1', '1'], c: [c, '1'] } } });
    tick('0.1', '0.1', '0.001');
    const r = await captureLogs(() => ex.getTicker());
    assert.deepEqual(r.result, { bid: 0.1, ask: 0.1, last: 0.1 });
    assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('last')));
    tick('0.1002', '0.1', '1e308');
    assert.deepEqual(await ex.getTicker(), { bid: 0.1, ask: 0.1002, last: 0.1001 });
    for (const [a, b, c] of [
      ['0.1', '0.2', '0.15'],
      ['0.1', '0', '0.1'],
      ['-0.1', '0.1', '0.1'],
      ['1e300', '0.1', '0.1'],
      ['0.1', '0.1', '-1'],
    ] as const) {
      tick(a, b, c);
      await assert.rejects(ex.getTicker(), (e: unknown) => e instanceof ExchangeError && e.retryable, `${a} ${b} ${c}`);
    }
  } finally {
    await k.close();
  }
});

test('balances: negative, non-numeric or absurd amounts are refused (retryable), never passed on', async () => {
  const k = await cannedKraken();
  try {
    const { ex } = cannedClient(k);
    for (const bad of ['-5', 'abc', '1e300']) {
      k.set('BalanceEx', { error: [], result: { XXDG: { balance: bad, hold_trade: '0' }, ZUSD: { balance: '10', hold_trade: '0' } } });
      k.set('Balance', { error: [], result: { XXDG: bad, ZUSD: '10' } });
      await assert.rejects(ex.getBalances(), (e: unknown) => e instanceof ExchangeError && e.retryable, bad);
    }
  } finally {
    await k.close();
  }
});

test('AssetPairs with absurd numbers → the fallback pair info, logged', async () => {
  const k = await cannedKraken({
    AssetPairs: { error: [], result: { XDGUSD: { altname: 'XDGUSD', base: 'XXDG', quote: 'ZUSD', pair_decimals: 7, lot_decimals: 8, ordermin: '1e300', costmin: '0.5' } } },
  });
  try {
    const { ex } = cannedClient(k);
    const r = await captureLogs(() => ex.getPairInfo());
    assert.equal(r.result!.orderMin, 13);
    assert.ok(r.lines.some((l) => l.includes('fallback')));
  } finally {
    await k.close();
  }
});

test('OHLC rows with non-finite, non-positive or inconsistent numbers are dropped, logged', async () => {
  const row = (t: number, o: string, h: string, l: string, c: string, v = '100') => [t, o, h, l, c, '0.1', v, 5];
  const k = await cannedKraken({
    OHLC: {
      error: [],
      result: {
        XDGUSD: [row(1, '0.1', '0.11', '0.09', '0.1'), row(2, 'NaN', '0.11', '0.09', '0.1'), row(3, '0.1', '0.09', '0.11', '0.1'), row(4, '0.1', '1e300', '0.09', '0.1'), row(5, '0.1', '0.11', '0.09', '0.1', '-3'), row(6, '0', '0.11', '0', '0.1')],
        last: 6,
      },
    },
  });
  try {
    const { ex } = cannedClient(k);
    const r = await captureLogs(() => ex.getOhlc(15));
    assert.deepEqual(r.result!.map((c) => c.time), [1000]);
    assert.ok(r.lines.some((l) => l.includes('WARNING') && l.includes('OHLC')));
  } finally {
    await k.close();
  }
});
