// The trend panel: buy/sell split bar with the ratio marker, source, fill counts.
import type { StatusView } from '../../../../ops/status-view.js';
import { byId, setText } from './dom.js';
import { fixed, fmtPct, isNum } from './format.js';

const count = (x: unknown): number => (isNum(x) ? x : 0);

export function renderTrend(s: StatusView): void {
  const t: Partial<StatusView['trend']> = s.trend ?? {};
  const buy = isNum(t.buy_pct) ? t.buy_pct : 50;
  const sell = isNum(t.sell_pct) ? t.sell_pct : 100 - buy;
  const total = buy + sell > 0 ? buy + sell : 100;
  byId('trend-buy').style.width = (buy / total) * 100 + '%';
  byId('trend-sell').style.width = (sell / total) * 100 + '%';
  const ratio = isNum(t.ratio) ? t.ratio : 0.5;
  byId('trend-marker').style.left = 'calc(' + Math.min(100, Math.max(0, ratio * 100)) + '% - 1px)';
  setText('trend-buy-pct', 'Buys ' + fmtPct(buy, 0));
  setText('trend-sell-pct', 'Sells ' + fmtPct(sell, 0));
  setText('trend-ratio', fixed(t.ratio, 2));
  setText('trend-source', t.source === 'manual' ? 'manual override' : 'auto (from fills)');
  setText('trend-12h', count(t.buy_12h) + ' buys · ' + count(t.sell_12h) + ' sells');
  setText('trend-grid', count(t.grid_buys) + ' buys · ' + count(t.grid_sells) + ' sells');
}
