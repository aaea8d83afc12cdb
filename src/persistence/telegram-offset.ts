// The Telegram update offset, in its own small file written synchronously:
// it must be on disk before an update is handled (so a restart never handles
// it twice), and saving the whole state mid-tick could capture a half-done tick.
// Only exact integers are kept: an offset beyond Number.MAX_SAFE_INTEGER would
// be rounded, and a rounded offset can skip every later update (a deaf bot).
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, logger } from '../util/log.js';
import { writeFileAtomic } from './atomic-write.js';

const log = logger('services');

/** An offset that can be stored and compared exactly. */
export function isUsableOffset(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export class OffsetStore {
  private readonly file: string;
  private value: number;
  constructor(dir: string) {
    this.file = path.join(dir, 'telegram-offset.json');
    let v = 0;
    let raw: string | null = null;
    try {
      raw = fs.readFileSync(this.file, 'utf8');
    } catch {
      // Missing or unreadable: start from 0; Telegram then replays at most its last 24 h, and stale commands are refused.
    }
    if (raw !== null) {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(raw);
      } catch {
        /* reported below */
      }
      const offset = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
      if (isUsableOffset(offset)) v = offset;
      else log.warn(`ignoring the saved Telegram offset in ${this.file} (${raw.trim().slice(0, 80)}): not an exact integer; starting from 0`);
    }
    this.value = v;
  }
  get(): number {
    return this.value;
  }
  /** Keeps and saves `n`; an offset that is not an exact non-negative integer is refused (logged) and nothing changes. */
  set(n: number): void {
    if (!isUsableOffset(n)) {
      log.error(`refusing to save Telegram offset ${String(n)}: not an exact integer from 0 to ${Number.MAX_SAFE_INTEGER}`);
      return;
    }
    this.value = n;
    try {
      writeFileAtomic(this.file, JSON.stringify({ offset: n }));
    } catch (err) {
      log.error(`saving the Telegram offset failed: ${errorMessage(err)}`);
    }
  }
}
