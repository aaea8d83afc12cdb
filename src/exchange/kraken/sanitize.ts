// Every number that enters from Kraken is checked here, at the edge, before
// the strategy sees it (issue 18 item 1). Kraken sends numbers as decimal
// strings; a plain Number() turns "NaN", "abc", "1e300" or "-3" into values
// that would poison the ledger. Each parser either returns sane numbers, a
// documented fallback (with a note for the log), or a reason to treat the
// answer as unknown (the caller asks again on the next tick).
import { ExchangeError, type Ticker } from '../exchange.js';
import type { Candle } from '../../core/types.js';
import type { KrakenOhlcRow, KrakenOrderInfo, KrakenTickerEntry } from './api-types.js';

/** No price we trade at comes near this (quote units per base unit). */
export const MAX_PRICE = 1e9;
/** No volume, balance or cost we handle comes near this. */
export const MAX_AMOUNT = 1e13;
/** A fee above this share of the order's notional is not a fee Kraken charges (its highest taker fee is 0.4 %). */
const MAX_FEE_SHARE = 0.05;
/** An average execution price further than this factor from the limit price is absurd. */
const MAX_AVG_FACTOR = 10;

/** A Kraken number (string or number) as a JS number; NaN for anything else, including "" and null. */
export function krakenNum(raw: unknown): number {
  if (typeof raw === 'number') return raw;
  if (typeof raw !== 'string' || raw.trim() === '') return NaN;
  return Number(raw);
}

export function isSanePrice(x: number): boolean {
  return Number.isFinite(x) && x > 0 && x <= MAX_PRICE;
}

export function isSaneAmount(x: number): boolean {
  return Number.isFinite(x) && x >= 0 && x <= MAX_AMOUNT;
}

export interface OrderNumbers {
  price: number;
  volume: number;
  volumeExecuted: number;
  avgPrice: number;
  fee: number;
  openedAt: number;
}

export type ParsedOrderNumbers = { ok: true; value: OrderNumbers; notes: string[] } | { ok: false; reason: string };

/**
 * The numbers of one order report. `makerFeePct` prices a fee Kraken reported
 * as garbage. A missing or zero average price with executions falls back to
 * cost / vol_exec, else the limit price (a post-only limit order never fills
 * worse than its limit). Anything else absurd: `{ ok: false, reason }`.
 */
export function parseOrderNumbers(o: KrakenOrderInfo, makerFeePct: number): ParsedOrderNumbers {
  const notes: string[] = [];
  const price = krakenNum(o.descr?.price);
  if (!isSanePrice(price)) return { ok: false, reason: `limit price ${String(o.descr?.price)}` };
  const volume = krakenNum(o.vol);
  if (!isSaneAmount(volume) || volume <= 0) return { ok: false, reason: `volume ${String(o.vol)}` };
  const volumeExecuted = krakenNum(o.vol_exec);
  if (!isSaneAmount(volumeExecuted)) return { ok: false, reason: `vol_exec ${String(o.vol_exec)}` };
  if (volumeExecuted > volume * (1 + 1e-9)) return { ok: false, reason: `vol_exec ${o.vol_exec} above volume ${o.vol}` };
  const openedRaw = krakenNum(o.opentm);
  const openedAt = Number.isFinite(openedRaw) && openedRaw >= 0 && openedRaw < 1e11 ? Math.round(openedRaw * 1000) : 0;
  if (volumeExecuted === 0) {
    // Nothing executed: nothing can have been charged.
    const fee0 = krakenNum(o.fee);
    if (!(Number.isFinite(fee0) && fee0 >= 0 && fee0 <= 1e-9)) notes.push(`fee ${String(o.fee)} on an order with nothing executed; using 0`);
    return { ok: true, value: { price, volume, volumeExecuted, avgPrice: 0, fee: 0, openedAt }, notes };
  }
  const cost = krakenNum(o.cost);
  const costOk = isSaneAmount(cost) && cost > 0;
  const inRange = (x: number) => x >= price / MAX_AVG_FACTOR && x <= price * MAX_AVG_FACTOR;
  const avgRaw = krakenNum(o.price);
  let avgPrice: number;
  if (Number.isFinite(avgRaw) && avgRaw > 0) {
    if (!isSanePrice(avgRaw) || !inRange(avgRaw)) return { ok: false, reason: `average price ${String(o.price)} for limit ${o.descr?.price}` };
    avgPrice = avgRaw;
  } else if (costOk && inRange(cost / volumeExecuted)) {
    avgPrice = cost / volumeExecuted;
    notes.push(`average price ${String(o.price)}; using cost / vol_exec = ${avgPrice}`);
  } else {
    avgPrice = price;
    notes.push(`average price ${String(o.price)} and cost ${String(o.cost)} unusable; using the limit price ${price}`);
  }
  const notional = costOk && inRange(cost / volumeExecuted) ? cost : avgPrice * volumeExecuted;
  const feeRaw = krakenNum(o.fee);
  let fee: number;
  if (Number.isFinite(feeRaw) && feeRaw >= 0 && feeRaw <= notional * MAX_FEE_SHARE) {
    fee = feeRaw;
  } else {
    fee = (notional * makerFeePct) / 100;
    notes.push(`fee ${String(o.fee)} unusable; using cost × maker fee ${makerFeePct}% = ${fee}`);
  }
  return { ok: true, value: { price, volume, volumeExecuted, avgPrice, fee, openedAt }, notes };
}

/**
 * Kraken Ticker entry → bid/ask/last. Bid and ask must be sane with bid ≤ ask
 * (and not absurdly apart); a `last` far outside [bid, ask] is replaced by the
 * mid (noted). Otherwise throws a retryable error: the tick fails cleanly.
 */
export function parseTicker(t: KrakenTickerEntry, pair: string): { ticker: Ticker; note: string | null } {
  const bid = krakenNum(t.b?.[0]);
  const ask = krakenNum(t.a?.[0]);
  const last = krakenNum(t.c?.[0]);
  const bad = (why: string) => new ExchangeError('retryable', `Kraken Ticker for ${pair}: ${why}`);
  if (!isSanePrice(bid) || !isSanePrice(ask)) throw bad(`unusable bid/ask ${String(t.b?.[0])}/${String(t.a?.[0])}`);
  if (bid > ask) throw bad(`bid ${bid} above ask ${ask}`);
  if (ask > bid * 2) throw bad(`spread absurd: bid ${bid}, ask ${ask}`);
  if (!Number.isFinite(last) || last <= 0) throw bad(`unusable last price ${String(t.c?.[0])}`);
  if (last < bid / 2 || last > ask * 2) {
    const mid = Number(((bid + ask) / 2).toPrecision(12));
    return { ticker: { bid, ask, last: mid }, note: `last price ${String(t.c?.[0])} far outside [${bid}, ${ask}]; using the mid ${mid}` };
  }
  return { ticker: { bid, ask, last }, note: null };
}

/** OHLC rows → candles; rows with non-finite, non-positive or inconsistent numbers are dropped and counted. */
export function parseOhlcRows(rows: KrakenOhlcRow[]): { candles: Candle[]; dropped: number } {
  const candles: Candle[] = [];
  let dropped = 0;
  for (const r of rows) {
    const time = krakenNum(Array.isArray(r) ? r[0] : NaN);
    const [open, high, low, close, volume] = Array.isArray(r) ? [r[1], r[2], r[3], r[4], r[6]].map(krakenNum) : [NaN, NaN, NaN, NaN, NaN];
    const ok =
      Number.isFinite(time) &&
      time > 0 &&
      [open, high, low, close].every((x) => isSanePrice(x as number)) &&
      (high as number) >= Math.max(open as number, close as number, low as number) &&
      (low as number) <= Math.min(open as number, close as number) &&
      isSaneAmount(volume as number);
    if (!ok) {
      dropped++;
      continue;
    }
    candles.push({ time: time * 1000, open: open!, high: high!, low: low!, close: close!, volume: volume! });
  }
  return { candles, dropped };
}

/** A balance amount from Kraken; throws a retryable error when it is negative, non-numeric or absurd. */
export function balanceAmount(raw: unknown, what: string): number {
  if (raw === undefined || raw === null) return 0;
  const x = krakenNum(raw);
  if (!isSaneAmount(x)) throw new ExchangeError('retryable', `Kraken balance ${what} is unusable: ${String(raw)}`);
  return x;
}

/**
 * Kraken's balance keys holding tradable funds of `asset`: the asset itself,
 * its code without the X/Z prefix (XXDG → XDG), and their `.F` forms. Kraken
 * docs (Get Account Balance / Get Extended Balance, "Symbol Extensions"):
 * `.F` = balances earning automatically in Kraken Rewards, traded through the
 * base asset; `.B` (yield-bearing), `.S` (staked), `.M` (opt-in rewards) are
 * read-only and `.T` are tokenized assets: none of those is tradable.
 */
export function tradableBalanceKeys(asset: string): string[] {
  const names = [asset];
  if (/^[XZ][A-Z0-9]{3}$/.test(asset)) names.push(asset.slice(1));
  return [...names, ...names.map((n) => `${n}.F`)];
}
