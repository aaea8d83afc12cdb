// Rigs for the Exchange contract suite (test/exchange/contract.test.ts): the
// same checks run against the paper exchange and against KrakenExchange over
// HTTP to the Kraken simulator on 127.0.0.1, at the Starter tier (what a new
// Kraken account has). Both rigs start from the same account: price 0.1,
// 10000 DOGE and 1000 USD, maker fee 0.25 %, taker fee 0.4 %.
//
// Where paper and live legitimately behave differently, the rig says so in
// `differences`, and the suite asserts each rig's own behaviour.
import type { Exchange, OrderState, PlaceOrderRequest } from '../../src/exchange/exchange.js';
import { krakenClientOrderId } from '../../src/exchange/kraken/kraken-exchange.js';
import { PaperExchange, type PaperSnapshot } from '../../src/exchange/paper-exchange.js';
import { exchangeFor, krakenRig } from './kraken.js';

export const START_PRICE = 0.1;
export const START_BALANCES = { base: 10000, quote: 1000 };
export const MAKER_FEE_PCT = 0.25;
export const TAKER_FEE_PCT = 0.4;
export const USERREF = 4242;
/** Another bot (another grid, another deployment) on the same account. */
const OTHER_USERREF = 777;
/** Orders the owner placed by hand in Kraken's UI carry their own userref (or none). */
const HAND_USERREF = 555;

export interface Differences {
  /**
   * cancelOrder with an id the exchange never issued. Paper knows every id it
   * issued and says so; Kraken answers EOrder:Unknown order both for ids it never
   * issued and for orders that are no longer open, and the adapter cannot tell
   * the two apart, so it treats both as "not open any more".
   */
  cancelUnknownId: 'throws unknown_order' | 'ignored';
  /**
   * queryOrders with the same id twice. KrakenExchange de-duplicates the ids
   * before batching (Kraken answers a txid once per QueryOrders call anyway);
   * paper reports once per id asked for.
   */
  duplicateQueryIds: 'one report per id asked for' | 'one report per distinct id';
  /**
   * Order below `costmin` (but above `ordermin`). KrakenExchange refuses it before
   * sending (Kraken would answer EOrder:Cost minimum not met); the paper
   * exchange only checks `ordermin`. (A gap of the paper exchange, noted for a
   * later issue: src/exchange is outside this suite's brief. At DOGE prices it
   * only matters below 0.0385 USD.)
   */
  costMinEnforced: boolean;
  /**
   * A post-only order that would take liquidity. Kraken today accepts it with a
   * txid and cancels it at once (status `canceled`, reason "Post only order"),
   * which the adapter reports as a cancelled order with `postOnlyRejected`; its
   * older answer, EOrder:Post only order, is what the paper exchange models
   * (SPEC §5.1: both must be handled).
   */
  postOnlyCross: 'refused' | 'accepted then cancelled';
}

export interface ContractRig {
  kind: 'paper' | 'kraken';
  exchange: Exchange;
  userref: number;
  /** The market moves to `price`; returns once the exchange has matched resting orders against it. */
  setPrice(price: number): Promise<void>;
  /** Orders that are not ours: the same order placed by someone else. Returns their ids. */
  placeForeign(req: PlaceOrderRequest): Promise<string[]>;
  foreignState(id: string): Promise<OrderState | undefined>;
  /** The same account seen by a new process (the bot restarted). */
  restart(): Exchange;
  /** The clientOrderId a restarted exchange reports for an order before anything mapped it back. */
  clientIdAfterRestart(clientOrderId: string): string;
  differences: Differences;
  close(): Promise<void>;
}

/**
 * The dry run as the bot builds it: a PaperExchange whose market data is
 * Kraken's public API (here the simulator's). Paper matches resting orders
 * against the prices it observes, so `setPrice` moves the simulator and lets the
 * paper exchange read the ticker. A paper account belongs to one bot: the
 * foreign order lives in another paper account on the same market.
 */
export async function paperRig(): Promise<ContractRig> {
  const kr = await krakenRig({ tier: 'starter', process: { kind: 'manual', price: START_PRICE } });
  const market = exchangeFor(kr, USERREF);
  const make = (userref: number, snapshot: PaperSnapshot | null = null) =>
    new PaperExchange({ market, startingQuote: 2 * START_BALANCES.quote, makerFeePct: MAKER_FEE_PCT, takerFeePct: TAKER_FEE_PCT, userref, now: kr.clock.now, snapshot });
  const exchange = make(USERREF);
  const other = make(OTHER_USERREF);
  // The first observed price funds half the capital in DOGE: 1000 USD + 10000 DOGE at 0.1.
  await exchange.getTicker();
  await other.getTicker();
  return {
    kind: 'paper',
    exchange,
    userref: USERREF,
    setPrice: async (price) => {
      kr.sim.setPrice(price);
      await exchange.getTicker();
      await other.getTicker();
    },
    placeForeign: async (req) => [(await other.placeOrder(req)).id],
    foreignState: async (id) => (await other.queryOrders([id]))[0]?.state,
    restart: () => make(USERREF, exchange.snapshot()),
    clientIdAfterRestart: (clientOrderId) => clientOrderId,
    differences: { cancelUnknownId: 'throws unknown_order', duplicateQueryIds: 'one report per id asked for', costMinEnforced: false, postOnlyCross: 'refused' },
    close: () => kr.close(),
  };
}

/**
 * Live: KrakenExchange → KrakenClient → HTTP → the simulator, Starter tier, with
 * the client's fake clock shared by the simulator (rate-limit waits advance it).
 * Foreign orders share the Kraken account: one from another bot (another
 * userref in its cl_ord_id tag) and one placed by hand (Kraken's userref field).
 */
export async function krakenSimRig(): Promise<ContractRig> {
  const kr = await krakenRig({ tier: 'starter', process: { kind: 'manual', price: START_PRICE }, makerFeePct: MAKER_FEE_PCT, takerFeePct: TAKER_FEE_PCT });
  const exchange = exchangeFor(kr, USERREF);
  const other = exchangeFor(kr, OTHER_USERREF);
  return {
    kind: 'kraken',
    exchange,
    userref: USERREF,
    setPrice: async (price) => kr.sim.setPrice(price),
    placeForeign: async (req) => [
      (await other.placeOrder(req)).id,
      kr.sim.placeOrderDirect({ side: req.side, price: req.price, volume: req.volume, userref: HAND_USERREF, postOnly: req.postOnly !== false }),
    ],
    foreignState: async (id) => kr.sim.order(id)?.status,
    restart: () => exchangeFor(kr, USERREF),
    // Kraken only stores the 32-hex cl_ord_id; the adapter maps it back to our id once it has placed or looked the order up.
    clientIdAfterRestart: (clientOrderId) => krakenClientOrderId(USERREF, clientOrderId),
    differences: { cancelUnknownId: 'ignored', duplicateQueryIds: 'one report per distinct id', costMinEnforced: true, postOnlyCross: 'accepted then cancelled' },
    close: () => kr.close(),
  };
}
