// Building Telegram HTML safely: the `html` tag escapes each interpolation
// unless it was explicitly wrapped in `raw()` (only ever used for fragments
// our own message builders made).
import { escapeHtml } from '../../util/escape-html.js';

/** A fragment of already-safe HTML (built by our message builders). */
export class RawHtml {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export function raw(fragment: string): RawHtml {
  return new RawHtml(fragment);
}

/** Template tag: literal parts are trusted, every `${value}` is escaped unless it is a RawHtml. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out += v instanceof RawHtml ? v.html : escapeHtml(v);
    out += strings[i + 1] ?? '';
  }
  return out;
}

/** Shortens free text (model output, error messages) before it is escaped. */
export function clip(text: string, max: number): string {
  const t = String(text).replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : t.slice(0, Math.max(0, max - 1)) + '…';
}
