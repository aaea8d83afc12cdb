// The built-in web server: the dashboard page, the JSON API, CSV downloads and
// Prometheus metrics (SPEC §2, §3, §4.9). Node built-ins only.
//
// It shares the bot's event loop, so every handler is cheap: the status JSON is
// serialised once per StatusView object (and briefly cached), CSV files are
// streamed, and request bodies are capped at 16 KB. Nothing a client sends can
// crash the process: a throwing handler answers 500 with a generic message,
// and no response ever carries a stack trace or a registered secret.
//
// The parts: context.ts (deps and shared state), reply.ts (writing a
// response), security.ts (headers, CSP, token check), json-cache.ts,
// config-post.ts (POST /api/config), csv-export.ts, metrics.ts, dashboard.ts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, logger, redact, registerSecret } from '../../util/log.js';
import { handleConfigPost, handleSuggestPost } from './config-post.js';
import { ConnectionGuard } from './connection-guard.js';
import { createContext, type HttpServerDeps, type ServerContext } from './context.js';
import { exportName, serveCsv } from './csv-export.js';
import { clientScript } from './dashboard/client-script.js';
import { dashboardHtml } from './dashboard.js';
import { jsonFromCache } from './json-cache.js';
import { metricsText } from './metrics.js';
import { errorReply, jsonReply, send, type Reply } from './reply.js';
import { periodsReply } from './periods-api.js';
import { newNonce, pageCsp } from './security.js';

export { MAX_BODY_BYTES } from './config-post.js';
export type { HttpServerDeps } from './context.js';
export type { MetricsSnapshot } from './metrics.js';
export { bearerMatches, pageCsp } from './security.js';

export interface RunningHttpServer {
  port: number;
  close(): Promise<void>;
}

const log = logger('http');

/** Every route and the methods it answers (CSV exports are matched by prefix, below). */
const ROUTES = {
  '/': ['GET', 'HEAD'],
  '/api/status': ['GET', 'HEAD'],
  '/api/stats': ['GET', 'HEAD'],
  '/api/periods': ['GET', 'HEAD'],
  '/health': ['GET', 'HEAD'],
  '/metrics': ['GET', 'HEAD'],
  '/api/config': ['POST'],
  '/api/suggest': ['POST'],
} satisfies Record<string, string[]>;

type Route = keyof typeof ROUTES;

/** A route's answer: a Reply, and for the page the CSP that carries its nonce. */
type Handler = (ctx: ServerContext, req: http.IncomingMessage) => Reply | { reply: Reply; csp: string } | Promise<Reply>;

function dashboardPage(ctx: ServerContext): { reply: Reply; csp: string } {
  const nonce = newNonce();
  const html = dashboardHtml(nonce, { refreshMs: ctx.refreshMs, exports: ctx.exportNames });
  return { reply: { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html }, csp: pageCsp(nonce) };
}

const HANDLERS: Record<Route, Handler> = {
  '/': dashboardPage,
  '/api/status': (ctx, req) => jsonFromCache(req, ctx.statusCache, ctx.deps.status),
  '/api/stats': (ctx, req) => jsonFromCache(req, ctx.statsCache, ctx.deps.stats),
  '/api/periods': (ctx, req) => periodsReply(ctx, req),
  '/health': (ctx) => {
    const h = ctx.deps.health();
    return jsonReply(h.healthy ? 200 : 503, h.body);
  },
  '/metrics': (ctx) => ({
    status: 200,
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' },
    body: redact(metricsText(ctx.deps.metrics(), ctx.deps.mode(), ctx.responses)),
  }),
  '/api/config': (ctx, req) => handleConfigPost(ctx, req),
  '/api/suggest': (ctx, req) => handleSuggestPost(ctx, req),
};

function isRoute(pathname: string): pathname is Route {
  return Object.prototype.hasOwnProperty.call(ROUTES, pathname);
}

function pathOf(req: http.IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://localhost').pathname;
  } catch {
    return null;
  }
}

function handleExport(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, method: string, name: string): void {
  if (method !== 'GET' && method !== 'HEAD') send(ctx, req, res, errorReply(405, 'Method not allowed.', { Allow: 'GET, HEAD' }));
  else if (!serveCsv(ctx, req, res, name)) send(ctx, req, res, errorReply(404, 'No such export.'));
}

async function handle(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const pathname = pathOf(req);
  if (pathname === null) return send(ctx, req, res, errorReply(400, 'Bad request target.'));
  const method = req.method ?? 'GET';
  const csv = exportName(pathname);
  if (csv !== null) return handleExport(ctx, req, res, method, csv);
  if (!isRoute(pathname)) return send(ctx, req, res, errorReply(404, 'Not found.'));
  const allowed: readonly string[] = ROUTES[pathname];
  if (!allowed.includes(method)) return send(ctx, req, res, errorReply(405, 'Method not allowed.', { Allow: allowed.join(', ') }));
  const answer = await HANDLERS[pathname](ctx, req);
  if ('reply' in answer) send(ctx, req, res, answer.reply, answer.csp);
  else send(ctx, req, res, answer);
}

/** 500 for a handler that threw (or a cut connection when the headers are already out). */
function failRequest(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  log.error(`${req.method ?? '?'} ${String(req.url ?? '').slice(0, 100)} failed: ${errorMessage(err)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  try {
    send(ctx, req, res, errorReply(500, 'Internal error.', { Connection: 'close' }));
  } catch {
    res.destroy();
  }
}

function createServer(ctx: ServerContext): http.Server {
  const server = http.createServer(
    // The timeouts are checked every second (Node's default is every 30 s, which let stalled sockets pile up).
    { requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      handle(ctx, req, res).catch((err: unknown) => failRequest(ctx, req, res, err));
    },
  );
  // Soft per-client and total caps (connection-guard.ts) below Node's hard refusal.
  new ConnectionGuard(ctx.connectionCaps).attach(server);
  server.maxConnections = 512;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function listen(server: http.Server, port: number, host: string): Promise<RunningHttpServer> {
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

/** Loads the dashboard script now, so a build without it shows at start-up (the page then answers 500). */
function checkDashboardScript(): void {
  try {
    clientScript();
  } catch (err) {
    log.error(errorMessage(err));
  }
}

export function startHttpServer(port: number, deps: HttpServerDeps, host = '0.0.0.0'): Promise<RunningHttpServer> {
  const ctx = createContext(deps, host);
  registerSecret(ctx.token);
  checkDashboardScript();
  return listen(createServer(ctx), port, host);
}
