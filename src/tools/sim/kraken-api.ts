// Kraken's REST surface: /0/public/<Method> and /0/private/<Method>, looked up
// in the endpoint table. For each request, in order: unknown method (404,
// EGeneral:Unknown method), injected latency, an injected fault that strikes
// before execution, then execution (private: POST only, authentication, the
// REST call counter), then the answer (or a fault that strikes after it).
// Kraken's envelope: {"error": [...], "result": ...} ("Spot REST API
// introduction", https://docs.kraken.com/api/docs/guides/spot-rest-intro).
// A private body is form-encoded or JSON (Content-Type application/json, as
// the batch endpoints' pages show); both become the same flat parameters, an
// array as `name[i]` and an array of objects as `name[i][field]`.
import type http from 'node:http';
import type { Endpoint, EndpointTable, Params } from './endpoints/endpoint.js';
import type { SimEngine } from './engine.js';
import { answerAfter, answerBefore, type Hold } from './faults.js';
import { sendJson, type KrakenReply } from './http.js';
import { KrakenFail } from './types.js';

const KRAKEN_PATH = /^\/0\/(public|private)\/([A-Za-z]+)$/;

/** The result of `fn` in Kraken's envelope; a KrakenFail becomes its error string. */
function run(fn: () => unknown): KrakenReply {
  try {
    return { body: { error: [], result: fn() } };
  } catch (err) {
    if (err instanceof KrakenFail) return { body: { error: [err.krakenError] } };
    throw err;
  }
}

/** Query-string parameters, first value of each name (as URLSearchParams.get). */
function queryParams(q: URLSearchParams): Params {
  const out: Params = {};
  for (const [k, v] of q) if (!(k in out)) out[k] = v;
  return out;
}

/** Form body → parameters; `name[]` repeated becomes `name[0]`, `name[1]`, … */
function formParams(body: string): Params {
  const out: Params = {};
  const next = new Map<string, number>();
  for (const [k, v] of new URLSearchParams(body)) {
    if (k.endsWith('[]')) {
      const base = k.slice(0, -2);
      const i = next.get(base) ?? 0;
      next.set(base, i + 1);
      out[`${base}[${i}]`] = v;
    } else out[k] = v;
  }
  return out;
}

const scalar = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** JSON body → the same flat parameters as a form body; malformed JSON is EGeneral:Invalid arguments. */
function jsonParams(body: string): Params {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    throw new KrakenFail('EGeneral:Invalid arguments');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new KrakenFail('EGeneral:Invalid arguments');
  const out: Params = {};
  for (const [k, v] of Object.entries(data)) {
    if (!Array.isArray(v)) {
      out[k] = scalar(v);
      continue;
    }
    v.forEach((item: unknown, i) => {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) for (const [f, x] of Object.entries(item)) out[`${k}[${i}][${f}]`] = scalar(x);
      else out[`${k}[${i}]`] = scalar(item);
    });
  }
  return out;
}

function errorOf(reply: KrakenReply): string | undefined {
  return 'body' in reply ? (reply.body as { error?: string[] }).error?.[0] : undefined;
}

export class KrakenApi {
  constructor(
    private readonly engine: SimEngine,
    private readonly table: EndpointTable,
    private readonly hold: Hold,
  ) {}

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): Promise<void> {
    const { engine } = this;
    const endpoint = KRAKEN_PATH.exec(url.pathname)?.[2] ?? url.pathname;
    const log = (outcome: string) => engine.requests.push({ endpoint, outcome, at: engine.now() });
    const route = this.table.get(url.pathname);
    if (!route) {
      log('EGeneral:Unknown method');
      engine.reject('EGeneral:Unknown method');
      return sendJson(res, 404, { error: ['EGeneral:Unknown method'] });
    }
    const latency = engine.faults.takeLatency(endpoint);
    if (latency > 0) await new Promise((r) => setTimeout(r, latency));
    const fault = engine.faults.take(endpoint);
    if (fault) engine.reject(`fault:${fault}`);
    if (answerBefore(fault, res, this.hold)) {
      log(`fault:${fault}`);
      return;
    }
    const reply = this.execute(route, req, url, body);
    engine.changed();
    const err = errorOf(reply);
    if (err) engine.reject(err);
    else engine.countCall(endpoint);
    log(err ?? (fault ? `ok+fault:${fault}` : 'ok'));
    answerAfter(fault, res, reply, this.hold);
  }

  private execute(route: Endpoint, req: http.IncomingMessage, url: URL, body: string): KrakenReply {
    const { engine } = this;
    if (route.access === 'public') return run(() => route.handle(queryParams(url.searchParams), engine));
    if (req.method !== 'POST') return { status: 405, body: { error: ['EGeneral:Invalid arguments'] } };
    return run(() => {
      const json = String(req.headers['content-type'] ?? '').includes('application/json');
      const { nonce = '', ...params } = json ? jsonParams(body) : formParams(body);
      const key = engine.auth.verify(req.headers, url.pathname, body, nonce);
      if (route.restCost > 0) engine.counters.chargeRest(key, route.restCost);
      return route.handle(params, engine);
    });
  }
}
