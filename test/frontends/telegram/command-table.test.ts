// The command table is the single source of /help, the command menu,
// dispatch and the staleness rule; its usage lines come from core/limits.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INTERVAL_MAX_SEC, INTERVAL_MIN_SEC, RATIO_MAX, RATIO_MIN, SPACING_MAX_PCT } from '../../../src/core/limits.js';
import { COMMANDS, commandMenu, findCommand, helpMessage, isMutating, parseCommand, runCommand, type CommandSpec } from '../../../src/frontends/telegram/commands.js';
import * as M from '../../../src/frontends/telegram/messages.js';
import { createControls } from '../../../src/ops/controls.js';
import { checkCommandMenu, renderPlain, validateTelegramHtml } from '../../support/telegram-double.js';
import { CHAT_ID, fakeTarget, sampleStatus, startHarness } from '../../support/telegram-fixtures.js';

function ctx(target = fakeTarget()) {
  return { target, ctx: { controls: createControls(target), status: () => sampleStatus(target) } };
}

async function reply(text: string, target = fakeTarget()): Promise<string> {
  const html = await runCommand(parseCommand(text)!, ctx(target).ctx);
  assert.equal(validateTelegramHtml(html), null, html);
  return renderPlain(html, 'HTML');
}

describe('the command table', () => {
  test('names are unique, valid for Telegram, and the menu and /help list exactly the table', () => {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length, 'no name or alias twice');
    assert.equal(checkCommandMenu(commandMenu()), null);
    assert.deepEqual(
      commandMenu().map((c) => c.command),
      COMMANDS.map((c) => c.name),
    );
    const help = renderPlain(helpMessage(), 'HTML');
    const listed = help.split('\n').filter((l) => l.startsWith('/'));
    assert.equal(listed.length, COMMANDS.length);
    for (const c of COMMANDS) assert.ok(listed.some((l) => l.startsWith(`/${c.name}${c.args ? ' ' + c.args : ''} — ${c.description}`)), c.name);
    assert.equal(M.COMMANDS, COMMANDS, 'messages.ts re-exports the same table');
  });

  test('argument syntax and bounds come from core/limits.ts', () => {
    assert.equal(findCommand('ratio')!.args, `[${RATIO_MIN}..${RATIO_MAX} | auto]`);
    assert.equal(findCommand('interval')!.args, `<${INTERVAL_MIN_SEC}..${INTERVAL_MAX_SEC}>`);
    assert.ok(renderPlain(M.ratioMessage(sampleStatus()), 'HTML').includes(`/ratio <${RATIO_MIN}..${RATIO_MAX}>`));
  });

  test('usage lines name the bounds', async () => {
    assert.match(await reply('/spacing'), new RegExp(`minimum 0\\.60% \\(round-trip fee \\+ 0\\.1\\), maximum ${SPACING_MAX_PCT}\\.00%`));
    assert.match(await reply('/ratio 1 2'), new RegExp(`Usage: /ratio \\[${RATIO_MIN}\\.\\.${RATIO_MAX} \\| auto\\]`));
    assert.match(await reply('/interval'), new RegExp(`Usage: /interval <${INTERVAL_MIN_SEC}\\.\\.${INTERVAL_MAX_SEC}>`));
  });

  test('values are validated by the controls, not the front end (one rule for every front end)', async () => {
    const target = fakeTarget();
    // Syntax the controls refuse as "not a number" (hex, exponent) reaches them as NaN and changes nothing.
    assert.match(await reply('/spacing 0x10', target), /❌ spacing must be a number/);
    assert.match(await reply('/spacing 1e1', target), /❌ spacing must be a number/);
    assert.match(await reply('/ratio 0.2', target), /❌ ratio must be between 0\.25 and 0\.75\nUsage: \/ratio/);
    assert.match(await reply('/interval 30s', target), /❌ interval must be between 60 and 86400 seconds\nUsage: \/interval/);
    assert.match(await reply('/interval 120s', target), /✅ AI check every 120 s/);
    assert.deepEqual(target.calls, [{ op: 'setAiInterval', arg: 120 }]);
  });

  test('what changes something is read from the table', () => {
    const mutating = (text: string) => isMutating(parseCommand(text)!);
    for (const c of COMMANDS) {
      const bare = mutating(`/${c.name}`);
      const withArg = mutating(`/${c.name} 1`);
      assert.equal(bare, c.changes === 'always', c.name);
      assert.equal(withArg, c.changes !== 'never', c.name);
    }
    assert.equal(mutating('/ratio'), false);
    assert.equal(mutating('/ratio 0.5'), true);
    assert.equal(mutating('/reset'), true);
    assert.equal(mutating('/start'), false);
    assert.equal(mutating('/nosuchcommand'), false);
  });

  test('/start is an alias of /help that is not listed', async () => {
    assert.equal(await reply('/start'), await reply('/help'));
    assert.ok(!commandMenu().some((c) => c.command === 'start'));
  });

  test('a new command needs one entry: help, menu and lookup follow the table', () => {
    const extra: CommandSpec = { name: 'flatten', args: '', description: 'A command that only exists in this test', changes: 'always', run: async () => 'done' };
    const table = [...COMMANDS, extra];
    assert.match(renderPlain(helpMessage(table), 'HTML'), /\/flatten — A command that only exists in this test/);
    assert.deepEqual(commandMenu(table).at(-1), { command: 'flatten', description: extra.description });
    assert.equal(findCommand('flatten', table), extra);
    assert.equal(findCommand('flatten'), undefined);
  });
});

describe('command menu registration', () => {
  test('a refused setMyCommands is logged and not fatal: commands are still answered', async () => {
    const h = await startHarness({ start: false });
    try {
      h.double.refuse('setMyCommands', 1);
      await h.fe.start();
      await h.double.waitFor(() => h.logs.some((l) => l.includes('could not register the command menu')), 3000, 'menu failure logged');
      assert.equal(h.double.commandMenus.length, 0);
      const before = h.double.sent.length;
      h.double.pushText(CHAT_ID, '/reset');
      const msg = await h.double.waitFor(() => h.double.sent[before], 3000, 'reply to /reset');
      assert.match(msg.plain, /✅ grid rebuilt/);
      assert.equal(h.double.callsOf('setMyCommands').length, 1, 'sent once at start');
    } finally {
      await h.stop();
      await h.double.close();
    }
  });
});
