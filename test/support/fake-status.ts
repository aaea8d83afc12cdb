// A realistic StatusView and a fake bot behind the HTTP server: the control
// target records every call and, like the real bot, rebuilds its (cached)
// view when a setting changes — spacing rebuilds the ladder around the center.
import { periodTable, type JournalDay, type JournalFill, type PeriodInputs } from '../../src/ops/periods.js';
import { toPeriodsView, type PeriodKind, type PeriodsView } from '../../src/ops/reports.js';
import { limitsView } from '../../src/core/limits.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnalyzerView, FillRow, GridRow, StatusView } from '../../src/ops/status-view.js';
import { createControls, type ControlTarget } from '../../src/ops/controls.js';
import type { HttpServerDeps, MetricsSnapshot } from '../../src/frontends/http/server.js';
import { mulberry32 } from './rng.js';

export const FAKE_NOW = Date.UTC(2025, 5, 14, 15, 30, 0);
export const MIN_SPACING = 0.6;

export function buildGrid(center: number, spacingPct: number, levelsPerSide: number, orderSizeUsd: number): GridRow[] {
  const s = spacingPct / 100;
  const rows: GridRow[] = [];
  for (let i = levelsPerSide; i >= 1; i--) {
    const price = round(center * (1 + s * i), 7);
    rows.push({ level: i, side: 'sell', price, volume: round(orderSizeUsd / price, 2), status: 'open' });
  }
  for (let i = 1; i <= levelsPerSide; i++) {
    const price = round(center * (1 - s * i), 7);
    rows.push({ level: -i, side: 'buy', price, volume: round(orderSizeUsd / price, 2), status: 'open' });
  }
  return rows;
}

function round(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** 24 h of 30 s samples (2880), a seeded random walk ending at `last`. */
export function rawHistory(now: number, last: number, points = 2880, seed = 7): [number, number][] {
  const rnd = mulberry32(seed);
  const steps: number[] = [];
  for (let i = 0; i < points - 1; i++) steps.push((rnd() - 0.5) * 0.0016 + Math.sin(i / 230) * 0.00006);
  const out: [number, number][] = new Array(points);
  let p = last;
  out[points - 1] = [now, last];
  for (let i = points - 2; i >= 0; i--) {
    p = p / (1 + steps[i]);
    out[i] = [now - (points - 1 - i) * 30_000, round(p, 6)];
  }
  return out;
}

/** Keep at most `max` points, evenly spaced, always keeping the newest. */
export function downsample(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points.slice();
  const step = points.length / max;
  const out: [number, number][] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}

/** Fills every 41 minutes, newest first, priced on the price history so they sit on the chart's line. */
export function fakeFills(now: number, history: [number, number][], count = 20): FillRow[] {
  const fills: FillRow[] = [];
  const priceAt = (t: number): number => {
    let best = history[0];
    for (const p of history) if (Math.abs(p[0] - t) < Math.abs(best[0] - t)) best = p;
    return best[1];
  };
  for (let i = 0; i < count; i++) {
    const side = i % 2 === 0 ? 'sell' : 'buy';
    const level = side === 'sell' ? 1 + (i % 3) : -(1 + (i % 3));
    const px = round(priceAt(now - (i + 1) * 41 * 60_000), 6);
    const volume = round(3.5 / px, 2);
    fills.push({
      time: new Date(now - (i + 1) * 41 * 60_000).toISOString(),
      side,
      price: px,
      volume,
      fee: round(px * volume * 0.0025, 6),
      profit: side === 'sell' ? round(0.0175 - i * 0.0003, 6) : null,
      level,
    });
  }
  return fills;
}

export function fakeAnalyzers(): AnalyzerView[] {
  return [
    { name: 'profitability', label: 'Equity trend', verdict: 'significant profit', color: 'green', confidence: 0.86, summary: 'Equity +$0.3100 ± $0.2200 per day (95% CI [$0.0900, $0.5300], p=0.011, 9 days): equity grows', detail: { n: 27, mean: 0.0162, p_value: 0.0031, ci_low: 0.0061, ci_high: 0.0263 } },
    { name: 'fill_asymmetry', label: 'Buy/sell balance', verdict: 'balanced', color: 'green', confidence: 0.55, summary: '7 buys vs 9 sells in 12 h, p = 0.80.', detail: { buys: 7, sells: 9, p_value: 0.8036, buy_share_low: 0.2, buy_share_high: 0.67 } },
    { name: 'hidden_risk', label: 'Hidden risk', verdict: 'low_risk', color: 'yellow', confidence: 0.7, summary: 'P(price beyond outer level between samples) = 1.8%.', detail: { crossing_probability: 0.018, sigma_per_sample: 0.0011, checked_candles: 48 } },
    { name: 'fill_rate', label: 'Fill rate', verdict: 'normal', color: 'gray', confidence: 0.4, summary: '1.3 fills/h vs baseline 1.1 (95% CI 0.6–2.2).', detail: { rate: 1.3, baseline: 1.1, ci_low: 0.6, ci_high: 2.2, p_value: 0.61 } },
    { name: 'random_walk', label: 'Random walk', verdict: 'mean_reverting', color: 'green', confidence: 0.62, summary: 'Inner levels fill more than a random walk predicts (χ² = 9.4, p = 0.024).', detail: { chi2: 9.4, df: 3, p_value: 0.024, bins: 4 } },
  ];
}

export interface FakeBotOptions {
  mode?: 'dry_run' | 'live';
  token?: string;
  price?: number;
  center?: number;
  spacingPct?: number;
  levelsPerSide?: number;
  fills?: number;
  historyMax?: number;
  /** Raw 30 s price samples (default 2880 = 24 h); fewer for a bot that ran a short while. */
  historyPoints?: number;
  withStats?: boolean;
  now?: number;
  csvDir?: string;
}

export interface RecordedCall {
  method: string;
  arg?: unknown;
}

export interface FakeBot {
  deps: HttpServerDeps;
  calls: RecordedCall[];
  state: { spacing: number; ratio: number | null; interval: number; paused: boolean; price: number; center: number };
  view(): StatusView;
  /** Make the next setter throw (to test failing applies). */
  failNext: { message: string } | null;
  csvDir: string;
  cleanup(): void;
}

/** What the sample status view is built from (the fake bot's mutable state and its fixed data). */
export interface SampleViewInput {
  mode: 'dry_run' | 'live';
  state: { spacing: number; ratio: number | null; interval: number; paused: boolean; price: number; center: number };
  levels: number;
  now: number;
  fills: FillRow[];
  history: [number, number][];
  stats: StatusView['stats'];
  controlsMode: StatusView['config']['controls'];
}

/**
 * The one sample StatusView of the test suite: the dashboard tests use it
 * through the fake bot, the Telegram tests spread it and override the values
 * their texts check. A key added to StatusView is added here once.
 */
export function sampleStatusView(input: Partial<SampleViewInput> = {}): StatusView {
  const now = input.now ?? FAKE_NOW;
  const state = input.state ?? { spacing: 1.0, ratio: null, interval: 3600, paused: false, price: 0.1234, center: 0.1227 };
  const mode = input.mode ?? 'dry_run';
  const levels = input.levels ?? 10;
  const history = input.history ?? downsample(rawHistory(now, state.price), 480);
  const fills = input.fills ?? fakeFills(now, history, 20);
  const stats = input.stats === undefined ? { health: { verdict: 'favorable', color: 'green', summary: 'Mean reverting and profitable: the grid suits the market.' }, analyzers: fakeAnalyzers() } : input.stats;
  const controlsMode = input.controlsMode ?? (mode === 'live' ? 'read_only' : 'open');

    const grid = buildGrid(state.center, state.spacing, levels, 3.5);
    const buys = grid.filter((g) => g.side === 'buy').length;
    const ratio = state.ratio ?? 0.55;
    return {
      mode,
      paused: state.paused,
      pause_reason: state.paused ? 'operator' : null,
      not_trading: null,
      uptime: 3 * 86400 + 4 * 3600 + 12 * 60,
      pair: 'XDGUSD',
      price: { current: state.price, center: state.center, drift_pct: ((state.price - state.center) / state.center) * 100, change_1h: 0.41, change_4h: -0.8, change_24h: 2.35 },
      profit: { today: 0.0842, total: 1.9375, fees: 0.4121, round_trips: 27, round_trips_today: 5, doge_accumulated: 41.37 },
      ledger: { cash: 86.12, inventory: 281.4, avg_cost: 0.1209, realized: 1.9375, unrealized: 0.7035, equity: 120 + 1.9375 + 0.7035, starting_capital: 120 },
      attribution: {
        equity: 120 + 1.9375 + 0.7035,
        starting_capital: 120,
        change: 1.9375 + 0.7035,
        change_pct: ((1.9375 + 0.7035) / 120) * 100,
        grid_profit: 1.9375,
        fees: 0.4121,
        inventory_pnl: 0.7035,
        inventory: 281.4,
        inventory_value: 281.4 * state.price,
        inventory_cost: 281.4 * state.price - 0.7035,
        doge_accumulated: 41.37,
        doge_accumulated_value: 41.37 * state.price,
        hold: { first_price: 0.118, first_price_source: 'recorded', value: 60 + (60 / 0.118) * state.price, vs_hold: 120 + 1.9375 + 0.7035 - (60 + (60 / 0.118) * state.price) },
      },
      grid,
      trend: { ratio, source: state.ratio === null ? 'auto' : 'manual', buy_pct: (buys / grid.length) * 100, sell_pct: 100 - (buys / grid.length) * 100, buy_12h: 7, sell_12h: 9, grid_buys: buys, grid_sells: grid.length - buys },
      config: {
        order_size: 3.5,
        grid_levels: levels,
        spacing_pct: state.spacing,
        effective_capital: 121.94,
        starting_capital: 120,
        ai_interval: state.interval,
        round_trip_fee_pct: 0.5,
        min_spacing: MIN_SPACING,
        drift_reset_pct: 5,
        stop_floor: 100,
        daily_loss_limit: 3,
        poll_interval: 30,
        controls: controlsMode,
      },
      limits: limitsView(0.25),
      recent_fills: fills,
      ai_recommendation: { time: new Date(now - 25 * 60_000).toISOString(), condition: 'ranging', action: 'continue', reason: 'Price oscillates inside the grid; fills are balanced.', status: 'logged' },
      price_history: history,
      stats,
      last_tick: new Date(now - 12_000).toISOString(),
    };
}

export function createFakeBot(opts: FakeBotOptions = {}): FakeBot {
  const mode = opts.mode ?? 'dry_run';
  const token = opts.token ?? '';
  const now = opts.now ?? FAKE_NOW;
  const levels = opts.levelsPerSide ?? 10;
  const state = {
    spacing: opts.spacingPct ?? 1.0,
    ratio: null as number | null,
    interval: 3600,
    paused: false,
    price: opts.price ?? 0.1234,
    center: opts.center ?? 0.1227,
  };
  const history = downsample(rawHistory(now, state.price, opts.historyPoints), opts.historyMax ?? 480);
  const fills = fakeFills(now, history, opts.fills ?? 20);
  const stats = opts.withStats === false ? null : { health: { verdict: 'favorable', color: 'green', summary: 'Mean reverting and profitable: the grid suits the market.' }, analyzers: fakeAnalyzers() };
  const controlsMode: StatusView['config']['controls'] = token ? 'token' : mode === 'live' ? 'read_only' : 'open';
  let cached: StatusView | null = null;

  const build = (): StatusView => sampleStatusView({ mode, state, levels, now, fills, history, stats, controlsMode });
  const view = (): StatusView => (cached ??= build());
  const changed = (): void => {
    cached = null;
  };

  const bot: FakeBot = {
    deps: undefined as unknown as HttpServerDeps,
    calls: [],
    state,
    view,
    failNext: null,
    csvDir: '',
    cleanup: () => {},
  };
  const maybeFail = (): void => {
    if (bot.failNext) {
      const m = bot.failNext.message;
      bot.failNext = null;
      throw new Error(m);
    }
  };
  const target: ControlTarget = {
    minSpacingPct: () => MIN_SPACING,
    currentSpacingPct: () => state.spacing,
    async setSpacing(pct) {
      bot.calls.push({ method: 'setSpacing', arg: pct });
      maybeFail();
      state.spacing = pct;
      changed();
      return `spacing set to ${pct}%, grid rebuilt`;
    },
    async setRatioOverride(ratio) {
      bot.calls.push({ method: 'setRatioOverride', arg: ratio });
      maybeFail();
      state.ratio = ratio;
      changed();
      return ratio === null ? 'ratio back to auto' : `ratio fixed at ${ratio}`;
    },
    async setAiInterval(seconds) {
      bot.calls.push({ method: 'setAiInterval', arg: seconds });
      maybeFail();
      state.interval = seconds;
      changed();
      return `AI interval set to ${seconds} s`;
    },
    async requestAiCheck() {
      bot.calls.push({ method: 'requestAiCheck' });
      return 'AI check queued';
    },
    async pause(reason) {
      bot.calls.push({ method: 'pause', arg: reason });
      state.paused = true;
      changed();
      return 'paused';
    },
    async resume() {
      bot.calls.push({ method: 'resume' });
      state.paused = false;
      changed();
      return 'resumed';
    },
    async resetGrid(reason) {
      bot.calls.push({ method: 'resetGrid', arg: reason });
      changed();
      return 'grid reset';
    },
  };

  const csvDir = opts.csvDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dash-csv-'));
  const trades = path.join(csvDir, 'trades.csv');
  fs.writeFileSync(trades, 'timestamp,side,price,amount,fee,profit,grid_level\n2025-06-14T10:00:00.000Z,buy,0.1209,28.95,0.00875,,-1\n');
  bot.csvDir = csvDir;
  bot.cleanup = () => fs.rmSync(csvDir, { recursive: true, force: true });

  const metrics = (): MetricsSnapshot => ({
    price: state.price,
    equity: 122.641,
    realizedPnl: 1.9375,
    unrealizedPnl: 0.7035,
    roundTrips: 27,
    openOrders: { buy: levels, sell: levels },
    fillsPerHour: 1.3,
    fillsTotal: 61,
    apiErrorsTotal: 2,
    lastTickDurationMs: 184,
    ticksTotal: 8664,
    paused: state.paused,
    uptimeSeconds: 274320,
  });

  bot.deps = {
    mode: () => mode,
    status: view,
    stats: () => view().stats,
    health: () => ({ healthy: true, body: { status: 'ok', mode, uptime_seconds: view().uptime, last_tick: view().last_tick } }),
    metrics,
    controls: createControls(target),
    dashboardToken: token,
    csvFiles: { trades, fills: path.join(csvDir, 'fills.csv') },
    periods: (kind) => fakePeriods(now, kind),
    now: () => now,
    statusCacheMs: 0,
  };
  return bot;
}

/**
 * GET /api/periods of a bot that has traded 45 days from $120 with DOGE first
 * at 0.118 (as the sample status). The fills log starts 40 days ago (round
 * trips of the days before are unknown), one day is missing from the journal
 * (rebuilt from the fills) and one from both (unknown); then the running day.
 */
export function fakePeriods(now: number, kind: PeriodKind): PeriodsView {
  const DAY = 86400_000;
  const today = new Date(now).toISOString().slice(0, 10);
  const journal: JournalDay[] = [];
  const fills: JournalFill[] = [];
  const closes: { day: string; equity: number; price: number }[] = [];
  for (let d = 45; d >= 1; d--) {
    const start = Date.parse(new Date(now - d * DAY).toISOString().slice(0, 10) + 'T00:00:00Z');
    const date = new Date(start).toISOString().slice(0, 10);
    const k = 45 - d;
    const price = 0.118 + 0.01 * Math.sin(k / 7) + (0.0054 * k) / 44;
    const trips = 6 + ((k * 7) % 9);
    if (d !== 12 && d !== 43) journal.push({ date, tradesCount: trips * 2 + 1, grossProfit: trips * 0.05, feesPaid: (trips * 2 + 1) * 0.006, netProfit: trips * 0.038 });
    if (d <= 40) for (let f = 0; f <= trips * 2; f++) fills.push({ time: start + f * 600_000, fee: 0.006, profit: f % 2 ? 0.038 : null });
    closes.push({ day: date, equity: 120 + k * 0.025 + (60 / 0.118) * (price - 0.118) * 0.55, price });
  }
  const inputs: PeriodInputs = {
    hourUtc: 0,
    journal,
    fills,
    closes,
    startingCapital: 120,
    firstPrice: 0.118,
    today: { key: today, fills: 5, roundTrips: 2, gridProfit: 0.076, fees: 0.024, equity: 122.641, price: 0.1234 },
  };
  return toPeriodsView(periodTable(inputs, kind), 120, 0.118);
}
