// The grid ladder: one row per order, price descending, with a marker row
// where the current price falls. Scrolls the marker into view when the
// ladder's prices change.
import type { GridRow, StatusView } from '../../../../ops/status-view.js';
import { byId, el, setText, sidePill, tableById, td, wideRow } from './dom.js';
import { MISSING, fixed, fmtLevel, fmtPct, fmtPrice, fmtQty, fmtUsd, isNum } from './format.js';
import { state } from './state.js';

const COLUMNS = 7;

function markerRow(price: number | undefined): HTMLTableRowElement {
  const tr = el('tr', 'marker');
  tr.id = 'ladder-marker';
  tr.setAttribute('data-testid', 'price-marker');
  const cell = el('td', null, '▶ ' + fmtPrice(price) + '  current price');
  cell.colSpan = COLUMNS;
  tr.appendChild(cell);
  return tr;
}

function levelRow(g: GridRow, price: number | undefined): HTMLTableRowElement {
  const tr = el('tr', g.side === 'buy' ? 'buy' : 'sell');
  if (g.status && g.status !== 'open') tr.classList.add('filled');
  tr.setAttribute('data-testid', 'ladder-row');
  tr.appendChild(td(fmtLevel(g.level), 'n'));
  const side = td('', 'side');
  side.appendChild(sidePill(g.side));
  tr.appendChild(side);
  tr.appendChild(td(fmtPrice(g.price), 'n px'));
  tr.appendChild(td(fmtQty(g.volume, 2), 'n'));
  tr.appendChild(td(isNum(g.volume) && isNum(g.price) ? fmtUsd(g.volume * g.price) : MISSING, 'n hide-s'));
  tr.appendChild(td(isNum(price) && price > 0 ? fmtPct(((g.price - price) / price) * 100, 2, true) : MISSING, 'n'));
  tr.appendChild(td(g.status || '', 'hide-s muted'));
  return tr;
}

export function renderLadder(s: StatusView): void {
  const body = tableById('ladder').tBodies[0];
  const grid = Array.isArray(s.grid) ? s.grid : [];
  const price = s.price?.current;
  let rows: HTMLTableRowElement[] = [];
  let markerDone = !isNum(price);
  let buys = 0;
  let sells = 0;
  for (const g of grid) {
    if (!markerDone && isNum(g.price) && isNum(price) && g.price < price) {
      rows.push(markerRow(price));
      markerDone = true;
    }
    if (g.side === 'buy') buys++;
    else if (g.side === 'sell') sells++;
    rows.push(levelRow(g, price));
  }
  if (!markerDone) rows.push(markerRow(price));
  if (grid.length === 0) rows = [wideRow('No grid orders yet', COLUMNS)];
  body.replaceChildren(...rows);
  setText('ladder-summary', buys + ' buys · ' + sells + ' sells · spacing ' + fixed(s.config?.spacing_pct, 2) + '%');
  scrollToMarker(grid);
}

function scrollToMarker(grid: GridRow[]): void {
  const sig = grid.map((g) => g.price).join(',');
  if (sig === state.ladderSig) return;
  state.ladderSig = sig;
  const marker = document.getElementById('ladder-marker');
  const box = byId('ladder-scroll');
  if (marker) box.scrollTop = Math.max(0, marker.offsetTop - box.clientHeight / 2);
}
