// `--fetch`: Kraken's public OHLC through the project's KrakenClient (no key
// needed). Kraken answers at most 720 candles per call and pages forward with
// `since` (the `last` of the previous answer); the final row of every answer
// is the still-forming candle and is left out. Kraken keeps only the most
// recent 720 candles of each interval on this endpoint (12 h of 1-minute,
// 30 days of 60-minute candles): older history is not served whatever `since`
// says, so a longer backtest needs Kraken's downloadable OHLCVT files (--csv).
import type { KrakenOhlc } from '../../exchange/kraken/api-types.js';
import type { Candle } from '../../core/types.js';

export const FETCH_INTERVALS = [1, 5, 15, 60] as const;
export const KRAKEN_OHLC_MAX_ROWS = 720;

/** The one call we need from KrakenClient (a stub in tests). */
export interface OhlcClient {
  getOhlc(pair: string, intervalMinutes: number, sinceSeconds?: number): Promise<KrakenOhlc>;
}

export interface FetchOptions {
  pair: string;
  intervalMinutes: number;
  fromMs?: number;
  toMs?: number;
  /** Safety bound on calls (default 100). */
  maxCalls?: number;
}

export interface FetchResult {
  candles: Candle[];
  calls: number;
  notes: string[];
}

export async function fetchKrakenCandles(client: OhlcClient, opts: FetchOptions): Promise<FetchResult> {
  if (!(FETCH_INTERVALS as readonly number[]).includes(opts.intervalMinutes)) {
    throw new Error(`--interval must be one of ${FETCH_INTERVALS.join(', ')} (minutes), got ${opts.intervalMinutes}`);
  }
  const intervalMs = opts.intervalMinutes * 60_000;
  const maxCalls = opts.maxCalls ?? 100;
  const byTime = new Map<number, Candle>();
  let since = opts.fromMs !== undefined ? Math.floor(opts.fromMs / 1000) - 1 : undefined;
  let calls = 0;
  while (calls < maxCalls) {
    const res = await client.getOhlc(opts.pair, opts.intervalMinutes, since);
    calls++;
    const rows = res.rows;
    // Rows after `last` (or, without one, the final row) belong to the candle still forming.
    const committedUpTo = res.last > 0 ? res.last : rows.length > 0 ? Number(rows[rows.length - 1]![0]) - 1 : 0;
    let added = 0;
    for (const r of rows) {
      const tSec = Number(r[0]);
      if (!(tSec <= committedUpTo)) continue;
      const c: Candle = { time: tSec * 1000, open: Number(r[1]), high: Number(r[2]), low: Number(r[3]), close: Number(r[4]), volume: Number(r[6]) };
      if (![c.open, c.high, c.low, c.close].every((x) => Number.isFinite(x) && x > 0)) continue;
      if (!byTime.has(c.time)) added++;
      byTime.set(c.time, c);
    }
    if (added === 0 || !(res.last > 0) || (since !== undefined && res.last <= since)) break;
    since = res.last;
    if (opts.toMs !== undefined && since * 1000 + intervalMs >= opts.toMs) break;
  }
  let candles = [...byTime.values()].sort((a, b) => a.time - b.time);
  const notes: string[] = [];
  if (opts.fromMs !== undefined && candles.length > 0 && candles[0]!.time > opts.fromMs + intervalMs) {
    notes.push(
      `Kraken serves only the most recent ${KRAKEN_OHLC_MAX_ROWS} candles of an interval: data starts at ${new Date(candles[0]!.time).toISOString()}, not at the requested --from. ` +
        'Use a longer --interval, or Kraken\'s downloadable OHLCVT files with --csv.',
    );
  }
  candles = candles.filter((c) => (opts.fromMs === undefined || c.time >= opts.fromMs) && (opts.toMs === undefined || c.time < opts.toMs));
  return { candles, calls, notes };
}
