// The one way a file that must survive a crash is written: temp file, fsync,
// rename (the previous version kept as `.bak`), then fsync of the directory.
// A crash at any instant leaves either the old or the new content, never half.
import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.existsSync(file)) fs.renameSync(file, `${file}.bak`);
  fs.renameSync(tmp, file);
  try {
    const dfd = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
  } catch {
    // Directory fsync is not supported everywhere; the rename is still atomic.
  }
}
