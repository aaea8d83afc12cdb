// Child process of the backtest benchmarks (a fresh process, so its RSS is the
// year's alone): `node backtest-year-child.js calm|volatile [csv-file]` replays
// one synthetic year (from a CSV file when given: streaming parse) at 1 %
// spacing and prints one JSON line: replay wall and CPU time, peak RSS, fills, ticks.
import { loadCandlesCsv } from '../src/tools/backtest/candles.js';
import { backtestConfig, runBacktest } from '../src/tools/backtest/engine.js';
import { syntheticCandles } from '../src/tools/backtest/synthetic.js';
import { configureLogger } from '../src/util/log.js';
import { BENCH_YEARS } from './backtest-years.js';

async function main(): Promise<void> {
  configureLogger({ level: 'ERROR', write: () => undefined });
  const year = BENCH_YEARS[process.argv[2] === 'volatile' ? 'volatile' : 'calm'];
  const file = process.argv[3];
  const series = file ? loadCandlesCsv(file).series : syntheticCandles(year.synthetic);
  const config = backtestConfig({ spacingPct: 1.0, env: year.env });
  const c0 = process.cpuUsage();
  const run = await runBacktest(series, { config });
  const cpu = process.cpuUsage(c0);
  const s = run.summary;
  const rebuilds = Object.entries(s.rebuilds).reduce((n, [k, v]) => (k === 'startup' ? n : n + v), 0);
  process.stdout.write(
    JSON.stringify({
      candles: s.candles,
      replayMs: s.perf.replayMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      realTicks: s.perf.realTicks,
      fills: s.fills,
      rebuilds,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }) + '\n',
  );
}

void main();
