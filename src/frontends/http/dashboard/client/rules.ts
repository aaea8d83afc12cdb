// The start and exit rules and the profit policy (issue 14) on the page: the
// values in force from status.config, and one form that sends only what the
// operator changed (POST api/config start_price, take_profit, stop_action,
// profit_mode; empty price fields mean "off").
import type { StatusView } from '../../../../ops/status-view.js';
import { byIdAs, formById, inputById, setText } from './dom.js';
import type { ConfigBody } from './state.js';

const selectById = (id: string): HTMLSelectElement => byIdAs(id, HTMLSelectElement);
let editing = false;

function showAmount(v: number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v);
}

export function renderRules(s: StatusView): void {
  const c: Partial<StatusView['config']> = s.config ?? {};
  const readOnly = c.controls === 'read_only';
  for (const id of ['start-price-input', 'take-profit-input']) inputById(id).disabled = readOnly;
  for (const id of ['stop-action-input', 'profit-mode-input']) selectById(id).disabled = readOnly;
  byIdAs('rules-apply', HTMLButtonElement).disabled = readOnly;
  const wait = s.start_wait ? ' · ' + s.start_wait.text : '';
  const exit = s.exit ? ' · ' + s.exit.text : '';
  setText(
    'rules-hint',
    'start price ' + (c.start_price ?? 'off') + ' · take-profit ' + (c.take_profit_equity === null || c.take_profit_equity === undefined ? 'off' : '$' + c.take_profit_equity) +
      ' · on a stop ' + (c.stop_action ?? 'hold') + ' · profit ' + (c.profit_mode ?? 'accumulate') + wait + exit,
  );
  if (editing) return;
  inputById('start-price-input').value = showAmount(c.start_price);
  inputById('take-profit-input').value = showAmount(c.take_profit_equity);
  selectById('stop-action-input').value = c.stop_action ?? 'hold';
  selectById('profit-mode-input').value = c.profit_mode ?? 'accumulate';
}

/** The fields that differ from what the bot reports. */
function changes(c: Partial<StatusView['config']>): ConfigBody {
  const body: ConfigBody = {};
  const amount = (id: string, now: number | null | undefined): number | 'off' | undefined => {
    const raw = inputById(id).value.trim();
    if (raw === '') return now === null || now === undefined ? undefined : 'off';
    const n = Number(raw);
    // Not a number: left out (the browser's number input normally prevents it).
    return n === now || !isFinite(n) ? undefined : n;
  };
  const sp = amount('start-price-input', c.start_price);
  if (sp !== undefined) body.start_price = sp;
  const tp = amount('take-profit-input', c.take_profit_equity);
  if (tp !== undefined) body.take_profit = tp;
  const sa = selectById('stop-action-input').value;
  if (sa !== (c.stop_action ?? 'hold')) body.stop_action = sa;
  const pm = selectById('profit-mode-input').value;
  if (pm !== (c.profit_mode ?? 'accumulate')) body.profit_mode = pm;
  return body;
}

export function bindRules(post: (body: ConfigBody) => Promise<void>, last: () => StatusView | null): void {
  const form = formById('rules-form');
  form.addEventListener('input', () => {
    editing = true;
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = changes(last()?.config ?? {});
    editing = false;
    if (Object.keys(body).length > 0) void post(body);
  });
}
