// The AI approval workflow against the Telegram double: buttons, approve
// (through the real controls module), skip, expiry, supersede, forged
// callbacks, and a restart with a persisted pending approval and offset.
import assert from 'node:assert/strict';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import type { Recommendation } from '../../../src/frontends/ai/advisor.js';
import { checkCallback, controlRequestFor, isPendingApproval, parseCallbackData, type PendingApproval } from '../../../src/frontends/ai/approvals.js';
import { TelegramNotifier } from '../../../src/frontends/telegram/notifier.js';
import { createControls } from '../../../src/ops/controls.js';
import { createTelegramFrontEnd } from '../../../src/frontends/telegram/frontend.js';
import { TelegramDouble } from '../../support/telegram-double.js';
import { CHAT_ID, OTHER_CHAT_ID, FakeClock, fakeTarget, readCsv, sampleStatus, startHarness, tmpDir, type Harness } from '../../support/telegram-fixtures.js';

const harnesses: Harness[] = [];
const doubles: TelegramDouble[] = [];

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const calls = opts.double?.calls.length ?? 0;
  const h = await startHarness(opts);
  harnesses.push(h);
  if (!opts.double) doubles.push(h.double);
  // Wait until THIS front end's long poll is held (a stopped predecessor's may still be).
  await h.double.waitFor(() => h.double.calls.slice(calls).some((c) => c.method === 'getUpdates') && h.double.heldPolls > 0, 3000, 'long poll running');
  return h;
}

afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
  for (const d of doubles.splice(0)) await d.close();
});

function rec(action: Recommendation['action'], reason = 'volatility rising', condition: Recommendation['condition'] = 'volatile'): Recommendation {
  return { condition, action, reason, price: 0.123456, time: Date.now() };
}

/** Sends the recommendation and returns the pending approval it created. */
async function recommend(h: Harness, r: Recommendation): Promise<PendingApproval> {
  await h.fe.recommend(r);
  assert.ok(h.state.pending, 'a pending approval exists');
  return h.state.pending!;
}

/** Presses a button and waits until the callback has been answered. */
async function press(h: Harness, chat: string, messageId: number, data: string): Promise<{ answer: string | undefined }> {
  const id = h.double.pushCallback(chat, messageId, data);
  const a = await h.double.waitFor(() => h.double.answers.find((x) => x.callback_query_id === id), 3000, `answer to ${data}`);
  return { answer: a.text };
}

function csvRows(h: Harness): string[][] {
  return readCsv(path.join(h.logDir, 'ai_recommendations.csv'));
}

describe('approval data and rules', () => {
  const pending: PendingApproval = { action: 'widen_spacing', condition: 'volatile', reason: 'r', price: 0.1, messageId: 7, createdAt: 0, expiresAt: 600_000 };
  test('callback data', () => {
    assert.deepEqual(parseCallbackData('approve:widen_spacing'), { decision: 'approve', action: 'widen_spacing' });
    assert.deepEqual(parseCallbackData('skip:pause'), { decision: 'skip', action: 'pause' });
    assert.equal(parseCallbackData('approve:'), null);
    assert.equal(parseCallbackData('sell:all'), null);
    assert.equal(parseCallbackData(42), null);
  });
  test('checkCallback accepts only the authorized chat, the pending message and the pending whitelisted action', () => {
    const ok = { chatId: CHAT_ID, authorizedChatId: CHAT_ID, messageId: 7, data: 'approve:widen_spacing' };
    assert.equal(checkCallback(pending, ok).ok, true);
    assert.equal(checkCallback(pending, { ...ok, chatId: OTHER_CHAT_ID }).ok, false);
    assert.equal(checkCallback(pending, { ...ok, messageId: 8 }).ok, false);
    assert.equal(checkCallback(pending, { ...ok, data: 'approve:pause' }).ok, false);
    assert.equal(checkCallback(pending, { ...ok, data: 'approve:continue' }).ok, false);
    assert.equal(checkCallback(pending, { ...ok, data: 'approve:withdraw_all' }).ok, false);
    assert.equal(checkCallback(null, ok).ok, false);
  });
  test('what approving executes', () => {
    assert.deepEqual(controlRequestFor('widen_spacing', 1.0, 0.6), { kind: 'spacing', pct: 1.25 });
    assert.deepEqual(controlRequestFor('tighten_spacing', 1.0, 0.6), { kind: 'spacing', pct: 0.75 });
    assert.deepEqual(controlRequestFor('tighten_spacing', 0.7, 0.6), { kind: 'spacing', pct: 0.6 }, 'never below the minimum');
    assert.deepEqual(controlRequestFor('pause', 1, 0.6), { kind: 'pause' });
    assert.deepEqual(controlRequestFor('reset_grid', 1, 0.6), { kind: 'reset' });
  });
  test('a persisted pending approval round-trips through JSON and is validated', () => {
    assert.equal(isPendingApproval(JSON.parse(JSON.stringify(pending))), true);
    assert.equal(isPendingApproval({ ...pending, action: 'continue' }), false);
    assert.equal(isPendingApproval({ ...pending, messageId: 'x' }), false);
    assert.equal(isPendingApproval(null), false);
  });
});

describe('approval workflow against the Telegram double', () => {
  test('a recommendation is sent with Approve / Skip buttons and becomes the pending approval', async () => {
    const h = await harness();
    const p = await recommend(h, rec('widen_spacing'));
    const msg = h.double.messages.get(p.messageId)!;
    assert.deepEqual(msg.reply_markup, {
      inline_keyboard: [
        [
          { text: '✅ Approve', callback_data: 'approve:widen_spacing' },
          { text: '⏭ Skip', callback_data: 'skip:widen_spacing' },
        ],
      ],
    });
    assert.match(msg.plain, /AI recommendation: Widen spacing\nMarket: volatile · price \$0\.123456\nEffect: spacing 1\.00% → 1\.25%, grid rebuilt\nReason: volatility rising/);
    assert.equal(p.expiresAt - p.createdAt, 10 * 60_000);
    assert.equal(p.createdAt, h.clock.now());
  });

  test('continue sends nothing', async () => {
    const h = await harness();
    const before = h.double.sent.length;
    await h.fe.recommend(rec('continue'));
    assert.equal(h.double.sent.length, before);
    assert.equal(h.state.pending, null);
  });

  test('approve widen → controls set spacing current + 0.25, message edited, buttons gone, decision logged', async () => {
    const h = await harness();
    const p = await recommend(h, rec('widen_spacing'));
    const { answer } = await press(h, CHAT_ID, p.messageId, 'approve:widen_spacing');
    assert.equal(answer, 'Approved, applying…');
    const edit = await h.double.waitFor(() => h.double.edits.find((e) => e.message_id === p.messageId), 3000, 'edit');
    assert.deepEqual(h.target.calls, [{ op: 'setSpacing', arg: 1.25 }]);
    assert.equal(h.target.spacing, 1.25);
    assert.match(edit.plain, /✅ Approved: spacing set to 1\.25%, grid rebuilt/);
    assert.equal(edit.reply_markup, undefined, 'buttons removed');
    assert.equal(h.state.pending, null);
    assert.deepEqual(csvRows(h), [
      ['timestamp', 'market_condition', 'recommendation', 'current_price', 'was_followed', 'reason', 'outcome', 'decided_at'],
      [new Date(p.createdAt).toISOString(), 'volatile', 'widen_spacing', '0.123456', 'approved', 'volatility rising', 'applied: spacing set to 1.25%, grid rebuilt', new Date(h.clock.now()).toISOString()],
    ]);
    // A second press of the same button changes nothing.
    const again = await press(h, CHAT_ID, p.messageId, 'approve:widen_spacing');
    assert.match(again.answer!, /expired or is not allowed/);
    assert.equal(h.target.calls.length, 1);
  });

  test('approve pause / reset_grid / tighten execute through the controls', async () => {
    const h = await harness();
    let p = await recommend(h, rec('pause'));
    await press(h, CHAT_ID, p.messageId, 'approve:pause');
    p = await recommend(h, rec('reset_grid', 'price left the grid', 'trending_up'));
    await press(h, CHAT_ID, p.messageId, 'approve:reset_grid');
    p = await recommend(h, rec('tighten_spacing', 'quiet market', 'low_volume'));
    await press(h, CHAT_ID, p.messageId, 'approve:tighten_spacing');
    await h.double.waitFor(() => h.target.calls.length === 3, 3000, 'three actions');
    assert.deepEqual(h.target.calls, [
      { op: 'pause', arg: 'ai' },
      { op: 'resetGrid', arg: 'ai' },
      { op: 'setSpacing', arg: 0.75 },
    ]);
  });

  test('skip → nothing executed, message edited, decision logged', async () => {
    const h = await harness();
    const p = await recommend(h, rec('pause'));
    const { answer } = await press(h, CHAT_ID, p.messageId, 'skip:pause');
    assert.equal(answer, 'Skipped.');
    const edit = await h.double.waitFor(() => h.double.edits.find((e) => e.message_id === p.messageId), 3000, 'edit');
    assert.match(edit.plain, /⏭ Skipped — nothing changed\./);
    assert.deepEqual(h.target.calls, []);
    assert.equal(h.state.pending, null);
    assert.equal(csvRows(h)[1]![4], 'skipped');
  });

  test('expiry after 10 minutes edits the message (no real waiting: injected clock)', async () => {
    const h = await harness();
    const p = await recommend(h, rec('reset_grid'));
    h.clock.advance(10 * 60_000 - 1);
    await h.fe.checkExpiry();
    assert.ok(h.state.pending, 'still pending one ms before expiry');
    h.clock.advance(1);
    await h.fe.checkExpiry();
    assert.equal(h.state.pending, null);
    const edit = await h.double.waitFor(() => h.double.edits.find((e) => e.message_id === p.messageId), 3000, 'expiry edit');
    assert.match(edit.plain, /⌛ Expired — not applied\./);
    assert.equal(edit.reply_markup, undefined);
    assert.equal(csvRows(h)[1]![4], 'expired');
    // The old button no longer does anything.
    const { answer } = await press(h, CHAT_ID, p.messageId, 'approve:reset_grid');
    assert.match(answer!, /expired or is not allowed/);
    assert.deepEqual(h.target.calls, []);
  });

  test('a press after the deadline but before the next tick counts as expired', async () => {
    const h = await harness();
    const p = await recommend(h, rec('pause'));
    h.clock.advance(11 * 60_000);
    const { answer } = await press(h, CHAT_ID, p.messageId, 'approve:pause');
    assert.equal(answer, 'This recommendation has expired.');
    assert.deepEqual(h.target.calls, []);
    assert.equal(h.state.pending, null);
  });

  test('a new recommendation supersedes the old one', async () => {
    const h = await harness();
    const first = await recommend(h, rec('pause'));
    const second = await recommend(h, rec('widen_spacing'));
    assert.notEqual(first.messageId, second.messageId);
    assert.equal(h.state.pending!.messageId, second.messageId);
    const edit = await h.double.waitFor(() => h.double.edits.find((e) => e.message_id === first.messageId), 3000, 'superseded edit');
    assert.match(edit.plain, /Expired — superseded by a newer recommendation/);
    const old = await press(h, CHAT_ID, first.messageId, 'approve:pause');
    assert.match(old.answer!, /expired or is not allowed/);
    assert.deepEqual(h.target.calls, []);
    await press(h, CHAT_ID, second.messageId, 'approve:widen_spacing');
    await h.double.waitFor(() => h.target.calls.length === 1, 3000, 'second approved');
    assert.deepEqual(h.target.calls, [{ op: 'setSpacing', arg: 1.25 }]);
    assert.deepEqual(
      csvRows(h).slice(1).map((r) => [r[2], r[4]]),
      [
        ['pause', 'superseded'],
        ['widen_spacing', 'approved'],
      ],
    );
    assert.deepEqual(h.decisions, ['pause:superseded', 'widen_spacing:approved']);
  });

  test('forged callbacks are rejected and change nothing', async () => {
    const h = await harness();
    const p = await recommend(h, rec('widen_spacing'));
    const forged: Array<[string, number, string]> = [
      [CHAT_ID, p.messageId + 100, 'approve:widen_spacing'], // other message id
      [CHAT_ID, p.messageId, 'approve:withdraw_all'], // unknown action
      [CHAT_ID, p.messageId, 'approve:pause'], // whitelisted, but not the pending one
      [CHAT_ID, p.messageId, 'approve:continue'],
      [CHAT_ID, p.messageId, 'approve:widen_spacing;pause'],
      [CHAT_ID, p.messageId, ''],
      [OTHER_CHAT_ID, p.messageId, 'approve:widen_spacing'], // other chat
    ];
    for (const [chat, id, data] of forged) {
      const { answer } = await press(h, chat, id, data);
      assert.equal(answer, 'This recommendation has expired or is not allowed.', `${chat} ${id} ${data}`);
    }
    assert.deepEqual(h.target.calls, []);
    assert.deepEqual(h.state.pending, p, 'the real approval is still pending');
    assert.equal(h.double.edits.length, 0);
    assert.deepEqual(csvRows(h), []);
    // …and the genuine press still works.
    await press(h, CHAT_ID, p.messageId, 'approve:widen_spacing');
    await h.double.waitFor(() => h.target.calls.length === 1, 3000, 'approved');
  });

  test('a reason full of <, > and & is delivered escaped and readable', async () => {
    const h = await harness();
    const reason = 'spread <0.1% & volume > 2x avg; <b>not</b> a tag & "quotes"';
    const p = await recommend(h, rec('tighten_spacing', reason, 'low_volume'));
    const msg = h.double.messages.get(p.messageId)!;
    assert.ok(msg.plain.includes(`Reason: ${reason}`), msg.plain);
    assert.ok(msg.text.includes('spread &lt;0.1% &amp; volume &gt; 2x avg; &lt;b&gt;not&lt;/b&gt;'), msg.text);
    assert.equal(msg.parse_mode, 'HTML');
    await press(h, CHAT_ID, p.messageId, 'skip:tighten_spacing');
    const edit = await h.double.waitFor(() => h.double.edits[0], 3000, 'edit');
    assert.ok(edit.plain.includes(reason));
  });

  test('restart: a new front end with the persisted pending approval and offset keeps the approval; no update is handled twice', async () => {
    const double = await TelegramDouble.start();
    doubles.push(double);
    const target = fakeTarget();
    const clock = new FakeClock();
    const logDir = tmpDir();
    const state = { pending: null as PendingApproval | null, offset: 0 };

    // First life: a /pause is handled, a recommendation is pending.
    const h1 = await harness({ double, target, clock, logDir, state });
    const sent = double.sent.length;
    double.pushText(CHAT_ID, '/pause');
    await double.waitFor(() => double.sent.length > sent, 3000, 'reply to /pause');
    const p = await recommend(h1, rec('widen_spacing'));
    await h1.stop();
    harnesses.splice(harnesses.indexOf(h1), 1);
    const persisted = JSON.parse(JSON.stringify(state)); // what the state file holds

    // Second life, from the persisted state. The double replays every update it ever had
    // (as if Telegram had not seen the offset confirmed): the front end must still skip them.
    double.replayAllOnce = true;
    const state2 = { pending: persisted.pending as PendingApproval | null, offset: persisted.offset as number };
    const h2 = await harness({ double, target, clock, logDir, state: state2 });
    assert.deepEqual(state2.pending, p, 'the pending approval survived');
    await press(h2, CHAT_ID, p.messageId, 'approve:widen_spacing');
    await double.waitFor(() => target.calls.length === 2, 3000, 'approval after restart');
    await new Promise((r) => setTimeout(r, 100)); // give a replayed /pause every chance to run again
    assert.deepEqual(target.calls, [
      { op: 'pause', arg: 'telegram' },
      { op: 'setSpacing', arg: 1.25 },
    ]);
    assert.equal(double.sent.filter((m) => /paused; open buys cancelled/.test(m.plain)).length, 1);
    assert.equal(state2.pending, null);
  });

  test('restart with an expired pending approval: the first tick expires it and edits the message', async () => {
    const double = await TelegramDouble.start();
    doubles.push(double);
    const clock = new FakeClock();
    const h1 = await harness({ double, clock });
    const p = await recommend(h1, rec('pause'));
    await h1.stop();
    harnesses.splice(harnesses.indexOf(h1), 1);
    clock.advance(30 * 60_000); // down for half an hour
    const h2 = await harness({ double, clock, state: { pending: p, offset: h1.state.offset } });
    await h2.fe.checkExpiry();
    assert.equal(h2.state.pending, null);
    const edit = await double.waitFor(() => double.edits.find((e) => e.message_id === p.messageId), 3000, 'expiry edit');
    assert.match(edit.plain, /Expired/);
  });

  test('Telegram down when a recommendation is made: no pending approval, logged as undelivered, nothing thrown', async () => {
    const h = await harness();
    h.double.setDown(true);
    const done = h.fe.recommend(rec('pause'));
    // The tick is not blocked: expiry checks return at once while the send is retried.
    const t0 = performance.now();
    await h.fe.checkExpiry();
    assert.ok(performance.now() - t0 < 100);
    h.clock.advance(10 * 60_000 + 1); // the send's deadline passes
    await done;
    assert.equal(h.state.pending, null);
    assert.equal(csvRows(h)[1]![4], 'undelivered');
    h.double.setDown(false);
  });

  test('without Telegram, a recommendation is logged as undelivered', async () => {
    const logDir = tmpDir();
    const state = { pending: null as PendingApproval | null, offset: 0 };
    const fe = createTelegramFrontEnd({
      notifier: new TelegramNotifier({ apiUrl: 'http://127.0.0.1:9', token: '', chatId: '', dryRun: true }),
      controls: createControls(fakeTarget()),
      logDir,
      status: () => sampleStatus(),
      getPending: () => state.pending,
      setPending: (p) => (state.pending = p),
      getOffset: () => state.offset,
      setOffset: (n) => (state.offset = n),
    });
    assert.equal(fe.enabled, false);
    await fe.start();
    fe.notify('nothing');
    await fe.recommend(rec('pause'));
    await fe.checkExpiry();
    await fe.stop();
    assert.equal(state.pending, null);
    assert.equal(readCsv(path.join(logDir, 'ai_recommendations.csv'))[1]![4], 'undelivered');
  });
});
