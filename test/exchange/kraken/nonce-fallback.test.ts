// Issue 18 item 2: a nonce file that cannot be written mid-run must not stop
// private calls. Canned Kraken answers, no simulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FileNonceStore, NonceSource, type NonceStore } from '../../../src/exchange/kraken/nonce-store.js';
import { cannedClient, cannedKraken, captureLogs, quietLogs } from '../../support/kraken.js';

quietLogs();

test('nonce file turned into a directory mid-run: private calls still go out with increasing nonces, one alarm, file retried later', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nonce-'));
  const file = path.join(dir, 'nonce');
  const k = await cannedKraken({ Balance: { error: [], result: { XXDG: '1', ZUSD: '2' } } });
  try {
    const { client, clock } = cannedClient(k, { nonceStore: new FileNonceStore(file) });
    await client.balance();
    const stored = Number(fs.readFileSync(file, 'utf8'));
    fs.rmSync(file);
    fs.mkdirSync(file); // EISDIR on every later read/rename
    clock.t -= 60_000; // and the clock steps back: memory must still keep nonces increasing
    const r = await captureLogs(async () => {
      for (let i = 0; i < 5; i++) await client.balance();
    });
    assert.equal(r.error, undefined, String(r.error));
    const nonces = k.calls.filter((c) => c.method === 'Balance').map((c) => Number(c.params.get('nonce')));
    assert.equal(nonces.length, 6);
    assert.equal(nonces[0], stored);
    for (let i = 1; i < nonces.length; i++) assert.ok(nonces[i]! > nonces[i - 1]!, `nonce ${i} ${nonces[i]} <= ${nonces[i - 1]}`);
    assert.equal(r.lines.filter((l) => l.includes('nonce') && l.includes('ERROR')).length, 1, r.lines.join('\n'));
    // The file is usable again: the next call writes it again, above everything used.
    fs.rmdirSync(file);
    const r2 = await captureLogs(() => client.balance());
    assert.equal(r2.error, undefined);
    const last = Number(k.calls.at(-1)!.params.get('nonce'));
    assert.ok(last > nonces.at(-1)!);
    assert.equal(Number(fs.readFileSync(file, 'utf8')), last);
    assert.ok(r2.lines.some((l) => l.includes('nonce') && l.includes('again')));
  } finally {
    await k.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('nonce store whose write throws (ENOSPC, EACCES): nonces continue from memory, never below what was stored or used', async () => {
  let fail = false;
  let value = 0;
  const store: NonceStore = {
    read: () => value,
    write: (n) => {
      if (fail) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      value = n;
    },
  };
  let t = 1_000;
  const src = new NonceSource(() => t, store);
  assert.equal(src.next(), '1000000');
  value = 5_000_000; // another client sharing the store went higher
  fail = true;
  const r = await captureLogs(async () => {
    const a = [src.next(), src.next()];
    t = 0;
    a.push(src.next());
    return a;
  });
  assert.deepEqual(r.result, ['5000001', '5000002', '5000003']);
  assert.equal(r.lines.filter((l) => l.includes('ERROR')).length, 1, r.lines.join('\n'));
});
