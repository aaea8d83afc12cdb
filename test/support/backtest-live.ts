// Test support for the backtester: the live dry-run loop (Bot + PaperExchange
// on a fake clock and a scripted price) driven over the same prices the
// backtest visits, and helpers to compare what both produced.
import fs from 'node:fs';
import { Bot } from '../../src/bot.js';
import type { Config } from '../../src/config.js';
import type { GridState } from '../../src/core/grid-strategy.js';
import type { PaperExchange } from '../../src/exchange/paper-exchange.js';
import type { TraderEvent } from '../../src/core/trading/events.js';
import type { Candle, FillRecord } from '../../src/core/types.js';
import { FakeClock, ScriptedMarket } from './core.js';

export interface Visit {
  time: number;
  price: number;
}

/**
 * The documented intra-candle path, restated independently of the engine:
 * open, the nearer of high/low (low on a tie), the other, close, at
 * +0, ¼, ½, ¾ of the candle; a price equal to the previous visit of the same
 * candle is not a new visit.
 */
export function candleVisits(candles: readonly Candle[], intervalMs: number): Visit[] {
  const out: Visit[] = [];
  for (const c of candles) {
    const lowFirst = c.open - c.low <= c.high - c.open;
    const path = [c.open, lowFirst ? c.low : c.high, lowFirst ? c.high : c.low, c.close];
    let prev = NaN;
    for (let k = 0; k < 4; k++) {
      if (path[k] === prev) continue;
      prev = path[k]!;
      out.push({ time: c.time + Math.floor((k * intervalMs) / 4), price: path[k]! });
    }
  }
  return out;
}

export interface LiveRun {
  bot: Bot;
  fills: FillRecord[];
  events: TraderEvent[];
}

/** The dry-run bot, started at the first visit and ticked once per further visit, as its loop would. */
export async function runLiveBot(config: Config, visits: readonly Visit[], botId: string): Promise<LiveRun> {
  const clock = new FakeClock(visits[0]!.time);
  let price = visits[0]!.price;
  const market = new ScriptedMarket(() => price, clock.now);
  const fills: FillRecord[] = [];
  const events: TraderEvent[] = [];
  const bot = Bot.create({
    config,
    market,
    now: clock.now,
    botId,
    services: {
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'fill' || e.type === 'round_trip') fills.push(e.fill);
      },
    },
  });
  await bot.start();
  for (let i = 1; i < visits.length; i++) {
    clock.t = visits[i]!.time;
    price = visits[i]!.price;
    if (!(await bot.tickOnce())) throw new Error(`live tick ${i} failed`);
  }
  return { bot, fills, events };
}

/**
 * The state minus what only reflects which prices were looked at (the price
 * samples and the last price): everything trading depends on, counters and
 * the save revision included.
 */
export function tradingState(s: GridState): Omit<GridState, 'priceHistory' | 'lastPrice'> {
  const { priceHistory: _p, lastPrice: _l, ...rest } = structuredClone(s);
  return rest;
}

/** The paper account (balances, every remembered order, id counter) without its last observed price. */
export function paperBook(x: PaperExchange): unknown {
  const { lastPrice: _l, ...rest } = x.snapshot();
  return rest;
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
