// The one place operator actions are validated and applied, whoever asks:
// a Telegram command, a dashboard POST, or an approved AI recommendation.
// Front ends parse their own syntax, then hand a ControlRequest here.
import { AI_SPACING_STEP_PCT, INTERVAL_MAX_SEC as INTERVAL_MAX, INTERVAL_MIN_SEC as INTERVAL_MIN, RATIO_MAX, RATIO_MIN, SPACING_MARGIN_OVER_FEES_PCT, SPACING_MAX_PCT } from '../core/limits.js';
import { logger } from '../util/log.js';
import { DEFAULT_NOTIFY, parseNotifyKind, parseNotifyLevel, VALID_KINDS_TEXT, VALID_LEVELS_TEXT, type NotifyKind, type NotifyLevel, type NotifyLevels, type NotifyTarget } from './notify-levels.js';

export type ControlRequest =
  | { kind: 'spacing'; pct: number }
  | { kind: 'ratio'; ratio: number | 'auto' }
  | { kind: 'interval'; seconds: number }
  | { kind: 'gridMode'; mode: string }
  | { kind: 'spacingMode'; mode: string }
  | { kind: 'check' }
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'reset' }
  /** One notification kind to on / silent / off (ops/notify-levels.ts); `what` and `level` as typed. */
  | { kind: 'notify'; what: string; level: string }
  | { kind: 'start_price'; price: number | 'off' }
  | { kind: 'take_profit'; equity: number | 'off' }
  | { kind: 'stop_action'; action: string }
  | { kind: 'profit_mode'; mode: string };

export type ControlSource = 'telegram' | 'web' | 'ai';

export interface ControlOutcome {
  ok: boolean;
  /** Human-readable, plain text (front ends escape it for their medium). */
  message: string;
}


/** What the bot exposes to the controls; each call runs exclusively with the tick. */
export interface ControlTarget {
  minSpacingPct(): number;
  currentSpacingPct(): number;
  setSpacing(pct: number): Promise<string>;
  setRatioOverride(ratio: number | null): Promise<string>;
  setAiInterval(seconds: number): Promise<string>;
  requestAiCheck(): Promise<string>;
  pause(reason: string): Promise<string>;
  resume(): Promise<string>;
  resetGrid(reason: string): Promise<string>;
  /** Start and exit rules and the profit policy (issue 14); optional so older targets still type-check. */
  setStartPrice?(price: number | null): Promise<string>;
  setTakeProfit?(equityUsd: number | null): Promise<string>;
  setStopAction?(action: 'hold' | 'sell'): Promise<string>;
  setProfitMode?(mode: 'compound' | 'fixed' | 'accumulate'): Promise<string>;
  /** GRID_MODE at run time (absent on targets that predate it: refused). */
  setGridMode?(mode: 'drift' | 'trailing'): Promise<string>;
  /** GRID_SPACING_MODE at run time (absent on targets that predate it: refused). */
  setSpacingMode?(mode: 'arithmetic' | 'geometric'): Promise<string>;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function asNumber(raw: unknown): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : null;
  if (typeof raw === 'string' && raw.trim() !== '' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw.trim())) return Number(raw.trim());
  return null;
}

export function parseSpacing(raw: unknown, minSpacingPct: number): Parsed<number> {
  const n = asNumber(raw);
  if (n === null) return { ok: false, error: 'spacing must be a number (percent), e.g. 1.5' };
  if (n < minSpacingPct) return { ok: false, error: `spacing must be at least ${minSpacingPct}% (round-trip fee + ${SPACING_MARGIN_OVER_FEES_PCT})` };
  if (n > SPACING_MAX_PCT) return { ok: false, error: `spacing must be at most ${SPACING_MAX_PCT}%` };
  return { ok: true, value: n };
}

export function parseRatio(raw: unknown): Parsed<number | 'auto'> {
  if (typeof raw === 'string' && raw.trim().toLowerCase() === 'auto') return { ok: true, value: 'auto' };
  if (raw === null) return { ok: true, value: 'auto' };
  const n = asNumber(raw);
  if (n === null) return { ok: false, error: `ratio must be a number from ${RATIO_MIN} to ${RATIO_MAX}, or "auto"` };
  if (n < RATIO_MIN || n > RATIO_MAX) return { ok: false, error: `ratio must be between ${RATIO_MIN} and ${RATIO_MAX}` };
  return { ok: true, value: n };
}

export function parseInterval(raw: unknown): Parsed<number> {
  const n = asNumber(raw);
  if (n === null || !Number.isInteger(n)) return { ok: false, error: `interval must be a whole number of seconds (${INTERVAL_MIN}..${INTERVAL_MAX})` };
  if (n < INTERVAL_MIN || n > INTERVAL_MAX) return { ok: false, error: `interval must be between ${INTERVAL_MIN} and ${INTERVAL_MAX} seconds` };
  return { ok: true, value: n };
}

/** A positive amount or "off" (also null, 0 and "none"): START_PRICE and TAKE_PROFIT_EQUITY at run time. */
export function parseOptionalAmount(raw: unknown, what: string): Parsed<number | 'off'> {
  if (raw === null || (typeof raw === 'string' && ['off', 'none', 'clear'].includes(raw.trim().toLowerCase()))) return { ok: true, value: 'off' };
  const n = asNumber(raw);
  if (n === 0) return { ok: true, value: 'off' };
  if (n === null || !(n > 0)) return { ok: false, error: `${what} must be a positive number, or "off"` };
  return { ok: true, value: n };
}

export const STOP_ACTION_CHOICES = ['hold', 'sell'] as const;
export const PROFIT_MODE_CHOICES = ['compound', 'fixed', 'accumulate'] as const;

export function parseChoice<T extends string>(raw: unknown, allowed: readonly T[], what: string): Parsed<T> {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return (allowed as readonly string[]).includes(v) ? { ok: true, value: v as T } : { ok: false, error: `${what} must be one of ${allowed.join(', ')}` };
}

/** The issue-14 fields of a POST /api/config body (start_price, take_profit, stop_action, profit_mode). */
function parseRuleFields(b: Record<string, unknown>, requests: ControlRequest[], errors: string[]): void {
  const add = <T>(p: Parsed<T>, make: (v: T) => ControlRequest): void => {
    if (p.ok) requests.push(make(p.value));
    else errors.push(p.error);
  };
  if ('start_price' in b) add(parseOptionalAmount(b.start_price, 'start price'), (v) => ({ kind: 'start_price', price: v }));
  if ('take_profit' in b) add(parseOptionalAmount(b.take_profit, 'take-profit equity'), (v) => ({ kind: 'take_profit', equity: v }));
  if ('stop_action' in b) add(parseChoice(b.stop_action, STOP_ACTION_CHOICES, 'stop action'), (v) => ({ kind: 'stop_action', action: v }));
  if ('profit_mode' in b) add(parseChoice(b.profit_mode, PROFIT_MODE_CHOICES, 'profit mode'), (v) => ({ kind: 'profit_mode', mode: v }));
}

const CONFIG_FIELDS = ['spacing', 'ratio', 'interval', 'grid_mode', 'spacing_mode', 'start_price', 'take_profit', 'stop_action', 'profit_mode'];

export function parseGridMode(raw: unknown): Parsed<'drift' | 'trailing'> {
  const m = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return m === 'drift' || m === 'trailing' ? { ok: true, value: m } : { ok: false, error: 'grid mode must be "drift" (rebuild after the drift limit) or "trailing" (follow the price one level at a time)' };
}

export function parseSpacingMode(raw: unknown): Parsed<'arithmetic' | 'geometric'> {
  const m = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  return m === 'arithmetic' || m === 'geometric' ? { ok: true, value: m } : { ok: false, error: 'spacing mode must be "arithmetic" (equal price steps) or "geometric" (equal percentage steps)' };
}

/**
 * The dashboard's `POST /api/config` body: `{spacing?, ratio?, interval?, grid_mode?, spacing_mode?}`.
 * Either every field is valid (and at least one is present) or nothing is applied.
 */
export function parseConfigBody(body: unknown, minSpacingPct: number): { ok: true; requests: ControlRequest[] } | { ok: false; errors: string[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: ['body must be a JSON object'] };
  const b = body as Record<string, unknown>;
  const errors: string[] = [];
  const requests: ControlRequest[] = [];
  for (const key of Object.keys(b)) {
    if (!CONFIG_FIELDS.includes(key)) errors.push(`unknown field "${key.slice(0, 40)}"`);
  }
  // The spacing mode goes first: with a new spacing in the same body, the one rebuild that follows uses both.
  if ('spacing_mode' in b) {
    const p = parseSpacingMode(b.spacing_mode);
    if (p.ok) requests.push({ kind: 'spacingMode', mode: p.value });
    else errors.push(p.error);
  }
  if ('grid_mode' in b) {
    const p = parseGridMode(b.grid_mode);
    if (p.ok) requests.push({ kind: 'gridMode', mode: p.value });
    else errors.push(p.error);
  }
  if ('spacing' in b) {
    const p = parseSpacing(b.spacing, minSpacingPct);
    if (p.ok) requests.push({ kind: 'spacing', pct: p.value });
    else errors.push(p.error);
  }
  if ('ratio' in b) {
    const p = parseRatio(b.ratio);
    if (p.ok) requests.push({ kind: 'ratio', ratio: p.value });
    else errors.push(p.error);
  }
  if ('interval' in b) {
    const p = parseInterval(b.interval);
    if (p.ok) requests.push({ kind: 'interval', seconds: p.value });
    else errors.push(p.error);
  }
  parseRuleFields(b, requests, errors);
  if (errors.length === 0 && requests.length === 0) errors.push('nothing to change: send spacing, ratio, interval, grid_mode, spacing_mode, start_price, take_profit, stop_action or profit_mode');
  return errors.length ? { ok: false, errors } : { ok: true, requests };
}

export function parseNotify(what: string, level: string): Parsed<{ kind: NotifyKind; level: NotifyLevel }> {
  const kind = parseNotifyKind(what);
  if (!kind) return { ok: false, error: `unknown notification kind "${what.slice(0, 40)}"; ${VALID_KINDS_TEXT}` };
  const lv = parseNotifyLevel(level);
  if (!lv) return { ok: false, error: `unknown level "${level.slice(0, 40)}"; ${VALID_LEVELS_TEXT}` };
  return { ok: true, value: { kind, level: lv } };
}

export interface Controls {
  minSpacingPct(): number;
  /** The notification level of every kind now (defaults when no notification settings are wired). */
  notifyLevels(): NotifyLevels;
  apply(req: ControlRequest, source: ControlSource): Promise<ControlOutcome>;
}

const log = logger('controls');

/** `notify`: the notification settings (NOTIFY + /notify); without it /notify changes are refused. */
export function createControls(target: ControlTarget, notify?: NotifyTarget): Controls {
  async function run(req: ControlRequest, source: ControlSource): Promise<ControlOutcome> {
    switch (req.kind) {
      case 'spacing': {
        const p = parseSpacing(req.pct, target.minSpacingPct());
        return p.ok ? { ok: true, message: await target.setSpacing(p.value) } : { ok: false, message: p.error };
      }
      case 'ratio': {
        const p = parseRatio(req.ratio);
        if (!p.ok) return { ok: false, message: p.error };
        return { ok: true, message: await target.setRatioOverride(p.value === 'auto' ? null : p.value) };
      }
      case 'interval': {
        const p = parseInterval(req.seconds);
        return p.ok ? { ok: true, message: await target.setAiInterval(p.value) } : { ok: false, message: p.error };
      }
      case 'gridMode': {
        const p = parseGridMode(req.mode);
        if (!p.ok) return { ok: false, message: p.error };
        if (!target.setGridMode) return { ok: false, message: 'this bot cannot change the grid mode at run time' };
        return { ok: true, message: await target.setGridMode(p.value) };
      }
      case 'spacingMode': {
        const p = parseSpacingMode(req.mode);
        if (!p.ok) return { ok: false, message: p.error };
        if (!target.setSpacingMode) return { ok: false, message: 'this bot cannot change the spacing mode at run time' };
        return { ok: true, message: await target.setSpacingMode(p.value) };
      }
      case 'check':
        return { ok: true, message: await target.requestAiCheck() };
      case 'pause':
        return { ok: true, message: await target.pause(source) };
      case 'resume':
        return { ok: true, message: await target.resume() };
      case 'reset':
        return { ok: true, message: await target.resetGrid(source) };
      case 'notify': {
        const p = parseNotify(req.what, req.level);
        if (!p.ok) return { ok: false, message: p.error };
        if (!notify) return { ok: false, message: 'notification settings are not available here' };
        return { ok: true, message: await notify.setNotifyLevel(p.value.kind, p.value.level) };
      }
      default:
        return runRule(target, req);
    }
  }
  return {
    minSpacingPct: () => target.minSpacingPct(),
    notifyLevels: () => notify?.notifyLevels() ?? { ...DEFAULT_NOTIFY },
    async apply(req, source) {
      try {
        const out = await run(req, source);
        log.info(`${source}: ${req.kind} → ${out.ok ? 'applied' : 'rejected'}: ${out.message}`);
        return out;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.error(`${source}: ${req.kind} failed: ${message}`);
        return { ok: false, message: `failed: ${message}` };
      }
    },
  };
}

const unsupported: ControlOutcome = { ok: false, message: 'this bot does not support that setting' };

/** START_PRICE, TAKE_PROFIT_EQUITY, STOP_ACTION and PROFIT_MODE at run time (validated here, applied by the target). */
async function runRule(target: ControlTarget, req: ControlRequest): Promise<ControlOutcome> {
  switch (req.kind) {
    case 'start_price': {
      const p = parseOptionalAmount(req.price, 'start price');
      if (!p.ok) return { ok: false, message: p.error };
      return target.setStartPrice ? { ok: true, message: await target.setStartPrice(p.value === 'off' ? null : p.value) } : unsupported;
    }
    case 'take_profit': {
      const p = parseOptionalAmount(req.equity, 'take-profit equity');
      if (!p.ok) return { ok: false, message: p.error };
      if (!target.setTakeProfit) return unsupported;
      const message = await target.setTakeProfit(p.value === 'off' ? null : p.value);
      return { ok: !message.startsWith('not changed'), message };
    }
    case 'stop_action': {
      const p = parseChoice(req.action, STOP_ACTION_CHOICES, 'stop action');
      if (!p.ok) return { ok: false, message: p.error };
      return target.setStopAction ? { ok: true, message: await target.setStopAction(p.value) } : unsupported;
    }
    case 'profit_mode': {
      const p = parseChoice(req.mode, PROFIT_MODE_CHOICES, 'profit mode');
      if (!p.ok) return { ok: false, message: p.error };
      return target.setProfitMode ? { ok: true, message: await target.setProfitMode(p.value) } : unsupported;
    }
    default:
      return { ok: false, message: `unknown request ${req.kind}` };
  }
}

/** Spacing after an approved AI widen/tighten, never below the minimum. */
export function aiAdjustedSpacing(current: number, action: 'widen_spacing' | 'tighten_spacing', minSpacingPct: number): number {
  const next = action === 'widen_spacing' ? current + AI_SPACING_STEP_PCT : current - AI_SPACING_STEP_PCT;
  return Math.max(minSpacingPct, Math.round(next * 1e6) / 1e6);
}
