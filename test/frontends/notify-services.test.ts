// Notification levels through the real bot and its services: NOTIFY from the
// environment, /notify from Telegram saved in state.json and kept across a
// restart, an older state without the field, and real trading events sent at
// their kind's level (Telegram double, paper exchange, fake clock).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { DEFAULT_NOTIFY } from '../../src/ops/notify-levels.js';
import { RIG_CHAT, servicesRig, startDoubles, type RigDoubles } from '../support/services-rig.js';

const opened: RigDoubles[] = [];
after(async () => {
  for (const d of opened) await d.close();
});

async function doubles(): Promise<RigDoubles> {
  const d = await startDoubles();
  opened.push(d);
  return d;
}

describe('notification levels in the running bot', () => {
  it('NOTIFY: the start-up notice names the changed kinds; a fill is sent silently, rebuilds not at all, a round trip rings', async () => {
    const d = await doubles();
    const r = await servicesRig(d, { NOTIFY: 'fills=silent,rebuilds=off' });
    try {
      const started = await d.tg.waitFor(() => d.tg.sent.find((m) => /Grid bot started/.test(m.plain)), 5000, 'start-up notice');
      assert.match(started.plain, /\nNotifications: fills silent, rebuilds off$/);
      r.setPrice(0.0985); // the first buy level
      await r.tick(2);
      const fill = await d.tg.waitFor(() => d.tg.sent.find((m) => /^(\[DRY RUN\] )?🟢 Bought/.test(m.plain)), 5000, 'fill notice');
      assert.equal(fill.disable_notification, true);
      r.setPrice(0.1); // its counter sell
      await r.tick(2);
      const trip = await d.tg.waitFor(() => d.tg.sent.find((m) => /Round trip/.test(m.plain)), 5000, 'round-trip notice');
      assert.equal(trip.disable_notification, false);
      assert.ok(r.bot.state.profit.roundTrips >= 1);
      await r.services.controls.apply({ kind: 'reset' }, 'telegram');
      await r.tick(3);
      const marker = 'after the reset';
      r.services.telegram.notify(marker);
      await d.tg.waitFor(() => d.tg.sent.find((m) => m.plain.endsWith(marker)), 5000, marker);
      assert.equal(d.tg.sent.filter((m) => /Grid built|Grid reset|Rebuild/.test(m.plain)).length, 0, 'rebuilds are off');
    } finally {
      await r.stop();
    }
  });

  it('/notify from Telegram is saved in state.json and wins over NOTIFY after a restart; an older state without it loads', async () => {
    const d = await doubles();
    let r = await servicesRig(d, { NOTIFY: 'round_trips=silent' });
    try {
      const t0 = Date.now();
      d.tg.pushText(RIG_CHAT, '/notify round_trips off');
      await d.tg.waitFor(() => d.tg.sent.find((m) => m.sentAt >= t0 && /round_trips notifications off/.test(m.plain)), 5000, '/notify reply');
      assert.deepEqual(r.bot.state.settings.notify, { round_trips: 'off' });
      const onDisk = JSON.parse(fs.readFileSync(path.join(r.logDir, 'state.json'), 'utf8'));
      assert.deepEqual(onDisk.state.settings.notify, { round_trips: 'off' }, 'saved at once');

      r = await r.restart();
      assert.equal(r.services.controls.notifyLevels().round_trips, 'off', 'the saved level beats NOTIFY');
      const started = await d.tg.waitFor(() => d.tg.sent.filter((m) => /Grid bot started/.test(m.plain))[1], 5000, 'second start-up notice');
      assert.match(started.plain, /Notifications: round_trips off/);

      // A state saved by an older version has no settings.notify: it loads, and NOTIFY applies.
      await r.services.stop();
      const file = path.join(r.logDir, 'state.json');
      const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      delete saved.state.settings.notify;
      fs.writeFileSync(file, JSON.stringify(saved));
      r = await r.restart();
      assert.ok(r.bot.restored, 'the older state was used');
      assert.equal(r.bot.state.settings.notify, undefined);
      assert.deepEqual(r.services.controls.notifyLevels(), { ...DEFAULT_NOTIFY, round_trips: 'silent' });
    } finally {
      await r.stop();
    }
  });

  it('NOTIFY=warnings=off: the start-up notice says what is lost', async () => {
    const d = await doubles();
    const r = await servicesRig(d, { NOTIFY: 'warnings=off' });
    try {
      const started = await d.tg.waitFor(() => d.tg.sent.find((m) => /Grid bot started/.test(m.plain)), 5000, 'start-up notice');
      assert.match(started.plain, /Notifications: warnings off\n⚠️ Warnings are off: pauses, stops, errors and trading failures will not be announced \(\/notify warnings on\)\.$/);
    } finally {
      await r.stop();
    }
  });
});
