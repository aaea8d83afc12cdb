// The AI advisor panel: the last recommendation.
import type { StatusView } from '../../../../ops/status-view.js';
import { byId, el } from './dom.js';
import { COLORS, fmtTime, words } from './format.js';

export function renderAi(s: StatusView): void {
  const a = s.ai_recommendation;
  const box = byId('ai');
  if (!a) {
    box.replaceChildren(el('div', 'muted', 'No recommendation yet.'));
    return;
  }
  const head = el('div', 'a-head');
  head.appendChild(el('span', 'a-name', words(a.condition || '?')));
  const pill = el('span', 'pill', words(a.action || 'continue').toUpperCase());
  pill.style.color = a.action === 'continue' ? COLORS.green : a.action === 'pause' ? COLORS.red : COLORS.yellow;
  head.appendChild(pill);
  const meta = el('div', 'hint', fmtTime(a.time) + (a.status ? ' · ' + a.status : ''));
  box.replaceChildren(head, el('p', 'ai-reason', a.reason || ''), meta);
}
