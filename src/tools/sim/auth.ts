// Private-endpoint authentication exactly as Kraken's guide "Spot REST
// Authentication" (https://docs.kraken.com/api/docs/guides/spot-rest-auth)
// describes it, recomputed here from the raw request rather than borrowed
// from the client:
//   API-Key: the key; API-Sign: base64(HMAC-SHA512(base64decode(secret),
//   uri path + SHA256(nonce + POST body))).
// The nonce must be strictly greater than the last one accepted for the key
// (each key has its own sequence); a rejected request does not move it.
// Errors, in Kraken's order of checks: EAPI:Invalid key, EAPI:Invalid nonce
// (malformed), EAPI:Invalid signature, EAPI:Invalid nonce (not increasing).
import crypto from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KrakenFail } from './types.js';

interface ApiKey {
  secret: Buffer;
  lastNonce: bigint;
}

export class SimAuth {
  private readonly keys = new Map<string, ApiKey>();

  add(key: string, secretBase64: string): void {
    this.keys.set(key, { secret: Buffer.from(secretBase64, 'base64'), lastNonce: 0n });
  }

  /** Checks a private request; returns the API key it used, or throws the Kraken error. */
  verify(headers: IncomingHttpHeaders, path: string, body: string, nonce: string): string {
    const key = String(headers['api-key'] ?? '');
    const k = this.keys.get(key);
    if (!k) throw new KrakenFail('EAPI:Invalid key');
    if (!/^\d{1,20}$/.test(nonce)) throw new KrakenFail('EAPI:Invalid nonce');
    const digest = crypto.createHash('sha256').update(nonce + body).digest();
    const expected = crypto.createHmac('sha512', k.secret).update(Buffer.concat([Buffer.from(path), digest])).digest();
    const got = Buffer.from(String(headers['api-sign'] ?? ''), 'base64');
    if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) throw new KrakenFail('EAPI:Invalid signature');
    const n = BigInt(nonce);
    if (n <= k.lastNonce) throw new KrakenFail('EAPI:Invalid nonce');
    k.lastNonce = n;
    return key;
  }
}
