// Notification levels (on / silent / off per kind), /notify, and the reply
// keyboard, against the Telegram double (which enforces Telegram's HTML and
// reply_markup rules): the real notifier, front end and controls module.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { Recommendation } from '../../../src/frontends/ai/advisor.js';
import { COMMANDS } from '../../../src/frontends/telegram/commands.js';
import { replyKeyboard } from '../../../src/frontends/telegram/keyboard.js';
import { fillMessage, traderEventKind, traderEventNotice } from '../../../src/frontends/telegram/messages.js';
import { memoryNotifyTarget, NOTIFY_KINDS, NOTIFY_LEVELS, type NotifyKind } from '../../../src/ops/notify-levels.js';
import { CHAT_ID, readCsv, startHarness, type Harness } from '../../support/telegram-fixtures.js';
import type { StoredMessage } from '../../support/telegram-double.js';

/** The trader's event type, as the messages module takes it. */
type TraderEvent = Parameters<typeof traderEventKind>[0];

let h: Harness;
let notify: ReturnType<typeof memoryNotifyTarget>;

before(async () => {
  notify = memoryNotifyTarget();
  h = await startHarness({ notify });
  await h.double.waitFor(() => h.double.callsOf('getUpdates').length > 0, 3000, 'first getUpdates');
});

after(async () => {
  await h.stop();
  await h.double.close();
});

afterEach(() => {
  notify.saved = {};
});

/** Sends `text` from the chat and resolves with the next message the bot sends. */
async function ask(text: string): Promise<StoredMessage> {
  const before = h.double.sent.length;
  h.double.pushText(CHAT_ID, text);
  return h.double.waitFor(() => h.double.sent[before], 3000, `reply to ${text}`);
}

let markers = 0;
/** Everything sent up to now has arrived: a kind-less notice (always sent) went out after it, in order. */
async function drain(): Promise<StoredMessage[]> {
  const before = h.double.sent.length;
  const marker = `marker ${++markers}`;
  h.fe.notify(marker);
  await h.double.waitFor(() => h.double.sent.find((m) => m.plain === marker), 3000, marker);
  return h.double.sent.slice(before);
}

describe('notification levels against the Telegram double', () => {
  for (const kind of NOTIFY_KINDS) {
    test(`${kind}: on rings, silent sends disable_notification, off sends nothing`, async () => {
      for (const level of NOTIFY_LEVELS) {
        const out = await h.controls.apply({ kind: 'notify', what: kind, level }, 'telegram');
        assert.equal(out.ok, true, out.message);
        assert.equal(h.controls.notifyLevels()[kind], level);
        const before = h.double.sent.length;
        const probe = `probe ${kind} ${level}`;
        h.fe.notify(probe, kind);
        await drain();
        const got = h.double.sent.slice(before).filter((m) => m.plain === probe);
        if (level === 'off') assert.equal(got.length, 0, `${kind} off: nothing sent`);
        else {
          assert.equal(got.length, 1, `${kind} ${level}: sent once`);
          assert.equal(got[0]!.disable_notification, level === 'silent', `${kind} ${level}: disable_notification`);
        }
      }
    });
  }

  test('notices without a kind (start-up, shutdown, answers) are sent with sound even when every kind is off', async () => {
    for (const kind of NOTIFY_KINDS) await h.controls.apply({ kind: 'notify', what: kind, level: 'off' }, 'telegram');
    const sent = await drain();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.disable_notification, false);
  });

  test('the ai level applies to recommendations: silent → no sound, off → not sent and recorded undelivered; /check answers always', async () => {
    const rec = (action: Recommendation['action'], reason: string): Recommendation => ({ condition: 'volatile', action, reason, price: 0.1, time: h.clock.now() });
    await h.controls.apply({ kind: 'notify', what: 'ai', level: 'silent' }, 'telegram');
    await h.fe.recommend(rec('widen_spacing', 'silent one'));
    const silent = h.double.sent.find((m) => /silent one/.test(m.plain))!;
    assert.ok(silent.reply_markup.inline_keyboard, 'with its buttons');
    assert.equal(silent.disable_notification, true);

    await h.controls.apply({ kind: 'notify', what: 'ai', level: 'off' }, 'telegram');
    await h.fe.recommend(rec('pause', 'muted one'));
    await h.fe.recommend(rec('reset_grid', 'asked one'), true);
    await drain();
    assert.equal(h.double.sent.filter((m) => /muted one/.test(m.plain)).length, 0);
    const asked = h.double.sent.find((m) => /asked one/.test(m.plain))!;
    assert.equal(asked.disable_notification, false, 'the answer to /check rings');
    const rows = readCsv(path.join(h.logDir, 'ai_recommendations.csv'));
    const muted = rows.find((r) => r[5] === 'muted one')!;
    assert.equal(muted[4], 'undelivered');
    assert.match(muted[6]!, /AI notifications are off \(\/notify ai on\)/);
  });
});

describe('/notify', () => {
  test('without arguments: every kind with its level, readable on a phone', async () => {
    await h.controls.apply({ kind: 'notify', what: 'fills', level: 'silent' }, 'telegram');
    const msg = await ask('/notify');
    const lines = msg.plain.split('\n');
    assert.equal(lines[0], 'Notifications');
    for (const k of NOTIFY_KINDS) assert.ok(lines.some((l) => l.includes(` ${k} `)), `${k} listed`);
    assert.ok(lines.includes('🔕 fills silent — a fill that opens a position'));
    assert.ok(lines.includes('🔔 round_trips on — a completed round trip, the accumulation sweep'));
    assert.ok(lines.includes('Change one: /notify fills silent'));
    assert.ok(lines.includes('Levels: on | silent | off. Start-up, shutdown and replies always arrive.'));
    assert.ok(lines.slice(0, 7).every((l) => l.length <= 80), 'one short line per kind');
    assert.equal(msg.disable_notification, false);
  });

  test('/notify <kind> <level> changes one kind through the controls; aliases and case are accepted', async () => {
    let msg = await ask('/notify fills silent');
    assert.equal(msg.plain, '✅ fills notifications silent: sent silently (no sound) (saved)');
    assert.deepEqual(notify.saved, { fills: 'silent' });
    msg = await ask('/notify Round-Trips OFF');
    assert.equal(msg.plain, '✅ round_trips notifications off: not sent (saved)');
    msg = await ask('/notify daily on');
    assert.match(msg.plain, /^✅ daily_summary notifications on/);
    assert.deepEqual(notify.saved, { fills: 'silent', round_trips: 'off', daily_summary: 'on' });
  });

  test('switching warnings off says what is lost', async () => {
    const msg = await ask('/notify warnings off');
    assert.match(msg.plain, /^✅ warnings notifications off: not sent \(saved\)\. Warnings are off: you will NOT be told when trading is paused or stopped/);
    assert.match(msg.plain, /\/notify warnings on brings them back/);
    const table = await ask('/notify');
    assert.match(table.plain, /⚠️ Warnings are off/);
  });

  test('a bad kind or level: a clear reply listing the valid ones, nothing changed', async () => {
    let msg = await ask('/notify sound on');
    assert.equal(
      msg.plain,
      '❌ unknown notification kind "sound"; kinds: fills, round_trips, rebuilds, daily_summary, warnings, ai\nUsage: /notify [kind on|silent|off]\nKinds: fills, round_trips, rebuilds, daily_summary, warnings, ai. Levels: on, silent, off.',
    );
    msg = await ask('/notify fills loud');
    assert.match(msg.plain, /^❌ unknown level "loud"; levels: on, silent, off\nUsage: /);
    msg = await ask('/notify fills <b>&');
    assert.match(msg.plain, /unknown level "<b>&"/, 'escaped, and the double accepted the HTML');
    assert.deepEqual(notify.saved, {});
  });

  test('missing or extra arguments: the usage line with the valid kinds and levels', async () => {
    for (const text of ['/notify fills', '/notify fills off now']) {
      const msg = await ask(text);
      assert.equal(msg.plain, '❌ give a kind and a level\nUsage: /notify [kind on|silent|off]\nKinds: fills, round_trips, rebuilds, daily_summary, warnings, ai. Levels: on, silent, off.');
    }
    assert.deepEqual(notify.saved, {});
  });

  test('without notification settings wired, a change is refused (reading shows the defaults)', async () => {
    const bare = await startHarness({ double: h.double });
    try {
      const out = await bare.controls.apply({ kind: 'notify', what: 'fills', level: 'on' }, 'telegram');
      assert.deepEqual(out, { ok: false, message: 'notification settings are not available here' });
      assert.equal(bare.controls.notifyLevels().fills, 'off');
    } finally {
      await bare.stop();
    }
  });
});

describe('the reply keyboard', () => {
  test('/start and /help bring the common commands as buttons (resized, persistent); other replies do not', async () => {
    for (const text of ['/start', '/help']) {
      const msg = await ask(text);
      const kb = msg.reply_markup;
      assert.equal(kb.resize_keyboard, true);
      assert.equal(kb.is_persistent, true);
      const buttons: string[] = kb.keyboard.flat().map((b: { text: string }) => b.text);
      for (const b of ['/status', '/stats', '/ratio', '/notify', '/help']) assert.ok(buttons.includes(b), `${b} on the keyboard`);
      for (const b of ['/pause', '/resume', '/reset', '/spacing', '/check', '/interval']) assert.ok(!buttons.includes(b), `${b} stays typed`);
      assert.ok(kb.keyboard.every((row: unknown[]) => row.length <= 3), 'at most three buttons a row');
    }
    const status = await ask('/status');
    assert.equal(status.reply_markup, undefined);
  });

  test('built from the command table: commands missing from it are left out', () => {
    const kb = replyKeyboard(COMMANDS.filter((c) => c.name !== 'stats'));
    assert.ok(!kb.keyboard.flat().some((b) => b.text === '/stats'));
    assert.deepEqual(replyKeyboard([]).keyboard, []);
  });
});

describe('which kind each trading event is', () => {
  const fill = { time: 0, side: 'buy' as const, price: 0.0985, volume: 35.53, fee: 0.0087, level: -1, profit: null, orderId: 'o1' };
  const events: [TraderEvent, NotifyKind][] = [
    [{ type: 'fill', fill }, 'fills'],
    [{ type: 'round_trip', fill: { ...fill, side: 'sell', profit: 0.0132 } }, 'round_trips'],
    [{ type: 'accumulation', usd: 5, volume: 50, price: 0.1 }, 'round_trips'],
    [{ type: 'grid_built', reason: 'startup', center: 0.1, buys: 5, sells: 5, spacingPct: 1, orderSizeUsd: 3.5 }, 'rebuilds'],
    [{ type: 'grid_built', reason: 'drift reset', center: 0.1, buys: 5, sells: 5, spacingPct: 1, orderSizeUsd: 3.5 }, 'rebuilds'],
    [{ type: 'daily_summary', row: { date: '2025-01-01', tradesCount: 3, grossProfit: 0.1, feesPaid: 0.02, netProfit: 0.08, dogeAccumulated: 0 } }, 'daily_summary'],
    [{ type: 'risk', action: 'pause', reason: 'daily loss limit' }, 'warnings'],
    [{ type: 'pair_status', status: 'cancel_only', trading: false, message: 'halted' }, 'warnings'],
    [{ type: 'warning', message: 'w' }, 'warnings'],
    [{ type: 'error', message: 'e' }, 'warnings'],
  ];
  test('every event type maps to its kind and has a text', () => {
    for (const [e, kind] of events) {
      assert.equal(traderEventKind(e), kind, e.type);
      assert.equal(traderEventNotice(e)?.kind, kind, e.type);
      assert.ok(traderEventNotice(e)!.text.length > 0);
    }
  });
  test('a single fill reads as one short line', () => {
    assert.equal(fillMessage(fill), '🟢 Bought 35.53 DOGE at $0.098500 · fee $0.0087 · level −1');
    assert.equal(fillMessage({ ...fill, side: 'sell', level: 2 }), '🔴 Sold 35.53 DOGE at $0.098500 · fee $0.0087 · level +2');
  });
});
