// The 24 h price chart on a canvas: price line and area, grid levels,
// center, fills as triangles, the current price tag, and a hover readout.
import type { FillRow, GridRow, StatusView } from '../../../../ops/status-view.js';
import { byId, canvasById } from './dom.js';
import { fmtPrice, fmtTime, isNum } from './format.js';
import { timeTicks } from '../time-axis.js';
import { state } from './state.js';

type Point = [number, number];

/** Where a drawing puts things (scales and data), shared by its parts and the hover readout. */
interface Frame {
  hist: Point[];
  X: (t: number) => number;
  Y: (p: number) => number;
  t0: number;
  t1: number;
  w: number;
  h: number;
}

// Plot margins (CSS px): room for the price axis on the right and the time axis below.
const L = 8;
const R = 64;
const T = 10;
const B = 22;
const MUTED = '#8b98a9';
const GOLD = '#e3b341';

/** The price range to show: history and current price, stretched to the nearest grid level outside, and the center when close. */
function priceRange(s: StatusView, hist: Point[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of hist) {
    lo = Math.min(lo, p[1]);
    hi = Math.max(hi, p[1]);
  }
  const cur = s.price?.current;
  const center = s.price?.center;
  if (isNum(cur)) {
    lo = Math.min(lo, cur);
    hi = Math.max(hi, cur);
  }
  let above = Infinity;
  let below = -Infinity;
  for (const g of gridOf(s)) {
    if (!isNum(g.price)) continue;
    if (g.price >= hi && g.price < above) above = g.price;
    if (g.price <= lo && g.price > below) below = g.price;
  }
  if (isFinite(above)) hi = above;
  if (isFinite(below)) lo = below;
  if (isNum(center) && center > lo - (hi - lo) * 0.5 && center < hi + (hi - lo) * 0.5) {
    lo = Math.min(lo, center);
    hi = Math.max(hi, center);
  }
  const padY = (hi - lo) * 0.08 || hi * 0.01 || 1;
  return { lo: lo - padY, hi: hi + padY };
}

const gridOf = (s: StatusView): GridRow[] => (Array.isArray(s.grid) ? s.grid : []);

/** Sizes the canvas for the device pixel ratio; null when it is not laid out. */
function context(c: HTMLCanvasElement): { g: CanvasRenderingContext2D; w: number; h: number } | null {
  const w = c.clientWidth;
  const h = c.clientHeight;
  if (!w || !h) return null;
  const dpr = window.devicePixelRatio || 1;
  if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
    c.width = Math.round(w * dpr);
    c.height = Math.round(h * dpr);
  }
  const g = c.getContext('2d');
  if (!g) return null;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px system-ui, sans-serif';
  return { g, w, h };
}

function drawAxes(g: CanvasRenderingContext2D, f: Frame, lo: number, hi: number, cur: number | undefined): void {
  g.strokeStyle = 'rgba(139,152,169,.12)';
  g.lineWidth = 1;
  g.fillStyle = MUTED;
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  const tagY = isNum(cur) ? f.Y(cur) : -1e9;
  for (let k = 0; k <= 4; k++) {
    const pv = lo + ((hi - lo) * k) / 4;
    const y = Math.round(f.Y(pv)) + 0.5;
    g.beginPath();
    g.moveTo(L, y);
    g.lineTo(f.w - R, y);
    g.stroke();
    if (Math.abs(y - tagY) > 14) g.fillText(fmtPrice(pv), f.w - R + 6, y);
  }
  g.textBaseline = 'alphabetic';
  // nice local times for any span (a minute to thirty days), about one label per 90 px, never repeated
  const ticks = timeTicks(f.t0, f.t1, Math.max(2, Math.floor((f.w - L - R) / 90)), new Date(f.t1).getTimezoneOffset());
  for (const tk of ticks) {
    const x = f.X(tk.t);
    const half = g.measureText(tk.label).width / 2;
    g.textAlign = 'center';
    g.fillText(tk.label, Math.min(Math.max(x, L + half), f.w - R - half), f.h - 6);
  }
}

function drawLevels(g: CanvasRenderingContext2D, f: Frame, grid: GridRow[], center: number | undefined, lo: number, hi: number): void {
  g.setLineDash([4, 4]);
  for (const lv of grid) {
    if (!isNum(lv.price) || lv.price < lo || lv.price > hi) continue;
    const y = Math.round(f.Y(lv.price)) + 0.5;
    g.strokeStyle = lv.side === 'buy' ? 'rgba(63,185,80,.55)' : 'rgba(248,81,73,.55)';
    g.beginPath();
    g.moveTo(L, y);
    g.lineTo(f.w - R, y);
    g.stroke();
  }
  if (isNum(center) && center >= lo && center <= hi) {
    g.setLineDash([2, 3]);
    g.strokeStyle = 'rgba(154,167,184,.8)';
    const y = Math.round(f.Y(center)) + 0.5;
    g.beginPath();
    g.moveTo(L, y);
    g.lineTo(f.w - R, y);
    g.stroke();
    g.fillStyle = '#9aa7b8';
    g.textAlign = 'left';
    g.textBaseline = 'bottom';
    g.fillText('center', L + 2, y - 2);
  }
  g.setLineDash([]);
}

function tracePrice(g: CanvasRenderingContext2D, f: Frame): void {
  g.beginPath();
  g.moveTo(f.X(f.hist[0][0]), f.Y(f.hist[0][1]));
  for (let n = 1; n < f.hist.length; n++) g.lineTo(f.X(f.hist[n][0]), f.Y(f.hist[n][1]));
}

function drawPrice(g: CanvasRenderingContext2D, f: Frame): void {
  const grad = g.createLinearGradient(0, T, 0, f.h - B);
  grad.addColorStop(0, 'rgba(227,179,65,.28)');
  grad.addColorStop(1, 'rgba(227,179,65,0)');
  tracePrice(g, f);
  g.lineTo(f.X(f.hist[f.hist.length - 1][0]), f.h - B);
  g.lineTo(f.X(f.hist[0][0]), f.h - B);
  g.closePath();
  g.fillStyle = grad;
  g.fill();
  tracePrice(g, f);
  g.strokeStyle = GOLD;
  g.lineWidth = 1.6;
  g.lineJoin = 'round';
  g.stroke();
}

function drawFills(g: CanvasRenderingContext2D, f: Frame, fills: FillRow[], lo: number, hi: number): void {
  for (const fl of fills) {
    const ft = Date.parse(fl.time);
    if (!isNum(ft) || ft < f.t0 || ft > f.t1 || !isNum(fl.price) || fl.price < lo || fl.price > hi) continue;
    const x = f.X(ft);
    const y = f.Y(fl.price);
    const up = fl.side === 'buy';
    g.beginPath();
    if (up) {
      g.moveTo(x, y - 6);
      g.lineTo(x - 5, y + 4);
      g.lineTo(x + 5, y + 4);
    } else {
      g.moveTo(x, y + 6);
      g.lineTo(x - 5, y - 4);
      g.lineTo(x + 5, y - 4);
    }
    g.closePath();
    g.fillStyle = up ? '#3fb950' : '#f85149';
    g.fill();
    g.strokeStyle = '#0b0f14';
    g.lineWidth = 1;
    g.stroke();
  }
}

function drawPriceTag(g: CanvasRenderingContext2D, f: Frame, cur: number): void {
  const y = f.Y(cur);
  const x = f.X(f.hist[f.hist.length - 1][0]);
  g.beginPath();
  g.arc(x, y, 3.5, 0, Math.PI * 2);
  g.fillStyle = GOLD;
  g.fill();
  g.fillRect(f.w - R + 2, y - 9, R - 4, 18);
  g.fillStyle = '#1a1405';
  g.textAlign = 'left';
  g.textBaseline = 'middle';
  g.font = 'bold 11px system-ui, sans-serif';
  g.fillText(fmtPrice(cur), f.w - R + 6, y);
}

function historyOf(s: StatusView): Point[] {
  const raw: unknown[] = Array.isArray(s.price_history) ? s.price_history : [];
  return raw.filter((p): p is Point => Array.isArray(p) && isNum(p[0]) && isNum(p[1]));
}

export function drawChart(): void {
  const s = state.last;
  if (!s) return;
  const canvas = canvasById('chart');
  const ctx = context(canvas);
  if (!ctx) return;
  const { g, w, h } = ctx;
  const hist = historyOf(s);
  if (hist.length < 2) {
    g.fillStyle = MUTED;
    g.textAlign = 'center';
    g.fillText('Collecting price history…', w / 2, h / 2);
    return;
  }
  const t0 = hist[0][0];
  const t1 = Math.max(hist[hist.length - 1][0], t0 + 1);
  const { lo, hi } = priceRange(s, hist);
  const f: Frame = {
    hist, t0, t1, w, h,
    X: (t) => L + ((t - t0) / (t1 - t0)) * (w - L - R),
    Y: (p) => T + ((hi - p) / (hi - lo)) * (h - T - B),
  };
  const cur = s.price?.current;
  drawAxes(g, f, lo, hi, cur);
  drawLevels(g, f, gridOf(s), s.price?.center, lo, hi);
  drawPrice(g, f);
  drawFills(g, f, Array.isArray(s.recent_fills) ? s.recent_fills : [], lo, hi);
  if (isNum(cur)) drawPriceTag(g, f, cur);
  if (state.hoverX !== null) drawHover(g, f, state.hoverX);
}

/** The history point nearest to time t (binary search). */
function nearest(hist: Point[], t: number): Point {
  let a = 0;
  let b = hist.length - 1;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (hist[mid][0] < t) a = mid;
    else b = mid;
  }
  return Math.abs(hist[a][0] - t) < Math.abs(hist[b][0] - t) ? hist[a] : hist[b];
}

function drawHover(g: CanvasRenderingContext2D, f: Frame, hoverX: number): void {
  const tip = byId('chart-tip');
  const p = nearest(f.hist, f.t0 + ((hoverX - L) / (f.w - L - R)) * (f.t1 - f.t0));
  const x = f.X(p[0]);
  const y = f.Y(p[1]);
  g.strokeStyle = 'rgba(230,237,243,.35)';
  g.setLineDash([3, 3]);
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(x, T);
  g.lineTo(x, f.h - B);
  g.stroke();
  g.setLineDash([]);
  g.beginPath();
  g.arc(x, y, 4, 0, Math.PI * 2);
  g.fillStyle = '#e6edf3';
  g.fill();
  tip.textContent = fmtTime(p[0]) + '  ·  ' + fmtPrice(p[1]);
  tip.hidden = false;
  let left = x + 12;
  if (left + tip.offsetWidth > f.w - R) left = x - 12 - tip.offsetWidth;
  tip.style.left = Math.max(0, left) + 'px';
  tip.style.top = Math.max(0, y - 30) + 'px';
}

function onHover(ev: MouseEvent | TouchEvent): void {
  const rect = canvasById('chart').getBoundingClientRect();
  const clientX = 'touches' in ev ? ev.touches[0]?.clientX : ev.clientX;
  if (clientX === undefined) return;
  state.hoverX = clientX - rect.left;
  drawChart();
}

function endHover(): void {
  state.hoverX = null;
  byId('chart-tip').hidden = true;
  drawChart();
}

/** Hover and touch readout, and a redraw when the window is resized. */
export function bindChart(): void {
  const c = canvasById('chart');
  c.addEventListener('mousemove', onHover);
  c.addEventListener('mouseleave', endHover);
  c.addEventListener('touchstart', onHover, { passive: true });
  c.addEventListener('touchmove', onHover, { passive: true });
  c.addEventListener('touchend', endHover);
  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(drawChart, 100);
  });
}
