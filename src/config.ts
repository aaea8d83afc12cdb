// Start-up settings from the environment. Every value is validated once,
// here; a bad value stops start-up with a message naming the variable rather
// than being silently replaced by a default. Settings the operator can change
// at run time (spacing, ratio override, AI interval) start from these values
// but then live in the persisted state (see grid-strategy.ts `Settings`).
import net from 'node:net';
import path from 'node:path';
import type { KrakenTier } from './exchange/kraken/rate-limiter.js';
import { LEVELS_PER_SIDE_MAX, LEVELS_PER_SIDE_MIN, INTERVAL_MAX_SEC, INTERVAL_MIN_SEC, minSpacingPct, SPACING_MARGIN_OVER_FEES_PCT, SPACING_MAX_PCT } from './core/limits.js';
import { parseLogLevel, type LogLevel } from './util/log.js';
import { parseNotifySpec, type NotifyOverrides } from './ops/notify-levels.js';

export type { KrakenTier };

export interface Config {
  dryRun: boolean;
  pair: string;
  startingCapital: number;
  orderSizeUsd: number;
  gridLevels: number;
  gridSpacingPct: number;
  makerFeePct: number;
  /** True when the operator set MAKER_FEE_PCT: it then overrides the fee Kraken reports (TradeVolume). */
  makerFeeOverride?: boolean;
  stopFloor: number;
  dailyLossLimit: number;
  gridDriftResetPct: number;
  maxConsecutiveErrors: number;
  pollIntervalSeconds: number;
  aiAdvisorInterval: number;
  dailySummaryHourUtc: number;
  monthlyReserveUsd: number;
  accumulationSweepDays: number;
  /** ORDER_SIZE_USD / GRID_LEVELS were set in the environment: they then win over the adaptive sizing (see sizeGrid). */
  orderSizeExplicit?: boolean;
  gridLevelsExplicit?: boolean;
  /** START_PRICE: the first grid waits until the price crosses it (null: start at once). */
  startPrice?: number | null;
  /** TAKE_PROFIT_EQUITY: stop when equity reaches it (null: never). */
  takeProfitEquity?: number | null;
  /** STOP_ACTION: on a stop (floor or take-profit) keep the DOGE (hold) or sell it (sell). */
  stopAction?: StopAction;
  /** PROFIT_MODE: what the grid does with its profit (see README "Profit policy"). */
  profitMode?: ProfitMode;
  logLevel: LogLevel;
  logFormat: 'text' | 'json';
  logDir: string;
  /** 0 disables the HTTP server. */
  httpPort: number;
  /** Address the dashboard listens on (HOST). */
  httpHost: string;
  /** Host names the dashboard may be addressed by for changes, besides IPs, localhost and HOST (DASHBOARD_HOSTS). */
  dashboardHosts: string[];
  krakenApiUrl: string;
  krakenApiKey: string;
  krakenApiSecret: string;
  krakenTier: KrakenTier;
  /** Tag on every order we place; orders without it are never touched. */
  krakenUserref: number;
  /** KRAKEN_WS: fills and prices from Kraken's WebSocket v2 (false: REST polling only, as before). */
  krakenWs: boolean;
  krakenWsUrl: string;
  krakenWsAuthUrl: string;
  telegramApiUrl: string;
  telegramBotToken: string;
  telegramChatId: string;
  aiApiUrl: string;
  aiApiKey: string;
  aiModel: string;
  dashboardToken: string;
  /** NOTIFY: notification levels by kind over the defaults (ops/notify-levels.ts); /notify changes win. */
  notify?: NotifyOverrides;
  /** GRID_MODE: drift (rebuild after GRID_DRIFT_RESET_PCT) or trailing (move one level at a time). */
  gridMode: 'drift' | 'trailing';
  /** GRID_SPACING_MODE: arithmetic center × (1 ± s·i) or geometric center × (1 + s)^±i. */
  gridSpacingMode: 'arithmetic' | 'geometric';
  /** TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT: prices the trailing grid does not follow beyond; null = no limit. */
  trailUpLimit: number | null;
  trailDownLimit: number | null;
}

export type StopAction = 'hold' | 'sell';
export type ProfitMode = 'compound' | 'fixed' | 'accumulate';
export const STOP_ACTIONS: readonly StopAction[] = ['hold', 'sell'];
export const PROFIT_MODES: readonly ProfitMode[] = ['compound', 'fixed', 'accumulate'];

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

function num(env: Env, name: string, fallback: number, check?: { min?: number; max?: number; integer?: boolean; above?: number }): number {
  const r = raw(env, name);
  if (r === undefined) return fallback;
  // Plain decimals only: Number() would also take hex, binary, octal and "Infinity".
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(r)) throw new ConfigError(name, `expected a decimal number, got "${r}"`);
  const n = Number(r);
  if (!Number.isFinite(n)) throw new ConfigError(name, `expected a number, got "${r}"`);
  if (check?.integer && !Number.isInteger(n)) throw new ConfigError(name, `expected a whole number, got "${r}"`);
  if (check?.min !== undefined && n < check.min) throw new ConfigError(name, `must be at least ${check.min}, got ${n}`);
  if (check?.above !== undefined && n <= check.above) throw new ConfigError(name, `must be greater than ${check.above}, got ${n}`);
  if (check?.max !== undefined && n > check.max) throw new ConfigError(name, `must be at most ${check.max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const r = raw(env, name);
  if (r === undefined) return fallback;
  const l = r.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(l)) return true;
  if (['false', '0', 'no', 'off'].includes(l)) return false;
  throw new ConfigError(name, `expected true/false (or 1/0, yes/no), got "${r}"`);
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const r = (raw(env, name) ?? fallback).toLowerCase();
  if (!(choices as readonly string[]).includes(r)) throw new ConfigError(name, `expected ${choices.join(' or ')}, got "${r}"`);
  return r as T;
}

/** TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT: optional prices, the lower below the upper. */
function trailLimits(env: Env): { trailUpLimit: number | null; trailDownLimit: number | null } {
  const up = raw(env, 'TRAIL_UP_LIMIT') === undefined ? null : num(env, 'TRAIL_UP_LIMIT', 0, { above: 0 });
  const down = raw(env, 'TRAIL_DOWN_LIMIT') === undefined ? null : num(env, 'TRAIL_DOWN_LIMIT', 0, { above: 0 });
  if (up !== null && down !== null && down >= up) throw new ConfigError('TRAIL_DOWN_LIMIT', `must be below TRAIL_UP_LIMIT (${up}), got ${down}`);
  return { trailUpLimit: up, trailDownLimit: down };
}

function url(env: Env, name: string, fallback: string): string {
  const r = raw(env, name) ?? fallback;
  let u: URL;
  try {
    u = new URL(r);
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${r}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigError(name, `expected an http(s) URL, got "${r}"`);
  return r.replace(/\/+$/, '');
}

/**
 * A ws(s):// URL. Defaults: Kraken's v2 endpoints; when KRAKEN_API_URL points elsewhere (a
 * simulator or test double), the same host's /v2 and /auth/v2 (what the simulator serves).
 */
function wsUrl(env: Env, name: string, apiUrl: string, kraken: string, path: string): string {
  const api = new URL(apiUrl);
  const fallback = api.host === 'api.kraken.com' ? kraken : `${api.protocol === 'https:' ? 'wss' : 'ws'}://${api.host}${path}`;
  const r = raw(env, name) ?? fallback;
  let u: URL | null = null;
  try {
    u = new URL(r);
  } catch {
    // reported below
  }
  if (!u || (u.protocol !== 'ws:' && u.protocol !== 'wss:')) throw new ConfigError(name, `expected a ws:// or wss:// URL, got "${r}"`);
  return r;
}

function str(env: Env, name: string, fallback = ''): string {
  return raw(env, name) ?? fallback;
}

function notify(env: Env): NotifyOverrides {
  const p = parseNotifySpec(str(env, 'NOTIFY'));
  if (!p.ok) throw new ConfigError('NOTIFY', p.error);
  return p.value;
}

/** Kernel pseudo-filesystems (/proc, /sys, /dev but its tmpfs /dev/shm): mkdir there can hang or half-succeed. */
function logDir(env: Env): string {
  const dir = str(env, 'LOG_DIR', 'logs');
  const abs = path.resolve(dir);
  const top = /^\/(proc|sys|dev)(\/|$)/.exec(abs);
  if (top && !/^\/dev\/shm(\/|$)/.test(abs)) {
    throw new ConfigError('LOG_DIR', `must be a normal directory (a mounted volume on Railway), not under /${top[1]}, got "${dir}"`);
  }
  return dir;
}

/** An IPv4/IPv6 address or a host name for the dashboard to bind. */
function host(env: Env): string {
  const h = str(env, 'HOST', '0.0.0.0');
  if (net.isIP(h) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(h)) {
    throw new ConfigError('HOST', `expected an IP address (0.0.0.0, 127.0.0.1, ::) or a host name, got "${h}"`);
  }
  return h;
}

/** DASHBOARD_HOSTS: comma-separated host names; ".example.com" also allows every subdomain. */
function dashboardHosts(env: Env): string[] {
  const entries = str(env, 'DASHBOARD_HOSTS')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const name = /^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
  for (const h of entries) {
    if (!name.test(h) || h.includes(':')) throw new ConfigError('DASHBOARD_HOSTS', `expected host names separated by commas (no scheme, port or path), got "${h}"`);
  }
  return entries;
}

function choice<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const r = (raw(env, name) ?? fallback).toLowerCase();
  if (!(allowed as readonly string[]).includes(r)) throw new ConfigError(name, `expected ${allowed.join(', ')}, got "${r}"`);
  return r as T;
}

/** START_PRICE, TAKE_PROFIT_EQUITY, STOP_ACTION and PROFIT_MODE (issue 14: every one off / today's behaviour by default). */
function exitRules(env: Env, startingCapital: number, stopFloor: number): Pick<Config, 'startPrice' | 'takeProfitEquity' | 'stopAction' | 'profitMode'> {
  const startPrice = raw(env, 'START_PRICE') === undefined ? null : num(env, 'START_PRICE', 0, { above: 0 });
  const takeProfitEquity = raw(env, 'TAKE_PROFIT_EQUITY') === undefined ? null : num(env, 'TAKE_PROFIT_EQUITY', 0, { above: 0 });
  if (takeProfitEquity !== null && takeProfitEquity <= startingCapital) {
    throw new ConfigError('TAKE_PROFIT_EQUITY', `must be above STARTING_CAPITAL (${startingCapital}) and the stop floor (${stopFloor}), got ${takeProfitEquity}`);
  }
  return {
    startPrice,
    takeProfitEquity,
    stopAction: choice(env, 'STOP_ACTION', STOP_ACTIONS, 'hold'),
    profitMode: choice(env, 'PROFIT_MODE', PROFIT_MODES, 'accumulate'),
  };
}

/**
 * ORDER_SIZE_USD and GRID_LEVELS: adaptive unless set; when set they win over
 * the adaptive sizing, so they must fit the capital (both sides of the grid:
 * 2 × levels × order size at most the starting capital).
 */
function explicitSizing(env: Env, startingCapital: number): Pick<Config, 'orderSizeUsd' | 'gridLevels' | 'orderSizeExplicit' | 'gridLevelsExplicit'> {
  const orderSizeExplicit = raw(env, 'ORDER_SIZE_USD') !== undefined;
  const gridLevelsExplicit = raw(env, 'GRID_LEVELS') !== undefined;
  const orderSizeUsd = num(env, 'ORDER_SIZE_USD', 3.5, { above: 0 });
  const gridLevels = num(env, 'GRID_LEVELS', 10, { min: LEVELS_PER_SIDE_MIN, max: LEVELS_PER_SIDE_MAX, integer: true });
  if (orderSizeExplicit && 2 * LEVELS_PER_SIDE_MIN * orderSizeUsd > startingCapital) {
    throw new ConfigError('ORDER_SIZE_USD', `$${orderSizeUsd} per order cannot fund ${LEVELS_PER_SIDE_MIN} levels per side from STARTING_CAPITAL $${startingCapital} (at most $${(startingCapital / (2 * LEVELS_PER_SIDE_MIN)).toFixed(2)})`);
  }
  if (orderSizeExplicit && gridLevelsExplicit && 2 * gridLevels * orderSizeUsd > startingCapital) {
    throw new ConfigError('GRID_LEVELS', `${gridLevels} levels per side × 2 × ORDER_SIZE_USD $${orderSizeUsd} = $${(2 * gridLevels * orderSizeUsd).toFixed(2)} is more than STARTING_CAPITAL $${startingCapital}`);
  }
  return { orderSizeUsd, gridLevels, orderSizeExplicit, gridLevelsExplicit };
}

export function loadConfig(env: Env = process.env): Config {
  const makerFeePct = num(env, 'MAKER_FEE_PCT', 0.25, { min: 0, max: 5 });
  const startingCapital = num(env, 'STARTING_CAPITAL', 120, { above: 0 });
  const gridSpacingPct = num(env, 'GRID_SPACING_PCT', 1.0, { above: 0, max: SPACING_MAX_PCT });
  const minSpacing = minSpacingPct(makerFeePct);
  if (gridSpacingPct < minSpacing) {
    throw new ConfigError('GRID_SPACING_PCT', `must be at least round-trip fee + ${SPACING_MARGIN_OVER_FEES_PCT} = ${minSpacing}%, got ${gridSpacingPct}%`);
  }
  const stopFloor = num(env, 'STOP_FLOOR', 100, { min: 0 });
  if (stopFloor >= startingCapital) {
    throw new ConfigError('STOP_FLOOR', `must be below STARTING_CAPITAL (${startingCapital}), got ${stopFloor}`);
  }
  const tierRaw = str(env, 'KRAKEN_TIER', 'starter').toLowerCase();
  if (tierRaw !== 'starter' && tierRaw !== 'intermediate' && tierRaw !== 'pro') {
    throw new ConfigError('KRAKEN_TIER', `expected starter, intermediate or pro, got "${tierRaw}"`);
  }
  const levelRaw = str(env, 'LOG_LEVEL', 'INFO');
  const logLevel = parseLogLevel(levelRaw);
  if (!logLevel) throw new ConfigError('LOG_LEVEL', `expected DEBUG, INFO, WARNING or ERROR, got "${levelRaw}"`);
  const logFormat = str(env, 'LOG_FORMAT', 'text').toLowerCase();
  if (logFormat !== 'text' && logFormat !== 'json') throw new ConfigError('LOG_FORMAT', `expected text or json, got "${logFormat}"`);

  const portVar = raw(env, 'PORT') !== undefined ? 'PORT' : 'HEALTH_PORT';
  const httpPort = num(env, portVar, 8080, { min: 0, max: 65535, integer: true });

  const dryRun = bool(env, 'DRY_RUN', true);
  const krakenApiKey = str(env, 'KRAKEN_API_KEY');
  const krakenApiSecret = str(env, 'KRAKEN_API_SECRET');
  if (!dryRun) {
    if (!krakenApiKey) throw new ConfigError('KRAKEN_API_KEY', 'required when DRY_RUN=false');
    if (!krakenApiSecret) throw new ConfigError('KRAKEN_API_SECRET', 'required when DRY_RUN=false');
  }
  if (krakenApiSecret && !/^[A-Za-z0-9+/]+={0,2}$/.test(krakenApiSecret)) {
    throw new ConfigError('KRAKEN_API_SECRET', 'expected the base64 private key Kraken showed when the key was created');
  }
  const telegramBotToken = str(env, 'TELEGRAM_BOT_TOKEN');
  const telegramChatId = str(env, 'TELEGRAM_CHAT_ID');
  // Chat ids are compared as text with what Telegram sends, which never has leading zeros.
  if (telegramChatId && !/^-?[1-9]\d*$/.test(telegramChatId)) {
    throw new ConfigError('TELEGRAM_CHAT_ID', `expected a numeric chat id without leading zeros, got "${telegramChatId}"`);
  }
  if (telegramBotToken && !telegramChatId) {
    throw new ConfigError('TELEGRAM_CHAT_ID', 'required when TELEGRAM_BOT_TOKEN is set (only that chat may command the bot)');
  }

  const krakenApiUrl = url(env, 'KRAKEN_API_URL', 'https://api.kraken.com');
  const dashboardToken = str(env, 'DASHBOARD_TOKEN');
  if (dashboardToken && dashboardToken.length < 12) {
    throw new ConfigError('DASHBOARD_TOKEN', 'must be at least 12 characters (a short token is guessable and cannot be masked in logs)');
  }
  // It travels in an Authorization header: spaces and non-ASCII characters would never compare equal.
  if (dashboardToken && !/^[\x21-\x7e]+$/.test(dashboardToken)) {
    throw new ConfigError('DASHBOARD_TOKEN', 'use printable ASCII characters without spaces (letters, digits, - _ . ~ and similar)');
  }

  const exits = exitRules(env, startingCapital, stopFloor);
  const sizing = explicitSizing(env, startingCapital);

  return {
    dryRun,
    pair: str(env, 'PAIR', 'XDGUSD').toUpperCase(),
    startingCapital,
    ...sizing,
    gridSpacingPct,
    makerFeePct,
    makerFeeOverride: (env.MAKER_FEE_PCT ?? '').trim() !== '',
    stopFloor,
    dailyLossLimit: num(env, 'DAILY_LOSS_LIMIT', 3, { above: 0 }),
    gridDriftResetPct: num(env, 'GRID_DRIFT_RESET_PCT', 5, { above: 0, max: 100 }),
    maxConsecutiveErrors: num(env, 'MAX_CONSECUTIVE_ERRORS', 10, { min: 1, integer: true }),
    pollIntervalSeconds: num(env, 'POLL_INTERVAL_SECONDS', 30, { min: 1, max: 86400, integer: true }),
    aiAdvisorInterval: num(env, 'AI_ADVISOR_INTERVAL', 3600, { min: INTERVAL_MIN_SEC, max: INTERVAL_MAX_SEC, integer: true }),
    dailySummaryHourUtc: num(env, 'DAILY_SUMMARY_HOUR_UTC', 0, { min: 0, max: 23, integer: true }),
    monthlyReserveUsd: num(env, 'MONTHLY_RESERVE_USD', 5, { min: 0 }),
    accumulationSweepDays: num(env, 'ACCUMULATION_SWEEP_DAYS', 7, { min: 1, integer: true }),
    ...exits,
    logLevel,
    logFormat,
    logDir: logDir(env),
    httpPort,
    httpHost: host(env),
    dashboardHosts: dashboardHosts(env),
    krakenApiUrl,
    krakenApiKey,
    krakenApiSecret,
    krakenTier: tierRaw,
    krakenUserref: num(env, 'KRAKEN_USERREF', 7301, { min: 1, max: 2147483647, integer: true }),
    krakenWs: bool(env, 'KRAKEN_WS', true),
    krakenWsUrl: wsUrl(env, 'KRAKEN_WS_URL', krakenApiUrl, 'wss://ws.kraken.com/v2', '/v2'),
    krakenWsAuthUrl: wsUrl(env, 'KRAKEN_WS_AUTH_URL', krakenApiUrl, 'wss://ws-auth.kraken.com/v2', '/auth/v2'),
    telegramApiUrl: url(env, 'TELEGRAM_API_URL', 'https://api.telegram.org'),
    telegramBotToken,
    telegramChatId,
    aiApiUrl: url(env, 'AI_API_URL', 'https://integrate.api.nvidia.com/v1/chat/completions'),
    aiApiKey: str(env, 'AI_API_KEY') || str(env, 'GROQ_API_KEY'),
    aiModel: str(env, 'AI_MODEL', 'meta/llama-3.1-8b-instruct'),
    dashboardToken,
    notify: notify(env),
    gridMode: oneOf(env, 'GRID_MODE', ['drift', 'trailing'] as const, 'drift'),
    gridSpacingMode: oneOf(env, 'GRID_SPACING_MODE', ['arithmetic', 'geometric'] as const, 'arithmetic'),
    ...trailLimits(env),
  };
}
