// Every bound an operator or the environment can meet, defined once. The
// config loader, the controls, the strategy and the dashboard (through
// /api/status `limits`) all read these; nothing restates a number.

/** Highest grid spacing (percent) anyone may set: wider grids rarely fill. */
export const SPACING_MAX_PCT = 20;
/** Spacing must clear the round-trip fee by this many percentage points. */
export const SPACING_MARGIN_OVER_FEES_PCT = 0.1;
/** Buy share of the grid, manual or from the trend. */
export const RATIO_MIN = 0.25;
export const RATIO_MAX = 0.75;
/** AI advisor interval, seconds. */
export const INTERVAL_MIN_SEC = 60;
export const INTERVAL_MAX_SEC = 86_400;
/** Step an approved widen/tighten recommendation moves the spacing by (percentage points). */
export const AI_SPACING_STEP_PCT = 0.25;
/** Levels per side of the adaptive grid. */
export const LEVELS_PER_SIDE_MIN = 3;
export const LEVELS_PER_SIDE_MAX = 20;

/** Percent rounded to 9 decimals so 2 × 0.25 + 0.1 prints as 0.6, not 0.6000000000000001. */
function roundPct(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

export function roundTripFeePct(makerFeePct: number): number {
  return roundPct(2 * makerFeePct);
}

/** The narrowest spacing that still earns something after both fees. */
export function minSpacingPct(makerFeePct: number): number {
  return roundPct(2 * makerFeePct + SPACING_MARGIN_OVER_FEES_PCT);
}

/** The bounds as the dashboard reads them from /api/status. */
export interface LimitsView {
  spacing: { min: number; max: number };
  ratio: { min: number; max: number };
  interval: { min: number; max: number };
  ai_spacing_step: number;
}

export function limitsView(makerFeePct: number): LimitsView {
  return {
    spacing: { min: minSpacingPct(makerFeePct), max: SPACING_MAX_PCT },
    ratio: { min: RATIO_MIN, max: RATIO_MAX },
    interval: { min: INTERVAL_MIN_SEC, max: INTERVAL_MAX_SEC },
    ai_spacing_step: AI_SPACING_STEP_PCT,
  };
}

/** An execution price more than this factor away from the order's limit price is not a price (a bad report). */
export const REPORT_PRICE_MAX_FACTOR = 100;
/** A fee above this share of the execution's cost is not a fee (a bad report). */
export const REPORT_FEE_MAX_SHARE = 0.1;
/** Relative error of the ledger identity above which the books are broken and trading stops (float rounding stays near 1e-12). */
export const LEDGER_IDENTITY_TOLERANCE = 1e-6;
/**
 * A price further than this factor from the median of the last few minutes
 * (up or down) is not acted on until the next tick confirms it.
 */
export const PRICE_JUMP_FACTOR = 1.5;
/** How far back the median a price is compared with reaches; older samples (a restart) confirm nothing. */
export const PRICE_JUMP_WINDOW_MS = 10 * 60_000;

/** Rows a Telegram period report shows: default and most (a reply stays under Telegram's 4096 characters). */
export const REPORT_DAYS_DEFAULT = 7;
export const REPORT_DAYS_MAX = 31;
export const REPORT_WEEKS_DEFAULT = 4;
export const REPORT_WEEKS_MAX = 26;
export const REPORT_MONTHS_DEFAULT = 3;
export const REPORT_MONTHS_MAX = 24;
/** Fills /trades lists: default and most. */
export const REPORT_TRADES_DEFAULT = 10;
export const REPORT_TRADES_MAX = 50;
/** /balance flags an exchange balance that differs from the ledger by this much (USD at the last price) or more. */
export const BALANCE_DIFF_FLAG_USD = 0.01;
