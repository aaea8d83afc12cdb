import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import zlib from 'node:zlib';
import { startHttpServer, bearerMatches, MAX_BODY_BYTES, type RunningHttpServer } from '../../../src/frontends/http/server.js';
import { configureLogger } from '../../../src/util/log.js';
import { createFakeBot, type FakeBot } from '../../support/fake-status.js';
import { request, postJson, SECURITY_HEADERS, type RawResponse } from '../../support/http-request.js';

const logLines: string[] = [];
configureLogger({ write: (l) => logLines.push(l) });

const TOKEN = 'dash-Token-7f3a9c21e8b4';

function assertSecurityHeaders(r: RawResponse, what: string): void {
  for (const h of SECURITY_HEADERS) assert.ok(r.headers[h], `${what}: missing ${h}`);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.equal(r.headers['referrer-policy'], 'no-referrer');
  assert.equal(r.headers['x-frame-options'], 'DENY');
  assert.match(String(r.headers['content-security-policy']), /default-src 'none'/);
}

function assertNoSecret(r: RawResponse, secret: string): void {
  assert.ok(!r.text.includes(secret), 'token leaked in body');
  assert.ok(!JSON.stringify(r.headers).includes(secret), 'token leaked in headers');
}

function assertJsonError(r: RawResponse, status: number): Record<string, unknown> {
  assert.equal(r.status, status, r.text);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  const j = JSON.parse(r.text) as Record<string, unknown>;
  assert.equal(j.ok, false);
  assert.ok(!/\bat .*\.(js|ts):\d+/.test(r.text), 'stack trace in response');
  return j;
}

async function withServer<T>(bot: FakeBot, fn: (srv: RunningHttpServer) => Promise<T>): Promise<T> {
  const srv = await startHttpServer(0, bot.deps, '127.0.0.1');
  try {
    return await fn(srv);
  } finally {
    await srv.close();
    bot.cleanup();
  }
}

describe('GET routes (dry run, no token)', () => {
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

  test('GET / serves the dashboard with a per-response CSP nonce', async () => {
    const a = await request(srv.port, '/');
    const b = await request(srv.port, '/');
    assert.equal(a.status, 200);
    assert.match(String(a.headers['content-type']), /^text\/html; charset=utf-8/);
    assertSecurityHeaders(a, 'GET /');
    const csp = String(a.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && nonce.length >= 16, csp);
    assert.match(csp, new RegExp(`style-src 'nonce-${nonce.replace(/[+/=]/g, (c) => '\\' + c)}'`));
    assert.match(csp, /connect-src 'self'/);
    assert.match(csp, /img-src 'self' data:/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'));
    assert.ok(a.text.includes(`<script nonce="${nonce}">`));
    assert.ok(a.text.includes(`<style nonce="${nonce}">`));
    const nonceB = /script-src 'nonce-([^']+)'/.exec(String(b.headers['content-security-policy']))?.[1];
    assert.notEqual(nonce, nonceB, 'nonce must change per response');
    assert.equal(a.headers['cache-control'], 'no-store');
    assert.ok(a.text.includes('api/export/trades.csv') && a.text.includes('api/export/fills.csv'));
  });

  test('HEAD / answers headers only', async () => {
    const r = await request(srv.port, '/', { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0);
    assert.ok(Number(r.headers['content-length']) > 1000);
  });

  test('GET /api/status returns every SPEC §2 key, no-store, security headers', async () => {
    const r = await request(srv.port, '/api/status');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assertSecurityHeaders(r, '/api/status');
    const s = JSON.parse(r.text);
    for (const k of ['price', 'profit', 'grid', 'trend', 'config', 'recent_fills', 'ai_recommendation', 'uptime', 'mode', 'paused', 'stats']) {
      assert.ok(k in s, `missing ${k}`);
    }
    for (const k of ['current', 'center', 'drift_pct']) assert.ok(k in s.price);
    for (const k of ['today', 'total', 'fees', 'round_trips', 'round_trips_today', 'doge_accumulated']) assert.ok(k in s.profit);
    for (const k of ['ratio', 'source', 'buy_pct', 'sell_pct', 'buy_12h', 'sell_12h', 'grid_buys', 'grid_sells']) assert.ok(k in s.trend);
    for (const k of ['order_size', 'grid_levels', 'spacing_pct', 'effective_capital', 'starting_capital', 'ai_interval', 'round_trip_fee_pct', 'min_spacing']) {
      assert.ok(k in s.config, `config.${k}`);
    }
    for (const row of s.grid) for (const k of ['level', 'side', 'price', 'volume', 'status']) assert.ok(k in row);
    assert.deepEqual(
      s.grid.map((g: { price: number }) => g.price),
      [...s.grid.map((g: { price: number }) => g.price)].sort((x: number, y: number) => y - x),
    );
    assert.equal(s.mode, 'dry_run');
    assert.deepEqual(s, JSON.parse(JSON.stringify(bot.view())));
  });

  test('GET /api/status is gzipped for clients that accept it', async () => {
    const r = await request(srv.port, '/api/status', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], 'gzip');
    assert.equal(r.headers.vary, 'Accept-Encoding');
    assert.deepEqual(JSON.parse(zlib.gunzipSync(r.body).toString('utf8')), JSON.parse(JSON.stringify(bot.view())));
  });

  test('GET /api/stats returns the analyzers report', async () => {
    const r = await request(srv.port, '/api/stats');
    assert.equal(r.status, 200);
    assertSecurityHeaders(r, '/api/stats');
    assert.equal(r.headers['cache-control'], 'no-store');
    const j = JSON.parse(r.text);
    assert.equal(j.analyzers.length, 5);
    assert.equal(j.health.verdict, 'favorable');
  });

  test('GET /health is 200 with status, mode, uptime_seconds', async () => {
    const r = await request(srv.port, '/health');
    assert.equal(r.status, 200);
    assertSecurityHeaders(r, '/health');
    const j = JSON.parse(r.text);
    assert.equal(j.status, 'ok');
    assert.equal(j.mode, 'dry_run');
    assert.equal(typeof j.uptime_seconds, 'number');
  });

  test('GET /metrics is valid Prometheus text', async () => {
    const r = await request(srv.port, '/metrics');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assertSecurityHeaders(r, '/metrics');
    const lines = r.text.trimEnd().split('\n');
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;
    for (const line of lines) {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
      assert.match(line, sample);
    }
    const value = (name: string): number => {
      const l = lines.find((x) => x.startsWith(name + ' '));
      assert.ok(l, `missing ${name}`);
      return Number(l.split(' ')[1]);
    };
    assert.equal(value('dogegrid_price_usd'), 0.1234);
    assert.equal(value('dogegrid_equity_usd'), 122.641);
    assert.equal(value('dogegrid_realized_pnl_usd'), 1.9375);
    assert.equal(value('dogegrid_round_trips_total'), 27);
    assert.equal(value('dogegrid_fills_per_hour'), 1.3);
    assert.equal(value('dogegrid_api_errors_total'), 2);
    assert.equal(value('dogegrid_last_tick_duration_seconds'), 0.184);
    assert.equal(value('dogegrid_ticks_total'), 8664);
    assert.ok(lines.includes('dogegrid_open_orders{side="buy"} 10'));
    assert.ok(lines.includes('dogegrid_open_orders{side="sell"} 10'));
    assert.ok(lines.includes('dogegrid_info{mode="dry_run"} 1'));
    assert.ok(lines.includes('# TYPE dogegrid_ticks_total counter'));
    assert.ok(lines.some((l) => l.startsWith('dogegrid_http_responses_total{code="200"} ')));
  });

  test('CSV exports: existing file, not-yet-written file, unknown names', async () => {
    const t = await request(srv.port, '/api/export/trades.csv');
    assert.equal(t.status, 200);
    assert.match(String(t.headers['content-type']), /^text\/csv/);
    assert.equal(t.headers['content-disposition'], 'attachment; filename="trades.csv"');
    assertSecurityHeaders(t, 'csv');
    assert.ok(t.text.startsWith('timestamp,side,price,amount,fee,profit,grid_level\n'));
    const f = await request(srv.port, '/api/export/fills.csv');
    assert.equal(f.status, 200);
    assert.equal(f.text, '');
    for (const p of ['/api/export/nope.csv', '/api/export/__proto__.csv', '/api/export/constructor.csv', '/api/export/..%2f..%2fetc%2fpasswd.csv', '/api/export/../../etc/passwd.csv', '/api/export/trades.txt']) {
      assertJsonError(await request(srv.port, p), 404);
    }
    const m = await request(srv.port, '/api/export/trades.csv', { method: 'DELETE' });
    assertJsonError(m, 405);
    assert.equal(m.headers.allow, 'GET, HEAD');
  });

  test('unknown paths are 404 with JSON and security headers', async () => {
    for (const p of ['/nope', '/api', '/api/status/', '/api/statusx', '/index.html', '/favicon.ico', '/%2e%2e/etc/passwd']) {
      const r = await request(srv.port, p);
      assertJsonError(r, 404);
      assertSecurityHeaders(r, p);
    }
  });

  test('wrong methods are 405 with Allow', async () => {
    const cases: [string, string, string][] = [
      ['POST', '/', 'GET, HEAD'],
      ['DELETE', '/api/status', 'GET, HEAD'],
      ['PUT', '/api/stats', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['POST', '/metrics', 'GET, HEAD'],
      ['GET', '/api/config', 'POST'],
      ['PUT', '/api/config', 'POST'],
      ['OPTIONS', '/api/config', 'POST'],
    ];
    for (const [method, p, allow] of cases) {
      const r = await request(srv.port, p, { method });
      assertJsonError(r, 405);
      assert.equal(r.headers.allow, allow, `${method} ${p}`);
      assertSecurityHeaders(r, `${method} ${p}`);
    }
  });

  test('a malformed request line gets 400 and the server keeps serving', async () => {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(srv.port, '127.0.0.1', () => s.write('GARBAGE\r\n\r\n'));
      let out = '';
      s.on('data', (d) => (out += d.toString()));
      s.on('close', () => resolve(out));
      s.on('error', () => resolve(out));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.equal((await request(srv.port, '/health')).status, 200);
  });
});

describe('POST /api/config', () => {
  test('valid spacing is applied through the controls and the status reflects it', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      const before = JSON.parse((await request(srv.port, '/api/status')).text);
      assert.equal(before.config.spacing_pct, 1);
      const r = await postJson(srv.port, { spacing: 1.5 });
      assert.equal(r.status, 200, r.text);
      assertSecurityHeaders(r, 'POST');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.deepEqual(JSON.parse(r.text), { ok: true, applied: ['spacing set to 1.5%, grid rebuilt'] });
      assert.deepEqual(bot.calls, [{ method: 'setSpacing', arg: 1.5 }]);
      const after = JSON.parse((await request(srv.port, '/api/status')).text);
      assert.equal(after.config.spacing_pct, 1.5);
      assert.notDeepEqual(after.grid, before.grid);
    });
  });

  test('several fields, numeric strings, ratio auto and charset parameter', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      const r = await postJson(srv.port, { spacing: '2', ratio: 0.6, interval: 7200 }, { 'Content-Type': 'application/json; charset=utf-8' });
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.parse(r.text).applied.length, 3);
      assert.deepEqual(bot.calls.map((c) => [c.method, c.arg]), [
        ['setSpacing', 2],
        ['setRatioOverride', 0.6],
        ['setAiInterval', 7200],
      ]);
      const auto = await postJson(srv.port, { ratio: 'auto' });
      assert.equal(auto.status, 200);
      assert.deepEqual(bot.calls.at(-1), { method: 'setRatioOverride', arg: null });
    });
  });

  test('validation errors are 400 with every reason and nothing applied', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      const cases: [unknown, RegExp][] = [
        [{ spacing: 0.1 }, /at least 0\.6%/],
        [{ spacing: 25 }, /at most 20%/],
        [{ spacing: 'wide' }, /spacing must be a number/],
        [{ ratio: 0.9 }, /between 0\.25 and 0\.75/],
        [{ ratio: 'up' }, /ratio must be a number/],
        [{ interval: 30 }, /between 60 and 86400/],
        [{ interval: 90.5 }, /whole number/],
        [{}, /nothing to change/],
        [{ spacing: 1.5, evil: true }, /unknown field "evil"/],
        [[1, 2], /JSON object/],
        [null, /JSON object/],
        ['"text"', /JSON object/],
        [{ spacing: 1.5, ratio: 2 }, /ratio/],
      ];
      for (const [body, reason] of cases) {
        const r = await postJson(srv.port, body === null ? 'null' : body);
        const j = assertJsonError(r, 400);
        assert.ok(Array.isArray(j.errors), r.text);
        assert.match((j.errors as string[]).join(' | '), reason, JSON.stringify(body));
      }
      const multi = assertJsonError(await postJson(srv.port, { spacing: 0, ratio: 9, interval: 1 }), 400);
      assert.equal((multi.errors as string[]).length, 3);
      assert.equal(bot.calls.length, 0);
    });
  });

  test('invalid JSON and invalid UTF-8 are 400', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      for (const raw of ['{', '{"spacing": 1.5,}', 'NaN', "{'spacing': 1}", '']) {
        const j = assertJsonError(await postJson(srv.port, raw), 400);
        assert.deepEqual(j.errors, ['body is not valid JSON']);
      }
      const bad = await request(srv.port, '/api/config', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) });
      assertJsonError(bad, 400);
      assert.equal(bot.calls.length, 0);
    });
  });

  test('non-JSON content types are 415', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json', '']) {
        const headers: Record<string, string> = ct ? { 'Content-Type': ct } : {};
        const r = await request(srv.port, '/api/config', { method: 'POST', headers, body: '{"spacing":1.5}' });
        assertJsonError(r, 415);
      }
      assert.equal(bot.calls.length, 0);
    });
  });

  test('bodies over 16 KB are 413, declared or streamed', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      const big = JSON.stringify({ spacing: 1.5, pad: 'x'.repeat(MAX_BODY_BYTES) });
      const declared = await postJson(srv.port, big);
      assertJsonError(declared, 413);
      assert.equal(declared.headers.connection, 'close');
      const streamed = await request(srv.port, '/api/config', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big, chunked: true });
      assertJsonError(streamed, 413);
      // Exactly at the limit is read (and then rejected for its content, not its size).
      const atLimit = JSON.stringify({ spacing: 1.5 }) + ' '.repeat(MAX_BODY_BYTES - JSON.stringify({ spacing: 1.5 }).length);
      assert.equal(Buffer.byteLength(atLimit), MAX_BODY_BYTES);
      assert.equal((await postJson(srv.port, atLimit)).status, 200);
      assert.deepEqual(bot.calls, [{ method: 'setSpacing', arg: 1.5 }]);
      assert.equal((await request(srv.port, '/health')).status, 200);
    });
  });

  test('a control that fails answers 400 with its message (secrets masked)', async () => {
    const bot = createFakeBot({ token: TOKEN });
    await withServer(bot, async (srv) => {
      bot.failNext = { message: `exchange said no (key ${TOKEN})` };
      const r = await postJson(srv.port, { spacing: 1.2, ratio: 0.5 }, { Authorization: `Bearer ${TOKEN}` });
      const j = assertJsonError(r, 400);
      assert.match((j.errors as string[])[0], /failed: exchange said no/);
      assertNoSecret(r, TOKEN);
      assert.deepEqual(j.applied, []);
      assert.equal(bot.calls.length, 1);
    });
  });

  test('a cross-origin POST is refused with 403', async () => {
    const bot = createFakeBot();
    await withServer(bot, async (srv) => {
      const r = await postJson(srv.port, { spacing: 1.5 }, { Origin: 'https://evil.example' });
      assertJsonError(r, 403);
      const same = await postJson(srv.port, { spacing: 1.5 }, { Origin: `http://127.0.0.1:${srv.port}` });
      assert.equal(same.status, 200);
      assert.equal(bot.calls.length, 1);
    });
  });
});

describe('authorization', () => {
  test('with DASHBOARD_TOKEN: 401 without or with a wrong bearer, 200 with the right one; token never echoed', async () => {
    const bot = createFakeBot({ token: TOKEN });
    await withServer(bot, async (srv) => {
      const responses: RawResponse[] = [];
      const attempts: (Record<string, string> | undefined)[] = [
        undefined,
        { Authorization: 'Bearer wrong-token-000000' },
        { Authorization: `Bearer ${TOKEN}x` },
        { Authorization: `Basic ${Buffer.from('u:' + TOKEN).toString('base64')}` },
        { Authorization: TOKEN },
        { Authorization: 'Bearer ' },
      ];
      for (const h of attempts) {
        const r = await postJson(srv.port, { spacing: 1.5 }, h);
        const j = assertJsonError(r, 401);
        assert.match(String(j.error), /token/);
        assert.equal(r.headers['www-authenticate'], 'Bearer realm="dashboard"');
        responses.push(r);
      }
      // Auth is checked before the body: a wrong token with a bad body is still 401.
      assertJsonError(await request(srv.port, '/api/config', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' }), 401);
      assert.equal(bot.calls.length, 0);
      const ok = await postJson(srv.port, { spacing: 1.5 }, { Authorization: `Bearer ${TOKEN}` });
      assert.equal(ok.status, 200);
      const okLower = await postJson(srv.port, { spacing: 1.6 }, { Authorization: `bearer ${TOKEN}` });
      assert.equal(okLower.status, 200);
      responses.push(ok, okLower);
      for (const p of ['/', '/api/status', '/api/stats', '/health', '/metrics', '/api/export/trades.csv', '/nope']) responses.push(await request(srv.port, p));
      for (const r of responses) assertNoSecret(r, TOKEN);
      const status = JSON.parse(responses.find((r) => r.text.includes('"grid"'))!.text);
      assert.equal(status.config.controls, 'token');
    });
  });

  test('live mode without a token: POST refused with 403 naming DASHBOARD_TOKEN; GETs still work', async () => {
    const bot = createFakeBot({ mode: 'live' });
    await withServer(bot, async (srv) => {
      const r = await postJson(srv.port, { spacing: 1.5 });
      const j = assertJsonError(r, 403);
      assert.match(String(j.error), /DASHBOARD_TOKEN/);
      assertJsonError(await postJson(srv.port, { spacing: 1.5 }, { Authorization: 'Bearer anything-at-all' }), 403);
      assert.equal(bot.calls.length, 0);
      const s = JSON.parse((await request(srv.port, '/api/status')).text);
      assert.equal(s.mode, 'live');
      assert.equal(s.config.controls, 'read_only');
      assert.ok((await request(srv.port, '/metrics')).text.includes('dogegrid_info{mode="live"} 1'));
    });
  });

  test('live mode with a token accepts an authorised POST', async () => {
    const bot = createFakeBot({ mode: 'live', token: TOKEN });
    await withServer(bot, async (srv) => {
      assertJsonError(await postJson(srv.port, { interval: 600 }), 401);
      assert.equal((await postJson(srv.port, { interval: 600 }, { Authorization: `Bearer ${TOKEN}` })).status, 200);
      assert.deepEqual(bot.calls, [{ method: 'setAiInterval', arg: 600 }]);
    });
  });

  test('bearerMatches', () => {
    assert.equal(bearerMatches(`Bearer ${TOKEN}`, TOKEN), true);
    assert.equal(bearerMatches(`Bearer  ${TOKEN} `, TOKEN), true);
    assert.equal(bearerMatches(`Bearer ${TOKEN.slice(0, -1)}`, TOKEN), false);
    assert.equal(bearerMatches(undefined, TOKEN), false);
    assert.equal(bearerMatches('Bearer ', ''), false);
    assert.equal(bearerMatches('Bearer x', ''), false);
  });
});

describe('robustness', () => {
  test('a throwing handler answers 500 without details and the server stays up', async () => {
    const bot = createFakeBot();
    let explode = true;
    const status = bot.deps.status;
    bot.deps.status = () => {
      if (explode) throw new Error(`boom at /secret/path with ${TOKEN}`);
      return status();
    };
    bot.deps.health = () => {
      throw new TypeError('health exploded');
    };
    await withServer(bot, async (srv) => {
      const r = await request(srv.port, '/api/status');
      const j = assertJsonError(r, 500);
      assert.equal(j.error, 'Internal error.');
      assert.ok(!r.text.includes('boom') && !r.text.includes('/secret/path'));
      assertSecurityHeaders(r, '500');
      assertJsonError(await request(srv.port, '/health'), 500);
      explode = false;
      assert.equal((await request(srv.port, '/api/status')).status, 200);
      assert.ok(logLines.some((l) => l.includes('failed: boom')));
      assert.ok(!logLines.some((l) => l.includes(TOKEN)), 'token must be masked in logs');
    });
  });

  test('a status that cannot be serialised is a 500, not a crash', async () => {
    const bot = createFakeBot();
    bot.deps.stats = () => ({ big: 10n });
    await withServer(bot, async (srv) => {
      assertJsonError(await request(srv.port, '/api/stats'), 500);
      assert.equal((await request(srv.port, '/api/status')).status, 200);
    });
  });

  test('unhealthy bot: /health is 503 with the body', async () => {
    const bot = createFakeBot();
    bot.deps.health = () => ({ healthy: false, body: { status: 'stalled', mode: 'dry_run', uptime_seconds: 10, reason: 'no tick for 300 s' } });
    await withServer(bot, async (srv) => {
      const r = await request(srv.port, '/health');
      assert.equal(r.status, 503);
      assert.deepEqual(JSON.parse(r.text), { status: 'stalled', mode: 'dry_run', uptime_seconds: 10, reason: 'no tick for 300 s' });
      assert.equal(r.headers['cache-control'], 'no-store');
    });
  });

  test('metrics omit unknown values instead of inventing them', async () => {
    const bot = createFakeBot();
    bot.deps.metrics = () => ({ price: null, equity: null, realizedPnl: 0, roundTrips: 0, openOrders: { buy: 0, sell: 0 }, fillsPerHour: 0, apiErrorsTotal: 0, lastTickDurationMs: null, ticksTotal: 0 });
    await withServer(bot, async (srv) => {
      const r = await request(srv.port, '/metrics');
      assert.equal(r.status, 200);
      assert.ok(!/^dogegrid_price_usd /m.test(r.text));
      assert.ok(!/^dogegrid_last_tick_duration_seconds /m.test(r.text));
      assert.ok(/^dogegrid_ticks_total 0$/m.test(r.text));
    });
  });

  test('status JSON is cached briefly and invalidated by a successful POST', async () => {
    const bot = createFakeBot();
    let calls = 0;
    const view = bot.deps.status;
    bot.deps.statusCacheMs = 150;
    bot.deps.status = () => {
      calls++;
      return view();
    };
    await withServer(bot, async (srv) => {
      await request(srv.port, '/api/status');
      await request(srv.port, '/api/status');
      assert.equal(calls, 1);
      await new Promise((r) => setTimeout(r, 200));
      await request(srv.port, '/api/status');
      assert.equal(calls, 2);
      assert.equal((await postJson(srv.port, { spacing: 3 })).status, 200);
      const s = JSON.parse((await request(srv.port, '/api/status')).text);
      assert.equal(s.config.spacing_pct, 3);
      assert.equal(calls, 3);
    });
  });

  test('close() ends idle keep-alive connections; a busy port rejects start', async () => {
    const bot = createFakeBot();
    const srv = await startHttpServer(0, bot.deps, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true });
    assert.equal((await request(srv.port, '/health', { agent })).status, 200);
    await assert.rejects(startHttpServer(srv.port, bot.deps, '127.0.0.1'), /EADDRINUSE/);
    const closed = await Promise.race([srv.close().then(() => 'closed'), new Promise((r) => setTimeout(() => r('timeout'), 2000))]);
    assert.equal(closed, 'closed');
    agent.destroy();
    bot.cleanup();
  });
});
