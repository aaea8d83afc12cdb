// The built daemon in LIVE mode against the Kraken simulator, with every
// secret set to a recognisable value and every service in use (Telegram, the
// AI advisor, the dashboard with a token). None of the secrets may appear in
// stdout, stderr, any file in LOG_DIR, any HTTP response or any Telegram message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startKrakenSim } from '../../src/tools/sim/kraken-sim.js';
import { tempDir } from '../support/core.js';
import { startDaemon } from '../support/daemon.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { TelegramDouble } from '../support/telegram-double.js';
import { freePort } from '../support/net.js';

const SECRETS = {
  KRAKEN_API_KEY: 'LEAKCHECK-kraken-key-7f3a9c2e5b1d4f6a8c0e2b4d6f8a0c2e4b6d8f0a1c3e5',
  KRAKEN_API_SECRET: Buffer.from('LEAKCHECK-kraken-secret-bytes-0123456789abcdef').toString('base64'),
  TELEGRAM_BOT_TOKEN: '987654321:LEAKCHECK-telegram-token-AbCdEfGhIj',
  AI_API_KEY: 'sk-LEAKCHECK-ai-key-0123456789abcdef',
  DASHBOARD_TOKEN: 'LEAKCHECK-dashboard-token-42',
};
const CHAT = '4242';


function request(port: number, method: string, p: string, headers: Record<string, string> = {}, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(`${res.statusCode}\n${JSON.stringify(res.headers)}\n${Buffer.concat(chunks).toString('utf8')}`));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

describe('secrets', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  it('never appear in output, files, HTTP responses or Telegram messages', async () => {
    const sim = await startKrakenSim({ process: { kind: 'manual', price: 0.1 }, apiKey: SECRETS.KRAKEN_API_KEY, apiSecret: SECRETS.KRAKEN_API_SECRET });
    closers.push(() => sim.close());
    const tg = await TelegramDouble.start({ token: SECRETS.TELEGRAM_BOT_TOKEN });
    closers.push(() => tg.close());
    const ai = await OpenAiDouble.start();
    closers.push(() => ai.close());
    ai.enqueue({ content: 'CONDITION: volatile\nACTION: widen_spacing\nREASON: wide swings' });
    const port = await freePort();
    const dir = tempDir();
    const d = startDaemon({
      ...SECRETS,
      DRY_RUN: 'false',
      KRAKEN_API_URL: sim.url,
      TELEGRAM_API_URL: tg.url,
      TELEGRAM_CHAT_ID: CHAT,
      AI_API_URL: ai.url,
      LOG_DIR: dir,
      PORT: String(port),
      POLL_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'DEBUG',
    });
    closers.push(async () => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
    });
    await d.waitFor(/grid built \(startup\)/);

    // Trade a little: fills and counter orders.
    sim.setPrice(0.0985);
    await d.waitFor(/\[bot\] price|round trips/, 10_000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 2500));
    sim.setPrice(0.1003);
    await new Promise((r) => setTimeout(r, 2500));

    // Telegram: commands, an AI check and its recommendation.
    tg.pushText(CHAT, '/status');
    tg.pushText(CHAT, '/check');
    tg.pushText('999', '/status'); // unauthorized
    await tg.waitFor(() => tg.sent.find((m) => m.reply_markup?.inline_keyboard), 15_000, 'AI recommendation');

    // Every HTTP surface, with good and bad credentials.
    const auth = { Authorization: `Bearer ${SECRETS.DASHBOARD_TOKEN}`, 'Content-Type': 'application/json' };
    const responses = [
      await request(port, 'GET', '/'),
      await request(port, 'GET', '/api/status'),
      await request(port, 'GET', '/api/stats'),
      await request(port, 'GET', '/health'),
      await request(port, 'GET', '/metrics'),
      await request(port, 'GET', '/api/export/trades.csv'),
      await request(port, 'GET', '/api/export/ai_recommendations.csv'),
      await request(port, 'POST', '/api/config', { Authorization: 'Bearer wrong-token-000000', 'Content-Type': 'application/json' }, '{"spacing":1.2}'),
      await request(port, 'POST', '/api/config', auth, '{"spacing":"nope"}'),
      await request(port, 'POST', '/api/config', auth, '{not json'),
      // An applied change (interval: no grid rebuild, so no wait on Kraken's cancel rate limit).
      await request(port, 'POST', '/api/config', auth, '{"interval":600}'),
      await request(port, 'GET', '/nope'),
    ];
    assert.match(responses[10], /^200/, 'the token works');

    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    assert.equal(code, 0, d.output());

    const surfaces: [string, string][] = [
      ['daemon stdout/stderr', d.output()],
      ...responses.map((r, i): [string, string] => [`HTTP response ${i}`, r]),
      ...tg.sent.map((m): [string, string] => [`Telegram message ${m.message_id}`, m.text]),
      ...tg.edits.map((e): [string, string] => [`Telegram edit ${e.message_id}`, e.text]),
      ...filesUnder(dir).map((f): [string, string] => [`file ${path.relative(dir, f)}`, fs.readFileSync(f, 'utf8')]),
    ];
    assert.ok(surfaces.some(([n]) => n.includes('trades.csv')), 'trades were written');
    assert.ok(surfaces.some(([n]) => n.includes('state.json')), 'state was written');
    const leaks: string[] = [];
    for (const [where, text] of surfaces) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (text.includes(secret)) leaks.push(`${name} in ${where}`);
      }
    }
    assert.deepEqual(leaks, []);
  });
});
