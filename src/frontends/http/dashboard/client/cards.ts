// The six summary cards: price, grid center, today's and total P&L, round trips, DOGE accumulated.
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

export function renderProfitCards(s: StatusView): void {
  const pr: Partial<StatusView['profit']> = s.profit ?? {};
  const price = s.price?.current;
  setText('pnl-today', fmtUsd(pr.today, true), signClass(pr.today));
  setText('pnl-today-foot', (isNum(pr.round_trips_today) ? pr.round_trips_today : 0) + ' round trips today');
  setText('pnl-total', fmtUsd(pr.total, true), signClass(pr.total));
  const equity = s.ledger?.equity;
  setText('pnl-total-foot', (isNum(equity) ? 'equity ' + fmtUsd(equity) + ' · ' : '') + 'fees ' + fmtUsd(pr.fees));
  setText('round-trips', isNum(pr.round_trips) ? String(pr.round_trips) : MISSING);
  setText('round-trips-foot', isNum(pr.round_trips_today) ? pr.round_trips_today + ' today' : '');
  setText('doge-acc', fmtQty(pr.doge_accumulated, 2));
  setText('doge-acc-foot', isNum(pr.doge_accumulated) && isNum(price) ? '≈ ' + fmtUsd(pr.doge_accumulated * price) : 'DOGE');
}
