// Test support for the Kraken client, adapter and simulator: a shared fake
// clock (the client's sleep advances it, the simulator reads it, so rate
// limits and backoff never cost real time), and one-call setups.
import { configureLogger } from '../../src/util/log.js';
import { KrakenClient, type KrakenClientOptions } from '../../src/exchange/kraken/client.js';
import { KrakenExchange } from '../../src/exchange/kraken/kraken-exchange.js';
import { startKrakenSim, type KrakenSim, type KrakenSimOptions } from '../../src/tools/sim/kraken-sim.js';

export { T0 } from './clock.js';
/** The suite's one fake clock, under the name the Kraken tests know it by. */
export { FakeClock as SharedClock } from './clock.js';
import { FakeClock as SharedClock } from './clock.js';

export interface KrakenRig {
  clock: SharedClock;
  sim: KrakenSim;
  client: KrakenClient;
  /** Another client factory on the same simulator and clock. */
  newClient(over?: Partial<KrakenClientOptions>): KrakenClient;
  close(): Promise<void>;
}

export async function krakenRig(simOpts: KrakenSimOptions = {}, clientOpts: Partial<KrakenClientOptions> = {}): Promise<KrakenRig> {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now, ...simOpts });
  const newClient = (over: Partial<KrakenClientOptions> = {}) =>
    new KrakenClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      apiSecret: sim.apiSecret,
      tier: simOpts.tier ?? 'starter',
      timeoutMs: 2000,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      ...clientOpts,
      ...over,
    });
  const client = newClient();
  return { clock, sim, client, newClient, close: () => sim.close() };
}

export function exchangeFor(rig: KrakenRig, userref = 4242, client: KrakenClient = rig.client): KrakenExchange {
  return new KrakenExchange(client, { pair: 'XDGUSD', userref, now: rig.clock.now });
}

/** Capture log lines while `fn` runs. */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
  const lines: string[] = [];
  configureLogger({ write: (l) => lines.push(l), level: 'DEBUG' });
  try {
    const result = await fn();
    return { result, error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    configureLogger({ write: quiet ? () => undefined : (l) => process.stdout.write(l + '\n'), level: 'INFO' });
  }
}

let quiet = false;

/** Silence the logger for a whole test file (retries log warnings by design). */
export function quietLogs(): void {
  quiet = true;
  configureLogger({ write: () => undefined });
}

// ----- canned Kraken: fixed answers per endpoint, no simulator --------------

/** One canned answer: the JSON body (`{error, result}`), or a function of the request's parameters and call number. */
export type CannedReply = unknown | ((params: URLSearchParams, n: number) => unknown);

export interface CannedKraken {
  url: string;
  /** Every request received, in order: endpoint name and its parameters (query or form body). */
  calls: { method: string; params: URLSearchParams }[];
  /** Replace (or add) the answer of one endpoint. */
  set(method: string, reply: CannedReply): void;
  count(method: string): number;
  close(): Promise<void>;
}

const CANNED_DEFAULTS: Record<string, unknown> = {
  AssetPairs: {
    error: [],
    result: {
      XDGUSD: { altname: 'XDGUSD', wsname: 'XDG/USD', base: 'XXDG', quote: 'ZUSD', pair_decimals: 7, lot_decimals: 8, ordermin: '13', costmin: '0.5', tick_size: '0.0000001', status: 'online' },
    },
  },
  Ticker: { error: [], result: { XDGUSD: { a: ['0.1001', '1', '1'], b: ['0.0999', '1', '1'], c: ['0.1000', '5'] } } },
};

/** An HTTP server answering Kraken's REST paths with canned JSON (signatures are not checked). */
export async function cannedKraken(replies: Record<string, CannedReply> = {}): Promise<CannedKraken> {
  const http = await import('node:http');
  const table: Record<string, CannedReply> = { ...CANNED_DEFAULTS, ...replies };
  const calls: CannedKraken['calls'] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const method = u.pathname.split('/').pop() ?? '';
      const params = req.method === 'POST' ? new URLSearchParams(body) : u.searchParams;
      calls.push({ method, params });
      const n = calls.filter((c) => c.method === method).length;
      const r = table[method];
      const out = typeof r === 'function' ? (r as (p: URLSearchParams, n: number) => unknown)(params, n) : (r ?? { error: ['EGeneral:Unknown method'] });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}`,
    calls,
    set: (m, r) => {
      table[m] = r;
    },
    count: (m) => calls.filter((c) => c.method === m).length,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client and an adapter (pair XDGUSD, userref 4242) talking to a canned Kraken on a fake clock. */
export function cannedClient(k: CannedKraken, over: Partial<KrakenClientOptions> = {}): { clock: SharedClock; client: KrakenClient; ex: KrakenExchange } {
  const clock = new SharedClock();
  const client = new KrakenClient({
    baseUrl: k.url,
    apiKey: 'canned-key',
    apiSecret: Buffer.from('canned-secret').toString('base64'),
    tier: 'starter',
    timeoutMs: 2000,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    maxRetries: 2,
    ...over,
  });
  return { clock, client, ex: new KrakenExchange(client, { pair: 'XDGUSD', userref: 4242, now: clock.now }) };
}

/** A Kraken order (QueryOrders / OpenOrders / ClosedOrders entry) with sane defaults. */
export function krakenOrder(over: Record<string, unknown> = {}, descr: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    refid: null,
    userref: null,
    cl_ord_id: null,
    status: 'closed',
    opentm: 1709251200,
    starttm: 0,
    expiretm: 0,
    descr: { pair: 'XDGUSD', type: 'buy', ordertype: 'limit', price: '0.1000000', price2: '0', leverage: 'none', order: 'buy 20 XDGUSD @ limit 0.1', close: '', ...descr },
    vol: '20.00000000',
    vol_exec: '20.00000000',
    cost: '2.0000000',
    fee: '0.0050000',
    price: '0.1000000',
    stopprice: '0',
    limitprice: '0',
    misc: '',
    oflags: 'post,fciq',
    ...over,
  };
}
