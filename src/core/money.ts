// Rounding to the pair's decimals. Kraken rejects prices and volumes with more
// decimals than the pair allows, so every value that reaches an exchange goes
// through these.

/** 10^0 … 10^20, exact: every order's price and volume is rounded, and `**` is a call each time. */
const POW10 = Array.from({ length: 21 }, (_, i) => 10 ** i);

export function roundTo(value: number, decimals: number): number {
  const f = POW10[decimals] ?? 10 ** decimals;
  return Math.round(value * f + (value >= 0 ? 1e-9 : -1e-9)) / f;
}

/** Round down: never commit more than we have. */
export function floorTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.floor(value * f + 1e-9) / f;
}

/** Decimal string without exponent, as Kraken expects. */
export function toDecimalString(value: number, decimals: number): string {
  return roundTo(value, decimals).toFixed(decimals);
}
