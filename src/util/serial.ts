// One job at a time: each `run` starts when the previous one has settled,
// whether it succeeded or failed. The trader uses it so a tick and a control
// action never interleave; the Kraken client so nonces reach Kraken in order.

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
