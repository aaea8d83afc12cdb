// Kraken's order-entry endpoints. They charge the pair's trading counter, not
// the REST call counter ("Spot Trading Limits",
// https://docs.kraken.com/api/docs/guides/spot-ratelimits); over the
// threshold the request fails with EOrder:Rate limit exceeded and nothing is
// done.
// - AddOrder (https://docs.kraken.com/api/docs/rest-api/add-order): +1, charged
//   even when the order then fails validation; validation in add-order.ts.
// - AddOrderBatch (https://docs.kraken.com/api/docs/rest-api/add-order-batch):
//   2 to 15 orders on one pair (`pair`, `orders[i][…]`, `validate`);
//   validation covers the whole batch first and one invalid order rejects it
//   all; then each order meets the pre-match checks (funds, open-order cap,
//   post-only) on its own: a failing one carries its `error` in the answer
//   and the others go on. Answers {orders: [{txid, descr} | {error}]}.
//   Counter: +ceil(n/2) (SPEC §5.1).
// - AmendOrder (https://docs.kraken.com/api/docs/rest-api/amend-order): in
//   amend-order.ts.
// - CancelOrder (https://docs.kraken.com/api/docs/rest-api/cancel-order): by
//   txid, by userref (every open order carrying it; `txid` holds the number)
//   or by cl_ord_id; + the age-based penalty of each order cancelled; answers
//   {count}. An order that is not open any more: EOrder:Unknown order.
// - CancelOrderBatch (https://docs.kraken.com/api/docs/rest-api/cancel-order-batch):
//   up to 50 `orders[i]` (txid or userref) and/or `cl_ord_ids[i]`; each
//   order cancelled costs its age-based penalty; answers {count}. Per "Spot
//   Trading Limits" (https://docs.kraken.com/api/docs/guides/spot-ratelimits)
//   a batch cancel is still accepted when its count takes the counter past
//   the maximum (see counters.ts).
import { checkMarketStatus, parseRequest, placeOrder, placeParsed, orderDescr } from '../add-order.js';
import { amendOrder } from '../amend-order.js';
import { pairMatches } from '../asset-pair.js';
import { batchAddCost, cancelPenalty } from '../counters.js';
import type { SimEngine } from '../engine.js';
import { KrakenFail, type SimOrder } from '../types.js';
import type { Endpoint, Params } from './endpoint.js';

const MAX_ADD_BATCH = 15;
const MAX_CANCEL_BATCH = 50;

function addOrder(p: Params, engine: SimEngine) {
  // The fixed count is charged even when the order then fails validation.
  engine.counters.chargeTrading(1);
  return placeOrder(engine, p);
}

/** The `name[i]` (or `name[i][field]`) entries of a flattened array parameter, in index order. */
export function arrayParam(p: Params, name: string): Params[] {
  const items = new Map<number, Params>();
  const re = new RegExp(`^${name}\\[(\\d+)\\](?:\\[([A-Za-z_]+)\\])?$`);
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const item = items.get(i) ?? {};
    item[m[2] ?? ''] = v;
    items.set(i, item);
  }
  return [...items.keys()].sort((a, b) => a - b).map((i) => items.get(i)!);
}

function addOrderBatch(p: Params, engine: SimEngine) {
  const orders = arrayParam(p, 'orders');
  if (!pairMatches(p.pair ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
  if (orders.length < 2 || orders.length > MAX_ADD_BATCH) throw new KrakenFail('EGeneral:Invalid arguments:orders');
  // Validation of the whole batch first: one bad order rejects them all.
  const reqs = orders.map((o) => parseRequest(engine, { ...o, pair: p.pair! }));
  const cls = reqs.map((r) => r.clOrdId).filter((c): c is string => c !== null);
  if (new Set(cls).size !== cls.length) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id already in use');
  for (const r of reqs) checkMarketStatus(engine, 'add', r.oflags.includes('post'));
  const validate = p.validate === 'true' || p.validate === '1';
  if (validate) return { orders: reqs.map((r) => ({ descr: orderDescr(r.type, r.volume, r.price) })) };
  engine.counters.chargeTrading(batchAddCost(reqs.length));
  // Pre-match checks per order: a failure stays with its order.
  const out = reqs.map((r) => {
    try {
      const res = placeParsed(engine, r, false);
      return { txid: res.txid![0]!, descr: res.descr };
    } catch (err) {
      if (err instanceof KrakenFail) return { error: err.krakenError };
      throw err;
    }
  });
  return { orders: out };
}

/** The open orders one reference names: a txid, a userref (all its open orders) or a cl_ord_id. */
function ordersByRef(engine: SimEngine, ref: string, byClOrdId: boolean): SimOrder[] {
  if (byClOrdId) return engine.book.byClOrdId(ref, true);
  if (/^-?\d+$/.test(ref)) return engine.book.open().filter((o) => o.userref === Number(ref));
  const o = engine.book.orders.get(ref);
  return o && o.status === 'open' ? [o] : [];
}

/** The open orders a CancelOrder request names. */
function cancelTargets(p: Params, engine: SimEngine): SimOrder[] {
  if (p.cl_ord_id) {
    const targets = ordersByRef(engine, p.cl_ord_id, true);
    if (targets.length === 0) throw new KrakenFail('EOrder:Unknown order');
    return targets;
  }
  const ref = p.txid;
  if (!ref) throw new KrakenFail('EGeneral:Invalid arguments:txid');
  const targets = ordersByRef(engine, ref, false);
  if (targets.length === 0 && !/^-?\d+$/.test(ref)) throw new KrakenFail('EOrder:Unknown order');
  return targets;
}

/** Charges the age-based penalties of `targets` (all or nothing), then cancels them. */
function cancelAll(engine: SimEngine, targets: SimOrder[], batch = false): { count: number } {
  checkMarketStatus(engine, 'cancel');
  const now = engine.now();
  engine.counters.chargeTrading(
    targets.reduce((s, o) => s + cancelPenalty(now - o.restingSince), 0),
    undefined,
    { batchCancel: batch },
  );
  for (const o of targets) engine.book.close(o, 'canceled', 'User requested');
  return { count: targets.length };
}

function cancelOrder(p: Params, engine: SimEngine) {
  return cancelAll(engine, cancelTargets(p, engine));
}

function cancelOrderBatch(p: Params, engine: SimEngine) {
  const refs = arrayParam(p, 'orders').map((o) => ({ ref: o[''] ?? o.txid ?? '', cl: false }));
  for (const c of arrayParam(p, 'cl_ord_ids')) refs.push({ ref: c[''] ?? '', cl: true });
  if (refs.length === 0 || refs.length > MAX_CANCEL_BATCH || refs.some((r) => !r.ref)) throw new KrakenFail('EGeneral:Invalid arguments:orders');
  const targets = new Map<string, SimOrder>();
  for (const r of refs) for (const o of ordersByRef(engine, r.ref, r.cl)) targets.set(o.txid, o);
  return cancelAll(engine, [...targets.values()], true);
}

const trading = (name: string, handle: Endpoint['handle']): Endpoint => ({ name, access: 'private', restCost: 0, handle });

export const tradingEndpoints: Endpoint[] = [
  trading('AddOrder', addOrder),
  trading('AddOrderBatch', addOrderBatch),
  trading('AmendOrder', (p, engine) => amendOrder(engine, p)),
  trading('CancelOrder', cancelOrder),
  trading('CancelOrderBatch', cancelOrderBatch),
];
