// What the HTTP server is given (HttpServerDeps) and what its handlers share
// for the server's lifetime (ServerContext).
import type { StatusView } from '../../ops/status-view.js';
import type { Controls } from '../../ops/controls.js';
import type { PeriodKind, PeriodsView } from '../../ops/reports.js';
import { DEFAULT_CAPS, type ConnectionCaps } from './connection-guard.js';
import { JsonCache } from './json-cache.js';
import type { MetricsSnapshot } from './metrics.js';

export interface HttpServerDeps {
  mode: () => 'dry_run' | 'live';
  status: () => StatusView;
  /** Body of GET /api/stats (the analyzers' report, or null). */
  stats: () => unknown;
  /** GET /health: 200 when healthy, else 503. */
  health: () => { healthy: boolean; body: Record<string, unknown> };
  metrics: () => MetricsSnapshot;
  controls: Controls;
  /** POST /api/suggest: starts a walk-forward in the background (absent: 404). */
  suggest?: () => { started: boolean; message: string };
  /** '' = no token. */
  dashboardToken: string;
  /** name → file, served at GET /api/export/<name>.csv */
  csvFiles: Record<string, string>;
  /** name → CSV text made at request time (the period tables), served the same way. */
  csvTables?: Record<string, () => string>;
  /** GET /api/periods?kind=…: the period table (absent: 503). */
  periods?: (kind: PeriodKind) => PeriodsView;
  /** The bot's clock (accepted for symmetry with the other services; caching uses a monotonic clock). */
  now?: () => number;
  /** How long a serialised status may be reused (ms). Default 500; a successful POST invalidates it. */
  statusCacheMs?: number;
  /** Dashboard refresh period (ms). Default 5000. */
  dashboardRefreshMs?: number;
  /** Open-socket caps per remote address and in total (connection-guard.ts). */
  connectionCaps?: Partial<ConnectionCaps>;
  /**
   * Host names (besides IP addresses, localhost and the bind address) that POST /api/config accepts in its
   * Host header; an entry starting with "." also matches every subdomain. See host-check.ts.
   */
  allowedHosts?: readonly string[];
}

export interface ServerContext {
  deps: HttpServerDeps;
  /** The dashboard token ('' = none). */
  token: string;
  statusCache: JsonCache;
  statsCache: JsonCache;
  /** Responses sent, by status code (reported by /metrics). */
  responses: Map<string, number>;
  refreshMs: number;
  /** CSV exports offered on the page. */
  exportNames: string[];
  connectionCaps: ConnectionCaps;
  /** Host names a state-changing request may be addressed to (lower case; ".x" = any subdomain of x). */
  allowedHosts: string[];
}

/** Export names that are safe in a URL path and a file name. */
export const CSV_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/** `bindHost`: the address the server listens on (a host name there is one of its own names). */
export function createContext(deps: HttpServerDeps, bindHost = ''): ServerContext {
  const allowed = [...(deps.allowedHosts ?? [])];
  if (bindHost !== '') allowed.push(bindHost);
  return {
    deps,
    token: deps.dashboardToken ?? '',
    statusCache: new JsonCache(deps.statusCacheMs ?? 500),
    statsCache: new JsonCache(deps.statusCacheMs ?? 500),
    responses: new Map(),
    refreshMs: deps.dashboardRefreshMs ?? 5000,
    exportNames: [...Object.keys(deps.csvFiles), ...Object.keys(deps.csvTables ?? {})].filter((n) => CSV_NAME.test(n)),
    connectionCaps: { ...DEFAULT_CAPS, ...(deps.connectionCaps ?? {}) },
    allowedHosts: allowed.map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
  };
}
