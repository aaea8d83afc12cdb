// Backtest output: a results table (Markdown-compatible, so it can be pasted
// into an issue as is), the analyzers' verdicts per scenario, and JSON.
import type { ScenarioSummary } from './engine.js';

export interface DataInfo {
  /** Where the candles came from, e.g. "synthetic OU seed 1, 365 d, …" or a file name. */
  source: string;
  candles: number;
  intervalMs: number;
  from: string;
  to: string;
  firstPrice: number;
  lastPrice: number;
  notes: string[];
}

export interface BacktestReport {
  data: DataInfo;
  scenarios: ScenarioSummary[];
  /** Candles replayed per second of wall time, over all scenarios. */
  throughput: { candles: number; seconds: number; candlesPerSecond: number };
}

function money(x: number, signed = false): string {
  const sign = x < 0 ? '-' : signed ? '+' : '';
  return `${sign}$${Math.abs(x).toFixed(2)}`;
}

function pct(x: number, digits = 1): string {
  return `${x.toFixed(digits)}%`;
}

function price(x: number): string {
  return x >= 100 ? x.toFixed(2) : x >= 1 ? x.toFixed(4) : x.toPrecision(4);
}

function interval(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

/** A Markdown table with padded columns (readable in a terminal too). */
export function markdownTable(header: string[], rows: string[][], alignRight: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (s: string, i: number) => (alignRight[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (alignRight[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

function rebuildText(s: ScenarioSummary): string {
  const parts = Object.entries(s.rebuilds)
    .filter(([k]) => k !== 'startup')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${v} ${k}`);
  return parts.length ? parts.join(', ') : '0';
}

export function resultsTable(scenarios: readonly ScenarioSummary[]): string {
  const header = ['spacing', 'levels', 'net profit', 'round trips', 'fees', 'equity Δ', 'max drawdown', 'inventory DOGE', 'inv. value', 'fills/day', 'rebuilds', 'stopped', 'health'];
  const right = [true, true, true, true, true, true, true, true, true, true, false, false, false];
  const rows = scenarios.map((s) => [
    pct(s.spacingPct, 1),
    s.levelsOverride !== null ? `${s.levelsPerSide}*` : String(s.levelsPerSide),
    money(s.netProfit),
    String(s.roundTrips),
    money(s.fees),
    money(s.equityChange, true),
    `${money(s.maxDrawdown)} (${pct(s.maxDrawdownPct)})`,
    s.inventory.toFixed(1),
    money(s.inventoryValue),
    s.fillsPerDay.toFixed(1),
    rebuildText(s) + (s.pauses ? `; ${s.pauses} pause${s.pauses === 1 ? '' : 's'}` : ''),
    s.stopped ? (s.stoppedAt ?? 'yes').slice(0, 10) : '–',
    s.health.verdict,
  ]);
  return markdownTable(header, rows, right);
}

/** Grid mode × spacing mode: what each costs in orders and what it earns (shown when a run uses a non-default mode). */
export function modesTable(scenarios: readonly ScenarioSummary[]): string {
  const header = ['spacing', 'grid mode', 'levels', 'net profit', 'fees', 'max drawdown', 'equity Δ', 'vs hold', 'placed', 'cancelled', 'amended', 'rebuilds'];
  const right = [true, false, false, true, true, true, true, true, true, true, true, false];
  const rows = scenarios.map((s) => [
    pct(s.spacingPct, 1),
    s.gridMode,
    s.spacingMode,
    money(s.netProfit),
    money(s.fees),
    `${money(s.maxDrawdown)} (${pct(s.maxDrawdownPct)})`,
    money(s.equityChange, true),
    money(s.vsHold, true),
    String(s.orders.placed),
    String(s.orders.cancelled),
    String(s.orders.amended),
    rebuildText(s),
  ]);
  return markdownTable(header, rows, right);
}

export function verdictTable(scenarios: readonly ScenarioSummary[]): string {
  const names = scenarios[0]?.analyzers.map((a) => a.name) ?? [];
  const header = ['spacing', 'health', ...names];
  const rows = scenarios.map((s) => [pct(s.spacingPct, 1) + (s.levelsOverride !== null ? ` ×${s.levelsOverride}` : ''), s.health.verdict, ...s.analyzers.map((a) => a.verdict)]);
  return markdownTable(header, rows);
}

export function dataLines(d: DataInfo): string[] {
  const change = d.firstPrice > 0 ? ((d.lastPrice / d.firstPrice - 1) * 100).toFixed(1) : 'n/a';
  return [
    `Data: ${d.source}`,
    `      ${d.candles.toLocaleString('en-US')} candles of ${interval(d.intervalMs)}, ${d.from} → ${d.to}; price ${price(d.firstPrice)} → ${price(d.lastPrice)} (${Number(change) > 0 ? '+' : ''}${change}%)`,
    ...d.notes.map((n) => `      note: ${n}`),
  ];
}

export function textReport(r: BacktestReport): string {
  const s0 = r.scenarios[0];
  const lines = [...dataLines(r.data)];
  if (s0) lines.push(`Capital ${money(s0.startingCapital)}, maker fee ${s0.makerFeePct}% per side. Intra-candle path: open → nearer of high/low → the other → close.`);
  lines.push('', resultsTable(r.scenarios), '');
  lines.push(
    'net profit: completed round trips net of both fees (the bot\'s "total profit"); equity Δ: final mark-to-market equity (cash + inventory × last close) minus the capital;',
    'max drawdown: largest fall of mark-to-market equity from an earlier peak; rebuilds: drift / ratio grid rebuilds (not counting the first grid), pauses: daily loss limit;',
    'stopped: the day the stop floor stopped trading (the inventory is kept, and counted at the last close)' +
      (r.scenarios.some((s) => s.levelsOverride !== null) ? '; levels*: fixed by --levels' : '') +
      '.',
  );
  if (r.scenarios.some((s) => s.gridMode !== 'drift' || s.spacingMode !== 'arithmetic')) {
    lines.push('', 'Grid and spacing modes (vs hold: final equity minus half the capital held in DOGE from the first price; placed / cancelled / amended: order operations, the rate-limit cost):', '', modesTable(r.scenarios));
  }
  lines.push('', 'Analyzers at the end of the data:', '', verdictTable(r.scenarios), '');
  for (const s of r.scenarios) {
    if (s.stopped) lines.push(`spacing ${pct(s.spacingPct)}: trading stopped ${s.stoppedAt ?? ''}: ${s.stopReason ?? ''}`);
    if (s.errors > 0) lines.push(`spacing ${pct(s.spacingPct)}: ${s.errors} tick(s) failed`);
  }
  const t = r.throughput;
  lines.push(`Replayed ${r.scenarios.length} scenario${r.scenarios.length === 1 ? '' : 's'} × ${r.data.candles.toLocaleString('en-US')} candles in ${t.seconds.toFixed(2)} s (${Math.round(t.candlesPerSecond).toLocaleString('en-US')} candles/s).`);
  return lines.join('\n') + '\n';
}

export function jsonReport(r: BacktestReport): string {
  return JSON.stringify(r, null, 2) + '\n';
}
