// The Telegram commands, as ONE table. Each entry gives the command's name,
// argument syntax, description, whether it changes anything, and its handler;
// the table alone drives /help, the command menu (setMyCommands) and dispatch.
// Handlers only parse syntax: every value is validated, and every change
// applied, by the controls module (the same one the dashboard and approved AI
// actions use). Adding a command that maps to an existing control is one
// entry below. Replies are HTML, escaped (see replies.ts).
import { INTERVAL_MAX_SEC, INTERVAL_MIN_SEC, RATIO_MAX, RATIO_MIN, SPACING_MARGIN_OVER_FEES_PCT, SPACING_MAX_PCT } from '../../core/limits.js';
import type { ControlRequest, Controls } from '../../ops/controls.js';
import type { ReportSource } from '../../ops/reports.js';
import type { StatusView } from '../../ops/status-view.js';
import { fmtPct } from '../../util/format.js';
import { errorMessage, logger } from '../../util/log.js';
import { clip, html } from './html.js';
import { balanceReport, PERIOD_COUNT_ARGS, periodReport, profitReport, TRADES_COUNT_ARGS, tradesReport } from './report-commands.js';
import { notifyNote, notifyTableMessage, outcomeMessage, ratioMessage, statsMessage, statusMessage, unavailableMessage, unknownCommandMessage, usageMessage } from './replies.js';

const log = logger('telegram-commands');

export interface CommandContext {
  controls: Controls;
  status: () => StatusView;
  /** Period tables, balances and fills for the report commands (absent: they answer "not available"). */
  reports?: ReportSource;
  /** DAILY_SUMMARY_HOUR_UTC, shown in /daily. */
  dayStartHourUtc?: number;
  /** Starts a /suggest walk-forward in the background; its immediate answer (absent: not available). */
  suggest?: () => { started: boolean; message: string };
}

/**
 * Whether a command changes anything: 'never', 'always', or only when given
 * arguments (`/ratio` shows, `/ratio 0.6` sets). Changing commands are refused
 * when stale (see frontend.ts); every command obeys only the authorized chat.
 */
export type Changes = 'never' | 'always' | 'with-args';

/** Runs one command; `usage` is its "/name args" line. Returns the reply (HTML). */
export type CommandHandler = (args: readonly string[], ctx: CommandContext, usage: string) => Promise<string>;

export interface CommandSpec {
  name: string;
  /** Argument syntax for /help and usage lines ('' = none). */
  args: string;
  /** Shown in /help and in Telegram's command menu. */
  description: string;
  changes: Changes;
  run: CommandHandler;
  /** Other names that run it; not listed in /help or the menu. */
  aliases?: readonly string[];
}

// ---------------------------------------------------------------- handlers

function safeStatus(ctx: CommandContext): StatusView | null {
  try {
    return ctx.status();
  } catch (err) {
    log.error(`status unavailable: ${errorMessage(err)}`);
    return null;
  }
}

/** A read-only view of the status. */
function shows(render: (v: StatusView) => string, what: string): CommandHandler {
  return async (_args, ctx) => {
    const v = safeStatus(ctx);
    return v ? render(v) : unavailableMessage(what);
  };
}

/** A command without arguments that applies one control. */
function applies(req: ControlRequest): CommandHandler {
  return async (args, ctx, usage) => {
    if (args.length !== 0) return usageMessage(usage, `${usage} takes no arguments`);
    const out = await ctx.controls.apply(req, 'telegram');
    return outcomeMessage(out.ok, out.message);
  };
}

/**
 * A command with one value: `toRequest` turns the argument into a control
 * request (syntax only), the controls validate and apply it. `note` explains
 * the current value and bounds under a usage line; `whenEmpty` answers the
 * command without arguments (else it gets the usage line).
 */
function appliesValue(
  toRequest: (arg: string) => ControlRequest,
  opts: { note?: (ctx: CommandContext) => string | undefined; whenEmpty?: CommandHandler } = {},
): CommandHandler {
  return async (args, ctx, usage) => {
    if (args.length === 0 && opts.whenEmpty) return opts.whenEmpty(args, ctx, usage);
    if (args.length !== 1) return usageMessage(usage, undefined, opts.note?.(ctx));
    const out = await ctx.controls.apply(toRequest(args[0]!), 'telegram');
    return out.ok ? outcomeMessage(true, out.message) : usageMessage(usage, out.message, opts.note?.(ctx));
  };
}

/** A plain decimal literal ("1.5", ".5"), else NaN, which the controls refuse as not a number. */
function decimal(text: string): number {
  return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
}

function spacingNote(ctx: CommandContext): string {
  const current = safeStatus(ctx)?.config.spacing_pct;
  const now = current !== undefined ? `Now ${fmtPct(current)}; ` : '';
  return `${now}minimum ${fmtPct(ctx.controls.minSpacingPct())} (round-trip fee + ${SPACING_MARGIN_OVER_FEES_PCT}), maximum ${fmtPct(SPACING_MAX_PCT)}.`;
}

function intervalNote(ctx: CommandContext): string | undefined {
  const current = safeStatus(ctx)?.config.ai_interval;
  return current !== undefined ? `AI check every ${current} s now.` : undefined;
}

/** /notify shows the levels; /notify <kind> <level> changes one through the controls. */
async function notifyCommand(args: readonly string[], ctx: CommandContext, usage: string): Promise<string> {
  if (args.length === 0) return notifyTableMessage(ctx.controls.notifyLevels());
  if (args.length !== 2) return usageMessage(usage, 'give a kind and a level', notifyNote());
  const out = await ctx.controls.apply({ kind: 'notify', what: args[0]!, level: args[1]! }, 'telegram');
  return out.ok ? outcomeMessage(true, out.message) : usageMessage(usage, out.message, notifyNote());
}

/** "Now X." for the issue-14 settings, from /api/status `config`. */
function ruleNote(key: 'start_price' | 'take_profit_equity' | 'stop_action' | 'profit_mode', label: string): (ctx: CommandContext) => string | undefined {
  return (ctx) => {
    const config = safeStatus(ctx)?.config as Record<string, unknown> | undefined;
    if (!config || !(key in config)) return undefined;
    const v = config[key];
    return `${label} now: ${v === null ? 'off' : String(v)}.`;
  };
}

function modeNote(ctx: CommandContext, key: 'grid_mode' | 'spacing_mode'): string | undefined {
  const current = safeStatus(ctx)?.config[key];
  return current !== undefined ? `Now ${current}.` : undefined;
}

async function help(): Promise<string> {
  return helpMessage();
}

// ---------------------------------------------------------------- the table

/** Every command, in /help and menu order. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'status', args: '', description: 'Price, profit, grid and mode', changes: 'never', run: shows(statusMessage, 'Status') },
  { name: 'stats', args: '', description: 'Statistical health checks', changes: 'never', run: shows(statsMessage, 'Statistics') },
  { name: 'profit', args: '', description: 'Equity, grid profit and the hold benchmark', changes: 'never', run: profitReport },
  { name: 'daily', args: PERIOD_COUNT_ARGS.day, description: 'Grid profit per day', changes: 'never', run: periodReport('day') },
  { name: 'weekly', args: PERIOD_COUNT_ARGS.week, description: 'Grid profit per week', changes: 'never', run: periodReport('week') },
  { name: 'monthly', args: PERIOD_COUNT_ARGS.month, description: 'Grid profit per month', changes: 'never', run: periodReport('month') },
  { name: 'balance', args: '', description: 'Exchange balances vs the ledger', changes: 'never', run: balanceReport },
  { name: 'trades', args: TRADES_COUNT_ARGS, description: 'The last fills', changes: 'never', run: tradesReport },
  {
    name: 'spacing',
    args: '<pct>',
    description: 'Set grid spacing (%) and rebuild',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'spacing', pct: decimal(a.replace(/%$/, '')) }), { note: spacingNote }),
  },
  {
    name: 'ratio',
    args: `[${RATIO_MIN}..${RATIO_MAX} | auto]`,
    description: 'Show or set the buy/sell trend ratio',
    changes: 'with-args',
    run: appliesValue((a) => ({ kind: 'ratio', ratio: a.toLowerCase() === 'auto' ? 'auto' : decimal(a) }), { whenEmpty: shows(ratioMessage, 'The trend ratio') }),
  },
  {
    name: 'interval',
    args: `<${INTERVAL_MIN_SEC}..${INTERVAL_MAX_SEC}>`,
    description: 'AI check interval in seconds',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'interval', seconds: decimal(a.replace(/s$/i, '')) }), { note: intervalNote }),
  },
  {
    name: 'startprice',
    args: '<price | off>',
    description: 'Build the first grid only once the price crosses this',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'start_price', price: a.toLowerCase() === 'off' ? 'off' : decimal(a.replace(/^\$/, '')) }), { note: ruleNote('start_price', 'Start price') }),
  },
  {
    name: 'takeprofit',
    args: '<equity USD | off>',
    description: 'Stop trading when equity reaches this',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'take_profit', equity: a.toLowerCase() === 'off' ? 'off' : decimal(a.replace(/^\$/, '')) }), { note: ruleNote('take_profit_equity', 'Take-profit') }),
  },
  {
    name: 'stopaction',
    args: '<hold | sell>',
    description: "On a stop: keep the DOGE, or sell it near the market",
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'stop_action', action: a }), { note: ruleNote('stop_action', 'Stop action') }),
  },
  {
    name: 'profitmode',
    args: '<compound | fixed | accumulate>',
    description: 'What the grid does with its profit',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'profit_mode', mode: a }), { note: ruleNote('profit_mode', 'Profit mode') }),
  },
  {
    name: 'mode',
    args: '<drift | trailing>',
    description: 'Grid mode: drift rebuild or trailing grid',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'gridMode', mode: a }), { note: (ctx) => modeNote(ctx, 'grid_mode') }),
  },
  {
    name: 'levels',
    args: '<arithmetic | geometric>',
    description: 'Level spacing: equal steps or equal % (rebuild)',
    changes: 'always',
    run: appliesValue((a) => ({ kind: 'spacingMode', mode: a }), { note: (ctx) => modeNote(ctx, 'spacing_mode') }),
  },
  { name: 'check', args: '', description: 'Run the AI check on the next cycle', changes: 'always', run: applies({ kind: 'check' }) },
  { name: 'pause', args: '', description: 'Pause trading (cancels open buys)', changes: 'always', run: applies({ kind: 'pause' }) },
  { name: 'resume', args: '', description: 'Resume trading', changes: 'always', run: applies({ kind: 'resume' }) },
  { name: 'reset', args: '', description: 'Rebuild the grid around the current price', changes: 'always', run: applies({ kind: 'reset' }) },
  { name: 'notify', args: '[kind on|silent|off]', description: 'Show or set which notifications ring', changes: 'with-args', run: notifyCommand },
  {
    name: 'suggest',
    args: '',
    description: 'Backtest recent candles; propose better settings',
    changes: 'always',
    run: async (args, ctx, usage) => {
      if (args.length !== 0) return usageMessage(usage, `${usage} takes no arguments`);
      if (!ctx.suggest) return html`Suggestions are not available in this bot.`;
      return html`🔎 ${ctx.suggest().message}`;
    },
  },
  { name: 'help', args: '', description: 'List the commands', changes: 'never', run: help, aliases: ['start'] },
];

// ---------------------------------------------------------------- derived from the table

export function helpMessage(commands: readonly CommandSpec[] = COMMANDS): string {
  const lines = commands.map((c) => html`${usageOf(c)} — ${c.description}`);
  return html`<b>Commands</b>\n` + lines.join('\n') + html`\n\nOnly this chat may command the bot. AI recommendations arrive with Approve / Skip buttons.`;
}

/** The Bot API setMyCommands list. */
export function commandMenu(commands: readonly CommandSpec[] = COMMANDS): Array<{ command: string; description: string }> {
  return commands.map((c) => ({ command: c.name, description: c.description }));
}

function usageOf(c: CommandSpec): string {
  return `/${c.name}${c.args ? ' ' + c.args : ''}`;
}

export function findCommand(name: string, commands: readonly CommandSpec[] = COMMANDS): CommandSpec | undefined {
  return commands.find((c) => c.name === name || (c.aliases?.includes(name) ?? false));
}

// ---------------------------------------------------------------- parsing and dispatch

export interface ParsedCommand {
  /** Lower-case, without the slash and the @suffix. */
  name: string;
  args: string[];
  /** The `@botname` suffix, if any (without the @). */
  target: string | null;
}

/** Null when the text is not a command. */
export function parseCommand(text: unknown): ParsedCommand | null {
  if (typeof text !== 'string') return null;
  const m = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  const rest = (m[3] ?? '').trim();
  return { name: m[1]!.toLowerCase(), args: rest === '' ? [] : rest.split(/\s+/).slice(0, 10), target: m[2] ?? null };
}

/** A `/cmd@OtherBot` in a group is meant for another bot. Unknown own name → accept. */
export function isForUs(cmd: ParsedCommand, ownUsername: string | null): boolean {
  return cmd.target === null || ownUsername === null || cmd.target.toLowerCase() === ownUsername.toLowerCase();
}

/** Whether this command, with these arguments, changes something (refused when stale). */
export function isMutating(cmd: ParsedCommand): boolean {
  const changes = findCommand(cmd.name)?.changes ?? 'never';
  return changes === 'always' || (changes === 'with-args' && cmd.args.length > 0);
}

/** The reply (HTML) to one command from the authorized chat. Never throws. */
export async function runCommand(cmd: ParsedCommand, ctx: CommandContext): Promise<string> {
  const spec = findCommand(cmd.name);
  if (!spec) return unknownCommandMessage(cmd.name);
  try {
    return await spec.run(cmd.args, ctx, usageOf(spec));
  } catch (err) {
    log.error(`/${cmd.name} failed: ${errorMessage(err)}`);
    return html`❌ /${cmd.name} failed: ${clip(errorMessage(err), 300)}`;
  }
}
