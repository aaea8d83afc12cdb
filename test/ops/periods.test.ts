// The period tables as pure functions: trading days across midnight (and a
// day start other than midnight), ISO weeks across a year end, months across
// a month end, the journal lost (rebuilt from the fills) and lost together
// with the fills (unknown, never 0), and the CSV.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdValue } from '../../src/ops/attribution.js';
import { buildDays, isoWeek, periodsCsv, periodTable, rollUp, tradingDay, type JournalDay, type JournalFill, type PeriodInputs } from '../../src/ops/periods.js';

const at = (iso: string) => Date.parse(iso);

function inputs(over: Partial<PeriodInputs> = {}): PeriodInputs {
  return {
    hourUtc: 0,
    journal: [],
    fills: [],
    closes: [],
    startingCapital: 200,
    firstPrice: 0.1,
    today: { key: '2026-04-02', fills: 2, roundTrips: 1, gridProfit: 0.05, fees: 0.02, equity: 201, price: 0.11 },
    ...over,
  };
}

const journal: JournalDay[] = [
  { date: '2026-03-30', tradesCount: 3, grossProfit: 0.13, feesPaid: 0.03, netProfit: 0.1 },
  { date: '2026-03-31', tradesCount: 2, grossProfit: 0.22, feesPaid: 0.02, netProfit: 0.2 },
  { date: '2026-04-01', tradesCount: 0, grossProfit: 0, feesPaid: 0, netProfit: 0 },
];
const fills: JournalFill[] = [
  { time: at('2026-03-30T10:00:00Z'), fee: 0.01, profit: null },
  { time: at('2026-03-30T11:00:00Z'), fee: 0.01, profit: 0.04 },
  { time: at('2026-03-30T23:59:59Z'), fee: 0.01, profit: 0.06 },
  { time: at('2026-03-31T00:00:00Z'), fee: 0.01, profit: null },
  { time: at('2026-03-31T09:00:00Z'), fee: 0.01, profit: 0.2 },
  { time: at('2026-04-02T01:00:00Z'), fee: 0.01, profit: null },
];
const closes = [
  { day: '2026-03-30', equity: 199.5, price: 0.098 },
  { day: '2026-03-31', equity: 200.4, price: 0.1 },
  { day: '2026-04-01', equity: 200.9, price: 0.105 },
];

describe('period keys', () => {
  it('a trading day is the UTC date of the day that started at DAILY_SUMMARY_HOUR_UTC', () => {
    assert.equal(tradingDay(at('2026-03-30T23:59:59.999Z'), 0), '2026-03-30');
    assert.equal(tradingDay(at('2026-03-31T00:00:00Z'), 0), '2026-03-31');
    // days starting 05:00 UTC: 04:59 still belongs to the day before
    assert.equal(tradingDay(at('2026-03-31T04:59:59Z'), 5), '2026-03-30');
    assert.equal(tradingDay(at('2026-03-31T05:00:00Z'), 5), '2026-03-31');
  });

  it('ISO weeks start on Monday; week 1 holds the first Thursday (years cross)', () => {
    assert.equal(isoWeek('2026-01-01'), '2026-W01'); // Thursday
    assert.equal(isoWeek('2025-12-29'), '2026-W01'); // Monday of that week
    assert.equal(isoWeek('2025-12-28'), '2025-W52'); // Sunday before
    assert.equal(isoWeek('2027-01-01'), '2026-W53'); // Friday: 2026 has 53 weeks
    assert.equal(isoWeek('2026-03-29'), '2026-W13'); // Sunday
    assert.equal(isoWeek('2026-03-30'), '2026-W14'); // Monday
  });
});

describe('the day table', () => {
  it('closed days from the journal, round trips from the fills log, closes from the state, the running day live', () => {
    const days = buildDays(inputs({ journal, fills, closes }));
    assert.deepEqual(
      days.map((d) => [d.key, d.fills, d.roundTrips, d.gridProfit, d.fees, d.source, d.open]),
      [
        ['2026-03-30', 3, 2, 0.1, 0.03, 'journal', false],
        ['2026-03-31', 2, 1, 0.2, 0.02, 'journal', false],
        ['2026-04-01', 0, 0, 0, 0, 'journal', false],
        ['2026-04-02', 2, 1, 0.05, 0.02, 'live', true],
      ],
    );
    // equity and hold at close, the hold valued at the close price with the attribution's definition
    assert.equal(days[1]!.equity, 200.4);
    assert.equal(days[1]!.hold, holdValue(200, 0.1, 0.1));
    assert.equal(days[2]!.hold, holdValue(200, 0.1, 0.105));
    assert.equal(days[2]!.vsHold, 200.9 - holdValue(200, 0.1, 0.105));
    assert.equal(days[3]!.equity, 201);
    assert.equal(days[3]!.hold, holdValue(200, 0.1, 0.11));
  });

  it('the midnight fill belongs to the new day (days starting 00:00 UTC)', () => {
    const days = buildDays(inputs({ journal: null, fills, closes }));
    assert.equal(days[0]!.fills, 3);
    assert.equal(days[1]!.fills, 2);
  });

  it('a month end and a week end split the rows; the close is the last day\'s', () => {
    const t = periodTable(inputs({ journal, fills, closes }), 'month');
    assert.deepEqual(
      t.rows.map((r) => [r.key, r.from, r.to, r.fills, r.roundTrips, r.open, r.equity]),
      [
        ['2026-03', '2026-03-30', '2026-03-31', 5, 3, false, 200.4],
        ['2026-04', '2026-04-01', '2026-04-02', 2, 1, true, 201],
      ],
    );
    assert.ok(Math.abs(t.rows[0]!.gridProfit! - 0.3) < 1e-12);
    const weeks = rollUp(buildDays(inputs({ journal, fills, closes, today: { ...inputs().today, key: '2026-04-06' } })), 'week');
    assert.deepEqual(
      weeks.map((w) => [w.key, w.from, w.to]),
      [
        ['2026-W14', '2026-03-30', '2026-04-05'],
        ['2026-W15', '2026-04-06', '2026-04-06'],
      ],
    );
  });

  it('a lost journal is rebuilt from the fills log: same counts, profit and fees', () => {
    const kept = buildDays(inputs({ journal, fills, closes }));
    const lost = periodTable(inputs({ journal: null, fills, closes }), 'day');
    assert.deepEqual(
      lost.rows.map((d) => [d.key, d.fills, d.roundTrips, d.source]),
      [
        ['2026-03-30', 3, 2, 'fills'],
        ['2026-03-31', 2, 1, 'fills'],
        ['2026-04-01', 0, 0, 'empty'],
        ['2026-04-02', 2, 1, 'live'],
      ],
    );
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(lost.rows[k]!.gridProfit! - kept[k]!.gridProfit!) < 1e-12);
      assert.ok(Math.abs(lost.rows[k]!.fees! - kept[k]!.fees!) < 1e-12);
      assert.equal(lost.rows[k]!.equity, kept[k]!.equity, 'the closes live in the state, not the journal');
    }
    assert.match(lost.notes.join(' '), /daily journal \(daily_summary\.csv\) is missing/);
  });

  it('what cannot be rebuilt is unknown (null), never 0', () => {
    // journal and fills log both gone, the state's closes too (an older state): only the running day is known
    const t = periodTable(inputs({ journal: null, fills: null, closes: [{ day: '2026-03-31', equity: 200.4 }] }), 'day');
    const closed = t.rows.filter((r) => !r.open);
    assert.deepEqual(
      closed.map((r) => [r.key, r.fills, r.roundTrips, r.gridProfit, r.fees, r.equity, r.hold, r.source]),
      [['2026-03-31', null, null, null, null, 200.4, null, 'unknown'], ['2026-04-01', null, null, null, null, null, null, 'unknown']],
    );
    const month = rollUp(t.rows, 'month');
    assert.equal(month[0]!.gridProfit, null, 'a sum with an unknown part is unknown');
    assert.equal(month[0]!.equity, 200.4);
    assert.equal(month[0]!.hold, null, 'no close price recorded: no hold at close');
    assert.match(t.notes.join(' '), /neither the daily journal nor the fills log/);
    assert.match(t.notes.join(' '), /Equity at close is unknown/);
  });

  it('round trips of a journal day the fills log no longer covers are unknown', () => {
    const later = fills.filter((f) => f.time >= at('2026-03-31T00:00:00Z'));
    const days = buildDays(inputs({ journal, fills: later, closes }));
    assert.equal(days[0]!.roundTrips, null);
    assert.equal(days[0]!.fills, 3, 'the journal still knows the fills');
    assert.equal(days[1]!.roundTrips, 1);
  });

  it('a fresh bot: one running row', () => {
    const t = periodTable(inputs({ journal: null, fills: null, firstPrice: null, today: { key: '2026-04-02', fills: 0, roundTrips: 0, gridProfit: 0, fees: 0, equity: null, price: null } }), 'week');
    assert.equal(t.rows.length, 1);
    assert.deepEqual([t.rows[0]!.key, t.rows[0]!.equity, t.rows[0]!.hold], ['2026-W14', null, null]);
    assert.deepEqual(t.notes, []);
  });
});

describe('the CSV', () => {
  it('one header, one line per period, unknowns as empty cells', () => {
    const t = periodTable(inputs({ journal: null, fills: null, closes: [] }), 'day');
    const csv = periodsCsv(periodTable(inputs({ journal, fills, closes }), 'month'));
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'period,kind,from,to,open,fills,round_trips,grid_profit,fees,equity_close,hold_close,vs_hold,source');
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^2026-03,month,2026-03-30,2026-03-31,false,5,3,0\.3,0\.05,200\.4,200,0\.4,journal$/);
    assert.equal(t.rows.length, 1);
    const unknown = periodsCsv(periodTable(inputs({ journal: null, fills: null, closes: [{ day: '2026-04-01', equity: 200 }] }), 'day')).trim().split('\n')[1];
    assert.equal(unknown, '2026-04-01,day,2026-04-01,2026-04-01,false,,,,,200,,,unknown');
  });
});
