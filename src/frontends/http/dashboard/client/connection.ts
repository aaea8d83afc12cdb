// The clock-driven parts: uptime, time since the last tick, the connection
// badge and the "bot unreachable" banner. Runs every second and after each refresh.
import { byId, setText } from './dom.js';
import { ago, fmtDuration, fmtTime } from './format.js';
import { state } from './state.js';
import type { StatusView } from '../../../../ops/status-view.js';

/** The Kraken stream in a few words (same wording as Telegram /status). */
function streamLine(s: StatusView['stream']): string {
  if (!s || s.state === 'rest_only') return 'REST only';
  return s.state + (s.last_message_age_s === null ? '' : ' (last message ' + s.last_message_age_s + ' s ago)');
}

export function tickClock(): void {
  const now = Date.now();
  const last = state.last;
  if (last) {
    // While the bot does not answer, its uptime is unknown: keep the last figure.
    if (!state.failingSince) setText('uptime', fmtDuration((last.uptime || 0) + (now - state.fetchedAt) / 1000));
    setText('last-tick', last.last_tick ? ago(now - Date.parse(last.last_tick)) : 'not yet');
    setText('stream', streamLine(last.stream));
  }
  if (state.failingSince) renderUnreachable(now);
  else renderReachable(now);
}

function renderUnreachable(now: number): void {
  const conn = byId('conn');
  conn.className = 'conn bad';
  conn.textContent = 'unreachable';
  byId('unreachable').hidden = false;
  setText(
    'unreachable-text',
    'Bot unreachable (' + state.failReason + ') since ' + fmtTime(state.failingSince) + '. ' +
      (state.lastOkAt ? 'Showing data from ' + ago(now - state.lastOkAt) + '. ' : '') +
      'Retrying every ' + Math.round(state.refreshMs / 1000) + ' s.',
  );
  document.body.classList.add('stale');
}

function renderReachable(now: number): void {
  byId('unreachable').hidden = true;
  document.body.classList.remove('stale');
  if (state.lastOkAt) {
    const conn = byId('conn');
    conn.className = 'conn';
    conn.textContent = 'updated ' + ago(now - state.lastOkAt);
  }
}
