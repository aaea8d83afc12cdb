// Issue 14 settings: GRID_MODE, GRID_SPACING_MODE and the trail limits are
// validated at start; the modes change at run time only through the controls
// (Telegram /mode and /levels, POST /api/config grid_mode / spacing_mode);
// saved states with or without them load.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.js';
import { createControls, parseConfigBody } from '../src/ops/controls.js';
import { findCommand } from '../src/frontends/telegram/commands.js';
import { stateProblems } from '../src/persistence/state-shape.js';
import { newState } from '../src/core/grid-strategy.js';
import { fakeTarget, sampleStatus } from './support/telegram-fixtures.js';

const base = { LOG_DIR: 'logs', HEALTH_PORT: '0' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err;
  }
  assert.fail(`no Configuration error for ${JSON.stringify(env)}`);
}

describe('GRID_MODE, GRID_SPACING_MODE, TRAIL_UP_LIMIT, TRAIL_DOWN_LIMIT at start', () => {
  it('defaults: drift, arithmetic, no trail limits', () => {
    const c = loadConfig(base);
    assert.deepEqual([c.gridMode, c.gridSpacingMode, c.trailUpLimit, c.trailDownLimit], ['drift', 'arithmetic', null, null]);
    const t = loadConfig({ ...base, GRID_MODE: 'Trailing', GRID_SPACING_MODE: 'geometric', TRAIL_UP_LIMIT: '0.5', TRAIL_DOWN_LIMIT: '0.05' });
    assert.deepEqual([t.gridMode, t.gridSpacingMode, t.trailUpLimit, t.trailDownLimit], ['trailing', 'geometric', 0.5, 0.05]);
  });

  it('a bad value stops start-up with an error naming the variable', () => {
    assert.equal(configError({ GRID_MODE: 'trail' }).variable, 'GRID_MODE');
    assert.match(configError({ GRID_MODE: 'trail' }).message, /drift or trailing/);
    assert.equal(configError({ GRID_SPACING_MODE: 'log' }).variable, 'GRID_SPACING_MODE');
    assert.equal(configError({ TRAIL_UP_LIMIT: '-1' }).variable, 'TRAIL_UP_LIMIT');
    assert.equal(configError({ TRAIL_DOWN_LIMIT: 'abc' }).variable, 'TRAIL_DOWN_LIMIT');
    assert.equal(configError({ TRAIL_UP_LIMIT: '0.1', TRAIL_DOWN_LIMIT: '0.1' }).variable, 'TRAIL_DOWN_LIMIT');
  });
});

describe('the modes at run time, through the controls', () => {
  function target() {
    const t = fakeTarget();
    const calls: string[] = [];
    t.setGridMode = async (m) => (calls.push(`grid ${m}`), `grid mode set to ${m}`);
    t.setSpacingMode = async (m) => (calls.push(`spacing ${m}`), `spacing mode set to ${m}`);
    return { t, calls };
  }

  it('POST /api/config: grid_mode and spacing_mode, validated all or nothing', async () => {
    const ok = parseConfigBody({ grid_mode: 'trailing', spacing_mode: 'geometric', spacing: 1.2 }, 0.6);
    assert.ok(ok.ok);
    assert.deepEqual(
      ok.requests.map((r) => r.kind),
      ['spacingMode', 'gridMode', 'spacing'],
    );
    const bad = parseConfigBody({ grid_mode: 'sideways', spacing: 1.2 }, 0.6);
    assert.ok(!bad.ok && bad.errors.some((e) => /grid mode must be/.test(e)));
    assert.ok(!parseConfigBody({ spacing_mode: 3 }, 0.6).ok);
    const { t, calls } = target();
    const controls = createControls(t);
    assert.deepEqual(await controls.apply({ kind: 'gridMode', mode: 'trailing' }, 'web'), { ok: true, message: 'grid mode set to trailing' });
    assert.equal((await controls.apply({ kind: 'spacingMode', mode: 'nope' }, 'web')).ok, false);
    assert.deepEqual(calls, ['grid trailing']);
    // A target without the setters (older fakes) refuses instead of failing.
    assert.equal((await createControls(fakeTarget()).apply({ kind: 'gridMode', mode: 'drift' }, 'web')).ok, false);
  });

  it('Telegram /mode and /levels apply through the controls and explain the choices', async () => {
    const { t, calls } = target();
    const status = { ...sampleStatus(), config: { ...sampleStatus().config, grid_mode: 'drift' as const, spacing_mode: 'arithmetic' as const } };
    const ctx = { controls: createControls(t), status: () => status };
    const mode = findCommand('mode')!;
    const levels = findCommand('levels')!;
    assert.match(await mode.run(['trailing'], ctx, '/mode <drift | trailing>'), /grid mode set to trailing/);
    assert.match(await levels.run(['geometric'], ctx, '/levels <arithmetic | geometric>'), /spacing mode set to geometric/);
    const refused = await mode.run(['up'], ctx, '/mode <drift | trailing>');
    assert.match(refused, /grid mode must be/);
    assert.match(refused, /Now drift/);
    assert.deepEqual(calls, ['grid trailing', 'spacing geometric']);
  });
});

describe('the modes in the saved state', () => {
  it('old states (no modes) load; saved modes are checked', () => {
    const cfg = { startingCapital: 120, makerFeePct: 0.25, stopFloor: 100, dailyLossLimit: 3, gridDriftResetPct: 5, dailySummaryHourUtc: 0, monthlyReserveUsd: 5, accumulationSweepDays: 7, orderSizeUsd: 3.5, gridLevels: 10 };
    const s = JSON.parse(JSON.stringify(newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'b0b0b0b0b0b0b0b0b0b0', 0)));
    assert.deepEqual(stateProblems(s), []);
    s.settings.gridMode = 'trailing';
    s.settings.spacingMode = 'geometric';
    assert.deepEqual(stateProblems(s), []);
    s.settings.gridMode = 'up';
    s.settings.spacingMode = 1;
    assert.equal(stateProblems(s).length, 2);
  });
});
