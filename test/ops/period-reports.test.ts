// The period reports over a real dry-run bot: 60 hours of 30 s ticks from a
// Sunday evening across midnights, an ISO week start and a month end, with a
// restart in the middle; then the journal file lost (rebuilt from the fills
// log), then the fills log lost too (unknown, never 0). The same tables over
// HTTP: GET /api/periods and the CSV exports.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { periodCsvTables } from '../../src/frontends/http/periods-api.js';
import { startHttpServer, type RunningHttpServer } from '../../src/frontends/http/server.js';
import { holdValue } from '../../src/ops/attribution.js';
import { PERIOD_CSV_HEADER } from '../../src/ops/periods.js';
import { balanceView, createReports, type PeriodsView } from '../../src/ops/reports.js';
import { createFakeBot, type FakeBot } from '../support/fake-status.js';
import { FakeClock, meanRevertingPath, ScriptedMarket, testConfig } from '../support/core.js';
import { request } from '../support/http-request.js';

const STEP = 30_000;
const T0 = Date.parse('2026-03-29T20:00:00Z'); // Sunday: Monday 30 March starts ISO week 14, 1 April a month
const STEPS = 60 * 120;
const RESTART_AT = 3000; // 2026-03-30T21:00Z

let bot: Bot;
let before1: PeriodsView; // the day table just before the restart
let after1: PeriodsView; // … and just after it
let logDir: string;

async function run(): Promise<void> {
  const clock = new FakeClock(T0);
  const priceAt = meanRevertingPath({ seed: 5, start: T0, steps: STEPS + 10, stepMs: STEP, p0: 0.1, volPerStep: 0.0016, reversion: 0.004, shifts: [] });
  const config = testConfig();
  logDir = config.logDir;
  const make = () => Bot.create({ config, market: new ScriptedMarket(priceAt, clock.now), now: clock.now, botId: 'c0ffee00c0ffee00c0ff' });
  bot = make();
  await bot.start();
  for (let i = 0; i < STEPS; i++) {
    if (i === RESTART_AT) {
      before1 = createReports(bot).periods('day');
      bot = make(); // the process is gone; only LOG_DIR remains
      await bot.start();
      after1 = createReports(bot).periods('day');
    }
    clock.advance(STEP);
    assert.equal(await bot.tickOnce(), true, `tick ${i}`);
  }
}

const close = (a: number | null, b: number | null, what: string) => assert.ok(a !== null && b !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

describe('period reports over a dry-run bot', () => {
  before(run);

  it('one row per trading day, across the midnights; the restart changes nothing', () => {
    const days = createReports(bot).periods('day');
    assert.deepEqual(
      days.rows.map((r) => [r.period, r.open, r.source]),
      [
        ['2026-03-29', false, 'journal'],
        ['2026-03-30', false, 'journal'],
        ['2026-03-31', false, 'journal'],
        ['2026-04-01', true, 'live'],
      ],
    );
    assert.deepEqual(after1, before1, 'the table reads the same from disk after a restart');
    assert.deepEqual(after1.rows[0], days.rows[0], 'a closed day does not change later');
    assert.deepEqual(days.notes, []);
  });

  it('adds up to the bot\'s totals; equity and hold at each close with the attribution\'s definitions', () => {
    const s = bot.state;
    const days = createReports(bot).periods('day').rows;
    close(days.reduce((a, r) => a + r.grid_profit!, 0), s.profit.total, 'grid profit');
    close(days.reduce((a, r) => a + r.fees!, 0), s.ledger.fees, 'fees');
    assert.equal(days.reduce((a, r) => a + r.round_trips!, 0), s.profit.roundTrips);
    assert.equal(days.reduce((a, r) => a + r.fills!, 0), s.fills.length);
    assert.ok(s.profit.roundTrips > 5, `only ${s.profit.roundTrips} round trips`);
    const closes = s.equityDays!;
    assert.equal(closes.length, 3);
    for (const [k, c] of closes.entries()) {
      assert.equal(days[k]!.equity, c.equity);
      close(days[k]!.hold, holdValue(s.ledger.startingCapital, s.firstPrice!, c.price!), `hold at close ${c.day}`);
    }
    const now = days[days.length - 1]!;
    close(now.equity, s.ledger.cash + s.ledger.inventory * s.lastPrice, 'equity now');
  });

  it('weeks and months split at Monday and the 1st', () => {
    const r = createReports(bot);
    const days = r.periods('day').rows;
    const weeks = r.periods('week').rows;
    const months = r.periods('month').rows;
    assert.deepEqual(weeks.map((w) => [w.period, w.from, w.to, w.open]), [['2026-W13', '2026-03-29', '2026-03-29', false], ['2026-W14', '2026-03-30', '2026-04-01', true]]);
    assert.deepEqual(months.map((m) => [m.period, m.from, m.to, m.open]), [['2026-03', '2026-03-29', '2026-03-31', false], ['2026-04', '2026-04-01', '2026-04-01', true]]);
    assert.equal(months[0]!.equity, days[2]!.equity, 'March closes with 31 March');
    assert.equal(months[0]!.round_trips, days[0]!.round_trips! + days[1]!.round_trips! + days[2]!.round_trips!);
    close(weeks[1]!.grid_profit, days[1]!.grid_profit! + days[2]!.grid_profit! + days[3]!.grid_profit!, 'week 14');
  });

  it('a lost journal is rebuilt from the fills log; with the fills log lost too, counts are unknown and equity stays known', () => {
    const kept = createReports(bot).periods('day').rows;
    fs.renameSync(path.join(logDir, 'daily_summary.csv'), path.join(logDir, 'daily_summary.lost'));
    const rebuilt = createReports(bot).periods('day');
    for (const [k, r] of rebuilt.rows.slice(0, -1).entries()) {
      assert.equal(r.source, 'fills');
      assert.equal(r.fills, kept[k]!.fills);
      assert.equal(r.round_trips, kept[k]!.round_trips);
      close(r.grid_profit, kept[k]!.grid_profit, `profit ${r.period}`);
      close(r.fees, kept[k]!.fees, `fees ${r.period}`);
      assert.equal(r.equity, kept[k]!.equity);
    }
    assert.match(rebuilt.notes.join(' '), /rebuilt from the fills log/);
    fs.renameSync(path.join(logDir, 'trades.csv'), path.join(logDir, 'trades.lost'));
    const lost = createReports(bot).periods('day');
    for (const r of lost.rows.slice(0, -1)) {
      assert.deepEqual([r.fills, r.round_trips, r.grid_profit, r.fees, r.source], [null, null, null, null, 'unknown'], r.period);
      assert.equal(typeof r.equity, 'number', 'equity at close lives in the state');
    }
    fs.renameSync(path.join(logDir, 'daily_summary.lost'), path.join(logDir, 'daily_summary.csv'));
    fs.renameSync(path.join(logDir, 'trades.lost'), path.join(logDir, 'trades.csv'));
    assert.deepEqual(createReports(bot).periods('day').rows, kept);
  });

  it('/balance: the paper account against the ledger; the split differs (the paper account funds half), the value agrees', async () => {
    const b = await balanceView(bot);
    assert.equal(b.venue, 'paper');
    assert.equal(b.quote.ledger, bot.state.ledger.cash);
    assert.equal(b.base.ledger, bot.state.ledger.inventory);
    const paper = await bot.exchange.getBalances();
    assert.equal(b.base.exchange, paper.base);
    assert.equal(b.quote.exchange, paper.quote);
    assert.equal(b.flagged, b.base.flagged || b.quote.flagged);
    assert.ok(b.exchange_value !== null && b.ledger_equity !== null && Math.abs(b.exchange_value - b.ledger_equity) < 1, `value ${b.exchange_value} vs ${b.ledger_equity}`);
  });
});

describe('GET /api/periods and the period CSV exports', () => {
  let fake: FakeBot;
  let srv: RunningHttpServer;
  before(async () => {
    if (!bot) await run();
    fake = createFakeBot();
    const reports = createReports(bot);
    srv = await startHttpServer(0, { ...fake.deps, periods: (k) => reports.periods(k), csvTables: periodCsvTables((k) => reports.periodsCsv(k)) }, '127.0.0.1');
  });
  after(async () => {
    await srv.close();
    fake.cleanup();
  });

  it('answers each kind as JSON; days by default; a bad kind is a 400', async () => {
    const def = await request(srv.port, '/api/periods');
    assert.equal(def.status, 200);
    assert.match(String(def.headers['content-type']), /^application\/json/);
    const days = JSON.parse(def.text) as PeriodsView;
    assert.equal(days.kind, 'day');
    assert.equal(days.rows.length, 4);
    assert.equal(days.starting_capital, bot.state.ledger.startingCapital);
    const weeks = JSON.parse((await request(srv.port, '/api/periods?kind=week')).text) as PeriodsView;
    assert.deepEqual(weeks.rows.map((w) => w.period), ['2026-W13', '2026-W14']);
    const months = JSON.parse((await request(srv.port, '/api/periods?kind=month')).text) as PeriodsView;
    assert.deepEqual(months.rows.map((m) => m.period), ['2026-03', '2026-04']);
    for (const bad of ['year', 'DAY', '%3Cb%3E']) {
      const r = await request(srv.port, `/api/periods?kind=${bad}`);
      assert.equal(r.status, 400, bad);
      assert.deepEqual(JSON.parse(r.text), { ok: false, error: 'kind must be one of day, week, month' });
    }
    assert.equal((await request(srv.port, '/api/periods', { method: 'POST' })).status, 405);
  });

  it('serves the tables as CSV downloads, offered on the page', async () => {
    const r = await request(srv.port, '/api/export/periods_month.csv');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/csv/);
    assert.match(String(r.headers['content-disposition']), /filename="periods_month\.csv"/);
    const lines = r.text.trim().split('\n');
    assert.equal(lines[0], PERIOD_CSV_HEADER.join(','));
    assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 5)), [['2026-03', 'month', '2026-03-29', '2026-03-31', 'false'], ['2026-04', 'month', '2026-04-01', '2026-04-01', 'true']]);
    const days = (await request(srv.port, '/api/export/periods_day.csv')).text.trim().split('\n');
    assert.equal(days.length, 5);
    const head = await request(srv.port, '/api/export/periods_week.csv', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.ok(Number(head.headers['content-length']) > 100);
    assert.equal((await request(srv.port, '/api/export/periods_year.csv')).status, 404);
    const page = (await request(srv.port, '/')).text;
    for (const k of ['day', 'week', 'month']) assert.ok(page.includes(`href="api/export/periods_${k}.csv"`), k);
    assert.ok(page.includes('href="api/periods"'));
  });
});
