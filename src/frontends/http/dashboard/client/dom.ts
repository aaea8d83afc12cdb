// Typed DOM helpers for the dashboard script. Text only: nothing here ever
// parses HTML, so no value the bot reports can inject markup.

/** The element with this id; throws when the page lacks it (a render section then fails alone). */
export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing from the page`);
  return e;
}

/** The element with this id, checked to be of the expected kind. */
export function byIdAs<T extends HTMLElement>(id: string, kind: { new (): T; prototype: T }): T {
  const e = byId(id);
  if (!(e instanceof kind)) throw new Error(`#${id} is a ${e.tagName}`);
  return e;
}

export const inputById = (id: string): HTMLInputElement => byIdAs(id, HTMLInputElement);
export const buttonById = (id: string): HTMLButtonElement => byIdAs(id, HTMLButtonElement);
export const formById = (id: string): HTMLFormElement => byIdAs(id, HTMLFormElement);
export const tableById = (id: string): HTMLTableElement => byIdAs(id, HTMLTableElement);
export const canvasById = (id: string): HTMLCanvasElement => byIdAs(id, HTMLCanvasElement);

/** A new element with an optional class list and text content. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string | null, text?: string | number | null): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== null && text !== undefined) e.textContent = String(text);
  return e;
}

export function td(text: string, cls?: string | null): HTMLTableCellElement {
  return el('td', cls, text);
}

/** A table row holding one cell across all columns (placeholder rows). */
export function wideRow(text: string, columns: number): HTMLTableRowElement {
  const tr = el('tr');
  const cell = td(text, 'muted');
  cell.colSpan = columns;
  tr.appendChild(cell);
  return tr;
}

/**
 * Sets an element's text (a missing element is skipped). `cls` replaces the
 * pos/neg colour class: '' clears it, undefined leaves it alone.
 */
export function setText(id: string, text: string, cls?: string): void {
  const e = document.getElementById(id);
  if (!e) return;
  e.textContent = text;
  if (cls !== undefined) {
    e.classList.remove('pos', 'neg');
    if (cls) e.classList.add(cls);
  }
}

/** Fills a <dl> with term/value pairs. */
export function kvRows(id: string, pairs: [string, string][]): void {
  const out: HTMLElement[] = [];
  for (const [term, value] of pairs) out.push(el('dt', null, term), el('dd', null, value));
  byId(id).replaceChildren(...out);
}

/** A BUY/SELL pill. */
export function sidePill(side: string): HTMLSpanElement {
  const buy = side === 'buy';
  return el('span', 'pill ' + (buy ? 'buy' : 'sell'), buy ? 'BUY' : 'SELL');
}
