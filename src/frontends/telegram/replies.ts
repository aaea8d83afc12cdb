// Replies to Telegram commands (HTML parse mode, every dynamic value escaped).
// The command table that uses them is commands.ts.
import { RATIO_MAX, RATIO_MIN } from '../../core/limits.js';
import { fmtAmount, fmtDuration, fmtPct, fmtPrice, fmtUsd } from '../../util/format.js';
import { streamLine, type AttributionView, type StatusView } from '../../ops/status-view.js';
import { NOTIFY_KIND_TEXT, NOTIFY_KINDS, NOTIFY_LEVELS, WARNINGS_OFF_TEXT, type NotifyLevel, type NotifyLevels } from '../../ops/notify-levels.js';
import { analyzerLabel } from '../../stats/shared.js';
import { clip, html, raw } from './html.js';

/** "❌ error" (if any), the usage line, and a note (if any). */
export function usageMessage(usage: string, error?: string, note?: string): string {
  return (error ? html`❌ ${clip(error, 300)}\n` : '') + html`Usage: <code>${usage}</code>` + (note ? html`\n${note}` : '');
}

export function outcomeMessage(ok: boolean, message: string): string {
  return ok ? html`✅ ${clip(message, 800)}` : html`❌ ${clip(message, 800)}`;
}

/** The answer to plain text in a private chat: the bot only understands commands. */
export function plainTextHintMessage(): string {
  return html`I only understand commands. Send /help for the list, or /status to see how the grid is doing.`;
}

export function unknownCommandMessage(command: string): string {
  return html`Unknown command <code>/${clip(command, 40)}</code>. Send /help for the list.`;
}

export function unavailableMessage(what: string): string {
  return html`❌ ${what} is not available right now.`;
}

/**
 * Where the money is, one definition (ops/attribution.ts): equity and its change
 * first, then grid profit (realized), inventory P&L (unrealized) and the hold
 * benchmark.
 */
export function moneyLines(a: AttributionView, profitToday: number): string {
  const h = a.hold;
  const hold =
    h.value === null || h.vs_hold === null
      ? html`Hold benchmark n/a (no price yet)`
      : html`vs holding ${fmtUsd(h.vs_hold, true)} (hold ${fmtUsd(h.value)}: half DOGE at ${fmtPrice(h.first_price)}` +
        (h.first_price_source === 'earliest_known' ? html`, the earliest price known: the first was not recorded` : '') +
        html`)`;
  return (
    html`Equity <b>${fmtUsd(a.equity)}</b> · ${fmtUsd(a.change, true)} (${fmtPct(a.change_pct, true)}) since start · ` +
    raw(hold) +
    html`\nGrid profit (realized) ${fmtUsd(a.grid_profit, true)} (today ${fmtUsd(profitToday, true)}) · fees paid ${fmtUsd(a.fees)}\n` +
    html`Inventory P&amp;L (unrealized) ${fmtUsd(a.inventory_pnl, true)} on ${fmtAmount(a.inventory)} DOGE worth ${fmtUsd(a.inventory_value)}` +
    html` · DOGE accumulated ${fmtAmount(a.doge_accumulated)} (${fmtUsd(a.doge_accumulated_value)})`
  );
}

export function statusMessage(v: StatusView): string {
  const rebuilding =
    (v.rebuild ? html` · 🔧 ${clip(v.rebuild.text, 120)}` : '') +
    (v.start_wait ? html` · 🚦 ${clip(v.start_wait.text, 120)}` : '') +
    (v.exit ? html` · 💱 ${clip(v.exit.text, 160)}` : '');
  const state = v.not_trading
    ? html`🚫 not trading: ${clip(v.not_trading, 200)}`
    : v.paused
      ? html`⏸ PAUSED` + (v.pause_reason ? html` (${clip(v.pause_reason, 200)})` : '')
      : html`▶️ running`;
  const t = v.trend;
  const c = v.config;
  const l = v.ledger;
  return (
    html`📊 <b>Status</b> — ${v.mode === 'live' ? 'LIVE' : 'dry run'}, ` +
    raw(state) +
    raw(rebuilding) +
    html`\nPrice ${fmtPrice(v.price.current)} · center ${fmtPrice(v.price.center)} (drift ${fmtPct(v.price.drift_pct, true)})\n` +
    html`Change 1h ${fmtPct(v.price.change_1h, true)} · 4h ${fmtPct(v.price.change_4h, true)} · 24h ${fmtPct(v.price.change_24h, true)}\n` +
    raw(moneyLines(v.attribution, v.profit.today)) +
    html`\nRound trips ${v.profit.round_trips_today} today / ${v.profit.round_trips} total · cash ${fmtUsd(l.cash)}\n` +
    html`Grid ${t.grid_buys} buys / ${t.grid_sells} sells · spacing ${fmtPct(c.spacing_pct)} (min ${fmtPct(c.min_spacing)}) · order ${fmtUsd(c.order_size)}\n` +
    html`Trend ratio ${fmtAmount(t.ratio)} (${t.source}) · AI check every ${c.ai_interval} s\n` +
    html`Stream: ${streamLine(v.stream)}\n` +
    html`Uptime ${fmtDuration(v.uptime)}` +
    (v.last_tick ? html` · last tick ${v.last_tick.replace('T', ' ').slice(0, 19)} UTC` : '')
  );
}

export function ratioMessage(v: StatusView): string {
  const t = v.trend;
  return (
    html`⚖️ Trend ratio <b>${fmtAmount(t.ratio)}</b> (${t.source === 'manual' ? 'manual override' : 'auto'})\n` +
    html`Grid ${t.grid_buys} buys / ${t.grid_sells} sells · target ${fmtAmount(t.buy_pct, 0)}% buys / ${fmtAmount(t.sell_pct, 0)}% sells\n` +
    html`Fills in the last 12 h: ${t.buy_12h} buys, ${t.sell_12h} sells\n` +
    html`Set with ${`/ratio <${RATIO_MIN}..${RATIO_MAX}>`}, back to automatic with /ratio auto`
  );
}

export function statsMessage(v: StatusView): string {
  const head =
    html`📈 <b>Statistics</b>\n` +
    html`Equity ${fmtUsd(v.attribution.equity)} · ${fmtUsd(v.attribution.change, true)} since start · ` +
    html`grid profit (realized) ${fmtUsd(v.attribution.grid_profit, true)} over ${v.profit.round_trips} round trips · fees ${fmtUsd(v.attribution.fees)}\n`;
  if (!v.stats) return head + html`Analyzers have not run yet.`;
  const h = v.stats.health;
  const lines = v.stats.analyzers.map((a) => html`• <b>${clip(a.label ?? analyzerLabel(a.name), 60)}</b>: ${clip(a.verdict, 60)} — ${clip(a.summary, 300)}`);
  return head + html`Health: <b>${clip(h.verdict, 60)}</b> — ${clip(h.summary, 300)}\n` + lines.join('\n');
}

const LEVEL_ICON: Record<NotifyLevel, string> = { on: '🔔', silent: '🔕', off: '🚫' };

/** /notify without arguments: one line per kind, short enough for a phone. */
export function notifyTableMessage(levels: NotifyLevels): string {
  const lines = NOTIFY_KINDS.map((k) => html`${LEVEL_ICON[levels[k]]} <b>${k}</b> ${levels[k]} — ${NOTIFY_KIND_TEXT[k]}`);
  return (
    html`<b>Notifications</b>\n` +
    lines.join('\n') +
    html`\n\nChange one: <code>/notify fills silent</code>\nLevels: ${NOTIFY_LEVELS.join(' | ')}. Start-up, shutdown and replies always arrive.` +
    (levels.warnings === 'off' ? html`\n⚠️ ${WARNINGS_OFF_TEXT}` : '')
  );
}

/** The list of valid kinds and levels, under a /notify usage line. */
export function notifyNote(): string {
  return `Kinds: ${NOTIFY_KINDS.join(', ')}. Levels: ${NOTIFY_LEVELS.join(', ')}.`;
}
