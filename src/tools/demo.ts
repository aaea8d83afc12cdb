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

/** Arguments, --help, the built bot and a free port: what to run, or the exit code to stop with. */
async function prepareDemo(argv: readonly string[], io: DemoIo): Promise<{ opts: DemoOptions; botJs: string } | number> {
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
  return { opts, botJs };
}

/** What one demo run is made of, once the simulator is up. */
interface DemoSetup {
  opts: DemoOptions;
  botJs: string;
  sim: KrakenSim;
  stateDir: string;
  /** Dashboard token for changes. */
  token: string;
  dashboard: string;
}

function printBanner(io: DemoIo, d: DemoSetup): void {
  io.out(
    [
      '',
      '=== doge-grid-bot demo: LIVE mode against a local Kraken simulator ===',
      'Fake API keys and fake money; nothing leaves this machine.',
      `  simulator   ${d.sim.url}  (XDGUSD, mean-reverting price around 0.10, one step per second, seed ${d.opts.seed})`,
      `  tier        Kraken ${d.opts.tier[0]!.toUpperCase()}${d.opts.tier.slice(1)} (its trading and API rate limits are enforced${d.opts.tier === 'starter' ? ', as for a new account' : ''})`,
      `  bot         node ${path.relative(process.cwd(), d.botJs) || d.botJs}  (DRY_RUN=false, poll every 5 s)`,
      `  dashboard   ${d.dashboard}  (token for changes: ${d.token})`,
      `  state/logs  ${d.stateDir}`,
      '  stop        Ctrl-C (the bot cancels its orders, then the simulator stops)',
      '',
      '',
    ].join('\n'),
  );
}

/** The daemon in LIVE mode against the simulator, with an environment built from scratch (nothing inherited). */
function spawnBot(d: DemoSetup): ChildProcess {
  return spawn(process.execPath, [d.botJs], {
    env: {
      DRY_RUN: 'false',
      KRAKEN_API_URL: d.sim.url,
      KRAKEN_API_KEY: d.sim.apiKey,
      KRAKEN_API_SECRET: d.sim.apiSecret,
      // The bot plans its calls for the tier the simulator enforces.
      KRAKEN_TIER: d.opts.tier,
      PORT: String(d.opts.port),
      LOG_DIR: d.stateDir,
      POLL_INTERVAL_SECONDS: '5',
      DASHBOARD_TOKEN: d.token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** The running bot: its exit, the stop sequence, and what its output tells the demo. */
class BotSupervisor {
  /** Resolves with the bot's exit code (1 if it could not start or was killed by a signal). */
  readonly exited: Promise<number>;
  stopping: Promise<void> | null = null;
  /** The bot could not open the dashboard. */
  portLost = false;
  private announced = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly io: DemoIo,
    private readonly d: DemoSetup,
  ) {
    this.exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
      child.once('error', (err) => {
        io.err(`demo: could not start the bot: ${err.message}\n`);
        resolve(1);
      });
    });
  }

  /** Forwards the bot's output as is, watching it for the dashboard's start (or failure). */
  forwardOutput(): void {
    this.child.stdout!.on('data', this.forward(this.io.out));
    this.child.stderr!.on('data', this.forward(this.io.err));
  }

  /** SIGTERM (the bot cancels its orders and saves), SIGKILL after the grace period or on a second stop. */
  stop(why: string): Promise<void> {
    const { child, io } = this;
    if (this.stopping) {
      io.err('demo: stopping now (bot killed)\n');
      child.kill('SIGKILL');
      return this.stopping;
    }
    io.out(`\n--- demo: ${why}; stopping the bot (it cancels its orders on the simulator)…\n`);
    this.stopping = (async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), BOT_STOP_GRACE_MS)));
      if ((await Promise.race([this.exited, late])) === 'late') {
        io.err(`demo: the bot did not stop within ${BOT_STOP_GRACE_MS / 1000} s; killing it\n`);
        child.kill('SIGKILL');
        await this.exited;
      }
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  private watch(text: string): void {
    if (!this.announced && /dashboard (listening )?on http/.test(text)) {
      this.announced = true;
      this.io.out(`--- demo: dashboard ready at ${this.d.dashboard} ---\n`);
    }
    if (!this.portLost && /HTTP server not started/.test(text)) {
      this.portLost = true;
      this.io.err(`demo: the bot could not open the dashboard on port ${this.d.opts.port} (taken meanwhile?); stopping\n`);
      void this.stop('no dashboard');
    }
  }

  private forward(write: (t: string) => void): (chunk: Buffer) => void {
    let pending = '';
    return (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      write(text);
      pending = (pending + text).slice(-4096);
      this.watch(pending);
      const nl = pending.lastIndexOf('\n');
      if (nl >= 0) pending = pending.slice(nl + 1);
    };
  }
}

/** The bot logs its fills only in summaries; show each execution as the exchange makes it. */
function echoSimTrades(sim: KrakenSim, io: DemoIo): NodeJS.Timeout {
  let shown = 0;
  return setInterval(() => {
    const trades = sim.trades();
    for (; shown < trades.length; shown++) {
      const t = trades[shown]!;
      const time = new Date(t.time).toISOString().slice(11, 19);
      io.out(`[sim] ${time} ${t.side} ${t.volume.toFixed(2)} XDG @ ${t.price.toFixed(7)} USD, fee $${t.fee.toFixed(4)} (order ${t.ordertxid})\n`);
    }
  }, 500);
}

/** After the bot exited: the simulator stops, and the demo says how it ended. Resolves with the demo's exit code. */
async function finishDemo(io: DemoIo, d: DemoSetup, bot: BotSupervisor, code: number): Promise<number> {
  const open = d.sim.openOrders().length;
  const trades = d.sim.trades().length;
  await d.sim.close();
  if (!bot.stopping) {
    io.err(`demo: the bot exited on its own (code ${code}); simulator stopped\n`);
    return code === 0 ? 1 : code;
  }
  io.out(`--- demo: bot stopped (exit code ${code}); ${trades} trades on the simulator, ${open} orders left open; simulator stopped. State and CSV logs: ${d.stateDir}\n`);
  if (open > 0) {
    io.out(
      '--- demo: cancelling orders only seconds old costs Kraken up to 8 rate points each, so the bot waits for its\n' +
        '    counter and gives up after a few seconds at shutdown (a real restart adopts or cancels the rest). Here\n' +
        '    they simply vanish with the simulator. Stop the demo after half a minute to see a clean cancellation.\n',
    );
  }
  return bot.portLost ? 1 : code;
}

/** Runs the demo until it is stopped; resolves with the exit code. */
export async function runDemo(argv: readonly string[], io: DemoIo = processIo): Promise<number> {
  const prepared = await prepareDemo(argv, io);
  if (typeof prepared === 'number') return prepared;
  const { opts, botJs } = prepared;
  const sim: KrakenSim = await startKrakenSim({
    process: { kind: 'ou', price: 0.1, theta: 0.02, volatility: 0.004 },
    seed: opts.seed,
    tier: opts.tier,
    autoStepMs: 1000,
  });
  const d: DemoSetup = {
    opts,
    botJs,
    sim,
    stateDir: fs.mkdtempSync(path.join(os.tmpdir(), 'doge-grid-demo-')),
    token: `demo-${crypto.randomBytes(6).toString('hex')}`,
    dashboard: `http://localhost:${opts.port}/`,
  };
  printBanner(io, d);
  const bot = new BotSupervisor(spawnBot(d), io, d);
  bot.forwardOutput();
  io.onSignal((sig) => void bot.stop(`${sig} received`));
  const fills = echoSimTrades(sim, io);
  const code = await bot.exited;
  if (bot.stopping) await bot.stopping;
  clearInterval(fills);
  return finishDemo(io, d, bot, code);
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
