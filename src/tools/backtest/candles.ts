// OHLC candles for the backtester, stored column-wise in typed arrays (one
// Float64Array per field) so a year of 1-minute candles is six flat arrays the
// replay loop can scan without touching objects.
//
// CSV layouts read by `parseCandlesCsv`:
// - Kraken's OHLC layout, headerless: time,open,high,low,close,vwap,volume,count
//   (8 columns, the shape of the REST OHLC rows), time in unix seconds;
// - Kraken's downloadable OHLCVT files, headerless: time,open,high,low,close,volume,trades (7 columns);
// - headerless time,open,high,low,close[,volume] (5 or 6 columns);
// - any layout with a header row naming the columns, e.g.
//   timestamp,open,high,low,close,volume (also time/date/datetime, o/h/l/c/v; other columns ignored).
// Timestamps may be unix seconds, unix milliseconds or ISO 8601 text (an ISO
// date without a zone is read as UTC). Rows are sorted by time; a repeated
// timestamp keeps the last row. A high below max(open, close) or a low above
// min(open, close) is widened to include them. Anything else that is not a
// positive number is an error naming the line.
import fs from 'node:fs';
import type { Candle } from '../../core/types.js';

export interface CandleSeries {
  readonly length: number;
  /** Candle length: the most common gap between consecutive candles (gaps with no trades are allowed). */
  readonly intervalMs: number;
  /** Start of each candle, epoch ms. */
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export class CandleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CandleError';
  }
}

export function emptySeries(length: number, intervalMs: number): CandleSeries {
  return {
    length,
    intervalMs,
    time: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
}

/** The most common positive gap between consecutive times (60 000 when there is none). */
export function detectIntervalMs(time: Float64Array): number {
  const counts = new Map<number, number>();
  let best = 0;
  let bestCount = 0;
  for (let i = 1; i < time.length; i++) {
    const g = time[i]! - time[i - 1]!;
    if (!(g > 0)) continue;
    const c = (counts.get(g) ?? 0) + 1;
    counts.set(g, c);
    if (c > bestCount || (c === bestCount && g < best)) {
      best = g;
      bestCount = c;
    }
  }
  return bestCount > 0 ? best : 60_000;
}

/** Column-wise copy of candle objects (sorted by time, last duplicate wins). */
export function seriesFromCandles(candles: readonly Candle[], intervalMs?: number): CandleSeries {
  const sorted = sortDedupe(candles);
  const s = emptySeries(sorted.length, 0);
  for (let i = 0; i < sorted.length; i++) {
    const c = sorted[i]!;
    s.time[i] = c.time;
    s.open[i] = c.open;
    s.high[i] = Math.max(c.high, c.open, c.close);
    s.low[i] = Math.min(c.low, c.open, c.close);
    s.close[i] = c.close;
    s.volume[i] = c.volume;
  }
  return { ...s, intervalMs: intervalMs ?? detectIntervalMs(s.time) };
}

function sortDedupe(candles: readonly Candle[]): Candle[] {
  let ordered = true;
  for (let i = 1; i < candles.length; i++) {
    if (!(candles[i]!.time > candles[i - 1]!.time)) {
      ordered = false;
      break;
    }
  }
  if (ordered) return [...candles];
  const byTime = new Map<number, Candle>();
  for (const c of candles) byTime.set(c.time, c);
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

export function candleAt(s: CandleSeries, i: number): Candle {
  return { time: s.time[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! };
}

export function toCandles(s: CandleSeries, from = 0, to = s.length): Candle[] {
  const out: Candle[] = [];
  for (let i = Math.max(0, from); i < Math.min(s.length, to); i++) out.push(candleAt(s, i));
  return out;
}

/** First index with time ≥ t (binary search). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Candles starting in [fromMs, toMs): views on the same buffers, no copy. */
export function sliceSeries(s: CandleSeries, fromMs = -Infinity, toMs = Infinity): CandleSeries {
  const a = lowerBound(s.time, fromMs);
  const b = Math.max(a, lowerBound(s.time, toMs));
  return {
    length: b - a,
    intervalMs: s.intervalMs,
    time: s.time.subarray(a, b),
    open: s.open.subarray(a, b),
    high: s.high.subarray(a, b),
    low: s.low.subarray(a, b),
    close: s.close.subarray(a, b),
    volume: s.volume.subarray(a, b),
  };
}

/**
 * A timestamp: unix seconds (< 1e11), unix milliseconds, or ISO 8601 text
 * (read as UTC when it carries no zone). NaN when unreadable.
 */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (t === '') return NaN;
  if (/^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) {
    const n = Number(t);
    return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  let iso = t;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(iso)) iso = iso.replace(' ', 'T') + 'Z';
  else if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) iso += 'T00:00:00Z';
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : NaN;
}

/** Column index of each candle field in a CSV row. */
type Columns = Record<keyof Candle, number>;

const HEADER_NAMES: Record<keyof Columns, string[]> = {
  time: ['timestamp', 'time', 'date', 'datetime', 'ts', 'unix', 'open_time', 'opentime', 't'],
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v', 'base_volume'],
};

function headerColumns(cells: string[]): Columns {
  const names = cells.map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  const find = (key: keyof Columns): number => {
    for (const alias of HEADER_NAMES[key]) {
      const i = names.indexOf(alias);
      if (i >= 0) return i;
    }
    return -1;
  };
  const cols: Columns = { time: find('time'), open: find('open'), high: find('high'), low: find('low'), close: find('close'), volume: find('volume') };
  const missing = (['time', 'open', 'high', 'low', 'close'] as const).filter((k) => cols[k] < 0);
  if (missing.length > 0) throw new CandleError(`header row "${cells.join(',')}" has no column for ${missing.join(', ')}`);
  return cols;
}

function headerlessColumns(n: number, lineNo: number): { cols: Columns; layout: string } {
  switch (n) {
    case 8:
      return { cols: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 6 }, layout: 'kraken-ohlc (time,open,high,low,close,vwap,volume,count)' };
    case 7:
      return { cols: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 }, layout: 'kraken-ohlcvt (time,open,high,low,close,volume,trades)' };
    case 6:
      return { cols: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 }, layout: 'time,open,high,low,close,volume' };
    case 5:
      return { cols: { time: 0, open: 1, high: 2, low: 3, close: 4, volume: -1 }, layout: 'time,open,high,low,close' };
    default:
      throw new CandleError(`line ${lineNo}: ${n} columns without a header row; expected 8 (Kraken OHLC), 7, 6 or 5`);
  }
}

export interface ParsedCsv {
  series: CandleSeries;
  layout: string;
  /** Rows dropped or repaired, for the report. */
  notes: string[];
}

/**
 * The error for a row whose prices are not positive numbers. Kept out of
 * CandleCsvReader.row: written inline there (with its closure), it made V8
 * move about 9 MB of short-lived garbage into the old generation while a
 * year's file was read (measured with process.memoryUsage; heap 16 → 6 MB).
 */
function badPrices(lineNo: number, cells: string[], cols: Columns): CandleError {
  const prices = [cells[cols.open], cells[cols.high], cells[cols.low], cells[cols.close]].map((x) => x?.trim());
  return new CandleError(`line ${lineNo}: open/high/low/close must be positive numbers, got ${prices.join(', ')}`);
}

/** A column of doubles sized for the file's line count (grows by doubling if that was too few). */
class Column {
  data: Float64Array;
  n = 0;
  constructor(capacity: number) {
    this.data = new Float64Array(Math.max(16, capacity));
  }
  push(x: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = x;
  }
  /** The used part, without a copy (the unused tail is the header and comment lines at most). */
  done(): Float64Array {
    return this.data.subarray(0, this.n);
  }
}

/**
 * Reads CSV lines one at a time into typed columns (layouts in the header
 * comment): the whole file is never held as text or as a line array, so a
 * year of 1-minute candles costs six Float64Arrays.
 */
export class CandleCsvReader {
  private cols: Columns | null = null;
  private layout = '';
  private width = 0;
  private lineNo = 0;
  private widened = 0;
  private readonly time: Column;
  private readonly open: Column;
  private readonly high: Column;
  private readonly low: Column;
  private readonly close: Column;
  private readonly volume: Column;

  /** `lines`: how many lines the file has (an upper bound on the rows), so the columns are allocated once. */
  constructor(lines = 1024) {
    this.time = new Column(lines);
    this.open = new Column(lines);
    this.high = new Column(lines);
    this.low = new Column(lines);
    this.close = new Column(lines);
    this.volume = new Column(lines);
  }

  /** One line of the file (with or without its line ending). */
  line(raw: string): void {
    this.lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) return;
    const cells = line.includes('"') ? line.replace(/"/g, '').split(',') : line.split(',');
    if (this.cols === null) {
      const looksLikeHeader = !Number.isFinite(Number(cells[1]?.trim() ?? 'x')) || cells[1]?.trim() === '';
      this.width = cells.length;
      if (looksLikeHeader) {
        this.cols = headerColumns(cells);
        this.layout = 'header (' + cells.map((c) => c.trim().toLowerCase()).join(',') + ')';
        return;
      }
      const h = headerlessColumns(cells.length, this.lineNo);
      this.cols = h.cols;
      this.layout = h.layout;
    }
    if (cells.length < this.width) throw new CandleError(`line ${this.lineNo}: ${cells.length} columns, expected ${this.width}`);
    this.row(cells, this.cols);
  }

  /** Reads one data row (a high/low that does not contain open and close is widened). */
  private row(cells: string[], cols: Columns): void {
    const lineNo = this.lineNo;
    const t = parseTimestamp(cells[cols.time]!);
    if (!Number.isFinite(t)) throw new CandleError(`line ${lineNo}: unreadable timestamp "${cells[cols.time]!.trim()}"`);
    const o = Number(cells[cols.open]);
    const h = Number(cells[cols.high]);
    const l = Number(cells[cols.low]);
    const c = Number(cells[cols.close]);
    const v = cols.volume >= 0 ? Number(cells[cols.volume]) : 0;
    if (!(o > 0 && h > 0 && l > 0 && c > 0) || !Number.isFinite(o + h + l + c)) {
      throw badPrices(lineNo, cells, cols);
    }
    const hi = Math.max(h, o, c);
    const lo = Math.min(l, o, c);
    if (hi !== h || lo !== l) this.widened++;
    this.time.push(t);
    this.open.push(o);
    this.high.push(hi);
    this.low.push(lo);
    this.close.push(c);
    this.volume.push(Number.isFinite(v) && v >= 0 ? v : 0);
  }

  /** The series read: as it is when in time order, else sorted (repeated timestamps: the last row kept). */
  finish(): ParsedCsv {
    if (this.time.n === 0) throw new CandleError('no candles in the file');
    const notes: string[] = [];
    if (this.widened > 0) notes.push(`${this.widened} candle(s) had a high/low that did not contain open and close; widened`);
    const time = this.time.done();
    let ordered = true;
    for (let i = 1; i < time.length; i++) if (!(time[i]! > time[i - 1]!)) ordered = false;
    const raw: CandleSeries = { length: time.length, intervalMs: 0, time, open: this.open.done(), high: this.high.done(), low: this.low.done(), close: this.close.done(), volume: this.volume.done() };
    if (ordered) return { series: { ...raw, intervalMs: detectIntervalMs(time) }, layout: this.layout, notes };
    const series = seriesFromCandles(toCandles(raw));
    notes.push(`rows were not in time order: sorted${series.length < time.length ? `, ${time.length - series.length} repeated timestamp(s) dropped (last row kept)` : ''}`);
    return { series, layout: this.layout, notes };
  }
}

/** Reads candles from CSV text (layouts in the header comment). */
export function parseCandlesCsv(text: string): ParsedCsv {
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  const reader = new CandleCsvReader(lines);
  let from = 0;
  while (from <= text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    reader.line(text.slice(from, nl));
    from = nl + 1;
  }
  return reader.finish();
}

/** Lines in the file (newlines + 1), read in chunks through `buf`. */
function countLines(fd: number, buf: Buffer): number {
  let lines = 1;
  let pos = 0;
  for (;;) {
    const got = fs.readSync(fd, buf, 0, buf.length, pos);
    if (got === 0) return lines;
    pos += got;
    const view = got === buf.length ? buf : buf.subarray(0, got);
    for (let i = view.indexOf(10); i >= 0; i = view.indexOf(10, i + 1)) lines++;
  }
}

/** Bytes read at a time (a longer line grows the buffer). */
const CSV_CHUNK_BYTES = 1 << 16;

/**
 * Reads a CSV file in chunks and hands the reader one line at a time, each
 * decoded on its own from the bytes (a newline byte never occurs inside a
 * multi-byte UTF-8 character). No string longer than a line is made: decoded
 * 1 MiB chunks were V8 large objects, which only a full collection frees, and
 * a year's file (52 MB) peaked ~20 MB above the synthetic year.
 */
export function loadCandlesCsv(file: string): ParsedCsv {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new CandleError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    let buf = Buffer.allocUnsafe(CSV_CHUNK_BYTES);
    const reader = new CandleCsvReader(countLines(fd, buf));
    let kept = 0;
    let pos = 0;
    for (;;) {
      if (kept === buf.length) buf = Buffer.concat([buf], buf.length * 2);
      const got = fs.readSync(fd, buf, kept, buf.length - kept, pos);
      pos += got;
      const end = kept + got;
      const view = buf.subarray(0, end);
      let from = 0;
      for (let nl = view.indexOf(10); nl >= 0; nl = view.indexOf(10, from)) {
        reader.line(view.toString('utf8', from, nl));
        from = nl + 1;
      }
      if (got === 0) {
        if (from < end) reader.line(view.toString('utf8', from, end));
        break;
      }
      kept = end - from;
      buf.copyWithin(0, from, end);
    }
    return reader.finish();
  } catch (err) {
    if (err instanceof CandleError) throw new CandleError(`${file}: ${err.message}`);
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}
