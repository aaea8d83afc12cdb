// `npm run bench`: every benchmark of the project in one report.
// Prints a table; `--json` prints JSON instead. `--only name,name` selects.
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  target?: string;
}

type Bench = { name: string; run: () => Promise<BenchRow[]> };

async function load(): Promise<Bench[]> {
  const out: Bench[] = [];
  const core = await import('./core.bench.js');
  out.push({ name: 'tick', run: core.benchTick }, { name: 'memory', run: core.benchMemory });
  const optional: [string, string, string][] = [
    ['analyzers', './analyzers.bench.js', 'benchAnalyzers'],
    ['http', './http.bench.js', 'benchHttp'],
    ['bot-http', './bot-http.bench.js', 'benchBotHttp'],
    ['backtest', './backtest.bench.js', 'benchBacktest'],
    ['rebuild', './rebuild.bench.js', 'benchRebuild'],
    ['stream', './stream.bench.js', 'benchStream'],
  ];
  for (const [name, file, fn] of optional) {
    try {
      const mod = (await import(file)) as Record<string, unknown>;
      if (typeof mod[fn] === 'function') out.push({ name, run: mod[fn] as () => Promise<BenchRow[]> });
    } catch (err) {
      process.stderr.write(`bench ${name} not available: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return out;
}

function fmt(v: number): string {
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(3);
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  const only = onlyArg ? new Set(onlyArg.split(',')) : null;
  const rows: (BenchRow & { bench: string })[] = [];
  for (const b of await load()) {
    if (only && !only.has(b.name)) continue;
    if (!json) process.stderr.write(`running ${b.name}…\n`);
    for (const r of await b.run()) rows.push({ bench: b.name, ...r });
  }
  if (json) {
    process.stdout.write(JSON.stringify({ node: process.version, rows }, null, 2) + '\n');
    return;
  }
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  process.stdout.write(`\n${'benchmark'.padEnd(w)}  ${'value'.padStart(12)}  unit      target\n`);
  process.stdout.write(`${'-'.repeat(w)}  ${'-'.repeat(12)}  --------  ----------\n`);
  for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${fmt(r.value).padStart(12)}  ${r.unit.padEnd(8)}  ${r.target ?? ''}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
