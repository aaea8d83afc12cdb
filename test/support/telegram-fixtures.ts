// Shared fixtures for the Telegram / AI tests: a recording ControlTarget, a
// sample StatusView, a fake clock, log capture, and a harness that wires a
// real TelegramNotifier + front end to the Telegram double.
import { sampleStatusView } from './fake-status.js';
import { FakeClock as BaseClock } from './clock.js';
import { limitsView } from '../../src/core/limits.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createControls, type ControlTarget, type Controls } from '../../src/ops/controls.js';
import type { NotifyTarget } from '../../src/ops/notify-levels.js';
import { configureLogger } from '../../src/util/log.js';
import { parseCsvLine } from '../../src/persistence/csv-log.js';
import { TelegramNotifier, type TelegramNotifierOptions } from '../../src/frontends/telegram/notifier.js';
import type { PendingApproval } from '../../src/frontends/ai/approvals.js';
import type { StatusView } from '../../src/ops/status-view.js';
import type { ReportSource } from '../../src/ops/reports.js';
import { createTelegramFrontEnd, type TelegramFrontEnd } from '../../src/frontends/telegram/frontend.js';
import { TelegramDouble } from './telegram-double.js';

export const CHAT_ID = '777000111';
export const OTHER_CHAT_ID = '555000222';

export interface FakeTarget extends ControlTarget {
  calls: Array<{ op: string; arg?: unknown }>;
  spacing: number;
  min: number;
  ratio: number | null;
  interval: number;
  paused: boolean;
}

export function fakeTarget(spacing = 1.0, min = 0.6): FakeTarget {
  const t: FakeTarget = {
    calls: [],
    spacing,
    min,
    ratio: null,
    interval: 3600,
    paused: false,
    minSpacingPct: () => t.min,
    currentSpacingPct: () => t.spacing,
    async setSpacing(pct) {
      t.calls.push({ op: 'setSpacing', arg: pct });
      t.spacing = pct;
      return `spacing set to ${pct}%, grid rebuilt`;
    },
    async setRatioOverride(ratio) {
      t.calls.push({ op: 'setRatioOverride', arg: ratio });
      t.ratio = ratio;
      return ratio === null ? 'trend ratio back to auto' : `trend ratio fixed at ${ratio}`;
    },
    async setAiInterval(seconds) {
      t.calls.push({ op: 'setAiInterval', arg: seconds });
      t.interval = seconds;
      return `AI check every ${seconds} s`;
    },
    async requestAiCheck() {
      t.calls.push({ op: 'requestAiCheck' });
      return 'AI check will run on the next cycle';
    },
    async pause(reason) {
      t.calls.push({ op: 'pause', arg: reason });
      t.paused = true;
      return 'paused; open buys cancelled';
    },
    async resume() {
      t.calls.push({ op: 'resume' });
      t.paused = false;
      return 'resumed';
    },
    async resetGrid(reason) {
      t.calls.push({ op: 'resetGrid', arg: reason });
      return 'grid rebuilt around the current price';
    },
  };
  return t;
}

/** The suite's sample status view (support/fake-status.ts) with the values the Telegram texts are checked against. */
export function sampleStatus(target?: FakeTarget): StatusView {
  return {
    ...sampleStatusView(),
    mode: 'dry_run',
    paused: target?.paused ?? false,
    pause_reason: target?.paused ? 'operator' : null,
    not_trading: null,
    uptime: 3 * 3600 + 125,
    pair: 'XDGUSD',
    price: { current: 0.123456, center: 0.12, drift_pct: 2.88, change_1h: 0.5, change_4h: -1.25, change_24h: null },
    profit: { today: 0.42, total: 3.21, fees: 0.9, round_trips: 27, round_trips_today: 3, doge_accumulated: 12.5 },
    ledger: { cash: 60, inventory: 500, avg_cost: 0.12, realized: 3.21, unrealized: -1.51, equity: 121.7, starting_capital: 120 },
    attribution: {
      equity: 121.7,
      starting_capital: 120,
      change: 1.7,
      change_pct: 1.4167,
      grid_profit: 3.21,
      fees: 0.9,
      inventory_pnl: -1.51,
      inventory: 500,
      inventory_value: 61.728,
      inventory_cost: 63.238,
      doge_accumulated: 12.5,
      doge_accumulated_value: 1.5432,
      hold: { first_price: 0.125, first_price_source: 'recorded', value: 119.2576, vs_hold: 2.4424 },
    },
    grid: [],
    trend: { ratio: target?.ratio ?? 0.55, source: target?.ratio != null ? 'manual' : 'auto', buy_pct: 45, sell_pct: 55, buy_12h: 3, sell_12h: 5, grid_buys: 9, grid_sells: 11 },
    config: {
      order_size: 3.5,
      grid_levels: 10,
      spacing_pct: target?.spacing ?? 1,
      effective_capital: 123.21,
      starting_capital: 120,
      ai_interval: target?.interval ?? 3600,
      round_trip_fee_pct: 0.5,
      min_spacing: target?.min ?? 0.6,
      drift_reset_pct: 5,
      stop_floor: 100,
      daily_loss_limit: 3,
      poll_interval: 30,
      controls: 'open',
    },
    limits: limitsView(0.25),
    recent_fills: [],
    ai_recommendation: null,
    price_history: [],
    stats: {
      health: { verdict: 'favorable', color: 'green', summary: 'mean reverting <grid> & profitable' },
      analyzers: [
        { name: 'profitability', verdict: 'significant', color: 'green', confidence: 0.95, summary: 'mean +$0.012, p=0.01', detail: {} },
        { name: 'fill_asymmetry', verdict: 'balanced', color: 'green', confidence: 0.5, summary: '12 buys vs 11 sells', detail: {} },
      ],
    },
    last_tick: '2025-01-01T12:00:00.000Z',
  };
}

/** Telegram tests start the clock at the real time: the double stamps messages with it. */
export class FakeClock extends BaseClock {
  constructor(t = Date.now()) {
    super(t);
  }
}

const capturedLines: string[] = [];

/** Captures log lines (and keeps the test output quiet). Every call returns the same array. */
export function captureLogs(): string[] {
  configureLogger({ write: (l) => capturedLines.push(l), level: 'DEBUG' });
  return capturedLines;
}

export function tmpDir(prefix = 'tg-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function readCsv(file: string): string[][] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map(parseCsvLine);
}

/** Fast test settings for the notifier. */
export function testNotifierOptions(double: TelegramDouble, extra: Partial<TelegramNotifierOptions> = {}): TelegramNotifierOptions {
  return {
    apiUrl: double.url,
    token: double.token,
    chatId: CHAT_ID,
    dryRun: false,
    pollTimeoutSec: 2,
    requestTimeoutMs: 2000,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
    retryAfterUnitMs: 100,
    ...extra,
  };
}

/** The bot's persisted pieces, as bot.ts would keep them in its state file. */
export interface PersistedBits {
  pending: PendingApproval | null;
  offset: number;
}

export interface Harness {
  double: TelegramDouble;
  notifier: TelegramNotifier;
  fe: TelegramFrontEnd;
  target: FakeTarget;
  controls: Controls;
  clock: FakeClock;
  state: PersistedBits;
  logDir: string;
  logs: string[];
  decisions: string[];
  stop(): Promise<void>;
}

export async function startHarness(
  opts: {
    double?: TelegramDouble;
    state?: PersistedBits;
    target?: FakeTarget;
    clock?: FakeClock;
    logDir?: string;
    notifier?: Partial<TelegramNotifierOptions>;
    start?: boolean;
    /** What the report commands (/daily, /balance, …) read; absent: they answer "not available". */
    reports?: ReportSource;
    /** Notification settings behind the controls (/notify); none → defaults, changes refused. */
    notify?: NotifyTarget;
  } = {},
): Promise<Harness> {
  const logs = captureLogs();
  const double = opts.double ?? (await TelegramDouble.start());
  const target = opts.target ?? fakeTarget();
  const controls = createControls(target, opts.notify);
  const clock = opts.clock ?? new FakeClock();
  const state: PersistedBits = opts.state ?? { pending: null, offset: 0 };
  const logDir = opts.logDir ?? tmpDir();
  const notifier = new TelegramNotifier({ ...testNotifierOptions(double), now: clock.now, ...(opts.notifier ?? {}) });
  const decisions: string[] = [];
  const fe = createTelegramFrontEnd({
    onDecision: (d) => decisions.push(`${d.action}:${d.decision}`),
    notifier,
    controls,
    logDir,
    now: clock.now,
    status: () => sampleStatus(target),
    ...(opts.reports ? { reports: opts.reports } : {}),
    getPending: () => state.pending,
    setPending: (p) => {
      state.pending = p === null ? null : JSON.parse(JSON.stringify(p)); // as persisted JSON
    },
    getOffset: () => state.offset,
    setOffset: (n) => {
      state.offset = n;
    },
  });
  if (opts.start !== false) await fe.start();
  return {
    double,
    notifier,
    fe,
    target,
    controls,
    clock,
    state,
    logDir,
    logs,
    decisions,
    async stop() {
      await fe.stop(200);
    },
  };
}
