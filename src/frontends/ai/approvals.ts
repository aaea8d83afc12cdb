// The AI approval workflow. A non-`continue` recommendation is sent with
// Approve / Skip buttons and becomes THE pending approval (one at a time; a
// newer one supersedes it). The pending approval is plain JSON data the bot
// persists in its state, so it survives a restart. A button press is honoured
// only from the authorized chat, for the pending message, with a whitelisted
// action equal to the pending one; anything else is answered "expired / not
// allowed" and changes nothing. Approval executes through the controls
// module. Every decision is appended to ai_recommendations.csv.
//
// State changes are synchronous; Telegram calls are queued by the notifier,
// so checkExpiry() and a superseding recommend() never wait on the network.
import { aiCsvRow, aiRecommendationsLog, isActionableAction, type ActionableAiAction, type AdviceRecord, type Recommendation } from './advisor.js';
import { aiAdjustedSpacing, type ControlOutcome, type ControlRequest, type Controls } from '../../ops/controls.js';
import type { CsvLog } from '../../persistence/csv-log.js';
import { errorMessage, logger } from '../../util/log.js';
import { fmtPct, recommendationMessage, recommendationResolvedMessage, type ApprovalState, type RecommendationInfo } from '../telegram/messages.js';
import type { InlineKeyboard, TelegramCallbackQuery } from '../telegram/bot-api.js';
import type { TelegramNotifier } from '../telegram/notifier.js';
import type { SuggestionProposal } from '../../ops/suggestion.js';

const log = logger('approvals');

export const APPROVAL_TTL_MS = 10 * 60_000;

/** A configuration found by /suggest (a walk-forward backtest), approved like an AI recommendation. */
export const SUGGESTION_ACTION = 'apply_suggestion';
export type ApprovalAction = ActionableAiAction | typeof SUGGESTION_ACTION;

function isApprovalAction(x: unknown): x is ApprovalAction {
  return isActionableAction(x) || x === SUGGESTION_ACTION;
}

function isProposal(x: unknown): x is SuggestionProposal {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return typeof p.spacingPct === 'number' && Number.isFinite(p.spacingPct) && (p.ratio === null || p.ratio === 'auto' || (typeof p.ratio === 'number' && Number.isFinite(p.ratio)));
}

/** Persisted in the bot's state (JSON). */
export interface PendingApproval {
  action: ApprovalAction;
  /** The settings an apply_suggestion approval applies. */
  suggestion?: SuggestionProposal;
  condition: string;
  reason: string;
  price: number;
  messageId: number;
  createdAt: number;
  expiresAt: number;
}

export type Decision = 'approve' | 'skip';
/** Values written to the was_followed column. */
export type DecisionRecord = 'approved' | 'approved_failed' | 'skipped' | 'expired' | 'superseded' | 'undelivered';

/** Validates a pending approval read back from persisted state. */
export function isPendingApproval(x: unknown): x is PendingApproval {
  if (typeof x !== 'object' || x === null) return false;
  const p = x as Record<string, unknown>;
  return (
    isApprovalAction(p.action) &&
    (p.action !== SUGGESTION_ACTION || isProposal(p.suggestion)) &&
    typeof p.condition === 'string' &&
    typeof p.reason === 'string' &&
    typeof p.price === 'number' &&
    Number.isSafeInteger(p.messageId) &&
    typeof p.createdAt === 'number' &&
    Number.isFinite(p.createdAt) &&
    typeof p.expiresAt === 'number' &&
    Number.isFinite(p.expiresAt)
  );
}

export function callbackData(decision: Decision, action: ApprovalAction): string {
  return `${decision}:${action}`;
}

export function parseCallbackData(data: unknown): { decision: Decision; action: string } | null {
  if (typeof data !== 'string' || data.length > 64) return null;
  const m = /^(approve|skip):([a-z_]+)$/.exec(data);
  return m ? { decision: m[1] as Decision, action: m[2]! } : null;
}

export function approvalKeyboard(action: ApprovalAction): InlineKeyboard {
  return {
    inline_keyboard: [
      [
        { text: '✅ Approve', callback_data: callbackData('approve', action) },
        { text: '⏭ Skip', callback_data: callbackData('skip', action) },
      ],
    ],
  };
}

export function isExpired(p: PendingApproval, now: number): boolean {
  return now >= p.expiresAt;
}

export type CallbackVerdict = { ok: true; decision: Decision; pending: PendingApproval } | { ok: false; reason: string };

/** The whole authorization rule for a button press. Pure. */
export function checkCallback(
  pending: PendingApproval | null,
  press: { chatId: string; authorizedChatId: string; messageId: number | undefined; data: unknown },
): CallbackVerdict {
  if (press.chatId !== press.authorizedChatId) return { ok: false, reason: `unauthorized chat ${press.chatId}` };
  const parsed = parseCallbackData(press.data);
  if (!parsed) return { ok: false, reason: 'malformed callback data' };
  if (!isApprovalAction(parsed.action)) return { ok: false, reason: `action "${parsed.action}" not allowed` };
  if (!pending) return { ok: false, reason: 'no pending approval' };
  if (press.messageId !== pending.messageId) return { ok: false, reason: `message ${press.messageId} is not the pending one (${pending.messageId})` };
  if (parsed.action !== pending.action) return { ok: false, reason: `action ${parsed.action} does not match the pending ${pending.action}` };
  return { ok: true, decision: parsed.decision, pending };
}

/** What approving `action` executes. */
export function controlRequestFor(action: ActionableAiAction, currentSpacingPct: number, minSpacingPct: number): ControlRequest {
  switch (action) {
    case 'widen_spacing':
    case 'tighten_spacing':
      return { kind: 'spacing', pct: aiAdjustedSpacing(currentSpacingPct, action, minSpacingPct) };
    case 'pause':
      return { kind: 'pause' };
    case 'reset_grid':
      return { kind: 'reset' };
  }
}

function effectText(action: ActionableAiAction, currentSpacingPct: number, minSpacingPct: number): string {
  switch (action) {
    case 'widen_spacing':
    case 'tighten_spacing': {
      const next = aiAdjustedSpacing(currentSpacingPct, action, minSpacingPct);
      return `spacing ${fmtPct(currentSpacingPct)} → ${fmtPct(next)}, grid rebuilt`;
    }
    case 'pause':
      return 'trading paused, open buys cancelled';
    case 'reset_grid':
      return 'grid rebuilt around the current price';
  }
}

/** What approving a suggestion executes: the spacing, then the ratio when the proposal sets one. */
export function suggestionRequests(s: SuggestionProposal): ControlRequest[] {
  const out: ControlRequest[] = [{ kind: 'spacing', pct: s.spacingPct }];
  if (s.ratio !== null) out.push({ kind: 'ratio', ratio: s.ratio });
  return out;
}

function suggestionEffect(s: SuggestionProposal, currentSpacingPct: number): string {
  return `spacing ${fmtPct(currentSpacingPct)} → ${fmtPct(s.spacingPct)}${s.ratio !== null ? `, ratio ${s.ratio}` : ''}, grid rebuilt`;
}

function infoOf(p: Omit<PendingApproval, 'messageId'>, effect?: string): RecommendationInfo {
  const info: RecommendationInfo = {
    condition: p.condition,
    action: p.action,
    reason: p.reason,
    price: p.price,
    createdAt: p.createdAt,
    expiresAt: p.expiresAt,
  };
  if (effect !== undefined) info.effect = effect;
  return info;
}

export interface ApprovalDeps {
  notifier: TelegramNotifier;
  controls: Controls;
  logDir: string;
  now: () => number;
  getPending: () => PendingApproval | null;
  setPending: (p: PendingApproval | null) => void;
  currentPrice: () => number;
  currentSpacingPct: () => number;
  ttlMs?: number;
  /** Told about every decision (e.g. to update the dashboard's last-recommendation status). Must not throw. */
  onDecision?: (d: { action: string; condition: string; decision: DecisionRecord; time: number }) => void;
}

export interface ApprovalWorkflow {
  /**
   * Sends a non-continue recommendation for approval (continue → nothing). Resolves once sent (or dropped).
   * The `ai` notification level applies (silent: no sound; off: not sent, recorded undelivered) unless `asked`.
   */
  recommend(rec: Recommendation, asked?: boolean): Promise<void>;
  /** Sends a /suggest configuration for approval (Approve applies its spacing and ratio). Asked for: always sent. Resolves once sent (or dropped). */
  propose(p: { condition: string; reason: string; price: number; suggestion: SuggestionProposal }): Promise<void>;
  /** A button press (any chat). */
  handleCallback(cq: TelegramCallbackQuery): Promise<void>;
  /** Expires the pending approval when its time is up. Does not wait on the network. */
  checkExpiry(): Promise<void>;
}

/** What the workflow's steps share. */
interface Workflow {
  deps: ApprovalDeps;
  ttl: number;
  /** ai_recommendations.csv, opened on first use. */
  csv: CsvLog | null;
  /** Bumped by every recommend(): a send that finishes after a newer one started is superseded. */
  generation: number;
}

/** The advice of a pending (or about to be) approval, dated when it was offered. */
function adviceOf(p: Omit<PendingApproval, 'messageId'>): AdviceRecord {
  return { condition: p.condition, action: p.action, reason: p.reason, price: p.price, time: p.createdAt };
}

/** What came of a decision, in words, for the CSV's outcome column. */
const OUTCOME_TEXT: Record<Exclude<DecisionRecord, 'approved' | 'approved_failed' | 'undelivered'>, string> = {
  skipped: 'skipped by the operator: nothing changed',
  expired: 'expired unanswered: not applied',
  superseded: 'superseded by a newer recommendation: not applied',
};

/**
 * Appends the decision's one row to ai_recommendations.csv (the advice, its reason and the outcome) and tells
 * onDecision. Never throws.
 */
function recordDecision(w: Workflow, a: AdviceRecord, decision: DecisionRecord, outcome?: string): void {
  const { deps } = w;
  const now = deps.now();
  try {
    deps.onDecision?.({ action: a.action, condition: a.condition, decision, time: now });
  } catch (err) {
    log.error(`onDecision failed: ${errorMessage(err)}`);
  }
  const text = outcome ?? (decision in OUTCOME_TEXT ? OUTCOME_TEXT[decision as keyof typeof OUTCOME_TEXT] : decision);
  try {
    w.csv ??= aiRecommendationsLog(deps.logDir);
    w.csv.append(aiCsvRow(a, decision, text, now));
  } catch (err) {
    log.error(`cannot write ai_recommendations.csv: ${errorMessage(err)}`);
  }
}

/** The persisted pending approval; a malformed one is discarded. */
function readPending(w: Workflow): PendingApproval | null {
  const p = w.deps.getPending();
  if (p === null || p === undefined) return null;
  if (isPendingApproval(p)) return p;
  log.warn('persisted pending approval is malformed; discarded');
  w.deps.setPending(null);
  return null;
}

/** Edits the recommendation message to its final state (which removes the buttons). */
function showResolved(w: Workflow, messageId: number, p: Omit<PendingApproval, 'messageId'>, state: ApprovalState): void {
  void w.deps.notifier.editMessageText(messageId, recommendationResolvedMessage(infoOf(p), state));
}

/** Ends the pending approval without executing it. */
function closePending(w: Workflow, p: PendingApproval, why: 'expired' | 'superseded'): void {
  w.deps.setPending(null);
  showResolved(w, p.messageId, p, { state: why });
  recordDecision(w, adviceOf(p), why);
  log.info(`AI recommendation ${p.action} ${why}`);
}

function spacingNow(w: Workflow): { current: number; min: number } {
  return { current: w.deps.currentSpacingPct(), min: w.deps.controls.minSpacingPct() };
}

/** What approving would do, for the message; undefined if the spacing cannot be read now. */
function effectNow(w: Workflow, p: { action: ApprovalAction; suggestion?: SuggestionProposal }): string | undefined {
  try {
    const s = spacingNow(w);
    if (p.action === SUGGESTION_ACTION) return p.suggestion ? suggestionEffect(p.suggestion, s.current) : undefined;
    return effectText(p.action, s.current, s.min);
  } catch {
    return undefined;
  }
}

/** What recommend() and propose() send for approval. */
interface ApprovalRequest {
  action: ApprovalAction;
  condition: string;
  reason: string;
  price: number;
  suggestion?: SuggestionProposal;
}

/** recommend() and propose(): supersedes the pending one, sends the new one with buttons, and makes it pending once delivered. */
async function sendForApproval(w: Workflow, rec: ApprovalRequest, asked: boolean): Promise<void> {
  const { deps } = w;
  if (!isApprovalAction(rec.action)) return;
  const action = rec.action;
  const gen = ++w.generation;
  const old = readPending(w);
  if (old) closePending(w, old, 'superseded');
  if (!deps.notifier.enabled) {
    log.info(`AI recommends ${action}, but Telegram is off: nobody can approve it`);
    recordDecision(w, { ...rec, time: deps.now() }, 'undelivered', 'Telegram is off: nobody could approve it, not applied');
    return;
  }
  const level = asked ? 'on' : deps.controls.notifyLevels().ai;
  if (level === 'off') {
    log.info(`AI recommends ${action}; not sent: AI notifications are off (/notify ai on)`);
    recordDecision(w, { ...rec, time: deps.now() }, 'undelivered', 'not sent: AI notifications are off (/notify ai on), not applied');
    return;
  }
  const createdAt = deps.now();
  const draft = { action, condition: rec.condition, reason: rec.reason, price: rec.price, createdAt, expiresAt: createdAt + w.ttl, ...(rec.suggestion ? { suggestion: rec.suggestion } : {}) };
  const messageId = await deps.notifier.sendMessage(recommendationMessage(infoOf(draft, effectNow(w, draft))), {
    replyMarkup: approvalKeyboard(action),
    maxAgeMs: w.ttl,
    label: 'AI recommendation',
    silent: level === 'silent',
  });
  if (messageId === null) {
    log.warn(`AI recommendation ${action} could not be delivered to Telegram`);
    recordDecision(w, adviceOf(draft), 'undelivered', 'not delivered to Telegram: not applied');
    return;
  }
  settleDelivered(w, { ...draft, messageId }, gen);
}

/** A delivered recommendation becomes pending, unless a newer one arrived meanwhile or it already expired. */
function settleDelivered(w: Workflow, p: PendingApproval, gen: number): void {
  const late: 'superseded' | 'expired' | null = gen !== w.generation ? 'superseded' : isExpired(p, w.deps.now()) ? 'expired' : null;
  if (late) {
    showResolved(w, p.messageId, p, { state: late });
    recordDecision(w, adviceOf(p), late);
    return;
  }
  w.deps.setPending(p);
  log.info(`AI recommendation ${p.action} awaiting approval (message ${p.messageId})`);
}

/** handleCallback(): checks the press (see checkCallback), then skips or applies the pending approval. */
async function handleButtonPress(w: Workflow, cq: TelegramCallbackQuery): Promise<void> {
  const { notifier } = w.deps;
  const chatId = cq.message?.chat?.id;
  const verdict = checkCallback(readPending(w), {
    chatId: chatId === undefined ? '' : String(chatId),
    authorizedChatId: notifier.chatId,
    messageId: cq.message?.message_id,
    data: cq.data,
  });
  if (!verdict.ok) {
    log.warn(`button press rejected: ${verdict.reason}`);
    void notifier.answerCallbackQuery(cq.id, 'This recommendation has expired or is not allowed.');
    return;
  }
  const p = verdict.pending;
  if (isExpired(p, w.deps.now())) {
    closePending(w, p, 'expired');
    void notifier.answerCallbackQuery(cq.id, 'This recommendation has expired.');
    return;
  }
  // Cleared before executing: a second press (or a replayed update) finds nothing pending.
  w.deps.setPending(null);
  if (verdict.decision === 'skip') {
    void notifier.answerCallbackQuery(cq.id, 'Skipped.');
    showResolved(w, p.messageId, p, { state: 'skipped' });
    recordDecision(w, adviceOf(p), 'skipped');
    log.info(`AI recommendation ${p.action} skipped by the operator`);
    return;
  }
  void notifier.answerCallbackQuery(cq.id, 'Approved, applying…');
  await applyApproved(w, p);
}

/** Executes an approved recommendation through the controls and records the outcome. */
async function applyApproved(w: Workflow, p: PendingApproval): Promise<void> {
  let outcome: ControlOutcome;
  try {
    if (p.action === SUGGESTION_ACTION) outcome = await applyAll(w.deps.controls, suggestionRequests(p.suggestion!));
    else {
      const s = spacingNow(w);
      outcome = await w.deps.controls.apply(controlRequestFor(p.action, s.current, s.min), 'ai');
    }
  } catch (err) {
    outcome = { ok: false, message: `failed: ${errorMessage(err)}` };
  }
  showResolved(w, p.messageId, p, { state: 'approved', ok: outcome.ok, outcome: outcome.message });
  recordDecision(w, adviceOf(p), outcome.ok ? 'approved' : 'approved_failed', `${outcome.ok ? 'applied' : 'not applied'}: ${outcome.message}`);
  log.info(`AI recommendation ${p.action} approved: ${outcome.ok ? 'applied' : 'not applied'}: ${outcome.message}`);
}

/** Applies the requests in order and stops at the first refusal; one outcome for all. */
async function applyAll(controls: Controls, requests: readonly ControlRequest[]): Promise<ControlOutcome> {
  const done: string[] = [];
  for (const r of requests) {
    const out = await controls.apply(r, 'ai');
    if (!out.ok) return { ok: false, message: [...done, out.message].join('; ') };
    done.push(out.message);
  }
  return { ok: true, message: done.join('; ') };
}

export function createApprovalWorkflow(deps: ApprovalDeps): ApprovalWorkflow {
  const w: Workflow = { deps, ttl: deps.ttlMs ?? APPROVAL_TTL_MS, csv: null, generation: 0 };
  return {
    recommend: (rec, asked) => (isActionableAction(rec.action) ? sendForApproval(w, { action: rec.action, condition: rec.condition, reason: rec.reason, price: rec.price }, asked ?? false) : Promise.resolve()),
    propose: (p) => sendForApproval(w, { action: SUGGESTION_ACTION, condition: p.condition, reason: p.reason, price: p.price, suggestion: p.suggestion }, true),
    handleCallback: (cq) => handleButtonPress(w, cq),
    async checkExpiry() {
      const p = readPending(w);
      if (p && isExpired(p, deps.now())) closePending(w, p, 'expired');
    },
  };
}
