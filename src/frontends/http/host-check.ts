// The Host header check for state-changing requests (POST /api/config), a
// guard against DNS rebinding: a page on evil.example that re-points its own
// name at this bot (127.0.0.1, a LAN address) becomes "same origin" with it in
// the browser, so the Origin check alone would let it POST (with no token in
// dry run, or with a token the operator typed into a look-alike page). Such a
// request always names the attacker's host in Host, always comes from a plain
// http:// page (this server speaks no TLS), and cannot fake Host or Origin.
//
// Accepted: an IP address, localhost (and *.localhost), the bind address
// (HOST), the names on the allow-list (HttpServerDeps.allowedHosts), Railway's
// own domains (their DNS is not the attacker's to re-point), and any name when
// the browser says it came from an https:// origin — only a TLS-terminating
// proxy in front of us (Railway's edge, which also sends X-Forwarded-Host) can
// carry such a request here. Reads stay open, as SPEC §2 says.
import type http from 'node:http';
import net from 'node:net';
import type { ServerContext } from './context.js';
import { errorReply, type Reply } from './reply.js';

/** DNS zones run by the hosting platform, never re-pointable by a third party. */
const PLATFORM_ZONES = ['.up.railway.app', '.railway.internal'];

function inList(hostname: string, list: readonly string[]): boolean {
  return list.some((entry) => (entry.startsWith('.') ? hostname.endsWith(entry) || hostname === entry.slice(1) : hostname === entry));
}

/** The host name of a Host header value (lower case, IPv6 without brackets), or null when it is not one. */
export function hostnameOf(hostHeader: string | undefined): string | null {
  if (typeof hostHeader !== 'string' || hostHeader === '' || /[\s/?#@\\]/.test(hostHeader)) return null;
  try {
    const h = new URL(`http://${hostHeader}`).hostname.toLowerCase();
    return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  } catch {
    return null;
  }
}

function fromHttpsOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Whether a state-changing request addressed to this Host may be obeyed. */
export function hostAllowed(ctx: ServerContext, req: http.IncomingMessage): boolean {
  const hostname = hostnameOf(req.headers.host);
  if (hostname === null) return false;
  if (net.isIP(hostname) !== 0) return true;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (inList(hostname, ctx.allowedHosts) || inList(hostname, PLATFORM_ZONES)) return true;
  return fromHttpsOrigin(req);
}

/** The 403 for a Host this server does not take changes for, or null. */
export function hostRefusal(ctx: ServerContext, req: http.IncomingMessage): Reply | null {
  if (hostAllowed(ctx, req)) return null;
  return errorReply(
    403,
    'Changes are only accepted when the dashboard is addressed by IP address, localhost, an allowed host name or over https (DNS-rebinding guard).',
  );
}
