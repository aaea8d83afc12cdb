// What the README tells operators to create must never be committed by
// accident (issue 17 item 7): every .env variant but the example, and every
// logs directory the checklist suggests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/ship-repo.js';

/** Paths the repository's .gitignore ignores, checked by git itself in a scratch repository. */
function ignored(paths: string[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitignore-'));
  fs.copyFileSync(path.join(repoRoot(), '.gitignore'), path.join(dir, '.gitignore'));
  assert.equal(spawnSync('git', ['init', '-q'], { cwd: dir }).status, 0);
  const r = spawnSync('git', ['check-ignore', '--no-index', ...paths], { cwd: dir, encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('.gitignore', () => {
  it('ignores every .env variant and logs directory the README suggests, never the example or the sources', () => {
    const secret = ['.env', '.env.live', '.env.dry', '.env.local', 'logs/state.json', 'logs-live/state.json', 'logs-dry/trades.csv', 'node_modules/x', 'dist/src/bot.js'];
    const kept = ['.env.example', 'src/bot.ts', 'README.md', 'test/fixtures/stats/reference.json'];
    assert.deepEqual(ignored(secret).sort(), [...secret].sort());
    assert.deepEqual(ignored(kept), []);
  });
});
