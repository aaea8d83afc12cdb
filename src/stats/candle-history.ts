// The bot's own recent 5-minute candles, kept beyond the 24 h the analyzers
// use: every OHLC refresh is merged in (by candle start; a later copy of a
// candle replaces an earlier one, so the candle still forming is corrected),
// and candles older than the kept span are dropped. Read by /suggest; kept on
// disk by persistence/candle-file.ts (onChange).
import type { Candle } from '../core/types.js';

export class CandleHistory {
  private readonly byTime = new Map<number, Candle>();
  private sorted: Candle[] | null = [];

  /** Called with the candles (oldest first) after an add that brought any. */
  onChange: ((candles: Candle[]) => void) | null = null;

  constructor(private readonly keepMs: number) {}

  add(candles: readonly Candle[]): void {
    let newest = -Infinity;
    for (const c of candles) {
      if (!(Number.isFinite(c.time) && c.open > 0 && c.high > 0 && c.low > 0 && c.close > 0)) continue;
      this.byTime.set(c.time, { ...c });
      if (c.time > newest) newest = c.time;
    }
    if (newest === -Infinity) return;
    for (const t of this.byTime.keys()) if (t < newest - this.keepMs) this.byTime.delete(t);
    this.sorted = null;
    this.onChange?.(this.candles());
  }

  /** Oldest first. */
  candles(): Candle[] {
    this.sorted ??= [...this.byTime.values()].sort((a, b) => a.time - b.time);
    return this.sorted;
  }

  get size(): number {
    return this.byTime.size;
  }
}
