// Every Telegram command end to end: the command is queued in the Telegram
// double, picked up by the real long-poll loop, executed through the real
// controls module (with a recording ControlTarget), and the reply read back
// from the double as the user would see it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCommand, isForUs } from '../../../src/frontends/telegram/commands.js';
import { CHAT_ID, OTHER_CHAT_ID, startHarness, type Harness } from '../../support/telegram-fixtures.js';

let h: Harness;

before(async () => {
  h = await startHarness();
  // start() fires setMyCommands and getMe in the background; wait for the first long poll.
  await h.double.waitFor(() => h.double.callsOf('getUpdates').length > 0, 3000, 'first getUpdates');
});

after(async () => {
  await h.stop();
  await h.double.close();
});

/** Sends `text` from `chat` and resolves with the plain text of the next message the bot sends. */
async function ask(text: string, chat: string = CHAT_ID): Promise<string> {
  const before = h.double.sent.length;
  h.double.pushText(chat, text);
  const msg = await h.double.waitFor(() => h.double.sent[before], 3000, `reply to ${text}`);
  return msg.plain;
}

function callsSince(n: number) {
  return h.target.calls.slice(n);
}

describe('command parsing', () => {
  test('name, args and @botname suffix', () => {
    assert.deepEqual(parseCommand('/spacing 1.5'), { name: 'spacing', args: ['1.5'], target: null });
    assert.deepEqual(parseCommand('/STATUS@GridTestBot'), { name: 'status', args: [], target: 'GridTestBot' });
    assert.deepEqual(parseCommand('  /ratio@GridTestBot   auto  '), { name: 'ratio', args: ['auto'], target: 'GridTestBot' });
    assert.equal(parseCommand('hello'), null);
    assert.equal(parseCommand('/'), null);
    assert.equal(parseCommand(undefined), null);
    const cmd = parseCommand('/status@OtherBot')!;
    assert.equal(isForUs(cmd, 'GridTestBot'), false);
    assert.equal(isForUs(cmd, null), true);
  });
});

describe('commands against the Telegram double', () => {
  test('the command menu is registered at start-up', async () => {
    const menu = await h.double.waitFor(() => h.double.commandMenus[0], 3000, 'setMyCommands');
    const names = menu.map((c: { command: string }) => c.command);
    for (const n of ['status', 'stats', 'spacing', 'ratio', 'interval', 'check', 'pause', 'resume', 'reset', 'help']) assert.ok(names.includes(n), n);
  });

  test('/status', async () => {
    const reply = await ask('/status');
    assert.match(reply, /Status — dry run, ▶️ running/);
    assert.match(reply, /Price \$0\.123456 · center \$0\.120000 \(drift \+2\.88%\)/);
    assert.match(reply, /Round trips 3 today \/ 27 total/);
    assert.match(reply, /spacing 1\.00% \(min 0\.60%\)/);
    const last = h.double.sent[h.double.sent.length - 1]!;
    assert.equal(last.parse_mode, 'HTML');
    assert.equal(last.chat_id, CHAT_ID);
  });

  test('/status@GridTestBot is answered; /status@OtherBot is for another bot and ignored', async () => {
    assert.match(await ask('/status@GridTestBot'), /Status — dry run/);
    const before = h.double.sent.length;
    h.double.pushText(CHAT_ID, '/status@OtherBot');
    assert.match(await ask('/help'), /Commands/); // handled after the ignored one
    assert.equal(h.double.sent.length, before + 1);
  });

  test('/help and /start', async () => {
    const help = await ask('/help');
    assert.match(help, /\/spacing <pct> — Set grid spacing/);
    assert.match(help, /\/ratio \[0\.25\.\.0\.75 \| auto\]/);
    assert.match(await ask('/start'), /Commands/);
  });

  test('/stats shows the analyzers, escaped', async () => {
    const reply = await ask('/stats');
    assert.match(reply, /Health: favorable — mean reverting <grid> & profitable/);
    assert.match(reply, /Equity trend: significant — mean \+\$0\.012, p=0\.01/);
  });

  test('/interval', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/interval 600'), /✅ AI check every 600 s/);
    assert.deepEqual(callsSince(n), [{ op: 'setAiInterval', arg: 600 }]);
    assert.match(await ask('/interval'), /Usage: \/interval <60\.\.86400>\nAI check every 600 s now/);
    assert.match(await ask('/interval 59'), /❌ interval must be between 60 and 86400 seconds/);
    assert.match(await ask('/interval 86401'), /❌ interval must be between 60 and 86400/);
    assert.match(await ask('/interval 90.5'), /❌ interval must be a whole number/);
    assert.match(await ask('/interval soon'), /Usage: \/interval/);
    assert.match(await ask('/interval 60 120'), /Usage: \/interval/);
    assert.deepEqual(callsSince(n), [{ op: 'setAiInterval', arg: 600 }], 'bad arguments change nothing');
  });

  test('/check', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/check'), /✅ AI check will run on the next cycle/);
    assert.match(await ask('/check now'), /takes no arguments/);
    assert.deepEqual(callsSince(n), [{ op: 'requestAiCheck' }]);
  });

  test('/spacing', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/spacing 1.5'), /✅ spacing set to 1\.5%/);
    assert.match(await ask('/spacing 1.25%'), /✅ spacing set to 1\.25%/);
    assert.match(await ask('/spacing'), /Usage: \/spacing <pct>\nNow 1\.25%; minimum 0\.60%/);
    assert.match(await ask('/spacing 0.5'), /❌ spacing must be at least 0\.6%/);
    assert.match(await ask('/spacing 25'), /❌ spacing must be at most 20%/);
    assert.match(await ask('/spacing wide'), /❌ spacing must be a number/);
    assert.match(await ask('/spacing 1 2'), /Usage: \/spacing <pct>/);
    assert.deepEqual(callsSince(n), [
      { op: 'setSpacing', arg: 1.5 },
      { op: 'setSpacing', arg: 1.25 },
    ]);
  });

  test('/ratio show, set, auto, bad', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/ratio'), /Trend ratio 0\.55 \(auto\)\nGrid 9 buys \/ 11 sells/);
    assert.match(await ask('/ratio 0.6'), /✅ trend ratio fixed at 0\.6/);
    assert.match(await ask('/ratio'), /Trend ratio 0\.60 \(manual override\)/);
    assert.match(await ask('/ratio AUTO'), /✅ trend ratio back to auto/);
    assert.match(await ask('/ratio 0.9'), /❌ ratio must be between 0\.25 and 0\.75/);
    assert.match(await ask('/ratio half'), /❌ ratio must be a number/);
    assert.match(await ask('/ratio 0.5 0.6'), /Usage: \/ratio/);
    assert.deepEqual(callsSince(n), [
      { op: 'setRatioOverride', arg: 0.6 },
      { op: 'setRatioOverride', arg: null },
    ]);
  });

  test('/pause and /resume', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/pause'), /✅ paused; open buys cancelled/);
    assert.match(await ask('/status'), /PAUSED \(operator\)/);
    assert.match(await ask('/resume'), /✅ resumed/);
    assert.match(await ask('/pause for 10 minutes'), /takes no arguments/);
    assert.deepEqual(callsSince(n), [{ op: 'pause', arg: 'telegram' }, { op: 'resume' }]);
  });

  test('/reset rebuilds the grid through the controls; arguments are refused', async () => {
    const n = h.target.calls.length;
    assert.match(await ask('/reset'), /✅ grid rebuilt around the current price/);
    assert.match(await ask('/reset now'), /❌ \/reset takes no arguments\nUsage: \/reset/);
    assert.match(await ask('/reset@GridTestBot'), /✅ grid rebuilt/);
    assert.deepEqual(callsSince(n), [
      { op: 'resetGrid', arg: 'telegram' },
      { op: 'resetGrid', arg: 'telegram' },
    ]);
    assert.match(await ask('/help'), /\/reset — Rebuild the grid around the current price/);
  });

  test('/reset from an unauthorized chat changes nothing and gets no reply', async () => {
    const n = h.target.calls.length;
    const sentBefore = h.double.sent.length;
    h.double.pushText(OTHER_CHAT_ID, '/reset');
    assert.match(await ask('/help'), /Commands/); // handled after the intruder's /reset
    assert.equal(h.double.sent.length, sentBefore + 1);
    assert.deepEqual(callsSince(n), []);
  });

  test('a stale /reset is refused, not executed', async () => {
    const n = h.target.calls.length;
    const before = h.double.sent.length;
    h.double.pushText(CHAT_ID, '/reset', Date.now() - 2 * 3600_000 - 30_000);
    const msg = await h.double.waitFor(() => h.double.sent[before], 3000, 'stale reply');
    assert.match(msg.plain, /Ignored \/reset sent 2h 0m ago/);
    assert.deepEqual(callsSince(n), []);
  });

  test('unknown commands and plain text in a private chat get a hint (issue 17 item 11)', async () => {
    assert.match(await ask('/withdraw everything'), /Unknown command \/withdraw\. Send \/help/);
    assert.match(await ask('hello bot'), /I only understand commands\. Send \/help/);
  });

  test('an unauthorized chat is ignored (no reply, controls untouched) and logged once per chat', async () => {
    const n = h.target.calls.length;
    const sentBefore = h.double.sent.length;
    h.double.pushText(OTHER_CHAT_ID, '/pause');
    h.double.pushText(OTHER_CHAT_ID, '/spacing 5');
    h.double.pushText(OTHER_CHAT_ID, '/status');
    assert.match(await ask('/help'), /Commands/); // processed after the three intruders
    assert.equal(h.double.sent.length, sentBefore + 1);
    assert.equal(h.double.sent.filter((m) => m.chat_id === OTHER_CHAT_ID).length, 0);
    assert.deepEqual(callsSince(n), []);
    assert.equal(h.logs.filter((l) => l.includes(`unauthorized chat ${OTHER_CHAT_ID}`)).length, 1);
  });

  test('a state-changing command sent long ago (bot was down) is refused, not executed', async () => {
    const n = h.target.calls.length;
    const before = h.double.sent.length;
    h.double.pushText(CHAT_ID, '/pause', Date.now() - 2 * 3600_000 - 30_000);
    const msg = await h.double.waitFor(() => h.double.sent[before], 3000, 'stale reply');
    assert.match(msg.plain, /Ignored \/pause sent 2h 0m ago/);
    assert.deepEqual(callsSince(n), []);
  });

  test('command-to-reply latency (target < 2 s)', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      const before = h.double.sent.length;
      const t0 = performance.now();
      h.double.pushText(CHAT_ID, '/status');
      await h.double.waitFor(() => h.double.sent[before], 3000, 'status reply');
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    const max = samples[samples.length - 1]!;
    console.log(`command-to-reply latency over ${samples.length} /status: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    assert.ok(max < 2000, `max latency ${max} ms`);
  });

  test('the update offset is persisted as updates are handled', async () => {
    const id = h.double.pushText(CHAT_ID, '/help');
    await h.double.waitFor(() => h.state.offset === id + 1, 3000, 'offset advanced');
  });
});
