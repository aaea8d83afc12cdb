// Placing a limit order the way Kraken's REST "Add Order"
// (https://docs.kraken.com/api/docs/rest-api/add-order) validates it, in
// Kraken's order of checks:
// - pair, type, ordertype (only `limit` is modelled), volume and price as
//   decimal strings with at most lot_decimals / pair_decimals places;
//   `ordermin` and `costmin` from AssetPairs;
// - `userref` a signed 32-bit integer; `cl_ord_id` a UUID or ≤ 18 characters,
//   unique among open orders, and mutually exclusive with `userref`
//   ("This field is mutually exclusive with userref parameter");
// - the market's status ("Get Tradable Asset Pairs" `status`, "Get System
//   Status"; errors from Kraken's "API error messages" support page):
//   `maintenance` → EService:Unavailable, `cancel_only` → EService:Market in
//   cancel_only mode, `post_only` → EService:Market in post_only mode for an
//   order without oflags=post; `limit_only` refuses nothing here (only limit
//   orders are modelled) and `reduce_only` concerns margin positions only;
// - `oflags=post` that would take liquidity: today Kraken accepts the order
//   with a txid and cancels it at once (status `canceled`, reason "Post only
//   order"); its older answer refused it with EOrder:Post only order
//   (`postOnlyCross: 'reject'`). SPEC §5.1: clients handle both;
// - open orders per pair capped by tier (EOrder:Orders limit exceeded, "Spot
//   Trading Limits"); funds net of what open orders hold (EOrder:Insufficient
//   funds);
// - `validate=true` checks without placing. A marketable limit order without
//   `post` executes at once as the taker, at the touch.
import { LOT_DECIMALS as ld, PRICE_DECIMALS as pd, XDGUSD_ASSET_PAIR, decimals, pairMatches } from './asset-pair.js';
import { validClOrdId } from './cl-ord-id.js';
import type { SimBook } from './book.js';
import type { SimCounters } from './counters.js';
import type { SimMarket } from './market.js';
import { KrakenFail, type PairStatus, type PostOnlyCross, type SimOrder } from './types.js';
import type { Params } from './types.js';

/** The parts of the simulator an order touches (the engine provides them; named here so this module does not import the engine). */
export interface OrderDesk {
  readonly allowUserrefWithClOrdId: boolean;
  readonly book: SimBook;
  readonly counters: SimCounters;
  readonly market: SimMarket;
  readonly now: () => number;
  readonly postOnlyCross: PostOnlyCross;
  /** The status that governs trading on the pair now (the exchange's, when it is not online). */
  marketStatus(): PairStatus;
}

export interface AddOrderResult {
  txid?: string[];
  descr: { order: string };
}

export interface OrderRequest {
  type: 'buy' | 'sell';
  price: number;
  volume: number;
  userref: number | null;
  clOrdId: string | null;
  oflags: string[];
}

const DECIMAL = /^\d+(\.\d+)?$/;

function parseAmounts(p: Params): { volume: number; price: number } {
  const volS = p.volume ?? '';
  const priceS = p.price ?? '';
  const volume = Number(volS);
  const price = Number(priceS);
  if (!DECIMAL.test(volS) || !(volume > 0)) throw new KrakenFail('EGeneral:Invalid arguments:volume');
  if (decimals(volS) > ld) throw new KrakenFail('EGeneral:Invalid arguments:volume');
  if (!DECIMAL.test(priceS) || !(price > 0)) throw new KrakenFail('EGeneral:Invalid arguments:price');
  if (decimals(priceS) > pd) throw new KrakenFail(`EOrder:Invalid price:${XDGUSD_ASSET_PAIR.altname} price can only be specified up to ${pd} decimals.`);
  if (volume < Number(XDGUSD_ASSET_PAIR.ordermin)) throw new KrakenFail('EOrder:Order minimum not met');
  if (volume * price < Number(XDGUSD_ASSET_PAIR.costmin)) throw new KrakenFail('EOrder:Cost minimum not met');
  return { volume, price };
}

function parseTags(engine: OrderDesk, p: Params): { userref: number | null; clOrdId: string | null } {
  const userref = p.userref !== undefined && p.userref !== '' ? Number(p.userref) : null;
  if (userref !== null && (!Number.isInteger(userref) || userref < -2147483648 || userref > 2147483647)) throw new KrakenFail('EGeneral:Invalid arguments:userref');
  const cl = p.cl_ord_id !== undefined && p.cl_ord_id !== '' ? p.cl_ord_id : null;
  if (cl !== null) {
    if (userref !== null && !engine.allowUserrefWithClOrdId) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id and userref are mutually exclusive');
    if (!validClOrdId(cl)) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id');
    if (engine.book.byClOrdId(cl, true).length > 0) throw new KrakenFail('EGeneral:Invalid arguments:cl_ord_id already in use');
  }
  return { userref, clOrdId: cl };
}

/** Refuses an order-entry request the market's status does not allow now. */
export function checkMarketStatus(desk: OrderDesk, action: 'add' | 'amend' | 'cancel', postOnly = false): void {
  const status = desk.marketStatus();
  if (status === 'maintenance') throw new KrakenFail('EService:Unavailable');
  if (status === 'cancel_only' && action !== 'cancel') throw new KrakenFail('EService:Market in cancel_only mode');
  if (status === 'post_only' && action === 'add' && !postOnly) throw new KrakenFail('EService:Market in post_only mode');
}

export function parseRequest(engine: OrderDesk, p: Params): OrderRequest {
  if (!pairMatches(p.pair ?? '')) throw new KrakenFail('EQuery:Unknown asset pair');
  const type = p.type;
  if (type !== 'buy' && type !== 'sell') throw new KrakenFail('EGeneral:Invalid arguments:type');
  if (p.ordertype !== 'limit') throw new KrakenFail('EGeneral:Invalid arguments:ordertype');
  const { volume, price } = parseAmounts(p);
  const { userref, clOrdId } = parseTags(engine, p);
  const oflags = (p.oflags ?? '').split(',').filter(Boolean);
  return { type, price, volume, userref, clOrdId, oflags };
}

/** Would a limit order at `price` take liquidity now? */
export function wouldCross(market: SimMarket, side: 'buy' | 'sell', price: number): boolean {
  return side === 'buy' ? price >= market.ask() : price <= market.bid();
}

/** Does the account have the funds for `volume` more at `price` (on top of what open orders hold)? Throws EOrder:Insufficient funds. */
export function checkFunds(engine: OrderDesk, side: 'buy' | 'sell', price: number, volume: number, crosses: boolean): void {
  const { market, book } = engine;
  const held = book.held();
  if (side === 'buy') {
    const unit = crosses ? market.ask() * (1 + book.takerFeePct / 100) : price * (1 + book.makerFeePct / 100);
    if (book.tradable(XDGUSD_ASSET_PAIR.quote) - held.quote < volume * unit - 1e-12) throw new KrakenFail('EOrder:Insufficient funds');
  } else if (book.tradable(XDGUSD_ASSET_PAIR.base) - held.base < volume - 1e-12) {
    throw new KrakenFail('EOrder:Insufficient funds');
  }
}

/** Post-only, open-order cap and funds; returns whether the order would take liquidity. */
function checkAcceptance(engine: OrderDesk, req: OrderRequest): boolean {
  const crosses = wouldCross(engine.market, req.type, req.price);
  if (req.oflags.includes('post') && crosses && engine.postOnlyCross === 'reject') throw new KrakenFail('EOrder:Post only order');
  if (engine.book.open().length >= engine.counters.openOrderLimit()) throw new KrakenFail('EOrder:Orders limit exceeded');
  checkFunds(engine, req.type, req.price, req.volume, crosses && !req.oflags.includes('post'));
  return crosses;
}

export function orderDescr(side: 'buy' | 'sell', volume: number, price: number): { order: string } {
  return { order: `${side} ${volume.toFixed(ld)} ${XDGUSD_ASSET_PAIR.altname} @ limit ${price.toFixed(pd)}` };
}

/** Validates AddOrder parameters and places the order (unless `validate`); throws KrakenFail with Kraken's error. */
export function placeOrder(engine: OrderDesk, p: Params): AddOrderResult {
  const req = parseRequest(engine, p);
  checkMarketStatus(engine, 'add', req.oflags.includes('post'));
  return placeParsed(engine, req, p.validate === 'true' || p.validate === '1');
}

/** Places an already parsed order: acceptance checks (cap, funds, post-only), then the book. */
export function placeParsed(engine: OrderDesk, req: OrderRequest, validate: boolean): AddOrderResult {
  const crosses = checkAcceptance(engine, req);
  const descr = orderDescr(req.type, req.volume, req.price);
  if (validate) return { descr };
  const o: SimOrder = {
    txid: engine.book.newId('O'),
    side: req.type,
    price: req.price,
    volume: req.volume,
    volExec: 0,
    cost: 0,
    fee: 0,
    status: 'open',
    userref: req.userref,
    clOrdId: req.clOrdId,
    oflags: req.oflags.length ? req.oflags.join(',') : 'fciq',
    openedAt: engine.now(),
    restingSince: engine.now(),
    amends: 0,
    closedAt: null,
    reason: null,
    trades: [],
  };
  engine.book.add(o);
  // A crossing post-only order (Kraken today): accepted, then cancelled by the exchange.
  if (crosses && req.oflags.includes('post')) engine.book.close(o, 'canceled', 'Post only order');
  // A marketable limit order without `post` is the taker at once, at the touch.
  else if (crosses) engine.book.fill(o, req.volume, req.type === 'buy' ? engine.market.ask() : engine.market.bid(), false);
  return { descr, txid: [o.txid] };
}
