// A bare Kraken REST caller for simulator tests: signs requests itself (form
// or JSON body) so the simulator is exercised the way any Kraken client
// would, independently of our KrakenClient's plumbing.
import crypto from 'node:crypto';
import type { KrakenSim } from '../../../src/tools/sim/kraken-sim.js';
import { httpRequest } from '../../../src/util/http-client.js';

export interface KrakenAnswer {
  status: number;
  error: string[];
  result?: any;
}

export function sign(pathname: string, nonce: string, body: string, secretBase64: string): string {
  const digest = crypto.createHash('sha256').update(nonce + body).digest();
  return crypto.createHmac('sha512', Buffer.from(secretBase64, 'base64')).update(Buffer.concat([Buffer.from(pathname), digest])).digest('base64');
}

export class RawKraken {
  private nonce = BigInt(Date.now()) * 1000n;
  constructor(
    readonly sim: KrakenSim,
    private readonly key = sim.apiKey,
    private readonly secret = sim.apiSecret,
  ) {}

  async pub(method: string, query: Record<string, string> = {}): Promise<KrakenAnswer> {
    const qs = new URLSearchParams(query).toString();
    const r = await httpRequest({ url: `${this.sim.url}/0/public/${method}${qs ? `?${qs}` : ''}`, timeoutMs: 3000 });
    return { status: r.status, ...(JSON.parse(r.body) as { error: string[]; result?: unknown }) };
  }

  /** A private call; `json` sends the parameters as a JSON body (arrays and objects as they are). */
  async priv(method: string, params: Record<string, unknown> = {}, opts: { json?: boolean; key?: string; secret?: string; nonce?: bigint } = {}): Promise<KrakenAnswer> {
    const nonce = String(opts.nonce ?? ++this.nonce);
    const pathname = `/0/private/${method}`;
    let body: string;
    if (opts.json) body = JSON.stringify({ nonce, ...params });
    else body = new URLSearchParams({ nonce, ...(params as Record<string, string>) }).toString();
    const headers: Record<string, string> = { 'API-Key': opts.key ?? this.key, 'API-Sign': sign(pathname, nonce, body, opts.secret ?? this.secret) };
    if (opts.json) headers['Content-Type'] = 'application/json';
    const r = await httpRequest({ url: `${this.sim.url}${pathname}`, method: 'POST', headers, body, timeoutMs: 3000 });
    return { status: r.status, ...(JSON.parse(r.body) as { error: string[]; result?: unknown }) };
  }

  /** The result of a private call that must succeed. */
  async ok(method: string, params: Record<string, unknown> = {}, opts: { json?: boolean } = {}): Promise<any> {
    const a = await this.priv(method, params, opts);
    if (a.error.length) throw new Error(`${method}: ${a.error.join(', ')}`);
    return a.result;
  }

  /** The first error of a private call that must fail. */
  async err(method: string, params: Record<string, unknown> = {}, opts: { json?: boolean } = {}): Promise<string> {
    const a = await this.priv(method, params, opts);
    if (!a.error.length) throw new Error(`${method} succeeded: ${JSON.stringify(a.result)}`);
    return a.error[0]!;
  }
}
