// Kraken's atomic amend, as "Amend Order"
// (https://docs.kraken.com/api/docs/rest-api/amend-order) and the guide "Spot
// Atomic Amends" (https://docs.kraken.com/api/docs/guides/spot-amends)
// describe it:
// - the order is named by `txid` or `cl_ord_id` (one of them is required);
//   `order_qty` and/or `limit_price` change in place; the Kraken and client
//   ids stay the same and the fills already made stay on the order;
// - an `order_qty` at or below the quantity already filled cancels the rest
//   of the order ("the remaining quantity will be cancelled");
// - `post_only=true`: a new limit price that would take liquidity is refused
//   (EOrder:Post only order) and the order stays as it was; without it, a
//   crossing limit price executes at once as the taker;
// - the answer is `{amend_id}`, a fresh identifier of the amend transaction;
// - trading counter ("Spot Trading Limits"): +1, plus +3/+2/+1 when the order
//   rested < 5/10/15 s; the amend restarts its resting time (SPEC §5.1);
// - the new values obey AssetPairs as AddOrder's do (decimals, ordermin,
//   costmin) and the account's funds (EOrder:Insufficient funds).
import { LOT_DECIMALS as ld, PRICE_DECIMALS as pd, XDGUSD_ASSET_PAIR, decimals } from './asset-pair.js';
import { checkFunds, checkMarketStatus, wouldCross, type OrderDesk } from './add-order.js';
import { amendCost } from './counters.js';
import { KrakenFail, type Params, type SimOrder } from './types.js';

const DECIMAL = /^\d+(\.\d+)?$/;

function findOrder(desk: OrderDesk, p: Params): SimOrder {
  if (p.txid) {
    const o = desk.book.orders.get(p.txid);
    if (!o || o.status !== 'open') throw new KrakenFail('EOrder:Unknown order');
    return o;
  }
  if (p.cl_ord_id) {
    const o = desk.book.byClOrdId(p.cl_ord_id, true)[0];
    if (!o) throw new KrakenFail('EOrder:Unknown order');
    return o;
  }
  throw new KrakenFail('EGeneral:Invalid arguments:txid or cl_ord_id required');
}

function parseNew(p: Params, o: SimOrder): { volume: number; price: number } {
  let volume = o.volume;
  let price = o.price;
  if (p.order_qty !== undefined) {
    if (!DECIMAL.test(p.order_qty) || decimals(p.order_qty) > ld || !(Number(p.order_qty) > 0)) throw new KrakenFail('EGeneral:Invalid arguments:order_qty');
    volume = Number(p.order_qty);
  }
  if (p.limit_price !== undefined) {
    if (!DECIMAL.test(p.limit_price) || !(Number(p.limit_price) > 0)) throw new KrakenFail('EGeneral:Invalid arguments:limit_price');
    if (decimals(p.limit_price) > pd) throw new KrakenFail(`EOrder:Invalid price:${XDGUSD_ASSET_PAIR.altname} price can only be specified up to ${pd} decimals.`);
    price = Number(p.limit_price);
  }
  if (p.order_qty === undefined && p.limit_price === undefined) throw new KrakenFail('EGeneral:Invalid arguments:nothing to amend');
  return { volume, price };
}

/** Applies an AmendOrder request; returns Kraken's answer. Throws KrakenFail (order unchanged) on refusal. */
export function amendOrder(desk: OrderDesk, p: Params): { amend_id: string } {
  checkMarketStatus(desk, 'amend');
  const o = findOrder(desk, p);
  const { volume, price } = parseNew(p, o);
  const postOnly = p.post_only === 'true' || p.post_only === '1';
  const crosses = wouldCross(desk.market, o.side, price);
  if (postOnly && crosses) throw new KrakenFail('EOrder:Post only order');
  const remaining = volume - o.volExec;
  if (remaining > 1e-12) {
    if (volume < Number(XDGUSD_ASSET_PAIR.ordermin)) throw new KrakenFail('EOrder:Order minimum not met');
    if (volume * price < Number(XDGUSD_ASSET_PAIR.costmin)) throw new KrakenFail('EOrder:Cost minimum not met');
    const heldNow = o.side === 'buy' ? (o.volume - o.volExec) * o.price * (1 + desk.book.makerFeePct / 100) : o.volume - o.volExec;
    const unitNew = o.side === 'buy' ? price * (1 + (crosses ? desk.book.takerFeePct : desk.book.makerFeePct) / 100) : 1;
    // Only the increase over what the order already holds needs new funds.
    if (remaining * unitNew > heldNow + 1e-12) checkFunds(desk, o.side, price, (remaining * unitNew - heldNow) / unitNew, crosses);
  }
  const now = desk.now();
  desk.counters.chargeTrading(amendCost(now - o.restingSince));
  o.amends += 1;
  o.restingSince = now;
  if (remaining <= 1e-12) {
    // Amended to what has already executed: the rest of the order is cancelled.
    if (o.volExec > 0) o.volume = o.volExec;
    desk.book.close(o, 'canceled', 'Order quantity amended below the filled quantity');
  } else {
    o.volume = volume;
    o.price = price;
    if (crosses) desk.book.fill(o, volume - o.volExec, o.side === 'buy' ? desk.market.ask() : desk.market.bid(), false);
  }
  return { amend_id: desk.book.newId('T') };
}
