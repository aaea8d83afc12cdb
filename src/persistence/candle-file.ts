// The /suggest candle history on disk (LOG_DIR/candles.json): a restart
// (every Railway deploy is one) would otherwise leave the walk-forward with
// the last 24 hours the first OHLC refresh after a start asks for, instead of
// the 14 days the bot had collected. Saved at most every 5 minutes (the
// candles only change when the 5-minute OHLC refresh brings new ones), with
// the pair they are of; read back only for the same pair, and only candles of
// the kept span before now (none from the future). A file that cannot be read
// is kept aside and the history starts empty, like prices.json: losing it
// costs suggestions, never trading.
import fs from 'node:fs';
import path from 'node:path';
import type { Candle } from '../core/types.js';
import { errorMessage, logger } from '../util/log.js';
import { writeFileAtomic } from './atomic-write.js';

const log = logger('candles');

export const CANDLES_FILE = 'candles.json';
export const CANDLES_SAVE_INTERVAL_MS = 5 * 60_000;

function isCandle(c: unknown): c is Candle {
  if (typeof c !== 'object' || c === null) return false;
  const k = c as Record<string, unknown>;
  return [k.time, k.open, k.high, k.low, k.close, k.volume].every((v) => typeof v === 'number' && Number.isFinite(v));
}

/** What candles.json holds. */
interface SavedCandles {
  pair: string;
  candles: Candle[];
}

/** A candle this far past the clock is not believed (the next refresh brings the real one). */
const FUTURE_SLACK_MS = 5 * 60_000;

/** The /suggest candle history's file: read once at start, written after the refreshes that change the history. */
export class CandleFile {
  private savedAt = -Infinity;

  constructor(
    readonly file: string,
    /** The pair the candles are of (PAIR): a file of another pair is not read. */
    private readonly pair: string,
    private readonly now: () => number,
  ) {}

  /** The saved candles of the last `keepMs` ([] when there are none; an unreadable file is renamed `<file>.corrupt-<ms>`). */
  load(keepMs: number): Candle[] {
    const file = this.file;
    if (!fs.existsSync(file)) return [];
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SavedCandles> | null;
      if (typeof parsed !== 'object' || parsed === null || !Array.isArray(parsed.candles)) throw new Error('expected {pair, candles}');
      if (parsed.pair !== this.pair) {
        log.info(`${path.basename(file)} holds ${String(parsed.pair)} candles, not ${this.pair}: the /suggest history starts empty`);
        return [];
      }
      const now = this.now();
      return parsed.candles.filter((c) => isCandle(c) && c.time >= now - keepMs && c.time <= now + FUTURE_SLACK_MS);
    } catch (err) {
      const aside = `${file}.corrupt-${this.now()}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        // Reading failed for a reason renaming shares (permissions): the next save replaces the file.
      }
      log.warn(`${path.basename(file)} could not be read (${errorMessage(err)}); the /suggest history starts empty (file kept aside as ${path.basename(aside)})`);
      return [];
    }
  }

  /** Writes `candles` unless the last write is less than CANDLES_SAVE_INTERVAL_MS old; a failure is logged and tried again next time. */
  maybeSave(candles: readonly Candle[]): void {
    if (this.now() - this.savedAt < CANDLES_SAVE_INTERVAL_MS) return;
    try {
      const saved: SavedCandles = { pair: this.pair, candles: [...candles] };
      writeFileAtomic(this.file, JSON.stringify(saved), { keepBackup: false });
      this.savedAt = this.now();
    } catch (err) {
      log.warn(`${path.basename(this.file)} not saved: ${errorMessage(err)}`);
    }
  }
}
