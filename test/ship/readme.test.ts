// The README is what an operator trusts with real money: these checks tie its
// claims to the code, so a change on either side that makes it wrong fails here.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { csvFiles } from '../../src/persistence/journal.js';
import { loadConfig } from '../../src/config.js';
import { minSpacingPct } from '../../src/core/limits.js';
import { FALLBACK_PAIR_INFO } from '../../src/exchange/exchange.js';
import { adaptiveParams, counterIntent, planGrid, roundTripProfit } from '../../src/core/grid-strategy.js';
import { startHttpServer, type RunningHttpServer } from '../../src/frontends/http/server.js';
import { krakenErrorKind } from '../../src/exchange/kraken/client.js';
import { configureLogger } from '../../src/util/log.js';
import { COMMANDS } from '../../src/frontends/telegram/messages.js';
import { createFakeBot, type FakeBot } from '../support/fake-status.js';
import { githubSlug, listTsFiles, markdownHeadings, outPath, parseEnvExample, readRepoFile, repoRoot } from '../support/ship-repo.js';

const readme = readRepoFile('README.md');

/** The Markdown section under a heading, up to the next heading of the same or a higher level. */
function section(title: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((l) => /^#{1,6}\s/.test(l) && l.replace(/^#+\s+/, '').trim() === title);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const level = /^#+/.exec(lines[start])![0].length;
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^(#+)\s/.exec(lines[i]);
    if (m && m[1].length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** Rows of the Markdown tables in a text, as arrays of trimmed cells. */
function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => /^\|.*\|\s*$/.test(l) && !/^\|\s*-{3,}/.test(l))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
}

function srcText(): string {
  return listTsFiles(path.join(repoRoot(), 'src'))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

describe('README', () => {
  it('gives the two newcomer commands', () => {
    assert.ok(readme.includes('npm ci && npm start'), 'README shows `npm ci && npm start`');
    assert.match(readme, /(^|[^-\w])npm test\b/m, 'README shows `npm test`');
  });

  it('only names npm scripts that exist', () => {
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    const named = new Set<string>();
    for (const m of readme.matchAll(/\bnpm run ([A-Za-z0-9:_-]+)/g)) named.add(m[1]);
    for (const m of readme.matchAll(/\bnpm (start|test)\b/g)) named.add(m[1]);
    assert.ok(named.size >= 5, `README names ${[...named].join(', ')}`);
    const missing = [...named].filter((s) => !(s in scripts));
    assert.deepEqual(missing, [], 'scripts named in the README but missing from package.json');
    for (const s of ['demo', 'backtest', 'bench']) assert.ok(named.has(s), `README documents npm run ${s}`);
  });

  it('the npm scripts it names run files that the build produces', () => {
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    const named = new Set<string>(['start', 'test']);
    for (const m of readme.matchAll(/\bnpm run ([A-Za-z0-9:_-]+)/g)) named.add(m[1]);
    const missing: string[] = [];
    for (const name of named) {
      for (const m of (scripts[name] ?? '').matchAll(/\bnode(?:\s+--[\w-]+(?:=\S+)?)*\s+dist\/(\S+\.js)\b/g)) {
        if (!m[1].includes('*') && !fs.existsSync(outPath(m[1]))) missing.push(`npm run ${name}: dist/${m[1]}`);
      }
    }
    assert.deepEqual(missing, [], 'README documents commands whose entry point does not exist');
  });

  it('documents only backtest options the backtest CLI has', () => {
    const row = tableRows(section('All commands')).find((r) => r[0]?.includes('npm run backtest'));
    assert.ok(row, 'the commands table has npm run backtest');
    const text = row.join(' ') + '\n' + [...readme.matchAll(/npm run backtest -- ([^\n`]*)/g)].map((m) => m[1]).join('\n');
    const flags = [...new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => m[1]))];
    assert.ok(flags.length >= 4, flags.join(', '));
    const cli = path.join(repoRoot(), 'src', 'tools', 'backtest', 'cli.ts');
    assert.ok(fs.existsSync(cli), 'src/tools/backtest/cli.ts exists');
    const usage = fs.readFileSync(cli, 'utf8');
    assert.deepEqual(
      flags.filter((f) => !usage.includes(`--${f}`)),
      [],
    );
  });

  it('mentions every variable of .env.example, with the same default in its table', () => {
    const entries = parseEnvExample(readRepoFile('.env.example'));
    const unmentioned = entries.filter((e) => !new RegExp(`\\b${e.name}\\b`).test(readme)).map((e) => e.name);
    assert.deepEqual(unmentioned, [], 'variables missing from the README');
    const table = new Map<string, string>();
    for (const row of tableRows(section('Configuration'))) {
      const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(row[0] ?? '');
      if (name) table.set(name[1], row[1] ?? '');
    }
    const wrong: string[] = [];
    for (const e of entries) {
      const cell = table.get(e.name);
      if (cell === undefined) {
        wrong.push(`${e.name}: not in the configuration table`);
        continue;
      }
      const documented = /^\((empty|unset)\)$/.test(cell) ? '' : cell.replace(/^`|`$/g, '');
      if (documented !== e.value) wrong.push(`${e.name}: README says ${cell}, .env.example says "${e.value}"`);
    }
    assert.deepEqual(wrong, []);
  });

  it('has a table of contents whose links all reach a heading', () => {
    const anchors = new Set(markdownHeadings(readme).map(githubSlug));
    const links = [...readme.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(links.length >= 10, 'a table of contents');
    assert.deepEqual(
      links.filter((l) => !anchors.has(l)),
      [],
      'links to headings that do not exist',
    );
    const linked = [...readme.matchAll(/\]\(([^)#][^)]*)\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    for (const file of linked) assert.ok(fs.existsSync(path.join(repoRoot(), file)), `README links to ${file}, which does not exist`);
  });

  it('lists exactly the Telegram commands the bot knows', () => {
    const known = COMMANDS.map((c) => c.name);
    const documented = tableRows(section('Telegram'))
      .map((r) => /^`\/([a-z]+)/.exec(r[0] ?? '')?.[1])
      .filter((x): x is string => Boolean(x));
    assert.deepEqual([...documented].sort(), [...known].sort());
    assert.match(readme, /Approve/);
    assert.match(readme, /Skip/);
  });

  it('names only Kraken errors the client recognises', () => {
    const errors = [...new Set([...readme.matchAll(/`(E(?:API|Order|General|Service|Query|Funding|Trade|Session):[A-Za-z ]+)`/g)].map((m) => m[1]))];
    assert.ok(errors.length >= 6, `found ${errors.join(', ')}`);
    assert.deepEqual(
      errors.filter((e) => krakenErrorKind(e) === 'other'),
      [],
    );
  });

  it('quotes log and error messages that the code really prints', () => {
    const src = srcText();
    const quoted = [
      'Configuration error: ',
      'must be at least round-trip fee + ',
      'required when DRY_RUN=false',
      'required when TELEGRAM_BOT_TOKEN is set',
      'could not start trading',
      'HTTP server not started on port',
      'Telegram disabled (no TELEGRAM_BOT_TOKEN)',
      'AI advisor disabled (no AI_API_KEY)',
      'from unauthorized chat',
      'getUpdates failed (',
      'Config changes are disabled: the bot runs live without a dashboard token',
      'doge-grid-bot starting: ',
      'no saved state: starting fresh',
      'dashboard listening on http://',
      'grid built (',
    ];
    const flat = readme.replace(/\s+/g, ' '); // quotes may wrap across lines
    for (const q of quoted) {
      assert.ok(flat.includes(q), `README quotes "${q}"`);
      assert.ok(src.includes(q), `"${q}" is printed by src/ (README out of date?)`);
    }
  });

  it('states the real defaults in the fee math and the grid example', () => {
    const cfg = loadConfig({});
    const min = minSpacingPct(cfg.makerFeePct);
    assert.ok(readme.includes(`**${min} %**`), `minimum spacing ${min} %`);
    assert.ok(readme.includes(`**${2 * cfg.makerFeePct} %**`), `round-trip fee ${2 * cfg.makerFeePct} %`);
    const price = 0.1;
    const p = adaptiveParams(FALLBACK_PAIR_INFO, price, cfg.startingCapital);
    assert.ok(readme.includes(`$${p.orderSizeUsd.toFixed(2)}`), `order size $${p.orderSizeUsd.toFixed(2)} at $0.10`);
    assert.ok(readme.includes(`${p.levelsPerSide} buys and ${p.levelsPerSide} sells`), `${p.levelsPerSide} levels per side at $0.10`);
    const plan = planGrid(price, cfg.gridSpacingPct, 0.5, p.levelsPerSide, p.orderSizeUsd, FALLBACK_PAIR_INFO);
    const buy = plan.find((o) => o.level === -1)!;
    const fee = cfg.makerFeePct / 100;
    const buyFee = buy.price * buy.volume * fee;
    const sell = counterIntent({ side: 'buy', level: -1, price: buy.price, volume: buy.volume, fee: buyFee, time: 0 }, cfg.gridSpacingPct, FALLBACK_PAIR_INFO);
    const net = roundTripProfit(sell.answers!, { side: 'sell', price: sell.price, volume: sell.volume, fee: sell.price * sell.volume * fee });
    assert.ok(readme.includes(`$${buy.price.toFixed(4)}`), `buy level $${buy.price.toFixed(4)}`);
    assert.ok(readme.includes(`${buy.volume.toFixed(4)} DOGE`), `buy volume ${buy.volume.toFixed(4)} DOGE`);
    assert.ok(readme.includes(`$${sell.price}`), `counter-sell $${sell.price}`);
    assert.ok(readme.includes(`≈ $${net.toFixed(4)}`), `net per round trip ≈ $${net.toFixed(4)}`);
  });

  it('matches railway.json and the CSV files the bot writes', () => {
    const railway = JSON.parse(readRepoFile('railway.json')) as { deploy: Record<string, number | string> };
    assert.ok(readme.includes(`${railway.deploy.drainingSeconds} s between SIGTERM and SIGKILL`));
    assert.ok(readme.includes(`up to ${railway.deploy.restartPolicyMaxRetries} times`));
    assert.ok(readme.includes(`mounted at \`/data\``) || readme.includes('mount path `/data`'));
    const files = Object.values(csvFiles('.')).map((f) => path.basename(f));
    for (const f of files) assert.ok(readme.includes(`\`${f}\``), `README describes ${f}`);
    const exports = /CSV downloads: ([^.]*)\./.exec(readme)?.[1] ?? '';
    assert.deepEqual([...exports.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]).sort(), Object.keys(csvFiles('.')).sort());
  });
});

describe('README endpoints against the real HTTP server', () => {
  let fake: FakeBot;
  let server: RunningHttpServer;

  before(async () => {
    configureLogger({ write: () => {} });
    fake = createFakeBot();
    server = await startHttpServer(0, { ...fake.deps, csvFiles: csvFiles(fake.csvDir) }, '127.0.0.1');
  });

  after(async () => {
    await server.close();
    fake.cleanup();
  });

  it('every GET path in the endpoint table answers', async () => {
    const rows = tableRows(section('Dashboard and HTTP API'));
    const paths: string[] = [];
    for (const r of rows) {
      const m = /^`GET (\/[^`\s]*)`$/.exec(r[0] ?? '');
      if (!m) continue;
      if (m[1].includes('<name>')) {
        for (const name of Object.keys(csvFiles('.'))) paths.push(m[1].replace('<name>', name));
      } else paths.push(m[1]);
    }
    assert.ok(paths.includes('/health') && paths.includes('/api/status') && paths.includes('/'), paths.join(', '));
    for (const p of paths) {
      const res = await fetch(`http://127.0.0.1:${server.port}${p}`);
      assert.equal(res.status, 200, `GET ${p}`);
      await res.arrayBuffer();
    }
  });

  it('POST /api/config works as documented: body fields, bearer token, read-only live mode', async () => {
    assert.match(readme, /`POST \/api\/config`/);
    const url = `http://127.0.0.1:${server.port}/api/config`;
    const ok = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ spacing: 1.2, ratio: 'auto', interval: 1800 }) });
    assert.equal(ok.status, 200, 'dry run without a token: open');

    const live = createFakeBot({ mode: 'live' });
    const liveServer = await startHttpServer(0, live.deps, '127.0.0.1');
    try {
      const r = await fetch(`http://127.0.0.1:${liveServer.port}/api/config`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"spacing":1.2}' });
      assert.equal(r.status, 403, 'live without a token: refused');
    } finally {
      await liveServer.close();
      live.cleanup();
    }

    const tokened = createFakeBot({ mode: 'live', token: 'a-long-dashboard-token' });
    const tokenServer = await startHttpServer(0, tokened.deps, '127.0.0.1');
    try {
      const u = `http://127.0.0.1:${tokenServer.port}/api/config`;
      const bad = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"spacing":1.2}' });
      assert.equal(bad.status, 401);
      const good = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer a-long-dashboard-token' }, body: '{"spacing":1.2}' });
      assert.equal(good.status, 200);
    } finally {
      await tokenServer.close();
      tokened.cleanup();
    }
  });
});
