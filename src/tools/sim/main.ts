// CLI: run the Kraken simulator as its own process.
//
//   node dist/src/tools/sim/main.js --port 8090 --process ou [--price 0.1] [--step-ms 1000]
//        [--tier starter] [--seed 1] [--partial 1] [--volatility 0.003]
//        [--process replay:candles.csv] [--key K --secret BASE64]
//        [--post-only-cross cancel|reject] [--pair-status online|cancel_only|…]
//
// The tier defaults to starter (a new Kraken account). A crossing post-only
// order is accepted then cancelled as Kraken does today; `reject` gives the
// older EOrder:Post only order answer.
//
// Prints one JSON line {"url", "wsUrl", "wsAuthUrl", "apiKey", "apiSecret", ...} on stdout once it
// listens (the key pair is fake and only valid for this simulator), then
// steps the price every --step-ms real milliseconds. Scripts drive it over
// HTTP: POST /sim/price {"price":0.1}, GET /sim/orders, POST /sim/faults, …
import fs from 'node:fs';
import { parseOhlcCsv, type PriceProcessSpec } from './price-process.js';
import { startKrakenSim, type PairStatus, type SimTier } from './kraken-sim.js';
import { PAIR_STATUSES } from './types.js';

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument: ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) out.set(a.slice(2), 'true');
      else {
        out.set(a.slice(2), v);
        i++;
      }
    }
  }
  return out;
}

function num(args: Map<string, string>, name: string, fallback: number): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number (got ${raw})`);
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help')) {
    process.stdout.write('usage: main.js --port N --process manual|gbm|ou|replay:file.csv [--price P] [--step-ms MS] [--tier starter|intermediate|pro] [--seed S] [--partial R] [--post-only-cross cancel|reject] [--pair-status S]\n');
    return;
  }
  const price = num(args, 'price', 0.1);
  const volatility = num(args, 'volatility', 0.003);
  const kind = args.get('process') ?? 'ou';
  let spec: PriceProcessSpec;
  if (kind === 'manual') spec = { kind: 'manual', price };
  else if (kind === 'gbm') spec = { kind: 'gbm', price, volatility, drift: num(args, 'drift', 0) };
  else if (kind === 'ou') spec = { kind: 'ou', price, volatility, theta: num(args, 'theta', 0.05) };
  else if (kind.startsWith('replay:')) {
    const file = kind.slice('replay:'.length);
    const candles = parseOhlcCsv(fs.readFileSync(file, 'utf8'));
    if (candles.length === 0) throw new Error(`no candles in ${file}`);
    spec = { kind: 'replay', candles, loop: args.get('loop') !== 'false' };
  } else throw new Error(`--process must be manual, gbm, ou or replay:<file.csv> (got ${kind})`);
  const tier = (args.get('tier') ?? 'starter') as SimTier;
  if (!['starter', 'intermediate', 'pro'].includes(tier)) throw new Error(`--tier must be starter, intermediate or pro`);
  const postOnlyCross = args.get('post-only-cross') ?? 'cancel';
  if (postOnlyCross !== 'cancel' && postOnlyCross !== 'reject') throw new Error('--post-only-cross must be cancel or reject');
  const pairStatus = (args.get('pair-status') ?? 'online') as PairStatus;
  if (!PAIR_STATUSES.includes(pairStatus)) throw new Error(`--pair-status must be one of ${PAIR_STATUSES.join(', ')}`);
  const sim = await startKrakenSim({
    port: num(args, 'port', 0),
    process: spec,
    tier,
    seed: num(args, 'seed', 1),
    partialFillRatio: num(args, 'partial', 1),
    autoStepMs: num(args, 'step-ms', 1000),
    apiKey: args.get('key'),
    apiSecret: args.get('secret'),
    balances: { ZUSD: num(args, 'usd', 1000), XXDG: num(args, 'doge', 10000) },
    postOnlyCross,
    pairStatus,
  });
  process.stdout.write(JSON.stringify({ url: sim.url, port: sim.port, wsUrl: sim.wsUrl, wsAuthUrl: sim.wsAuthUrl, apiKey: sim.apiKey, apiSecret: sim.apiSecret, process: spec.kind, tier }) + '\n');
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`kraken-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
