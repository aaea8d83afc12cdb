// Nonces for Kraken's private calls: strictly increasing, also across restarts
// and bursts. An optional persisted high-water mark (`NonceStore`) is shared by
// every client using the same store, so neither a restart nor a second client
// ever reuses a nonce.
import { writeFileAtomic } from '../../persistence/atomic-write.js';
import fs from 'node:fs';
import { errorMessage, logger } from '../../util/log.js';

const log = logger('kraken');

/** Persisted high-water mark of nonces; several clients (or restarts) sharing one store never reuse a nonce. */
export interface NonceStore {
  /** Highest nonce handed out so far (0 when none). */
  read(): number;
  write(nonce: number): void;
}

export class MemoryNonceStore implements NonceStore {
  private value = 0;
  read(): number {
    return this.value;
  }
  write(nonce: number): void {
    if (nonce > this.value) this.value = nonce;
  }
}

/** High-water mark in a small file, written atomically (temp file, fsync, rename) before the nonce is used. */
export class FileNonceStore implements NonceStore {
  constructor(readonly file: string) {}
  read(): number {
    try {
      const n = Number(fs.readFileSync(this.file, 'utf8').trim());
      return Number.isSafeInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }
  write(nonce: number): void {
    // Written before every private call: no backup and no directory fsync (the rename is atomic; a lost
    // rename only means the clock-based nonce, already above the stored one, is used after a crash).
    writeFileAtomic(this.file, String(nonce), { keepBackup: false, syncDir: false });
  }
}

/**
 * Hands out nonces: milliseconds since the epoch, but always above the last
 * one this source gave and above the store's high-water mark, which is
 * written before the nonce is returned (so before it is used).
 *
 * A store that cannot be read or written (disk full, file replaced by a
 * directory, permissions changed mid-run) does not stop private calls: the
 * nonce goes on from memory, still strictly increasing and never below what
 * was used or stored, one alarm is logged (not one per call), and every later
 * call tries the store again; its recovery is logged too (issue 18 item 2).
 */
export class NonceSource {
  private last = 0;
  private storeFailing = false;
  constructor(
    private readonly now: () => number,
    private readonly store?: NonceStore,
  ) {}

  next(): string {
    let stored = 0;
    if (this.store) {
      try {
        stored = this.store.read();
      } catch (err) {
        this.storeFailed(err);
      }
    }
    const candidate = Math.max(Math.floor(this.now() * 1000), this.last + 1, Number.isSafeInteger(stored) ? stored + 1 : 0);
    this.last = candidate;
    if (this.store) {
      try {
        this.store.write(candidate);
        if (this.storeFailing) {
          this.storeFailing = false;
          log.info('nonce high-water mark is being persisted again', { nonce: candidate });
        }
      } catch (err) {
        this.storeFailed(err);
      }
    }
    return String(candidate);
  }

  private storeFailed(err: unknown): void {
    if (this.storeFailing) return;
    this.storeFailing = true;
    log.error('cannot persist the nonce high-water mark; nonces continue from memory (still increasing) and the file is retried on every call. Fix the disk or the file, or a restart may reuse nonces', {
      error: errorMessage(err),
    });
  }
}
