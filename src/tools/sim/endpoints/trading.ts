// Kraken's order-entry endpoints. Both charge the pair's trading counter, not
// the REST call counter ("Spot Trading Limits",
// https://docs.kraken.com/api/docs/guides/spot-ratelimits).
// - AddOrder (https://docs.kraken.com/api/docs/rest-api/add-order): +1, charged
//   even when the order then fails validation; validation in add-order.ts.
// - CancelOrder (https://docs.kraken.com/api/docs/rest-api/cancel-order): by
//   txid, by userref (every open order carrying it; `txid` holds the number)
//   or by cl_ord_id; + the age-based penalty of each order cancelled; answers
//   {count}. An order that is not open any more: EOrder:Unknown order.
import { placeOrder } from '../add-order.js';
import { cancelPenalty } from '../counters.js';
import type { SimEngine } from '../engine.js';
import { KrakenFail, type SimOrder } from '../types.js';
import type { Endpoint, Params } from './endpoint.js';

function addOrder(p: Params, engine: SimEngine) {
  // The fixed count is charged even when the order then fails validation.
  engine.counters.chargeTrading(1);
  return placeOrder(engine, p);
}

/** The open orders a CancelOrder request names. */
function cancelTargets(p: Params, engine: SimEngine): SimOrder[] {
  const ref = p.txid;
  if (p.cl_ord_id) {
    const targets = engine.book.byClOrdId(p.cl_ord_id, true);
    if (targets.length === 0) throw new KrakenFail('EOrder:Unknown order');
    return targets;
  }
  if (ref !== undefined && /^-?\d+$/.test(ref)) return engine.book.open().filter((o) => o.userref === Number(ref));
  if (!ref) throw new KrakenFail('EGeneral:Invalid arguments:txid');
  const o = engine.book.orders.get(ref);
  if (!o || o.status !== 'open') throw new KrakenFail('EOrder:Unknown order');
  return [o];
}

function cancelOrder(p: Params, engine: SimEngine) {
  const targets = cancelTargets(p, engine);
  const now = engine.now();
  engine.counters.chargeTrading(targets.reduce((s, o) => s + cancelPenalty(now - o.openedAt), 0));
  for (const o of targets) engine.book.close(o, 'canceled', 'User requested');
  return { count: targets.length };
}

export const tradingEndpoints: Endpoint[] = [
  { name: 'AddOrder', access: 'private', restCost: 0, handle: addOrder },
  { name: 'CancelOrder', access: 'private', restCost: 0, handle: cancelOrder },
];
