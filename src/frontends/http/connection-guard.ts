// Keeps one slow or greedy client from starving the dashboard (a slowloris:
// hundreds of connections that send half a request line and stall). Two soft
// caps on open sockets, one per remote address and one in total, enforced as
// each connection arrives: over a cap, the OLDEST socket that is not serving a
// request (still waiting for its headers, or idle between keep-alive requests)
// is closed to make room. A new connection is never the one refused, so a
// health probe always gets its turn, even from the same address as the flood;
// a request being answered is never cut. Node's own header/request/keep-alive
// timeouts (server.ts) reap whatever stalls below the caps.
import type http from 'node:http';
import type { Socket } from 'node:net';
import { logger } from '../../util/log.js';

const log = logger('http');

export interface ConnectionCaps {
  /** Open sockets one remote address may hold. */
  perAddress: number;
  /** Open sockets in total (keep it below server.maxConnections, Node's hard refusal). */
  total: number;
}

export const DEFAULT_CAPS: ConnectionCaps = { perAddress: 32, total: 256 };

interface Tracked {
  address: string;
  /** Requests in progress on this socket (0 = waiting for headers or idle). */
  busy: number;
}

/** Evictions are logged at most once per this many milliseconds, with a count. */
const LOG_EVERY_MS = 60_000;

export class ConnectionGuard {
  /** Insertion order = age of the last activity: oldest first. */
  private readonly sockets = new Map<Socket, Tracked>();
  private readonly perAddress = new Map<string, number>();
  private evicted = 0;
  private unlogged = 0;
  private lastLog = -Infinity;

  constructor(
    private readonly caps: ConnectionCaps = DEFAULT_CAPS,
    private readonly monoNow: () => number = () => performance.now(),
  ) {}

  /** Open sockets now (for tests and metrics). */
  get open(): number {
    return this.sockets.size;
  }

  /** Sockets closed to make room since the start. */
  get evictions(): number {
    return this.evicted;
  }

  attach(server: http.Server): void {
    server.on('connection', (socket: Socket) => this.onConnection(socket));
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req.socket, res));
  }

  private onConnection(socket: Socket): void {
    const address = socket.remoteAddress ?? '?';
    this.sockets.set(socket, { address, busy: 0 });
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => this.forget(socket));
    if ((this.perAddress.get(address) ?? 0) > this.caps.perAddress) this.evictOldest(socket, address);
    if (this.sockets.size > this.caps.total) this.evictOldest(socket, null);
  }

  private onRequest(socket: Socket, res: http.ServerResponse): void {
    const t = this.sockets.get(socket);
    if (!t) return;
    t.busy++;
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      const now = this.sockets.get(socket);
      if (!now) return;
      now.busy = Math.max(0, now.busy - 1);
      // Fresh activity: move it to the young end of the eviction order.
      this.sockets.delete(socket);
      this.sockets.set(socket, now);
    };
    res.once('finish', finished);
    res.once('close', finished);
  }

  private forget(socket: Socket): void {
    const t = this.sockets.get(socket);
    if (!t) return;
    this.sockets.delete(socket);
    const n = (this.perAddress.get(t.address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(t.address);
    else this.perAddress.set(t.address, n);
  }

  /** Closes the oldest socket (of `address`, or of anyone) that is not serving a request, other than `keep`. */
  private evictOldest(keep: Socket, address: string | null): void {
    for (const [socket, t] of this.sockets) {
      if (socket === keep || t.busy > 0) continue;
      if (address !== null && t.address !== address) continue;
      this.forget(socket);
      socket.destroy();
      this.evicted++;
      this.unlogged++;
      this.maybeLog(address);
      return;
    }
  }

  private maybeLog(address: string | null): void {
    const now = this.monoNow();
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    const why = address !== null ? `${address} holds more than ${this.caps.perAddress} connections` : `more than ${this.caps.total} connections are open`;
    log.warn(`closed ${this.unlogged} idle or half-open connection(s) to make room (${why}); further ones are counted for ${LOG_EVERY_MS / 1000} s`);
    this.unlogged = 0;
  }
}
