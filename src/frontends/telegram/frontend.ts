// The one Telegram object the bot wires: notifications out, commands and
// approval buttons in. bot.ts supplies data and persistence callbacks; this
// module owns authorization, command replies and the approval workflow.
import type { Recommendation } from '../ai/advisor.js';
import { createApprovalWorkflow, type ApprovalDeps, type PendingApproval } from '../ai/approvals.js';
import type { Controls } from '../../ops/controls.js';
import { errorMessage, logger } from '../../util/log.js';
import { COMMANDS, fmtDuration, html } from './messages.js';
import type { TelegramNotifier, TelegramUpdate } from './notifier.js';
import type { StatusView } from '../../ops/status-view.js';
import { isForUs, isMutating, parseCommand, runCommand } from './commands.js';

const log = logger('telegram');

export interface TelegramFrontEndDeps {
  notifier: TelegramNotifier;
  controls: Controls;
  /** Directory of ai_recommendations.csv (LOG_DIR). */
  logDir: string;
  now?: () => number;
  /** The same view GET /api/status serves; /status, /stats, /ratio and approvals read it. */
  status: () => StatusView;
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
  /** State-changing commands older than this (e.g. sent while the bot was down) are refused; default 10 min. */
  staleCommandMs?: number;
}

export interface TelegramFrontEnd {
  readonly enabled: boolean;
  /** setMyCommands + the long-poll loop, in the background. Resolves at once. */
  start(): Promise<void>;
  /** Stops polling; waits up to flushTimeoutMs (default 5 s) for queued messages. */
  stop(flushTimeoutMs?: number): Promise<void>;
  /** Queue an HTML notification (build it with messages.ts). Never blocks, never throws. */
  notify(html: string): void;
  /** continue → nothing; otherwise Approve/Skip buttons (supersedes any pending one). Never throws. */
  recommend(rec: Recommendation): Promise<void>;
  /** Call every tick: expires the pending approval after its lifetime. Never waits on the network. */
  checkExpiry(): Promise<void>;
  /** One update as getUpdates delivered it (used by the poll loop; exposed for tests). */
  handleUpdate(u: TelegramUpdate): Promise<void>;
}

const MAX_REMEMBERED_CHATS = 1000;

export function createTelegramFrontEnd(deps: TelegramFrontEndDeps): TelegramFrontEnd {
  const { notifier } = deps;
  const now = deps.now ?? Date.now;
  const staleMs = deps.staleCommandMs ?? 10 * 60_000;
  const warnedChats = new Set<string>();
  let ownUsername: string | null = null;
  let started = false;

  const approvals = createApprovalWorkflow({
    notifier,
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

  function authorized(chatId: unknown, what: string): boolean {
    const id = chatId === undefined || chatId === null ? '' : String(chatId);
    if (id === notifier.chatId) return true;
    if (!warnedChats.has(id) && warnedChats.size < MAX_REMEMBERED_CHATS) {
      warnedChats.add(id);
      log.warn(`ignoring ${what} from unauthorized chat ${id || '(none)'} (only TELEGRAM_CHAT_ID is obeyed; logged once per chat)`);
    }
    return false;
  }

  async function handleMessage(u: TelegramUpdate): Promise<void> {
    const msg = u.message;
    if (!msg || typeof msg.text !== 'string') return;
    if (!authorized(msg.chat?.id, 'a message')) return;
    const cmd = parseCommand(msg.text);
    if (!cmd) return;
    if (cmd.target !== null && ownUsername === null) ownUsername = await notifier.getMe(); // Telegram was down at start-up
    if (!isForUs(cmd, ownUsername)) return;
    const sentAt = typeof msg.date === 'number' ? msg.date * 1000 : null;
    if (isMutating(cmd) && sentAt !== null && now() - sentAt > staleMs) {
      const age = fmtDuration((now() - sentAt) / 1000);
      log.warn(`refusing stale /${cmd.name} sent ${age} ago`);
      notifier.notify(html`⌛ Ignored /${cmd.name} sent ${age} ago while the bot was not listening. Send it again if you still want it.`);
      return;
    }
    const reply = await runCommand(cmd, { controls: deps.controls, status: deps.status });
    void notifier.sendMessage(reply, { label: `reply to /${cmd.name}` });
  }

  async function handleUpdate(u: TelegramUpdate): Promise<void> {
    try {
      if (u.callback_query) {
        const cq = u.callback_query;
        if (!authorized(cq.message?.chat?.id, 'a button press')) {
          void notifier.answerCallbackQuery(cq.id, 'This recommendation has expired or is not allowed.');
          return;
        }
        await approvals.handleCallback(cq);
      } else if (u.message) {
        await handleMessage(u);
      }
    } catch (err) {
      log.error(`update ${u.update_id} failed: ${errorMessage(err)}`);
    }
  }

  return {
    enabled: notifier.enabled,

    async start() {
      if (!notifier.enabled || started) return;
      started = true;
      void notifier.setMyCommands(COMMANDS.map((c) => ({ command: c.name, description: c.description })));
      void (async () => {
        try {
          ownUsername = await notifier.getMe();
          if (ownUsername) log.info(`Telegram bot @${ownUsername} listening (long polling)`);
        } catch {
          ownUsername = null;
        }
        notifier.startPolling(handleUpdate, { get: deps.getOffset, set: deps.setOffset });
      })();
    },

    async stop(flushTimeoutMs) {
      await notifier.stop(flushTimeoutMs);
    },

    notify(text) {
      try {
        notifier.notify(text);
      } catch (err) {
        log.error(`notify failed: ${errorMessage(err)}`);
      }
    },

    async recommend(rec) {
      try {
        await approvals.recommend(rec);
      } catch (err) {
        log.error(`recommendation failed: ${errorMessage(err)}`);
      }
    },

    async checkExpiry() {
      try {
        await approvals.checkExpiry();
      } catch (err) {
        log.error(`approval expiry check failed: ${errorMessage(err)}`);
      }
    },

    handleUpdate,
  };
}
