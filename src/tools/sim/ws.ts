// Kraken's WebSocket v2 in the simulator, on the same port as REST:
//   ws://127.0.0.1:<port>/v2          public  (like wss://ws.kraken.com/v2): `ticker`
//   ws://127.0.0.1:<port>/auth/v2     private (like wss://ws-auth.kraken.com/v2): `executions`
// Message shapes from Kraken's docs:
// - subscribe / acknowledgement / errors, ping/pong:
//   https://docs.kraken.com/api/docs/websocket-v2/ (spot-websocket-v2 "subscribe", "ping")
// - ticker: https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/ticker
//   {channel:"ticker", type:"snapshot"|"update", data:[{symbol, bid, bid_qty, ask, ask_qty, last, volume, vwap, low, high, change, change_pct}]}
// - executions: https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/executions
//   token from REST GetWebSocketsToken; snapshot of open orders (snap_orders, default true) and
//   the last 50 fills (snap_trades, default false), then updates: exec_type new, trade, filled,
//   canceled, expired, amended (one event per update message); order_status new, partially_filled,
//   filled, canceled, expired; every executions message carries `sequence`.
// - heartbeat: https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/heartbeat
//   {channel:"heartbeat"} about once a second when nothing else was sent.
// - status: {channel:"status", type:"update", data:[{api_version:"v2", connection_id, system, version}]} on connect.
// A token may start a subscription for 15 minutes after it was issued (GetWebSocketsToken
// `expires: 900`); an unknown or expired token is refused with ESession:Invalid session.
//
// Faults (admin POST /sim/ws/faults, or `sim.ws.fault()`): drop (close the sockets without a
// close frame), stall (send nothing, heartbeats included, until cleared or `ms` of sim time),
// malformed (a frame with a reserved opcode), oversized (a 2 MiB text message), duplicate (the
// next `count` execution messages are sent twice), expire_tokens (every issued token expires).
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { acceptWebSocket } from '../../util/ws/server.js';
import type { WebSocketConnection } from '../../util/ws/connection.js';
import { LOT_DECIMALS as ld, PRICE_DECIMALS as pd, roundDown } from './asset-pair.js';
import type { SimEngine } from './engine.js';
import type { SimOrder, WsEndpoint, WsFaultSpec } from './types.js';

export const WS_PUBLIC_PATH = '/v2';
export const WS_AUTH_PATH = '/auth/v2';
const WS_SYMBOLS = ['DOGE/USD', 'XDG/USD'];
const TOKEN_TTL_MS = 900_000;
const INVALID_TOKEN = 'ESession:Invalid session';

interface Client {
  conn: WebSocketConnection;
  endpoint: WsEndpoint;
  ticker: boolean;
  executions: boolean;
  sequence: number;
  lastSentAt: number;
}

/** What the executions channel last said about an order. */
interface Published {
  status: string;
  trades: number;
  price: number;
  volume: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const num = (x: number, d: number) => Number(x.toFixed(d));

export class SimWs {
  private readonly clients = new Set<Client>();
  private readonly published = new Map<string, Published>();
  private stalled: Record<WsEndpoint, number | null> = { public: null, auth: null };
  private duplicates = 0;
  private connectionIds = 0;
  private lastTickerPrice = NaN;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly engine: SimEngine,
    heartbeatMs = 1000,
  ) {
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(heartbeatMs), heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** The http.Server 'upgrade' handler. */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const endpoint: WsEndpoint | null = path === WS_PUBLIC_PATH ? 'public' : path === WS_AUTH_PATH ? 'auth' : null;
    if (!endpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const conn = acceptWebSocket(req, socket, head);
    if (!conn) return;
    const client: Client = { conn, endpoint, ticker: false, executions: false, sequence: 0, lastSentAt: 0 };
    this.clients.add(client);
    conn.on({ onText: (t) => this.request(client, t), onClose: () => this.clients.delete(client) });
    this.send(client, { channel: 'status', type: 'update', data: [{ api_version: 'v2', connection_id: ++this.connectionIds, system: 'online', version: '2.0.9' }] });
  }

  connections(endpoint?: WsEndpoint): number {
    return [...this.clients].filter((c) => !endpoint || c.endpoint === endpoint).length;
  }

  fault(spec: WsFaultSpec): void {
    const targets = (e: WsEndpoint) => spec.endpoint === undefined || spec.endpoint === 'both' || spec.endpoint === e;
    const chosen = [...this.clients].filter((c) => targets(c.endpoint));
    switch (spec.type) {
      case 'drop':
        for (const c of chosen) c.conn.terminate('fault: drop');
        return;
      case 'stall':
        for (const e of ['public', 'auth'] as const) if (targets(e)) this.stalled[e] = spec.ms !== undefined ? this.engine.now() + spec.ms : Infinity;
        return;
      case 'malformed':
        for (const c of chosen) c.conn.sendRaw(Buffer.from([0x83, 0x00]));
        return;
      case 'oversized':
        for (const c of chosen) if (c.conn.isOpen) c.conn.send(JSON.stringify({ channel: 'heartbeat', pad: 'x'.repeat(2 << 20) }));
        return;
      case 'duplicate':
        this.duplicates += spec.count ?? 1;
        return;
      case 'expire_tokens':
        for (const t of this.engine.wsTokens.keys()) this.engine.wsTokens.set(t, -Infinity);
        return;
      default:
        throw new Error(`unknown WebSocket fault ${String(spec.type)}`);
    }
  }

  clearFaults(): void {
    this.stalled = { public: null, auth: null };
    this.duplicates = 0;
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const c of this.clients) c.conn.terminate('simulator closing');
    this.clients.clear();
  }

  /** Called after anything that may have changed the book or the price: sends ticker and execution updates. */
  changed(): void {
    const price = this.engine.market.mid();
    if (price !== this.lastTickerPrice) {
      this.lastTickerPrice = price;
      for (const c of this.clients) if (c.ticker) this.send(c, { channel: 'ticker', type: 'update', data: [this.tickerData()] });
    }
    const updates = this.executionUpdates();
    if (updates.length === 0) return;
    // One message per execution event (a fill's `trade` and its order's `filled` are two messages), as Kraken
    // streams them: clients such as ccxt route a message by the exec_type of its first entry.
    for (const c of this.clients) {
      if (!c.executions) continue;
      for (const update of updates) {
        const msg = { channel: 'executions', type: 'update', data: [update], sequence: ++c.sequence };
        this.send(c, msg);
        if (this.duplicates > 0) this.send(c, msg);
      }
    }
    if (this.duplicates > 0 && [...this.clients].some((c) => c.executions)) this.duplicates--;
  }

  private isStalled(e: WsEndpoint): boolean {
    const until = this.stalled[e];
    if (until === null) return false;
    if (this.engine.now() >= until) {
      this.stalled[e] = null;
      return false;
    }
    return true;
  }

  private send(c: Client, msg: unknown): void {
    if (!c.conn.isOpen || this.isStalled(c.endpoint)) return;
    c.conn.send(JSON.stringify(msg));
    c.lastSentAt = Date.now();
  }

  private beat(ms: number): void {
    const now = Date.now();
    for (const c of this.clients) if ((c.ticker || c.executions) && now - c.lastSentAt >= ms * 0.9) this.send(c, { channel: 'heartbeat' });
  }

  private reply(c: Client, method: string, reqId: unknown, body: Record<string, unknown>): void {
    const t = iso(this.engine.now());
    this.send(c, { method, ...body, time_in: t, time_out: t, ...(reqId !== undefined ? { req_id: reqId } : {}) });
  }

  private request(c: Client, text: string): void {
    let msg: { method?: unknown; params?: Record<string, unknown>; req_id?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
      if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
    } catch {
      this.send(c, { error: 'EGeneral:Invalid arguments', success: false, time_in: iso(this.engine.now()), time_out: iso(this.engine.now()) });
      return;
    }
    const method = String(msg.method ?? '');
    if (method === 'ping') return this.reply(c, 'pong', msg.req_id, {});
    if (method !== 'subscribe' && method !== 'unsubscribe') return this.reply(c, method, msg.req_id, { error: `EGeneral:Invalid arguments:method ${method}`, success: false });
    const params = msg.params ?? {};
    const channel = String(params.channel ?? '');
    if (channel === 'ticker' && c.endpoint === 'public') return this.subscribeTicker(c, method, params, msg.req_id);
    if (channel === 'executions' && c.endpoint === 'auth') return this.subscribeExecutions(c, method, params, msg.req_id);
    this.reply(c, method, msg.req_id, { error: `EGeneral:Invalid arguments:channel ${channel} is not on this endpoint`, success: false });
  }

  private subscribeTicker(c: Client, method: string, params: Record<string, unknown>, reqId: unknown): void {
    const symbols = Array.isArray(params.symbol) ? params.symbol.map(String) : [];
    const bad = symbols.find((s) => !WS_SYMBOLS.includes(s));
    if (symbols.length === 0 || bad !== undefined) return this.reply(c, method, reqId, { error: `Currency pair not supported ${bad ?? ''}`.trim(), success: false, symbol: bad });
    c.ticker = method === 'subscribe';
    for (const symbol of symbols) this.reply(c, method, reqId, { result: { channel: 'ticker', symbol, event_trigger: params.event_trigger === 'bbo' ? 'bbo' : 'trades', snapshot: params.snapshot !== false }, success: true });
    if (c.ticker && params.snapshot !== false) this.send(c, { channel: 'ticker', type: 'snapshot', data: [this.tickerData()] });
  }

  private subscribeExecutions(c: Client, method: string, params: Record<string, unknown>, reqId: unknown): void {
    const issued = typeof params.token === 'string' ? this.engine.wsTokens.get(params.token) : undefined;
    if (method === 'subscribe' && (issued === undefined || this.engine.now() - issued >= TOKEN_TTL_MS)) {
      return this.reply(c, method, reqId, { error: INVALID_TOKEN, success: false });
    }
    // What happened before the snapshot goes to the other subscribers now and is in this one's snapshot.
    this.changed();
    c.executions = method === 'subscribe';
    this.reply(c, method, reqId, { result: { channel: 'executions', snapshot: true, ...(params.snap_trades === true ? { snap_trades: true } : {}) }, success: true });
    if (!c.executions) return;
    const orders = params.snap_orders === false ? [] : this.engine.book.open().map((o) => ({ ...this.orderData(o), exec_type: 'new' }));
    const trades = params.snap_trades === true ? [...this.engine.book.trades.values()].slice(-50).map((t) => this.tradeData(this.engine.book.orders.get(t.ordertxid)!, t.tid)) : [];
    this.send(c, { channel: 'executions', type: 'snapshot', data: [...orders, ...trades], sequence: ++c.sequence });
  }

  /** 24 h statistics, recomputed at most once a simulated minute (a long path makes them costly). */
  private dayStats: { at: number; day: ReturnType<SimEngine['market']['windowStats']>; first: number } | null = null;

  private tickerData(): Record<string, unknown> {
    const m = this.engine.market;
    const now = this.engine.now();
    if (!this.dayStats || now - this.dayStats.at >= 60_000 || now < this.dayStats.at) {
      const xs = m.since(now - 86_400_000);
      this.dayStats = { at: now, day: m.windowStats(xs), first: xs[0]?.p ?? m.mid() };
    }
    const { day, first } = this.dayStats;
    const last = m.mid();
    return {
      symbol: 'DOGE/USD',
      bid: num(m.bid(), pd),
      bid_qty: 10000,
      ask: num(m.ask(), pd),
      ask_qty: 10000,
      last: num(last, pd),
      volume: Number(day.v),
      vwap: Number(day.p),
      low: Number(day.l),
      high: Number(day.h),
      change: num(last - first, pd),
      change_pct: num(first > 0 ? ((last - first) / first) * 100 : 0, 2),
    };
  }

  /** The fields every execution message of an order carries. */
  private orderData(o: SimOrder): Record<string, unknown> {
    const status = o.status === 'open' ? (o.volExec > 0 ? 'partially_filled' : 'new') : o.status === 'closed' ? 'filled' : o.status;
    return {
      order_id: o.txid,
      ...(o.clOrdId !== null ? { cl_ord_id: o.clOrdId } : {}),
      order_userref: o.userref ?? 0,
      symbol: 'DOGE/USD',
      side: o.side,
      order_type: 'limit',
      limit_price: num(o.price, pd),
      order_qty: num(o.volume, ld),
      cum_qty: num(o.volExec, ld),
      cum_cost: num(o.cost, 8),
      avg_price: num(o.volExec > 0 ? o.cost / o.volExec : 0, pd),
      fee_usd_equiv: num(o.fee, 8),
      post_only: o.oflags.includes('post'),
      time_in_force: 'GTC',
      order_status: status,
      timestamp: iso(o.closedAt ?? o.openedAt),
    };
  }

  private tradeData(o: SimOrder, tid: string): Record<string, unknown> {
    const t = this.engine.book.trades.get(tid)!;
    const upto = o.trades.indexOf(tid) + 1;
    const done = o.trades.slice(0, upto).map((x) => this.engine.book.trades.get(x)!);
    const cum = roundDown(done.reduce((a, x) => a + x.volume, 0), ld);
    const cost = done.reduce((a, x) => a + x.cost, 0);
    const filled = cum >= o.volume - 10 ** -(ld + 1);
    return {
      ...this.orderData(o),
      exec_type: 'trade',
      exec_id: `E${tid.slice(1)}`,
      trade_id: Number.parseInt(tid.replace(/[^0-9]/g, '').slice(0, 9) || '0', 10),
      last_qty: num(t.volume, ld),
      last_price: num(t.price, pd),
      cost: num(t.cost, 8),
      liquidity_ind: t.maker ? 'm' : 't',
      fees: [{ asset: 'USD', qty: num(t.fee, 8) }],
      cum_qty: num(cum, ld),
      cum_cost: num(cost, 8),
      avg_price: num(cum > 0 ? cost / cum : 0, pd),
      order_status: filled ? 'filled' : 'partially_filled',
      timestamp: iso(t.time),
    };
  }

  /** Every change of every order since the last call, as execution messages, oldest first. */
  private executionUpdates(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const o of this.engine.book.orders.values()) {
      const prev = this.published.get(o.txid);
      if (prev && prev.status === o.status && prev.trades === o.trades.length && prev.price === o.price && prev.volume === o.volume) continue;
      if (!prev) out.push({ ...this.orderData(o), order_status: 'new', cum_qty: 0, cum_cost: 0, avg_price: 0, fee_usd_equiv: 0, exec_type: 'new', timestamp: iso(o.openedAt) });
      else if (prev.price !== o.price || prev.volume !== o.volume) out.push({ ...this.orderData(o), exec_type: 'amended' });
      for (const tid of o.trades.slice(prev?.trades ?? 0)) out.push(this.tradeData(o, tid));
      if (o.status === 'closed') out.push({ ...this.orderData(o), exec_type: 'filled' });
      else if (o.status === 'canceled' || o.status === 'expired') out.push({ ...this.orderData(o), exec_type: o.status, reason: o.reason ?? '' });
      this.published.set(o.txid, { status: o.status, trades: o.trades.length, price: o.price, volume: o.volume });
    }
    return out;
  }
}
