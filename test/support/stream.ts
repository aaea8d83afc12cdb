// Test support for the Kraken WebSocket stream: timers the test fires by hand
// (reconnect backoffs and the watchdog never wait for real time), a wait for
// the real socket I/O with the simulator, and one-call stream setups.
import { KrakenStream, type KrakenStreamOptions } from '../../src/exchange/kraken/stream.js';
import type { Timers } from '../../src/exchange/kraken/ws-channel.js';
import type { KrakenRig } from './kraken.js';

export class ManualTimers implements Timers {
  private seq = 0;
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  /** Every delay asked for, in order (the backoffs, the watchdog's 1000 ms). */
  readonly asked: number[] = [];
  set = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.pending.set(id, { fn, ms });
    this.asked.push(ms);
    return id;
  };
  clear = (h: unknown): void => {
    this.pending.delete(h as number);
  };
  /** Runs every timer pending now (not those they set). */
  fire(filter: (ms: number) => boolean = () => true): number {
    const due = [...this.pending].filter(([, t]) => filter(t.ms));
    for (const [id] of due) this.pending.delete(id);
    for (const [, t] of due) t.fn();
    return due.length;
  }
  /** Fires the reconnect timers only (not the 1000 ms watchdog). */
  fireRetries(): number {
    return this.fire((ms) => ms !== 1000);
  }
}

/** Waits (real I/O with a local server) until `cond` holds; fails after `ms`. */
export async function waitFor(cond: () => boolean, what = 'condition', ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A stream on the rig's simulator (both endpoints), on the rig's clock, with manual timers and no jitter surprises. */
export function simStream(rig: KrakenRig, over: Partial<KrakenStreamOptions> = {}): { stream: KrakenStream; timers: ManualTimers } {
  const timers = new ManualTimers();
  const stream = new KrakenStream({
    wsUrl: rig.sim.wsUrl,
    wsAuthUrl: rig.sim.wsAuthUrl,
    symbol: 'DOGE/USD',
    getToken: () => rig.client.getWebSocketsToken(),
    now: rig.clock.now,
    random: () => 0.5,
    timers,
    ...over,
  });
  return { stream, timers };
}
