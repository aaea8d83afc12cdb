// Append-only CSV files in LOG_DIR (trades.csv, daily_summary.csv,
// ai_recommendations.csv, fills.csv). The header is written when the file is new.
import fs from 'node:fs';
import path from 'node:path';

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
  constructor(dir: string, name: string, readonly header: readonly string[]) {
    this.file = path.join(dir, name);
  }

  append(row: readonly CsvValue[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    let prefix = '';
    if (!fs.existsSync(this.file) || fs.statSync(this.file).size === 0) prefix = csvLine(this.header);
    fs.appendFileSync(this.file, prefix + csvLine(row));
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
