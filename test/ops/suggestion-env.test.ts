// /suggest replays the running bot's own settings: the walk-forward must size
// and move the grid the way the bot does, or its evidence compares another bot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strategyEnvOf } from '../../src/ops/suggestion.js';
import { backtestConfig } from '../../src/tools/backtest/engine.js';
import { testConfig } from '../support/core.js';

describe('strategyEnvOf (the settings /suggest backtests)', () => {
  it('keeps adaptive sizing adaptive: ORDER_SIZE_USD / GRID_LEVELS only when the operator set them', () => {
    const adaptive = backtestConfig({ env: strategyEnvOf(testConfig(), {}) });
    assert.equal(adaptive.orderSizeExplicit, false);
    assert.equal(adaptive.gridLevelsExplicit, false);
    const fixed = backtestConfig({ env: strategyEnvOf(testConfig({ ORDER_SIZE_USD: '2', GRID_LEVELS: '8' }), {}) });
    assert.deepEqual([fixed.orderSizeExplicit, fixed.orderSizeUsd, fixed.gridLevelsExplicit, fixed.gridLevels], [true, 2, true, 8]);
  });

  it('carries the grid and spacing modes, trail limits and profit mode in force (a run-time change wins over the env)', () => {
    const config = testConfig({ GRID_MODE: 'trailing', TRAIL_UP_LIMIT: '0.2', PROFIT_MODE: 'fixed' });
    const replayed = backtestConfig({ env: strategyEnvOf(config, { spacingMode: 'geometric' }) });
    assert.deepEqual(
      [replayed.gridMode, replayed.gridSpacingMode, replayed.trailUpLimit, replayed.trailDownLimit, replayed.profitMode],
      ['trailing', 'geometric', 0.2, null, 'fixed'],
    );
    assert.equal(backtestConfig({ env: strategyEnvOf(config, { gridMode: 'drift', profitMode: 'compound' }) }).gridMode, 'drift');
    assert.equal(backtestConfig({ env: strategyEnvOf(config, { gridMode: 'drift', profitMode: 'compound' }) }).profitMode, 'compound');
  });
});
