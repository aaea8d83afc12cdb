// ai_recommendations.csv through the real wiring (advisor → approval workflow
// → Telegram double): ONE row per decision, with the model's reason and what
// came of it (issue 17 item 11: it used to write a "pending" row from the
// advisor and a second row from the approval, neither with the reason).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { AI_CSV_HEADER } from '../../../src/frontends/ai/advisor.js';
import { parseCsvLine } from '../../../src/persistence/csv-log.js';
import { RIG_CHAT, servicesRig, startDoubles, type RigDoubles, type ServicesRig } from '../../support/services-rig.js';

const opened: RigDoubles[] = [];
after(async () => {
  for (const d of opened) await d.close();
});

function csv(r: ServicesRig): string[][] {
  const file = path.join(r.logDir, 'ai_recommendations.csv');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map(parseCsvLine);
}

/** Asks the model (as /check does), lets the tick start the call and waits for its answer. */
async function ask(r: ServicesRig, d: RigDoubles, content: string): Promise<void> {
  d.ai.enqueue({ content });
  await r.services.controls.apply({ kind: 'check' }, 'telegram');
  await r.tick();
  await r.services.aiInFlight;
}

/** The recommendation message with buttons sent after `index` messages. */
async function buttons(d: RigDoubles, index: number) {
  return d.tg.waitFor(() => d.tg.sent.slice(index).find((m) => m.reply_markup?.inline_keyboard), 5000, 'recommendation with buttons');
}

describe('ai_recommendations.csv', () => {
  it('writes one row per decision with the reason and the outcome (approved, skipped, expired, continue)', async () => {
    const d = await startDoubles();
    opened.push(d);
    const r = await servicesRig(d);
    try {
      // 1. approved and applied
      let index = d.tg.sent.length;
      const t1 = r.clock.now() + 30_000;
      await ask(r, d, 'CONDITION: volatile\nACTION: widen_spacing\nREASON: swings of 2%, fast moves');
      let msg = await buttons(d, index);
      d.tg.pushCallback(RIG_CHAT, msg.message_id, 'approve:widen_spacing');
      await d.tg.waitFor(() => d.tg.edits.find((e) => e.message_id === msg.message_id), 5000, 'approval handled');
      assert.deepEqual(csv(r), [
        [...AI_CSV_HEADER],
        [new Date(t1).toISOString(), 'volatile', 'widen_spacing', '0.1', 'approved', 'swings of 2%, fast moves', 'applied: spacing set to 1.25% (saved); rebuilding the grid in the background', new Date(t1).toISOString()],
      ]);

      // 2. skipped
      index = d.tg.sent.length;
      await ask(r, d, 'CONDITION: ranging\nACTION: tighten_spacing\nREASON: calm market');
      msg = await buttons(d, index);
      d.tg.pushCallback(RIG_CHAT, msg.message_id, 'skip:tighten_spacing');
      await d.tg.waitFor(() => d.tg.edits.find((e) => e.message_id === msg.message_id), 5000, 'skip handled');

      // 3. expired: nobody answers for more than ten minutes
      index = d.tg.sent.length;
      const t3 = r.clock.now() + 30_000;
      await ask(r, d, 'CONDITION: trending_down\nACTION: pause\nREASON: falling knife');
      await buttons(d, index);
      await r.tick(21);

      // 4. continue: decided at once
      await ask(r, d, 'CONDITION: ranging\nACTION: continue\nREASON: all fine');

      const rows = csv(r);
      assert.equal(rows.length, 5, `one header and four rows, got:\n${rows.map((x) => x.join(' | ')).join('\n')}`);
      assert.deepEqual(
        rows.slice(1).map((x) => [x[1], x[2], x[4], x[5], x[6]]),
        [
          ['volatile', 'widen_spacing', 'approved', 'swings of 2%, fast moves', 'applied: spacing set to 1.25% (saved); rebuilding the grid in the background'],
          ['ranging', 'tighten_spacing', 'skipped', 'calm market', 'skipped by the operator: nothing changed'],
          ['trending_down', 'pause', 'expired', 'falling knife', 'expired unanswered: not applied'],
          ['ranging', 'continue', 'n/a', 'all fine', 'continue: nothing changed'],
        ],
      );
      const expired = rows[3]!;
      assert.equal(expired[0], new Date(t3).toISOString(), 'timestamp: when it was offered');
      assert.equal(expired[7], new Date(t3 + 10 * 60_000).toISOString(), 'decided_at: the first tick at its ten-minute expiry');
      assert.ok(rows.every((x) => x.length === AI_CSV_HEADER.length));
    } finally {
      await r.stop();
    }
  });

  it('an older file with the five SPEC columns gets the added column names, its rows kept', async () => {
    const d = await startDoubles();
    opened.push(d);
    const r = await servicesRig(d);
    try {
      const file = path.join(r.logDir, 'ai_recommendations.csv');
      const old = 'timestamp,market_condition,recommendation,current_price,was_followed\n2025-01-01T00:00:00.000Z,ranging,continue,0.1,n/a\n';
      fs.writeFileSync(file, old);
      await ask(r, d, 'CONDITION: ranging\nACTION: continue\nREASON: quiet');
      const rows = csv(r);
      assert.deepEqual(rows[0], [...AI_CSV_HEADER]);
      assert.deepEqual(rows[1], ['2025-01-01T00:00:00.000Z', 'ranging', 'continue', '0.1', 'n/a']);
      assert.deepEqual(rows[2]!.slice(1, 7), ['ranging', 'continue', '0.1', 'n/a', 'quiet', 'continue: nothing changed']);
    } finally {
      await r.stop();
    }
  });
});
