// The position ledger: what the bot's allocation holds and what it earned.
// Identity, exact up to float rounding at every step:
//   equity = cash + inventory × price = startingCapital + realized + unrealized
// where unrealized = inventory × (price − avgCost) and fees are part of realized.

export interface Ledger {
  startingCapital: number;
  cash: number;
  /** Base units held (DOGE). */
  inventory: number;
  /** Average cost of the inventory, in quote per base unit. */
  avgCost: number;
  /** Realized P&L including every fee paid. */
  realized: number;
  fees: number;
}

export function newLedger(startingCapital: number): Ledger {
  return { startingCapital, cash: startingCapital, inventory: 0, avgCost: 0, realized: 0, fees: 0 };
}

/**
 * Move part of the capital into inventory at `price` without a fee: the
 * operator's funding of the sell side, valued at cost so equity is unchanged.
 */
export function fundInventory(l: Ledger, volume: number, price: number): void {
  if (volume <= 0) return;
  const total = l.inventory + volume;
  l.avgCost = (l.inventory * l.avgCost + volume * price) / total;
  l.inventory = total;
  l.cash -= volume * price;
}

export function bookBuy(l: Ledger, volume: number, price: number, fee: number): void {
  if (volume <= 0) return;
  const total = l.inventory + volume;
  l.avgCost = (l.inventory * l.avgCost + volume * price) / total;
  l.inventory = total;
  l.cash -= volume * price + fee;
  l.realized -= fee;
  l.fees += fee;
}

export function bookSell(l: Ledger, volume: number, price: number, fee: number): void {
  if (volume <= 0) return;
  l.cash += volume * price - fee;
  l.realized += (price - l.avgCost) * volume - fee;
  l.fees += fee;
  l.inventory -= volume;
  // Selling more than we hold (only possible through an outside change) leaves
  // a short position valued at the same average cost; flat resets the basis.
  if (Math.abs(l.inventory) < 1e-12) {
    l.inventory = 0;
    l.avgCost = 0;
  }
}

export function equity(l: Ledger, price: number): number {
  return l.cash + l.inventory * price;
}

export function unrealized(l: Ledger, price: number): number {
  return l.inventory * (price - l.avgCost);
}

/** Relative error of the ledger identity; ≤ 1e-9 in every test. */
export function identityError(l: Ledger, price: number): number {
  const lhs = equity(l, price);
  const rhs = l.startingCapital + l.realized + unrealized(l, price);
  return Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs));
}

/**
 * Why the books cannot be trusted at `price`, or null: every field must be
 * finite and the identity must hold (SPEC §4.3). Trading stops on a non-null answer.
 */
export function ledgerProblem(l: Ledger, price: number, tolerance: number): string | null {
  for (const k in l) {
    const v = l[k as keyof Ledger];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `ledger ${k} is ${String(v)}`;
  }
  if (!(price > 0) || !Number.isFinite(price)) return null;
  const e = identityError(l, price);
  if (!(e <= tolerance)) return `ledger identity broken: cash + inventory × price = ${equity(l, price)}, starting capital + realized + unrealized = ${l.startingCapital + l.realized + unrealized(l, price)}`;
  return null;
}
