// The Telegram update offset, in its own small file written synchronously:
// it must be on disk before an update is handled (so a restart never handles
// it twice), and saving the whole state mid-tick could capture a half-done tick.
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage, logger } from '../util/log.js';
import { writeFileAtomic } from './atomic-write.js';

const log = logger('services');

export class OffsetStore {
  private readonly file: string;
  private value: number;
  constructor(dir: string) {
    this.file = path.join(dir, 'telegram-offset.json');
    let v = 0;
    try {
      const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && Number.isSafeInteger((parsed as { offset: unknown }).offset)) v = (parsed as { offset: number }).offset;
    } catch {
      // Missing or unreadable: start from 0; Telegram then replays at most its last 24 h, and stale commands are refused.
    }
    this.value = v;
  }
  get(): number {
    return this.value;
  }
  set(n: number): void {
    this.value = n;
    try {
      writeFileAtomic(this.file, JSON.stringify({ offset: n }));
    } catch (err) {
      log.error(`saving the Telegram offset failed: ${errorMessage(err)}`);
    }
  }
}
