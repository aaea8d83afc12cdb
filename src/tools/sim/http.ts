// Small HTTP helpers shared by the Kraken API, the admin API and the fault
// switches.
import type http from 'node:http';

/** What a Kraken endpoint answers: a JSON body (status 200 unless given) or a raw non-JSON body. */
export type KrakenReply = { status?: number; body: unknown } | { raw: string; status: number };

const MAX_BODY = 1_000_000;

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function deliver(res: http.ServerResponse, reply: KrakenReply): void {
  if ('raw' in reply) {
    res.writeHead(reply.status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(reply.raw) });
    res.end(reply.raw);
  } else sendJson(res, reply.status ?? 200, reply.body);
}

/** Calls `done` with the whole request body; a body over 1 MB destroys the request instead. */
export function collectBody(req: http.IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > MAX_BODY) {
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => done(Buffer.concat(chunks).toString('utf8')));
}
