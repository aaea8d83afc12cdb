// What the leaves (HTTP, Telegram, AI, analyzers) may see of the running bot,
// and the hooks through which the bot tells them what happened. Defined here,
// not in bot.ts, so the leaves never import the conductor (no import cycle).
import type { Config } from '../config.js';
import type { GridState } from '../core/grid-strategy.js';
import type { Trader } from '../core/trader.js';
import type { TraderEvent } from '../core/trading/events.js';
import type { Exchange } from '../exchange/exchange.js';
import type { StreamView } from './status-view.js';

export interface BotHandle {
  readonly config: Config;
  readonly state: GridState;
  readonly trader: Trader;
  readonly exchange: Exchange;
  readonly now: () => number;
  readonly startedAt: number;
  readonly lastTickAt: number | null;
  readonly lastTickMs: number;
  readonly ticks: number;
  readonly errorsTotal: number;
  readonly consecutiveErrors: number;
  /** The state came from LOG_DIR (a restart), not from the environment. */
  readonly restored: boolean;
  /** True once the first start-up succeeded. */
  readonly started: boolean;
  /** Why start-up keeps failing (null once started). */
  readonly startError: string | null;
  /** Why the state could not be saved, until a save succeeds: no order is sent meanwhile. */
  readonly saveError: string | null;
  /** The last tick's error while ticks keep failing. */
  readonly lastError: string | null;
  /** Milliseconds since the last good tick on the monotonic clock; null before the start. */
  lastTickAgeMs(): number | null;
  /** The Kraken WebSocket stream's health (absent: REST only). */
  streamHealth?(): StreamView;
  /** Saves the state if it changed (force: always). Call only outside a tick. */
  persist(force: boolean): void;
}

/** Services plugged in around the trading loop; each is optional (tests leave them out). */
export interface BotHooks {
  /** Called with every trading event (notifications). */
  onEvent?: (e: TraderEvent, bot: BotHandle) => void;
  /** Called after every tick, successful or not; must not throw. */
  afterTick?: (bot: BotHandle, ok: boolean) => Promise<void> | void;
  /** Called once the first grid is in place / state reconciled. */
  onStarted?: (bot: BotHandle) => Promise<void> | void;
  /** Called during shutdown after orders were cancelled. */
  /** Called during shutdown after the cancels: how many were cancelled and how many are still open on the exchange. */
  onShutdown?: (bot: BotHandle, reason: string, orders: { cancelled: number; left: number }) => Promise<void> | void;
  /** Trading stopped working (start-up or ticks failing), with the reason; null: it works again. */
  onTradingProblem?: (bot: BotHandle, problem: string | null) => Promise<void> | void;
}
