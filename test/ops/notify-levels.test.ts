// Notification levels: the NOTIFY variable, the precedence defaults < NOTIFY <
// /notify (saved), the controls' validation, and the saved state's shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createControls } from '../../src/ops/controls.js';
import { DEFAULT_NOTIFY, effectiveNotify, memoryNotifyTarget, notifyChanges, parseNotifySpec, savedNotifyTarget, type NotifyOverrides } from '../../src/ops/notify-levels.js';
import { stateProblems } from '../../src/persistence/state-shape.js';
import { fakeTarget } from '../support/telegram-fixtures.js';

function configError(value: string): string {
  try {
    loadConfig({ NOTIFY: value });
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.variable, 'NOTIFY');
    return err.message;
  }
  assert.fail(`NOTIFY=${value} was accepted`);
}

describe('NOTIFY', () => {
  it('unset or empty: today\'s behaviour (single fills off, everything else on)', () => {
    assert.deepEqual(loadConfig({}).notify, {});
    assert.deepEqual(loadConfig({ NOTIFY: '  ' }).notify, {});
    assert.deepEqual(effectiveNotify(loadConfig({}).notify, undefined), { fills: 'off', round_trips: 'on', rebuilds: 'on', daily_summary: 'on', warnings: 'on', ai: 'on' });
  });

  it('kind=level items, commas or spaces between them, aliases and case accepted', () => {
    assert.deepEqual(loadConfig({ NOTIFY: 'fills=silent,round_trips=on, rebuilds=off' }).notify, { fills: 'silent', round_trips: 'on', rebuilds: 'off' });
    assert.deepEqual(parseNotifySpec('Daily:OFF round-trip=silent'), { ok: true, value: { daily_summary: 'off', round_trips: 'silent' } });
  });

  it('a bad item stops start-up with a Configuration error naming NOTIFY and the valid values', () => {
    assert.equal(configError('fills=loud'), 'NOTIFY: unknown level "loud" for fills (levels: on, silent, off)');
    assert.equal(configError('sounds=on'), 'NOTIFY: unknown kind "sounds" (kinds: fills, round_trips, rebuilds, daily_summary, warnings, ai)');
    assert.match(configError('fills'), /^NOTIFY: expected kind=level items separated by commas, got "fills"/);
    assert.equal(configError('fills=on,fill=off'), 'NOTIFY: fills is given twice');
  });
});

describe('which level wins', () => {
  it('defaults, then NOTIFY, then what /notify saved; unknown saved entries are ignored', () => {
    const env: NotifyOverrides = { fills: 'silent', rebuilds: 'off' };
    const levels = effectiveNotify(env, { rebuilds: 'on', ai: 'silent', someday: 'on', fills: 'loud' });
    assert.deepEqual(levels, { ...DEFAULT_NOTIFY, fills: 'silent', rebuilds: 'on', ai: 'silent' });
    assert.equal(notifyChanges(levels), 'fills silent, ai silent');
    assert.equal(notifyChanges({ ...DEFAULT_NOTIFY }), '');
  });

  it('a change is saved on top of the earlier ones', async () => {
    let saved: unknown = { fills: 'on' };
    const t = savedNotifyTarget({ env: { warnings: 'silent' }, saved: () => saved, save: async (next) => void (saved = next) });
    assert.equal(await t.setNotifyLevel('ai', 'off'), 'ai notifications off: not sent (saved)');
    assert.deepEqual(saved, { fills: 'on', ai: 'off' });
    assert.deepEqual(t.notifyLevels(), { ...DEFAULT_NOTIFY, fills: 'on', warnings: 'silent', ai: 'off' });
  });
});

describe('the notify control', () => {
  it('validates kind and level, and says what switching warnings off costs', async () => {
    const n = memoryNotifyTarget();
    const controls = createControls(fakeTarget(), n);
    assert.deepEqual(await controls.apply({ kind: 'notify', what: 'fill', level: 'Silent' }, 'web'), { ok: true, message: 'fills notifications silent: sent silently (no sound) (saved)' });
    const off = await controls.apply({ kind: 'notify', what: 'warnings', level: 'off' }, 'telegram');
    assert.equal(off.ok, true);
    assert.match(off.message, /you will NOT be told when trading is paused or stopped/);
    assert.equal((await controls.apply({ kind: 'notify', what: 'all', level: 'off' }, 'telegram')).ok, false);
    assert.equal((await controls.apply({ kind: 'notify', what: 'ai', level: 'mute' }, 'telegram')).ok, false);
    assert.deepEqual(n.saved, { fills: 'silent', warnings: 'off' });
    assert.deepEqual(controls.notifyLevels(), { ...DEFAULT_NOTIFY, fills: 'silent', warnings: 'off' });
  });
});

describe('settings.notify in state.json', () => {
  const settings = (notify?: unknown) => ({ spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600, ...(notify === undefined ? {} : { notify }) });
  const problems = (notify?: unknown) => stateProblems({ settings: settings(notify) }).filter((p) => p.startsWith('settings'));
  it('absent (a state saved before /notify) or kind: level is fine; anything else is named', () => {
    assert.deepEqual(problems(), []);
    assert.deepEqual(problems({ fills: 'silent', warnings: 'off' }), []);
    assert.deepEqual(problems('loud'), ['settings.notify: expected an object of kind: level, got "loud"']);
    assert.deepEqual(problems({ fills: 'loud' }), ['settings.notify.fills: expected on, silent or off, got "loud"']);
  });
});
