// The reply keyboard sent with /start and /help: the common commands as
// buttons under the input field, so a phone needs no typing. Only commands
// that exist in the command table and change nothing when sent bare
// (/pause, /reset and the like stay typed, never one mistaken tap away).
import type { ReplyKeyboard } from './bot-api.js';
import { COMMANDS, findCommand, type CommandSpec } from './commands.js';

/** Preferred buttons, in order; names missing from the table are left out. */
export const KEYBOARD_COMMANDS: readonly string[] = ['status', 'profit', 'balance', 'daily', 'trades', 'stats', 'ratio', 'notify', 'help'];

/** Buttons per row: three fit a phone's width with room for the longest name. */
const PER_ROW = 3;

export function replyKeyboard(commands: readonly CommandSpec[] = COMMANDS): ReplyKeyboard {
  const names = KEYBOARD_COMMANDS.filter((n) => {
    const c = findCommand(n, commands);
    return c !== undefined && c.name === n && c.changes !== 'always';
  });
  const rows: { text: string }[][] = [];
  for (let i = 0; i < names.length; i += PER_ROW) rows.push(names.slice(i, i + PER_ROW).map((n) => ({ text: `/${n}` })));
  return { keyboard: rows, resize_keyboard: true, is_persistent: true, input_field_placeholder: 'Tap a command or type one' };
}
