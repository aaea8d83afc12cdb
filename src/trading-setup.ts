// How a start puts trading together from the configuration: the state (the
// saved one, or a fresh one from the environment), the exchange (in dry run the
// paper account, with the configured capital and Kraken's fees), and the
// Trader on them. The daemon (Bot.create) and the backtest both build through
// here, so a backtest trades exactly as the dry run does, without loading the
// daemon's Kraken client, persistence and front ends.
import crypto from 'node:crypto';
import type { Config } from './config.js';
import type { Exchange, MarketData } from './exchange/exchange.js';
import { newState, type GridState } from './core/grid-strategy.js';
import { PaperExchange, type PaperSnapshot } from './exchange/paper-exchange.js';
import { strategyConfig, Trader } from './core/trader.js';
import type { Journal, TraderEvent } from './core/trading/events.js';

/** Kraken charges takers more than makers (0.40 % vs 0.25 % at the entry tier); the paper account does too. */
const PAPER_TAKER_EXTRA_PCT = 0.15;

/** A new state from the environment; after a state that never traded, its deployment id and order sequence go on (client order ids are never reused). */
export function freshState(config: Config, now: number, neverTradedState: GridState | null, botId: string | undefined): GridState {
  const state = newState(
    strategyConfig(config),
    { spacingPct: config.gridSpacingPct, ratioOverride: null, aiIntervalSec: config.aiAdvisorInterval },
    neverTradedState?.botId ?? botId ?? crypto.randomBytes(10).toString('hex'),
    now,
  );
  if (neverTradedState) state.orderSeq = neverTradedState.orderSeq;
  return state;
}

/** The dry run's paper account on `market`'s prices, funded with the state's starting capital. */
export function paperExchange(config: Config, state: GridState, market: MarketData, now: () => number, snapshot: PaperSnapshot | null): PaperExchange {
  return new PaperExchange({
    market,
    startingQuote: state.ledger.startingCapital,
    makerFeePct: config.makerFeePct,
    takerFeePct: config.makerFeePct + PAPER_TAKER_EXTRA_PCT,
    userref: config.krakenUserref,
    now,
    snapshot,
  });
}

export interface TradingSetup {
  config: Config;
  now: () => number;
  /** The saved state to go on with (a restart); null: a fresh state from the configuration. */
  saved: GridState | null;
  /** A saved state that never traded: a fresh state keeps its deployment id and order sequence. */
  neverTraded?: GridState | null;
  /** Deployment id of a fresh state (random when absent and nothing never-traded was saved). */
  botId?: string;
  /** The exchange to trade on, made once the state is known (the paper account takes its capital). */
  exchange: (state: GridState) => Exchange;
  journal?: Journal;
  onEvent?: (e: TraderEvent) => void;
  checkpoint?: () => void;
}

export interface Trading<E extends Exchange = Exchange> {
  state: GridState;
  exchange: E;
  trader: Trader;
}

/** State → exchange → Trader, in that order. */
export function setUpTrading(s: TradingSetup): Trading {
  const state = s.saved ?? freshState(s.config, s.now(), s.neverTraded ?? null, s.botId);
  state.mode = s.config.dryRun ? 'dry_run' : 'live';
  const exchange = s.exchange(state);
  const trader = new Trader({ config: s.config, exchange, state, now: s.now, journal: s.journal, onEvent: s.onEvent, checkpoint: s.checkpoint });
  return { state, exchange, trader };
}

/**
 * A dry run from nothing on `market`'s prices: what Bot.create builds with
 * DRY_RUN=true on an empty LOG_DIR, without a journal or checkpoints.
 */
export function freshDryRun(o: { config: Config; market: MarketData; now: () => number; botId?: string; onEvent?: (e: TraderEvent) => void }): Trading<PaperExchange> {
  const t = setUpTrading({
    config: o.config,
    now: o.now,
    saved: null,
    botId: o.botId,
    exchange: (state) => paperExchange(o.config, state, o.market, o.now, null),
    onEvent: o.onEvent,
  });
  return { ...t, exchange: t.exchange as PaperExchange };
}
