// The header (mode and paused badges, pair, window title) and the status banner
// (not trading, paused, rebuild in progress).
import type { StatusView } from '../../../../ops/status-view.js';
import { byId, setText } from './dom.js';
import { fmtPrice, isNum } from './format.js';

export function renderHeader(s: StatusView): void {
  const live = s.mode === 'live';
  const badge = byId('mode-badge');
  badge.textContent = live ? 'LIVE' : 'DRY RUN';
  badge.className = 'badge ' + (live ? 'live' : 'dry');
  byId('paused-badge').hidden = !s.paused;
  setText('pair', s.pair || '');
  const price = s.price?.current;
  document.title = (isNum(price) ? fmtPrice(price) + ' · ' : '') + 'DOGE grid bot' + (live ? '' : ' (dry run)');
}

/** One banner for what an operator must know first: not trading (and why), paused, or a rebuild under way. */
export function renderPauseBanner(s: StatusView): void {
  const banner = byId('pause-banner');
  const lines: string[] = [];
  if (s.not_trading) lines.push('Not trading: ' + s.not_trading + '.');
  if (s.paused) lines.push('Trading is paused' + (s.pause_reason ? ': ' + s.pause_reason : '') + '. Open buy orders are cancelled while paused.');
  if (s.rebuild) lines.push(s.rebuild.text.charAt(0).toUpperCase() + s.rebuild.text.slice(1) + '.');
  if (s.start_wait) lines.push('No grid yet: ' + s.start_wait.text + '.');
  if (s.exit && s.exit.phase !== 'done') lines.push('Stopped: ' + s.exit.text + '.');
  banner.hidden = lines.length === 0;
  banner.textContent = lines.join(' ');
}
