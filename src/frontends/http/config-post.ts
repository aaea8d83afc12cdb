// POST /api/config: the dashboard's changes, through the controls (SPEC §2).
// Checked in order: allowed at all (a live bot needs a token), the token,
// the Host (host-check.ts, against DNS rebinding), same origin, JSON content type, body size, JSON syntax, then each request
// is applied until one fails.
import type http from 'node:http';
import { parseConfigBody } from '../../ops/controls.js';
import type { ServerContext } from './context.js';
import { errorReply, jsonReply, type Reply } from './reply.js';
import { hostRefusal } from './host-check.js';
import { bearerMatches } from './security.js';

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 16 * 1024;

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

const tooLarge = (): Reply => errorReply(413, `Body too large (limit ${MAX_BODY_BYTES} bytes).`, { Connection: 'close' });

/** The refusal for a caller who may not change anything, or null. */
function authorize(ctx: ServerContext, req: http.IncomingMessage): Reply | null {
  if (ctx.token === '' && ctx.deps.mode() === 'live') {
    return errorReply(403, 'Config changes are disabled: the bot runs live without a dashboard token. Set DASHBOARD_TOKEN to enable them.');
  }
  if (ctx.token !== '' && !bearerMatches(req.headers.authorization, ctx.token)) {
    return errorReply(401, 'Missing or wrong dashboard token (send Authorization: Bearer <DASHBOARD_TOKEN>).', {
      'WWW-Authenticate': 'Bearer realm="dashboard"',
    });
  }
  return null;
}

/** A browser's Origin header must name this host (directly or through a proxy's X-Forwarded-Host). */
function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return true;
  try {
    const originHost = new URL(origin).host;
    const forwarded = String(req.headers['x-forwarded-host'] ?? '').split(',')[0].trim();
    return originHost === req.headers.host || (forwarded !== '' && originHost === forwarded);
  } catch {
    return false;
  }
}

/** The JSON body, or the reply that refuses it. */
async function readJson(req: http.IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; reply: Reply }> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') return { ok: false, reply: errorReply(415, 'Send the body as JSON (Content-Type: application/json).') };
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > MAX_BODY_BYTES) return { ok: false, reply: tooLarge() };
  const read = await readBody(req, MAX_BODY_BYTES);
  if (!read.ok) {
    return { ok: false, reply: read.tooLarge ? tooLarge() : errorReply(400, 'Request body could not be read.', { Connection: 'close' }) };
  }
  try {
    return { ok: true, value: JSON.parse(utf8.decode(read.body)) };
  } catch {
    return { ok: false, reply: jsonReply(400, { ok: false, errors: ['body is not valid JSON'] }) };
  }
}

/** Applies the parsed requests in order; stops at the first refusal. Any change invalidates the cached status. */
async function applyAll(ctx: ServerContext, body: unknown): Promise<Reply> {
  const controls = ctx.deps.controls;
  const parsed = parseConfigBody(body, controls.minSpacingPct());
  if (!parsed.ok) return jsonReply(400, { ok: false, errors: parsed.errors });
  const applied: string[] = [];
  try {
    for (const request of parsed.requests) {
      const outcome = await controls.apply(request, 'web');
      if (!outcome.ok) return jsonReply(400, { ok: false, errors: [outcome.message], applied });
      applied.push(outcome.message);
    }
  } finally {
    if (applied.length > 0) {
      ctx.statusCache.invalidate();
      ctx.statsCache.invalidate();
    }
  }
  return jsonReply(200, { ok: true, applied });
}

/** The checks every state-changing POST passes (token, Host, same origin), or the refusal. */
export function refuseChange(ctx: ServerContext, req: http.IncomingMessage): Reply | null {
  const refused = authorize(ctx, req);
  if (refused) return refused;
  const wrongHost = hostRefusal(ctx, req);
  if (wrongHost) return wrongHost;
  if (!sameOrigin(req)) return errorReply(403, 'Cross-origin requests are not accepted.');
  return null;
}

/** POST /api/suggest: the same checks as POST /api/config; starts a /suggest walk-forward and answers at once (202). */
export function handleSuggestPost(ctx: ServerContext, req: http.IncomingMessage): Reply {
  const refused = refuseChange(ctx, req);
  if (refused) return refused;
  req.resume();
  if (!ctx.deps.suggest) return errorReply(404, 'Suggestions are not available.');
  const r = ctx.deps.suggest();
  return jsonReply(r.started ? 202 : 409, { ok: r.started, message: r.message });
}

export async function handleConfigPost(ctx: ServerContext, req: http.IncomingMessage): Promise<Reply> {
  const refused = refuseChange(ctx, req);
  if (refused) return refused;
  const body = await readJson(req);
  if (!body.ok) return body.reply;
  return applyAll(ctx, body.value);
}
