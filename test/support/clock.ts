// The one fake clock of the test suite. Tests never wait for real time: they
// move `t` (advance, or sleep, which records the wait and advances instead).
// FlowClock is the exception the live tests need (see support/live-rig.ts).

/** Epoch ms at the start of every test clock (2024-03-01T00:00:00Z). */
export const T0 = Date.UTC(2024, 2, 1);

export class FakeClock {
  t: number;
  /** Every sleep asked for, in ms (the Kraken client's backoffs, for example). */
  readonly sleeps: number[] = [];
  constructor(t = T0) {
    this.t = t;
  }
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
  /** Advances the clock instead of waiting. */
  sleep = async (ms: number): Promise<void> => {
    this.sleeps.push(ms);
    this.t += ms;
  };
}

/**
 * Fake time that also flows with real time, for tests where a real server
 * (the simulator) and the bot must agree on "now" while real I/O happens.
 */
export class FlowClock {
  private readonly real0 = performance.now();
  private offset = 0;
  constructor(private readonly t0 = T0) {}
  now = (): number => Math.floor(this.t0 + (performance.now() - this.real0) + this.offset);
  advance(ms: number): void {
    this.offset += ms;
  }
}
