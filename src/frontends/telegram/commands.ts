// Telegram command syntax: parses "/name@bot args" and answers it. All
// validation and every change goes through the controls module (the same one
// the dashboard and approved AI actions use); this file only knows the
// command syntax and how to phrase the reply (HTML, escaped).
import { parseInterval, parseRatio, parseSpacing, type ControlRequest, type Controls } from '../../ops/controls.js';
import { errorMessage, logger } from '../../util/log.js';
import {
  clip,
  fmtPct,
  helpMessage,
  html,
  outcomeMessage,
  ratioMessage,
  statsMessage,
  statusMessage,
  unavailableMessage,
  unknownCommandMessage,
} from './messages.js';
import type { StatusView } from '../../ops/status-view.js';

const log = logger('telegram-commands');

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

/** Commands that change something (refused when stale, see telegram-frontend). */
export const MUTATING_COMMANDS: ReadonlySet<string> = new Set(['spacing', 'interval', 'check', 'pause', 'resume', 'ratio']);

export function isMutating(cmd: ParsedCommand): boolean {
  return MUTATING_COMMANDS.has(cmd.name) && !(cmd.name === 'ratio' && cmd.args.length === 0);
}

export interface CommandContext {
  controls: Controls;
  status: () => StatusView;
}

function usage(syntax: string, note?: string, error?: string): string {
  return (error ? html`❌ ${clip(error, 300)}\n` : '') + html`Usage: <code>${syntax}</code>` + (note ? html`\n${note}` : '');
}

function safeStatus(ctx: CommandContext): StatusView | null {
  try {
    return ctx.status();
  } catch (err) {
    log.error(`status unavailable: ${errorMessage(err)}`);
    return null;
  }
}

async function apply(ctx: CommandContext, req: ControlRequest): Promise<string> {
  const out = await ctx.controls.apply(req, 'telegram');
  return outcomeMessage(out.ok, out.message);
}

/** The reply (HTML) to one command from the authorized chat. Never throws. */
export async function runCommand(cmd: ParsedCommand, ctx: CommandContext): Promise<string> {
  try {
    return await dispatch(cmd, ctx);
  } catch (err) {
    log.error(`/${cmd.name} failed: ${errorMessage(err)}`);
    return html`❌ /${cmd.name} failed: ${clip(errorMessage(err), 300)}`;
  }
}

async function dispatch(cmd: ParsedCommand, ctx: CommandContext): Promise<string> {
  const { name, args } = cmd;
  switch (name) {
    case 'start':
    case 'help':
      return helpMessage();

    case 'status': {
      const v = safeStatus(ctx);
      return v ? statusMessage(v) : unavailableMessage('Status');
    }

    case 'stats': {
      const v = safeStatus(ctx);
      return v ? statsMessage(v) : unavailableMessage('Statistics');
    }

    case 'spacing': {
      const min = ctx.controls.minSpacingPct();
      const current = safeStatus(ctx)?.config.spacing_pct;
      const note = `${current !== undefined ? `Now ${fmtPct(current)}; ` : ''}minimum ${fmtPct(min)} (round-trip fee + 0.1).`;
      if (args.length !== 1) return usage('/spacing <pct>', note);
      const p = parseSpacing(args[0]!.replace(/%$/, ''), min);
      if (!p.ok) return usage('/spacing <pct>', note, p.error);
      return apply(ctx, { kind: 'spacing', pct: p.value });
    }

    case 'ratio': {
      if (args.length === 0) {
        const v = safeStatus(ctx);
        return v ? ratioMessage(v) : unavailableMessage('The trend ratio');
      }
      if (args.length !== 1) return usage('/ratio [0.25..0.75 | auto]');
      const p = parseRatio(args[0]);
      if (!p.ok) return usage('/ratio [0.25..0.75 | auto]', undefined, p.error);
      return apply(ctx, { kind: 'ratio', ratio: p.value });
    }

    case 'interval': {
      const current = safeStatus(ctx)?.config.ai_interval;
      const note = current !== undefined ? `AI check every ${current} s now.` : undefined;
      if (args.length !== 1) return usage('/interval <60..86400>', note);
      const p = parseInterval(args[0]!.replace(/s$/i, ''));
      if (!p.ok) return usage('/interval <60..86400>', note, p.error);
      return apply(ctx, { kind: 'interval', seconds: p.value });
    }

    case 'check':
    case 'pause':
    case 'resume':
      if (args.length !== 0) return usage(`/${name}`, undefined, `/${name} takes no arguments`);
      return apply(ctx, { kind: name });

    default:
      return unknownCommandMessage(name);
  }
}
