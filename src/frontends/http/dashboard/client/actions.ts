// What the operator does on the page: the spacing, ratio and interval forms
// (POST api/config), the token prompt and "forget token".
import { renderControls, BUTTON_IDS } from './controls.js';
import { bindRules } from './rules.js';
import { buttonById, byId, formById, inputById, setText } from './dom.js';
import { schedule } from './refresh.js';
import { state, type ConfigBody, type ControlName } from './state.js';
import { getToken, setToken } from './token.js';

type MsgKind = 'ok' | 'err' | 'pending';

/** What POST api/config answers. */
interface ConfigAnswer {
  ok?: boolean;
  applied?: unknown;
  errors?: unknown;
  error?: unknown;
}

function setMsg(kind: MsgKind, text: string): void {
  const m = byId('control-msg');
  m.hidden = !text;
  m.className = 'msg ' + kind;
  m.textContent = text;
}

function setBusy(busy: boolean): void {
  const readOnly = state.last?.config?.controls === 'read_only';
  for (const id of BUTTON_IDS) buttonById(id).disabled = busy || readOnly;
}

function askForToken(body: ConfigBody, refused: boolean): void {
  setToken('');
  state.pendingBody = body;
  formById('token-form').hidden = false;
  setText('token-label', refused ? 'That token was refused. Enter the dashboard token:' : 'Enter the dashboard token to apply changes:');
  setMsg('err', 'The bot needs the dashboard token for changes.');
  inputById('token-input').focus();
}

function showAnswer(body: ConfigBody, status: number, ok: boolean, j: ConfigAnswer): void {
  if (ok && j.ok) {
    const applied = Array.isArray(j.applied) ? j.applied.map(String) : [];
    setMsg('ok', applied.length ? applied.join(' · ') : 'Applied.');
    for (const k of Object.keys(body)) {
      if (k === 'grid_mode' || k === 'spacing_mode') state.modesDirty = false;
      else if (k in state.dirty) state.dirty[k as ControlName] = false;
    }
    schedule(0);
    return;
  }
  const errors = Array.isArray(j.errors) ? j.errors.map(String) : j.error ? [String(j.error)] : ['The bot refused the change (HTTP ' + status + ').'];
  setMsg('err', errors.join(' · '));
}

async function post(body: ConfigBody): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  setBusy(true);
  setMsg('pending', 'Applying…');
  try {
    const r = await fetch('api/config', { method: 'POST', headers, body: JSON.stringify(body), cache: 'no-store' });
    const j = (await r.json().catch(() => null)) as ConfigAnswer | null;
    if (r.status === 401) askForToken(body, token !== '');
    else showAnswer(body, r.status, r.ok, j ?? {});
  } catch {
    setMsg('err', 'Could not reach the bot; nothing was changed.');
  } finally {
    setBusy(false);
  }
}

/** "Suggest settings": POST api/suggest (same token as the controls); the result arrives in Telegram. */
async function postSuggest(): Promise<void> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = 'Bearer ' + token;
  setBusy(true);
  setMsg('pending', 'Starting the backtest…');
  try {
    const r = await fetch('api/suggest', { method: 'POST', headers, body: '{}', cache: 'no-store' });
    const j = (await r.json().catch(() => null)) as { message?: unknown; error?: unknown } | null;
    if (r.status === 401) {
      setToken('');
      formById('token-form').hidden = false;
      setMsg('err', 'Enter the dashboard token, then press Suggest settings again.');
    } else setMsg(r.ok ? 'ok' : 'err', String(j?.message ?? j?.error ?? 'HTTP ' + r.status));
  } catch {
    setMsg('err', 'Could not reach the bot.');
  } finally {
    setBusy(false);
  }
}

/** The number typed into a control, or null (with a message) when there is none. */
function valueOf(name: ControlName): number | null {
  const raw = inputById(name + '-input').value.trim();
  if (raw === '') {
    setMsg('err', 'Enter a value first.');
    return null;
  }
  const n = Number(raw);
  if (!isFinite(n)) {
    setMsg('err', 'Enter a number.');
    return null;
  }
  return n;
}

function bindForm(name: ControlName): void {
  formById(name + '-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = valueOf(name);
    if (v !== null) void post({ [name]: v });
  });
  inputById(name + '-input').addEventListener('input', () => {
    state.dirty[name] = true;
  });
}

function submitToken(ev: Event): void {
  ev.preventDefault();
  const input = inputById('token-input');
  const token = input.value.trim();
  if (!token) return;
  setToken(token);
  input.value = '';
  formById('token-form').hidden = true;
  const pending = state.pendingBody;
  if (pending) {
    state.pendingBody = null;
    void post(pending);
  }
}

export function bindControls(): void {
  bindForm('spacing');
  bindForm('ratio');
  bindForm('interval');
  formById('modes-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const grid = (byId('grid-mode-select') as HTMLSelectElement).value;
    const spacing = (byId('spacing-mode-select') as HTMLSelectElement).value;
    void post({ grid_mode: grid, spacing_mode: spacing });
  });
  for (const id of ['grid-mode-select', 'spacing-mode-select']) {
    byId(id).addEventListener('change', () => {
      state.modesDirty = true;
    });
  }
  buttonById('ratio-auto').addEventListener('click', () => {
    state.dirty.ratio = false;
    void post({ ratio: 'auto' });
  });
  bindRules(post, () => state.last);
  buttonById('suggest-run').addEventListener('click', () => void postSuggest());
  formById('token-form').addEventListener('submit', submitToken);
  buttonById('forget-token').addEventListener('click', () => {
    setToken('');
    setMsg('ok', 'Token forgotten for this tab.');
    if (state.last) renderControls(state.last);
  });
}
