// The simulator's own HTTP API under /sim/ (no Kraken counterpart), so tests
// and scripts in another process can move the price, place or close orders
// behind the client's back, set balances and arm faults:
//   GET /sim/state · POST /sim/price {price} · POST /sim/step {steps}
//   GET /sim/orders[?status=] · POST /sim/orders {side, price, volume, userref?, cl_ord_id?, post_only?}
//   POST /sim/orders/<txid>/cancel|expire
//   GET|POST|DELETE /sim/faults · POST /sim/latency {ms} · GET|POST /sim/balances
//   POST /sim/pair-status {status: online|cancel_only|post_only|limit_only|reduce_only|maintenance}
//   POST /sim/system-status {status: online|maintenance|cancel_only|post_only}
//   GET /sim/ws · POST /sim/ws/faults {type: drop|stall|malformed|oversized|duplicate|expire_tokens,
//     endpoint?: public|auth|both, ms?, count?} · DELETE /sim/ws/faults   (WebSocket v2, see ws.ts)
// Answers JSON; 400 for a bad request, 404 for an unknown route.
import type http from 'node:http';
import type { SimEngine } from './engine.js';
import type { FaultSpec } from './faults.js';
import { sendJson } from './http.js';
import { orderInfo } from './order-info.js';
import type { SimOrder, WsFaultSpec } from './types.js';
import type { SimWs } from './ws.js';

type Data = Record<string, unknown>;
type AdminHandler = (engine: SimEngine, data: Data, url: URL, match: RegExpExecArray) => unknown;

const orderJson = (o: SimOrder) => ({ txid: o.txid, ...orderInfo(o, true) });

function placeOrder(engine: SimEngine, data: Data) {
  const txid = engine.placeOrderDirect({
    side: data.side === 'sell' ? 'sell' : 'buy',
    price: Number(data.price),
    volume: Number(data.volume),
    userref: data.userref !== undefined ? Number(data.userref) : undefined,
    clOrdId: typeof data.cl_ord_id === 'string' ? data.cl_ord_id : undefined,
    postOnly: data.post_only !== false,
  });
  return { txid };
}

function setPrice(e: SimEngine, d: Data) {
  e.setPrice(Number(d.price));
  return { price: e.market.mid() };
}

function listOrders(e: SimEngine, _d: Data, url: URL) {
  const status = url.searchParams.get('status');
  return { orders: [...e.book.orders.values()].filter((o) => !status || o.status === status).map(orderJson) };
}

function closeOrder(e: SimEngine, _d: Data, _url: URL, m: RegExpExecArray) {
  e.closeBehindBack(m[1]!, m[2] === 'expire' ? 'expired' : 'canceled');
  return { ok: true };
}

function addFaults(e: SimEngine, d: Data) {
  e.faults.add((Array.isArray(d) ? d : [d]) as FaultSpec[]);
  return { faults: e.faults.list() };
}

function clearFaults(e: SimEngine) {
  e.faults.clear();
  return { faults: [] };
}

function setLatency(e: SimEngine, d: Data) {
  e.faults.latencyMs = Math.max(0, Number(d.ms) || 0);
  return { latencyMs: e.faults.latencyMs };
}

function setBalances(e: SimEngine, d: Data) {
  for (const [a, v] of Object.entries(d)) e.setBalance(a, Number(v));
  return { balances: e.balances() };
}

function setPairStatus(e: SimEngine, d: Data) {
  e.setPairStatus(String(d.status));
  return { status: e.pairStatus };
}

function setSystemStatus(e: SimEngine, d: Data) {
  e.setSystemStatus(String(d.status));
  return { status: e.systemStatus };
}

/** [method, path, handler]; the first match answers. */
const ROUTES: [string, RegExp, AdminHandler][] = [
  ['GET', /^\/sim\/state$/, (e) => e.state()],
  ['POST', /^\/sim\/price$/, setPrice],
  ['POST', /^\/sim\/step$/, (e, d) => ({ price: e.step(Number(d.steps ?? 1) || 1) })],
  ['GET', /^\/sim\/orders$/, listOrders],
  ['POST', /^\/sim\/orders$/, placeOrder],
  ['POST', /^\/sim\/orders\/([A-Z0-9-]+)\/(cancel|expire)$/, closeOrder],
  ['POST', /^\/sim\/faults$/, addFaults],
  ['GET', /^\/sim\/faults$/, (e) => ({ faults: e.faults.list(), latencyMs: e.faults.latencyMs })],
  ['DELETE', /^\/sim\/faults$/, clearFaults],
  ['POST', /^\/sim\/latency$/, setLatency],
  ['POST', /^\/sim\/balances$/, setBalances],
  ['GET', /^\/sim\/balances$/, (e) => ({ balances: e.balances() })],
  ['POST', /^\/sim\/pair-status$/, setPairStatus],
  ['POST', /^\/sim\/system-status$/, setSystemStatus],
];

/** The WebSocket side's admin routes (GET /sim/ws, POST|DELETE /sim/ws/faults), or undefined for another path. */
function wsAdmin(ws: SimWs, method: string, path: string, data: Data): unknown {
  if (method === 'GET' && path === '/sim/ws') return { public: ws.connections('public'), auth: ws.connections('auth') };
  if (path !== '/sim/ws/faults') return undefined;
  if (method === 'DELETE') {
    ws.clearFaults();
    return { ok: true };
  }
  if (method !== 'POST') return undefined;
  for (const spec of (Array.isArray(data) ? data : [data]) as WsFaultSpec[]) ws.fault(spec);
  return { ok: true };
}

export function handleAdmin(engine: SimEngine, req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string, ws?: SimWs): void {
  let data: Data = {};
  if (body.trim()) {
    try {
      data = JSON.parse(body) as Data;
    } catch {
      return sendJson(res, 400, { error: 'body must be JSON' });
    }
  }
  const method = req.method ?? 'GET';
  try {
    const wsAnswer = ws && url.pathname.startsWith('/sim/ws') ? wsAdmin(ws, method, url.pathname, data) : undefined;
    if (wsAnswer !== undefined) return sendJson(res, 200, wsAnswer);
    for (const [m, pattern, handler] of ROUTES) {
      const match = m === method ? pattern.exec(url.pathname) : null;
      if (match) return sendJson(res, 200, handler(engine, data, url, match));
    }
    sendJson(res, 404, { error: 'unknown admin endpoint' });
  } catch (err) {
    sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}
