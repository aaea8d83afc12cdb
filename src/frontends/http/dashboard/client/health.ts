// The health banner and the analyzer cards.
import type { AnalyzerView, StatusView } from '../../../../ops/status-view.js';
import { byId, el, setText } from './dom.js';
import { MISSING, colorOf, isNum, words } from './format.js';

export function renderHealth(s: StatusView): void {
  const health = s.stats?.health;
  const color = colorOf(health ? health.color : 'gray');
  byId('health').style.borderLeftColor = color;
  const verdict = byId('health-verdict');
  verdict.textContent = words(health ? health.verdict : 'calibrating').toUpperCase();
  verdict.style.color = color;
  setText('health-summary', health ? health.summary || '' : 'The analyzers are waiting for enough data.');
}

/** Confidence as a fraction 0–1 (analyzers may report 0–1 or 0–100). */
function confidence(x: unknown): number {
  return isNum(x) ? Math.max(0, Math.min(1, x > 1 ? x / 100 : x)) : 0;
}

function detailList(detail: AnalyzerView['detail']): HTMLDetailsElement | null {
  const keys = detail && typeof detail === 'object' ? Object.keys(detail) : [];
  if (keys.length === 0) return null;
  const details = el('details');
  const dl = el('dl');
  details.appendChild(el('summary', null, 'Details'));
  for (const key of keys) {
    const v = detail[key];
    dl.appendChild(el('dt', null, words(key)));
    dl.appendChild(el('dd', null, isNum(v) ? String(+v.toPrecision(6)) : v === null || v === undefined ? MISSING : String(v)));
  }
  details.appendChild(dl);
  return details;
}

function analyzerCard(a: AnalyzerView): HTMLDivElement {
  const color = colorOf(a.color);
  const card = el('div', 'analyzer');
  card.setAttribute('data-testid', 'analyzer-card');
  card.style.borderLeftColor = color;
  const head = el('div', 'a-head');
  const name = el('span', 'a-name', a.label || a.name);
  name.title = a.name; // the code name, as in the JSON
  head.appendChild(name);
  const pill = el('span', 'pill', words(a.verdict).toUpperCase());
  pill.style.color = color;
  head.appendChild(pill);
  card.appendChild(head);
  const pct = (confidence(a.confidence) * 100).toFixed(0) + '%';
  const conf = el('div', 'conf');
  const bar = el('div', 'conf-bar');
  const fill = el('span');
  fill.style.width = pct;
  bar.appendChild(fill);
  conf.append(bar, el('span', null, 'confidence ' + pct));
  card.appendChild(conf);
  card.appendChild(el('p', 'a-summary', a.summary || ''));
  const details = detailList(a.detail);
  if (details) card.appendChild(details);
  return card;
}

export function renderAnalyzers(s: StatusView): void {
  const list = s.stats && Array.isArray(s.stats.analyzers) ? s.stats.analyzers : [];
  const cards: HTMLElement[] = list.map(analyzerCard);
  if (cards.length === 0) cards.push(el('div', 'muted', 'No analyzer results yet.'));
  byId('analyzers').replaceChildren(...cards);
}
