// Candle data for the backtester: CSV layouts, timestamps, sorting, date
// ranges; the synthetic generator (determinism and the volatility it
// promises); Kraken OHLC paging.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CandleError, detectIntervalMs, loadCandlesCsv, parseCandlesCsv, parseTimestamp, seriesFromCandles, sliceSeries, toCandles } from '../../../src/tools/backtest/candles.js';
import { fetchKrakenCandles, type OhlcClient } from '../../../src/tools/backtest/fetch.js';
import { syntheticCandles } from '../../../src/tools/backtest/synthetic.js';
import type { KrakenOhlcRow } from '../../../src/exchange/kraken/api-types.js';
import '../../support/core.js';

describe('CSV candles', () => {
  it('a file is read in chunks, line by line: the same series as parsing its whole text (lines and multi-byte characters cut by chunk edges, CRLF, a header, unsorted rows)', () => {
    const rows: string[] = ['timestamp,open,high,low,close,volume'];
    const n = 40_000; // about 2.4 MB: many chunks
    for (let i = 0; i < n; i++) {
      if (i % 500 === 0) rows.push(`# prix en € — 価格 ${'é'.repeat(i % 7)}`);
      const t = 1735689600 + 60 * (i === 17 ? n + 5 : i); // one row out of order
      const p = 0.1 + (i % 97) * 1e-5;
      rows.push(`${t},${p},${(p * 1.001).toFixed(7)},${(p * 0.999).toFixed(7)},${(p * 1.0004).toFixed(7)},${(i * 1.5).toFixed(1)}`);
    }
    const text = rows.join('\r\n') + '\r\n';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'csv-stream-')), 'year.csv');
    try {
      fs.writeFileSync(file, text);
      const streamed = loadCandlesCsv(file);
      const whole = parseCandlesCsv(text);
      assert.equal(streamed.series.length, n);
      assert.deepEqual(toCandles(streamed.series), toCandles(whole.series));
      assert.deepEqual(streamed.notes, whole.notes);
      assert.match(streamed.notes.join(), /sorted/);
      assert.equal(streamed.layout, whole.layout);
      assert.equal(streamed.series.intervalMs, 60_000);
      assert.throws(() => loadCandlesCsv(file + '.missing'), /cannot read/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it("reads Kraken's headerless OHLC layout (time,open,high,low,close,vwap,volume,count; unix seconds)", () => {
    const text = ['1735689600,0.3160000,0.3170000,0.3150000,0.3165000,0.3162000,12345.5,17', '1735689660,0.3165000,0.3180000,0.3160000,0.3175000,0.3171000,2000,4', ''].join('\n');
    const { series, layout } = parseCandlesCsv(text);
    assert.match(layout, /kraken-ohlc/);
    assert.equal(series.length, 2);
    assert.deepEqual(toCandles(series)[0], { time: 1735689600_000, open: 0.316, high: 0.317, low: 0.315, close: 0.3165, volume: 12345.5 });
    assert.equal(series.volume[1], 2000, 'volume is column 7, not the vwap');
    assert.equal(series.intervalMs, 60_000);
  });

  it("reads Kraken's OHLCVT files (7 columns) and plain 5/6-column files", () => {
    const seven = parseCandlesCsv('1735689600,1,1.2,0.9,1.1,500,9\n1735693200,1.1,1.3,1.0,1.2,600,8\n');
    assert.match(seven.layout, /ohlcvt/);
    assert.equal(seven.series.volume[0], 500);
    assert.equal(seven.series.intervalMs, 3_600_000);
    const five = parseCandlesCsv('1735689600000,1,1.2,0.9,1.1\n1735689900000,1.1,1.3,1.0,1.2\n');
    assert.equal(five.series.time[0], 1735689600000, 'milliseconds stay milliseconds');
    assert.equal(five.series.volume[0], 0);
    assert.equal(five.series.intervalMs, 300_000);
  });

  it('reads a header layout in seconds, milliseconds or ISO, any column order, CRLF and quotes', () => {
    const rows = (t: (i: number) => string) => ['timestamp,open,high,low,close,volume', ...[0, 1, 2].map((i) => `${t(i)},${1 + i},${1.5 + i},${0.5 + i},${1.2 + i},${10 * i}`)].join('\r\n');
    const secs = parseCandlesCsv(rows((i) => String(1735689600 + 60 * i))).series;
    const ms = parseCandlesCsv(rows((i) => String(1735689600_000 + 60_000 * i))).series;
    const isoZ = parseCandlesCsv(rows((i) => new Date(1735689600_000 + 60_000 * i).toISOString())).series;
    const isoNoZone = parseCandlesCsv(rows((i) => `2025-01-01 00:0${i}:00`)).series;
    for (const s of [ms, isoZ, isoNoZone]) assert.deepEqual(toCandles(s), toCandles(secs));
    const reordered = parseCandlesCsv('Close,Volume,Date,Open,High,Low,Trades\n"1.2",3,2025-01-01T00:00:00Z,1,1.5,0.5,7\n');
    assert.deepEqual(toCandles(reordered.series)[0], { time: 1735689600_000, open: 1, high: 1.5, low: 0.5, close: 1.2, volume: 3 });
  });

  it('sorts rows, keeps the last of repeated timestamps, widens inconsistent high/low, skips comments and blank lines', () => {
    const { series, notes } = parseCandlesCsv('# a comment\n120,2,2.5,1.5,2,0\n\n60,1,1.5,0.5,1,0\n120,3,3.5,2.5,3,0\n180,1,0.9,1.1,1.2,0\n');
    assert.deepEqual([...series.time], [60_000, 120_000, 180_000]);
    assert.equal(series.open[1], 3, 'last row wins');
    assert.equal(series.high[2], 1.2, 'high widened to the close');
    assert.equal(series.low[2], 1, 'low widened to the open');
    assert.ok(notes.some((n) => /sorted/.test(n)) && notes.some((n) => /widened/.test(n)), notes.join('; '));
  });

  it('names the line of bad data', () => {
    assert.throws(() => parseCandlesCsv('timestamp,open,high,low,close\n60,1,1,1,1\n120,1,x,1,1\n'), (e: unknown) => e instanceof CandleError && /line 3/.test(e.message));
    assert.throws(() => parseCandlesCsv('60,1,1,1,1\nyesterday,1,1,1,1\n'), /line 2: unreadable timestamp/);
    assert.throws(() => parseCandlesCsv('60,1,1,1,1,1,1,1,1\n'), /9 columns without a header/);
    assert.throws(() => parseCandlesCsv('when,open,high,low\n'), /no column for time, close/);
    assert.throws(() => parseCandlesCsv('60,-1,1,1,1\n'), /positive/);
    assert.throws(() => parseCandlesCsv('60,1,1,1,1\n120, 0.2 ,0,0.1,x\n'), /^CandleError: line 2: open\/high\/low\/close must be positive numbers, got 0\.2, 0, 0\.1, x$/);
    assert.throws(() => parseCandlesCsv('\n# nothing\n'), /no candles/);
  });

  it('timestamps and date ranges', () => {
    assert.equal(parseTimestamp('1735689600'), 1735689600_000);
    assert.equal(parseTimestamp('1735689600.5'), 1735689600_500);
    assert.equal(parseTimestamp('1735689600000'), 1735689600_000);
    assert.equal(parseTimestamp('2025-01-01'), 1735689600_000);
    assert.equal(parseTimestamp('2025-01-01T01:00:00+01:00'), 1735689600_000);
    assert.ok(Number.isNaN(parseTimestamp('soon')));
    const s = seriesFromCandles(Array.from({ length: 10 }, (_, i) => ({ time: i * 60_000, open: 1, high: 1, low: 1, close: 1, volume: 0 })));
    const part = sliceSeries(s, 2 * 60_000, 5 * 60_000);
    assert.deepEqual([...part.time], [120_000, 180_000, 240_000], 'from inclusive, to exclusive');
    assert.equal(sliceSeries(s, 100 * 60_000).length, 0);
    assert.equal(detectIntervalMs(Float64Array.from([0, 60, 120, 300, 360, 420])), 60, 'most common gap, not the mean');
  });
});

describe('synthetic candles', () => {
  it('are deterministic per seed and options, consistent OHLC, one candle per minute', () => {
    const a = syntheticCandles({ kind: 'ou', days: 2, seed: 42 });
    const b = syntheticCandles({ kind: 'ou', days: 2, seed: 42 });
    const c = syntheticCandles({ kind: 'ou', days: 2, seed: 43 });
    assert.equal(a.length, 2880);
    for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) assert.deepEqual(a[k], b[k], k);
    assert.notDeepEqual(a.close, c.close);
    for (let i = 0; i < a.length; i++) {
      assert.ok(a.low[i]! <= Math.min(a.open[i]!, a.close[i]!) && a.high[i]! >= Math.max(a.open[i]!, a.close[i]!), `candle ${i}`);
      if (i > 0) {
        assert.equal(a.open[i], a.close[i - 1], 'open = previous close');
        assert.equal(a.time[i]! - a.time[i - 1]!, 60_000);
      }
    }
  });

  it('GBM: zero volatility follows the drift exactly; returns and high/low ranges match the volatility asked for', () => {
    const flat = syntheticCandles({ kind: 'gbm', days: 365, seed: 1, dailyVolPct: 0, yearlyDriftPct: 200, intervalMs: 3_600_000 });
    assert.ok(Math.abs(flat.close[flat.length - 1]! / 0.1 - 3) < 1e-9, 'price tripled in a year');
    const s = syntheticCandles({ kind: 'gbm', days: 30, seed: 7, dailyVolPct: 5 });
    let r2 = 0;
    let park = 0;
    for (let i = 0; i < s.length; i++) {
      const r = Math.log(s.close[i]! / s.open[i]!);
      r2 += r * r;
      const hl = Math.log(s.high[i]! / s.low[i]!);
      park += hl * hl;
    }
    const dailyFromReturns = Math.sqrt((r2 / s.length) * 1440) * 100;
    const dailyFromRanges = Math.sqrt((park / (4 * Math.LN2 * s.length)) * 1440) * 100;
    assert.ok(Math.abs(dailyFromReturns - 5) < 0.15, `close-to-close ${dailyFromReturns}`);
    assert.ok(Math.abs(dailyFromRanges - 5) < 0.25, `Parkinson from high/low ${dailyFromRanges}`);
  });

  it('OU stays around its starting price', () => {
    const s = syntheticCandles({ kind: 'ou', days: 365, seed: 3, halfLifeDays: 3 });
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += Math.log(s.close[i]! / 0.1);
    assert.ok(Math.abs(sum / s.length) < 0.05, `mean log deviation ${sum / s.length}`);
    let hi = 0;
    let lo = Infinity;
    for (let i = 0; i < s.length; i++) {
      hi = Math.max(hi, s.high[i]!);
      lo = Math.min(lo, s.low[i]!);
    }
    assert.ok(hi < 0.2 && lo > 0.05, `range ${lo}–${hi}`);
  });

  it('rejects nonsense', () => {
    assert.throws(() => syntheticCandles({ kind: 'ou', days: 0, seed: 1 }), /days/);
    assert.throws(() => syntheticCandles({ kind: 'gbm', days: 1, seed: 1, yearlyDriftPct: -100 }), /drift/);
  });
});

/** Kraken's OHLC as documented: the most recent `max` rows after `since`, the last one still forming; `last` = newest committed. */
function krakenOhlcStub(committed: KrakenOhlcRow[], forming: KrakenOhlcRow, max = 720): OhlcClient & { calls: (number | undefined)[] } {
  const calls: (number | undefined)[] = [];
  return {
    calls,
    async getOhlc(_pair: string, _interval: number, since?: number) {
      calls.push(since);
      const all = [...committed, forming].filter((r) => since === undefined || r[0] > since).slice(-max);
      return { pairKey: 'XDGUSD', rows: all, last: committed[committed.length - 1]![0] };
    },
  };
}

function rows(n: number, t0: number, stepSec: number): KrakenOhlcRow[] {
  return Array.from({ length: n }, (_, i) => [t0 + i * stepSec, '0.1', '0.11', '0.09', '0.105', '0.1', String(100 + i), 3] as KrakenOhlcRow);
}

describe('Kraken OHLC fetch', () => {
  it('drops the forming candle, and says so when older data is not served', async () => {
    const all = rows(2000, 1_700_000_000, 60);
    const stub = krakenOhlcStub(all.slice(0, -1), all[all.length - 1]!);
    const r = await fetchKrakenCandles(stub, { pair: 'XDGUSD', intervalMinutes: 1, fromMs: 1_700_000_000_000 });
    assert.equal(r.candles.length, 719, '720 rows minus the forming one');
    assert.equal(r.candles[r.candles.length - 1]!.time, all[all.length - 2]![0] * 1000);
    assert.equal(r.candles[0]!.volume, 100 + 2000 - 720, 'volume column');
    assert.equal(r.calls, 2, 'a second page brings nothing new');
    assert.deepEqual(stub.calls, [1_700_000_000 - 1, all[all.length - 2]![0]]);
    assert.ok(r.notes.some((n) => /720/.test(n)));
  });

  it('pages forward with `since` until nothing new comes', async () => {
    const all = rows(350, 1_700_000_000, 3600);
    const stub = krakenOhlcStub(all.slice(0, -1), all[all.length - 1]!);
    // A server that pages 100 rows at a time, oldest first.
    const paging: OhlcClient = {
      async getOhlc(pair, interval, since) {
        const res = await stub.getOhlc(pair, interval, undefined);
        const after = res.rows.filter((x) => since === undefined || x[0] > since);
        const page = after.slice(0, 100);
        const committedPage = page.filter((x) => x[0] <= res.last);
        return { pairKey: res.pairKey, rows: page, last: committedPage.length ? committedPage[committedPage.length - 1]![0] : res.last };
      },
    };
    const r = await fetchKrakenCandles(paging, { pair: 'XDGUSD', intervalMinutes: 60 });
    assert.equal(r.candles.length, 349);
    assert.ok(r.calls >= 4);
    assert.deepEqual(r.notes, []);
    const cut = await fetchKrakenCandles(paging, { pair: 'XDGUSD', intervalMinutes: 60, fromMs: (1_700_000_000 + 10 * 3600) * 1000, toMs: (1_700_000_000 + 20 * 3600) * 1000 });
    assert.equal(cut.candles.length, 10, 'from/to applied');
    await assert.rejects(fetchKrakenCandles(paging, { pair: 'XDGUSD', intervalMinutes: 30 }), /--interval/);
  });
});
