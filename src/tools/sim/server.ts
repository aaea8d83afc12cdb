// The HTTP shell: one node:http server on 127.0.0.1 that reads each body and
// hands the request to the admin API (/sim/…) or to the Kraken API (anything
// else). Responses held open by timeout faults are tracked, so close() ends
// them instead of waiting for the client to give up.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.js';
import type { SimEngine } from './engine.js';
import { krakenEndpoints } from './endpoints/index.js';
import { collectBody, sendJson } from './http.js';
import { KrakenApi } from './kraken-api.js';
import { SimWs } from './ws.js';

export interface SimServer {
  port: number;
  ws: SimWs;
  close(): Promise<void>;
}

export async function serveSim(engine: SimEngine, opts: { port?: number; host?: string; wsHeartbeatMs?: number }): Promise<SimServer> {
  const ws = new SimWs(engine, opts.wsHeartbeatMs);
  engine.onChange(() => ws.changed());
  const held = new Set<http.ServerResponse>();
  const hold = (res: http.ServerResponse) => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };
  const api = new KrakenApi(engine, krakenEndpoints(), hold);
  const server = http.createServer((req, res) => {
    collectBody(req, (body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const done = url.pathname.startsWith('/sim/') ? Promise.resolve(handleAdmin(engine, req, res, url, body, ws)) : api.handle(req, res, url, body);
      done.catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: [`EGeneral:Internal error`], detail: err instanceof Error ? err.message : String(err) });
      });
    });
  });
  // Kraken's WebSocket v2 endpoints on the same port (ws.ts).
  server.on('upgrade', (req, socket, head) => ws.upgrade(req, socket, head));
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    ws,
    close: async () => {
      ws.close();
      for (const r of held) r.socket?.destroy();
      held.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
