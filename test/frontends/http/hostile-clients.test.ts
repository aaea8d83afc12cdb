// Hostile clients against the dashboard server (issue 18 items 6 and 11):
// a slowloris holding 600 half-open connections must not keep /health from
// answering, and a state-changing request addressed to a host name that is
// not ours (DNS rebinding) is refused while reads stay open.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startHttpServer, type RunningHttpServer } from '../../../src/frontends/http/server.js';
import { hostnameOf } from '../../../src/frontends/http/host-check.js';
import { configureLogger } from '../../../src/util/log.js';
import { createFakeBot, type FakeBot } from '../../support/fake-status.js';
import { postJson, request } from '../../support/http-request.js';

const logLines: string[] = [];
configureLogger({ write: (l) => logLines.push(l) });

/** Generous: the assertion is "answered at all", the latency is reported as a diagnostic. */
const PROBE_TIMEOUT_MS = 10_000;

/** One GET on a fresh connection from `localAddress`; rejects on a reset or after the timeout. */
function probe(port: number, path: string, localAddress = '127.0.0.1'): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A slowloris client: `count` connections from `from`, each sending half a request line and then nothing. */
class Slowloris {
  readonly sockets = new Set<net.Socket>();
  opened = 0;
  closedByServer = 0;
  private reopen = false;
  private stopped = false;
  constructor(
    private readonly port: number,
    private readonly from: string,
  ) {}

  private async openOne(): Promise<void> {
    const s = net.connect({ host: '127.0.0.1', port: this.port, localAddress: this.from });
    this.sockets.add(s);
    this.opened++;
    s.on('error', () => {});
    s.on('close', () => {
      this.sockets.delete(s);
      if (this.stopped) return;
      this.closedByServer++;
      if (this.reopen) void this.openOne().catch(() => {});
    });
    await once(s, 'connect');
    s.write('GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a');
  }

  async open(count: number, reopen: boolean): Promise<void> {
    this.reopen = reopen;
    for (let i = 0; i < count; i++) await this.openOne();
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
}

describe('slowloris: one client, 600 half-open connections (issue 18 item 6)', () => {
  let bot: FakeBot;
  let srv: RunningHttpServer;
  before(async () => {
    bot = createFakeBot();
    srv = await startHttpServer(0, bot.deps, '127.0.0.1');
  });
  after(async () => {
    await srv.close();
    bot.cleanup();
  });

  test('from another address: /health answers while the 600 are held', async (t) => {
    const attack = new Slowloris(srv.port, '127.0.0.2');
    try {
      await attack.open(600, false);
      const r = await probe(srv.port, '/health');
      t.diagnostic(`/health answered ${r.status} in ${r.ms.toFixed(1)} ms; ${attack.opened} opened, ${attack.closedByServer} closed by the server, ${attack.sockets.size} still held`);
      assert.equal(r.status, 200);
      assert.ok(attack.sockets.size <= 40, `the server let one client keep ${attack.sockets.size} half-open connections`);
    } finally {
      attack.stop();
    }
  });

  test('from the same address, with the client reopening whatever is closed: every /health probe answers', async (t) => {
    const attack = new Slowloris(srv.port, '127.0.0.1');
    try {
      await attack.open(600, true);
      const times: number[] = [];
      for (let i = 0; i < 10; i++) {
        const r = await probe(srv.port, '/health');
        assert.equal(r.status, 200);
        times.push(r.ms);
      }
      t.diagnostic(`10 /health probes answered, worst ${Math.max(...times).toFixed(1)} ms, median ${times.sort((a, b) => a - b)[5]!.toFixed(1)} ms; ${attack.opened} connections opened by the client`);
      const page = await probe(srv.port, '/api/status');
      assert.equal(page.status, 200);
    } finally {
      attack.stop();
    }
  });
});

describe('Host header on state-changing requests (DNS rebinding; issue 18 item 11)', () => {
  let bot: FakeBot;
  let srv: RunningHttpServer;
  before(async () => {
    bot = createFakeBot();
    srv = await startHttpServer(0, { ...bot.deps, allowedHosts: ['grid.example.org', '.lan.example'] }, '127.0.0.1');
  });
  after(async () => {
    await srv.close();
    bot.cleanup();
  });

  test('a rebound name (Host and Origin both the attacker\'s, plain http) cannot POST; reads stay open', async () => {
    const before = bot.calls.length;
    const host = `rebind.attacker.example:${srv.port}`;
    const r = await postJson(srv.port, { spacing: 1.5 }, { Host: host, Origin: `http://${host}` });
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /DNS-rebinding/);
    const noOrigin = await postJson(srv.port, { spacing: 1.5 }, { Host: host });
    assert.equal(noOrigin.status, 403);
    const forged = await postJson(srv.port, { spacing: 1.5 }, { Host: host, Origin: `http://${host}`, 'X-Forwarded-Host': `127.0.0.1:${srv.port}` });
    assert.equal(forged.status, 403, 'X-Forwarded-Host cannot vouch for a Host');
    assert.equal(bot.calls.length, before, 'nothing changed');
    const read = await request(srv.port, '/api/status', { headers: { Host: host } });
    assert.equal(read.status, 200);
  });

  test('the dashboard\'s own addresses may POST: IPs, localhost, the allow-list, Railway, an https origin behind a proxy', async () => {
    const ok: Array<Record<string, string>> = [
      { Host: `127.0.0.1:${srv.port}`, Origin: `http://127.0.0.1:${srv.port}` },
      { Host: `[::1]:${srv.port}` },
      { Host: `localhost:${srv.port}`, Origin: `http://localhost:${srv.port}` },
      { Host: 'grid.example.org' },
      { Host: 'GRID.example.org:8080' },
      { Host: 'bot.lan.example:8080' },
      { Host: 'my-bot.up.railway.app', Origin: 'https://my-bot.up.railway.app', 'X-Forwarded-Host': 'my-bot.up.railway.app' },
      { Host: 'grid.custom-domain.example', Origin: 'https://grid.custom-domain.example', 'X-Forwarded-Host': 'grid.custom-domain.example' },
      { Host: 'internal-10-0-0-5', Origin: 'https://grid.custom-domain.example', 'X-Forwarded-Host': 'grid.custom-domain.example' },
    ];
    for (const headers of ok) {
      const r = await postJson(srv.port, { spacing: 1.5 }, headers);
      assert.equal(r.status, 200, `${JSON.stringify(headers)}: ${r.text}`);
    }
    const refused: Array<Record<string, string>> = [
      { Host: 'grid.example.org.attacker.example' },
      { Host: 'lan.example.attacker.example' },
      { Host: 'up.railway.app.attacker.example', Origin: 'http://up.railway.app.attacker.example' },
      { Host: 'grid.custom-domain.example', Origin: 'null' },
    ];
    for (const headers of refused) {
      const r = await postJson(srv.port, { spacing: 1.5 }, headers);
      assert.equal(r.status, 403, `${JSON.stringify(headers)}: ${r.text}`);
    }
  });

  test('hostnameOf', () => {
    assert.equal(hostnameOf('127.0.0.1:8080'), '127.0.0.1');
    assert.equal(hostnameOf('[::1]:8080'), '::1');
    assert.equal(hostnameOf('Bot.Example:80'), 'bot.example');
    assert.equal(hostnameOf(''), null);
    assert.equal(hostnameOf(undefined), null);
    assert.equal(hostnameOf('a b'), null);
    assert.equal(hostnameOf('evil.example/x'), null);
    assert.equal(hostnameOf('user@127.0.0.1'), null);
  });
});
