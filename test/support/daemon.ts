// Runs the built daemon (dist/src/bot.js) as a child process for process-level tests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { GridState } from '../../src/core/grid-strategy.js';
import { fileURLToPath } from 'node:url';

export const BOT_JS = fileURLToPath(new URL('../../src/bot.js', import.meta.url));

export interface Daemon {
  child: ChildProcess;
  output(): string;
  /** Resolves when `pattern` appears in stdout/stderr (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export function startDaemon(env: Record<string, string>): Daemon {
  const child = spawn(process.execPath, [BOT_JS], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const w of [...waiters]) {
      if (w.re.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let signalledAt = 0;
  const origKill = child.kill.bind(child);
  child.kill = (sig?: NodeJS.Signals | number) => {
    signalledAt = Date.now();
    return origKill(sig);
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, ms: signalledAt ? Date.now() - signalledAt : 0 })),
  );
  return {
    child,
    output: () => out,
    exited,
    waitFor(re, ms = 15_000) {
      if (re.test(out)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}; output so far:\n${out}`)), ms);
        waiters.push({
          re,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!re.test(out)) reject(new Error(`daemon exited before ${re}; output:\n${out}`));
        });
      });
    },
  };
}

/** The environment of a live daemon against a local Kraken simulator (no inherited variables). */
export function liveDaemonEnv(sim: { url: string; apiKey: string; apiSecret: string }, logDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return { DRY_RUN: 'false', KRAKEN_API_URL: sim.url, KRAKEN_API_KEY: sim.apiKey, KRAKEN_API_SECRET: sim.apiSecret, LOG_DIR: logDir, HEALTH_PORT: '0', ...extra };
}

/**
 * Moves the saved trading-counter snapshot (trading-counter.json, stamped with the daemon's clock) back by
 * `ms`: for tests whose first run happens "earlier" on a simulator whose clock lagged, so the restarted
 * daemon's model of Kraken's counter has decayed as much as the simulator's.
 */
export function ageTradingCounter(logDir: string, ms: number): void {
  const file = path.join(logDir, 'trading-counter.json');
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as { value: number; at: number };
  fs.writeFileSync(file, JSON.stringify({ ...snap, at: snap.at - ms }));
}

/** The state a daemon saved in `logDir` (state.json). */
export function readDaemonState(logDir: string): GridState {
  return (JSON.parse(fs.readFileSync(path.join(logDir, 'state.json'), 'utf8')) as { state: GridState }).state;
}

/** Polls state.json until `pred` holds (the daemon saves it atomically after every tick that changed something). */
export async function waitForDaemonState(logDir: string, pred: (s: GridState) => boolean, ms: number): Promise<GridState> {
  const end = Date.now() + ms;
  for (;;) {
    let s: GridState | null = null;
    try {
      s = readDaemonState(logDir);
    } catch {
      s = null;
    }
    if (s && pred(s)) return s;
    if (Date.now() > end) throw new Error(`state.json never matched; last: ${s ? `${s.orders.length} orders, fills ${JSON.stringify(s.fills)}` : 'none'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
