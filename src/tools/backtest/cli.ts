// `npm run backtest -- …`: replay candles through the real strategy and the
// paper exchange, one scenario per spacing (× levels), and print the results.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, type Config } from '../../config.js';
import { FALLBACK_PAIR_INFO, type PairInfo } from '../../exchange/exchange.js';
import { KrakenClient } from '../../exchange/kraken/client.js';
import { KrakenExchange } from '../../exchange/kraken/kraken-exchange.js';
import { configureLogger, errorMessage } from '../../util/log.js';
import { CandleError, loadCandlesCsv, parseTimestamp, seriesFromCandles, sliceSeries, type CandleSeries } from './candles.js';
import { backtestConfig, BacktestError, runBacktest, type ScenarioSummary } from './engine.js';
import { FETCH_INTERVALS, fetchKrakenCandles } from './fetch.js';
import { jsonReport, textReport, type BacktestReport, type DataInfo } from './report.js';
import { OPTIMIZE_USAGE, OptimizeUsageError, runOptimizeCli } from './optimize/cli-optimize.js';
import { describeSynthetic, SYNTHETIC_DEFAULTS, syntheticCandles, type SyntheticOptions } from './synthetic.js';

export const USAGE = `Usage: npm run backtest -- <data> [options]

Replays OHLC candles through the bot's own Trader and paper exchange (the
dry-run code path) and reports, per scenario: net profit, round trips, fees,
equity change, max equity drawdown, final inventory and its value, fills per
day, grid rebuilds, and the five analyzers' verdicts at the end.

Data (one of):
  --csv FILE            candles from a CSV file: Kraken's OHLC layout, headerless
                        time,open,high,low,close,vwap,volume,count (unix seconds),
                        Kraken's OHLCVT files (time,open,high,low,close,volume,trades),
                        or a header row timestamp,open,high,low,close,volume
                        (timestamp in unix seconds, milliseconds or ISO 8601, UTC)
  --synthetic gbm|ou    deterministic 1-minute candles: gbm = geometric Brownian
                        motion (a trend with --drift), ou = mean-reverting around
                        the start price
      --days N          length (default 30)
      --seed S          random seed (default 1); same seed, same candles
      --start DATE      first candle (default 2025-01-01)
      --price P         start price (default ${SYNTHETIC_DEFAULTS.startPrice})
      --vol PCT         daily volatility (default ${SYNTHETIC_DEFAULTS.dailyVolPct})
      --drift PCT       gbm: median price change per year (default 0; a fall
                        is written --drift=-50)
      --half-life D     ou: half-life of deviations, days (default ${SYNTHETIC_DEFAULTS.halfLifeDays})
  --fetch               Kraken's public OHLC for --pair (default XDGUSD). Kraken
                        serves only the latest 720 candles per interval
      --interval M      candle minutes: ${FETCH_INTERVALS.join(', ')} (default 60 = the last 30 days)

Scenarios (a sweep runs every combination):
  --spacing LIST        grid spacing in %, e.g. 1.0 or 0.6,0.8,1.0 or 0.6:2.0:0.2
                        (from:to:step). Default GRID_SPACING_PCT or 1.0
  --levels LIST         grid levels per side instead of the adaptive count
  --grid-mode LIST      drift and/or trailing, e.g. drift,trailing (default
                        GRID_MODE or drift; TRAIL_UP_LIMIT / TRAIL_DOWN_LIMIT
                        from the environment)
  --spacing-mode LIST   arithmetic and/or geometric (default GRID_SPACING_MODE
                        or arithmetic)
  --capital USD         starting capital (default STARTING_CAPITAL or 120)
  --fee PCT             maker fee per side (default MAKER_FEE_PCT or 0.25)
  --start-price P       START_PRICE: no grid until the price crosses P
  --take-profit USD     TAKE_PROFIT_EQUITY: stop when equity reaches USD
  --stop-action A       STOP_ACTION: hold (default) or sell
  --profit-mode M       PROFIT_MODE: accumulate (default), compound or fixed
  --from DATE           first candle to use (inclusive)
  --to DATE             end of the data (exclusive); DATE is ISO (2025-03-01,
                        2025-03-01T12:00Z) or unix seconds
  Other strategy settings come from the bot's environment variables:
  STOP_FLOOR, DAILY_LOSS_LIMIT, GRID_DRIFT_RESET_PCT, DAILY_SUMMARY_HOUR_UTC,
  MONTHLY_RESERVE_USD, ACCUMULATION_SWEEP_DAYS, ORDER_SIZE_USD, GRID_LEVELS,
  START_PRICE, TAKE_PROFIT_EQUITY, STOP_ACTION, PROFIT_MODE (the flags above win).

${OPTIMIZE_USAGE}
Output:
  --json                JSON instead of the tables
  --no-fast-path        run the real tick at every visited price (slow; for checks)
  --verbose             the Trader's log lines (INFO, on stderr)
  -h, --help            this text

How a candle is replayed: the price visits the open, then whichever of high
and low is nearer to the open (the low on a tie), then the other extreme, then
the close, at the candle's start + 0, 1/4, 1/2 and 3/4 of its length. Each
visit is one tick of the bot (a repeated price within a candle is one tick),
so a limit order fills when a visit reaches its price, at its limit price,
paying the maker fee. Candles whose whole range stays inside the band where
no order, drift, risk limit or timed event can trigger are skipped: that
gives the same fills as running every visit, only faster.

Examples:
  npm run backtest -- --synthetic ou --days 365 --seed 1 --spacing 0.6:2.0:0.2
  npm run backtest -- --csv XDGUSD_1.csv --from 2024-06-01 --to 2024-07-01 --spacing 0.8,1.0,1.2
  npm run backtest -- --fetch --interval 60 --spacing 0.8,1.0 --json
  npm run backtest -- --synthetic ou --days 120 --vol 6 --optimize --spacing 0.6:2.0:0.2 --drift-reset 3,5,8
  npm run backtest -- --csv XDGUSD_1.csv --train 30d --test 7d --spacing 0.6:1.6:0.2 --ratio auto,0.5
`;

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

function num(name: string, raw: string | undefined, fallback: number, check: (x: number) => boolean = () => true, what = 'a number'): number {
  if (raw === undefined) return fallback;
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${name}: expected ${what}, got "${raw}"`);
  return x;
}

/** "0.6,0.8" or "0.6:2.0:0.2" (inclusive range) → numbers. */
export function parseList(name: string, raw: string): number[] {
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    if (p.includes(':')) {
      const [a, b, st] = p.split(':').map((x) => Number(x));
      if (![a, b, st].every((x) => Number.isFinite(x)) || !(st! > 0) || b! < a!) throw new UsageError(`--${name}: expected from:to:step with step > 0, got "${p}"`);
      const n = Math.floor((b! - a!) / st! + 1e-9);
      if (n > 1000) throw new UsageError(`--${name}: range "${p}" has more than 1000 values`);
      for (let i = 0; i <= n; i++) out.push(Number((a! + i * st!).toFixed(10)));
    } else {
      const x = Number(p);
      if (!Number.isFinite(x)) throw new UsageError(`--${name}: "${p}" is not a number`);
      out.push(x);
    }
  }
  if (out.length === 0) throw new UsageError(`--${name}: empty list`);
  return out;
}

/** "drift,trailing" → the listed words, each one of `allowed`; [undefined] (the environment's) without the flag. */
function words(name: string, raw: string | undefined, allowed: readonly string[]): (string | undefined)[] {
  if (raw === undefined) return [undefined];
  const out = raw.split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== '');
  if (out.length === 0) throw new UsageError(`--${name}: empty list`);
  for (const w of out) if (!allowed.includes(w)) throw new UsageError(`--${name}: expected ${allowed.join(' or ')}, got "${w}"`);
  return [...new Set(out)];
}

function date(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const t = parseTimestamp(raw);
  if (!Number.isFinite(t)) throw new UsageError(`--${name}: expected an ISO date or unix seconds, got "${raw}"`);
  return t;
}

function krakenClient(env: Record<string, string | undefined>): KrakenClient {
  return new KrakenClient({ baseUrl: (env.KRAKEN_API_URL ?? 'https://api.kraken.com').replace(/\/+$/, ''), tier: 'starter', maxRetries: 3 });
}

interface LoadedData {
  series: CandleSeries;
  info: DataInfo;
  pair: PairInfo;
}

async function loadData(v: Record<string, string | boolean | undefined>, io: CliIo, factory: (env: Record<string, string | undefined>) => KrakenClient): Promise<LoadedData> {
  const sources = [v.csv !== undefined, v.synthetic !== undefined, v.fetch === true].filter(Boolean).length;
  if (sources !== 1) throw new UsageError('choose exactly one data source: --csv FILE, --synthetic gbm|ou or --fetch');
  const from = date('from', v.from as string | undefined);
  const to = date('to', v.to as string | undefined);
  if (from !== undefined && to !== undefined && !(to > from)) throw new UsageError('--to must be after --from');
  let series: CandleSeries;
  let source: string;
  const notes: string[] = [];
  let pair = FALLBACK_PAIR_INFO;
  if (v.csv !== undefined) {
    const parsed = loadCandlesCsv(v.csv as string);
    series = parsed.series;
    source = `${path.basename(v.csv as string)} (${parsed.layout})`;
    notes.push(...parsed.notes);
  } else if (v.synthetic !== undefined) {
    const kind = v.synthetic as string;
    if (kind !== 'gbm' && kind !== 'ou') throw new UsageError(`--synthetic: expected gbm or ou, got "${kind}"`);
    const opts: SyntheticOptions = {
      kind,
      days: num('days', v.days as string | undefined, 30, (x) => x > 0 && x <= 3660, 'days between 0 and 3660'),
      seed: num('seed', v.seed as string | undefined, 1, Number.isInteger, 'an integer'),
      startMs: date('start', v.start as string | undefined) ?? SYNTHETIC_DEFAULTS.startMs,
      startPrice: num('price', v.price as string | undefined, SYNTHETIC_DEFAULTS.startPrice, (x) => x > 0, 'a positive price'),
      dailyVolPct: num('vol', v.vol as string | undefined, SYNTHETIC_DEFAULTS.dailyVolPct, (x) => x >= 0 && x <= 50, 'a daily volatility in % (0–50)'),
      yearlyDriftPct: num('drift', v.drift as string | undefined, 0, (x) => x > -100, 'a yearly change in % above −100'),
      halfLifeDays: num('half-life', v['half-life'] as string | undefined, SYNTHETIC_DEFAULTS.halfLifeDays, (x) => x > 0, 'a positive number of days'),
    };
    series = syntheticCandles(opts);
    source = describeSynthetic(opts);
  } else {
    const interval = num('interval', v.interval as string | undefined, 60, (x) => (FETCH_INTERVALS as readonly number[]).includes(x), FETCH_INTERVALS.join(', '));
    const pairName = ((v.pair as string | undefined) ?? io.env.PAIR ?? 'XDGUSD').toUpperCase();
    const client = factory(io.env);
    const fetched = await fetchKrakenCandles(client, { pair: pairName, intervalMinutes: interval, fromMs: from, toMs: to });
    if (fetched.candles.length === 0) throw new BacktestError(`Kraken returned no ${interval}-minute candles for ${pairName}`);
    series = seriesFromCandles(fetched.candles, interval * 60_000);
    source = `Kraken ${pairName} ${interval}-minute OHLC (${fetched.calls} call${fetched.calls === 1 ? '' : 's'})`;
    notes.push(...fetched.notes);
    pair = await new KrakenExchange(client, { pair: pairName, userref: 1 }).getPairInfo();
  }
  const sliced = from !== undefined || to !== undefined ? sliceSeries(series, from, to) : series;
  if (sliced.length === 0) throw new UsageError('no candles in the chosen --from/--to range');
  const n = sliced.length;
  return {
    series: sliced,
    pair,
    info: {
      source,
      candles: n,
      intervalMs: sliced.intervalMs,
      from: new Date(sliced.time[0]!).toISOString(),
      to: new Date(sliced.time[n - 1]! + sliced.intervalMs).toISOString(),
      firstPrice: sliced.open[0]!,
      lastPrice: sliced.close[n - 1]!,
      notes,
    },
  };
}

/** The CLI's options (node:util parseArgs). */
const CLI_OPTIONS = {
  csv: { type: 'string' },
  synthetic: { type: 'string' },
  fetch: { type: 'boolean' },
  interval: { type: 'string' },
  pair: { type: 'string' },
  days: { type: 'string' },
  seed: { type: 'string' },
  start: { type: 'string' },
  price: { type: 'string' },
  vol: { type: 'string' },
  drift: { type: 'string' },
  'half-life': { type: 'string' },
  spacing: { type: 'string' },
  levels: { type: 'string' },
  'grid-mode': { type: 'string' },
  'spacing-mode': { type: 'string' },
  capital: { type: 'string' },
  fee: { type: 'string' },
  'start-price': { type: 'string' },
  'take-profit': { type: 'string' },
  'stop-action': { type: 'string' },
  'profit-mode': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  optimize: { type: 'boolean' },
  train: { type: 'string' },
  test: { type: 'string' },
  'drift-reset': { type: 'string' },
  ratio: { type: 'string' },
  sample: { type: 'string' },
  'sample-seed': { type: 'string' },
  rank: { type: 'string' },
  workers: { type: 'string' },
  top: { type: 'string' },
  json: { type: 'boolean' },
  'no-fast-path': { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Scenario {
  config: Config;
  levels: number | null;
}

/** Every spacing × levels combination asked for, each a validated Config. */
/** The start/exit/profit flags win over the bot's environment variables (validated by loadConfig like the env). */
function ruleEnv(values: Record<string, string | boolean | undefined>, env: Record<string, string | undefined>): Record<string, string | undefined> {
  const flag = (f: string): string | undefined => (typeof values[f] === 'string' ? (values[f] as string) : undefined);
  return {
    ...env,
    START_PRICE: flag('start-price') ?? env.START_PRICE,
    TAKE_PROFIT_EQUITY: flag('take-profit') ?? env.TAKE_PROFIT_EQUITY,
    STOP_ACTION: flag('stop-action') ?? env.STOP_ACTION,
    PROFIT_MODE: flag('profit-mode') ?? env.PROFIT_MODE,
  };
}

function scenarioConfigs(values: Record<string, string | boolean | undefined>, baseEnv: Record<string, string | undefined>): Scenario[] {
  const env = ruleEnv(values, baseEnv);
  const spacings = values.spacing !== undefined ? parseList('spacing', values.spacing as string) : [num('spacing', env.GRID_SPACING_PCT, 1.0)];
  const levels: (number | null)[] = values.levels !== undefined ? parseList('levels', values.levels as string) : [null];
  for (const l of levels) if (l !== null && !(Number.isInteger(l) && l >= 1 && l <= 50)) throw new UsageError(`--levels: expected whole numbers 1–50, got ${l}`);
  const capital = values.capital !== undefined ? num('capital', values.capital as string, 0, (x) => x > 0, 'a positive amount') : undefined;
  const fee = values.fee !== undefined ? num('fee', values.fee as string, 0, (x) => x >= 0 && x <= 5, 'a fee in % (0–5)') : undefined;
  const gridModes = words('grid-mode', values['grid-mode'] as string | undefined, ['drift', 'trailing']);
  const spacingModes = words('spacing-mode', values['spacing-mode'] as string | undefined, ['arithmetic', 'geometric']);
  const configs: Scenario[] = [];
  for (const s of spacings) {
    for (const l of levels) {
      for (const gridMode of gridModes) {
        for (const spacingMode of spacingModes) configs.push({ config: backtestConfig({ spacingPct: s, capital, makerFeePct: fee, gridMode, spacingMode, env }), levels: l });
      }
    }
  }
  return configs;
}

/** Every scenario over the same data, and the report. */
async function runScenarios(values: Record<string, string | boolean | undefined>, configs: Scenario[], data: LoadedData): Promise<BacktestReport> {
  const scenarios: ScenarioSummary[] = [];
  const t0 = performance.now();
  for (const c of configs) {
    const run = await runBacktest(data.series, { config: c.config, levelsPerSide: c.levels, pair: data.pair, fastPath: values['no-fast-path'] !== true, logReplayTime: values.verbose === true });
    scenarios.push(run.summary);
  }
  const seconds = (performance.now() - t0) / 1000;
  const total = data.series.length * configs.length;
  return { data: data.info, scenarios, throughput: { candles: total, seconds, candlesPerSecond: seconds > 0 ? total / seconds : 0 } };
}

/** The message and exit code of a failed run (2: bad usage or configuration, 1: failure). */
function failure(err: unknown, io: CliIo): number {
  if (err instanceof UsageError || err instanceof ConfigError || err instanceof CandleError || err instanceof OptimizeUsageError) {
    io.stderr(`${err.message}\n(see --help)\n`);
    return 2;
  }
  if (err instanceof BacktestError) {
    io.stderr(`backtest: ${err.message}\n`);
    return err.message.startsWith('--levels') ? 2 : 1;
  }
  io.stderr(`backtest failed: ${errorMessage(err)}\n`);
  return 1;
}

/** The CLI; returns the exit code (0 ok, 2 bad usage or configuration, 1 failure). */
export async function main(argv: string[], io: CliIo, clientFactory: (env: Record<string, string | undefined>) => KrakenClient = krakenClient): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, strict: true, allowPositionals: false, options: CLI_OPTIONS }).values;
  } catch (err) {
    io.stderr(`${errorMessage(err)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  // The Trader's log lines never go to stdout (it carries the report, maybe JSON);
  // without --verbose they are dropped: stops, pauses and failed ticks are in the report.
  configureLogger(values.verbose ? { level: 'INFO', write: (line) => io.stderr(line + '\n') } : { level: 'ERROR', write: () => undefined });
  try {
    if (values.optimize || values.train !== undefined || values.test !== undefined) {
      await runOptimizeCli(values, await loadData(values, io, clientFactory), io);
      return 0;
    }
    const configs = scenarioConfigs(values, io.env);
    const data = await loadData(values, io, clientFactory);
    const report = await runScenarios(values, configs, data);
    io.stdout(values.json ? jsonReport(report) : textReport(report));
    return 0;
  } catch (err) {
    return failure(err, io);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2), { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`fatal: ${errorMessage(err)}\n`);
      process.exitCode = 1;
    },
  );
}
