// GET /api/export/<name>.csv: the bot's CSV logs, streamed, and the period
// tables, generated at request time.
import fs from 'node:fs';
import type http from 'node:http';
import { errorMessage, logger } from '../../util/log.js';
import { CSV_NAME, type ServerContext } from './context.js';
import { countResponse } from './reply.js';
import { API_CSP, COMMON_HEADERS } from './security.js';

export const EXPORT_PREFIX = '/api/export/';

const log = logger('http');

/** The export name in an export path, or null when the path is not one. */
export function exportName(pathname: string): string | null {
  return pathname.startsWith(EXPORT_PREFIX) && pathname.endsWith('.csv') ? pathname.slice(EXPORT_PREFIX.length, -'.csv'.length) : null;
}

/** Size of the export file now; 0 when nothing was written yet; null when it is not a file. */
function currentSize(file: string): number | null {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? st.size : null;
  } catch {
    // No rows written yet: an empty file is an honest answer.
    return 0;
  }
}

function csvHeaders(name: string, size: number): Record<string, string | number> {
  return {
    ...COMMON_HEADERS,
    'Content-Security-Policy': API_CSP,
    'Cache-Control': 'no-store',
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}.csv"`,
    'Content-Length': size,
  };
}

/** A generated export (the period tables): made whole, then sent. */
function serveTable(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, name: string, text: string): void {
  const body = Buffer.from(text, 'utf8');
  countResponse(ctx, 200);
  res.writeHead(200, csvHeaders(name, body.length));
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Streams the export `name`; false when there is no such export (the caller answers 404). */
export function serveCsv(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse, name: string): boolean {
  const tables = ctx.deps.csvTables ?? {};
  if (CSV_NAME.test(name) && Object.prototype.hasOwnProperty.call(tables, name)) {
    serveTable(ctx, req, res, name, tables[name]!());
    return true;
  }
  const files = ctx.deps.csvFiles;
  if (!CSV_NAME.test(name) || !Object.prototype.hasOwnProperty.call(files, name)) return false;
  const file = files[name];
  const size = currentSize(file);
  if (size === null) return false;
  const headers = csvHeaders(name, size);
  countResponse(ctx, 200);
  res.writeHead(200, headers);
  if (req.method === 'HEAD' || size === 0) {
    res.end();
    return true;
  }
  // Stream what exists now (the file only grows; stop at the size we announced).
  const stream = fs.createReadStream(file, { start: 0, end: size - 1 });
  stream.on('error', (err) => {
    log.warn(`csv export ${name} failed: ${errorMessage(err)}`);
    res.destroy();
  });
  stream.pipe(res);
  return true;
}
