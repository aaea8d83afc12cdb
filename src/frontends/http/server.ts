// The built-in web server: the dashboard page, the JSON API, CSV downloads and
// Prometheus metrics (SPEC §2, §3, §4.9). Node built-ins only.
//
// It shares the bot's event loop, so every handler is cheap: the status JSON is
// serialised once per StatusView object (and briefly cached), CSV files are
// streamed, and request bodies are capped at 16 KB. Nothing a client sends can
// crash the process: a throwing handler answers 500 with a generic message,
// and no response ever carries a stack trace or a registered secret.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { StatusView } from '../../ops/status-view.js';
import { parseConfigBody, type Controls } from '../../ops/controls.js';
import { errorMessage, logger, redact, registerSecret } from '../../util/log.js';
import { dashboardHtml } from './dashboard.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What `GET /metrics` reports; the bot fills it from its own counters. */
export interface MetricsSnapshot {
  /** Last price seen, USD; null before the first tick. */
  price: number | null;
  /** Mark-to-market equity, USD. */
  equity: number | null;
  realizedPnl: number;
  roundTrips: number;
  openOrders: { buy: number; sell: number };
  /** Fills in the last hour. */
  fillsPerHour: number;
  /** Failed exchange API calls since start. */
  apiErrorsTotal: number;
  /** Duration of the last tick in milliseconds; null before the first tick. */
  lastTickDurationMs: number | null;
  ticksTotal: number;
  // Optional extras, reported when present.
  unrealizedPnl?: number | null;
  fillsTotal?: number;
  paused?: boolean;
  uptimeSeconds?: number;
}

export interface HttpServerDeps {
  mode: () => 'dry_run' | 'live';
  status: () => StatusView;
  /** Body of GET /api/stats (the analyzers' report, or null). */
  stats: () => unknown;
  /** GET /health: 200 when healthy, else 503. */
  health: () => { healthy: boolean; body: Record<string, unknown> };
  metrics: () => MetricsSnapshot;
  controls: Controls;
  /** '' = no token. */
  dashboardToken: string;
  /** name → file, served at GET /api/export/<name>.csv */
  csvFiles: Record<string, string>;
  /** The bot's clock (accepted for symmetry with the other services; caching uses a monotonic clock). */
  now?: () => number;
  /** How long a serialised status may be reused (ms). Default 500; a successful POST invalidates it. */
  statusCacheMs?: number;
  /** Dashboard refresh period (ms). Default 5000. */
  dashboardRefreshMs?: number;
}

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

const log = logger('http');

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** CSP for everything that is not the page: nothing may load or run. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function pageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

type Reply = { status: number; headers: Record<string, string | number>; body: string | Buffer };

function jsonReply(status: number, value: unknown, extra: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...extra }, body: redact(JSON.stringify(value)) };
}

function errorReply(status: number, error: string, extra: Record<string, string> = {}): Reply {
  return jsonReply(status, { ok: false, error }, extra);
}

/** Constant-time check of an `Authorization: Bearer <token>` header. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +([^\s]+) *$/i.exec(header ?? '');
  const given = m ? m[1] : '';
  const a = crypto.createHash('sha256').update(given, 'utf8').digest();
  const b = crypto.createHash('sha256').update(token, 'utf8').digest();
  return crypto.timingSafeEqual(a, b) && m !== null && token !== '';
}

/** Serialised JSON reused while the source object is unchanged (and for at most `ttlMs` without asking again). */
class JsonCache {
  private source: unknown = undefined;
  private json: string | null = null;
  private bytes: Buffer | null = null;
  private gzip: Buffer | null = null;
  private at = -Infinity;
  // A monotonic clock, not the bot's: a virtual or frozen bot clock must not freeze the cache.
  constructor(private readonly ttlMs: number, private readonly now: () => number = () => performance.now()) {}

  get(fetch: () => unknown): string {
    const t = this.now();
    if (this.json !== null && t - this.at < this.ttlMs) return this.json;
    const value = fetch();
    this.at = t;
    if (this.json === null || value !== this.source) {
      this.source = value;
      this.json = redact(JSON.stringify(value ?? null));
      this.bytes = null;
      this.gzip = null;
    }
    return this.json;
  }

  /** UTF-8 bytes of the last `get`, encoded once. */
  buffer(): Buffer {
    if (this.bytes === null) this.bytes = Buffer.from(this.json ?? 'null', 'utf8');
    return this.bytes;
  }

  gzipped(): Buffer {
    if (this.gzip === null) this.gzip = zlib.gzipSync(this.json ?? 'null', { level: 6 });
    return this.gzip;
  }

  invalidate(): void {
    this.at = -Infinity;
    this.source = undefined;
    this.json = null;
    this.bytes = null;
    this.gzip = null;
  }
}

function metricsText(m: MetricsSnapshot, mode: string, requests: Map<string, number>): string {
  const out: string[] = [];
  const fmt = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number | null | undefined][]): void => {
    const present = samples.filter((s): s is [string, number] => typeof s[1] === 'number');
    if (present.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of present) out.push(`${name}${labels} ${fmt(v)}`);
  };
  metric('dogegrid_up', 'gauge', 'Always 1 while the bot answers.', [['', 1]]);
  metric('dogegrid_info', 'gauge', 'Run mode of the bot.', [[`{mode="${mode === 'live' ? 'live' : 'dry_run'}"}`, 1]]);
  metric('dogegrid_price_usd', 'gauge', 'Last price seen (USD).', [['', m.price]]);
  metric('dogegrid_equity_usd', 'gauge', 'Mark-to-market equity (USD).', [['', m.equity]]);
  metric('dogegrid_realized_pnl_usd', 'gauge', 'Realized profit and loss (USD).', [['', m.realizedPnl]]);
  metric('dogegrid_unrealized_pnl_usd', 'gauge', 'Unrealized profit and loss (USD).', [['', m.unrealizedPnl]]);
  metric('dogegrid_round_trips_total', 'counter', 'Completed round trips.', [['', m.roundTrips]]);
  metric('dogegrid_open_orders', 'gauge', 'Open grid orders by side.', [
    ['{side="buy"}', m.openOrders?.buy],
    ['{side="sell"}', m.openOrders?.sell],
  ]);
  metric('dogegrid_fills_per_hour', 'gauge', 'Fills in the last hour.', [['', m.fillsPerHour]]);
  metric('dogegrid_fills_total', 'counter', 'Fills since start.', [['', m.fillsTotal]]);
  metric('dogegrid_api_errors_total', 'counter', 'Failed exchange API calls.', [['', m.apiErrorsTotal]]);
  metric('dogegrid_last_tick_duration_seconds', 'gauge', 'Duration of the last tick.', [
    ['', typeof m.lastTickDurationMs === 'number' ? m.lastTickDurationMs / 1000 : null],
  ]);
  metric('dogegrid_ticks_total', 'counter', 'Ticks run since start.', [['', m.ticksTotal]]);
  metric('dogegrid_paused', 'gauge', '1 while trading is paused.', [['', m.paused === undefined ? undefined : m.paused ? 1 : 0]]);
  metric('dogegrid_uptime_seconds', 'gauge', 'Seconds since start.', [['', m.uptimeSeconds]]);
  metric(
    'dogegrid_http_responses_total',
    'counter',
    'HTTP responses by status code.',
    [...requests.entries()].sort().map(([code, n]) => [`{code="${code}"}`, n]),
  );
  return out.join('\n') + '\n';
}

const ROUTES: Record<string, string[]> = {
  '/': ['GET', 'HEAD'],
  '/api/status': ['GET', 'HEAD'],
  '/api/stats': ['GET', 'HEAD'],
  '/health': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/api/config': ['POST'],
};

const EXPORT_PREFIX = '/api/export/';
const CSV_NAME = /^[A-Za-z0-9_-]{1,40}$/;

type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: boolean };

function readBody(req: http.IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(r);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        // Stop reading: the 413 answer closes the connection, the rest is never buffered.
        req.pause();
        finish({ ok: false, tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = (): void => finish({ ok: false, tooLarge: false });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function startHttpServer(port: number, deps: HttpServerDeps, host = '0.0.0.0'): Promise<RunningHttpServer> {
  const token = deps.dashboardToken ?? '';
  registerSecret(token);
  const statusCache = new JsonCache(deps.statusCacheMs ?? 500);
  const statsCache = new JsonCache(deps.statusCacheMs ?? 500);
  const responses = new Map<string, number>();
  const refreshMs = deps.dashboardRefreshMs ?? 5000;
  const exportNames = Object.keys(deps.csvFiles).filter((n) => CSV_NAME.test(n));

  function send(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, csp = API_CSP): void {
    responses.set(String(reply.status), (responses.get(String(reply.status)) ?? 0) + 1);
    const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    const headers: Record<string, string | number> = {
      ...COMMON_HEADERS,
      'Content-Security-Policy': csp,
      'Cache-Control': 'no-store',
      ...reply.headers,
      'Content-Length': body.length,
    };
    res.writeHead(reply.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  function jsonFromCache(req: http.IncomingMessage, cache: JsonCache, fetch: () => unknown): Reply {
    const json = cache.get(fetch);
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    if (acceptsGzip && json.length > 1024) {
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' },
        body: cache.gzipped(),
      };
    }
    return { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8', Vary: 'Accept-Encoding' }, body: cache.buffer() };
  }

  async function handleConfig(req: http.IncomingMessage): Promise<Reply> {
    const mode = deps.mode();
    if (token === '' && mode === 'live') {
      return errorReply(403, 'Config changes are disabled: the bot runs live without a dashboard token. Set DASHBOARD_TOKEN to enable them.');
    }
    if (token !== '' && !bearerMatches(req.headers.authorization, token)) {
      return errorReply(401, 'Missing or wrong dashboard token (send Authorization: Bearer <DASHBOARD_TOKEN>).', {
        'WWW-Authenticate': 'Bearer realm="dashboard"',
      });
    }
    const origin = req.headers.origin;
    if (typeof origin === 'string' && origin !== 'null') {
      let sameHost = false;
      try {
        const originHost = new URL(origin).host;
        const forwarded = String(req.headers['x-forwarded-host'] ?? '').split(',')[0].trim();
        sameHost = originHost === req.headers.host || (forwarded !== '' && originHost === forwarded);
      } catch {
        sameHost = false;
      }
      if (!sameHost) return errorReply(403, 'Cross-origin requests are not accepted.');
    }
    const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') return errorReply(415, 'Send the body as JSON (Content-Type: application/json).');
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) {
      return errorReply(413, `Body too large (limit ${MAX_BODY_BYTES} bytes).`, { Connection: 'close' });
    }
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok) {
      return read.tooLarge
        ? errorReply(413, `Body too large (limit ${MAX_BODY_BYTES} bytes).`, { Connection: 'close' })
        : errorReply(400, 'Request body could not be read.', { Connection: 'close' });
    }
    let body: unknown;
    try {
      body = JSON.parse(utf8.decode(read.body));
    } catch {
      return jsonReply(400, { ok: false, errors: ['body is not valid JSON'] });
    }
    const parsed = parseConfigBody(body, deps.controls.minSpacingPct());
    if (!parsed.ok) return jsonReply(400, { ok: false, errors: parsed.errors });
    const applied: string[] = [];
    try {
      for (const request of parsed.requests) {
        const outcome = await deps.controls.apply(request, 'web');
        if (!outcome.ok) return jsonReply(400, { ok: false, errors: [outcome.message], applied });
        applied.push(outcome.message);
      }
    } finally {
      if (applied.length > 0) {
        statusCache.invalidate();
        statsCache.invalidate();
      }
    }
    return jsonReply(200, { ok: true, applied });
  }

  function serveCsv(req: http.IncomingMessage, res: http.ServerResponse, name: string): boolean {
    if (!CSV_NAME.test(name) || !Object.prototype.hasOwnProperty.call(deps.csvFiles, name)) return false;
    const file = deps.csvFiles[name];
    let size: number;
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) return false;
      size = st.size;
    } catch {
      // No rows written yet: an empty file is an honest answer.
      size = 0;
    }
    const headers = {
      ...COMMON_HEADERS,
      'Content-Security-Policy': API_CSP,
      'Cache-Control': 'no-store',
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${name}.csv"`,
    };
    responses.set('200', (responses.get('200') ?? 0) + 1);
    if (req.method === 'HEAD' || size === 0) {
      res.writeHead(200, { ...headers, 'Content-Length': size });
      res.end();
      return true;
    }
    // Stream what exists now (the file only grows; stop at the size we announced).
    res.writeHead(200, { ...headers, 'Content-Length': size });
    const stream = fs.createReadStream(file, { start: 0, end: size - 1 });
    stream.on('error', (err) => {
      log.warn(`csv export ${name} failed: ${errorMessage(err)}`);
      res.destroy();
    });
    stream.pipe(res);
    return true;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      send(req, res, errorReply(400, 'Bad request target.'));
      return;
    }
    const method = req.method ?? 'GET';

    if (pathname.startsWith(EXPORT_PREFIX) && pathname.endsWith('.csv')) {
      if (method !== 'GET' && method !== 'HEAD') {
        send(req, res, errorReply(405, 'Method not allowed.', { Allow: 'GET, HEAD' }));
        return;
      }
      const name = pathname.slice(EXPORT_PREFIX.length, -'.csv'.length);
      if (!serveCsv(req, res, name)) send(req, res, errorReply(404, 'No such export.'));
      return;
    }

    const allowed = Object.prototype.hasOwnProperty.call(ROUTES, pathname) ? ROUTES[pathname] : undefined;
    if (!allowed) {
      send(req, res, errorReply(404, 'Not found.'));
      return;
    }
    if (!allowed.includes(method)) {
      send(req, res, errorReply(405, 'Method not allowed.', { Allow: allowed.join(', ') }));
      return;
    }

    switch (pathname) {
      case '/': {
        const nonce = crypto.randomBytes(18).toString('base64');
        const html = dashboardHtml(nonce, { refreshMs, exports: exportNames });
        send(req, res, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html }, pageCsp(nonce));
        return;
      }
      case '/api/status':
        send(req, res, jsonFromCache(req, statusCache, deps.status));
        return;
      case '/api/stats':
        send(req, res, jsonFromCache(req, statsCache, deps.stats));
        return;
      case '/health': {
        const h = deps.health();
        send(req, res, jsonReply(h.healthy ? 200 : 503, h.body));
        return;
      }
      case '/metrics':
        send(req, res, {
          status: 200,
          headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
          body: redact(metricsText(deps.metrics(), deps.mode(), responses)),
        });
        return;
      case '/api/config':
        send(req, res, await handleConfig(req));
        return;
    }
  }

  const server = http.createServer(
    { requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        log.error(`${req.method ?? '?'} ${String(req.url ?? '').slice(0, 100)} failed: ${errorMessage(err)}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        try {
          send(req, res, errorReply(500, 'Internal error.', { Connection: 'close' }));
        } catch {
          res.destroy();
        }
      });
    },
  );
  server.maxConnections = 512;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      server.on('error', (err) => log.error(`server error: ${errorMessage(err)}`));
      const actual = (server.address() as AddressInfo).port;
      log.info(`dashboard listening on http://${host.includes(':') ? `[${host}]` : host}:${actual}/`);
      resolve({
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
