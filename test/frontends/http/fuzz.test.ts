// Fuzz POST /api/config with seeded random bodies, content types and
// credentials against three deployments (open dry run, token, live without a
// token). Only 200/400/401/403/413/415 may come back, the bot is never touched
// by a rejected request, and the server keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startHttpServer, MAX_BODY_BYTES } from '../../../src/frontends/http/server.js';
import { configureLogger } from '../../../src/util/log.js';
import { createFakeBot, type FakeBot } from '../../support/fake-status.js';
import { request } from '../../support/http-request.js';
import { mulberry32 } from '../../support/rng.js';

configureLogger({ write: () => {} });

const TOKEN = 'fuzz-token-52c1d0a9b7e3';
const ALLOWED = new Set([200, 400, 401, 403, 413, 415]);
const SEED = 0x5eed_2025;
const CASES_PER_SERVER = { open: 600, token: 400, live: 200 };

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rnd, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

const NUMBERS = [0, -0, 1, -1, 0.5, 0.6, 0.61, 1.5, 19.99, 20, 20.01, 0.25, 0.75, 0.7500001, 60, 59, 86400, 86401, 3600.5, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1, 123456789012345680000];
const STRINGS = ['', ' ', '1.5', ' 2 ', '+1.5', '-1', '.7', '7.', '1e1', '1e400', 'NaN', 'nan', 'Infinity', '-Infinity', '0x10', '1,5', '١٫٥', 'auto', 'AUTO', ' auto ', 'null', 'true', '60', '3600', '0.5', '<script>alert(1)</script>', '\u0000', '\ud800', '🐶', 'x'.repeat(300), '__proto__'];
const KEYS = ['spacing', 'ratio', 'interval', 'Spacing', 'spacing ', '__proto__', 'constructor', 'prototype', 'toString', 'pause', 'reset', '', 'k'.repeat(100)];

function randomValue(r: Rnd, depth: number): unknown {
  const k = r();
  if (k < 0.3) return pick(r, NUMBERS) * (r() < 0.2 ? r() * 10 : 1);
  if (k < 0.55) return pick(r, STRINGS);
  if (k < 0.62) return r() < 0.5;
  if (k < 0.68) return null;
  if (depth > 4) return int(r, -5, 5);
  if (k < 0.84) return Array.from({ length: int(r, 0, 4) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = int(r, 0, 4); i > 0; i--) o[pick(r, KEYS)] = randomValue(r, depth + 1);
  return o;
}

/** A config-shaped object: mostly the real keys, often valid values. */
function configLike(r: Rnd): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (r() < 0.6) o.spacing = r() < 0.5 ? +(0.6 + r() * 19.4).toFixed(2) : randomValue(r, 3);
  if (r() < 0.4) o.ratio = r() < 0.5 ? (r() < 0.3 ? 'auto' : +(0.25 + r() * 0.5).toFixed(3)) : randomValue(r, 3);
  if (r() < 0.4) o.interval = r() < 0.5 ? int(r, 60, 86400) : randomValue(r, 3);
  if (r() < 0.1) o[pick(r, KEYS)] = randomValue(r, 2);
  return o;
}

function invalidJson(r: Rnd): string {
  const good = JSON.stringify(configLike(r));
  switch (int(r, 0, 7)) {
    case 0: return good.slice(0, int(r, 0, Math.max(0, good.length - 1)));
    case 1: return good.replace('}', ',}');
    case 2: return pick(r, ['NaN', 'Infinity', '-Infinity', 'undefined', "{'spacing':1}", '{spacing:1}', '{"spacing":01}', '{"spacing":.5}']);
    case 3: return Array.from({ length: int(r, 1, 200) }, () => String.fromCharCode(int(r, 0, 255))).join('');
    case 4: return '['.repeat(int(r, 1, 7000));
    case 5: return good + good;
    case 6: return '\ufeff' + good;
    default: return '{"spacing": 1.5' + ' '.repeat(int(r, 0, 50));
  }
}

interface Case {
  body: Buffer;
  contentType: string | null;
  auth: 'none' | 'right' | 'wrong' | 'malformed';
  chunked: boolean;
  origin: string | null;
  kind: string;
}

function makeCase(r: Rnd): Case {
  const k = r();
  let kind: string;
  let text: string | Buffer;
  if (k < 0.35) [kind, text] = ['config', JSON.stringify(configLike(r))];
  else if (k < 0.6) [kind, text] = ['junk', JSON.stringify(randomValue(r, 0)) ?? 'null'];
  else if (k < 0.8) [kind, text] = ['invalid', invalidJson(r)];
  else if (k < 0.88) {
    kind = 'deep';
    const d = int(r, 100, 5000);
    text = '{"spacing":' + '['.repeat(d) + ']'.repeat(d) + '}';
  } else if (k < 0.95) {
    kind = 'oversized';
    text = JSON.stringify({ spacing: 1.5, pad: 'p'.repeat(MAX_BODY_BYTES + int(r, 0, 48 * 1024)) });
  } else {
    kind = 'bytes';
    text = Buffer.from(Array.from({ length: int(r, 0, 300) }, () => int(r, 0, 255)));
  }
  const ct = r();
  const contentType = ct < 0.75 ? 'application/json' : ct < 0.8 ? 'application/json; charset=utf-8' : ct < 0.85 ? null : pick(r, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=z', 'application/xml', 'application/json-patch+json', 'text/html', '*/*']);
  const a = r();
  const auth = a < 0.55 ? 'right' : a < 0.75 ? 'none' : a < 0.9 ? 'wrong' : 'malformed';
  return { body: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), contentType, auth, chunked: r() < 0.15, origin: r() < 0.05 ? 'https://evil.example' : null, kind };
}

async function fuzzServer(name: keyof typeof CASES_PER_SERVER, bot: FakeBot, seed: number): Promise<Map<number, number>> {
  const srv = await startHttpServer(0, bot.deps, '127.0.0.1');
  const r = mulberry32(seed);
  const seen = new Map<number, number>();
  try {
    for (let i = 0; i < CASES_PER_SERVER[name]; i++) {
      const c = makeCase(r);
      const headers: Record<string, string> = {};
      if (c.contentType !== null) headers['Content-Type'] = c.contentType;
      if (c.auth === 'right') headers.Authorization = `Bearer ${TOKEN}`;
      if (c.auth === 'wrong') headers.Authorization = 'Bearer not-the-token-123456';
      if (c.auth === 'malformed') headers.Authorization = pick(r, ['Bearer', 'Basic abc', TOKEN, `Bearer  ${TOKEN} extra`, 'Bearer \t']);
      if (c.origin) headers.Origin = c.origin;
      const before = JSON.stringify(bot.state);
      const callsBefore = bot.calls.length;
      const label = `${name} case ${i} (${c.kind}, ${c.contentType}, auth ${c.auth}, ${c.body.length} B)`;
      const res = await request(srv.port, '/api/config', { method: 'POST', headers, body: c.body, chunked: c.chunked });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      assert.ok(ALLOWED.has(res.status), `${label}: status ${res.status} ${res.text}`);
      assert.ok(!res.text.includes(TOKEN), `${label}: token leaked`);
      const j = JSON.parse(res.text) as { ok: boolean; applied?: string[] };
      if (res.status === 200) {
        assert.equal(j.ok, true, label);
        assert.equal(bot.calls.length - callsBefore, j.applied?.length, label);
      } else {
        assert.equal(j.ok, false, label);
        assert.equal(bot.calls.length, callsBefore, `${label}: target called on ${res.status}`);
        assert.equal(JSON.stringify(bot.state), before, `${label}: state changed on ${res.status}`);
      }
      // What must be refused regardless of the body.
      if (name === 'live') assert.equal(res.status, 403, label);
      if (name === 'token' && c.auth !== 'right') assert.equal(res.status, 401, label);
      if (c.kind === 'oversized' && res.status !== 401 && res.status !== 403 && res.status !== 415) assert.equal(res.status, 413, label);
      if (res.status === 200) {
        assert.ok(bot.state.spacing >= 0.6 && bot.state.spacing <= 20, label);
        assert.ok(bot.state.ratio === null || (bot.state.ratio >= 0.25 && bot.state.ratio <= 0.75), label);
        assert.ok(Number.isInteger(bot.state.interval) && bot.state.interval >= 60 && bot.state.interval <= 86400, label);
      }
    }
    assert.equal((await request(srv.port, '/health')).status, 200, 'server must still answer');
    assert.equal((await request(srv.port, '/api/status')).status, 200);
  } finally {
    await srv.close();
    bot.cleanup();
  }
  return seen;
}

test(`fuzz POST /api/config with ${CASES_PER_SERVER.open + CASES_PER_SERVER.token + CASES_PER_SERVER.live} seeded random requests`, async (t) => {
  const open = await fuzzServer('open', createFakeBot(), SEED);
  const token = await fuzzServer('token', createFakeBot({ token: TOKEN }), SEED + 1);
  const live = await fuzzServer('live', createFakeBot({ mode: 'live' }), SEED + 2);
  const fmt = (m: Map<number, number>): string => [...m.entries()].sort().map(([s, n]) => `${s}×${n}`).join(' ');
  t.diagnostic(`open: ${fmt(open)} | token: ${fmt(token)} | live: ${fmt(live)}`);
  // The generator must actually reach every outcome, or the test proves little.
  for (const s of [200, 400, 403, 413, 415]) assert.ok((open.get(s) ?? 0) > 0, `open server never answered ${s}`);
  for (const s of [200, 401]) assert.ok((token.get(s) ?? 0) > 0, `token server never answered ${s}`);
  assert.deepEqual([...live.keys()], [403]);
});
