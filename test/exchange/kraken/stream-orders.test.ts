// StreamOrders: the order states learned from execution messages. Duplicated
// and out-of-order messages change nothing twice, foreign orders are ignored,
// a report is handed out only when its fee is known for the whole executed
// volume, REST merges forward only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamOrders } from '../../../src/exchange/kraken/stream-orders.js';
import { parseExecution, type StreamExecution } from '../../../src/exchange/kraken/stream.js';
import type { OrderReport } from '../../../src/exchange/exchange.js';

const ours = (e: StreamExecution) => e.clOrdId?.startsWith('mine') === true;
const book = () => new StreamOrders(ours, (cl) => cl, () => 7);

function ex(over: Record<string, unknown>): StreamExecution {
  return parseExecution({ order_id: 'O1', cl_ord_id: 'mine-1', side: 'buy', limit_price: 0.1, order_qty: 100, order_status: 'new', exec_type: 'new', cum_qty: 0, avg_price: 0, timestamp: '2024-03-01T00:00:00Z', ...over })!;
}
const trade = (id: string, qty: number, cum: number, fee: number) => ex({ exec_type: 'trade', exec_id: id, last_qty: qty, last_price: 0.1, cum_qty: cum, avg_price: 0.1, fees: [{ asset: 'USD', qty: fee }], order_status: cum >= 100 ? 'filled' : 'partially_filled' });
const filled = () => ex({ exec_type: 'filled', order_status: 'filled', cum_qty: 100, avg_price: 0.1 });

test('new → trade → filled: one wake per real change, fee summed from the trades', () => {
  const b = book();
  assert.deepEqual(b.apply([ex({})]), []);
  assert.deepEqual(b.answer(['O1']).reports.map((r) => [r.state, r.volumeExecuted]), [['open', 0]]);
  const w1 = b.apply([trade('E1', 40, 40, 0.01)]);
  assert.deepEqual(w1.map((r) => [r.state, r.volumeExecuted, r.fee]), [['open', 40, 0.01]]);
  const w2 = b.apply([trade('E2', 60, 100, 0.015), filled()]);
  assert.equal(w2.length, 1, 'the last trade (order_status filled) closed it; the filled message changes nothing');
  const r = b.answer(['O1']).reports[0]!;
  assert.deepEqual([r.state, r.volumeExecuted, r.avgPrice, r.clientOrderId, r.userref], ['closed', 100, 0.1, 'mine-1', 7]);
  assert.ok(Math.abs(r.fee - 0.025) < 1e-12);
});

test('duplicates change nothing twice; messages out of order never go backwards', () => {
  const b = book();
  b.apply([ex({})]);
  b.apply([trade('E1', 40, 40, 0.01)]);
  assert.deepEqual(b.apply([trade('E1', 40, 40, 0.01)]), [], 'the same trade again');
  // filled overtakes the last trade: closed, but the fee of the last 60 is unknown → REST, not a guess
  assert.equal(b.apply([filled()]).length, 1);
  assert.deepEqual(b.answer(['O1']), { reports: [], missing: ['O1'] });
  // the late trade completes it
  assert.equal(b.apply([trade('E2', 60, 100, 0.015)]).length, 0, 'no new execution, already closed');
  const r = b.answer(['O1']).reports[0]!;
  assert.deepEqual([r.state, r.volumeExecuted], ['closed', 100]);
  assert.ok(Math.abs(r.fee - 0.025) < 1e-12);
  // an old "new" or a lower cum_qty after the close changes nothing
  assert.deepEqual(b.apply([ex({}), trade('E1', 40, 40, 0.01), ex({ exec_type: 'canceled', order_status: 'canceled' })]), []);
  assert.equal(b.answer(['O1']).reports[0]!.state, 'closed');
});

test('foreign orders are ignored; unknown ids go to REST', () => {
  const b = book();
  assert.deepEqual(b.apply([ex({ order_id: 'X', cl_ord_id: 'someone-else' }), ex({ order_id: 'Y', cl_ord_id: undefined, exec_type: 'trade', exec_id: 'E9', last_qty: 1, cum_qty: 1, fees: [] })]), []);
  assert.equal(b.ignored, 2);
  assert.equal(b.size, 0);
  assert.deepEqual(b.answer(['X', 'Y']).missing, ['X', 'Y']);
});

test('post-only cancel is flagged; REST merges forward only; a placed order reads open at once', () => {
  const b = book();
  b.apply([ex({}), ex({ exec_type: 'canceled', order_status: 'canceled', reason: 'Post only order' })]);
  assert.equal(b.answer(['O1']).reports[0]!.postOnlyRejected, true);
  const rest = (over: Partial<OrderReport>): OrderReport => ({ id: 'O2', clientOrderId: 'mine-2', userref: 7, side: 'sell', price: 0.2, volume: 50, volumeExecuted: 0, avgPrice: 0, fee: 0, state: 'open', openedAt: 0, ...over });
  b.placed(rest({}));
  assert.deepEqual(b.answer(['O2']).reports.map((r) => r.state), ['open']);
  b.apply([ex({ order_id: 'O2', cl_ord_id: 'mine-2', side: 'sell', limit_price: 0.2, order_qty: 50, exec_type: 'trade', exec_id: 'E5', last_qty: 50, cum_qty: 50, avg_price: 0.2, fees: [{ asset: 'USD', qty: 0.025 }], order_status: 'filled' }), ex({ order_id: 'O2', cl_ord_id: 'mine-2', exec_type: 'filled', order_status: 'filled', cum_qty: 50 })]);
  // A lagging REST answer (still open) does not undo the stream's fill.
  assert.deepEqual(b.merge([rest({})]).map((r) => [r.state, r.volumeExecuted]), [['closed', 50]]);
  // A REST answer as far along wins (its numbers are authoritative).
  assert.deepEqual(b.merge([rest({ state: 'closed', volumeExecuted: 50, avgPrice: 0.2, fee: 0.0251 })]).map((r) => r.fee), [0.0251]);
});

test('wsSymbol: Kraken v2 symbols of REST pair names', async () => {
  const { wsSymbol } = await import('../../../src/exchange/kraken/stream.js');
  assert.deepEqual(['XDGUSD', 'XXDGZUSD', 'XBTUSD', 'XXBTZUSD', 'ETHUSD', 'XETHZEUR', 'SOLUSDT'].map(wsSymbol), ['DOGE/USD', 'DOGE/USD', 'BTC/USD', 'BTC/USD', 'ETH/USD', 'ETH/EUR', 'SOL/USDT']);
});

test('after a REST report, later trades add to its numbers; a trade REST had already counted makes it REST again', () => {
  const b = book();
  const restO3 = { id: 'O3', clientOrderId: 'mine-3', userref: 7, side: 'buy' as const, price: 0.1, volume: 100, volumeExecuted: 40, avgPrice: 0.1, fee: 0.01, state: 'open' as const, openedAt: 0 };
  b.merge([restO3]);
  b.apply([ex({ order_id: 'O3', cl_ord_id: 'mine-3', exec_type: 'trade', exec_id: 'E7', last_qty: 60, cum_qty: 100, avg_price: 0.1, fees: [{ asset: 'USD', qty: 0.015 }], order_status: 'filled' })]);
  const r = b.answer(['O3']).reports[0]!;
  assert.deepEqual([r.state, r.volumeExecuted], ['closed', 100]);
  assert.ok(Math.abs(r.fee - 0.025) < 1e-12);
  const c = book();
  c.merge([restO3]);
  // the first 40 (already in REST's numbers) arrive late: 40 + 40 ≠ 40 → not trusted
  c.apply([ex({ order_id: 'O3', cl_ord_id: 'mine-3', exec_type: 'trade', exec_id: 'E6', last_qty: 40, cum_qty: 40, avg_price: 0.1, fees: [{ asset: 'USD', qty: 0.01 }], order_status: 'partially_filled' })]);
  assert.deepEqual(c.answer(['O3']).missing, ['O3']);
});
