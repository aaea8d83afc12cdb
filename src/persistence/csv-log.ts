// Append-only CSV files in LOG_DIR (trades.csv, daily_summary.csv,
// ai_recommendations.csv, fills.csv). The header is written when the file is new.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

export type CsvValue = string | number | boolean | null | undefined;

function cell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(cell).join(',') + '\n';
}

export class CsvLog {
  readonly file: string;
  /** The existing file's header was checked (see extendHeader). */
  private headerChecked = false;
  constructor(dir: string, name: string, readonly header: readonly string[]) {
    this.file = path.join(dir, name);
  }

  append(row: readonly CsvValue[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let prefix = '';
    if (!fs.existsSync(this.file) || fs.statSync(this.file).size === 0) prefix = csvLine(this.header);
    else if (!this.headerChecked) this.extendHeader();
    this.headerChecked = true;
    fs.appendFileSync(this.file, prefix + csvLine(row));
  }

  /**
   * A file written by an older version whose header is the start of ours (columns were added at the end)
   * gets our header, so the new columns are named; its old rows simply end early. Any other header is left alone.
   */
  private extendHeader(): void {
    const text = fs.readFileSync(this.file, 'utf8');
    const eol = text.indexOf('\n');
    const first = eol < 0 ? text : text.slice(0, eol + 1);
    const ours = csvLine(this.header);
    if (first === ours) return;
    const old = parseCsvLine(first.replace(/\r?\n$/, ''));
    if (old.length >= this.header.length || !old.every((h, i) => h === this.header[i])) return;
    writeFileAtomic(this.file, ours + text.slice(first.length), { keepBackup: false });
  }

  /** Parsed rows without the header (simple CSV: quotes handled, no embedded newlines expected). */
  read(): string[][] {
    if (!fs.existsSync(this.file)) return [];
    const lines = fs.readFileSync(this.file, 'utf8').split('\n').filter((l) => l.length > 0);
    return lines.slice(1).map(parseCsvLine);
  }
}

export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else if (ch !== '\r') cur += ch;
  }
  out.push(cur);
  return out;
}
