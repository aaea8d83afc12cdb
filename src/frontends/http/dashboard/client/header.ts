// The header (mode and paused badges, pair, window title) and the pause banner.
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

export function renderPauseBanner(s: StatusView): void {
  const banner = byId('pause-banner');
  banner.hidden = !s.paused;
  banner.textContent = s.paused
    ? 'Trading is paused' + (s.pause_reason ? ': ' + s.pause_reason : '') + '. Open buy orders are cancelled while paused.'
    : '';
}
