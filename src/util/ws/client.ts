// A small RFC 6455 client over node:http / node:https (Node 20 has no stable
// built-in WebSocket client and the product has no runtime dependencies).
// `wss://` for Kraken, plain `ws://` for the simulator on 127.0.0.1.
//
// The opening handshake (RFC 6455 §4.1): GET with Upgrade: websocket, a
// random 16-byte Sec-WebSocket-Key and version 13; the answer must be 101 with
// Upgrade/Connection headers and Sec-WebSocket-Accept = base64(SHA-1(key +
// GUID)), and no extension we did not ask for. Anything else is a
// WsError('handshake').
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { WebSocketConnection } from './connection.js';
import { WsError, acceptKey } from './frame.js';

export interface ConnectOptions {
  /** Largest message accepted (default 1 MiB); larger closes the connection with 1009. */
  maxMessageBytes?: number;
  /** Handshake deadline (default 10 s). */
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

function requestFor(url: URL) {
  if (url.protocol === 'ws:') return { mod: http, defaultPort: 80 };
  if (url.protocol === 'wss:') return { mod: https, defaultPort: 443 };
  throw new WsError('handshake', `unsupported WebSocket URL scheme ${url.protocol} (ws: or wss:)`);
}

/** Opens a WebSocket; resolves once the handshake succeeded. */
export function connectWebSocket(rawUrl: string, opts: ConnectOptions = {}): Promise<WebSocketConnection> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return Promise.reject(new WsError('handshake', `invalid WebSocket URL: ${rawUrl}`));
  }
  let mod: typeof http | typeof https;
  try {
    mod = requestFor(url).mod;
  } catch (err) {
    return Promise.reject(err);
  }
  const key = crypto.randomBytes(16).toString('base64');
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: WsError) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(e);
    };
    const req = mod.request({
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname || '/'}${url.search}`,
      method: 'GET',
      headers: {
        ...opts.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
      ...(url.protocol === 'wss:' ? { servername: url.hostname } : {}),
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => fail(new WsError('timeout', `WebSocket handshake with ${url.host} timed out`)));
    req.on('error', (err) => fail(new WsError('network', `WebSocket connection to ${url.host} failed: ${err.message}`)));
    req.on('response', (res) => {
      res.resume();
      fail(new WsError('handshake', `WebSocket handshake refused: HTTP ${res.statusCode ?? '?'}`));
    });
    req.on('upgrade', (res, socket, head) => {
      if (settled) {
        socket.destroy();
        return;
      }
      const problem = handshakeProblem(res, key);
      if (problem) {
        socket.destroy();
        fail(new WsError('handshake', problem));
        return;
      }
      settled = true;
      socket.setTimeout(0);
      socket.setNoDelay(true);
      resolve(new WebSocketConnection(socket, 'client', max, head));
    });
    req.end();
  });
}

/** What is wrong with a 101 answer, or null. */
export function handshakeProblem(res: http.IncomingMessage, key: string): string | null {
  if (res.statusCode !== 101) return `WebSocket handshake: HTTP ${res.statusCode ?? '?'} instead of 101`;
  if (String(res.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'WebSocket handshake: no "Upgrade: websocket" header';
  if (!/\bupgrade\b/i.test(String(res.headers.connection ?? ''))) return 'WebSocket handshake: no "Connection: Upgrade" header';
  if (res.headers['sec-websocket-accept'] !== acceptKey(key)) return 'WebSocket handshake: wrong Sec-WebSocket-Accept';
  if (res.headers['sec-websocket-extensions']) return 'WebSocket handshake: the server chose an extension we did not offer';
  return null;
}
