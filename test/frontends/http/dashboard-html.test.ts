// Static checks of the dashboard page: self-contained, CSP-compatible, stable ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { dashboardHtml } from '../../../src/frontends/http/dashboard.js';

const NONCE = 'Zm9vYmFyYmF6cXV4MTIz';
const html = dashboardHtml(NONCE, { refreshMs: 5000, exports: ['trades', 'fills'] });

function scripts(page: string): { attrs: string; body: string }[] {
  return [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1], body: m[2] }));
}

test('one nonced style and one nonced script, nothing external', () => {
  const s = scripts(html);
  assert.equal(s.length, 1);
  assert.equal(s[0].attrs, ` nonce="${NONCE}"`);
  const styles = [...html.matchAll(/<style([^>]*)>/g)];
  assert.equal(styles.length, 1);
  assert.equal(styles[0][1], ` nonce="${NONCE}"`);
  assert.ok(!/\sstyle\s*=/.test(html), 'inline style attributes are blocked by the CSP');
  assert.ok(!/\son[a-z]+\s*=/i.test(html.replace(s[0].body, '')), 'inline event handlers are blocked by the CSP');
  assert.ok(!/(src|href)\s*=\s*"(https?:)?\/\//i.test(html), 'no external resources');
  assert.ok(!/@import|url\(\s*["']?https?:/i.test(html), 'no external CSS');
  for (const m of html.matchAll(/(?:src|href)="([^"]*)"/g)) assert.match(m[1], /^(data:|api\/|health$|metrics$)/, m[1]);
});

test('the inline script parses and renders data as text only', () => {
  const body = scripts(html)[0].body;
  assert.doesNotThrow(() => new vm.Script(body));
  assert.match(body, /^\s*\(function \(\) \{\n'use strict';/, 'one classic script in its own scope');
  assert.ok(!/^\s*(import|export)\b/m.test(body), 'no module syntax (the bundle resolved it)');
  assert.ok(!/innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function/.test(body));
  assert.ok(body.includes("fetch('api/status'"));
  assert.ok(body.includes("fetch('api/config'"));
  assert.ok(body.includes('sessionStorage'));
});

test('no bound in the page: the inputs get min and max from status.limits at render time', () => {
  const inputs = [...html.matchAll(/<input\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(inputs.length, 6); // spacing, ratio, interval, token, start price, take-profit
  for (const i of inputs) assert.ok(!/\s(min|max)=/.test(i), `hard-coded bound: ${i}`);
  const markup = html.replace(scripts(html)[0].body, '');
  assert.ok(!/\b(0\.25|0\.75|86400)\b|max 20%|60 – /.test(markup), 'no bound in the markup');
  const body = scripts(html)[0].body;
  assert.ok(!/0\.25|0\.75|max 20%|60 – |86400 s/.test(body), 'no bound in the script');
  assert.match(body, /\.limits\b/, 'the script reads status.limits');
});

test('stable ids for every part of SPEC §3, each unique', () => {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'duplicate id');
  for (const id of [
    'mode-badge', 'paused-badge', 'uptime', 'unreachable', 'health', 'health-verdict',
    'price', 'center', 'pnl-today', 'pnl-total', 'round-trips', 'doge-acc',
    'chart', 'ladder', 'trend-buy', 'trend-sell', 'trend-ratio', 'trend-source', 'trend-12h', 'params',
    'spacing-input', 'spacing-apply', 'ratio-input', 'ratio-apply', 'ratio-auto', 'interval-input', 'interval-apply',
    'control-msg', 'controls-note', 'token-form', 'token-input', 'token-submit', 'fills', 'analyzers', 'ai',
  ]) {
    assert.ok(ids.includes(id), `missing #${id}`);
  }
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(html, /@media \(max-width:560px\)/);
});

test('options: refresh period, export links; hostile values are escaped or dropped', () => {
  assert.match(html, /data-refresh-ms="5000"/);
  assert.match(html, /href="api\/export\/trades\.csv" download/);
  assert.match(dashboardHtml('n', { refreshMs: 10 }), /data-refresh-ms="500"/);
  const evil = dashboardHtml('"><script>alert(1)</script>', { exports: ['ok', 'x"><img src=x onerror=alert(1)>', '../etc'] });
  assert.ok(!evil.includes('<script>alert(1)'));
  assert.ok(evil.includes('nonce="&quot;&gt;&lt;script&gt;'));
  assert.ok(!evil.includes('onerror'));
  assert.ok(!evil.includes('../etc'));
  assert.match(evil, /api\/export\/ok\.csv/);
});
