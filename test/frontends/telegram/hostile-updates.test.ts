// Telegram against hostile data and bad clocks (issue 18 items 5, 8, 11):
// a local clock that is off by minutes or hours neither refuses fresh commands
// nor obeys old ones (age is judged on Telegram's clock, or by whether the bot
// was listening); an update_id of 2^53 − 1 cannot make the bot deaf, now or
// after a restart, and no unsafe offset is ever saved; a flood of dropped
// replies writes a couple of log lines, not one per reply.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { TelegramNotifier, type TelegramUpdate } from '../../../src/frontends/telegram/notifier.js';
import { usableUpdateId } from '../../../src/frontends/telegram/bot-api.js';
import { OffsetStore } from '../../../src/persistence/telegram-offset.js';
import { TelegramDouble } from '../../support/telegram-double.js';
import { CHAT_ID, FakeClock, captureLogs, startHarness, testNotifierOptions, tmpDir, type Harness } from '../../support/telegram-fixtures.js';

const logs = captureLogs();
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('staleness under clock skew (issue 18 item 5)', () => {
  let double: TelegramDouble;
  let h: Harness | null = null;
  before(async () => {
    double = await TelegramDouble.start();
  });
  afterEach(async () => {
    await h?.stop();
    h = null;
    double.sendDate = true;
  });
  after(async () => {
    await double.close();
  });

  async function listening(harness: Harness): Promise<void> {
    await harness.double.waitFor(() => harness.double.heldPolls > 0, 3000, 'long poll held');
  }

  test('the bot\'s clock 15 min ahead of Telegram: a /pause sent now is obeyed, not refused as "sent 15m ago"', async () => {
    h = await startHarness({ double, clock: new FakeClock(Date.now() + 15 * MIN) });
    await listening(h);
    const before = double.sent.length;
    double.pushText(CHAT_ID, '/pause');
    const reply = await double.waitFor(() => double.sent[before], 3000, 'reply to /pause');
    assert.doesNotMatch(reply.plain, /Ignored/);
    assert.deepEqual(h.target.calls.map((c) => c.op), ['pause']);
  });

  test('the bot\'s clock 3 h behind: a /pause queued 2 h ago (Telegram\'s clock) while the bot was down is still refused', async () => {
    const n = double.sent.length;
    double.pushText(CHAT_ID, '/pause', Date.now() - 2 * HOUR - 30_000);
    h = await startHarness({ double, clock: new FakeClock(Date.now() - 3 * HOUR) });
    const reply = await double.waitFor(() => double.sent[n], 3000, 'stale notice');
    assert.match(reply.plain, /Ignored \/pause sent 2h 0m ago/);
    assert.deepEqual(h.target.calls, []);
  });

  test('no Date header from Telegram, clock 15 min ahead: the backlog is judged by the local clock, what arrives while listening is fresh', async () => {
    double.sendDate = false;
    const n = double.sent.length;
    double.pushText(CHAT_ID, '/reset', Date.now() - 2 * HOUR);
    h = await startHarness({ double, clock: new FakeClock(Date.now() + 15 * MIN) });
    const stale = await double.waitFor(() => double.sent[n], 3000, 'stale notice');
    assert.match(stale.plain, /Ignored \/reset sent 2h 15m ago/);
    await listening(h);
    double.pushText(CHAT_ID, '/pause');
    const reply = await double.waitFor(() => double.sent[n + 1], 3000, 'reply to /pause');
    assert.doesNotMatch(reply.plain, /Ignored/);
    assert.deepEqual(h.target.calls.map((c) => c.op), ['pause']);
  });

  test('handleUpdate without a poll context keeps judging by the local clock', async () => {
    const clock = new FakeClock(Date.now());
    h = await startHarness({ double, clock, start: false });
    const n = double.sent.length;
    await h.fe.handleUpdate({ update_id: 1, message: double.textMessage(CHAT_ID, '/pause', clock.t - 20 * MIN) as unknown as TelegramUpdate['message'] });
    const reply = await double.waitFor(() => double.sent[n], 3000, 'stale notice');
    assert.match(reply.plain, /Ignored \/pause sent 20m/);
  });
});

describe('update_id 2^53 − 1 cannot make the bot deaf (issue 18 item 8)', () => {
  let double: TelegramDouble;
  const notifiers: TelegramNotifier[] = [];
  before(async () => {
    double = await TelegramDouble.start();
  });
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.stop(0);
  });
  after(async () => {
    await double.close();
  });

  function poll(dir: string, seen: string[]): { notifier: TelegramNotifier; store: OffsetStore } {
    const notifier = new TelegramNotifier(testNotifierOptions(double));
    notifiers.push(notifier);
    const store = new OffsetStore(dir);
    notifier.startPolling(async (u) => {
      seen.push(String(u.message?.text));
    }, store);
    return { notifier, store };
  }

  function savedOffset(dir: string): unknown {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'telegram-offset.json'), 'utf8')) as { offset: unknown }).offset;
  }

  test('the hostile update is refused (logged once), later commands are handled, also after a restart', async () => {
    const dir = tmpDir('tg-offset-');
    const seen: string[] = [];
    const first = poll(dir, seen);
    const logsBefore = logs.length;
    double.pushRawUpdate({ update_id: 2 ** 53 - 1, message: double.textMessage(CHAT_ID, '/pause') });
    double.pushRawUpdate({ update_id: 2 ** 53 + 2, message: double.textMessage(CHAT_ID, '/reset') });
    double.pushRawUpdate({ update_id: 1.5, message: double.textMessage(CHAT_ID, '/resume') });
    const a = double.pushText(CHAT_ID, 'after the hostile one');
    await double.waitFor(() => seen.includes('after the hostile one'), 3000, 'the next update');
    assert.equal(first.store.get(), a + 1);
    assert.equal(savedOffset(dir), a + 1);
    // Telegram keeps offering the unconfirmed hostile update; the loop neither spins nor logs it again.
    const polls = double.callsOf('getUpdates').length;
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(double.callsOf('getUpdates').length - polls <= 15, `${double.callsOf('getUpdates').length - polls} polls in 200 ms`);
    const refusals = logs.slice(logsBefore).filter((l) => l.includes('ignoring an update with update_id'));
    assert.equal(refusals.length, 3, refusals.join('\n'));
    assert.ok(refusals.some((l) => l.includes('9007199254740991')));

    await first.notifier.stop(0);
    const second = poll(dir, seen);
    assert.equal(second.store.get(), a + 1, 'the restart reads the exact offset');
    const b = double.pushText(CHAT_ID, 'after the restart');
    await double.waitFor(() => seen.includes('after the restart'), 3000, 'an update after the restart');
    assert.equal(savedOffset(dir), b + 1);
    assert.deepEqual(seen, ['after the hostile one', 'after the restart']);
  });

  test('usableUpdateId: integers from 0 to 2^53 − 2', () => {
    for (const ok of [0, 1, 1000, 2 ** 53 - 2]) assert.equal(usableUpdateId(ok), true, String(ok));
    for (const bad of [-1, 1.5, 2 ** 53 - 1, 2 ** 53, 1e300, NaN, Infinity, '1000', null, undefined]) assert.equal(usableUpdateId(bad), false, String(bad));
  });

  test('OffsetStore never saves an unsafe offset, and ignores one saved by an older version', () => {
    const dir = tmpDir('tg-offset-');
    const store = new OffsetStore(dir);
    store.set(1234);
    for (const bad of [2 ** 53, 2 ** 53 + 2, -1, 1.5, NaN, Infinity]) store.set(bad);
    assert.equal(store.get(), 1234);
    assert.equal(savedOffset(dir), 1234);
    assert.ok(logs.some((l) => l.includes('refusing to save Telegram offset 9007199254740992')));

    fs.writeFileSync(path.join(dir, 'telegram-offset.json'), '{"offset":9007199254740992}');
    const logsBefore = logs.length;
    assert.equal(new OffsetStore(dir).get(), 0);
    assert.ok(logs.slice(logsBefore).some((l) => l.includes('ignoring the saved Telegram offset')));
  });
});

describe('a flood of dropped replies (issue 18 item 11)', () => {
  test('3,100 replies into a full outbox: one line when the burst starts, one with the count when it drains', async () => {
    const double = await TelegramDouble.start();
    const n = new TelegramNotifier(testNotifierOptions(double, { queueLimit: 5 }));
    try {
      double.setDown(true);
      const logsBefore = logs.length;
      for (let i = 0; i < 3100; i++) void n.sendMessage(`reply ${i}`, { label: 'reply to /status' });
      assert.equal(n.dropped, 3095);
      const during = logs.slice(logsBefore).filter((l) => l.includes('dropped'));
      assert.equal(during.length, 1, during.slice(0, 3).join('\n'));
      assert.match(during[0]!, /outbox full \(5\): dropped the oldest reply to \/status; further drops are counted/);
      double.setDown(false);
      await n.flush(5000);
      const lines = logs.slice(logsBefore).filter((l) => l.includes('dropped'));
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(lines[1]!, /3094 more item\(s\) dropped in that burst: 3094× reply to \/status \(outbox full \(5\)\)/);
      assert.deepEqual(double.sent.slice(-5).map((m) => m.plain), ['reply 3095', 'reply 3096', 'reply 3097', 'reply 3098', 'reply 3099']);
    } finally {
      await n.stop(0);
      await double.close();
    }
  });
});
