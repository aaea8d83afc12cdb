import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { parseConfigBody, parseInterval, parseRatio, parseSpacing } from '../src/ops/controls.js';

function fails(env: Record<string, string>, variable: string): void {
  assert.throws(() => loadConfig(env), (err: unknown) => err instanceof ConfigError && err.variable === variable && err.message.startsWith(variable));
}

describe('config', () => {
  it('has the reference defaults', () => {
    const c = loadConfig({});
    assert.equal(c.dryRun, true);
    assert.equal(c.startingCapital, 120);
    assert.equal(c.gridSpacingPct, 1);
    assert.equal(c.makerFeePct, 0.25);
    assert.equal(c.pollIntervalSeconds, 30);
    assert.equal(c.httpPort, 8080);
    assert.equal(c.pair, 'XDGUSD');
    assert.equal(c.krakenTier, 'starter');
    assert.equal(c.aiModel, 'meta/llama-3.1-8b-instruct');
  });

  it('accepts true/1/yes for DRY_RUN and PORT over HEALTH_PORT', () => {
    for (const v of ['true', '1', 'yes', 'YES']) assert.equal(loadConfig({ DRY_RUN: v }).dryRun, true);
    assert.equal(loadConfig({ PORT: '3000', HEALTH_PORT: '9000' }).httpPort, 3000);
    assert.equal(loadConfig({ HEALTH_PORT: '0' }).httpPort, 0);
    assert.equal(loadConfig({ GROQ_API_KEY: 'gsk' }).aiApiKey, 'gsk');
    assert.equal(loadConfig({ POLL_INTERVAL_SECONDS: '1' }).pollIntervalSeconds, 1);
  });

  it('refuses bad values, naming the variable', () => {
    fails({ STARTING_CAPITAL: 'lots' }, 'STARTING_CAPITAL');
    fails({ GRID_SPACING_PCT: '0.5' }, 'GRID_SPACING_PCT'); // below 0.5 + 0.1
    fails({ STOP_FLOOR: '120' }, 'STOP_FLOOR'); // at starting capital
    fails({ KRAKEN_TIER: 'gold' }, 'KRAKEN_TIER');
    fails({ DRY_RUN: 'maybe' }, 'DRY_RUN');
    fails({ POLL_INTERVAL_SECONDS: '0' }, 'POLL_INTERVAL_SECONDS');
    fails({ POLL_INTERVAL_SECONDS: '1.5' }, 'POLL_INTERVAL_SECONDS');
    fails({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    fails({ PORT: '70000' }, 'PORT');
    fails({ KRAKEN_API_URL: 'ftp://x' }, 'KRAKEN_API_URL');
    fails({ DRY_RUN: 'false' }, 'KRAKEN_API_KEY');
    fails({ DRY_RUN: 'false', KRAKEN_API_KEY: 'k' }, 'KRAKEN_API_SECRET');
    fails({ TELEGRAM_BOT_TOKEN: '1:abc' }, 'TELEGRAM_CHAT_ID');
    fails({ TELEGRAM_CHAT_ID: 'me' }, 'TELEGRAM_CHAT_ID');
    fails({ MAKER_FEE_PCT: '-1' }, 'MAKER_FEE_PCT');
    fails({ GRID_SPACING_PCT: '25' }, 'GRID_SPACING_PCT'); // the controls cap spacing at 20 %
    fails({ DASHBOARD_TOKEN: 'short' }, 'DASHBOARD_TOKEN'); // too short to be safe or to be masked in logs
  });

  it('refuses settings that could never work (issue 18 item 10)', () => {
    fails({ TELEGRAM_CHAT_ID: '04242' }, 'TELEGRAM_CHAT_ID'); // ids are compared as text: 04242 never matches chat 4242
    fails({ TELEGRAM_CHAT_ID: '-0100' }, 'TELEGRAM_CHAT_ID');
    fails({ DASHBOARD_TOKEN: 'correct horse battery' }, 'DASHBOARD_TOKEN'); // a space can never arrive intact in a header
    fails({ DASHBOARD_TOKEN: 'pässwörd-geheim-123' }, 'DASHBOARD_TOKEN'); // not Latin-1-safe in an Authorization header
    fails({ STARTING_CAPITAL: '0x78' }, 'STARTING_CAPITAL'); // hex
    fails({ ORDER_SIZE_USD: '0b11' }, 'ORDER_SIZE_USD');
    fails({ KRAKEN_USERREF: '0o17' }, 'KRAKEN_USERREF');
    fails({ POLL_INTERVAL_SECONDS: 'Infinity' }, 'POLL_INTERVAL_SECONDS');
    fails({ LOG_DIR: '/proc/x' }, 'LOG_DIR'); // mkdir there can hang or fail in odd ways
    fails({ LOG_DIR: '/sys/state' }, 'LOG_DIR');
    fails({ LOG_DIR: '/dev/null' }, 'LOG_DIR');
    assert.equal(loadConfig({ LOG_DIR: '/dev/shm/grid' }).logDir, '/dev/shm/grid'); // a tmpfs is a fine place for a test
    fails({ HOST: 'not a host!' }, 'HOST');
    // Still fine: plain decimals, negative group ids, a long token.
    assert.equal(loadConfig({ STARTING_CAPITAL: '120.50' }).startingCapital, 120.5);
    assert.equal(loadConfig({ TELEGRAM_CHAT_ID: '-1001234567890' }).telegramChatId, '-1001234567890');
    assert.equal(loadConfig({ DASHBOARD_TOKEN: 'abc-DEF_123.456~xyz' }).dashboardToken, 'abc-DEF_123.456~xyz');
  });

  it('HOST chooses the dashboard address (default all interfaces)', () => {
    assert.equal(loadConfig({}).httpHost, '0.0.0.0');
    assert.equal(loadConfig({ HOST: '127.0.0.1' }).httpHost, '127.0.0.1');
    assert.equal(loadConfig({ HOST: '::' }).httpHost, '::');
    assert.equal(loadConfig({ HOST: 'localhost' }).httpHost, 'localhost');
  });

  it('DASHBOARD_HOSTS lists the host names the dashboard may take changes by (default none)', () => {
    assert.deepEqual(loadConfig({}).dashboardHosts, []);
    assert.deepEqual(loadConfig({ DASHBOARD_HOSTS: ' Grid.Example.org , .lan.example,' }).dashboardHosts, ['grid.example.org', '.lan.example']);
    fails({ DASHBOARD_HOSTS: 'https://grid.example.org' }, 'DASHBOARD_HOSTS');
    fails({ DASHBOARD_HOSTS: 'grid.example.org:8080' }, 'DASHBOARD_HOSTS');
    fails({ DASHBOARD_HOSTS: 'grid.example.org/path' }, 'DASHBOARD_HOSTS');
    fails({ DASHBOARD_HOSTS: 'two words' }, 'DASHBOARD_HOSTS');
  });

  it('derives the minimum spacing from the maker fee', () => {
    assert.equal(loadConfig({ MAKER_FEE_PCT: '0.1', GRID_SPACING_PCT: '0.3' }).gridSpacingPct, 0.3);
    fails({ MAKER_FEE_PCT: '0.4', GRID_SPACING_PCT: '0.8' }, 'GRID_SPACING_PCT');
  });
});

describe('control validation', () => {
  it('spacing: at least fee + 0.1, numbers only', () => {
    assert.deepEqual(parseSpacing('1.5', 0.6), { ok: true, value: 1.5 });
    assert.deepEqual(parseSpacing(0.6, 0.6), { ok: true, value: 0.6 });
    assert.equal(parseSpacing(0.59, 0.6).ok, false);
    assert.equal(parseSpacing('1e3', 0.6).ok, false);
    assert.equal(parseSpacing('abc', 0.6).ok, false);
    assert.equal(parseSpacing(Number.NaN, 0.6).ok, false);
    assert.equal(parseSpacing(25, 0.6).ok, false);
  });

  it('ratio: 0.25..0.75 or auto; interval: whole seconds 60..86400', () => {
    assert.deepEqual(parseRatio('auto'), { ok: true, value: 'auto' });
    assert.deepEqual(parseRatio(0.25), { ok: true, value: 0.25 });
    assert.equal(parseRatio(0.8).ok, false);
    assert.deepEqual(parseInterval('60'), { ok: true, value: 60 });
    assert.equal(parseInterval(59).ok, false);
    assert.equal(parseInterval(90.5).ok, false);
  });

  it('a config body is applied whole or not at all', () => {
    assert.equal(parseConfigBody({ spacing: 1.2, ratio: 0.9 }, 0.6).ok, false);
    assert.equal(parseConfigBody({}, 0.6).ok, false);
    assert.equal(parseConfigBody([], 0.6).ok, false);
    assert.equal(parseConfigBody({ spacing: 1.2, extra: 1 }, 0.6).ok, false);
    const ok = parseConfigBody({ spacing: 1.2, ratio: 'auto', interval: 600 }, 0.6);
    assert.ok(ok.ok && ok.requests.length === 3);
  });
});
