// The dashboard in headless Chromium against the REAL bot: dry run on the
// paper exchange with scripted prices, services wired as the daemon wires
// them (services.ts). Changing the spacing on the page must rebuild the grid.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { Bot } from '../../../src/bot.js';
import { createServices, type Services } from '../../../src/frontends/services.js';
import { FakeClock, ScriptedMarket, testConfig } from '../../support/core.js';
import { freePort } from '../../support/net.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
if (!HAVE_CHROMIUM && process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM}`);
const SKIP = HAVE_CHROMIUM ? false : `headless Chromium not found at ${CHROMIUM} (apt-get install -y chromium)`;
const ARTIFACTS = path.resolve(process.cwd(), 'test-artifacts');


describe('dashboard against the real bot', { skip: SKIP }, () => {
  let browser: Browser;
  let bot: Bot;
  let services: Services;
  const clock = new FakeClock(Date.now());
  let price = 0.1;

  before(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const config = testConfig({ PORT: String(await freePort()) });
    bot = Bot.create({ config, market: new ScriptedMarket(() => price, clock.now), now: clock.now, botId: '99aa99aa99aa99aa99aa' });
    services = await createServices(bot, { httpHost: '127.0.0.1' });
    bot.use(services.hooks);
    await services.startEarly();
    await bot.start();
    // A little history: an oscillation that fills the first levels both ways.
    for (const p of [0.1, 0.0985, 0.0989, 0.1003, 0.1012, 0.0995, 0.0987, 0.1006, 0.1001]) {
      price = p;
      for (let i = 0; i < 20; i++) {
        clock.advance(30_000);
        await bot.tickOnce();
      }
    }
    services.stats.run(clock.now());
  });

  after(async () => {
    await browser?.close();
    await bot?.shutdown('test');
    await services?.stop();
  });

  it('shows price, center, ladder and analyzers; a spacing change from the page rebuilds the grid', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${services.httpPort()}/`);
    const poll = async (expr: string, ms = 8000) => {
      const end = Date.now() + ms;
      while (!(await page.evaluate<boolean>(`!!(${expr})`))) {
        if (Date.now() > end) throw new Error(`timed out: ${expr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await poll(`document.querySelectorAll('#ladder [data-testid="ladder-row"]').length > 0`);
    const s = bot.state;
    assert.equal(await page.textContent('#mode-badge'), 'DRY RUN');
    assert.ok(((await page.textContent('#price')) ?? '').startsWith(s.lastPrice.toFixed(4)), 'price card');
    assert.ok(((await page.textContent('#center')) ?? '').startsWith(s.center.toFixed(4)), 'center card');
    assert.equal(await page.evaluate<number>(`document.querySelectorAll('#ladder [data-testid="ladder-row"]').length`), s.orders.length);
    assert.equal(await page.evaluate<number>(`document.querySelectorAll('#analyzers [data-testid="analyzer-card"]').length`), 5);
    assert.ok(s.profit.roundTrips > 0, 'the scripted oscillation completed round trips');

    const ladderBefore = await page.evaluate<string>(`document.querySelector('#ladder').textContent`);
    await page.fill('#spacing-input', '1.5');
    await page.click('#spacing-apply');
    await poll(`document.querySelector('#ladder').textContent !== ${JSON.stringify(ladderBefore)}`);
    assert.equal(bot.state.settings.spacingPct, 1.5);
    const buy1 = bot.state.orders.find((o) => o.level === -1 && o.kind === 'grid');
    assert.ok(buy1 && Math.abs(buy1.price / bot.state.center - 0.985) < 1e-6, 'grid rebuilt at 1.5 %');
    await poll(`document.querySelector('#ladder').textContent.includes(${JSON.stringify(buy1.price.toFixed(5))})`);

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png'), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
