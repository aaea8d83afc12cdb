// A Kraken-compatible simulator (node:http on 127.0.0.1) for tests and the
// offline demo. It speaks the subset of Kraken's REST API the bot uses:
//
// - public GET /0/public/{Time, Ticker, OHLC, AssetPairs, Depth, Assets,
//   SystemStatus}, fed by a configurable price process (manual, GBM, OU,
//   replayed OHLC CSV);
// - private POST /0/private/{AddOrder, AddOrderBatch, AmendOrder,
//   CancelOrder, CancelOrderBatch, OpenOrders, ClosedOrders, QueryOrders,
//   Balance, BalanceEx, TradesHistory, TradeVolume, GetWebSocketsToken},
//   form or JSON bodies, authenticated exactly as Kraken does (API-Key
//   header; API-Sign recomputed from the raw body; nonce strictly above the
//   last one seen for the key), with Kraken's REST call counter and per-pair
//   trading counter (age-based cancel and amend costs) enforced at the
//   account's tier — Starter unless told otherwise, as for a new account;
// - an order book of resting limit orders matched against the price path
//   (buy fills when price ≤ limit, sell when price ≥ limit, optional partial
//   fills, maker fee charged), balances (suffixed `.F` keys tradable), a
//   crossing post-only order accepted then cancelled ("Post only order"; the
//   older EOrder:Post only order refusal as an option), pair and system
//   status (cancel_only, post_only, maintenance, …) set through /sim/;
// - admin endpoints under /sim/ and fault injection (latency, dropped or
//   hanging connections before/after execution, HTTP 502, EService errors,
//   invalid nonce, rate limit, malformed JSON, insufficient funds, orders
//   cancelled or expired behind the client's back).
//
// Its signature check and counters are written independently of the client,
// so a test passing against it is evidence, not a tautology.
//
// Modules, by role (each Kraken behaviour names its doc page there):
//   engine.ts       the exchange without HTTP: wires the parts below
//   market.ts       price path, bid/ask, Ticker/OHLC statistics
//   book.ts         balances, orders, trades, matching engine
//   add-order.ts    AddOrder validation and placement, market-status checks
//   amend-order.ts  AmendOrder
//   order-info.ts   Kraken's order and trade JSON
//   counters.ts     REST call counter, trading counter, open-order cap
//   auth.ts         API-Key / API-Sign / nonce
//   faults.ts       fault injection
//   endpoints/      one handler per Kraken endpoint, in a table keyed by path
//   kraken-api.ts   request pipeline for /0/…: faults, auth, counters, envelope
//   ws.ts           Kraken's WebSocket v2 (public ticker, private executions) and its faults
//   admin.ts        the /sim/… API
//   server.ts       the HTTP shell
import { SimEngine } from './engine.js';
import { serveSim } from './server.js';
import type { KrakenSim, KrakenSimOptions } from './types.js';
import { WS_AUTH_PATH, WS_PUBLIC_PATH, type SimWs } from './ws.js';

export { XDGUSD_ASSET_PAIR } from './asset-pair.js';
export { FAULT_TYPES, type ActiveFault, type FaultSpec, type FaultType } from './faults.js';
export type { WsFaultSpec, WsFaultType, WsEndpoint, DirectOrder, KrakenSim, KrakenSimOptions, PairStatus, PostOnlyCross, SimOrder, SimOrderStatus, SimStats, SimTier, SimTrade, SystemStatus } from './types.js';

export async function startKrakenSim(options: KrakenSimOptions = {}): Promise<KrakenSim> {
  const engine = new SimEngine(options);
  const server = await serveSim(engine, { port: options.port, host: options.host, wsHeartbeatMs: options.wsHeartbeatMs });
  let timer: NodeJS.Timeout | null = null;
  if (options.autoStepMs && options.autoStepMs > 0) timer = setInterval(() => engine.step(1), options.autoStepMs);
  return simHandle(engine, {
    port: server.port,
    ws: server.ws,
    close: async () => {
      if (timer) clearInterval(timer);
      await server.close();
    },
  });
}

/** The KrakenSim handle over an engine and its server (plain functions: safe to pass around unbound). */
function simHandle(engine: SimEngine, server: { port: number; ws: SimWs; close(): Promise<void> }): KrakenSim {
  const { book, counters } = engine;
  return {
    url: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}${WS_PUBLIC_PATH}`,
    wsAuthUrl: `ws://127.0.0.1:${server.port}${WS_AUTH_PATH}`,
    ws: {
      fault: (spec) => server.ws.fault(spec),
      clear: () => server.ws.clearFaults(),
      connections: (endpoint) => server.ws.connections(endpoint),
    },
    port: server.port,
    apiKey: engine.apiKey,
    apiSecret: engine.apiSecret,
    close: server.close,
    setPrice: (price) => engine.setPrice(price),
    step: (steps = 1) => engine.step(steps),
    price: () => engine.market.mid(),
    now: engine.now,
    orders: () => [...book.orders.values()],
    openOrders: () => book.open(),
    order: (txid) => book.orders.get(txid),
    ordersByClientId: (cl) => book.byClOrdId(cl),
    trades: () => [...book.trades.values()],
    balances: () => engine.balances(),
    setBalance: (asset, amount) => engine.setBalance(asset, amount),
    placeOrderDirect: (o) => engine.placeOrderDirect(o),
    closeBehindBack: (txid, status) => engine.closeBehindBack(txid, status),
    restCounter: (key) => counters.restLevel(key ?? engine.apiKey),
    tradingCounter: () => counters.tradingLevel(),
    setPairStatus: (status) => engine.setPairStatus(status),
    setSystemStatus: (status) => engine.setSystemStatus(status),
    faults: engine.faults,
    stats: engine.stats,
    requests: engine.requests,
    addApiKey: (key, secret) => engine.addApiKey(key, secret),
  };
}
