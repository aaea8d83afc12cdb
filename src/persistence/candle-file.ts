// The /suggest candle history on disk (LOG_DIR/candles.json): a restart
// (every Railway deploy is one) would otherwise leave the walk-forward with
// the 60 hours one Kraken OHLC answer holds (720 five-minute candles) instead
// of the 14 days the bot had collected. Saved at most every 5 minutes (the
// candles only change when the 5-minute OHLC refresh brings new ones); a file
// that cannot be read is kept aside and the history starts empty, like
// prices.json: losing it costs suggestions, never trading.
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

/** The /suggest candle history's file: read once at start, written after the refreshes that change the history. */
export class CandleFile {
  private savedAt = -Infinity;

  constructor(
    readonly file: string,
    private readonly now: () => number,
  ) {}

  /** The candles saved ([] when there are none; an unreadable file is renamed `<file>.corrupt-<ms>`). */
  load(): Candle[] {
    const file = this.file;
    if (!fs.existsSync(file)) return [];
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (!Array.isArray(parsed)) throw new Error('expected a list of candles');
      return parsed.filter(isCandle);
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
      writeFileAtomic(this.file, JSON.stringify(candles), { keepBackup: false });
      this.savedAt = this.now();
    } catch (err) {
      log.warn(`${path.basename(this.file)} not saved: ${errorMessage(err)}`);
    }
  }
}
