// GET /metrics: the bot's counters in the Prometheus text format.

import type { MetricsSnapshot } from '../../ops/views.js';

export type { MetricsSnapshot };

type Sample = [labels: string, value: number | null | undefined];

const fmt = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** One metric family; samples without a number are left out, and a family with none is omitted. */
function family(out: string[], name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void {
  const present = samples.filter((s): s is [string, number] => typeof s[1] === 'number');
  if (present.length === 0) return;
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, v] of present) out.push(`${name}${labels} ${fmt(v)}`);
}

/** The exposition text; `requests` counts HTTP responses by status code. */
export function metricsText(m: MetricsSnapshot, mode: string, requests: Map<string, number>): string {
  const out: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): void => family(out, name, type, help, samples);
  metric('dogegrid_up', 'gauge', 'Always 1 while the bot answers.', [['', 1]]);
  metric('dogegrid_info', 'gauge', 'Run mode of the bot.', [[`{mode="${mode === 'live' ? 'live' : 'dry_run'}"}`, 1]]);
  metric('dogegrid_price_usd', 'gauge', 'Last price seen (USD).', [['', m.price]]);
  metric('dogegrid_equity_usd', 'gauge', 'Mark-to-market equity (USD).', [['', m.equity]]);
  metric('dogegrid_realized_pnl_usd', 'gauge', 'Realized = grid profit: booked round trips net of fees (USD).', [['', m.realizedPnl]]);
  metric('dogegrid_unrealized_pnl_usd', 'gauge', 'Unrealized = inventory P&L: DOGE held at market minus its cost (USD).', [['', m.unrealizedPnl]]);
  metric('dogegrid_round_trips_total', 'counter', 'Completed round trips.', [['', m.roundTrips]]);
  metric('dogegrid_open_orders', 'gauge', 'Open grid orders by side.', [
    ['{side="buy"}', m.openOrders?.buy],
    ['{side="sell"}', m.openOrders?.sell],
  ]);
  metric('dogegrid_fills_per_hour', 'gauge', 'Fills in the last hour.', [['', m.fillsPerHour]]);
  metric('dogegrid_fills_total', 'counter', 'Fills since the bot first started.', [['', m.fillsTotal]]);
  metric('dogegrid_api_errors_total', 'counter', 'Failed exchange API calls.', [['', m.apiErrorsTotal]]);
  metric('dogegrid_last_tick_duration_seconds', 'gauge', 'Duration of the last tick.', [
    ['', typeof m.lastTickDurationMs === 'number' ? m.lastTickDurationMs / 1000 : null],
  ]);
  metric('dogegrid_ticks_total', 'counter', 'Ticks run since start.', [['', m.ticksTotal]]);
  metric('dogegrid_paused', 'gauge', '1 while trading is paused.', [['', m.paused === undefined ? undefined : m.paused ? 1 : 0]]);
  metric('dogegrid_uptime_seconds', 'gauge', 'Seconds since start.', [['', m.uptimeSeconds]]);
  metric(
    'dogegrid_http_responses_total',
    'counter',
    'HTTP responses by status code.',
    [...requests.entries()].sort().map(([code, n]): Sample => [`{code="${code}"}`, n]),
  );
  return out.join('\n') + '\n';
}
