// Nonces for Kraken's private calls: strictly increasing, also across restarts
// and bursts. An optional persisted high-water mark (`NonceStore`) is shared by
// every client using the same store, so neither a restart nor a second client
// ever reuses a nonce.
import fs from 'node:fs';
import path from 'node:path';

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
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, String(nonce));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}

/**
 * Hands out nonces: milliseconds since the epoch, but always above the last
 * one this source gave and above the store's high-water mark, which is
 * written before the nonce is returned (so before it is used).
 */
export class NonceSource {
  private last = 0;
  constructor(
    private readonly now: () => number,
    private readonly store?: NonceStore,
  ) {}

  next(): string {
    const stored = this.store ? this.store.read() : 0;
    const candidate = Math.max(Math.floor(this.now() * 1000), this.last + 1, stored + 1);
    this.last = candidate;
    this.store?.write(candidate);
    return String(candidate);
  }
}
