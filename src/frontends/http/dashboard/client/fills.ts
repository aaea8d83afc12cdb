// The recent fills table (newest first, at most 20).
import type { FillRow, StatusView } from '../../../../ops/status-view.js';
import { el, sidePill, tableById, td, wideRow } from './dom.js';
import { MISSING, fmtLevel, fmtPrice, fmtQty, fmtTime, fmtUsd, pad, signClass } from './format.js';

const COLUMNS = 7;
const SHOWN = 20;

function fillRow(f: FillRow): HTMLTableRowElement {
  const tr = el('tr', f.side === 'buy' ? 'buy' : 'sell');
  tr.setAttribute('data-testid', 'fill-row');
  const time = td(fmtTime(f.time));
  const at = new Date(f.time);
  if (!isNaN(at.getTime())) time.title = at.toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
  tr.appendChild(time);
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

/** The viewer's zone as an offset, e.g. "UTC+01:00": fill times are shown in local time and must say so. */
export function zoneLabel(now = new Date()): string {
  const off = -now.getTimezoneOffset();
  const sign = off < 0 ? '−' : '+';
  const abs = Math.abs(off);
  return 'UTC' + sign + pad(Math.floor(abs / 60)) + ':' + pad(abs % 60);
}

export function renderFills(s: StatusView): void {
  const head = tableById('fills').tHead?.rows[0]?.cells[0];
  if (head) head.textContent = 'Time (' + zoneLabel() + ')';
  const fills = Array.isArray(s.recent_fills) ? s.recent_fills.slice(0, SHOWN) : [];
  const rows = fills.map(fillRow);
  if (rows.length === 0) rows.push(wideRow('No fills yet', COLUMNS));
  tableById('fills').tBodies[0].replaceChildren(...rows);
}
