// The AI advisor: asks an OpenAI-compatible chat endpoint for grid-parameter
// advice, parses the three-line answer against a whitelist, and logs it to
// ai_recommendations.csv. It never acts by itself (actions need a human
// approval, see approvals.ts) and never throws into the caller: any failure
// is logged and yields `null`; anything unparseable yields `continue`.
import type { AdvisorContext } from '../../ops/views.js';
import { CsvLog, type CsvValue } from '../../persistence/csv-log.js';
import { httpRequest } from '../../util/http-client.js';
import { errorMessage, logger, redact, registerSecret } from '../../util/log.js';

const log = logger('ai-advisor');

export const MARKET_CONDITIONS = ['ranging', 'trending_up', 'trending_down', 'volatile', 'low_volume'] as const;
export type MarketCondition = (typeof MARKET_CONDITIONS)[number];

export const AI_ACTIONS = ['continue', 'pause', 'widen_spacing', 'tighten_spacing', 'reset_grid'] as const;
export type AiAction = (typeof AI_ACTIONS)[number];
/** Actions that need a human approval (everything but `continue`). */
export type ActionableAiAction = Exclude<AiAction, 'continue'>;

export function isAiAction(x: unknown): x is AiAction {
  return typeof x === 'string' && (AI_ACTIONS as readonly string[]).includes(x);
}

export function isActionableAction(x: unknown): x is ActionableAiAction {
  return isAiAction(x) && x !== 'continue';
}

export interface Recommendation {
  /** `unknown` when the model named no valid condition. */
  condition: MarketCondition | 'unknown';
  action: AiAction;
  reason: string;
  /** Price the advice was given at. */
  price: number;
  /** Epoch ms. */
  time: number;
}

/** The market picture the prompt is built from (built by ops/views.ts). */
export type { AdvisorContext };

export const AI_RECOMMENDATIONS_CSV = 'ai_recommendations.csv';
/**
 * One row per recommendation, written once it is decided: `timestamp` and `current_price` are those of the
 * advice, `was_followed` the decision (n/a for continue; approved, approved_failed, skipped, expired,
 * superseded, undelivered), `reason` the model's REASON, `outcome` what came of it in words, `decided_at`
 * when. The last three were added after the first five (SPEC §3 names those).
 */
export const AI_CSV_HEADER = ['timestamp', 'market_condition', 'recommendation', 'current_price', 'was_followed', 'reason', 'outcome', 'decided_at'] as const;

/** The advice a row describes. */
export interface AdviceRecord {
  condition: string;
  action: string;
  reason: string;
  price: number;
  /** Epoch ms the advice was given (or offered for approval). */
  time: number;
}

/** One ai_recommendations.csv row. */
export function aiCsvRow(a: AdviceRecord, wasFollowed: string, outcome: string, decidedAt: number): CsvValue[] {
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : null);
  return [iso(a.time), a.condition, a.action, Number.isFinite(a.price) ? a.price : null, wasFollowed, a.reason, outcome, iso(decidedAt)];
}

/** The shared CSV of recommendations and their decisions. */
export function aiRecommendationsLog(logDir: string): CsvLog {
  return new CsvLog(logDir, AI_RECOMMENDATIONS_CSV, AI_CSV_HEADER);
}

export const SYSTEM_PROMPT =
  'You advise an automated grid-trading bot about its GRID PARAMETERS ONLY. ' +
  'Never give buy or sell advice, price targets or predictions. ' +
  'Choose one market condition and one action from the lists you are given. ' +
  'Reply with exactly three lines and nothing else:\n' +
  'CONDITION: <condition>\nACTION: <action>\nREASON: <one short sentence>';

function pct(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return 'n/a';
  return (n >= 0 ? '+' : '') + n.toFixed(2) + '%';
}

function price(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(6))) : 'n/a';
}

/** The compact user prompt. */
export function buildPrompt(c: AdvisorContext): string {
  const summaries = c.analyzerSummaries
    .slice(0, 8)
    .map((s) => String(s).replace(/\s+/g, ' ').trim().slice(0, 200))
    .filter((s) => s.length > 0);
  const lines = [
    `Pair ${c.pair}. Price ${price(c.price)}. Change 1h ${pct(c.change1h)}, 4h ${pct(c.change4h)}, 24h ${pct(c.change24h)}.`,
    `Spread ${c.spreadPct === null ? 'n/a' : c.spreadPct.toFixed(3) + '%'}. Fills in the last hour: ${c.fillsLastHour}.`,
    `Grid center ${price(c.center)}, spacing ${c.spacingPct}%.`,
  ];
  if (summaries.length) lines.push('Statistics:', ...summaries.map((s) => `- ${s}`));
  lines.push(
    `CONDITION one of: ${MARKET_CONDITIONS.join(', ')}.`,
    `ACTION one of: ${AI_ACTIONS.join(', ')}.`,
    'Answer in three lines: CONDITION: ..., ACTION: ..., REASON: ...',
  );
  return lines.join('\n');
}

export interface ParsedAdvice {
  condition: MarketCondition | 'unknown';
  action: AiAction;
  reason: string;
}

/** Lower-case, markdown-free, words joined by underscores: "**Widen Spacing.**" → "widen_spacing". */
function normalizeWord(value: string): string {
  return value
    .toLowerCase()
    .replace(/[*`"'“”‘’]/g, '')
    .trim()
    .replace(/[\s-]+/g, '_');
}

/** The whitelisted word `value` starts with, if any ("pause." → pause; "pausing" → none). */
function matchWhitelist<T extends string>(value: string, allowed: readonly T[]): T | null {
  const v = normalizeWord(value);
  const byLength = [...allowed].sort((a, b) => b.length - a.length);
  for (const a of byLength) {
    if (v === a) return a;
    if (v.startsWith(a) && !/[a-z0-9]/.test(v.charAt(a.length))) return a;
  }
  return null;
}

type Key = 'condition' | 'action' | 'reason';
const KEY_LINE = /^[\s>#*_\-•\d.)]*(condition|action|reason)\s*[*_]*\s*[:：=]\s*(.*)$/i;
const KEY_ANYWHERE = /\b(condition|action|reason)\s*[*_]*\s*[:：=]\s*/i;

/**
 * Reads "KEY: value KEY: value …" starting at a key. Everything after REASON
 * is the reason, even if it mentions "action:" itself.
 */
function scanFields(key: Key, value: string, into: Partial<Record<Key, string>>): void {
  let k = key;
  let v = value;
  while (k !== 'reason') {
    const next = KEY_ANYWHERE.exec(v);
    if (!next) break;
    into[k] = v.slice(0, next.index).trim();
    k = next[1]!.toLowerCase() as Key;
    v = v.slice(next.index + next[0].length);
  }
  into[k] = v.trim();
}

/**
 * Parses the model's three lines. Tolerates case, markdown bold, bullets,
 * extra whitespace, a `<think>` block, and all three fields on one line.
 * The last occurrence of each key wins (models sometimes restate the template
 * first). Anything unparseable or off the whitelist → `continue`.
 */
export function parseAdvice(text: string): ParsedAdvice {
  const fields: Partial<Record<Key, string>> = {};
  const cleaned = String(text ?? '')
    .replace(/<think>[\s\S]*?<\/think>/gi, ' ')
    .replace(/\*\*/g, '');
  for (const line of cleaned.split(/\r?\n/)) {
    const m = KEY_LINE.exec(line);
    if (m) scanFields(m[1]!.toLowerCase() as Key, m[2]!, fields);
  }
  if (fields.condition === undefined && fields.action === undefined) {
    // Keys in running text: "My answer is CONDITION: ranging, ACTION: continue, REASON: …"
    const flat = cleaned.replace(/\s+/g, ' ');
    const first = KEY_ANYWHERE.exec(flat);
    if (first) scanFields(first[1]!.toLowerCase() as Key, flat.slice(first.index + first[0].length), fields);
  }
  const condition = fields.condition !== undefined ? matchWhitelist(fields.condition, MARKET_CONDITIONS) : null;
  const action = fields.action !== undefined ? matchWhitelist(fields.action, AI_ACTIONS) : null;
  const reason = (fields.reason ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
  return { condition: condition ?? 'unknown', action: action ?? 'continue', reason };
}

export interface AiAdvisorOptions {
  /** Full chat-completions URL (AI_API_URL). */
  url: string;
  /** Empty → the advisor is disabled and run() returns null. */
  apiKey: string;
  model: string;
  /** Default 30 000 ms. */
  timeoutMs?: number;
  logDir: string;
  now?: () => number;
}

export interface AiAdvisor {
  readonly enabled: boolean;
  /** True while a call is in flight (a second run() meanwhile returns null). */
  readonly busy: boolean;
  /** Why the last call gave no recommendation (endpoint down, HTTP error, no content…); null after a good answer. */
  readonly lastFailure: string | null;
  /** Never throws. null: disabled, busy, or the call failed (logged, and kept in lastFailure). */
  run(context: AdvisorContext): Promise<Recommendation | null>;
}

function extractText(json: unknown): string | null {
  if (typeof json !== 'object' || json === null) return null;
  const choices = (json as { choices?: unknown }).choices;
  if (!Array.isArray(choices) || choices.length === 0) return null;
  const msg = (choices[0] as { message?: unknown })?.message;
  if (typeof msg !== 'object' || msg === null) return null;
  const { content, reasoning_content: reasoning } = msg as { content?: unknown; reasoning_content?: unknown };
  if (typeof content === 'string' && content.trim() !== '') return content;
  if (typeof reasoning === 'string' && reasoning.trim() !== '') return reasoning;
  return null;
}

function requestBody(opts: AiAdvisorOptions, context: AdvisorContext): string {
  return JSON.stringify({
    model: opts.model,
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: buildPrompt(context) },
    ],
    temperature: 0.3,
    max_tokens: 200,
  });
}

/** Why the last call failed, for the operator who asked with /check (module state: one advisor per process). */
/** Why a call gave no usable answer (logged once here; the advisor keeps it for /check). */
type Failure = { failure: string };
function failed(message: string): Failure {
  log.warn(`${message}; trading continues unchanged`);
  return { failure: message };
}

/** One chat-completions call: the model's text, or why there is none. */
async function fetchAdviceText(opts: AiAdvisorOptions, context: AdvisorContext): Promise<string | Failure> {
  let res;
  try {
    res = await httpRequest({
      url: opts.url,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${opts.apiKey}` },
      body: requestBody(opts, context),
      timeoutMs: opts.timeoutMs ?? 30_000,
    });
  } catch (err) {
    return failed(`AI call failed: ${errorMessage(err)}`);
  }
  if (res.status !== 200) {
    return failed(`AI call failed: HTTP ${res.status} ${redact(res.body.replace(/\s+/g, ' ').slice(0, 200))}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    return failed('AI answer is not JSON');
  }
  const text = extractText(json);
  if (text === null) return failed('AI answer has no content');
  return text;
}

/** Asks the model and parses its answer, or says why there is none. */
async function ask(opts: AiAdvisorOptions, context: AdvisorContext, now: () => number): Promise<Recommendation | Failure> {
  const text = await fetchAdviceText(opts, context);
  if (typeof text !== 'string') return text;
  const parsed = parseAdvice(text);
  if (parsed.action === 'continue' && parsed.condition === 'unknown') {
    log.warn(`AI answer not understood, treated as continue: ${JSON.stringify(text.replace(/\s+/g, ' ').slice(0, 200))}`);
  }
  return { ...parsed, price: context.price, time: now() };
}

/**
 * Logs the recommendation. A `continue` is decided at once and gets its ai_recommendations.csv row here;
 * any other action gets its one row from the approval workflow once decided (approvals.ts).
 */
function logRecommendation(csv: CsvLog, rec: Recommendation): void {
  log.info(`AI: condition=${rec.condition} action=${rec.action} reason=${JSON.stringify(rec.reason)}`);
  if (rec.action !== 'continue') return;
  try {
    csv.append(aiCsvRow(rec, 'n/a', rec.condition === 'unknown' ? 'answer not understood: treated as continue, nothing changed' : 'continue: nothing changed', rec.time));
  } catch (err) {
    log.error(`cannot write ${AI_RECOMMENDATIONS_CSV}: ${errorMessage(err)}`);
  }
}

export function createAiAdvisor(opts: AiAdvisorOptions): AiAdvisor {
  registerSecret(opts.apiKey);
  const now = opts.now ?? Date.now;
  const csv = aiRecommendationsLog(opts.logDir);
  const enabled = Boolean(opts.apiKey && opts.url);
  let busy = false;
  let failure: string | null = null;
  if (!enabled) log.info('AI advisor disabled (no AI_API_KEY)');
  else log.info(`AI advisor enabled: model ${opts.model} at ${new URL(opts.url).host}; /check asks it now`);
  return {
    enabled,
    get lastFailure() {
      return failure;
    },
    get busy() {
      return busy;
    },
    async run(context) {
      if (!enabled) return null;
      if (busy) {
        log.info('AI check already running; skipped');
        return null;
      }
      busy = true;
      failure = null;
      try {
        const rec = await ask(opts, context, now);
        if ('failure' in rec) {
          failure = rec.failure;
          return null;
        }
        logRecommendation(csv, rec);
        return rec;
      } catch (err) {
        failure = `AI advisor failed: ${errorMessage(err)}`;
        log.error(failure);
        return null;
      } finally {
        busy = false;
      }
    },
  };
}
