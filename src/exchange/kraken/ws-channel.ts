// One Kraken WebSocket v2 endpoint kept open: connect, subscribe, watch for
// silence, reconnect with exponential backoff and jitter. Never two
// connections at once: a new one is opened only after the previous one ended.
// Time, randomness, timers and the connector are injected (tests drive them).
import { errorMessage, logger } from '../../util/log.js';
import { connectWebSocket } from '../../util/ws/client.js';
import type { WsCloseInfo, WsHandlers } from '../../util/ws/connection.js';

const log = logger('kraken-stream');

/** What a channel needs of a WebSocket (connection.ts, or a test double). */
export interface WsLike {
  readonly isOpen: boolean;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  terminate(reason?: string): void;
  on(handlers: WsHandlers): unknown;
}

export type Connector = (url: string, opts: { maxMessageBytes: number; timeoutMs: number }) => Promise<WsLike>;

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export type ChannelState = 'connecting' | 'subscribing' | 'live' | 'waiting' | 'stopped';

export interface ChannelOptions {
  name: 'public' | 'auth';
  url: string;
  now: () => number;
  random: () => number;
  timers?: Timers;
  connect?: Connector;
  /** No message (heartbeats included) for this long: the connection is dropped and REST takes over. */
  staleAfterMs: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  maxMessageBytes?: number;
  /** Sends the subscription(s) on a fresh connection; throws to give up on this connection. */
  subscribe(ws: WsLike): Promise<void>;
  /** Every parsed message. Return 'live' once the subscription is confirmed (ack/snapshot). */
  onMessage(msg: Record<string, unknown>): 'live' | 'drop' | void;
  /** The channel became live (first: the first time since start) or stopped being live. */
  onLive?(first: boolean): void;
  onDown?(reason: string): void;
}

export class WsChannel {
  state: ChannelState = 'stopped';
  /** When the last message arrived (ms, injected clock); null before the first one. */
  lastMessageAt: number | null = null;
  /** How many connections were opened, and the most open at once (always ≤ 1). */
  opened = 0;
  maxOpenAtOnce = 0;
  private openNow = 0;
  private ws: WsLike | null = null;
  private attempt = 0;
  private retryTimer: unknown = null;
  private wasLive = false;
  private readonly timers: Timers;
  private readonly connect: Connector;

  constructor(private readonly o: ChannelOptions) {
    this.timers = o.timers ?? realTimers;
    this.connect = o.connect ?? ((url, opts) => connectWebSocket(url, opts));
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.open();
  }

  stop(): void {
    this.state = 'stopped';
    if (this.retryTimer !== null) this.timers.clear(this.retryTimer);
    this.retryTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws?.isOpen) ws.close(1000, 'bye');
    else ws?.terminate('stopped');
  }

  isLive(): boolean {
    return this.state === 'live' && !this.stale();
  }

  /** Age of the last message in ms (null: none yet). */
  lastMessageAgeMs(): number | null {
    return this.lastMessageAt === null ? null : Math.max(0, this.o.now() - this.lastMessageAt);
  }

  /** Drops a connection that stayed silent for staleAfterMs (the watchdog calls it every second). */
  check(): void {
    if ((this.state === 'live' || this.state === 'subscribing') && this.stale()) {
      log.warn(`Kraken WebSocket (${this.o.name}): no message for ${Math.round((this.lastMessageAgeMs() ?? 0) / 1000)} s; reconnecting (REST polls meanwhile)`);
      this.drop('stale');
    }
  }

  /** Ends the current connection (a reconnect follows after the backoff). */
  drop(reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    this.lost(reason);
    ws.terminate(reason);
  }

  private stale(): boolean {
    const age = this.lastMessageAgeMs();
    return age !== null && age > this.o.staleAfterMs;
  }

  private open(): void {
    if (this.ws || this.state === 'connecting') return; // never two at once
    this.state = 'connecting';
    this.retryTimer = null;
    this.connect(this.o.url, { maxMessageBytes: this.o.maxMessageBytes ?? 1 << 20, timeoutMs: 10_000 }).then(
      (ws) => this.opened_(ws),
      (err: unknown) => {
        if (this.state === 'stopped') return;
        log.warn(`Kraken WebSocket (${this.o.name}): cannot connect: ${errorMessage(err)}`);
        this.state = 'waiting';
        this.scheduleRetry();
      },
    );
  }

  private opened_(ws: WsLike): void {
    if (this.state === 'stopped') {
      ws.terminate('stopped');
      return;
    }
    this.ws = ws;
    this.opened++;
    this.openNow++;
    this.maxOpenAtOnce = Math.max(this.maxOpenAtOnce, this.openNow);
    this.state = 'subscribing';
    this.lastMessageAt = this.o.now();
    let counted = true;
    ws.on({
      onText: (t) => this.message(ws, t),
      onClose: (info) => {
        if (counted) this.openNow--;
        counted = false;
        this.closed(ws, info);
      },
    });
    this.o.subscribe(ws).catch((err: unknown) => {
      if (this.ws !== ws) return;
      log.warn(`Kraken WebSocket (${this.o.name}): subscription failed: ${errorMessage(err)}`);
      this.drop('subscription failed');
    });
  }

  private message(ws: WsLike, text: string): void {
    if (this.ws !== ws) return;
    this.lastMessageAt = this.o.now();
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      log.warn(`Kraken WebSocket (${this.o.name}): a message that is not JSON was ignored`);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return;
    const verdict = this.o.onMessage(msg as Record<string, unknown>);
    if (verdict === 'drop') this.drop('refused');
    else if (verdict === 'live' && this.state === 'subscribing') {
      this.state = 'live';
      this.attempt = 0;
      const first = !this.wasLive;
      this.wasLive = true;
      log.info(`Kraken WebSocket (${this.o.name}): live${first ? '' : ' again'}`);
      this.o.onLive?.(first);
    }
  }

  private closed(ws: WsLike, info: WsCloseInfo): void {
    if (this.ws !== ws) return;
    const why = info.error ? `${info.error.kind}: ${info.reason}` : `closed ${info.code}${info.reason ? ` (${info.reason})` : ''}`;
    log.warn(`Kraken WebSocket (${this.o.name}): connection ended: ${why}`);
    this.lost(why);
  }

  /** The current connection is gone (or being dropped): REST takes over, a reconnect is scheduled. */
  private lost(reason: string): void {
    const wasLive = this.state === 'live';
    this.ws = null;
    if (this.state === 'stopped') return;
    this.state = 'waiting';
    if (wasLive) this.o.onDown?.(reason);
    this.scheduleRetry();
  }

  /** Exponential backoff (base · 2^attempt, capped) with "equal jitter": half fixed, half random. */
  backoffMs(attempt: number): number {
    const base = this.o.backoffBaseMs ?? 1000;
    const max = this.o.backoffMaxMs ?? 60_000;
    const d = Math.min(max, base * 2 ** Math.min(attempt, 30));
    return Math.round(d / 2 + (this.o.random() * d) / 2);
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== null || this.state === 'stopped') return;
    const ms = this.backoffMs(this.attempt++);
    this.retryTimer = this.timers.set(() => {
      this.retryTimer = null;
      if (this.state === 'waiting') this.open();
    }, ms);
  }
}
