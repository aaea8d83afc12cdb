// The refresh loop: GET api/status every few seconds, render every panel
// (each one on its own, so one failing panel leaves the others updated).
import type { StatusView } from '../../../../ops/status-view.js';
import { renderAi } from './ai.js';
import { renderEquityHeadline, renderPriceCards, renderProfitCards } from './cards.js';
import { drawChart } from './chart.js';
import { tickClock } from './connection.js';
import { renderControls } from './controls.js';
import { renderFills } from './fills.js';
import { renderHeader, renderPauseBanner } from './header.js';
import { renderAnalyzers, renderHealth } from './health.js';
import { renderLadder } from './ladder.js';
import { renderParams } from './params.js';
import { renderPeriods } from './periods.js';
import { renderRules } from './rules.js';
import { state } from './state.js';
import { renderTrend } from './trend.js';

const PANELS: ((s: StatusView) => void)[] = [
  renderHeader,
  renderPauseBanner,
  renderEquityHeadline,
  renderPriceCards,
  renderProfitCards,
  renderLadder,
  renderTrend,
  renderParams,
  renderAi,
  renderControls,
  renderRules,
  renderFills,
  renderHealth,
  renderAnalyzers,
  drawChart,
  renderPeriods,
];

export function render(s: StatusView): void {
  for (const panel of PANELS) {
    try {
      panel(s);
    } catch (e) {
      console.warn('render failed', e);
    }
  }
  tickClock();
}

/** The next refresh in `ms` (default: the refresh period). */
export function schedule(ms?: number): void {
  clearTimeout(state.timer);
  state.timer = setTimeout(refresh, ms ?? state.refreshMs);
}

function failureReason(e: unknown): string {
  // An abort is a DOMException, which not every browser makes an Error.
  const err = typeof e === 'object' && e !== null ? (e as { name?: unknown; message?: unknown }) : {};
  if (err.name === 'AbortError') return 'timeout';
  if (typeof err.message === 'string' && /^HTTP /.test(err.message)) return err.message;
  return 'no connection';
}

async function fetchStatus(signal: AbortSignal): Promise<StatusView> {
  const r = await fetch('api/status', { cache: 'no-store', headers: { Accept: 'application/json' }, signal });
  if (!r.ok) throw new Error('HTTP ' + r.status);
  const s: unknown = await r.json();
  if (!s || typeof s !== 'object') throw new Error('bad answer');
  return s as StatusView;
}

export async function refresh(): Promise<void> {
  if (state.inflight) return;
  state.inflight = true;
  const ctl = new AbortController();
  const timeout = setTimeout(() => ctl.abort(), Math.max(3000, state.refreshMs - 500));
  try {
    const s = await fetchStatus(ctl.signal);
    state.last = s;
    state.lastOkAt = state.fetchedAt = Date.now();
    state.failingSince = 0;
    render(s);
  } catch (e) {
    if (!state.failingSince) state.failingSince = Date.now();
    state.failReason = failureReason(e);
    tickClock();
  } finally {
    clearTimeout(timeout);
    state.inflight = false;
    schedule();
  }
}
