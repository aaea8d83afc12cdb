// The backtester's own error, and the levels-override hook it needs from the Trader.

export class BacktestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BacktestError';
  }
}

/**
 * The Settings field a levels override would live in. The Trader does not
 * honour it yet (see LEVELS_UNSUPPORTED); the engine sets it and checks
 * whether the grid it gets has that many levels.
 */
export const LEVELS_OVERRIDE_FIELD = 'levelsOverride';
export const LEVELS_UNSUPPORTED =
  '--levels needs the Trader to honour a levels override: add `levelsOverride?: number | null` to Settings (src/core/grid-strategy.ts) ' +
  'and, in Trader.rebuildInner (src/core/trader.ts), use `s.settings.levelsOverride ?? params.levelsPerSide` for s.levelsPerSide and planGrid';
