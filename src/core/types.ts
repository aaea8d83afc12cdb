// Plain data shared by the strategy, the exchanges, the analyzers and the views.
// Everything here serialises with JSON.stringify. Times are epoch milliseconds.

export type Side = 'buy' | 'sell';

export interface PricePoint {
  time: number;
  price: number;
}

/** One OHLC candle; `time` is the candle's start. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A fill as the bot booked it (one per executed order, or per executed part). */
export interface FillRecord {
  time: number;
  side: Side;
  price: number;
  volume: number;
  /** Fee paid in USD for this fill. */
  fee: number;
  /** Grid level of the order: negative below center, positive above. */
  level: number;
  /** Net profit of the round trip this fill completed; null when it opened a position. */
  profit: number | null;
  orderId: string;
}
