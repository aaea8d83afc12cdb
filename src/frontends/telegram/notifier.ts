// The bot's Telegram voice: what it sends, to whom, and how. The policy is
// small: one chat (TELEGRAM_CHAT_ID) only, HTML parse mode, a "[DRY RUN] "
// prefix in dry run, fire-and-forget notifications, and everything a quiet
// no-op when Telegram is not configured. The HTTP side (outbox, retries,
// 429 retry_after, long polling) is the Bot API client, bot-api.ts.
import { logger, registerSecret } from '../../util/log.js';
import { TelegramBotApi, type BotApiOptions, type BotCommand, type InlineKeyboard, type ReplyKeyboard, type TelegramUpdate, type UpdateContext, type UpdateOffsets } from './bot-api.js';

export { htmlToPlain, TelegramBotApi } from './bot-api.js';
export type { InlineButton, InlineKeyboard, KeyboardButton, ReplyKeyboard, TelegramCallbackQuery, TelegramChat, TelegramMessage, TelegramUpdate, UpdateContext } from './bot-api.js';

const log = logger('telegram');

const DRY_RUN_PREFIX = '[DRY RUN] ';

export interface TelegramNotifierOptions extends BotApiOptions {
  /** Empty → the notifier is disabled and every method is a quiet no-op. */
  token: string;
  /** The one chat we talk to (TELEGRAM_CHAT_ID). */
  chatId: string;
  /** Prefix every message with "[DRY RUN] ". */
  dryRun: boolean;
}

export class TelegramNotifier {
  readonly enabled: boolean;
  readonly chatId: string;
  private readonly dryRun: boolean;
  /** Null when disabled. */
  private readonly api: TelegramBotApi | null;

  constructor(opts: TelegramNotifierOptions) {
    this.enabled = Boolean(opts.token && opts.chatId);
    registerSecret(opts.token);
    this.chatId = opts.chatId;
    this.dryRun = opts.dryRun;
    this.api = this.enabled ? new TelegramBotApi(opts) : null;
    if (!this.enabled) log.info('Telegram disabled (no TELEGRAM_BOT_TOKEN)');
  }

  /** Items waiting in the outbox (including the one being sent). */
  get pending(): number {
    return this.api?.pending ?? 0;
  }

  /** Items dropped because the outbox was full or their deadline passed. */
  get dropped(): number {
    return this.api?.dropped ?? 0;
  }

  private prefixed(htmlText: string): string {
    return this.dryRun ? DRY_RUN_PREFIX + htmlText : htmlText;
  }

  /**
   * Send an HTML message (caller-escaped, see messages.ts) to the chat; resolves with its message_id,
   * or null. `maxAgeMs`: drop it instead of sending it late if it waited longer than this in the outbox.
   * `silent`: delivered without sound (Telegram's disable_notification).
   */
  async sendMessage(
    htmlText: string,
    opts: { replyMarkup?: InlineKeyboard | ReplyKeyboard; maxAgeMs?: number | null; label?: string; silent?: boolean } = {},
  ): Promise<number | null> {
    if (!this.api) return null;
    const params = {
      chat_id: this.chatId,
      text: this.prefixed(htmlText),
      parse_mode: 'HTML' as const,
      ...(opts.replyMarkup ? { reply_markup: opts.replyMarkup } : {}),
      ...(opts.silent ? { disable_notification: true } : {}),
    };
    return this.api.sendMessage(params, { maxAgeMs: opts.maxAgeMs ?? null, label: opts.label ?? 'message' });
  }

  /** Fire-and-forget notification; `silent`: without sound. */
  notify(htmlText: string, opts: { silent?: boolean } = {}): void {
    void this.sendMessage(htmlText, { label: 'notification', ...(opts.silent ? { silent: true } : {}) });
  }

  /** Replace a message's text; without replyMarkup the inline buttons are removed. */
  async editMessageText(messageId: number, htmlText: string, replyMarkup?: InlineKeyboard): Promise<boolean> {
    if (!this.api) return false;
    const params = { chat_id: this.chatId, message_id: messageId, text: this.prefixed(htmlText), parse_mode: 'HTML' as const, ...(replyMarkup ? { reply_markup: replyMarkup } : {}) };
    return this.api.editMessageText(params);
  }

  /** Stop the button's spinner, optionally with a short toast (plain text). */
  async answerCallbackQuery(callbackQueryId: string, text?: string): Promise<boolean> {
    return this.api ? this.api.answerCallbackQuery(callbackQueryId, text) : false;
  }

  async setMyCommands(commands: readonly BotCommand[]): Promise<boolean> {
    return this.api ? this.api.setMyCommands(commands) : false;
  }

  /** The bot's own username (getMe), or null when Telegram did not tell us. */
  async getMe(): Promise<string | null> {
    return this.api ? this.api.getMe() : null;
  }

  /** Long polling in the background; see TelegramBotApi.startPolling for the offset rules. */
  startPolling(handler: (u: TelegramUpdate, ctx: UpdateContext) => Promise<void>, offsets: UpdateOffsets): void {
    this.api?.startPolling(handler, offsets);
  }

  /** Resolves when the outbox is empty, or after timeoutMs (false then). */
  flush(timeoutMs: number): Promise<boolean> {
    return this.api ? this.api.flush(timeoutMs) : Promise.resolve(true);
  }

  /** Stops polling; waits up to flushTimeoutMs for queued messages (e.g. the shutdown notice) first. */
  async stop(flushTimeoutMs = 5_000): Promise<void> {
    await this.api?.stop(flushTimeoutMs);
  }
}
