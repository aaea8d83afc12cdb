// Test support for the Kraken client, adapter and simulator: a shared fake
// clock (the client's sleep advances it, the simulator reads it, so rate
// limits and backoff never cost real time), and one-call setups.
import { configureLogger } from '../../src/util/log.js';
import { KrakenClient, type KrakenClientOptions } from '../../src/exchange/kraken/client.js';
import { KrakenExchange } from '../../src/exchange/kraken/kraken-exchange.js';
import { startKrakenSim, type KrakenSim, type KrakenSimOptions } from '../../src/tools/sim/kraken-sim.js';

/** Epoch ms at the start of every test clock (2024-03-01T00:00:00Z). */
export const T0 = Date.UTC(2024, 2, 1);

export class SharedClock {
  t: number;
  readonly sleeps: number[] = [];
  constructor(t = T0) {
    this.t = t;
  }
  now = (): number => this.t;
  /** Advances the clock instead of waiting. */
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface KrakenRig {
  clock: SharedClock;
  sim: KrakenSim;
  client: KrakenClient;
  /** Another client factory on the same simulator and clock. */
  newClient(over?: Partial<KrakenClientOptions>): KrakenClient;
  close(): Promise<void>;
}

export async function krakenRig(simOpts: KrakenSimOptions = {}, clientOpts: Partial<KrakenClientOptions> = {}): Promise<KrakenRig> {
  const clock = new SharedClock();
  const sim = await startKrakenSim({ now: clock.now, ...simOpts });
  const newClient = (over: Partial<KrakenClientOptions> = {}) =>
    new KrakenClient({
      baseUrl: sim.url,
      apiKey: sim.apiKey,
      apiSecret: sim.apiSecret,
      tier: simOpts.tier ?? 'starter',
      timeoutMs: 2000,
      now: clock.now,
      sleep: clock.sleep,
      random: () => 0.5,
      ...clientOpts,
      ...over,
    });
  const client = newClient();
  return { clock, sim, client, newClient, close: () => sim.close() };
}

export function exchangeFor(rig: KrakenRig, userref = 4242, client: KrakenClient = rig.client): KrakenExchange {
  return new KrakenExchange(client, { pair: 'XDGUSD', userref, now: rig.clock.now });
}

/** Capture log lines while `fn` runs. */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
  const lines: string[] = [];
  configureLogger({ write: (l) => lines.push(l), level: 'DEBUG' });
  try {
    const result = await fn();
    return { result, error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    configureLogger({ write: quiet ? () => undefined : (l) => process.stdout.write(l + '\n'), level: 'INFO' });
  }
}

let quiet = false;

/** Silence the logger for a whole test file (retries log warnings by design). */
export function quietLogs(): void {
  quiet = true;
  configureLogger({ write: () => undefined });
}
