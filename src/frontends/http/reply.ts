// A response as data (Reply) and the one place that writes it, with the
// security headers, no caching and a counted status code.
import type http from 'node:http';
import { redact } from '../../util/log.js';
import { API_CSP, COMMON_HEADERS } from './security.js';

export type Reply = { status: number; headers: Record<string, string | number>; body: string | Buffer };

export function jsonReply(status: number, value: unknown, extra: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...extra }, body: redact(JSON.stringify(value)) };
}

export function errorReply(status: number, error: string, extra: Record<string, string> = {}): Reply {
  return jsonReply(status, { ok: false, error }, extra);
}

/** Responses sent, by status code (reported by /metrics); the server context holds one. */
export interface ResponseCounts {
  responses: Map<string, number>;
}

export function countResponse(ctx: ResponseCounts, status: number): void {
  const key = String(status);
  ctx.responses.set(key, (ctx.responses.get(key) ?? 0) + 1);
}

/** Writes `reply` (no body for HEAD) with the common headers and `csp`. */
export function send(ctx: ResponseCounts, req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, csp = API_CSP): void {
  countResponse(ctx, reply.status);
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
