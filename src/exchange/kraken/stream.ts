// Kraken WebSocket v2 for prices and fills: the public `ticker` of our pair
// (wss://ws.kraken.com/v2) and the private `executions` channel
// (wss://ws-auth.kraken.com/v2, token from REST GetWebSocketsToken).
// Docs: https://docs.kraken.com/exchange/api-reference/spot-websocket-v2/ticker,
// …/spot-websocket-v2/executions, …/spot-websocket-v2/heartbeat.
//
// One connection per endpoint (ws-channel.ts: backoff with jitter, silence
// watchdog). The token is fetched when a connection needs one and it is
// missing or expires within a minute (Kraken: a token must start a
// subscription within 15 minutes of being issued; an open subscription keeps
// working), and fetched again when Kraken refuses it. Health: `live` while the
// connections that matter are subscribed and heard from recently,
// `reconnecting` otherwise; `rest_only` when the stream is off.
import { errorMessage, logger, registerSecret } from '../../util/log.js';
import type { Ticker } from '../exchange.js';
import { WsChannel, realTimers, type Connector, type Timers, type WsLike } from './ws-channel.js';

const log = logger('kraken-stream');

export const KRAKEN_WS_URL = 'wss://ws.kraken.com/v2';
export const KRAKEN_WS_AUTH_URL = 'wss://ws-auth.kraken.com/v2';
/** No message (Kraken sends a heartbeat each second) for this long: the stream is stale and REST polls. */
export const STREAM_STALE_MS = 10_000;
const TOKEN_MARGIN_MS = 60_000;

export type StreamState = 'live' | 'reconnecting' | 'rest_only';

export interface StreamHealth {
  state: StreamState;
  /** Seconds since the last message on the connection(s) that matter, null before the first. */
  last_message_age_s: number | null;
}

/** One execution message, numbers checked (null when absent or unusable). */
export interface StreamExecution {
  orderId: string;
  clOrdId: string | null;
  userref: number | null;
  execType: string;
  orderStatus: string;
  side: 'buy' | 'sell' | null;
  limitPrice: number | null;
  orderQty: number | null;
  cumQty: number | null;
  avgPrice: number | null;
  execId: string | null;
  lastQty: number | null;
  /** Fee of this trade (sum of `fees[].qty`), for exec_type trade. */
  tradeFee: number | null;
  reason: string | null;
  timestamp: number | null;
}

export interface KrakenStreamOptions {
  wsUrl: string;
  /** null: no private channel (dry run). */
  wsAuthUrl: string | null;
  /** Kraken v2 symbol, e.g. "DOGE/USD". */
  symbol: string;
  getToken?: () => Promise<{ token: string; expires: number }>;
  now: () => number;
  random: () => number;
  timers?: Timers;
  connect?: Connector;
  staleAfterMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxMessageBytes?: number;
}

const nonNeg = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

/** An execution message → StreamExecution, or null when it has no order id. */
export function parseExecution(d: Record<string, unknown>): StreamExecution | null {
  if (typeof d.order_id !== 'string' || d.order_id.length === 0) return null;
  const fees = Array.isArray(d.fees) ? d.fees.map((f) => nonNeg((f as { qty?: unknown } | null)?.qty)) : null;
  const ts = typeof d.timestamp === 'string' ? Date.parse(d.timestamp) : NaN;
  return {
    orderId: d.order_id,
    clOrdId: typeof d.cl_ord_id === 'string' ? d.cl_ord_id : null,
    userref: typeof d.order_userref === 'number' && Number.isInteger(d.order_userref) && d.order_userref !== 0 ? d.order_userref : null,
    execType: String(d.exec_type ?? ''),
    orderStatus: String(d.order_status ?? ''),
    side: d.side === 'buy' || d.side === 'sell' ? d.side : null,
    limitPrice: nonNeg(d.limit_price),
    orderQty: nonNeg(d.order_qty),
    cumQty: nonNeg(d.cum_qty),
    avgPrice: nonNeg(d.avg_price),
    execId: typeof d.exec_id === 'string' ? d.exec_id : null,
    lastQty: nonNeg(d.last_qty),
    tradeFee: fees && fees.every((f) => f !== null) ? fees.reduce<number>((a, f) => a + (f as number), 0) : null,
    reason: typeof d.reason === 'string' ? d.reason : null,
    timestamp: Number.isFinite(ts) ? ts : null,
  };
}

/** A ticker data entry → Ticker, or null when its numbers are unusable. */
export function parseTickerData(d: Record<string, unknown>): Ticker | null {
  const bid = nonNeg(d.bid);
  const ask = nonNeg(d.ask);
  const last = nonNeg(d.last);
  if (!bid || !ask || !last || bid > ask * 1.5 || ask > bid * 1.5) return null;
  return { bid, ask, last };
}

export class KrakenStream {
  readonly public: WsChannel;
  readonly auth: WsChannel | null;
  private token: { value: string; expiresAt: number } | null = null;
  private ticker: { value: Ticker; at: number } | null = null;
  private reqId = 0;
  private watchdog: unknown = null;
  private running = false;
  private readonly timers: Timers;
  private readonly staleMs: number;
  tokensFetched = 0;
  private readonly tickerListeners: ((t: Ticker) => void)[] = [];
  private readonly execListeners: ((e: StreamExecution[], snapshot: boolean) => void)[] = [];
  private readonly liveListeners: ((endpoint: 'public' | 'auth', live: boolean) => void)[] = [];

  constructor(private readonly o: KrakenStreamOptions) {
    this.timers = o.timers ?? realTimers;
    this.staleMs = o.staleAfterMs ?? STREAM_STALE_MS;
    const common = {
      now: o.now,
      random: o.random,
      timers: this.timers,
      connect: o.connect,
      staleAfterMs: this.staleMs,
      backoffBaseMs: o.backoffBaseMs,
      backoffMaxMs: o.backoffMaxMs,
      maxMessageBytes: o.maxMessageBytes,
    };
    this.public = new WsChannel({
      ...common,
      name: 'public',
      url: o.wsUrl,
      subscribe: async (ws) => ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'ticker', symbol: [o.symbol], event_trigger: 'bbo' }, req_id: ++this.reqId })),
      onMessage: (m) => this.publicMessage(m),
      onLive: () => this.emitLive('public', true),
      onDown: () => this.emitLive('public', false),
    });
    this.auth =
      o.wsAuthUrl && o.getToken
        ? new WsChannel({
            ...common,
            name: 'auth',
            url: o.wsAuthUrl,
            subscribe: (ws) => this.subscribeExecutions(ws),
            onMessage: (m) => this.authMessage(m),
            onLive: () => this.emitLive('auth', true),
            onDown: () => this.emitLive('auth', false),
          })
        : null;
  }

  onTicker(fn: (t: Ticker) => void): void {
    this.tickerListeners.push(fn);
  }

  onExecutions(fn: (e: StreamExecution[], snapshot: boolean) => void): void {
    this.execListeners.push(fn);
  }

  /** An endpoint became live (after a (re)connect) or stopped being live (drop, silence). */
  onLiveChange(fn: (endpoint: 'public' | 'auth', live: boolean) => void): void {
    this.liveListeners.push(fn);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.public.start();
    this.auth?.start();
    const tick = () => {
      if (!this.running) return;
      this.check();
      this.watchdog = this.timers.set(tick, 1000);
    };
    this.watchdog = this.timers.set(tick, 1000);
  }

  stop(): void {
    this.running = false;
    if (this.watchdog !== null) this.timers.clear(this.watchdog);
    this.public.stop();
    this.auth?.stop();
  }

  /** The silence watchdog (also called by tests after moving the clock). */
  check(): void {
    this.public.check();
    this.auth?.check();
  }

  /** Live: the executions channel (or, without one, the ticker) is subscribed and heard from within the stale limit. */
  health(): StreamHealth {
    const ch = this.auth ?? this.public;
    const age = ch.lastMessageAgeMs();
    return { state: ch.isLive() ? 'live' : 'reconnecting', last_message_age_s: age === null ? null : Math.round(age / 100) / 10 };
  }

  authLive(): boolean {
    return this.auth?.isLive() ?? false;
  }

  /**
   * The latest ticker while the public channel is live, else null. Kraken sends a ticker update on
   * every best bid/offer change (event_trigger bbo) and heartbeats in between, so a live channel's
   * last ticker is the current one however long ago it came.
   */
  freshTicker(): Ticker | null {
    if (!this.ticker || !this.public.isLive()) return null;
    return this.ticker.value;
  }

  private emitLive(endpoint: 'public' | 'auth', live: boolean): void {
    for (const fn of this.liveListeners) fn(endpoint, live);
  }

  private publicMessage(m: Record<string, unknown>): 'live' | 'drop' | void {
    if (m.method === 'subscribe' && m.success === false) {
      log.warn(`Kraken WebSocket ticker subscription refused: ${String(m.error)}`);
      return 'drop';
    }
    if (m.channel !== 'ticker' || !Array.isArray(m.data)) return;
    let live = false;
    for (const d of m.data as Record<string, unknown>[]) {
      if (d?.symbol !== undefined && d.symbol !== this.o.symbol) continue;
      const t = parseTickerData(d ?? {});
      if (!t) {
        log.warn('Kraken WebSocket ticker with unusable numbers ignored');
        continue;
      }
      this.ticker = { value: t, at: this.o.now() };
      live = true;
      for (const fn of this.tickerListeners) fn(t);
    }
    return live ? 'live' : undefined;
  }

  private async subscribeExecutions(ws: WsLike): Promise<void> {
    const token = await this.currentToken();
    if (!ws.isOpen) return;
    ws.send(JSON.stringify({ method: 'subscribe', params: { channel: 'executions', token, snap_orders: true, snap_trades: false }, req_id: ++this.reqId }));
  }

  /** A token that is valid for at least another minute, fetched (REST GetWebSocketsToken) when needed. */
  private async currentToken(): Promise<string> {
    if (this.token && this.o.now() < this.token.expiresAt - TOKEN_MARGIN_MS) return this.token.value;
    const { token, expires } = await this.o.getToken!();
    registerSecret(token);
    this.tokensFetched++;
    this.token = { value: token, expiresAt: this.o.now() + Math.max(0, expires) * 1000 };
    return token;
  }

  private authMessage(m: Record<string, unknown>): 'live' | 'drop' | void {
    if (m.method === 'subscribe' && m.success === false) {
      // An unknown or expired token (Kraken: ESession:Invalid session): the next connection fetches a new one.
      log.warn(`Kraken WebSocket executions subscription refused: ${String(m.error)}; a new token will be fetched`);
      this.token = null;
      return 'drop';
    }
    if (m.channel !== 'executions' || !Array.isArray(m.data)) return;
    const execs: StreamExecution[] = [];
    for (const d of m.data as unknown[]) {
      const e = typeof d === 'object' && d !== null ? parseExecution(d as Record<string, unknown>) : null;
      if (e) execs.push(e);
    }
    const snapshot = m.type === 'snapshot';
    try {
      for (const fn of this.execListeners) fn(execs, snapshot);
    } catch (err) {
      log.error(`execution handler failed: ${errorMessage(err)}`);
    }
    return snapshot ? 'live' : undefined;
  }
}

/** Kraken WebSocket v2 symbol of a REST pair name (v2 writes BTC and DOGE where REST has XBT and XDG). */
export function wsSymbol(pair: string): string {
  const p = pair.toUpperCase().replace('/', '');
  // Kraken's long form XXDGZUSD / XXBTZUSD, else BASE + QUOTE (XDGUSD, ETHUSD).
  const long = /^X([A-Z0-9]{3})Z([A-Z]{3})$/.exec(p);
  const m = long ?? /^([A-Z0-9]{2,5}?)(USD|EUR|GBP|CAD|JPY|CHF|AUD|USDT|USDC)$/.exec(p);
  if (!m) return pair;
  const base = m[1] === 'XBT' ? 'BTC' : m[1] === 'XDG' ? 'DOGE' : m[1]!;
  return `${base}/${m[2]}`;
}
