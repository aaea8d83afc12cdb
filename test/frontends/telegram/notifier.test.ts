// The Telegram notifier against the Bot API double: disabled without a token,
// [DRY RUN] prefix, 429 retry_after, a long outage (never blocks, bounded
// queue, in-order delivery afterwards), HTML fallback, long polling, and the
// token never reaching the logs.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { TelegramNotifier, type TelegramUpdate } from '../../../src/frontends/telegram/notifier.js';
import { escapeHtml } from '../../../src/frontends/telegram/messages.js';
import { TelegramDouble } from '../../support/telegram-double.js';
import { CHAT_ID, captureLogs, testNotifierOptions } from '../../support/telegram-fixtures.js';

const logs = captureLogs();
let double: TelegramDouble;
const notifiers: TelegramNotifier[] = [];

function make(extra: Parameters<typeof testNotifierOptions>[1] = {}): TelegramNotifier {
  const n = new TelegramNotifier(testNotifierOptions(double, extra));
  notifiers.push(n);
  return n;
}

before(async () => {
  double = await TelegramDouble.start();
});

afterEach(async () => {
  for (const n of notifiers.splice(0)) await n.stop(0);
  double.setDown(false);
});

after(async () => {
  await double.close();
  // Whatever happened above, the token never reached a log line.
  assert.ok(logs.length > 0);
  for (const line of logs) assert.ok(!line.includes(double.token), `token leaked: ${line}`);
});

describe('TelegramNotifier', () => {
  test('without a token everything is quietly off', async () => {
    const n = new TelegramNotifier({ apiUrl: double.url, token: '', chatId: '', dryRun: true });
    assert.equal(n.enabled, false);
    const calls = double.calls.length;
    n.notify('hello');
    assert.equal(await n.sendMessage('x'), null);
    assert.equal(await n.editMessageText(1, 'x'), false);
    assert.equal(await n.answerCallbackQuery('1'), false);
    assert.equal(await n.setMyCommands([]), false);
    assert.equal(await n.getMe(), null);
    n.startPolling(async () => {}, { get: () => 0, set: () => {} });
    await n.stop();
    assert.equal(double.calls.length, calls);
  });

  test('sendMessage / editMessageText use HTML parse mode and the [DRY RUN] prefix in dry run', async () => {
    const n = make({ dryRun: true });
    const id = await n.sendMessage('<b>grid</b> built &amp; ready');
    assert.ok(id !== null);
    const msg = double.messages.get(id)!;
    assert.equal(msg.text, '[DRY RUN] <b>grid</b> built &amp; ready');
    assert.equal(msg.plain, '[DRY RUN] grid built & ready');
    assert.equal(msg.parse_mode, 'HTML');
    assert.equal(msg.chat_id, CHAT_ID);
    assert.equal(await n.editMessageText(id, 'edited'), true);
    assert.equal(double.messages.get(id)!.text, '[DRY RUN] edited');
    assert.equal(await n.editMessageText(id, 'edited'), true, '"message is not modified" counts as done');

    const live = make({ dryRun: false });
    const id2 = (await live.sendMessage('live text'))!;
    assert.equal(double.messages.get(id2)!.text, 'live text');
  });

  test('HTTP 429 retry_after is honoured, and the message is delivered once', async () => {
    const n = make({ retryAfterUnitMs: 100 });
    double.rateLimit('sendMessage', 1, 3); // retry after 3 "seconds" = 300 ms here
    const before = double.callsOf('sendMessage').length;
    const id = await n.sendMessage('after the limit');
    assert.ok(id !== null);
    const attempts = double.callsOf('sendMessage').slice(before);
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]!.status, 429);
    assert.equal(attempts[1]!.status, 200);
    const gap = attempts[1]!.at - attempts[0]!.at;
    assert.ok(gap >= 295, `waited ${gap} ms, expected ≥ 300`);
    assert.equal(double.sent.filter((m) => m.plain === 'after the limit').length, 1);
  });

  test('Telegram unreachable for a long stretch: notify never blocks or throws; queued messages arrive in order afterwards', async () => {
    const n = make({ retryDelayMs: 10, maxRetryDelayMs: 50 });
    double.setDown(true);
    const before = double.sent.length;
    // A "trading loop" ticking every 20 ms must keep its schedule throughout.
    let ticks = 0;
    let worstLag = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const t = performance.now();
      worstLag = Math.max(worstLag, t - last - 20);
      last = t;
      ticks++;
    }, 20);
    const t0 = performance.now();
    for (let i = 1; i <= 30; i++) n.notify(escapeHtml(`event ${i} <ok> & fine`));
    const enqueueMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1200)); // the outage
    assert.equal(n.pending, 30, 'all still queued');
    assert.equal(double.sent.length, before, 'nothing got through while down');
    double.setDown(false);
    await double.waitFor(() => double.sent.length >= before + 30, 3000, '30 queued messages');
    clearInterval(ticker);
    const got = double.sent.slice(before).map((m) => m.plain);
    assert.deepEqual(
      got,
      Array.from({ length: 30 }, (_, i) => `event ${i + 1} <ok> & fine`),
    );
    assert.ok(enqueueMs < 100, `30 notify() calls took ${enqueueMs} ms`);
    assert.ok(ticks >= 25, `ticker ran ${ticks} times`);
    assert.ok(worstLag < 400, `ticker lagged ${worstLag} ms`);
    assert.ok(logs.some((l) => l.includes('Telegram sendMessage failed')));
    assert.ok(logs.some((l) => l.includes('Telegram reachable again')));
  });

  test('the outbox is bounded: the oldest are dropped with a log line (one per burst, then a count)', async () => {
    const n = make({ queueLimit: 5 });
    double.setDown(true);
    const before = double.sent.length;
    const logsBefore = logs.length;
    for (let i = 1; i <= 8; i++) n.notify(`queued ${i}`);
    assert.equal(n.pending, 5);
    assert.equal(n.dropped, 3);
    assert.equal(logs.slice(logsBefore).filter((l) => l.includes('outbox full (5): dropped the oldest notification')).length, 1);
    // Let the worker see the outage before Telegram comes back (otherwise the in-flight oldest item may still get through).
    const failures = logs.filter((l) => l.includes('Telegram sendMessage failed')).length;
    await double.waitFor(() => logs.filter((l) => l.includes('Telegram sendMessage failed')).length > failures, 3000, 'a failed attempt');
    double.setDown(false);
    await double.waitFor(() => double.sent.length >= before + 5, 3000, '5 messages');
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      double.sent.slice(before).map((m) => m.plain),
      ['queued 4', 'queued 5', 'queued 6', 'queued 7', 'queued 8'],
    );
    assert.ok(logs.slice(logsBefore).some((l) => l.includes('Telegram outbox: 2 more item(s) dropped in that burst: 2× notification (outbox full (5))')));
  });

  test('a message older than its maxAgeMs is dropped instead of sent late', async () => {
    let now = 1_000_000;
    const n = make({ now: () => now });
    double.setDown(true);
    const p = n.sendMessage('time-limited', { maxAgeMs: 60_000 });
    n.notify('durable');
    now += 61_000;
    double.setDown(false);
    assert.equal(await p, null);
    await double.waitFor(() => double.sent.find((m) => m.plain === 'durable'), 3000, 'durable');
    assert.equal(double.sent.find((m) => m.plain === 'time-limited'), undefined);
  });

  test('if Telegram ever rejects our HTML, the text is resent as plain text', async () => {
    const n = make();
    const id = await n.sendMessage('<b>unclosed & broken');
    assert.ok(id !== null);
    const msg = double.messages.get(id)!;
    assert.equal(msg.parse_mode, undefined);
    assert.equal(msg.text, 'unclosed & broken');
  });

  test('stop() delivers what is queued first (e.g. the shutdown notice)', async () => {
    const n = make();
    double.rateLimit('sendMessage', 1, 1);
    n.notify('bot stopped');
    await n.stop(3000);
    assert.ok(double.sent.some((m) => m.plain === 'bot stopped'));
    n.notify('after stop'); // ignored, no throw
    assert.equal(await n.sendMessage('after stop'), null);
  });

  test('a wrong token is refused without the token reaching the logs', async () => {
    const secret = '999999:WRONG-secret-token-value';
    const n = new TelegramNotifier({ ...testNotifierOptions(double), token: secret });
    notifiers.push(n);
    assert.equal(await n.sendMessage('x'), null);
    assert.ok(logs.some((l) => l.includes('refused (401)')));
    for (const line of logs) assert.ok(!line.includes(secret), line);
  });

  test('long polling: updates are delivered at once, in order, the offset advanced before handling; errors do not stop the loop', async () => {
    const n = make();
    let offset = 0;
    const seen: number[] = [];
    n.startPolling(
      async (u: TelegramUpdate) => {
        seen.push(u.update_id);
        assert.equal(offset, u.update_id + 1, 'offset advanced before the handler runs');
        if (seen.length === 1) throw new Error('handler bug');
      },
      { get: () => offset, set: (v) => (offset = v) },
    );
    await double.waitFor(() => double.heldPolls > 0, 3000, 'held poll');
    const a = double.pushText(CHAT_ID, 'one');
    const b = double.pushText(CHAT_ID, 'two');
    await double.waitFor(() => seen.length >= 2, 3000, 'two updates');
    assert.deepEqual(seen, [a, b]);
    const c = double.pushText(CHAT_ID, 'three');
    await double.waitFor(() => seen.length >= 3, 3000, 'third update');
    assert.deepEqual(seen, [a, b, c]);
    assert.ok(logs.some((l) => l.includes('handler failed: handler bug')));
    // The next poll confirms them with the offset.
    await double.waitFor(() => double.callsOf('getUpdates').some((c2) => c2.params.offset === c + 1), 3000, 'offset sent');
  });

  test('getUpdates survives 429 and an outage', async () => {
    const n = make({ retryAfterUnitMs: 50 });
    let offset = 0;
    const seen: string[] = [];
    double.rateLimit('getUpdates', 1, 2);
    n.startPolling(
      async (u) => {
        seen.push(String(u.message?.text));
      },
      { get: () => offset, set: (v) => (offset = v) },
    );
    await double.waitFor(() => double.heldPolls > 0, 3000, 'held poll after 429');
    double.setDown(true);
    await new Promise((r) => setTimeout(r, 300));
    double.setDown(false);
    double.pushText(CHAT_ID, 'back');
    await double.waitFor(() => seen.includes('back'), 3000, 'update after outage');
  });
});
