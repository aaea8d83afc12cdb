// The Telegram Bot API client (plain HTTPS through http-client.ts, no SDK).
// It knows the Bot API's methods and rules, not what the bot says or to whom
// (that is the notifier's policy, notifier.ts).
//
// Outgoing calls go through ONE bounded FIFO outbox served by a single
// background worker: callers never wait on the network and never see an
// exception. When Telegram is unreachable the head of the queue is retried
// with backoff (order kept), 429 `retry_after` is honoured, and when the queue
// is full the oldest item is dropped with a log line. Incoming updates come
// from `getUpdates` long polling in its own background loop.
//
// The bot token sits in the URL path; it is registered as a secret so the
// logger masks it, and http-client errors only ever name the host.
import { httpRequest, NetworkError, type HttpResponse } from '../../util/http-client.js';
import { errorMessage, logger, redact, registerSecret } from '../../util/log.js';

const log = logger('telegram');

export interface TelegramChat {
  id: number;
  type?: string;
  title?: string;
  username?: string;
}

export interface TelegramMessage {
  message_id: number;
  chat: TelegramChat;
  from?: { id: number; username?: string; is_bot?: boolean };
  date?: number;
  text?: string;
}

export interface TelegramCallbackQuery {
  id: string;
  from: { id: number; username?: string };
  message?: TelegramMessage;
  data?: string;
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
  [other: string]: unknown;
}

export interface InlineButton {
  text: string;
  callback_data: string;
}

export interface InlineKeyboard {
  inline_keyboard: InlineButton[][];
}

/** A button of a reply keyboard: tapping it sends its text as a message. */
export interface KeyboardButton {
  text: string;
}

/** ReplyKeyboardMarkup: buttons under the input field, instead of the letter keyboard. */
export interface ReplyKeyboard {
  keyboard: KeyboardButton[][];
  /** Fit the keyboard's height to its rows instead of the letter keyboard's height. */
  resize_keyboard?: boolean;
  /** Keep showing it when the letter keyboard is hidden. */
  is_persistent?: boolean;
  /** Shown in the empty input field; 1-64 characters. */
  input_field_placeholder?: string;
}

export interface BotCommand {
  command: string;
  description: string;
}

export interface BotApiOptions {
  /** e.g. https://api.telegram.org (TELEGRAM_API_URL). */
  apiUrl: string;
  token: string;
  /** Outbox capacity; the oldest item is dropped beyond it. Default 200. */
  queueLimit?: number;
  /** getUpdates long-poll timeout in seconds. Default 25. */
  pollTimeoutSec?: number;
  /** Timeout of ordinary calls. Default 10 000 ms. */
  requestTimeoutMs?: number;
  /** First retry delay after a network/5xx failure; doubles up to maxRetryDelayMs. Defaults 1 000 / 30 000 ms. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Length of one `retry_after` second (tests shrink it). Default 1 000 ms. */
  retryAfterUnitMs?: number;
  /** Clock for outbox deadlines (maxAgeMs). Default Date.now. */
  now?: () => number;
}

export interface SendOptions {
  /** Drop it instead of sending it late if it waited longer than this in the outbox. */
  maxAgeMs?: number | null;
  /** Names the item in log lines. */
  label?: string;
}

/** Where the long-poll loop keeps the next update id to handle. */
export interface UpdateOffsets {
  get: () => number;
  set: (n: number) => void;
}

/** How an update reached the bot: lets the front end judge its age without trusting the local wall clock. */
export interface UpdateContext {
  /** Telegram's clock (epoch ms, from the Date header of the getUpdates answer that carried it), or null when absent. */
  serverNowMs: number | null;
  /**
   * True when the poll that carried it directly followed a successful one: the bot was listening when it was
   * sent. False for the first answer after start-up or after polling failed (what queued while nobody listened).
   */
  live: boolean;
}

/** Largest update_id the bot handles: the offset after it (id + 1) must still be an exact integer. */
export const MAX_UPDATE_ID = Number.MAX_SAFE_INTEGER - 1;

/** Result of one Bot API call as the worker saw it. */
type CallResult =
  | { kind: 'ok'; result: unknown; serverDateMs: number | null }
  | { kind: 'retry'; delayMs: number | null; why: string } // null delay → exponential backoff
  | { kind: 'fail'; status: number; description: string };

interface OutboxItem {
  method: string;
  params: Record<string, unknown>;
  /** Drop instead of sending once the clock passes this (epoch ms). */
  notAfter: number | null;
  resolve: (result: unknown | null) => void;
  label: string;
}

/** getUpdates answers at most this many updates (its default limit). */
const BACKLOG_PAGE = 100;

/** While a drop burst lasts, its count is logged at most this often. */
const DROP_SUMMARY_MS = 60_000;

/** Telegram refuses longer message texts. */
export const MAX_TEXT = 4096;
/** Telegram refuses answers to callback queries older than a few minutes anyway. */
const CALLBACK_ANSWER_MAX_AGE_MS = 5 * 60_000;
function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An HTTP Date header as epoch ms, or null. */
function httpDateMs(header: string | string[] | undefined): number | null {
  if (typeof header !== 'string') return null;
  const t = Date.parse(header);
  return Number.isFinite(t) && t > 0 ? t : null;
}

/** Whether an update_id can be handled exactly: an integer whose successor (the next offset) is exact too. */
export function usableUpdateId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id <= MAX_UPDATE_ID;
}

/** Plain-text rendering of our HTML, used only if Telegram ever rejects the markup. */
export function htmlToPlain(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}


/** A text Telegram accepts: longer ones are cut (a cut may break markup, which the plain-text fallback then handles). */
function fitText(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT - 1) + '…' : text;
}

export class TelegramBotApi {
  private readonly base: string;
  private readonly queueLimit: number;
  readonly pollTimeoutSec: number;
  private readonly requestTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly retryAfterUnitMs: number;
  private readonly now: () => number;

  private readonly queue: OutboxItem[] = [];
  private working = false;
  private stopped = false;
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private idleWaiters: Array<() => void> = [];
  private droppedCount = 0;
  /** The drops since the outbox last drained: the first was logged, these are counted (see dropItem). */
  private dropBurst: { more: number; kinds: Map<string, number>; since: number } | null = null;
  private polling = false;
  /** update_ids already reported as unusable. */
  private readonly refusedIds = new Set<string>();

  constructor(opts: BotApiOptions) {
    registerSecret(opts.token);
    this.base = `${opts.apiUrl.replace(/\/+$/, '')}/bot${opts.token}`;
    this.queueLimit = Math.max(1, opts.queueLimit ?? 200);
    this.pollTimeoutSec = Math.max(0, opts.pollTimeoutSec ?? 25);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.retryDelayMs = opts.retryDelayMs ?? 1_000;
    this.maxRetryDelayMs = opts.maxRetryDelayMs ?? 30_000;
    this.retryAfterUnitMs = opts.retryAfterUnitMs ?? 1_000;
    this.now = opts.now ?? Date.now;
  }

  /** Items waiting in the outbox (including the one being sent). */
  get pending(): number {
    return this.queue.length;
  }

  /** Items dropped because the outbox was full or their deadline passed. */
  get dropped(): number {
    return this.droppedCount;
  }

  // ---------------------------------------------------------------- methods

  /** sendMessage; resolves with the message_id, or null if it was dropped or refused. */
  async sendMessage(
    params: { chat_id: string; text: string; parse_mode?: 'HTML'; reply_markup?: InlineKeyboard | ReplyKeyboard; disable_notification?: boolean },
    opts: SendOptions = {},
  ): Promise<number | null> {
    const body = { ...params, text: fitText(params.text), disable_web_page_preview: true };
    const res = await this.enqueue('sendMessage', body, { maxAgeMs: opts.maxAgeMs ?? null, label: opts.label ?? 'message' });
    return isRecord(res) && typeof res.message_id === 'number' ? res.message_id : null;
  }

  /** editMessageText ("message is not modified" counts as done). Without reply_markup the inline buttons are removed. */
  async editMessageText(params: { chat_id: string; message_id: number; text: string; parse_mode?: 'HTML'; reply_markup?: InlineKeyboard }): Promise<boolean> {
    const body = { ...params, text: fitText(params.text), disable_web_page_preview: true };
    return (await this.enqueue('editMessageText', body, { label: `edit of message ${params.message_id}` })) !== null;
  }

  /** Stops a button's spinner, optionally with a short toast (plain text, at most 200 characters). */
  async answerCallbackQuery(callbackQueryId: string, text?: string): Promise<boolean> {
    const params: Record<string, unknown> = { callback_query_id: callbackQueryId };
    if (text) params.text = text.slice(0, 200);
    return (await this.enqueue('answerCallbackQuery', params, { maxAgeMs: CALLBACK_ANSWER_MAX_AGE_MS, label: 'callback answer' })) !== null;
  }

  async setMyCommands(commands: readonly BotCommand[]): Promise<boolean> {
    return (await this.enqueue('setMyCommands', { commands }, { label: 'setMyCommands' })) !== null;
  }

  /** The bot's own username, or null when Telegram did not tell us. Direct call, not queued. */
  async getMe(): Promise<string | null> {
    const res = await this.call('getMe', {}, this.requestTimeoutMs);
    if (res.kind === 'ok' && isRecord(res.result) && typeof res.result.username === 'string') return res.result.username;
    return null;
  }

  // ---------------------------------------------------------------- outbox

  /**
   * Queue one Bot API call. Never throws, never blocks: the promise resolves
   * with the call's `result` once delivered, or null if it was dropped or
   * permanently refused (or the client is stopped).
   */
  enqueue(method: string, params: Record<string, unknown>, opts: SendOptions = {}): Promise<unknown | null> {
    if (this.stopped) return Promise.resolve(null);
    const notAfter = opts.maxAgeMs === undefined || opts.maxAgeMs === null ? null : this.now() + opts.maxAgeMs;
    return new Promise((resolve) => {
      this.queue.push({ method, params, notAfter, resolve, label: opts.label ?? method });
      while (this.queue.length > this.queueLimit) this.dropItem(this.queue.shift()!, `outbox full (${this.queueLimit})`);
      this.kick();
    });
  }

  /** Resolves when the outbox is empty, or after timeoutMs (false then). */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(t);
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(v);
      };
      const onIdle = () => finish(true);
      const t = setTimeout(() => finish(this.queue.length === 0), timeoutMs);
      this.idleWaiters.push(onIdle);
    });
  }

  private kick(): void {
    if (this.working || this.stopped) return;
    this.working = true;
    void this.work().finally(() => {
      this.working = false;
      if (!this.stopped && this.queue.length > 0) this.kick();
    });
  }

  private async work(): Promise<void> {
    let failures = 0;
    while (!this.stopped && this.queue.length > 0) {
      const item = this.queue[0]!;
      if (item.notAfter !== null && this.now() > item.notAfter) {
        this.queue.shift();
        this.dropItem(item, 'not delivered before its deadline');
        continue;
      }
      const res = await this.callWithFallback(item.method, item.params);
      if (res.kind === 'retry') {
        failures++;
        const delay = res.delayMs ?? this.backoffMs(failures);
        if (failures === 1 || failures % 10 === 0) {
          log.warn(`Telegram ${item.method} failed (${res.why}); ${this.queue.length} queued, retrying in ${delay} ms`);
        }
        await this.sleep(delay);
        continue;
      }
      if (failures > 0) log.info(`Telegram reachable again after ${failures} failed attempts`);
      failures = 0;
      if (this.queue[0] === item) this.queue.shift();
      if (res.kind === 'ok') item.resolve(res.result);
      else {
        log.warn(`Telegram ${item.method} refused (${res.status}): ${res.description}`);
        item.resolve(null);
      }
    }
    if (this.queue.length === 0) {
      this.endDropBurst();
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Drops an outbox item. A flood (thousands of replies into a full outbox) must not write a log line per
   * item: the first drop of a burst is logged at once, the rest are counted and summed up in one line when
   * the outbox drains (or at stop, or every DROP_SUMMARY_MS while the burst lasts).
   */
  private dropItem(item: OutboxItem, why: string): void {
    this.droppedCount++;
    item.resolve(null);
    const burst = this.dropBurst;
    if (burst === null) {
      this.dropBurst = { more: 0, kinds: new Map(), since: this.now() };
      log.warn(`${why}: dropped the oldest ${item.label}; further drops are counted until the outbox drains`);
      return;
    }
    burst.more++;
    const kind = `${item.label} (${why})`;
    if (burst.kinds.has(kind) || burst.kinds.size < 5) burst.kinds.set(kind, (burst.kinds.get(kind) ?? 0) + 1);
    const now = this.now();
    if (now - burst.since >= DROP_SUMMARY_MS || now < burst.since) {
      this.endDropBurst('so far');
      this.dropBurst = { more: 0, kinds: new Map(), since: now };
    }
  }

  /** Writes the count of a drop burst's further drops, if any, and closes it. */
  private endDropBurst(when = 'in that burst'): void {
    const burst = this.dropBurst;
    this.dropBurst = null;
    if (burst === null || burst.more === 0) return;
    const kinds = [...burst.kinds].map(([k, n]) => `${n}× ${k}`).join(', ');
    log.warn(`Telegram outbox: ${burst.more} more item(s) dropped ${when}: ${kinds}${burst.kinds.size >= 5 ? ', …' : ''}`);
  }

  /** One call; if Telegram rejects our HTML markup, resend the same text once as plain text. */
  private async callWithFallback(method: string, params: Record<string, unknown>): Promise<CallResult> {
    const res = await this.call(method, params, this.requestTimeoutMs);
    if (res.kind === 'fail' && res.status === 400 && /parse entities|unsupported start tag|can't find end tag/i.test(res.description) && typeof params.text === 'string') {
      log.error(`Telegram rejected our HTML (${res.description}); resending as plain text`);
      const plain: Record<string, unknown> = { ...params, text: htmlToPlain(params.text) };
      delete plain.parse_mode;
      return this.call(method, plain, this.requestTimeoutMs);
    }
    if (res.kind === 'fail' && method === 'editMessageText' && /message is not modified/i.test(res.description)) {
      return { kind: 'ok', result: true, serverDateMs: null };
    }
    return res;
  }

  /** One Bot API call. Never throws. */
  private async call(method: string, params: Record<string, unknown>, timeoutMs: number): Promise<CallResult> {
    let status: number;
    let body: string;
    let headers: HttpResponse['headers'];
    try {
      const res = await httpRequest({
        url: `${this.base}/${method}`,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(params),
        timeoutMs,
      });
      status = res.status;
      body = res.body;
      headers = res.headers;
    } catch (err) {
      // http-client errors name only the host; redact anyway.
      return { kind: 'retry', delayMs: null, why: redact(err instanceof NetworkError ? err.message : errorMessage(err)) };
    }
    let json: unknown = null;
    try {
      json = JSON.parse(body);
    } catch {
      /* handled below */
    }
    const description = redact(isRecord(json) && typeof json.description === 'string' ? json.description : body.slice(0, 200));
    if (status === 429) {
      const params429 = isRecord(json) && isRecord(json.parameters) ? json.parameters : {};
      const ra = Number(params429.retry_after);
      const seconds = Number.isFinite(ra) && ra >= 0 ? Math.min(ra, 3600) : 5;
      return { kind: 'retry', delayMs: Math.max(1, Math.round(seconds * this.retryAfterUnitMs)), why: `429 rate limited, retry after ${seconds} s` };
    }
    if (status >= 500 || status === 0) return { kind: 'retry', delayMs: null, why: `HTTP ${status}` };
    if (status === 200 && isRecord(json) && json.ok === true) return { kind: 'ok', result: json.result, serverDateMs: httpDateMs(headers.date) };
    if (status === 200) return { kind: 'retry', delayMs: null, why: 'malformed response' };
    return { kind: 'fail', status, description };
  }

  /** Exponential backoff after `failures` consecutive failures, capped at maxRetryDelayMs. */
  private backoffMs(failures: number): number {
    return Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.min(failures - 1, 20));
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, ms),
        wake: () => {
          clearTimeout(entry.timer);
          this.timers.delete(entry);
          resolve();
        },
      };
      this.timers.add(entry);
    });
  }

  // ---------------------------------------------------------------- inbound

  /**
   * Long-poll loop in the background. `getOffset()` is the first update id not
   * yet handled; it is advanced with `setOffset` BEFORE each update is handed
   * to `handler`, so an update is never handled twice (at most once, also
   * across restarts when the caller persists the offset). Updates below the
   * offset are skipped even if the server sends them again. An update_id the
   * offset could not pass exactly (beyond MAX_UPDATE_ID, not an integer) is
   * refused with a log line and never moves the offset.
   */
  startPolling(handler: (u: TelegramUpdate, ctx: UpdateContext) => Promise<void>, offsets: UpdateOffsets): void {
    if (this.polling || this.stopped) return;
    this.polling = true;
    void this.pollLoop(handler, offsets).finally(() => {
      this.polling = false;
    });
  }

  private async pollLoop(handler: (u: TelegramUpdate, ctx: UpdateContext) => Promise<void>, offsets: UpdateOffsets): Promise<void> {
    let failures = 0;
    // Not listening yet (start-up, or polling failed): the next poll does not wait, so what it returns is
    // exactly what queued while nobody listened; every later (waiting) poll brings what was sent meanwhile.
    let listening = false;
    while (!this.stopped) {
      const offset = offsets.get();
      const params: Record<string, unknown> = { timeout: listening ? this.pollTimeoutSec : 0, allowed_updates: ['message', 'callback_query'] };
      if (offset > 0) params.offset = offset;
      const res = await this.call('getUpdates', params, this.pollTimeoutSec * 1000 + 10_000);
      if (this.stopped) return;
      if (res.kind !== 'ok') {
        failures++;
        listening = false;
        let delay: number;
        if (res.kind === 'retry') delay = res.delayMs ?? this.backoffMs(failures);
        else delay = this.maxRetryDelayMs; // 401 bad token, 409 another poller or webhook: slow down
        if (failures === 1 || failures % 20 === 0) {
          const why = res.kind === 'retry' ? res.why : `${res.status} ${res.description}`;
          log.warn(`getUpdates failed (${why}); retrying in ${delay} ms`);
        }
        await this.sleep(delay);
        continue;
      }
      if (failures > 0) log.info('getUpdates working again');
      failures = 0;
      const ctx: UpdateContext = { serverNowMs: res.serverDateMs, live: listening };
      const { updates, refused } = this.usableUpdates(res.result);
      // A full answer (Telegram sends at most 100) may leave more of the backlog behind: drain it first.
      if (updates.length + refused < BACKLOG_PAGE) listening = true;
      let handled = 0;
      for (const u of updates) {
        if (this.stopped) return;
        if (u.update_id < offsets.get()) continue; // already handled (a replay)
        offsets.set(u.update_id + 1);
        handled++;
        try {
          await handler(u, ctx);
        } catch (err) {
          log.error(`update ${u.update_id} handler failed: ${errorMessage(err)}`);
        }
      }
      // Refused updates cannot be confirmed, so Telegram sends them again at once: do not spin on them.
      if (refused > 0 && handled === 0) await this.sleep(this.retryDelayMs);
    }
  }

  /** The updates of a getUpdates answer that can be handled, in update_id order, and how many were refused. */
  private usableUpdates(result: unknown): { updates: TelegramUpdate[]; refused: number } {
    const updates: TelegramUpdate[] = [];
    let refused = 0;
    for (const u of Array.isArray(result) ? result : []) {
      if (!isRecord(u)) continue;
      if (usableUpdateId(u.update_id)) updates.push(u as TelegramUpdate);
      else {
        refused++;
        this.noteRefusedUpdate(u.update_id);
      }
    }
    return { updates: updates.sort((a, b) => a.update_id - b.update_id), refused };
  }

  /** Logged once per id (Telegram repeats an unconfirmed update on every poll). */
  private noteRefusedUpdate(id: unknown): void {
    const key = typeof id === 'number' || typeof id === 'string' ? String(id) : typeof id;
    if (this.refusedIds.has(key)) return;
    if (this.refusedIds.size >= 100) this.refusedIds.clear();
    this.refusedIds.add(key);
    log.warn(`ignoring an update with update_id ${key.slice(0, 40)}: not an integer from 0 to ${MAX_UPDATE_ID}, so the offset after it could not be kept exactly; the offset stays where it is`);
  }

  /**
   * Stops polling and the outbox worker. Waits up to flushTimeoutMs for queued
   * messages (e.g. the shutdown notice) first. An in-flight long poll is not
   * awaited; whatever it returns is discarded (and not confirmed, so Telegram
   * re-delivers it to the next start).
   */
  async stop(flushTimeoutMs = 5_000): Promise<void> {
    if (this.stopped) return;
    if (this.queue.length > 0 && flushTimeoutMs > 0) await this.flush(flushTimeoutMs);
    this.stopped = true;
    for (const t of [...this.timers]) t.wake();
    this.endDropBurst();
    const left = this.queue.splice(0);
    if (left.length) log.warn(`${left.length} Telegram message(s) not delivered before shutdown`);
    for (const item of left) item.resolve(null);
  }
}
