// GET /api/periods?kind=day|week|month: the period table as JSON (the
// dashboard's period panel and equity-vs-hold chart read it), and the same
// tables offered as CSV exports (periods_day.csv, periods_week.csv,
// periods_month.csv), generated at request time.
import type http from 'node:http';
import { PERIOD_KINDS, type PeriodKind } from '../../ops/periods.js';
import type { ServerContext } from './context.js';
import { errorReply, jsonReply, type Reply } from './reply.js';

/** The export name of a period table, e.g. "periods_week". */
export const periodExportName = (kind: PeriodKind): string => `periods_${kind}`;

function kindOf(req: http.IncomingMessage): PeriodKind | null | 'bad' {
  let raw: string | null;
  try {
    raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('kind');
  } catch {
    return 'bad';
  }
  if (raw === null || raw === '') return null;
  return (PERIOD_KINDS as readonly string[]).includes(raw) ? (raw as PeriodKind) : 'bad';
}

export function periodsReply(ctx: ServerContext, req: http.IncomingMessage): Reply {
  const source = ctx.deps.periods;
  if (!source) return errorReply(503, 'Period reports are not available.');
  const kind = kindOf(req);
  if (kind === 'bad') return errorReply(400, `kind must be one of ${PERIOD_KINDS.join(', ')}`);
  return jsonReply(200, source(kind ?? 'day'));
}

/** The generated CSV exports, by export name. */
export function periodCsvTables(csv: (kind: PeriodKind) => string): Record<string, () => string> {
  const out: Record<string, () => string> = {};
  for (const kind of PERIOD_KINDS) out[periodExportName(kind)] = () => csv(kind);
  return out;
}
