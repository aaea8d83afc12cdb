// The Bot API client on its own, without the notifier's policy (no chat
// binding, no parse mode, no [DRY RUN] prefix unless the caller adds them).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_TEXT, TelegramBotApi } from '../../../src/frontends/telegram/bot-api.js';
import { TelegramNotifier } from '../../../src/frontends/telegram/notifier.js';
import { TelegramDouble } from '../../support/telegram-double.js';
import { CHAT_ID, captureLogs, testNotifierOptions } from '../../support/telegram-fixtures.js';

captureLogs();
let double: TelegramDouble;

before(async () => {
  double = await TelegramDouble.start();
});

after(async () => {
  await double.close();
});

describe('TelegramBotApi', () => {
  test('sends exactly what it is given; over-long texts are cut to Telegram\'s limit', async () => {
    const api = new TelegramBotApi({ apiUrl: double.url, token: double.token, retryDelayMs: 10 });
    try {
      const id = await api.sendMessage({ chat_id: CHAT_ID, text: 'x'.repeat(MAX_TEXT + 100) });
      assert.ok(id !== null);
      const msg = double.messages.get(id)!;
      assert.equal(msg.parse_mode, undefined);
      assert.equal(msg.text.length, MAX_TEXT);
      assert.ok(msg.text.endsWith('…'));
      assert.equal(await api.getMe(), double.botUsername);
      assert.equal(await api.setMyCommands([{ command: 'status', description: 'Status' }]), true);
      assert.deepEqual(double.commandMenus.at(-1), [{ command: 'status', description: 'Status' }]);
    } finally {
      await api.stop(0);
    }
  });

  test('the notifier adds its policy: the chat, HTML, the [DRY RUN] prefix before the cut', async () => {
    const n = new TelegramNotifier(testNotifierOptions(double, { dryRun: true }));
    try {
      const id = (await n.sendMessage('y'.repeat(MAX_TEXT)))!;
      const msg = double.messages.get(id)!;
      assert.equal(msg.chat_id, CHAT_ID);
      assert.equal(msg.parse_mode, 'HTML');
      assert.ok(msg.text.startsWith('[DRY RUN] yyy'));
      assert.equal(msg.text.length, MAX_TEXT);
    } finally {
      await n.stop(0);
    }
  });
});
