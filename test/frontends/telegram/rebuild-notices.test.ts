// What Telegram says about a background rebuild and about the pair's status
// on Kraken (issue 12): /status shows the progress, the finish is announced
// with what it cost, and a pair that stops trading is said once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as M from '../../../src/frontends/telegram/messages.js';
import { renderPlain, validateTelegramHtml } from '../../support/telegram-double.js';
import { sampleStatus } from '../../support/telegram-fixtures.js';

function plain(html: string): string {
  assert.equal(validateTelegramHtml(html), null, html);
  return renderPlain(html, 'HTML');
}

describe('rebuild and pair-status notices', () => {
  test('/status shows a rebuild in progress', () => {
    const v = { ...sampleStatus(), rebuild: { reason: 'spacing', moved: 12, total: 40, started_at: '2025-01-01T12:00:00.000Z', text: 'rebuild in progress: 12 of 40 levels moved' } };
    assert.match(plain(M.statusMessage(v)), /rebuild in progress: 12 of 40 levels moved/);
    assert.doesNotMatch(plain(M.statusMessage(sampleStatus())), /rebuild in progress/);
  });

  test('a finished rebuild says how long it took and how the orders moved', () => {
    const text = plain(M.traderEventMessage({ type: 'grid_built', reason: 'spacing 1.5%', center: 0.1, buys: 20, sells: 20, spacingPct: 1.5, orderSizeUsd: 1.56, durationMs: 41_000, amended: 30, cancelled: 4, added: 6 })!);
    assert.match(text, /Rebuild finished in 41s: 30 moved in place, 4 cancelled, 6 placed/);
  });

  test('the pair leaving and re-entering online trading is announced', () => {
    assert.match(plain(M.traderEventMessage({ type: 'pair_status', status: 'cancel_only', trading: false, message: 'no new orders <until> online' })!), /Kraken: cancel_only — no new orders <until> online/);
    assert.match(plain(M.traderEventMessage({ type: 'pair_status', status: 'online', trading: true, message: 'placing again' })!), /Kraken: online — placing again/);
  });
});
