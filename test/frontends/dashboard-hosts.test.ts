// DASHBOARD_HOSTS reaches the dashboard: an operator who opens it by a custom
// domain over plain http can change settings once that name is listed, and
// only then (the DNS-rebinding guard of host-check.ts stays in force).
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { createServices } from '../../src/frontends/services.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';
import { postJson } from '../support/http-request.js';

/** A port free right now on 127.0.0.1 (the server binds it a moment later). */
async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

async function postAs(env: Record<string, string>, host: string): Promise<number> {
  const clock = new FakeClock(Date.now());
  const config = testConfig({ HEALTH_PORT: String(await freePort()), ...env });
  const bot = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now, botId: '0123456789abcdef0123' });
  const services = await createServices(bot, { httpHost: '127.0.0.1' });
  bot.use(services.hooks);
  await services.startEarly();
  try {
    await bot.start();
    const port = services.httpPort();
    assert.ok(port !== null, 'the dashboard is up');
    const r = await postJson(port, { spacing: 1.5 }, { Host: host, Origin: `http://${host}` });
    return r.status;
  } finally {
    await bot.shutdown('test');
    await services.stop();
  }
}

describe('DASHBOARD_HOSTS (a custom domain over plain http)', () => {
  it('refuses a change addressed to an unlisted name, accepts it once the name is listed', async () => {
    assert.equal(await postAs({}, 'grid.example.org'), 403);
    assert.equal(await postAs({ DASHBOARD_HOSTS: 'grid.example.org' }, 'grid.example.org'), 200);
    assert.equal(await postAs({ DASHBOARD_HOSTS: '.example.org' }, 'bot.example.org'), 200);
    assert.equal(await postAs({ DASHBOARD_HOSTS: 'grid.example.org' }, 'evil.example.net'), 403);
  });
});
