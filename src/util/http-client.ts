// The single place that performs outgoing HTTP(S) requests. Kraken, Telegram
// and the AI advisor all go through here, so timeouts and http/https choice
// behave the same everywhere. Local simulators speak plain http on 127.0.0.1.
import http from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Network-level failure (no HTTP status): refused, reset, DNS, timeout. */
export class NetworkError extends Error {
  constructor(message: string, readonly timedOut: boolean) {
    super(message);
    this.name = 'NetworkError';
  }
}

const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new NetworkError('invalid URL', false));
      return;
    }
    const lib = url.protocol === 'http:' ? http : https;
    const headers: Record<string, string> = { 'User-Agent': 'doge-grid-bot', ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
    let settled = false;
    const finish = (fn: () => void) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn();
      }
    };
    const r = lib.request(url, { method: req.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESPONSE_BYTES) {
          r.destroy();
          finish(() => reject(new NetworkError('response too large', false)));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })),
      );
      res.on('error', (e) => finish(() => reject(new NetworkError(`response error: ${e.message}`, false))));
    });
    // Only the host is named in errors: paths and query strings may carry tokens (Telegram puts the bot token in the path).
    const timer = setTimeout(() => {
      r.destroy();
      finish(() => reject(new NetworkError(`timeout after ${req.timeoutMs} ms (${url.host})`, true)));
    }, req.timeoutMs);
    r.on('error', (e: NodeJS.ErrnoException) => finish(() => reject(new NetworkError(`${e.code ?? 'error'} (${url.host})`, false))));
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}
