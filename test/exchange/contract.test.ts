// The Exchange contract (src/exchange/exchange.ts): one list of behavioural
// checks, run against every implementation the strategy trades through —
// the paper exchange (dry run, backtests) and KrakenExchange talking HTTP to
// the Kraken simulator at the Starter tier. A check that passes here holds
// for both, so the strategy may rely on it without asking which one it has.
// Legitimate differences are spelled out in the rigs' `differences`
// (test/support/exchange-contract.ts) and asserted per rig, not skipped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExchangeError, type OrderReport, type PlaceOrderRequest } from '../../src/exchange/exchange.js';
import {
  MAKER_FEE_PCT,
  START_BALANCES,
  START_PRICE,
  TAKER_FEE_PCT,
  krakenSimRig,
  paperRig,
  type ContractRig,
} from '../support/exchange-contract.js';
import { quietLogs } from '../support/kraken.js';

quietLogs();

const close = (a: number, b: number, eps = 1e-9) => Math.abs(a - b) <= eps;
const buy = (clientOrderId: string, price: number, volume = 100): PlaceOrderRequest => ({ side: 'buy', price, volume, clientOrderId });
const sell = (clientOrderId: string, price: number, volume = 100): PlaceOrderRequest => ({ side: 'sell', price, volume, clientOrderId });
const byId = (rs: OrderReport[]) => [...rs].sort((a, b) => a.id.localeCompare(b.id));
const isKind = (kind: string) => (e: unknown) => e instanceof ExchangeError && e.kind === kind;

async function one(rig: ContractRig, id: string): Promise<OrderReport> {
  const [r] = await rig.exchange.queryOrders([id]);
  assert.ok(r, `no report for ${id}`);
  return r;
}

/** A post-only order that would cross: refused, or accepted and cancelled by the exchange, as the rig says; never resting, never filled. */
async function crossingPostOnly(rig: ContractRig, req: PlaceOrderRequest): Promise<void> {
  if (rig.differences.postOnlyCross === 'refused') {
    await assert.rejects(rig.exchange.placeOrder(req), isKind('post_only'));
    return;
  }
  const placed = await rig.exchange.placeOrder(req);
  const r = await one(rig, placed.id);
  assert.deepEqual({ state: r.state, postOnlyRejected: r.postOnlyRejected, volumeExecuted: r.volumeExecuted }, { state: 'canceled', postOnlyRejected: true, volumeExecuted: 0 });
}

type Check = [name: string, run: (rig: ContractRig) => Promise<void>];

const CHECKS: Check[] = [
  [
    'market data: ticker at the market price, candles, starting balances',
    async (rig) => {
      const t = await rig.exchange.getTicker();
      assert.deepEqual(t, { bid: START_PRICE, ask: START_PRICE, last: START_PRICE });
      await rig.setPrice(0.12);
      assert.equal((await rig.exchange.getTicker()).last, 0.12);
      const candles = await rig.exchange.getOhlc(1);
      assert.ok(candles.length > 0, 'at least the current candle');
      const last = candles[candles.length - 1]!;
      assert.equal(last.close, 0.12);
      assert.ok(last.low <= last.open && last.open <= last.high && last.low <= last.close && last.close <= last.high);
      assert.ok(Number.isFinite(last.time) && last.time > 0);
      assert.deepEqual(await rig.exchange.getBalances(), START_BALANCES);
    },
  ],
  [
    "pair info: Kraken's AssetPairs values for XDGUSD",
    async (rig) => {
      const { status, tickSize, ...info } = await rig.exchange.getPairInfo();
      assert.deepEqual(info, { pair: 'XDGUSD', baseAsset: 'XXDG', quoteAsset: 'ZUSD', priceDecimals: 7, lotDecimals: 8, orderMin: 13, costMin: 0.5 });
      // Kraken's AssetPairs also gives `status` and `tick_size` (an implementation may pass them on).
      if (status !== undefined) assert.equal(status, 'online');
      if (tickSize !== undefined) assert.equal(tickSize, 1e-7);
    },
  ],
  [
    'placeOrder: a post-only limit order tagged as ours, rounded to the pair decimals; one that would cross never rests',
    async (rig) => {
      const placed = await rig.exchange.placeOrder({ side: 'buy', price: 0.09123456, volume: 13.123456789, clientOrderId: 'place-1' });
      assert.deepEqual({ ...placed, id: '' }, { id: '', clientOrderId: 'place-1', price: 0.0912346, volume: 13.12345679 });
      assert.ok(placed.id.length > 0);
      const r = await one(rig, placed.id);
      assert.deepEqual(
        { clientOrderId: r.clientOrderId, userref: r.userref, side: r.side, price: r.price, volume: r.volume, state: r.state, volumeExecuted: r.volumeExecuted, fee: r.fee },
        { clientOrderId: 'place-1', userref: rig.userref, side: 'buy', price: 0.0912346, volume: 13.12345679, state: 'open', volumeExecuted: 0, fee: 0 },
      );
      // Post-only: an order at or through the market would take liquidity. Kraken today (and the
      // simulator) accepts it and cancels it at once, reason "Post only order"; the paper exchange
      // refuses it like Kraken's older EOrder:Post only order answer (SPEC §5.1).
      await crossingPostOnly(rig, buy('cross-b', START_PRICE));
      await crossingPostOnly(rig, sell('cross-s', START_PRICE));
      assert.equal((await rig.exchange.listOpenOrders()).length, 1, 'crossing post-only orders do not rest');
    },
  ],
  [
    'placeOrder: refuses orders below the pair minimums without placing them',
    async (rig) => {
      await assert.rejects(rig.exchange.placeOrder(buy('tiny', 0.09, 12)), isKind('invalid_arguments'));
      // 13 DOGE at 0.01 = 0.13 USD: above ordermin, below costmin (0.5 USD).
      const belowCost = rig.exchange.placeOrder(buy('cheap', 0.01, 13));
      if (rig.differences.costMinEnforced) await assert.rejects(belowCost, isKind('invalid_arguments'));
      else await belowCost;
      assert.equal((await rig.exchange.listOpenOrders()).length, rig.differences.costMinEnforced ? 0 : 1);
    },
  ],
  [
    'placeOrder with postOnly false: crosses and executes at once at the market, paying the taker fee',
    async (rig) => {
      const placed = await rig.exchange.placeOrder({ ...buy('sweep', 0.1005, 20), postOnly: false });
      const r = await one(rig, placed.id);
      assert.equal(r.state, 'closed');
      assert.equal(r.volumeExecuted, 20);
      assert.equal(r.avgPrice, START_PRICE);
      assert.ok(close(r.fee, (20 * START_PRICE * TAKER_FEE_PCT) / 100), `fee ${r.fee}`);
    },
  ],
  [
    'listOpenOrders: a placed order appears as open, ours, with its client order id',
    async (rig) => {
      const a = await rig.exchange.placeOrder(buy('open-b', 0.095));
      const b = await rig.exchange.placeOrder(sell('open-s', 0.105));
      const open = byId(await rig.exchange.listOpenOrders());
      assert.deepEqual(
        open.map((o) => o.id),
        [a.id, b.id].sort(),
      );
      for (const o of open) {
        assert.equal(o.state, 'open');
        assert.equal(o.userref, rig.userref);
        assert.equal(o.clientOrderId, o.id === a.id ? 'open-b' : 'open-s');
        assert.equal(o.side, o.id === a.id ? 'buy' : 'sell');
        assert.equal(o.volumeExecuted, 0);
        assert.equal(o.avgPrice, 0);
        assert.ok(o.openedAt > 0);
      }
    },
  ],
  [
    'queryOrders: many ids in one call (more than one Kraken batch of 50); unknown ids are omitted',
    async (rig) => {
      // 52 orders: two QueryOrders batches, yet within Starter's 60 open orders and 60-point trading counter.
      const ids: string[] = [];
      for (let i = 0; i < 52; i++) ids.push((await rig.exchange.placeOrder(buy(`q-${i}`, 0.09 - i * 0.0001, 13))).id);
      const reports = await rig.exchange.queryOrders([...ids, 'OUNKNW-NKNOWN-UNKNWN']);
      assert.deepEqual(reports.map((r) => r.id).sort(), [...ids].sort());
      for (const r of reports) {
        assert.equal(r.state, 'open');
        assert.equal(r.clientOrderId, `q-${ids.indexOf(r.id)}`);
      }
      assert.deepEqual(await rig.exchange.queryOrders([]), []);
    },
  ],
  [
    'fills: vol_exec, average price and maker fee are reported, and balances move',
    async (rig) => {
      const b = await rig.exchange.placeOrder(buy('fill-b', 0.095));
      const s = await rig.exchange.placeOrder(sell('fill-s', 0.105));
      await rig.setPrice(0.0951);
      assert.equal((await one(rig, b.id)).volumeExecuted, 0, 'not yet: the price stayed above the buy');
      await rig.setPrice(0.095);
      const rb = await one(rig, b.id);
      assert.deepEqual([rb.state, rb.volumeExecuted, rb.avgPrice], ['closed', 100, 0.095]);
      assert.ok(close(rb.fee, (100 * 0.095 * MAKER_FEE_PCT) / 100), `buy fee ${rb.fee}`);
      assert.equal((await one(rig, s.id)).state, 'open');
      await rig.setPrice(0.2);
      const rs = await one(rig, s.id);
      assert.deepEqual([rs.state, rs.volumeExecuted, rs.avgPrice], ['closed', 100, 0.105], 'a resting sell fills at its limit, not at the market');
      assert.ok(close(rs.fee, (100 * 0.105 * MAKER_FEE_PCT) / 100), `sell fee ${rs.fee}`);
      const bal = await rig.exchange.getBalances();
      assert.ok(close(bal.base, START_BALANCES.base), `base ${bal.base}`);
      assert.ok(close(bal.quote, START_BALANCES.quote - 9.5 - rb.fee + 10.5 - rs.fee, 1e-6), `quote ${bal.quote}`);
      assert.deepEqual(await rig.exchange.listOpenOrders(), []);
    },
  ],
  [
    'cancelOrder: by our id; cancelling again or cancelling a filled order is not an error',
    async (rig) => {
      const a = await rig.exchange.placeOrder(buy('cancel-a', 0.095));
      const f = await rig.exchange.placeOrder(buy('cancel-f', 0.099));
      await rig.exchange.cancelOrder(a.id);
      assert.equal((await one(rig, a.id)).state, 'canceled');
      assert.deepEqual(
        (await rig.exchange.listOpenOrders()).map((o) => o.id),
        [f.id],
      );
      await rig.exchange.cancelOrder(a.id);
      await rig.setPrice(0.099);
      assert.equal((await one(rig, f.id)).state, 'closed');
      await rig.exchange.cancelOrder(f.id);
      assert.equal((await one(rig, f.id)).state, 'closed', 'a fill is never undone by a late cancel');
      const unknown = rig.exchange.cancelOrder('OUNKNW-NKNOWN-UNKNWN');
      if (rig.differences.cancelUnknownId === 'throws unknown_order') await assert.rejects(unknown, isKind('unknown_order'));
      else await unknown;
    },
  ],
  [
    'only our orders: listOpenOrders and cancelAllOurs leave foreign orders alone',
    async (rig) => {
      const ours = [(await rig.exchange.placeOrder(buy('mine-b', 0.095))).id, (await rig.exchange.placeOrder(sell('mine-s', 0.105))).id];
      const foreign = await rig.placeForeign(buy('theirs', 0.094));
      assert.deepEqual(
        (await rig.exchange.listOpenOrders()).map((o) => o.id).sort(),
        [...ours].sort(),
      );
      assert.equal(await rig.exchange.cancelAllOurs(), 2);
      assert.deepEqual(await rig.exchange.listOpenOrders(), []);
      for (const id of ours) assert.equal((await one(rig, id)).state, 'canceled');
      for (const id of foreign) assert.equal(await rig.foreignState(id), 'open', `foreign order ${id} survives`);
      assert.equal(await rig.exchange.cancelAllOurs(), 0);
    },
  ],
  [
    'findOrderByClientId: open or filled, never someone else’s order with the same client id',
    async (rig) => {
      const placed = await rig.exchange.placeOrder(buy('find-me', 0.095));
      const open = await rig.exchange.findOrderByClientId('find-me');
      assert.deepEqual([open?.id, open?.state, open?.clientOrderId], [placed.id, 'open', 'find-me']);
      await rig.setPrice(0.095);
      const filled = await rig.exchange.findOrderByClientId('find-me');
      assert.deepEqual([filled?.id, filled?.state, filled?.volumeExecuted], [placed.id, 'closed', 100]);
      await rig.placeForeign(buy('same-name', 0.09));
      assert.equal(await rig.exchange.findOrderByClientId('same-name'), null);
      assert.equal(await rig.exchange.findOrderByClientId('never-placed'), null);
    },
  ],
  [
    'after a restart: our open orders are listed and found again by client order id',
    async (rig) => {
      const placed = await rig.exchange.placeOrder(buy('restart-me', 0.095));
      const again = rig.restart();
      const [listed] = await again.listOpenOrders();
      assert.equal(listed?.id, placed.id);
      assert.equal(listed?.userref, rig.userref);
      assert.equal(listed?.clientOrderId, rig.clientIdAfterRestart('restart-me'));
      const found = await again.findOrderByClientId('restart-me');
      assert.deepEqual([found?.id, found?.state, found?.clientOrderId], [placed.id, 'open', 'restart-me']);
    },
  ],
  [
    'idempotent re-queries: the same questions give the same answers and change nothing',
    async (rig) => {
      const a = await rig.exchange.placeOrder(buy('idem-a', 0.095));
      const b = await rig.exchange.placeOrder(sell('idem-b', 0.105));
      await rig.setPrice(0.095);
      const balances = await rig.exchange.getBalances();
      const q1 = byId(await rig.exchange.queryOrders([a.id, b.id]));
      const q2 = byId(await rig.exchange.queryOrders([b.id, a.id]));
      assert.deepEqual(q2, q1);
      assert.deepEqual(q1.map((r) => r.state), a.id < b.id ? ['closed', 'open'] : ['open', 'closed']);
      assert.deepEqual(await rig.exchange.listOpenOrders(), await rig.exchange.listOpenOrders());
      assert.deepEqual(await rig.exchange.findOrderByClientId('idem-a'), await rig.exchange.findOrderByClientId('idem-a'));
      assert.deepEqual(await rig.exchange.getBalances(), balances);
      const dup = await rig.exchange.queryOrders([a.id, a.id, b.id]);
      assert.equal(dup.length, rig.differences.duplicateQueryIds === 'one report per distinct id' ? 2 : 3);
      assert.deepEqual(byId([...new Map(dup.map((r) => [r.id, r])).values()]), q1);
    },
  ],
];

const RIGS: [string, () => Promise<ContractRig>][] = [
  ['PaperExchange (dry run)', paperRig],
  ['KrakenExchange over HTTP to the simulator (Starter tier)', krakenSimRig],
];

for (const [name, make] of RIGS) {
  describe(`Exchange contract: ${name}`, () => {
    for (const [check, run] of CHECKS) {
      it(check, async () => {
        const rig = await make();
        try {
          await run(rig);
        } finally {
          await rig.close();
        }
      });
    }
  });
}
