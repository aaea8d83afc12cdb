// The period panels: equity against the hold benchmark over the whole history
// (one point per day's close, the running day valued now) and the table of
// days, weeks or months, both from GET api/periods. Read every 30 s (and at
// once when another period length is chosen), not every status refresh.
import type { PeriodKind, PeriodRowView, PeriodsView } from '../../../../ops/report-views.js';
import { byId, canvasById, el, tableById, td, wideRow } from './dom.js';
import { MISSING, fmtUsd, isNum, signClass } from './format.js';

const REFETCH_MS = 30_000;
const COLUMNS = 6;
const BLUE = '#58a6ff';
const GREY = '#9aa7b8';
const MUTED = '#8b98a9';

const page: { kind: PeriodKind; days: PeriodsView | null; table: PeriodsView | null; fetchedAt: number; inflight: boolean; failed: boolean } = {
  kind: 'day',
  failed: false,
  days: null,
  table: null,
  fetchedAt: 0,
  inflight: false,
};

async function getPeriods(kind: PeriodKind): Promise<PeriodsView> {
  const r = await fetch('api/periods?kind=' + kind, { cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!r.ok) throw new Error('HTTP ' + r.status);
  const v: unknown = await r.json();
  if (!v || typeof v !== 'object' || !Array.isArray((v as PeriodsView).rows)) throw new Error('bad answer');
  return v as PeriodsView;
}

function label(kind: PeriodKind, r: PeriodRowView): string {
  if (kind === 'week') return r.period + ' (' + r.from.slice(5) + ' → ' + r.to.slice(5) + ')';
  return r.period;
}

function periodRow(kind: PeriodKind, r: PeriodRowView): HTMLTableRowElement {
  const tr = el('tr', r.open ? 'open' : null);
  tr.setAttribute('data-testid', 'period-row');
  const name = td(label(kind, r) + (r.open ? ' · so far' : ''));
  name.title = 'from ' + r.from + ' to ' + r.to + ' · ' + (r.fills === null ? 'unknown' : r.fills) + ' fills · source: ' + r.source;
  tr.appendChild(name);
  tr.appendChild(td(r.round_trips === null ? MISSING : String(r.round_trips), 'n'));
  tr.appendChild(td(fmtUsd(r.grid_profit, true), 'n ' + signClass(r.grid_profit)));
  tr.appendChild(td(fmtUsd(r.fees), 'n hide-s'));
  tr.appendChild(td(r.equity === null ? MISSING : fmtUsd(r.equity), 'n'));
  tr.appendChild(td(r.vs_hold === null ? MISSING : fmtUsd(r.vs_hold, true), 'n ' + signClass(r.vs_hold)));
  return tr;
}

function renderTable(): void {
  const v = page.table;
  const rows = v ? v.rows.slice().reverse().map((r) => periodRow(v.kind, r)) : [];
  if (rows.length === 0) rows.push(wideRow(v ? 'No trading yet' : page.failed ? 'Periods unavailable (the bot did not answer api/periods)' : 'Loading…', COLUMNS));
  tableById('periods').tBodies[0].replaceChildren(...rows);
  byId('periods-notes').textContent = v && v.notes.length ? v.notes.join(' ') + ' Unknown figures show as ' + MISSING + '.' : '';
}

type Point = { t: number; equity: number | null; hold: number | null };

/** The start (both lines at the starting capital), then each day's close; the running day is valued now. */
function points(v: PeriodsView): Point[] {
  const out: Point[] = [];
  const first = v.rows[0];
  if (first) out.push({ t: Date.parse(first.from + 'T00:00:00Z'), equity: v.starting_capital, hold: v.starting_capital });
  for (const r of v.rows) out.push({ t: Date.parse(r.to + 'T00:00:00Z') + 86400_000, equity: r.equity, hold: r.hold });
  return out.filter((p) => isNum(p.t));
}

function line(g: CanvasRenderingContext2D, pts: Point[], key: 'equity' | 'hold', X: (t: number) => number, Y: (v: number) => number): void {
  g.beginPath();
  let pen = false;
  for (const p of pts) {
    const v = p[key];
    if (!isNum(v)) {
      pen = false; // unknown: a gap, never a drop to zero
      continue;
    }
    if (pen) g.lineTo(X(p.t), Y(v));
    else g.moveTo(X(p.t), Y(v));
    pen = true;
  }
  g.stroke();
}

function sized(c: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } | null {
  const w = c.clientWidth;
  const h = c.clientHeight;
  const g = c.getContext('2d');
  if (!w || !h || !g) return null;
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  return { g, w, h };
}

function drawAxes(g: CanvasRenderingContext2D, w: number, h: number, lo: number, hi: number, t0: number, t1: number, Y: (v: number) => number): void {
  g.fillStyle = MUTED;
  g.strokeStyle = 'rgba(139,152,169,.12)';
  g.textBaseline = 'middle';
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    const y = Math.round(Y(v)) + 0.5;
    g.beginPath();
    g.moveTo(8, y);
    g.lineTo(w - 64, y);
    g.stroke();
    g.fillText('$' + v.toFixed(2), w - 58, y);
  }
  g.textBaseline = 'alphabetic';
  g.textAlign = 'left';
  g.fillText(new Date(t0).toISOString().slice(0, 10), 8, h - 6);
  g.textAlign = 'right';
  g.fillText(new Date(t1).toISOString().slice(0, 10), w - 64, h - 6);
}

export function drawEquityChart(): void {
  const v = page.days;
  const c = sized(canvasById('equity-chart'));
  if (!c || !v) return;
  const { g, w, h } = c;
  const pts = points(v);
  const values = pts.flatMap((p) => [p.equity, p.hold]).filter(isNum);
  if (pts.length < 2 || values.length < 2) {
    g.fillStyle = MUTED;
    g.textAlign = 'center';
    g.fillText('Equity against holding appears once the bot has a price.', w / 2, h / 2);
    return;
  }
  const t0 = pts[0].t;
  const t1 = Math.max(pts[pts.length - 1].t, t0 + 1);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  const pad = (hi - lo) * 0.1 || hi * 0.01 || 1;
  lo -= pad;
  hi += pad;
  const X = (t: number) => 8 + ((t - t0) / (t1 - t0)) * (w - 72);
  const Y = (x: number) => 10 + ((hi - x) / (hi - lo)) * (h - 32);
  drawAxes(g, w, h, lo, hi, t0, t1, Y);
  g.lineWidth = 1.6;
  g.setLineDash([5, 4]);
  g.strokeStyle = GREY;
  line(g, pts, 'hold', X, Y);
  g.setLineDash([]);
  g.strokeStyle = BLUE;
  line(g, pts, 'equity', X, Y);
  const now = v.rows[v.rows.length - 1];
  if (now && isNum(now.vs_hold)) byId('equity-hold-summary').textContent = 'now ' + fmtUsd(now.vs_hold, true) + ' vs holding · ' + v.rows.length + ' days';
}

async function load(): Promise<void> {
  if (page.inflight) return;
  page.inflight = true;
  page.fetchedAt = Date.now();
  try {
    const days = await getPeriods('day');
    page.days = days;
    page.table = page.kind === 'day' ? days : await getPeriods(page.kind);
    page.failed = false;
  } catch {
    page.failed = true;
  } finally {
    page.inflight = false;
  }
  renderTable();
  drawEquityChart();
  // Another length was chosen while this read was under way.
  if (!page.failed && page.table && page.table.kind !== page.kind) void load();
}

/** Called on every status refresh: reads the periods again when they are older than REFETCH_MS. */
export function renderPeriods(): void {
  if (Date.now() - page.fetchedAt >= REFETCH_MS) void load();
}

function choose(kind: PeriodKind): void {
  page.kind = kind;
  for (const b of Array.from(byId('periods-panel').querySelectorAll('button[data-kind]'))) {
    const on = b.getAttribute('data-kind') === kind;
    b.classList.toggle('on', on);
    b.setAttribute('aria-pressed', String(on));
  }
  page.fetchedAt = 0;
  void load();
}

/** The Days / Weeks / Months buttons, and a redraw when the window is resized. */
export function bindPeriods(): void {
  for (const b of Array.from(byId('periods-panel').querySelectorAll('button[data-kind]'))) {
    const kind = b.getAttribute('data-kind');
    if (kind === 'day' || kind === 'week' || kind === 'month') b.addEventListener('click', () => choose(kind));
  }
  let timer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(timer);
    timer = setTimeout(drawEquityChart, 100);
  });
}
