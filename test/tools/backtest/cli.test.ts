// `npm run backtest -- …`: options, sweeps, tables, JSON, errors, and --fetch
// against a local stand-in for Kraken's public API.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main, parseList, USAGE } from '../../../src/tools/backtest/cli.js';
import { BACKTEST_NODE_FLAGS } from '../../../src/tools/backtest/engine.js';
import type { BacktestReport } from '../../../src/tools/backtest/report.js';
import { XDGUSD_ASSET_PAIR } from '../../../src/tools/sim/kraken-sim.js';
import { tempDir } from '../../support/core.js';
import { removeDir } from '../../support/backtest-live.js';
import { repoRoot } from '../../support/ship-repo.js';

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env });
  return { code, out, err };
}

describe('backtest CLI', () => {
  it('npm run backtest starts node with the backtest flags (small young generation), as the benchmark does', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.ok(BACKTEST_NODE_FLAGS.length > 0);
    assert.match(pkg.scripts.backtest!, new RegExp(`&& node ${BACKTEST_NODE_FLAGS.join(' ')} dist/src/tools/backtest/cli\\.js$`));
  });

  it('--help documents the options and the intra-candle path', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.out, USAGE);
    for (const word of ['--csv', '--synthetic', '--fetch', '--interval', '--spacing', '--levels', '--capital', '--fee', '--from', '--to', '--json']) assert.ok(USAGE.includes(word), word);
    assert.match(USAGE.replace(/\s+/g, ' '), /visits the open, then whichever of high and low is nearer to the open \(the low on a tie\), then the other extreme, then the close/);
  });

  it('a spacing sweep on synthetic data: one scenario per spacing, a Markdown table with every column', async () => {
    const r = await cli(['--synthetic', 'ou', '--days', '5', '--seed', '3', '--spacing', '0.6:1.0:0.2,1.5']);
    assert.equal(r.code, 0, r.err);
    for (const h of ['spacing', 'levels', 'net profit', 'round trips', 'fees', 'equity Δ', 'max drawdown', 'inventory DOGE', 'inv. value', 'fills/day', 'health', 'profitability', 'random_walk']) assert.ok(r.out.includes(h), h);
    for (const sp of ['0.6%', '0.8%', '1.0%', '1.5%']) assert.match(r.out, new RegExp(`\\|\\s+${sp.replace('.', '\\.')} \\|`));
    assert.match(r.out, /synthetic OU seed 3, 5 d/);
    assert.match(r.out, /7,200 candles of 1 min/);
    assert.match(r.out, /candles\/s/);
  });

  it('--json: the report as data; --capital, --fee and --from/--to apply', async () => {
    const r = await cli(['--synthetic', 'gbm', '--days', '4', '--drift', '100', '--spacing', '0.8,1.2', '--capital', '300', '--fee', '0.2', '--from', '2025-01-02', '--to', '2025-01-04T00:00:00Z', '--json']);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as BacktestReport;
    assert.equal(rep.scenarios.length, 2);
    assert.deepEqual(rep.scenarios.map((s) => s.spacingPct), [0.8, 1.2]);
    assert.equal(rep.data.candles, 2 * 1440);
    assert.equal(rep.data.from, '2025-01-02T00:00:00.000Z');
    assert.equal(rep.data.to, '2025-01-04T00:00:00.000Z');
    for (const s of rep.scenarios) {
      assert.equal(s.startingCapital, 300);
      assert.equal(s.makerFeePct, 0.2);
      for (const k of ['netProfit', 'roundTrips', 'fees', 'maxDrawdown', 'inventory', 'inventoryValue', 'fillsPerDay', 'finalEquity'] as const) assert.equal(typeof s[k], 'number', k);
      assert.equal(s.analyzers.length, 5);
    }
    assert.ok(rep.throughput.candlesPerSecond > 0);
  });

  it('stdout stays pure JSON when the Trader logs (a stop); strategy variables come from the environment', async () => {
    const r = await cli(['--synthetic', 'gbm', '--drift=-90', '--vol', '8', '--days', '3', '--seed', '4', '--spacing', '1', '--json'], { STOP_FLOOR: '118', DAILY_LOSS_LIMIT: '50', DRY_RUN: 'false' });
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as BacktestReport;
    const s = rep.scenarios[0]!;
    assert.equal(s.stopped, true);
    assert.match(s.stoppedAt ?? '', /^2025-01-0/);
    assert.match(s.stopReason ?? '', /stop floor \$118/);
    const text = await cli(['--synthetic', 'gbm', '--drift=-90', '--vol', '8', '--days', '3', '--seed', '4', '--spacing', '1'], { STOP_FLOOR: '118', DAILY_LOSS_LIMIT: '50' });
    assert.match(text.out, /trading stopped 2025-01-0/);
    assert.doesNotMatch(text.out, /ERROR/);
  });

  it('--csv reads a file; the fast path can be switched off with the same answers', async () => {
    const dir = tempDir('bt-cli-');
    try {
      const file = path.join(dir, 'XDGUSD_1.csv');
      const lines: string[] = [];
      let p = 0.1;
      for (let i = 0; i < 600; i++) {
        const o = p;
        p = 0.1 * (1 + 0.03 * Math.sin(i / 25));
        const t = 1735689600 + 60 * i;
        lines.push(`${t},${o},${Math.max(o, p) * 1.001},${Math.min(o, p) * 0.999},${p},${p},1000,5`);
      }
      fs.writeFileSync(file, lines.join('\n'));
      const fast = await cli(['--csv', file, '--spacing', '0.8', '--json']);
      const slow = await cli(['--csv', file, '--spacing', '0.8', '--json', '--no-fast-path']);
      assert.equal(fast.code, 0, fast.err);
      const a = JSON.parse(fast.out) as BacktestReport;
      const b = JSON.parse(slow.out) as BacktestReport;
      assert.match(a.data.source, /XDGUSD_1\.csv \(kraken-ohlc/);
      assert.ok(a.scenarios[0]!.roundTrips > 0);
      const strip = (s: BacktestReport['scenarios'][number]) => ({ ...s, perf: null });
      assert.deepEqual(a.scenarios.map(strip), b.scenarios.map(strip));
      assert.ok(a.scenarios[0]!.perf.realTicks < b.scenarios[0]!.perf.realTicks);
    } finally {
      removeDir(dir);
    }
  });

  it('errors: no data source, bad values, spacing below fees + 0.1, unknown options, bad files', async () => {
    const cases: [string[], RegExp][] = [
      [['--spacing', '1'], /exactly one data source/],
      [['--synthetic', 'ou', '--csv', 'x.csv'], /exactly one data source/],
      [['--synthetic', 'walk'], /gbm or ou/],
      [['--synthetic', 'ou', '--spacing', '0.3'], /GRID_SPACING_PCT: must be at least round-trip fee \+ 0.1 = 0.6%/],
      [['--synthetic', 'ou', '--spacing', '1,abc'], /--spacing: "abc" is not a number/],
      [['--synthetic', 'ou', '--days', '-2'], /--days/],
      [['--synthetic', 'ou', '--from', '2025-02-01', '--to', '2025-01-01'], /--to must be after --from/],
      [['--synthetic', 'ou', '--days', '1', '--from', '2026-01-01'], /no candles in the chosen/],
      [['--synthetic', 'ou', '--capital', '90'], /STOP_FLOOR: must be below STARTING_CAPITAL/],
      [['--bogus'], /Unknown option/],
      [['--csv', '/nonexistent/file.csv'], /cannot read/],
      [['--fetch', '--interval', '7'], /--interval/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, re, args.join(' '));
    }
  });

  it('--levels: a sweep dimension when the Trader supports it, otherwise a clear refusal', async () => {
    const r = await cli(['--synthetic', 'ou', '--days', '1', '--spacing', '1', '--levels', '4,6', '--json']);
    if (r.code === 0) {
      const rep = JSON.parse(r.out) as BacktestReport;
      assert.deepEqual(rep.scenarios.map((s) => s.levelsPerSide), [4, 6]);
    } else {
      assert.equal(r.code, 2);
      assert.match(r.err, /--levels needs the Trader to honour a levels override/);
    }
  });

  it('--start-price, --take-profit, --stop-action and --profit-mode set the rules (validated like the env)', async () => {
    const r = await cli(['--synthetic', 'gbm', '--days', '3', '--drift', '3000', '--vol', '8', '--spacing', '1', '--start-price', '0.1005', '--take-profit', '121', '--stop-action', 'sell', '--profit-mode', 'fixed', '--json']);
    assert.equal(r.code, 0, r.err);
    const rep = JSON.parse(r.out) as BacktestReport;
    assert.equal(rep.scenarios.length, 1);
    const bad = await cli(['--synthetic', 'ou', '--days', '1', '--profit-mode', 'yolo']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /PROFIT_MODE/);
    assert.ok(USAGE.includes('--stop-action') && USAGE.includes('--profit-mode'));
  });

  it('list syntax', () => {
    assert.deepEqual(parseList('spacing', '0.6:2.0:0.2'), [0.6, 0.8, 1, 1.2, 1.4, 1.6, 1.8, 2]);
    assert.deepEqual(parseList('spacing', '1, 2 ,3'), [1, 2, 3]);
    assert.throws(() => parseList('spacing', '2:1:0.1'), /from:to:step/);
  });

  it('--fetch pages Kraken public OHLC (the forming candle left out) and uses its pair rules', async () => {
    const t0 = 1_767_225_600; // 2026-01-01
    const rows = Array.from({ length: 300 }, (_, i) => {
      const p = (0.1 * (1 + 0.02 * Math.sin(i / 7))).toFixed(7);
      return [t0 + 3600 * i, p, (Number(p) * 1.004).toFixed(7), (Number(p) * 0.996).toFixed(7), p, p, '5000.0', 12];
    });
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      seen.push(url.pathname + url.search);
      let result: unknown;
      if (url.pathname === '/0/public/OHLC') {
        const since = Number(url.searchParams.get('since') ?? 0);
        result = { XXDGZUSD: rows.filter((r) => (r[0] as number) > since).slice(-720), last: rows[rows.length - 2]![0] };
      } else if (url.pathname === '/0/public/AssetPairs') {
        result = { XDGUSD: { ...XDGUSD_ASSET_PAIR, ordermin: '20' } };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ error: [], result }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await cli(['--fetch', '--interval', '60', '--spacing', '1', '--json'], { KRAKEN_API_URL: url });
      assert.equal(r.code, 0, r.err);
      const rep = JSON.parse(r.out) as BacktestReport;
      assert.equal(rep.data.candles, 299);
      assert.match(rep.data.source, /Kraken XDGUSD 60-minute OHLC/);
      assert.equal(rep.data.intervalMs, 3_600_000);
      assert.ok(seen.some((s) => s.startsWith('/0/public/OHLC') && s.includes('interval=60')));
      assert.ok(seen.some((s) => s.startsWith('/0/public/AssetPairs')));
      assert.ok(rep.scenarios[0]!.fills > 0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('runs as a program (the npm script entry)', () => {
    const cliJs = fileURLToPath(new URL('../../../src/tools/backtest/cli.js', import.meta.url));
    const r = spawnSync(process.execPath, [cliJs, '--synthetic', 'ou', '--days', '1', '--spacing', '1.0'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\| +1\.0% \|/);
    const bad = spawnSync(process.execPath, [cliJs, '--synthetic'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(bad.status, 2);
  });
});
