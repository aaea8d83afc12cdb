// Which notifications ring, per kind: `on` (sent, with sound), `silent` (sent
// without sound: Telegram's disable_notification) or `off` (not sent). The
// start-up levels come from NOTIFY (config.ts); `/notify` changes one kind at
// run time through the controls, and that change is saved in the state
// (settings.notify) and wins over NOTIFY for that kind from then on.
// Start-up and shutdown notices and every command reply are always sent.

export const NOTIFY_KINDS = ['fills', 'round_trips', 'rebuilds', 'daily_summary', 'warnings', 'ai'] as const;
export type NotifyKind = (typeof NOTIFY_KINDS)[number];

export const NOTIFY_LEVELS = ['on', 'silent', 'off'] as const;
export type NotifyLevel = (typeof NOTIFY_LEVELS)[number];

export type NotifyLevels = Record<NotifyKind, NotifyLevel>;
/** Only the kinds that were set (NOTIFY, or /notify in the saved state). */
export type NotifyOverrides = Partial<NotifyLevels>;

/** Today's behaviour: single opening fills are not announced, everything else rings. */
export const DEFAULT_NOTIFY: Readonly<NotifyLevels> = Object.freeze({
  fills: 'off',
  round_trips: 'on',
  rebuilds: 'on',
  daily_summary: 'on',
  warnings: 'on',
  ai: 'on',
});

/** What each kind covers, for /notify and the README. */
export const NOTIFY_KIND_TEXT: Readonly<Record<NotifyKind, string>> = Object.freeze({
  fills: 'a fill that opens a position',
  round_trips: 'a completed round trip, the accumulation sweep',
  rebuilds: 'grid built, reset or rebuilt',
  daily_summary: 'the daily summary',
  warnings: 'pauses, stops, errors, Kraken pair status, trading failures',
  ai: 'AI recommendations (Approve / Skip)',
});

/** Said whenever warnings are switched off (reply, start-up notice, log). */
export const WARNINGS_OFF_TEXT =
  'Warnings are off: you will NOT be told when trading is paused or stopped (daily loss limit, stop floor), when errors repeat, when Kraken halts the pair or when the bot cannot trade. /status and /health still show it; /notify warnings on brings them back.';

/** The same, short enough for the start-up notice. */
export const WARNINGS_OFF_SHORT = 'Warnings are off: pauses, stops, errors and trading failures will not be announced (/notify warnings on).';

const KIND_ALIASES: Readonly<Record<string, NotifyKind>> = {
  fill: 'fills',
  round_trip: 'round_trips',
  roundtrip: 'round_trips',
  roundtrips: 'round_trips',
  rebuild: 'rebuilds',
  daily: 'daily_summary',
  warning: 'warnings',
};

const isKind = (x: string): x is NotifyKind => (NOTIFY_KINDS as readonly string[]).includes(x);
const isLevel = (x: unknown): x is NotifyLevel => typeof x === 'string' && (NOTIFY_LEVELS as readonly string[]).includes(x);

/** A kind as typed by a person ("fills", "round-trips", "daily"), or null. */
export function parseNotifyKind(raw: string): NotifyKind | null {
  const k = raw.trim().toLowerCase().replace(/-/g, '_');
  return isKind(k) ? k : (KIND_ALIASES[k] ?? null);
}

export function parseNotifyLevel(raw: string): NotifyLevel | null {
  const l = raw.trim().toLowerCase();
  return isLevel(l) ? l : null;
}

export const VALID_KINDS_TEXT = `kinds: ${NOTIFY_KINDS.join(', ')}`;
export const VALID_LEVELS_TEXT = `levels: ${NOTIFY_LEVELS.join(', ')}`;

/**
 * The NOTIFY variable: "fills=silent,round_trips=on,warnings=off" (commas or
 * spaces between items, "=" or ":" inside). Empty → no override.
 */
export function parseNotifySpec(text: string): { ok: true; value: NotifyOverrides } | { ok: false; error: string } {
  const value: NotifyOverrides = {};
  for (const item of text.split(/[\s,;]+/).filter((s) => s !== '')) {
    const m = /^([^=:]+)[=:](.*)$/.exec(item);
    if (!m) return { ok: false, error: `expected kind=level items separated by commas, got "${item}" (${VALID_KINDS_TEXT}; ${VALID_LEVELS_TEXT})` };
    const kind = parseNotifyKind(m[1]!);
    if (!kind) return { ok: false, error: `unknown kind "${m[1]}" (${VALID_KINDS_TEXT})` };
    const level = parseNotifyLevel(m[2]!);
    if (!level) return { ok: false, error: `unknown level "${m[2]}" for ${kind} (${VALID_LEVELS_TEXT})` };
    if (kind in value) return { ok: false, error: `${kind} is given twice` };
    value[kind] = level;
  }
  return { ok: true, value };
}

/** The valid entries of a saved settings.notify (anything else is ignored; state-shape.ts reports it). */
export function savedOverrides(saved: unknown): NotifyOverrides {
  const out: NotifyOverrides = {};
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) return out;
  for (const [k, v] of Object.entries(saved)) if (isKind(k) && isLevel(v)) out[k] = v;
  return out;
}

/** Defaults, then NOTIFY, then what /notify saved. */
export function effectiveNotify(env: NotifyOverrides | undefined, saved: unknown): NotifyLevels {
  return { ...DEFAULT_NOTIFY, ...(env ?? {}), ...savedOverrides(saved) };
}

/** The kinds whose level differs from the default, e.g. "fills silent, warnings off"; '' when none. */
export function notifyChanges(levels: NotifyLevels): string {
  return NOTIFY_KINDS.filter((k) => levels[k] !== DEFAULT_NOTIFY[k])
    .map((k) => `${k} ${levels[k]}`)
    .join(', ');
}

/** What the controls need: read the levels, change one (saved). */
export interface NotifyTarget {
  notifyLevels(): NotifyLevels;
  /** Applies and saves one level; resolves with a plain-text answer. */
  setNotifyLevel(kind: NotifyKind, level: NotifyLevel): Promise<string>;
}

/** The answer to a change, with what switching warnings off costs. */
export function notifyChangeText(kind: NotifyKind, level: NotifyLevel): string {
  const what = level === 'on' ? 'sent with sound' : level === 'silent' ? 'sent silently (no sound)' : 'not sent';
  const base = `${kind} notifications ${level}: ${what} (saved)`;
  return kind === 'warnings' && level === 'off' ? `${base}. ${WARNINGS_OFF_TEXT}` : base;
}

/**
 * The bot's notification settings: NOTIFY from the environment (`env`), the
 * /notify changes as saved (`saved`, the state's settings.notify). `save`
 * stores the new overrides in the state and persists it.
 */
export function savedNotifyTarget(deps: { env: NotifyOverrides | undefined; saved: () => unknown; save: (next: NotifyOverrides) => Promise<void> }): NotifyTarget {
  return {
    notifyLevels: () => effectiveNotify(deps.env, deps.saved()),
    async setNotifyLevel(kind, level) {
      await deps.save({ ...savedOverrides(deps.saved()), [kind]: level });
      return notifyChangeText(kind, level);
    },
  };
}

/** In memory only (tests, tools): starts at `initial` over the defaults. */
export function memoryNotifyTarget(initial: NotifyOverrides = {}): NotifyTarget & { saved: NotifyOverrides } {
  const t = {
    saved: { ...initial },
    notifyLevels: () => effectiveNotify(undefined, t.saved),
    async setNotifyLevel(kind: NotifyKind, level: NotifyLevel) {
      t.saved = { ...t.saved, [kind]: level };
      return notifyChangeText(kind, level);
    },
  };
  return t;
}
