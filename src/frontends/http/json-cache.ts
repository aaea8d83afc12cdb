// Serialised JSON for GET /api/status and /api/stats: encoded (and gzipped)
// once per source object, reused briefly, redacted before it leaves.
import type http from 'node:http';
import zlib from 'node:zlib';
import { redact } from '../../util/log.js';
import type { Reply } from './reply.js';

/** Serialised JSON reused while the source object is unchanged (and for at most `ttlMs` without asking again). */
export class JsonCache {
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

/** A 200 JSON reply from the cache, gzipped when the client accepts it and it is worth it. */
export function jsonFromCache(req: http.IncomingMessage, cache: JsonCache, fetch: () => unknown): Reply {
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
