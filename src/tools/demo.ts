// `npm run demo`: the whole LIVE path without an account, fully offline.
//
// Starts the Kraken simulator in this process (127.0.0.1, a mean-reverting
// DOGE/USD price that moves every second) and the real daemon
// (dist/src/bot.js) as a child process in LIVE mode against it, with the
// simulator's fake key pair, its dashboard on --port (default 8080) and its
// state in a fresh temporary directory. The bot's output is forwarded as is.
// Ctrl-C (or SIGTERM) stops the bot first (SIGTERM: it cancels its orders on
// the simulator and saves), then the simulator.
//
// The child's environment is built here from scratch (nothing is inherited),
// so a Telegram token or AI key in your shell can never make the demo talk to
// the outside world.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startKrakenSim, type KrakenSim } from './sim/kraken-sim.js';

export const DEMO_USAGE = `usage: npm run demo [-- --port N --seed N --tier T]
       node dist/src/tools/demo.js [--port N] [--seed N] [--tier T]

Runs the grid bot in LIVE mode against a local Kraken simulator: fake API
keys, fake money, no network access beyond 127.0.0.1. The simulated DOGE/USD
price mean-reverts around 0.10 and moves every second, so the first fills
come within a minute or so. Watch them on the dashboard.

Options:
  --port N   dashboard port (default 8080); the demo refuses to start if it is taken
  --seed N   seed of the simulated price path (default: random)
  --tier T   Kraken verification tier the simulator enforces: starter (default,
             what a new account is), intermediate or pro
  --help     this text

Ctrl-C stops the bot (it cancels its orders on the simulator) and then the
simulator. The bot's state and CSV logs stay in the temporary directory the
demo prints at start-up.
`;

export type DemoTier = 'starter' | 'intermediate' | 'pro';
const TIERS: readonly DemoTier[] = ['starter', 'intermediate', 'pro'];

export interface DemoOptions {
  port: number;
  seed: number;
  /** Kraken's tier, enforced by the simulator and told to the bot; a new account is Starter (SPEC §5.1). */
  tier: DemoTier;
  help: boolean;
}

export class DemoUsageError extends Error {}

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const opts: DemoOptions = { port: 8080, seed: crypto.randomInt(1, 1_000_000), tier: 'starter', help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      opts.help = true;
      continue;
    }
    const m = /^--(port|seed|tier)(?:=(.*))?$/.exec(arg);
    if (!m) throw new DemoUsageError(`unknown argument: ${arg}`);
    const raw = m[2] ?? argv[++i];
    if (raw === undefined || raw === '') throw new DemoUsageError(`--${m[1]} needs a value`);
    if (m[1] === 'tier') {
      if (!(TIERS as readonly string[]).includes(raw)) throw new DemoUsageError(`--tier must be starter, intermediate or pro, got "${raw}"`);
      opts.tier = raw as DemoTier;
      continue;
    }
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new DemoUsageError(`--${m[1]} must be a whole number, got "${raw}"`);
    if (m[1] === 'port') {
      if (n < 1 || n > 65535) throw new DemoUsageError(`--port must be between 1 and 65535, got ${n}`);
      opts.port = n;
    } else opts.seed = n;
  }
  return opts;
}

/** Can the dashboard listen on `port`? (The bot's HTTP server binds 0.0.0.0.) */
export function portIsFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Registers the stop handler for SIGINT/SIGTERM (tests call it directly). */
  onSignal: (handler: (sig: string) => void) => void;
}

const processIo: DemoIo = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  onSignal: (handler) => {
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
  },
};

/** How long the bot gets to cancel its orders and save before it is killed. */
const BOT_STOP_GRACE_MS = 20_000;

/** Runs the demo until it is stopped; resolves with the exit code. */
export async function runDemo(argv: readonly string[], io: DemoIo = processIo): Promise<number> {
  let opts: DemoOptions;
  try {
    opts = parseDemoArgs(argv);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    io.err(`demo: ${err.message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  if (opts.help) {
    io.out(DEMO_USAGE);
    return 0;
  }
  const botJs = fileURLToPath(new URL('../bot.js', import.meta.url));
  if (!fs.existsSync(botJs)) {
    io.err(`demo: ${botJs} not found; build first (npm run build), or use npm run demo, which builds\n`);
    return 1;
  }
  if (!(await portIsFree(opts.port))) {
    io.err(`demo: port ${opts.port} is already in use (another bot or demo?). Stop it, or pick another port: npm run demo -- --port ${opts.port + 1}\n`);
    return 1;
  }

  const sim: KrakenSim = await startKrakenSim({
    process: { kind: 'ou', price: 0.1, theta: 0.02, volatility: 0.004 },
    seed: opts.seed,
    tier: opts.tier,
    autoStepMs: 1000,
  });
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'doge-grid-demo-'));
  const token = `demo-${crypto.randomBytes(6).toString('hex')}`;
  const dashboard = `http://localhost:${opts.port}/`;
  io.out(
    [
      '',
      '=== doge-grid-bot demo: LIVE mode against a local Kraken simulator ===',
      'Fake API keys and fake money; nothing leaves this machine.',
      `  simulator   ${sim.url}  (XDGUSD, mean-reverting price around 0.10, one step per second, seed ${opts.seed})`,
      `  tier        Kraken ${opts.tier[0]!.toUpperCase()}${opts.tier.slice(1)} (its trading and API rate limits are enforced${opts.tier === 'starter' ? ', as for a new account' : ''})`,
      `  bot         node ${path.relative(process.cwd(), botJs) || botJs}  (DRY_RUN=false, poll every 5 s)`,
      `  dashboard   ${dashboard}  (token for changes: ${token})`,
      `  state/logs  ${stateDir}`,
      '  stop        Ctrl-C (the bot cancels its orders, then the simulator stops)',
      '',
      '',
    ].join('\n'),
  );

  const child: ChildProcess = spawn(process.execPath, [botJs], {
    env: {
      DRY_RUN: 'false',
      KRAKEN_API_URL: sim.url,
      KRAKEN_API_KEY: sim.apiKey,
      KRAKEN_API_SECRET: sim.apiSecret,
      // The bot plans its calls for the tier the simulator enforces.
      KRAKEN_TIER: opts.tier,
      PORT: String(opts.port),
      LOG_DIR: stateDir,
      POLL_INTERVAL_SECONDS: '5',
      DASHBOARD_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stopping: Promise<void> | null = null;
  let announced = false;
  let portLost = false;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', (err) => {
      io.err(`demo: could not start the bot: ${err.message}\n`);
      resolve(1);
    });
  });

  const stop = (why: string): Promise<void> => {
    if (stopping) {
      io.err('demo: stopping now (bot killed)\n');
      child.kill('SIGKILL');
      return stopping;
    }
    io.out(`\n--- demo: ${why}; stopping the bot (it cancels its orders on the simulator)…\n`);
    stopping = (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), BOT_STOP_GRACE_MS)));
      if ((await Promise.race([exited, late])) === 'late') {
        io.err(`demo: the bot did not stop within ${BOT_STOP_GRACE_MS / 1000} s; killing it\n`);
        child.kill('SIGKILL');
        await exited;
      }
      clearTimeout(timer);
    })();
    return stopping;
  };

  const watch = (text: string) => {
    if (!announced && /dashboard (listening )?on http/.test(text)) {
      announced = true;
      io.out(`--- demo: dashboard ready at ${dashboard} ---\n`);
    }
    if (!portLost && /HTTP server not started/.test(text)) {
      portLost = true;
      io.err(`demo: the bot could not open the dashboard on port ${opts.port} (taken meanwhile?); stopping\n`);
      void stop('no dashboard');
    }
  };
  const forward = (write: (t: string) => void) => {
    let pending = '';
    return (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      write(text);
      pending = (pending + text).slice(-4096);
      watch(pending);
      const nl = pending.lastIndexOf('\n');
      if (nl >= 0) pending = pending.slice(nl + 1);
    };
  };
  child.stdout!.on('data', forward(io.out));
  child.stderr!.on('data', forward(io.err));

  io.onSignal((sig) => void stop(`${sig} received`));

  // The bot logs its fills only in summaries; show each execution as the exchange makes it.
  let shown = 0;
  const fills = setInterval(() => {
    const trades = sim.trades();
    for (; shown < trades.length; shown++) {
      const t = trades[shown]!;
      const time = new Date(t.time).toISOString().slice(11, 19);
      io.out(`[sim] ${time} ${t.side} ${t.volume.toFixed(2)} XDG @ ${t.price.toFixed(7)} USD, fee $${t.fee.toFixed(4)} (order ${t.ordertxid})\n`);
    }
  }, 500);

  const code = await exited;
  if (stopping) await stopping;
  clearInterval(fills);
  const open = sim.openOrders().length;
  const trades = sim.trades().length;
  await sim.close();
  if (!stopping) {
    io.err(`demo: the bot exited on its own (code ${code}); simulator stopped\n`);
    return code === 0 ? 1 : code;
  }
  io.out(`--- demo: bot stopped (exit code ${code}); ${trades} trades on the simulator, ${open} orders left open; simulator stopped. State and CSV logs: ${stateDir}\n`);
  if (open > 0) {
    io.out(
      '--- demo: cancelling orders only seconds old costs Kraken up to 8 rate points each, so the bot waits for its\n' +
        '    counter and gives up after a few seconds at shutdown (a real restart adopts or cancels the rest). Here\n' +
        '    they simply vanish with the simulator. Stop the demo after half a minute to see a clean cancellation.\n',
    );
  }
  return portLost ? 1 : code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runDemo(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
