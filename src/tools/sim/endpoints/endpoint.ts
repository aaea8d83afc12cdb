// The shape of one Kraken REST endpoint in the simulator. The API dispatcher
// (kraken-api.ts) looks endpoints up by URL path in a table built from these,
// so a new endpoint (AmendOrder, AddOrderBatch, TradeVolume, …) is one more
// entry in a file under endpoints/, listed in endpoints/index.ts.
import type { SimEngine } from '../engine.js';

import type { Params } from '../types.js';

export type { Params };

export interface Endpoint {
  /** Kraken's method name, the last segment of the path (/0/public/<name>, /0/private/<name>). */
  name: string;
  access: 'public' | 'private';
  /**
   * Points on the API key's REST call counter ("Spot REST Rate Limits"): 1, 2 for
   * ledger/trade history, 0 for AddOrder/CancelOrder, which charge the trading
   * counter instead. Public endpoints are not counted per key.
   */
  restCost: number;
  /** The `result` of a successful call; throws KrakenFail for Kraken's errors. */
  handle(params: Params, engine: SimEngine): unknown;
}

export type EndpointTable = ReadonlyMap<string, Endpoint>;

export function endpointPath(e: Pick<Endpoint, 'access' | 'name'>): string {
  return `/0/${e.access}/${e.name}`;
}

export function endpointTable(...groups: Endpoint[][]): EndpointTable {
  const table = new Map<string, Endpoint>();
  for (const e of groups.flat()) {
    const path = endpointPath(e);
    if (table.has(path)) throw new Error(`endpoint registered twice: ${path}`);
    table.set(path, e);
  }
  return table;
}
