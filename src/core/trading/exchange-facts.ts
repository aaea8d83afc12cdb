// What the exchange says about trading itself: the pair's status (Kraken can
// put it in cancel_only or maintenance) and the account's maker fee.
import { errorMessage } from '../../util/log.js';
import { log, type Desk } from './desk.js';

/** Pair statuses in which our post-only limit orders may be added (others: cancel_only, maintenance, reduce_only, delisted, …). */
const PAIR_STATUSES_ALLOWING_ADDS = new Set(['online', 'post_only', 'limit_only']);
const PAIR_STATUS_REFRESH_MS = 5 * 60_000;
const FEE_REFRESH_MS = 24 * 3600_000;

/** Reads the pair (rules and status) at start-up. */
export async function readPair(d: Desk): Promise<void> {
  d.pair = await d.exchange.getPairInfo();
  d.pairCheckedAt = d.now();
  notePairStatus(d);
  await readMakerFee(d);
}

/**
 * Re-reads the pair (its `status`) every few minutes and the maker fee
 * daily. A failure keeps what we knew: neither ever stops the tick.
 */
export async function refreshExchangeFacts(d: Desk, now: number): Promise<void> {
  if (now - d.pairCheckedAt >= PAIR_STATUS_REFRESH_MS) {
    d.pairCheckedAt = now;
    try {
      d.pair = await d.exchange.getPairInfo();
      notePairStatus(d);
    } catch (err) {
      log.warn(`reading the pair status failed: ${errorMessage(err)}`);
    }
  }
  if (now - d.feeReadAt >= FEE_REFRESH_MS) await readMakerFee(d);
}

/** Whether the pair status or the maker fee is due to be read again (most ticks: no, and no call is made). */
export function exchangeFactsDue(d: Desk, now: number): boolean {
  return now - d.pairCheckedAt >= PAIR_STATUS_REFRESH_MS || now - d.feeReadAt >= FEE_REFRESH_MS;
}

/** Notices (once per change) a pair status that forbids new orders, and its end. */
function notePairStatus(d: Desk): void {
  const status = d.pair?.status;
  const blocked = status !== undefined && !PAIR_STATUSES_ALLOWING_ADDS.has(status) ? status : null;
  if (blocked === d.pairBlocked) return;
  const was = d.pairBlocked;
  d.pairBlocked = blocked;
  if (blocked !== null) {
    const message = `Kraken lists ${d.pair?.pair ?? 'the pair'} as "${blocked}": no new orders are placed until it is online again (open orders stay; fills are still booked)`;
    log.warn(message);
    d.emit({ type: 'pair_status', status: blocked, trading: false, message });
    d.emit({ type: 'warning', message });
  } else {
    const message = `Kraken lists ${d.pair?.pair ?? 'the pair'} as "${status ?? 'online'}" again (was "${was ?? ''}"): placing orders again`;
    log.info(message);
    d.emit({ type: 'pair_status', status: status ?? 'online', trading: true, message });
  }
}

/** The account's maker fee from the exchange (TradeVolume), unless MAKER_FEE_PCT overrides it. */
async function readMakerFee(d: Desk): Promise<void> {
  d.feeReadAt = d.now();
  if (d.config.makerFeeOverride || !d.exchange.getMakerFeePct) return;
  try {
    const fee = await d.exchange.getMakerFeePct();
    if (fee === null || !Number.isFinite(fee) || fee < 0 || fee > 5) return;
    if (fee !== d.cfg.makerFeePct) log.info(`maker fee from Kraken: ${fee}% (was ${d.cfg.makerFeePct}%)`);
    d.cfg.makerFeePct = fee;
  } catch (err) {
    log.warn(`reading the maker fee failed: ${errorMessage(err)}; keeping ${d.cfg.makerFeePct}%`);
  }
}
