// The equity headline (change since start, then the hold benchmark) and the six
// summary cards: price, grid center, grid profit (realized), inventory P&L
// (unrealized), round trips, DOGE accumulated. One definition: ops/attribution.ts.
import type { StatusView } from '../../../../ops/status-view.js';
import { setText } from './dom.js';
import { MISSING, fixed, fmtPct, fmtPrice, fmtQty, fmtUsd, isNum, signClass } from './format.js';

export function renderPriceCards(s: StatusView): void {
  const p: Partial<StatusView['price']> = s.price ?? {};
  setText('price', fmtPrice(p.current));
  const changes: string[] = [];
  if (isNum(p.change_1h)) changes.push('1h ' + fmtPct(p.change_1h, 2, true));
  if (isNum(p.change_24h)) changes.push('24h ' + fmtPct(p.change_24h, 2, true));
  setText('price-change', changes.join(' · ') || 'USD');
  setText('center', fmtPrice(p.center));
  setText('drift', 'drift ' + fmtPct(p.drift_pct, 2, true) + ' · reset ±' + fixed(s.config?.drift_reset_pct, 0) + '%');
}

type Money = Partial<StatusView['attribution']>;

/** The headline: the change in equity since start, large; the hold benchmark beside it. */
export function renderEquityHeadline(s: StatusView): void {
  const a: Money = s.attribution ?? {};
  const pct = isNum(a.change_pct) ? ' (' + fmtPct(a.change_pct, 2, true) + ')' : '';
  setText('equity-change', fmtUsd(a.change, true) + pct, signClass(a.change));
  setText('equity-foot', 'equity ' + fmtUsd(a.equity) + ' · started with ' + fmtUsd(a.starting_capital));
  const h = a.hold;
  setText('vs-hold', fmtUsd(h?.vs_hold, true), signClass(h?.vs_hold));
  setText(
    'hold-foot',
    h && isNum(h.value)
      ? 'holding half DOGE from ' + fmtPrice(h.first_price) + ' would be ' + fmtUsd(h.value) + (h.first_price_source === 'earliest_known' ? ' (earliest price known; the first was not recorded)' : '')
      : 'no price yet',
  );
}

export function renderProfitCards(s: StatusView): void {
  const pr: Partial<StatusView['profit']> = s.profit ?? {};
  const a: Money = s.attribution ?? {};
  const price = s.price?.current;
  setText('pnl-today', fmtUsd(pr.today, true), signClass(pr.today));
  setText('pnl-today-foot', (isNum(pr.round_trips_today) ? pr.round_trips_today : 0) + ' round trips today');
  const grid = isNum(a.grid_profit) ? a.grid_profit : pr.total;
  setText('pnl-total', fmtUsd(grid, true), signClass(grid));
  setText('pnl-total-foot', 'fees paid ' + fmtUsd(isNum(a.fees) ? a.fees : pr.fees));
  setText('inv-pnl', fmtUsd(a.inventory_pnl, true), signClass(a.inventory_pnl));
  setText('inv-pnl-foot', isNum(a.inventory) ? fmtQty(a.inventory, 2) + ' DOGE worth ' + fmtUsd(a.inventory_value) : 'DOGE held at market minus its cost');
  setText('round-trips', isNum(pr.round_trips) ? String(pr.round_trips) : MISSING);
  setText('round-trips-foot', isNum(pr.round_trips_today) ? pr.round_trips_today + ' today' : '');
  setText('doge-acc', fmtQty(pr.doge_accumulated, 2));
  setText('doge-acc-foot', isNum(pr.doge_accumulated) && isNum(price) ? '≈ ' + fmtUsd(pr.doge_accumulated * price) : 'DOGE');
}
