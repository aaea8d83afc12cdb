// The dashboard in a real headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core) against the HTTP server with a fake bot whose
// ladder is rebuilt when the spacing changes. Screenshots go to
// test-artifacts/ (gitignored).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type ConsoleMessage } from 'playwright-core';
import { startHttpServer, type RunningHttpServer } from '../../../src/frontends/http/server.js';
import { configureLogger } from '../../../src/util/log.js';
import { limitsView, type LimitsView } from '../../../src/core/limits.js';
import { buildGrid, createFakeBot, type FakeBot, type FakeBotOptions } from '../../support/fake-status.js';

configureLogger({ write: () => {} });

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
// CI sets REQUIRE_BROWSER=1: there a missing browser is a failure, not a skip.
if (!HAVE_CHROMIUM && process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but no Chromium at ${CHROMIUM}`);
const SKIP = HAVE_CHROMIUM ? false : `headless Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
const ARTIFACTS = path.resolve(process.cwd(), 'test-artifacts');
const TOKEN = 'browser-token-9d41c7aa';

interface Session {
  bot: FakeBot;
  srv: RunningHttpServer;
  page: Page;
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  close(): Promise<void>;
}

async function open(
  browser: Browser,
  botOpts: FakeBotOptions,
  viewport = { width: 1440, height: 900 },
  mobile = false,
  prepare: (bot: FakeBot) => void = () => {},
): Promise<Session> {
  const bot = createFakeBot({ now: Date.now(), ...botOpts });
  bot.deps.dashboardRefreshMs = 1000;
  prepare(bot);
  const srv = await startHttpServer(0, bot.deps, '127.0.0.1');
  const context = await browser.newContext({ viewport, deviceScaleFactor: mobile ? 2 : 1, isMobile: mobile, hasTouch: mobile, colorScheme: 'dark' });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Record CSP violations from inside the page (init scripts are exempt from the page's CSP).
  await page.addInitScript(`window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ': ' + e.blockedURI));`);
  const url = `http://127.0.0.1:${srv.port}/`;
  await page.goto(url);
  return {
    bot,
    srv,
    page,
    url,
    consoleErrors,
    pageErrors,
    async close() {
      await context.close();
      await srv.close();
      bot.cleanup();
    },
  };
}

/** Evaluate an expression in the page (strings: the project compiles without DOM types). */
function js<T>(page: Page, expr: string): Promise<T> {
  return page.evaluate<T>(expr);
}

/**
 * Poll an expression until it is truthy. (Playwright's waitForFunction evaluates
 * string predicates with eval inside the page, which the page's CSP forbids.)
 */
async function waitFor(page: Page, expr: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate<boolean>(`!!(${expr})`)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expr}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

function textIs(page: Page, id: string, text: string): Promise<void> {
  return waitFor(page, `document.getElementById(${JSON.stringify(id)})?.textContent === ${JSON.stringify(text)}`);
}

function textMatches(page: Page, id: string, re: RegExp): Promise<void> {
  return waitFor(page, `${re.toString()}.test(document.getElementById(${JSON.stringify(id)})?.textContent ?? '')`);
}

function count(page: Page, selector: string): Promise<number> {
  return js<number>(page, `document.querySelectorAll(${JSON.stringify(selector)}).length`);
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate<string[]>('window.__csp');
}

async function ladderPrices(page: Page): Promise<string[]> {
  return js<string[]>(page, `[...document.querySelectorAll('#ladder tbody tr[data-testid="ladder-row"] td:nth-child(3)')].map((t) => t.textContent)`);
}

/** min and max of the three control inputs, as the page set them. */
function inputBounds(page: Page): Promise<Record<string, [string, string]>> {
  return js(page, `Object.fromEntries(['spacing', 'ratio', 'interval'].map((n) => {
    const i = document.getElementById(n + '-input'); return [n, [i.min, i.max]]; }))`);
}

function boundsOf(l: LimitsView): Record<string, [string, string]> {
  return {
    spacing: [String(l.spacing.min), String(l.spacing.max)],
    ratio: [String(l.ratio.min), String(l.ratio.max)],
    interval: [String(l.interval.min), String(l.interval.max)],
  };
}

/** Share of the canvas's pixels painted. */
function painted(page: Page, id: string): Promise<number> {
  return js<number>(
    page,
    `(() => { const cv = document.getElementById(${JSON.stringify(id)}); const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
      let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (cv.width * cv.height); })()`,
  );
}

function periodCells(page: Page, row: number): Promise<string[]> {
  return js<string[]>(page, `[...document.querySelectorAll('#periods tbody tr[data-testid="period-row"]')[${row}].cells].map((c) => c.textContent)`);
}

/** Issue 15: the equity-vs-hold chart over the whole history and the table of days, weeks and months (api/periods). */
async function checkPeriodPanels(page: Page): Promise<void> {
  await waitFor(page, `document.querySelectorAll('#periods tbody tr[data-testid="period-row"]').length === 46`);
  // newest first: the running day (as the status: equity 122.64, hold at 0.1234), then yesterday
  assert.deepEqual(await periodCells(page, 0), [new Date().toISOString().slice(0, 10) + ' · so far', '2', '+$0.0760', '$0.0240', '$122.64', '−$0.1048']);
  assert.equal(await js<string>(page, `document.querySelector('#periods tbody tr').className`), 'open');
  // the lost day: unknown figures show as a dash, never $0.00, and the note says why
  const lost = new Date(Date.now() - 43 * 86400_000).toISOString().slice(0, 10);
  const lostRow = await js<string[]>(page, `[...[...document.querySelectorAll('#periods tbody tr')].find((r) => r.cells[0].textContent === ${JSON.stringify(lost)}).cells].map((c) => c.textContent)`);
  assert.deepEqual(lostRow.slice(1, 4), ['–', '–', '–']);
  assert.equal(await js<string>(page, `[...document.querySelectorAll('#periods tbody tr')].find((r) => r.cells[0].textContent === ${JSON.stringify(lost)}).cells[0].title`), `from ${lost} to ${lost} · unknown fills · source: unknown`);
  assert.match((await page.textContent('#periods-notes')) ?? '', /neither the daily journal nor the fills log.*Unknown figures show as –\./);
  assert.ok((await painted(page, 'equity-chart')) > 0.01, 'equity chart blank');
  assert.match((await page.textContent('#equity-hold-summary')) ?? '', /^now −\$0\.1048 vs holding · 46 days$/);
  await page.click('#periods-panel button[data-kind="week"]');
  await waitFor(page, `/^\\d{4}-W\\d\\d \\(/.test(document.querySelector('#periods tbody td')?.textContent ?? '')`);
  assert.equal(await page.getAttribute('#periods-panel button[data-kind="week"]', 'aria-pressed'), 'true');
  const weeks = await count(page, '#periods tbody tr[data-testid="period-row"]');
  assert.ok(weeks >= 7 && weeks <= 8, `${weeks} weeks`);
  await page.click('#periods-panel button[data-kind="month"]');
  await waitFor(page, `/^\\d{4}-\\d\\d( · so far)?$/.test(document.querySelector('#periods tbody td')?.textContent ?? '')`);
  const months = await count(page, '#periods tbody tr[data-testid="period-row"]');
  assert.ok(months >= 2 && months <= 3, `${months} months`);
  await page.locator('#equity-panel').screenshot({ path: path.join(ARTIFACTS, 'dashboard-equity-vs-hold.png') });
  await page.locator('#periods-panel').screenshot({ path: path.join(ARTIFACTS, 'dashboard-periods.png') });
  await page.click('#periods-panel button[data-kind="day"]');
  await waitFor(page, `document.querySelectorAll('#periods tbody tr[data-testid="period-row"]').length === 46`);
}

describe('dashboard in headless Chromium', { skip: SKIP }, () => {
  let browser: Browser;
  before(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
  });

  test('renders the status, applies a spacing change and re-renders the ladder', async () => {
    const s = await open(browser, {});
    const { page, bot } = s;
    try {
      await textIs(page, 'price', '0.12340');
      assert.equal(await page.textContent('#center'), '0.12270');
      assert.equal(await page.textContent('#mode-badge'), 'DRY RUN');
      assert.equal(await page.isVisible('#paused-badge'), false);
      assert.equal(await page.textContent('#pnl-total'), '+$1.94');
      // The headline leads with the change in equity since start, then the hold benchmark (issues 15, 17).
      assert.equal(await page.textContent('#equity-change'), '+$2.64 (+2.20%)');
      assert.equal(await page.getAttribute('#equity-change', 'class'), 'headline pos');
      assert.equal(await page.textContent('#equity-foot'), 'equity $122.64 · started with $120.00');
      assert.equal(await page.textContent('#vs-hold'), '−$0.1048');
      assert.match((await page.textContent('#hold-foot')) ?? '', /^holding half DOGE from 0\.11800 would be \$122\.75$/);
      assert.equal(await page.textContent('#inv-pnl'), '+$0.7035');
      assert.ok(
        await js<boolean>(page, `document.getElementById('equity-change').compareDocumentPosition(document.getElementById('health')) === Node.DOCUMENT_POSITION_FOLLOWING`),
        'the equity headline comes before the health banner',
      );
      const params = (await page.textContent('#params')) ?? '';
      assert.match(params, /Grid profit \(realized\)\+\$1\.94/);
      assert.match(params, /Inventory P&L \(unrealized\)\+\$0\.7035/);
      assert.doesNotMatch(params, /Realized P&L|Unrealized P&L/);
      assert.equal(await page.textContent('#round-trips'), '27');
      assert.equal(await page.textContent('#doge-acc'), '41.37');
      assert.match((await page.textContent('#uptime')) ?? '', /^3d 4h 1[23]m$/);

      // Ladder: 20 rows, price descending, the marker between the last level above and the first below the price.
      const prices = (await ladderPrices(page)).map(Number);
      assert.equal(prices.length, 20);
      assert.deepEqual(prices, [...prices].sort((a, b) => b - a));
      const markerIndex = await js<number>(page, `[...document.querySelectorAll('#ladder tbody tr')].findIndex((r) => r.id === 'ladder-marker')`);
      const above = prices.filter((p) => p >= 0.1234).length;
      assert.equal(markerIndex, above, 'marker row sits where the price falls in the ladder');
      assert.equal(await count(page, '#ladder tbody tr.buy'), 10);
      assert.equal(await count(page, '#ladder tbody tr.sell'), 10);
      const buyColor = await js<string>(page, `getComputedStyle(document.querySelector('#ladder tbody tr.buy .pill')).color`);
      const sellColor = await js<string>(page, `getComputedStyle(document.querySelector('#ladder tbody tr.sell .pill')).color`);
      assert.equal(buyColor, 'rgb(63, 185, 80)');
      assert.equal(sellColor, 'rgb(248, 81, 73)');

      // Analyzers, health, fills, trend, parameters.
      assert.equal(await count(page, '#analyzers [data-testid="analyzer-card"]'), 5);
      assert.equal(await page.textContent('#health-verdict'), 'FAVORABLE');
      // Human labels on the cards, the code name kept as the tooltip (and in the JSON).
      assert.deepEqual(await js<string[]>(page, `[...document.querySelectorAll('#analyzers .a-name')].map((e) => e.textContent)`), [
        'Equity trend',
        'Buy/sell balance',
        'Hidden risk',
        'Fill rate',
        'Random walk',
      ]);
      assert.equal(await page.getAttribute('#analyzers .a-name', 'title'), 'profitability');
      assert.equal(await count(page, '#fills tbody tr[data-testid="fill-row"]'), 20);
      // Fill times are local: the column says which zone, each cell has the UTC time (issue 17 item 11).
      assert.match((await page.textContent('#fills thead th')) ?? '', /^Time \(UTC[+−]\d\d:\d\d\)$/);
      assert.match((await page.getAttribute('#fills tbody tr[data-testid="fill-row"] td', 'title')) ?? '', /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
      assert.equal(await page.textContent('#trend-ratio'), '0.55');
      assert.match((await page.textContent('#trend-12h')) ?? '', /7 buys · 9 sells/);
      assert.match((await page.textContent('#params')) ?? '', /Order size\$3\.50/);
      assert.equal(await page.inputValue('#spacing-input'), '1');
      assert.equal(await page.isDisabled('#spacing-apply'), false);
      assert.deepEqual(await inputBounds(page), boundsOf(limitsView(0.25)), 'input bounds are the status limits');
      assert.equal(await page.textContent('#ratio-hint'), 'current 0.55 · auto · 0.25 – 0.75');
      assert.equal(await page.textContent('#interval-hint'), 'current 3600 s (1h 0m) · 60 – 86400 s');

      // The chart drew something (grid lines, price line).
      const painted = await js<number>(
        page,
        `(() => { const cv = document.getElementById('chart'); const d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
          let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n / (cv.width * cv.height); })()`,
      );
      assert.ok(painted > 0.05, `chart mostly blank (${painted})`);

      await checkPeriodPanels(page);
      await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });

      // Change the spacing from the page.
      const before = await ladderPrices(page);
      await page.fill('#spacing-input', '1.5');
      await page.click('#spacing-apply');
      await textMatches(page, 'control-msg', /spacing set to 1\.5%/);
      const expectedTop = buildGrid(0.1227, 1.5, 10, 3.5)[0].price.toFixed(5);
      await waitFor(page, `document.querySelector('#ladder tbody tr[data-testid="ladder-row"] td:nth-child(3)')?.textContent === ${JSON.stringify(expectedTop)}`);
      const afterPrices = await ladderPrices(page);
      assert.notDeepEqual(afterPrices, before);
      assert.deepEqual(bot.calls, [{ method: 'setSpacing', arg: 1.5 }]);
      assert.match((await page.textContent('#spacing-hint')) ?? '', /current 1\.50%/);
      assert.match((await page.textContent('#ladder-summary')) ?? '', /spacing 1\.50%/);

      // A rejected value shows the server's reason and changes nothing.
      await page.fill('#spacing-input', '0.1');
      await page.click('#spacing-apply');
      await waitFor(page, `document.getElementById('control-msg')?.classList.contains('err')`);
      assert.match((await page.textContent('#control-msg')) ?? '', /at least 0\.6%/);
      assert.equal(bot.calls.length, 1);

      // Ratio override and back to auto.
      await page.fill('#ratio-input', '0.6');
      await page.click('#ratio-apply');
      await textIs(page, 'trend-source', 'manual override');
      await page.click('#ratio-auto');
      await textIs(page, 'trend-source', 'auto (from fills)');
      assert.deepEqual(bot.calls.slice(1), [
        { method: 'setRatioOverride', arg: 0.6 },
        { method: 'setRatioOverride', arg: null },
      ]);

      assert.deepEqual(await cspViolations(page), []);
      assert.deepEqual(s.pageErrors, []);
      // The only console noise allowed is Chromium reporting the one 400 we provoked.
      const unexpected = s.consoleErrors.filter((m) => !/Failed to load resource: the server responded with a status of 400/.test(m));
      assert.deepEqual(unexpected, []);
    } finally {
      await s.close();
    }
  });

  test('a bot that ran 20 minutes: the chart draws and is screenshotted for the time axis', async () => {
    const s = await open(browser, { historyPoints: 40, historyMax: 480 });
    try {
      await textIs(s.page, 'price', '0.12340');
      await s.page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-short-run.png'), clip: { x: 0, y: 0, width: 1440, height: 820 } });
      assert.deepEqual(s.pageErrors, []);
    } finally {
      await s.close();
    }
  });

  test('phone width: single column, no horizontal scrolling', async () => {
    const s = await open(browser, {}, { width: 390, height: 844 }, true);
    try {
      await textIs(s.page, 'price', '0.12340');
      await s.page.waitForSelector('#analyzers [data-testid="analyzer-card"]');
      const overflow = await js<number>(s.page, 'document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
      const cols = await js<number>(s.page, `getComputedStyle(document.querySelector('.layout')).gridTemplateColumns.split(' ').length`);
      assert.equal(cols, 1);
      await s.page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
      assert.deepEqual(await cspViolations(s.page), []);
      assert.deepEqual(s.consoleErrors, []);
      assert.deepEqual(s.pageErrors, []);
    } finally {
      await s.close();
    }
  });

  test('with a dashboard token: asks once, keeps it for the tab, then applies', async () => {
    const s = await open(browser, { token: TOKEN });
    const { page, bot } = s;
    try {
      await textIs(page, 'price', '0.12340');
      assert.match((await page.textContent('#controls-note')) ?? '', /dashboard token/);
      await page.fill('#interval-input', '600');
      await page.click('#interval-apply');
      await page.waitForSelector('#token-form', { state: 'visible' });
      assert.equal(bot.calls.length, 0);
      await page.fill('#token-input', TOKEN);
      await page.click('#token-submit');
      await textMatches(page, 'control-msg', /AI interval set to 600 s/);
      assert.deepEqual(bot.calls, [{ method: 'setAiInterval', arg: 600 }]);
      assert.equal(await js<string | null>(page, `sessionStorage.getItem('dogegrid.dashboardToken')`), TOKEN);
      // Second change: no prompt.
      await page.fill('#spacing-input', '2');
      await page.click('#spacing-apply');
      await textMatches(page, 'control-msg', /spacing set to 2%/);
      assert.equal(await page.isVisible('#token-form'), false);
      assert.equal(bot.calls.length, 2);
      assert.ok(!(await page.content()).includes(TOKEN), 'token must not be rendered into the page');
      assert.deepEqual(await cspViolations(page), []);
      assert.deepEqual(s.pageErrors, []);
      assert.deepEqual(s.consoleErrors.filter((m) => !/status of 401/.test(m)), []);
    } finally {
      await s.close();
    }
  });

  test('every bound the controls show comes from status.limits', async () => {
    // Limits no build of the bot has: nothing on the page may fall back to its own numbers.
    const limits: LimitsView = { spacing: { min: 0.9, max: 12.5 }, ratio: { min: 0.3, max: 0.7 }, interval: { min: 120, max: 7200 }, ai_spacing_step: 0.5 };
    const s = await open(browser, {}, undefined, false, (bot) => {
      const status = bot.deps.status;
      bot.deps.status = () => ({ ...status(), limits });
    });
    const { page } = s;
    try {
      await textIs(page, 'spacing-hint', 'current 1.00% · min 0.90% · max 12.5%');
      assert.equal(await page.textContent('#ratio-hint'), 'current 0.55 · auto · 0.3 – 0.7');
      assert.equal(await page.textContent('#interval-hint'), 'current 3600 s (1h 0m) · 120 – 7200 s');
      assert.deepEqual(await inputBounds(page), boundsOf(limits));
      // The browser's own range check follows them too.
      await page.fill('#spacing-input', '13');
      assert.equal(await js<boolean>(page, `document.getElementById('spacing-input').validity.rangeOverflow`), true);
      await page.fill('#spacing-input', '0.5');
      assert.equal(await js<boolean>(page, `document.getElementById('spacing-input').validity.rangeUnderflow`), true);
      await page.fill('#spacing-input', '12');
      assert.equal(await js<boolean>(page, `(() => { const v = document.getElementById('spacing-input').validity; return v.rangeOverflow || v.rangeUnderflow; })()`), false);
      assert.deepEqual(s.pageErrors, []);
      assert.deepEqual(s.consoleErrors, []);
    } finally {
      await s.close();
    }
  });

  test('live without a token: controls disabled with an explanation', async () => {
    const s = await open(browser, { mode: 'live' });
    try {
      await textIs(s.page, 'mode-badge', 'LIVE');
      for (const id of ['#spacing-input', '#spacing-apply', '#ratio-input', '#ratio-apply', '#ratio-auto', '#interval-input', '#interval-apply']) {
        assert.equal(await s.page.isDisabled(id), true, id);
      }
      assert.match((await s.page.textContent('#controls-note')) ?? '', /DASHBOARD_TOKEN/);
      assert.deepEqual(s.consoleErrors, []);
    } finally {
      await s.close();
    }
  });

  test('shows a clear banner when the bot stops answering', async () => {
    const s = await open(browser, {});
    try {
      await textIs(s.page, 'price', '0.12340');
      assert.equal(await s.page.isVisible('#unreachable'), false);
      await s.srv.close();
      await s.page.waitForSelector('#unreachable', { state: 'visible', timeout: 5000 });
      assert.match((await s.page.textContent('#unreachable')) ?? '', /Bot unreachable/);
      assert.equal(await s.page.textContent('#price'), '0.12340', 'last data stays on screen');
      await s.page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-unreachable.png') });
    } finally {
      await s.close();
    }
  });
});
