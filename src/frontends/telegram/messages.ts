// Telegram notification texts (HTML parse mode). Every function takes plain
// data and returns HTML in which EVERY dynamic value is escaped (see html.ts).
// The `[DRY RUN] ` prefix is added by the notifier, not here. The command
// replies live in replies.ts and the command table in commands.ts; both are
// re-exported here so every Telegram text can be reached from one module.
import { escapeHtml } from '../../util/escape-html.js';
import { fmtAmount, fmtDuration, fmtPct, fmtPrice, fmtTime, fmtUsd, fmtUsdCents } from '../../util/format.js';
import type { TraderEvent } from '../../core/trading/events.js';
import type { DailySummaryRow } from '../../core/grid-strategy.js';
import type { FillRecord } from '../../core/types.js';
import { WARNINGS_OFF_SHORT, type NotifyKind } from '../../ops/notify-levels.js';
import { clip, html } from './html.js';

export { escapeHtml, fmtAmount, fmtDuration, fmtPct, fmtPrice, fmtUsd };
export { clip, html, raw, RawHtml } from './html.js';
export { outcomeMessage, ratioMessage, statsMessage, statusMessage, unavailableMessage, unknownCommandMessage, usageMessage } from './replies.js';
export { COMMANDS, helpMessage, type CommandSpec } from './commands.js';

// ---- notifications ----

export interface StartupInfo {
  mode: 'dry_run' | 'live';
  pair: string;
  price: number;
  spacingPct: number;
  levelsPerSide: number;
  orderSizeUsd: number;
  startingCapital: number;
  /** e.g. "restored 8 orders from state" or "fresh start". */
  note?: string;
  /** Notification kinds not at their default level, e.g. "fills silent, warnings off" ('' or absent: none). */
  notifyChanges?: string;
  /** Warnings are off: the notice says what that costs. */
  warningsOff?: boolean;
}

export function startupMessage(i: StartupInfo): string {
  return (
    html`🚀 <b>Grid bot started</b> (${i.mode === 'live' ? 'LIVE' : 'dry run'})\n` +
    html`Pair ${i.pair} at ${fmtPrice(i.price)}\n` +
    html`Spacing ${fmtPct(i.spacingPct)}, ${i.levelsPerSide} levels per side, order ${fmtUsd(i.orderSizeUsd)}\n` +
    html`Capital ${fmtUsd(i.startingCapital)}` +
    (i.note ? html`\n${clip(i.note, 300)}` : '') +
    (i.notifyChanges ? html`\nNotifications: ${clip(i.notifyChanges, 200)}` : '') +
    (i.warningsOff ? html`\n⚠️ ${WARNINGS_OFF_SHORT}` : '')
  );
}

export interface GridBuiltInfo {
  center: number;
  buys: number;
  sells: number;
  spacingPct: number;
  orderSizeUsd: number;
  ratio: number;
  /** Why it was (re)built: "startup", "ratio change", "spacing 1.25%", "operator reset", … */
  reason: string;
}

export function gridBuiltMessage(i: GridBuiltInfo): string {
  return (
    html`🧱 <b>Grid built</b> around ${fmtPrice(i.center)} (${clip(i.reason, 200)})\n` +
    html`${i.buys} buys / ${i.sells} sells, spacing ${fmtPct(i.spacingPct)}, order ${fmtUsd(i.orderSizeUsd)}, ratio ${fmtAmount(i.ratio)}`
  );
}

export interface GridResetInfo {
  oldCenter: number;
  newCenter: number;
  driftPct: number;
}

export function gridResetMessage(i: GridResetInfo): string {
  return html`🔄 <b>Grid reset</b>: price drifted ${fmtPct(i.driftPct, true)} from center ${fmtPrice(i.oldCenter)}; new center ${fmtPrice(i.newCenter)}`;
}

export interface RoundTripInfo {
  /** The fill that completed the round trip. */
  side: 'buy' | 'sell';
  price: number;
  volume: number;
  /** Net profit of the round trip, after both fees. */
  profit: number;
  /** Price of the opening fill, when known. */
  openPrice?: number | null;
  totalProfit?: number;
  roundTripsToday?: number;
}

export function roundTripMessage(i: RoundTripInfo): string {
  const verb = i.side === 'sell' ? 'Sold' : 'Bought back';
  const opened = i.openPrice ? html` (${i.side === 'sell' ? 'bought' : 'sold'} at ${fmtPrice(i.openPrice)})` : '';
  const totals: string[] = [];
  if (i.roundTripsToday !== undefined) totals.push(html`Today: ${i.roundTripsToday} round trips`);
  if (i.totalProfit !== undefined) totals.push(html`total profit ${fmtUsd(i.totalProfit, true)}`);
  return (
    html`💰 <b>Round trip</b> ${fmtUsdCents(i.profit, true)} net\n` +
    html`${verb} ${fmtAmount(i.volume, 2)} DOGE at ${fmtPrice(i.price)}` +
    opened +
    (totals.length ? '\n' + totals.join(' · ') : '')
  );
}

/** grid-strategy's DailySummaryRow, plus optional totals. */
export interface DailySummaryInfo extends DailySummaryRow {
  roundTrips?: number;
  equity?: number;
  totalProfit?: number;
}

export function dailySummaryMessage(i: DailySummaryInfo): string {
  const extra: string[] = [];
  if (i.equity !== undefined) extra.push(html`Equity ${fmtUsd(i.equity)}`);
  if (i.totalProfit !== undefined) extra.push(html`grid profit (realized) ${fmtUsd(i.totalProfit, true)}`);
  extra.push(html`DOGE accumulated ${fmtAmount(i.dogeAccumulated, 2)}`);
  return (
    html`📅 <b>Daily summary ${i.date}</b>\n` +
    html`Fills: ${i.tradesCount}` +
    (i.roundTrips !== undefined ? html` · round trips: ${i.roundTrips}` : '') +
    html`\nGross ${fmtUsd(i.grossProfit, true)} · fees ${fmtUsd(i.feesPaid)} · net <b>${fmtUsd(i.netProfit, true)}</b>\n` +
    extra.join(' · ')
  );
}

export interface RiskEventInfo {
  /** What the bot did. */
  action: 'pause' | 'resume' | 'stop';
  reason: string;
}

export function riskEventMessage(i: RiskEventInfo): string {
  switch (i.action) {
    case 'pause':
      return html`⚠️ <b>Trading paused</b>: ${clip(i.reason, 800)}\nOpen buys cancelled. /resume when ready.`;
    case 'resume':
      return html`▶️ <b>Trading resumed</b> (${clip(i.reason, 200)})`;
    case 'stop':
      return html`🛑 <b>Trading STOPPED</b>: ${clip(i.reason, 800)}\nOrders cancelled; the bot will not trade again until restarted.`;
  }
}

export function warningNotice(message: string): string {
  return html`⚠️ ${clip(message, 800)}`;
}

export interface ErrorInfo {
  context: string;
  message: string;
  consecutive?: number;
}

export function errorNotice(i: ErrorInfo): string {
  return (
    html`❗ <b>Error</b> in ${clip(i.context, 100)}: ${clip(i.message, 800)}` +
    (i.consecutive !== undefined ? html`\n(${i.consecutive} consecutive)` : '')
  );
}

export interface AccumulationInfo {
  usd: number;
  price: number;
  volume: number;
  /** DOGE accumulated so far, when known. */
  totalDoge?: number | null;
}

export function accumulationMessage(i: AccumulationInfo): string {
  const total = i.totalDoge !== undefined && i.totalDoge !== null ? html` (total ${fmtAmount(i.totalDoge, 2)} DOGE)` : '';
  return html`🐕 <b>Accumulation</b>: ${fmtUsd(i.usd)} → ${fmtAmount(i.volume, 2)} DOGE, buy limit ${fmtPrice(i.price)}` + total;
}

export interface ShutdownInfo {
  reason: string;
  ordersCancelled: number;
  /** Orders still open on the exchange after the shutdown's cancel budget. */
  ordersLeft?: number;
  venue?: string;
  totalProfit: number;
  roundTrips: number;
  equity: number;
}

export function shutdownMessage(i: ShutdownInfo): string {
  return (
    html`🛑 <b>Grid bot stopped</b> (${clip(i.reason, 200)})\n` +
    html`Cancelled ${i.ordersCancelled} open orders · ${i.roundTrips} round trips · total profit ${fmtUsd(i.totalProfit, true)} · equity ${fmtUsd(i.equity)}` +
    (i.ordersLeft
      ? html`\n⚠️ <b>${i.ordersLeft} order${i.ordersLeft === 1 ? '' : 's'} still open on ${i.venue ?? 'the exchange'}</b>: the next start (same LOG_DIR) adopts them. To stop with none open, see the README section "Stopping".`
      : '')
  );
}

// ---- AI recommendation and its approval states ----

export interface RecommendationInfo {
  condition: string;
  action: string;
  reason: string;
  price: number;
  createdAt: number;
  expiresAt: number;
  /** What an approval would do, e.g. "spacing 1.00% → 1.25%". */
  effect?: string;
}

const ACTION_LABEL: Record<string, string> = {
  pause: 'Pause trading',
  widen_spacing: 'Widen spacing',
  tighten_spacing: 'Tighten spacing',
  reset_grid: 'Reset grid around current price',
  apply_suggestion: 'Apply backtested settings',
  continue: 'Continue',
};

export function actionLabel(action: string): string {
  return ACTION_LABEL[action] ?? action;
}

export function recommendationMessage(i: RecommendationInfo): string {
  const minutes = Math.max(0, Math.round((i.expiresAt - i.createdAt) / 60000));
  return (
    html`🤖 <b>AI recommendation</b>: ${actionLabel(i.action)}\n` +
    html`Market: ${i.condition} · price ${fmtPrice(i.price)}\n` +
    (i.effect ? html`Effect: ${clip(i.effect, 200)}\n` : '') +
    html`Reason: <i>${clip(i.reason || '(none given)', 600)}</i>\n` +
    html`Approve within ${minutes} min (until ${fmtTime(i.expiresAt)}).`
  );
}

export type ApprovalState =
  | { state: 'approved'; ok: boolean; outcome: string }
  | { state: 'skipped' }
  | { state: 'expired' }
  | { state: 'superseded' };

/** The recommendation text with its final state; sent as an edit that also removes the buttons. */
export function recommendationResolvedMessage(i: RecommendationInfo, s: ApprovalState): string {
  const base = html`🤖 <b>AI recommendation</b>: ${actionLabel(i.action)}\n` + html`Market: ${i.condition} · price ${fmtPrice(i.price)}\n` + html`Reason: <i>${clip(i.reason || '(none given)', 600)}</i>\n`;
  switch (s.state) {
    case 'approved':
      return base + (s.ok ? html`✅ <b>Approved</b>: ${clip(s.outcome, 400)}` : html`❌ <b>Approved but not applied</b>: ${clip(s.outcome, 400)}`);
    case 'skipped':
      return base + html`⏭ <b>Skipped</b> — nothing changed.`;
    case 'expired':
      return base + html`⌛ <b>Expired</b> — not applied.`;
    case 'superseded':
      return base + html`⌛ <b>Expired</b> — superseded by a newer recommendation.`;
  }
}

/**
 * The notification for a trading event, or null for events that are not
 * worth a message (single fills). Lets the bot forward its events as they are.
 */
export function traderEventMessage(e: TraderEvent): string | null {
  switch (e.type) {
    case 'grid_built':
      if (/drift/i.test(e.reason)) {
        return html`🔄 <b>Grid reset</b> (price drifted from the center): new center ${fmtPrice(e.center)}\n` + html`${e.buys} buys / ${e.sells} sells, spacing ${fmtPct(e.spacingPct)}, order ${fmtUsd(e.orderSizeUsd)}`;
      }
      return (
        html`🧱 <b>Grid built</b> around ${fmtPrice(e.center)} (${clip(e.reason, 200)})\n` +
        html`${e.buys} buys / ${e.sells} sells, spacing ${fmtPct(e.spacingPct)}, order ${fmtUsd(e.orderSizeUsd)}` +
        (e.durationMs !== undefined
          ? html`\nRebuild finished in ${fmtDuration(e.durationMs / 1000)}: ${e.amended ?? 0} moved in place, ${e.cancelled ?? 0} cancelled, ${e.added ?? 0} placed`
          : '')
      );
    case 'pair_status':
      return e.trading ? html`✅ <b>Kraken: ${e.status}</b> — ${clip(e.message, 300)}` : html`⛔ <b>Kraken: ${e.status}</b> — ${clip(e.message, 300)}`;
    case 'round_trip':
      return roundTripMessage({ side: e.fill.side, price: e.fill.price, volume: e.fill.volume, profit: e.fill.profit ?? 0 });
    case 'daily_summary':
      return dailySummaryMessage(e.row);
    case 'risk':
      return riskEventMessage({ action: e.action, reason: e.reason });
    case 'accumulation':
      return accumulationMessage({ usd: e.usd, price: e.price, volume: e.volume, totalDoge: null });
    case 'start_price':
      return html`🚦 <b>Start price ${fmtPrice(e.startPrice)} crossed</b> (price ${fmtPrice(e.price)}): building the first grid`;
    case 'exit':
      return e.phase === 'started'
        ? html`💱 <b>Selling the grid's DOGE</b> (STOP_ACTION=sell): ${fmtAmount(e.volume)} DOGE, maker first, then a marketable limit
Reason: ${clip(e.reason, 200)}`
        : html`💱 <b>Sell-on-stop finished</b>: sold ${fmtAmount(e.volume)} DOGE for ${fmtUsd(e.proceeds)}, fees ${fmtUsd(e.fees)}` +
            (e.unsold > 0 ? html`, ${fmtAmount(e.unsold)} DOGE left (below the pair minimum or stopped)` : '');
    case 'warning':
      return warningNotice(e.message);
    case 'error':
      return errorNotice({ context: 'trading loop', message: e.message });
    case 'fill':
      return null;
    default:
      return null;
  }
}

/** A fill that opened a position (sent only when the `fills` notifications are on or silent). */
export function fillMessage(f: FillRecord): string {
  const verb = f.side === 'buy' ? '🟢 Bought' : '🔴 Sold';
  const level = f.level === 0 ? '' : html` · level ${f.level > 0 ? '+' : '−'}${Math.abs(f.level)}`;
  return html`${verb} ${fmtAmount(f.volume, 2)} DOGE at ${fmtPrice(f.price)} · fee ${fmtUsdCents(f.fee)}` + level;
}

/** Which notification kind an event belongs to (its level decides whether and how it is sent). */
export function traderEventKind(e: TraderEvent): NotifyKind {
  switch (e.type) {
    case 'fill':
      return 'fills';
    case 'round_trip':
    case 'accumulation':
      return 'round_trips';
    case 'grid_built':
      return 'rebuilds';
    case 'daily_summary':
      return 'daily_summary';
    case 'pair_status':
    case 'risk':
    case 'warning':
    case 'error':
    default:
      return 'warnings';
  }
}

/** The notification for an event, with its kind; single fills get a text here (traderEventMessage leaves them out). */
export function traderEventNotice(e: TraderEvent): { kind: NotifyKind; text: string } | null {
  const text = e.type === 'fill' ? fillMessage(e.fill) : traderEventMessage(e);
  return text === null ? null : { kind: traderEventKind(e), text };
}

/** Trading stopped working (start-up or ticks failing), or works again (null). */
export function tradingProblemMessage(problem: string | null): string {
  if (problem === null) return html`✅ <b>Trading again</b>: the exchange answers and ticks succeed.`;
  return html`🚫 <b>Not trading</b>: ${clip(problem, 300)}\nThe bot keeps retrying; /status shows the state, /health answers 503 meanwhile.`;
}
