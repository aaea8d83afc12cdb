// HTML escaping for text put into markup: Telegram's HTML parse mode and the
// dashboard page share it.

/** Escapes the three characters Telegram's HTML parse mode requires, plus quotes for attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
