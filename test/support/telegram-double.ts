// A local Telegram Bot API double on node:http (127.0.0.1, random port).
// Records sendMessage / editMessageText / answerCallbackQuery / setMyCommands,
// validates HTML parse mode like Telegram does (unknown tags, bare <, >, &
// are refused with 400 "can't parse entities"), serves queued updates to
// getUpdates with long-poll and offset semantics, can answer 429 with
// retry_after, and can go down (connections reset) and come back.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  at: number;
  status: number;
}

export interface StoredMessage {
  message_id: number;
  chat_id: string;
  /** Raw text as sent (HTML). */
  text: string;
  /** What a user sees: tags stripped, entities decoded. */
  plain: string;
  parse_mode: string | undefined;
  reply_markup: any;
  /** sendMessage's disable_notification: delivered without sound. */
  disable_notification: boolean;
  sentAt: number;
  editedAt: number | null;
}

export interface Update {
  update_id: number;
  [k: string]: unknown;
}

const ALLOWED_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'code', 'pre', 'a', 'tg-spoiler', 'span', 'blockquote']);

/** Telegram's HTML rules: null if valid, else the error description. */
export function validateTelegramHtml(text: string): string | null {
  const stack: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '<') {
      const m = /^<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<>]*")*)\s*>/.exec(text.slice(i));
      if (!m) return `Bad Request: can't parse entities: unsupported start tag at byte offset ${i}`;
      const [whole, closing, tag] = m;
      if (!ALLOWED_TAGS.has(tag!)) return `Bad Request: can't parse entities: unsupported start tag "${tag}" at byte offset ${i}`;
      if (closing) {
        if (stack.pop() !== tag) return `Bad Request: can't parse entities: can't find end tag corresponding to start tag at byte offset ${i}`;
      } else stack.push(tag!);
      i += whole!.length;
    } else if (ch === '&') {
      const m = /^&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/.exec(text.slice(i));
      if (!m) return `Bad Request: can't parse entities: character '&' is reserved at byte offset ${i}`;
      i += m[0].length;
    } else if (ch === '>') {
      return `Bad Request: can't parse entities: character '>' is reserved at byte offset ${i}`;
    } else i++;
  }
  if (stack.length) return `Bad Request: can't parse entities: can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`;
  return null;
}

/** Telegram's rules for setMyCommands: null if valid, else the error description. */
export function checkCommandMenu(commands: unknown): string | null {
  if (!Array.isArray(commands) || commands.length > 100) return 'Bad Request: commands must be an array of at most 100 BotCommand';
  for (const c of commands) {
    if (typeof c?.command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(c.command)) return `Bad Request: BOT_COMMAND_INVALID (${String(c?.command)})`;
    if (typeof c.description !== 'string' || c.description.length < 1 || c.description.length > 256) return `Bad Request: command description is invalid (${c.command})`;
  }
  return null;
}

/**
 * Telegram's rules for reply_markup (null if valid, else the error description): an InlineKeyboardMarkup
 * (buttons with text and 1-64 bytes of callback_data) or, for sendMessage only, a ReplyKeyboardMarkup
 * (rows of KeyboardButton {text}, optional booleans resize_keyboard / is_persistent / one_time_keyboard,
 * input_field_placeholder of 1-64 characters).
 */
export function checkReplyMarkup(m: unknown, method: 'sendMessage' | 'editMessageText'): string | null {
  if (m === undefined) return null;
  const rows = (x: unknown): x is any[][] => Array.isArray(x) && x.every((r) => Array.isArray(r) && r.length > 0);
  const o = m as Record<string, any>;
  if (typeof m !== 'object' || m === null) return "Bad Request: can't parse reply keyboard markup JSON object";
  if ('inline_keyboard' in o) {
    if (!rows(o.inline_keyboard)) return 'Bad Request: inline keyboard must be an array of button rows';
    for (const b of o.inline_keyboard.flat()) {
      if (typeof b?.text !== 'string' || b.text === '') return 'Bad Request: inline keyboard button text is empty';
      if (typeof b.callback_data !== 'string' || Buffer.byteLength(b.callback_data) < 1 || Buffer.byteLength(b.callback_data) > 64) return 'Bad Request: BUTTON_DATA_INVALID';
    }
    return null;
  }
  if (method !== 'sendMessage') return 'Bad Request: only an inline keyboard can be edited into a message';
  if (!('keyboard' in o) || !rows(o.keyboard)) return 'Bad Request: keyboard must be an array of button rows';
  for (const b of o.keyboard.flat()) if (typeof b?.text !== 'string' || b.text === '') return 'Bad Request: keyboard button text is empty';
  for (const k of ['resize_keyboard', 'is_persistent', 'one_time_keyboard', 'selective']) {
    if (k in o && typeof o[k] !== 'boolean') return `Bad Request: field "${k}" must be of type Boolean`;
  }
  const ph = o.input_field_placeholder;
  if (ph !== undefined && (typeof ph !== 'string' || ph.length < 1 || ph.length > 64)) return 'Bad Request: input_field_placeholder must have 1-64 characters';
  const known = new Set(['keyboard', 'resize_keyboard', 'is_persistent', 'one_time_keyboard', 'selective', 'input_field_placeholder']);
  const extra = Object.keys(o).find((k) => !known.has(k));
  return extra ? `Bad Request: unknown reply keyboard field "${extra}"` : null;
}

export function renderPlain(text: string, parseMode: string | undefined): string {
  if (parseMode !== 'HTML') return text;
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

function checkSilent(v: unknown): string | null {
  return v === undefined || typeof v === 'boolean' ? null : 'Bad Request: field "disable_notification" must be of type Boolean';
}

interface Waiter {
  offset: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
}

export class TelegramDouble {
  readonly token: string;
  readonly botUsername: string;
  url = '';
  readonly calls: RecordedCall[] = [];
  readonly messages = new Map<number, StoredMessage>();
  /** Accepted sendMessage calls in arrival order. */
  readonly sent: StoredMessage[] = [];
  readonly edits: Array<{ message_id: number; text: string; plain: string; reply_markup: any; at: number }> = [];
  readonly answers: Array<{ callback_query_id: string; text: string | undefined; at: number }> = [];
  readonly commandMenus: any[] = [];
  /** When set, the next getUpdates ignores the offset and replays every update it ever had (tests client-side dedupe). */
  replayAllOnce = false;
  /** Telegram answers with a Date header (its clock); false leaves it out (a proxy that strips it). */
  sendDate = true;

  private server: http.Server;
  private readonly sockets = new Set<Socket>();
  private updates: Update[] = [];
  private nextUpdateId = 1000;
  private nextMessageId = 1;
  private nextCallbackId = 1;
  private waiters: Waiter[] = [];
  private down = false;
  private readonly rateLimits = new Map<string, { times: number; retryAfter: number }>();
  private readonly refusals = new Map<string, { times: number; status: number; description: string }>();
  private readonly changeListeners = new Set<() => void>();

  private constructor(token: string, botUsername: string) {
    this.token = token;
    this.botUsername = botUsername;
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(opts: { token?: string; botUsername?: string } = {}): Promise<TelegramDouble> {
    const d = new TelegramDouble(opts.token ?? '123456789:TEST-token-abcdefghijklmnop', opts.botUsername ?? 'GridTestBot');
    await new Promise<void>((resolve) => d.server.listen(0, '127.0.0.1', resolve));
    d.url = `http://127.0.0.1:${(d.server.address() as AddressInfo).port}`;
    return d;
  }

  // ------------------------------------------------------------ scripting

  /** Queue an update; wakes a waiting long poll. Returns its update_id. */
  pushUpdate(body: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    this.updates.push({ update_id, ...body });
    this.history.push({ update_id, ...body });
    this.wakeWaiters();
    return update_id;
  }

  /**
   * Queue an update exactly as given, with its own update_id (hostile ids: 2^53 − 1, fractions, strings…);
   * later pushUpdate ids keep counting from where they were.
   */
  pushRawUpdate(update: Record<string, unknown> & { update_id: unknown }): void {
    this.updates.push(update as Update);
    this.history.push(update as Update);
    this.wakeWaiters();
  }

  /** A text message body (for pushRawUpdate), as pushText would send it. */
  textMessage(chatId: number | string, text: string, dateMs: number = Date.now()): Record<string, unknown> {
    return {
      message_id: this.nextMessageId++,
      from: { id: Number(chatId), is_bot: false, first_name: 'Op' },
      chat: { id: Number(chatId), type: 'private' },
      date: Math.floor(dateMs / 1000),
      text,
    };
  }

  /** A text message from `chatId`. `dateMs` defaults to now. */
  pushText(chatId: number | string, text: string, dateMs: number = Date.now()): number {
    return this.pushUpdate({ message: this.textMessage(chatId, text, dateMs) });
  }

  /** A button press on message `messageId` in chat `chatId`. Returns the callback query id. */
  pushCallback(chatId: number | string, messageId: number, data: string): string {
    const id = `cb${this.nextCallbackId++}`;
    const stored = this.messages.get(messageId);
    this.pushUpdate({
      callback_query: {
        id,
        from: { id: Number(chatId), is_bot: false, first_name: 'Op' },
        message: { message_id: messageId, chat: { id: Number(chatId), type: 'private' }, date: Math.floor(Date.now() / 1000), text: stored?.plain ?? '' },
        chat_instance: 'ci',
        data,
      },
    });
    return id;
  }

  /** The next `times` calls of `method` answer 429 with `retry_after`. */
  rateLimit(method: string, times: number, retryAfter: number): void {
    this.rateLimits.set(method, { times, retryAfter });
  }

  /** The next `times` calls of `method` are refused with `status` and `description`. */
  refuse(method: string, times: number, status = 400, description = 'Bad Request: refused by the test'): void {
    this.refusals.set(method, { times, status, description });
  }

  /** Down: every connection is reset (held long polls too). */
  setDown(down: boolean): void {
    this.down = down;
    if (down) {
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.res.socket?.destroy();
      }
      for (const s of this.sockets) s.destroy();
    }
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Number of getUpdates requests currently held open. */
  get heldPolls(): number {
    return this.waiters.length;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Resolves with fn()'s first truthy value, checked on every request and every 10 ms; rejects after timeoutMs. */
  waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 3000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = fn();
        if (v) {
          cleanup();
          resolve(v);
          return true;
        }
        return false;
      };
      const interval = setInterval(check, 10);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`TelegramDouble.waitFor timed out after ${timeoutMs} ms: ${what}`));
      }, timeoutMs);
      const listener = () => void check();
      const cleanup = () => {
        clearInterval(interval);
        clearTimeout(timer);
        this.changeListeners.delete(listener);
      };
      this.changeListeners.add(listener);
      check();
    });
  }

  async close(): Promise<void> {
    for (const w of this.waiters.splice(0)) clearTimeout(w.timer);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ------------------------------------------------------------ server

  private changed(): void {
    for (const l of [...this.changeListeners]) l();
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.sendDate = this.sendDate;
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  private fail(res: http.ServerResponse, status: number, description: string, parameters?: unknown): void {
    this.reply(res, status, { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
      if (!m || m[1] !== this.token) {
        this.fail(res, m ? 401 : 404, m ? 'Unauthorized' : 'Not Found');
        return;
      }
      const method = m[2]!;
      let params: Record<string, any> = {};
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw) {
        try {
          params = JSON.parse(raw);
        } catch {
          this.fail(res, 400, 'Bad Request: invalid JSON');
          return;
        }
      }
      const call: RecordedCall = { method, params, at: Date.now(), status: 200 };
      this.calls.push(call);
      const limit = this.rateLimits.get(method);
      if (limit && limit.times > 0) {
        limit.times--;
        call.status = 429;
        this.fail(res, 429, `Too Many Requests: retry after ${limit.retryAfter}`, { retry_after: limit.retryAfter });
        this.changed();
        return;
      }
      const refusal = this.refusals.get(method);
      if (refusal && refusal.times > 0) {
        refusal.times--;
        call.status = refusal.status;
        this.fail(res, refusal.status, refusal.description);
        this.changed();
        return;
      }
      const status = this.dispatch(method, params, res);
      call.status = status;
      this.changed();
    });
  }

  /** Returns the status it answered (or 200 for a held long poll). */
  private dispatch(method: string, p: Record<string, any>, res: http.ServerResponse): number {
    switch (method) {
      case 'getMe':
        this.reply(res, 200, { ok: true, result: { id: 42, is_bot: true, first_name: 'Grid', username: this.botUsername } });
        return 200;
      case 'setMyCommands': {
        const err = checkCommandMenu(p.commands);
        if (err) {
          this.fail(res, 400, err);
          return 400;
        }
        this.commandMenus.push(p.commands);
        this.reply(res, 200, { ok: true, result: true });
        return 200;
      }
      case 'sendMessage': {
        const err = this.checkText(p) ?? checkReplyMarkup(p.reply_markup, 'sendMessage') ?? checkSilent(p.disable_notification);
        if (err) {
          this.fail(res, 400, err);
          return 400;
        }
        const msg: StoredMessage = {
          message_id: this.nextMessageId++,
          chat_id: String(p.chat_id),
          text: p.text,
          plain: renderPlain(p.text, p.parse_mode),
          parse_mode: p.parse_mode,
          reply_markup: p.reply_markup,
          disable_notification: p.disable_notification === true,
          sentAt: Date.now(),
          editedAt: null,
        };
        this.messages.set(msg.message_id, msg);
        this.sent.push(msg);
        this.reply(res, 200, { ok: true, result: { message_id: msg.message_id, chat: { id: Number(p.chat_id) }, date: Math.floor(Date.now() / 1000), text: msg.plain } });
        return 200;
      }
      case 'editMessageText': {
        const msg = this.messages.get(Number(p.message_id));
        if (!msg || msg.chat_id !== String(p.chat_id)) {
          this.fail(res, 400, 'Bad Request: message to edit not found');
          return 400;
        }
        const err = this.checkText(p) ?? checkReplyMarkup(p.reply_markup, 'editMessageText');
        if (err) {
          this.fail(res, 400, err);
          return 400;
        }
        if (msg.text === p.text && JSON.stringify(msg.reply_markup) === JSON.stringify(p.reply_markup)) {
          this.fail(res, 400, 'Bad Request: message is not modified');
          return 400;
        }
        msg.text = p.text;
        msg.plain = renderPlain(p.text, p.parse_mode);
        msg.parse_mode = p.parse_mode;
        msg.reply_markup = p.reply_markup;
        msg.editedAt = Date.now();
        this.edits.push({ message_id: msg.message_id, text: p.text, plain: msg.plain, reply_markup: p.reply_markup, at: Date.now() });
        this.reply(res, 200, { ok: true, result: { message_id: msg.message_id, text: msg.plain } });
        return 200;
      }
      case 'answerCallbackQuery':
        this.answers.push({ callback_query_id: String(p.callback_query_id), text: p.text, at: Date.now() });
        this.reply(res, 200, { ok: true, result: true });
        return 200;
      case 'getUpdates':
        this.getUpdates(p, res);
        return 200;
      default:
        this.fail(res, 404, 'Not Found: method not found');
        return 404;
    }
  }

  private checkText(p: Record<string, any>): string | null {
    if (typeof p.text !== 'string' || p.text.length === 0) return 'Bad Request: message text is empty';
    if (p.text.length > 4096) return 'Bad Request: message is too long';
    if (p.parse_mode === 'HTML') return validateTelegramHtml(p.text);
    return null;
  }

  private readonly history: Update[] = [];

  private available(offset: number): Update[] {
    if (this.replayAllOnce) {
      this.replayAllOnce = false;
      return [...this.history];
    }
    return this.updates.filter((u) => u.update_id >= offset);
  }

  private getUpdates(p: Record<string, any>, res: http.ServerResponse): void {
    const offset = Number(p.offset ?? 0);
    // Telegram forgets (confirms) every update below the offset.
    if (offset > 0) this.updates = this.updates.filter((u) => u.update_id >= offset);
    // A second poller terminates the first one, as Telegram does.
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      this.fail(w.res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
    }
    const timeout = Math.max(0, Number(p.timeout ?? 0));
    const ready = this.available(offset);
    if (ready.length > 0 || timeout === 0) {
      this.reply(res, 200, { ok: true, result: ready });
      return;
    }
    const waiter: Waiter = {
      offset,
      res,
      timer: setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.reply(res, 200, { ok: true, result: [] });
      }, timeout * 1000),
    };
    res.on('close', () => {
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
    this.waiters.push(waiter);
  }

  private wakeWaiters(): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      this.reply(w.res, 200, { ok: true, result: this.available(w.offset) });
    }
  }
}
