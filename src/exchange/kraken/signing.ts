// Kraken request signing (SPEC §2 contract: `signRequest` stays exported with
// this signature; `client.ts` re-exports it for older import paths).
import crypto from 'node:crypto';

/**
 * Kraken's API-Sign: base64(HMAC-SHA512(key = base64decode(secret), msg = urlPath + SHA256(nonce + postData))).
 * The SHA-256 digest is appended as raw bytes, not hex.
 */
export function signRequest(urlPath: string, nonce: string, postData: string, secretBase64: string): string {
  const inner = crypto.createHash('sha256').update(nonce + postData, 'utf8').digest();
  const key = Buffer.from(secretBase64, 'base64');
  return crypto.createHmac('sha512', key).update(Buffer.concat([Buffer.from(urlPath, 'utf8'), inner])).digest('base64');
}
