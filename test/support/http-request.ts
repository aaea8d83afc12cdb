// Raw HTTP requests for the server tests: full control over method, headers
// and body bytes (fetch would add or refuse some of them).
import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send the body with chunked encoding instead of Content-Length. */
  chunked?: boolean;
  agent?: http.Agent | false;
}

export function request(port: number, path: string, opts: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body, 'utf8');
    if (body && !opts.chunked && headers['Content-Length'] === undefined) headers['Content-Length'] = body.length;
    const req = http.request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) {
      if (opts.chunked) {
        // Several writes so the server sees it arrive in pieces.
        for (let i = 0; i < body.length; i += 4096) req.write(body.subarray(i, i + 4096));
      } else req.write(body);
    }
    req.end();
  });
}

export function postJson(port: number, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(port, '/api/config', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Headers every response must carry. */
export const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options'] as const;
