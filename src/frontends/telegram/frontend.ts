// The one Telegram object the bot wires: notifications out, commands and
// approval buttons in. bot.ts supplies data and persistence callbacks; this
// module owns authorization, command replies and the approval workflow.
import { plainTextHintMessage } from './replies.js';
import type { Recommendation } from '../ai/advisor.js';
import { createApprovalWorkflow, type ApprovalDeps, type ApprovalWorkflow, type PendingApproval } from '../ai/approvals.js';
import type { Controls } from '../../ops/controls.js';
import type { ReportSource } from '../../ops/reports.js';
import { errorMessage, logger } from '../../util/log.js';
import { fmtDuration } from '../../util/format.js';
import { html } from './html.js';
import type { TelegramNotifier, TelegramUpdate, UpdateContext } from './notifier.js';
import type { StatusView } from '../../ops/status-view.js';
import { commandMenu, findCommand, isForUs, isMutating, parseCommand, runCommand, type ParsedCommand } from './commands.js';
import { replyKeyboard } from './keyboard.js';
import type { NotifyKind } from '../../ops/notify-levels.js';

const log = logger('telegram');

export interface TelegramFrontEndDeps {
  notifier: TelegramNotifier;
  controls: Controls;
  /** Directory of ai_recommendations.csv (LOG_DIR). */
  logDir: string;
  now?: () => number;
  /** The same view GET /api/status serves; /status, /stats, /ratio and approvals read it. */
  status: () => StatusView;
  /** Period tables, balances and fills for /daily, /weekly, /monthly, /profit, /balance and /trades. */
  reports?: ReportSource;
  /** DAILY_SUMMARY_HOUR_UTC, shown in /daily. */
  dayStartHourUtc?: number;
  /** The pending approval, persisted by the bot in its state. */
  getPending: () => PendingApproval | null;
  setPending: (p: PendingApproval | null) => void;
  /** Next update id to handle, persisted by the bot (0 = none yet). Advanced before an update is handled. */
  getOffset: () => number;
  setOffset: (n: number) => void;
  /** Told about every approval decision (approved, approved_failed, skipped, expired, superseded, undelivered). */
  onDecision?: ApprovalDeps['onDecision'];
  /** Approval lifetime; default 10 min. */
  approvalTtlMs?: number;
  /**
   * State-changing commands older than this (e.g. sent while the bot was down) are refused; default 10 min.
   * Age is measured on Telegram's clock (see refusedAsStale), so a skewed local clock refuses nothing.
   */
  staleCommandMs?: number;
  /** /suggest: starts a walk-forward in the background and answers at once. */
  suggest?: () => { started: boolean; message: string };
}

export interface TelegramFrontEnd {
  readonly enabled: boolean;
  /** setMyCommands + the long-poll loop, in the background. Resolves at once. */
  start(): Promise<void>;
  /** Stops polling; waits up to flushTimeoutMs (default 5 s) for queued messages. */
  stop(flushTimeoutMs?: number): Promise<void>;
  /**
   * Queue an HTML notification (build it with messages.ts). With a `kind`, its level (controls.notifyLevels)
   * decides: on → sent, silent → sent without sound, off → dropped. Without one it is always sent (start-up,
   * shutdown, answers). Never blocks, never throws.
   */
  notify(html: string, kind?: NotifyKind): void;
  /**
   * continue → nothing; otherwise Approve/Skip buttons (supersedes any pending one), at the `ai` level
   * unless `asked` (the answer to /check is always sent). Never throws.
   */
  recommend(rec: Recommendation, asked?: boolean): Promise<void>;
  /** A /suggest configuration with Approve / Skip buttons (supersedes any pending one). Never throws. */
  propose(p: Parameters<ApprovalWorkflow['propose']>[0]): Promise<void>;
  /** Call every tick: expires the pending approval after its lifetime. Never waits on the network. */
  checkExpiry(): Promise<void>;
  /**
   * One update as getUpdates delivered it (used by the poll loop; exposed for tests). Without `ctx` its age
   * is judged on the local clock.
   */
  handleUpdate(u: TelegramUpdate, ctx?: UpdateContext): Promise<void>;
}

const MAX_REMEMBERED_CHATS = 1000;

/** Only TELEGRAM_CHAT_ID is obeyed; anything else is logged once per chat and ignored. */
function createChatGuard(authorizedChatId: string): (chatId: unknown, what: string) => boolean {
  const warnedChats = new Set<string>();
  return (chatId, what) => {
    const id = chatId === undefined || chatId === null ? '' : String(chatId);
    if (id === authorizedChatId) return true;
    if (!warnedChats.has(id) && warnedChats.size < MAX_REMEMBERED_CHATS) {
      warnedChats.add(id);
      log.warn(`ignoring ${what} from unauthorized chat ${id || '(none)'} (only TELEGRAM_CHAT_ID is obeyed; logged once per chat)`);
    }
    return false;
  };
}

function approvalsFor(deps: TelegramFrontEndDeps, now: () => number): ApprovalWorkflow {
  return createApprovalWorkflow({
    notifier: deps.notifier,
    controls: deps.controls,
    logDir: deps.logDir,
    now,
    getPending: deps.getPending,
    setPending: deps.setPending,
    currentPrice: () => deps.status().price.current,
    currentSpacingPct: () => deps.status().config.spacing_pct,
    ...(deps.approvalTtlMs !== undefined ? { ttlMs: deps.approvalTtlMs } : {}),
    ...(deps.onDecision ? { onDecision: deps.onDecision } : {}),
  });
}

/** The pieces the update handlers share. */
interface Session {
  deps: TelegramFrontEndDeps;
  now: () => number;
  staleMs: number;
  authorized: (chatId: unknown, what: string) => boolean;
  approvals: ApprovalWorkflow;
  /** The bot's @username (getMe), null until Telegram told us. */
  ownUsername: string | null;
}

/**
 * What "now" is for judging an update's age, or null when it is fresh whatever its date says. message.date
 * is Telegram's clock, so the best reference is Telegram's clock too: the Date of the answer that carried
 * it. Without that, an update that arrived while the bot was listening was sent moments ago (a local clock
 * that is off says nothing about it); only a backlog (the first answer after start-up or after polling
 * failed) falls back to the local clock.
 */
function ageReference(s: Session, ctx: UpdateContext | undefined): number | null {
  if (!ctx) return s.now();
  if (ctx.serverNowMs !== null) return ctx.serverNowMs;
  return ctx.live ? null : s.now();
}

/** A changing command that waited too long (e.g. sent while the bot was down) is refused with a notice. */
function refusedAsStale(s: Session, cmd: ParsedCommand, sentAt: number | null, ctx: UpdateContext | undefined): boolean {
  if (!isMutating(cmd) || sentAt === null) return false;
  const ref = ageReference(s, ctx);
  if (ref === null || ref - sentAt <= s.staleMs) return false;
  const age = fmtDuration((ref - sentAt) / 1000);
  log.warn(`refusing stale /${cmd.name} sent ${age} ago`);
  s.deps.notifier.notify(html`⌛ Ignored /${cmd.name} sent ${age} ago while the bot was not listening. Send it again if you still want it.`);
  return true;
}

async function handleMessage(s: Session, u: TelegramUpdate, ctx: UpdateContext | undefined): Promise<void> {
  const { notifier } = s.deps;
  const msg = u.message;
  if (!msg || typeof msg.text !== 'string') return;
  if (!s.authorized(msg.chat?.id, 'a message')) return;
  const cmd = parseCommand(msg.text);
  if (!cmd) {
    // In a private chat a word like "hello" deserves a pointer; in a group, people talk among themselves.
    if (msg.chat?.type === 'private') void notifier.sendMessage(plainTextHintMessage(), { label: 'hint for plain text' });
    return;
  }
  if (cmd.target !== null && s.ownUsername === null) s.ownUsername = await notifier.getMe(); // Telegram was down at start-up
  if (!isForUs(cmd, s.ownUsername)) return;
  if (refusedAsStale(s, cmd, typeof msg.date === 'number' ? msg.date * 1000 : null, ctx)) return;
  const reply = await runCommand(cmd, {
    controls: s.deps.controls,
    status: s.deps.status,
    ...(s.deps.reports ? { reports: s.deps.reports } : {}),
    ...(s.deps.dayStartHourUtc !== undefined ? { dayStartHourUtc: s.deps.dayStartHourUtc } : {}),
    ...(s.deps.suggest ? { suggest: s.deps.suggest } : {}),
  });
  // /start and /help bring the reply keyboard of common commands.
  const keyboard = findCommand(cmd.name)?.name === 'help' ? { replyMarkup: replyKeyboard() } : {};
  void notifier.sendMessage(reply, { label: `reply to /${cmd.name}`, ...keyboard });
}

async function handleUpdate(s: Session, u: TelegramUpdate, ctx?: UpdateContext): Promise<void> {
  try {
    if (u.callback_query) {
      const cq = u.callback_query;
      if (!s.authorized(cq.message?.chat?.id, 'a button press')) {
        void s.deps.notifier.answerCallbackQuery(cq.id, 'This recommendation has expired or is not allowed.');
        return;
      }
      await s.approvals.handleCallback(cq);
    } else if (u.message) {
      await handleMessage(s, u, ctx);
    }
  } catch (err) {
    log.error(`update ${u.update_id} failed: ${errorMessage(err)}`);
  }
}

/** Registers the command menu (a failure is logged, not fatal), learns our username, then long-polls. */
function startListening(s: Session, onUpdate: (u: TelegramUpdate, ctx?: UpdateContext) => Promise<void>): void {
  const { notifier } = s.deps;
  void notifier.setMyCommands(commandMenu()).then((ok) => {
    if (!ok) log.warn('could not register the command menu (setMyCommands); commands still work');
  });
  void (async () => {
    try {
      s.ownUsername = await notifier.getMe();
      if (s.ownUsername) log.info(`Telegram bot @${s.ownUsername} listening (long polling)`);
    } catch {
      s.ownUsername = null;
    }
    notifier.startPolling(onUpdate, { get: s.deps.getOffset, set: s.deps.setOffset });
  })();
}

/** Runs `fn`, logging instead of throwing. */
async function logged(what: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error(`${what} failed: ${errorMessage(err)}`);
  }
}

export function createTelegramFrontEnd(deps: TelegramFrontEndDeps): TelegramFrontEnd {
  const { notifier } = deps;
  const now = deps.now ?? Date.now;
  const s: Session = {
    deps,
    now,
    staleMs: deps.staleCommandMs ?? 10 * 60_000,
    authorized: createChatGuard(notifier.chatId),
    approvals: approvalsFor(deps, now),
    ownUsername: null,
  };
  const onUpdate = (u: TelegramUpdate, ctx?: UpdateContext) => handleUpdate(s, u, ctx);
  let started = false;
  return {
    enabled: notifier.enabled,
    async start() {
      if (!notifier.enabled || started) return;
      started = true;
      startListening(s, onUpdate);
    },
    async stop(flushTimeoutMs) {
      await notifier.stop(flushTimeoutMs);
    },
    notify(text, kind) {
      try {
        const level = kind === undefined ? 'on' : deps.controls.notifyLevels()[kind];
        if (level !== 'off') notifier.notify(text, { silent: level === 'silent' });
      } catch (err) {
        log.error(`notify failed: ${errorMessage(err)}`);
      }
    },
    recommend: (rec, asked) => logged('recommendation', () => s.approvals.recommend(rec, asked)),
    propose: (p) => logged('suggestion', () => s.approvals.propose(p)),
    checkExpiry: () => logged('approval expiry check', () => s.approvals.checkExpiry()),
    handleUpdate: onUpdate,
  };
}
