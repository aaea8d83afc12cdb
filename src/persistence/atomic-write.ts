// The one way a file that must survive a crash is written: temp file, fsync,
// rename (by default the previous version kept as `.bak`, then an fsync of
// the directory). A crash at any instant leaves either the old or the new
// content, never half.
import fs from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Keep the previous version as `<file>.bak` (default true). */
  keepBackup?: boolean;
  /** fsync the directory after the rename (default true); hot paths such as the nonce skip it. */
  syncDir?: boolean;
}

export function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (opts.keepBackup !== false && fs.existsSync(file)) fs.renameSync(file, `${file}.bak`);
  fs.renameSync(tmp, file);
  if (opts.syncDir === false) return;
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is not supported everywhere; the rename is still atomic.
  }
}
