// Issue 14: the start/exit rules and the profit mode through the controls
// (the only way to change anything), the dashboard's POST /api/config body,
// the Telegram command table, and the saved state (old files still load).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createControls, parseConfigBody, type ControlTarget } from '../../src/ops/controls.js';
import { COMMANDS } from '../../src/frontends/telegram/commands.js';
import { stateProblems } from '../../src/persistence/state-shape.js';
import { newState } from '../../src/core/grid-strategy.js';
import { strategyConfig } from '../../src/core/trader.js';
import { loadConfig } from '../../src/config.js';

function target(calls: string[]): ControlTarget {
  const says = (what: string) => async (v: unknown) => {
    calls.push(`${what}=${String(v)}`);
    return `${what} ${String(v)}`;
  };
  return {
    minSpacingPct: () => 0.6,
    currentSpacingPct: () => 1,
    setSpacing: says('spacing'),
    setRatioOverride: says('ratio'),
    setAiInterval: says('interval'),
    requestAiCheck: async () => 'check',
    pause: async () => 'paused',
    resume: async () => 'resumed',
    resetGrid: async () => 'reset',
    setStartPrice: says('start'),
    setTakeProfit: says('tp'),
    setStopAction: says('stop'),
    setProfitMode: says('mode'),
  };
}

describe('rule controls', () => {
  it('validate and apply start price, take-profit, stop action and profit mode', async () => {
    const calls: string[] = [];
    const c = createControls(target(calls));
    assert.equal((await c.apply({ kind: 'start_price', price: 0.12 }, 'telegram')).ok, true);
    assert.equal((await c.apply({ kind: 'start_price', price: 'off' }, 'web')).ok, true);
    assert.equal((await c.apply({ kind: 'take_profit', equity: 150 }, 'web')).ok, true);
    assert.equal((await c.apply({ kind: 'stop_action', action: 'SELL' }, 'telegram')).ok, true);
    assert.equal((await c.apply({ kind: 'profit_mode', mode: 'fixed' }, 'telegram')).ok, true);
    assert.deepEqual(calls, ['start=0.12', 'start=null', 'tp=150', 'stop=sell', 'mode=fixed']);
    for (const bad of [
      { kind: 'start_price', price: -1 },
      { kind: 'take_profit', equity: Number.NaN },
      { kind: 'stop_action', action: 'dump' },
      { kind: 'profit_mode', mode: 'reinvest' },
    ] as const) {
      const out = await c.apply(bad, 'telegram');
      assert.equal(out.ok, false, JSON.stringify(bad));
    }
    assert.equal(calls.length, 5, 'nothing invalid reached the bot');
  });

  it('POST /api/config takes start_price, take_profit, stop_action and profit_mode (all or nothing)', () => {
    const ok = parseConfigBody({ start_price: '0.1', take_profit: null, stop_action: 'hold', profit_mode: 'compound' }, 0.6);
    assert.deepEqual(ok, {
      ok: true,
      requests: [
        { kind: 'start_price', price: 0.1 },
        { kind: 'take_profit', equity: 'off' },
        { kind: 'stop_action', action: 'hold' },
        { kind: 'profit_mode', mode: 'compound' },
      ],
    });
    const bad = parseConfigBody({ spacing: 1, profit_mode: 'yolo' }, 0.6);
    assert.equal(bad.ok, false);
  });

  it('has a Telegram command for each', () => {
    const names = COMMANDS.map((c) => c.name);
    for (const n of ['startprice', 'takeprofit', 'stopaction', 'profitmode']) assert.ok(names.includes(n), n);
  });

  it('is saved in the state; a state without the fields still loads, a bad value does not', () => {
    const cfg = strategyConfig(loadConfig({ LOG_DIR: '/tmp', START_PRICE: '0.2', PROFIT_MODE: 'fixed' }));
    const s = newState(cfg, { spacingPct: 1, ratioOverride: null, aiIntervalSec: 3600 }, 'abcdef0123456789abcd', 0);
    assert.equal(s.settings.startPrice, 0.2);
    assert.equal(s.settings.profitMode, 'fixed');
    assert.equal(s.settings.stopAction, 'hold');
    assert.deepEqual(stateProblems(JSON.parse(JSON.stringify(s))), []);
    const old = JSON.parse(JSON.stringify(s)) as Record<string, Record<string, unknown>>;
    for (const k of ['startPrice', 'takeProfitEquity', 'stopAction', 'profitMode']) delete old.settings![k];
    assert.deepEqual(stateProblems(old), [], 'an older state file loads');
    const bad = JSON.parse(JSON.stringify(s)) as Record<string, Record<string, unknown>>;
    bad.settings!.profitMode = 'yolo';
    bad.settings!.startPrice = -3;
    assert.equal(stateProblems(bad).length, 2);
  });
});
