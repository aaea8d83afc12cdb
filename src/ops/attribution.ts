// Where the money is: one definition of every P&L figure, used by /api/status,
// the dashboard, Telegram, /metrics and the analyzers. Pure.
//
//   equity        = cash + DOGE held × price (what the allocation is worth now)
//   grid profit   = booked round trips, net of both fees (profit.total). This is
//                   what "realized" means everywhere.
//   inventory P&L = DOGE held × price − what that DOGE cost, where its cost is the
//                   cash that went into it net of booked round trips:
//                   starting capital + grid profit − cash. It carries the price
//                   move of the DOGE held and every fill whose round trip is still
//                   open (fees included). This is what "unrealized" means.
//   identity      : equity = starting capital + grid profit + inventory P&L
//   hold benchmark: half the starting capital in USD, half in DOGE at the first
//                   price, valued now; vs hold = equity − that.
import { equity as ledgerEquity } from '../core/ledger.js';
import type { GridState } from '../core/grid-strategy.js';

export type FirstPriceSource = 'recorded' | 'earliest_known' | 'none';

export interface Attribution {
  price: number;
  startingCapital: number;
  equity: number;
  /** equity − starting capital. */
  change: number;
  /** change as a percent of the starting capital. */
  changePct: number;
  /** Realized: booked round trips net of fees. */
  gridProfit: number;
  /** Every fee paid (inside grid profit for closed round trips, inside inventory P&L for open fills). */
  fees: number;
  /** Unrealized: DOGE held at market minus its cost. */
  inventoryPnl: number;
  /** DOGE held. */
  inventory: number;
  inventoryValue: number;
  inventoryCost: number;
  dogeAccumulated: number;
  dogeAccumulatedValue: number;
  hold: {
    firstPrice: number | null;
    /** 'earliest_known': the state did not record the first price (saved by an older version). */
    firstPriceSource: FirstPriceSource;
    value: number | null;
    /** equity − hold value. */
    vsHold: number | null;
  };
}

/** The subset of the state attribution reads. */
export type AttributionState = Pick<GridState, 'ledger' | 'profit' | 'lastPrice' | 'priceHistory' | 'fills'> & { firstPrice?: number | null };

const pos = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;

/** The first price: recorded at the first grid build, else the earliest price the state still knows. */
export function firstPriceOf(s: AttributionState): { price: number | null; source: FirstPriceSource } {
  if (pos(s.firstPrice)) return { price: s.firstPrice, source: 'recorded' };
  let best: { time: number; price: number } | null = null;
  const h = s.priceHistory[0];
  if (h && pos(h.price)) best = { time: h.time, price: h.price };
  const f = s.fills[0];
  if (f && pos(f.price) && (best === null || f.time < best.time)) best = { time: f.time, price: f.price };
  if (best) return { price: best.price, source: 'earliest_known' };
  if (pos(s.lastPrice)) return { price: s.lastPrice, source: 'earliest_known' };
  return { price: null, source: 'none' };
}

/** Half USD, half DOGE at the first price, valued at `price`. */
export function holdValue(startingCapital: number, firstPrice: number, price: number): number {
  const half = startingCapital / 2;
  return half + (half / firstPrice) * price;
}

export function attribution(s: AttributionState, priceArg?: number): Attribution {
  const l = s.ledger;
  const price = priceArg ?? s.lastPrice;
  const px = pos(price) ? price : 0;
  const eq = ledgerEquity(l, px);
  const gridProfit = s.profit.total;
  const inventoryValue = l.inventory * px;
  const inventoryCost = l.startingCapital + gridProfit - l.cash;
  const first = firstPriceOf(s);
  const hv = first.price !== null && px > 0 ? holdValue(l.startingCapital, first.price, px) : null;
  return {
    price: px,
    startingCapital: l.startingCapital,
    equity: eq,
    change: eq - l.startingCapital,
    changePct: l.startingCapital > 0 ? ((eq - l.startingCapital) / l.startingCapital) * 100 : 0,
    gridProfit,
    fees: l.fees,
    inventoryPnl: inventoryValue - inventoryCost,
    inventory: l.inventory,
    inventoryValue,
    inventoryCost,
    dogeAccumulated: s.profit.dogeAccumulated,
    dogeAccumulatedValue: s.profit.dogeAccumulated * px,
    hold: { firstPrice: first.price, firstPriceSource: first.source, value: hv, vsHold: hv === null ? null : eq - hv },
  };
}
