// The recent fills table (newest first, at most 20).
import type { FillRow, StatusView } from '../../../../ops/status-view.js';
import { el, sidePill, tableById, td, wideRow } from './dom.js';
import { MISSING, fmtLevel, fmtPrice, fmtQty, fmtTime, fmtUsd, signClass } from './format.js';

const COLUMNS = 7;
const SHOWN = 20;

function fillRow(f: FillRow): HTMLTableRowElement {
  const tr = el('tr', f.side === 'buy' ? 'buy' : 'sell');
  tr.setAttribute('data-testid', 'fill-row');
  tr.appendChild(td(fmtTime(f.time)));
  const side = td('');
  side.appendChild(sidePill(f.side));
  tr.appendChild(side);
  tr.appendChild(td(fmtPrice(f.price), 'n'));
  tr.appendChild(td(fmtQty(f.volume, 2), 'n hide-s'));
  tr.appendChild(td(fmtUsd(f.fee), 'n hide-s'));
  tr.appendChild(td(f.profit === null || f.profit === undefined ? MISSING : fmtUsd(f.profit, true), 'n ' + signClass(f.profit)));
  tr.appendChild(td(fmtLevel(f.level), 'n hide-s'));
  return tr;
}

export function renderFills(s: StatusView): void {
  const fills = Array.isArray(s.recent_fills) ? s.recent_fills.slice(0, SHOWN) : [];
  const rows = fills.map(fillRow);
  if (rows.length === 0) rows.push(wideRow('No fills yet', COLUMNS));
  tableById('fills').tBodies[0].replaceChildren(...rows);
}
