// The controls panel as the status describes it: read-only or not, the
// token note, current values, and every bound from status.limits (the input
// min/max attributes and the hints), so the page restates no number.
import type { LimitsView } from '../../../../core/limits.js';
import type { StatusView } from '../../../../ops/status-view.js';
import { buttonById, byId, inputById, setText } from './dom.js';
import { MISSING, fixed, fmtDuration, fmtPct, isNum, plain } from './format.js';
import { state, type ControlName } from './state.js';
import { haveToken } from './token.js';

const INPUT_IDS = ['spacing-input', 'ratio-input', 'interval-input'];
export const BUTTON_IDS = ['spacing-apply', 'ratio-apply', 'ratio-auto', 'interval-apply', 'modes-apply', 'suggest-run'];
const SELECT_IDS = ['grid-mode-select', 'spacing-mode-select'];

type Range = LimitsView['spacing'] | undefined;

/** Sets (or clears) an input's min and max attributes from a range of status.limits. */
function setBounds(name: ControlName, range: Range): void {
  const input = inputById(name + '-input');
  input.min = range && isNum(range.min) ? String(range.min) : '';
  input.max = range && isNum(range.max) ? String(range.max) : '';
}

/** "a – b" with an optional unit, or '' when the range is unknown. */
function rangeText(range: Range, unit = ''): string {
  return range ? ' · ' + plain(range.min) + ' – ' + plain(range.max) + unit : '';
}

function controlsNote(mode: StatusView['config']['controls']): string {
  if (mode === 'read_only') {
    return "Read-only: the bot runs LIVE without a dashboard token. Set DASHBOARD_TOKEN in the bot's environment to allow changes from this page.";
  }
  if (mode === 'token') {
    return haveToken()
      ? 'Changes are authorised with your dashboard token (kept for this tab only).'
      : 'Changes need the dashboard token; you will be asked for it once.';
  }
  return 'Dry run without a token: anyone who can open this page can change these settings.';
}

/** Puts the bot's value into an input unless the operator is editing it. */
function fillInput(name: ControlName, v: unknown): void {
  const input = inputById(name + '-input');
  if (!state.dirty[name] && document.activeElement !== input && isNum(v)) input.value = String(+v.toFixed(6));
}

export function renderControls(s: StatusView): void {
  const c: Partial<StatusView['config']> = s.config ?? {};
  const t: Partial<StatusView['trend']> = s.trend ?? {};
  const limits: Partial<LimitsView> = s.limits ?? {};
  const mode = c.controls || 'open';
  const readOnly = mode === 'read_only';
  for (const id of INPUT_IDS) inputById(id).disabled = readOnly;
  for (const id of BUTTON_IDS) buttonById(id).disabled = readOnly;
  for (const id of SELECT_IDS) (byId(id) as HTMLSelectElement).disabled = readOnly;
  const note = byId('controls-note');
  note.className = 'note' + (readOnly ? ' ro' : '');
  note.textContent = controlsNote(mode);
  byId('forget-token').hidden = !(mode === 'token' && haveToken());

  setBounds('spacing', limits.spacing);
  setBounds('ratio', limits.ratio);
  setBounds('interval', limits.interval);
  const spacing = limits.spacing;
  setText('spacing-hint', 'current ' + fmtPct(c.spacing_pct, 2) + (spacing ? ' · min ' + fmtPct(spacing.min, 2) + ' · max ' + plain(spacing.max) + '%' : ''));
  setText('ratio-hint', 'current ' + fixed(t.ratio, 2) + ' · ' + (t.source === 'manual' ? 'manual override' : 'auto') + rangeText(limits.ratio));
  setText('interval-hint', 'current ' + (isNum(c.ai_interval) ? c.ai_interval + ' s (' + fmtDuration(c.ai_interval) + ')' : MISSING) + rangeText(limits.interval, ' s'));
  fillInput('spacing', c.spacing_pct);
  fillInput('ratio', t.ratio);
  fillInput('interval', c.ai_interval);
  renderModes(c);
}

/** The grid and spacing mode selects, and their hint (trail limits, moves so far). */
function renderModes(c: Partial<StatusView['config']>): void {
  const limit = (x: unknown): string => (isNum(x) ? plain(x) : 'none');
  setText('modes-hint', 'current ' + (c.grid_mode ?? MISSING) + ' · ' + (c.spacing_mode ?? MISSING) + (c.grid_mode === 'trailing' ? ' · trail limits ' + limit(c.trail_down_limit) + ' – ' + limit(c.trail_up_limit) + ' · ' + (c.trail_moves ?? 0) + ' moves' : ''));
  if (state.modesDirty) return;
  const grid = byId('grid-mode-select') as HTMLSelectElement;
  const spacing = byId('spacing-mode-select') as HTMLSelectElement;
  if (c.grid_mode && document.activeElement !== grid) grid.value = c.grid_mode;
  if (c.spacing_mode && document.activeElement !== spacing) spacing.value = c.spacing_mode;
}
