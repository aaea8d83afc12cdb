// Fault injection: the failures a Kraken client meets in production, switched
// on per endpoint for a number of requests. Error strings are Kraken's own
// ("Spot API errors", https://docs.kraken.com/api/docs/guides/spot-errors):
// EService:Unavailable / EService:Busy (retry later), EAPI:Invalid nonce,
// EAPI:Rate limit exceeded, EGeneral:Temporary lockout, EOrder:Insufficient
// funds; plus what the network and Cloudflare in front of api.kraken.com do:
// HTTP 502 pages, reset or silent connections, truncated bodies. "_after"
// variants execute the request first, so the client cannot know the outcome.
import type http from 'node:http';
import { deliver, sendJson, type KrakenReply } from './http.js';

export type FaultType =
  | 'latency' // delay the answer by `ms`
  | 'http_502' // HTTP 502, request not executed
  | 'http_502_after' // executed, then HTTP 502
  | 'service_unavailable' // EService:Unavailable, not executed
  | 'service_unavailable_after' // executed, then EService:Unavailable
  | 'service_busy' // EService:Busy, not executed
  | 'invalid_nonce' // EAPI:Invalid nonce, not executed
  | 'rate_limit' // EAPI:Rate limit exceeded, not executed
  | 'lockout' // EGeneral:Temporary lockout, not executed
  | 'malformed_json' // executed, then an unreadable body
  | 'insufficient_funds' // EOrder:Insufficient funds, not executed
  | 'drop_before' // connection reset, not executed
  | 'drop_after' // executed, then connection reset
  | 'timeout_before' // no answer at all, not executed
  | 'timeout_after'; // executed, then no answer at all

export const FAULT_TYPES: FaultType[] = [
  'latency',
  'http_502',
  'http_502_after',
  'service_unavailable',
  'service_unavailable_after',
  'service_busy',
  'invalid_nonce',
  'rate_limit',
  'lockout',
  'malformed_json',
  'insufficient_funds',
  'drop_before',
  'drop_after',
  'timeout_before',
  'timeout_after',
];

export interface FaultSpec {
  type: FaultType;
  /** Endpoint name (e.g. "AddOrder"); any endpoint when omitted. */
  endpoint?: string;
  /** How many matching requests it hits. Default 1. */
  times?: number;
  /** For latency. */
  ms?: number;
}

export interface ActiveFault {
  type: FaultType;
  times: number;
  endpoint?: string;
  ms?: number;
}

/** The armed faults (also the `faults` member of the KrakenSim handle). */
export class FaultBoard {
  /** Added to every request, in real ms. */
  latencyMs = 0;
  private readonly active: ActiveFault[] = [];

  add(f: FaultSpec | FaultSpec[]): void {
    for (const one of Array.isArray(f) ? f : [f]) {
      if (!FAULT_TYPES.includes(one.type)) throw new Error(`unknown fault type: ${String(one.type)}`);
      this.active.push({ type: one.type, times: one.times ?? 1, endpoint: one.endpoint, ms: one.ms });
    }
  }

  clear(): void {
    this.active.splice(0, this.active.length);
  }

  list(): ActiveFault[] {
    return this.active.map((f) => ({ ...f }));
  }

  /** The first armed non-latency fault for this endpoint, used up by one; null when none. */
  take(endpoint: string): FaultType | null {
    const i = this.active.findIndex((f) => f.type !== 'latency' && hits(f, endpoint));
    if (i < 0) return null;
    const f = this.active[i]!;
    if (--f.times <= 0) this.active.splice(i, 1);
    return f.type;
  }

  /** Total delay for this request (base latency plus every matching latency fault, each used up by one). */
  takeLatency(endpoint: string): number {
    let ms = this.latencyMs;
    for (let i = this.active.length - 1; i >= 0; i--) {
      const f = this.active[i]!;
      if (f.type !== 'latency' || !hits(f, endpoint)) continue;
      ms += f.ms ?? 0;
      if (--f.times <= 0) this.active.splice(i, 1);
    }
    return ms;
  }
}

function hits(f: ActiveFault, endpoint: string): boolean {
  return f.endpoint === undefined || f.endpoint === endpoint;
}

const BAD_GATEWAY: KrakenReply = { raw: '<html><body><h1>502 Bad Gateway</h1></body></html>', status: 502 };
/** Faults that answer with a Kraken error instead of executing the request. */
const ERROR_BEFORE: Partial<Record<FaultType, string>> = {
  service_unavailable: 'EService:Unavailable',
  service_busy: 'EService:Busy',
  invalid_nonce: 'EAPI:Invalid nonce',
  rate_limit: 'EAPI:Rate limit exceeded',
  insufficient_funds: 'EOrder:Insufficient funds',
  lockout: 'EGeneral:Temporary lockout',
};

/** Keeps a response open without answering (until the client gives up or the simulator closes). */
export type Hold = (res: http.ServerResponse) => void;

/** Answer for a fault that strikes before execution; false = "go on and execute". */
export function answerBefore(type: FaultType | null, res: http.ServerResponse, hold: Hold): boolean {
  if (type === null) return false;
  const error = ERROR_BEFORE[type];
  if (error !== undefined) sendJson(res, 200, { error: [error] });
  else if (type === 'http_502') deliver(res, BAD_GATEWAY);
  else if (type === 'drop_before') res.socket?.destroy();
  else if (type === 'timeout_before') hold(res);
  else return false;
  return true;
}

/** Delivers the executed request's reply, or what a fault that strikes after execution does instead. */
export function answerAfter(type: FaultType | null, res: http.ServerResponse, reply: KrakenReply, hold: Hold): void {
  switch (type) {
    case 'http_502_after':
      return deliver(res, BAD_GATEWAY);
    case 'service_unavailable_after':
      return sendJson(res, 200, { error: ['EService:Unavailable'] });
    case 'malformed_json':
      return deliver(res, { raw: '{"error":[],"result":{"txid":["O', status: 200 });
    case 'drop_after':
      return void res.socket?.destroy();
    case 'timeout_after':
      return hold(res);
    default:
      return deliver(res, reply);
  }
}
