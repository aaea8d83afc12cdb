// How Kraken describes an order and a trade in its answers: the order-info
// object of "Query Orders Info" / "Get Open Orders" / "Get Closed Orders"
// (https://docs.kraken.com/api/docs/rest-api/get-orders-info) and the trade
// object of "Get Trades History"
// (https://docs.kraken.com/api/docs/rest-api/get-trade-history). Numbers are
// decimal strings; times are seconds.
import { LOT_DECIMALS as ld, PRICE_DECIMALS as pd, XDGUSD_ASSET_PAIR, XDGUSD_KEY } from './asset-pair.js';
import type { SimOrder, SimTrade } from './types.js';

export function orderInfo(o: SimOrder, withTrades: boolean): Record<string, unknown> {
  const altname = XDGUSD_ASSET_PAIR.altname;
  const info: Record<string, unknown> = {
    refid: null,
    userref: o.userref,
    status: o.status,
    opentm: o.openedAt / 1000,
    starttm: 0,
    expiretm: 0,
    descr: {
      pair: altname,
      type: o.side,
      ordertype: 'limit',
      price: o.price.toFixed(pd),
      price2: '0',
      leverage: 'none',
      order: `${o.side} ${o.volume.toFixed(ld)} ${altname} @ limit ${o.price.toFixed(pd)}`,
      close: '',
    },
    vol: o.volume.toFixed(ld),
    vol_exec: o.volExec.toFixed(ld),
    cost: o.cost.toFixed(8),
    fee: o.fee.toFixed(8),
    price: (o.volExec > 0 ? o.cost / o.volExec : 0).toFixed(pd),
    stopprice: '0.00000000',
    limitprice: '0.00000000',
    misc: '',
    oflags: o.oflags,
  };
  if (o.clOrdId !== null) info.cl_ord_id = o.clOrdId;
  if (o.closedAt !== null) info.closetm = o.closedAt / 1000;
  if (o.status === 'canceled' || o.status === 'expired') info.reason = o.reason;
  if (withTrades && o.trades.length) info.trades = [...o.trades];
  return info;
}

export function tradeInfo(t: SimTrade): Record<string, unknown> {
  return {
    ordertxid: t.ordertxid,
    postxid: 'P' + t.tid.slice(1),
    pair: XDGUSD_KEY,
    time: t.time / 1000,
    type: t.side,
    ordertype: 'limit',
    price: t.price.toFixed(pd),
    cost: t.cost.toFixed(8),
    fee: t.fee.toFixed(8),
    vol: t.volume.toFixed(ld),
    margin: '0.00000',
    misc: '',
    maker: t.maker,
  };
}
