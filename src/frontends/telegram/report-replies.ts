// Replies to the report commands (/daily, /weekly, /monthly, /profit,
// /balance, /trades): HTML parse mode, every dynamic value escaped, short
// lines so a phone shows each figure without wrapping. Unknown figures read
// "unknown", never $0.00.
import type { BalanceAssetView, BalanceView, PeriodKind, PeriodRowView, PeriodsView } from '../../ops/reports.js';
import type { FillRow, StatusView } from '../../ops/status-view.js';
import { fmtAmount, fmtPct, fmtPrice, fmtUsd, fmtUsdCents } from '../../util/format.js';
import { clip, html, raw } from './html.js';

/** Telegram's limit is 4096 characters; keep a margin for the notifier's prefix. */
const MESSAGE_MAX = 4000;

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayParts(key: string): { weekday: string; day: number; month: string } {
  const d = new Date(key + 'T00:00:00Z');
  return { weekday: WEEKDAYS[d.getUTCDay()] ?? '', day: d.getUTCDate(), month: MONTHS[d.getUTCMonth()] ?? '' };
}

/** "Mon 2 Mar", "2026-W10 · 2–8 Mar", "Mar 2026". */
function periodLabel(kind: PeriodKind, r: PeriodRowView): string {
  if (kind === 'day') {
    const p = dayParts(r.period);
    return `${p.weekday} ${p.day} ${p.month}`;
  }
  if (kind === 'week') {
    const a = dayParts(r.from);
    const b = dayParts(r.to);
    return `${r.period} · ${a.day}${a.month === b.month ? '' : ' ' + a.month}–${b.day} ${b.month}`;
  }
  const [y, m] = r.period.split('-');
  return `${MONTHS[Number(m) - 1] ?? m} ${y}`;
}

const NOUN: Record<PeriodKind, [string, string]> = { day: ['day', 'days'], week: ['week', 'weeks'], month: ['month', 'months'] };
const ICON: Record<PeriodKind, string> = { day: '📅', week: '🗓', month: '📆' };

const unknown = (x: number | null, f: (n: number) => string): string => (x === null ? 'unknown' : f(x));

function periodLines(kind: PeriodKind, r: PeriodRowView): string {
  const trips = r.round_trips === null ? 'round trips unknown' : `${r.round_trips} round trip${r.round_trips === 1 ? '' : 's'}`;
  const profit = unknown(r.grid_profit, (x) => fmtUsdCents(x, true));
  return (
    html`<b>${periodLabel(kind, r)}</b>` +
    (r.open ? html` <i>(so far)</i>` : '') +
    html`\n  ${profit} · ${trips}\n` +
    html`  fees ${unknown(r.fees, (x) => fmtUsdCents(x))} · ${unknown(r.fills, (x) => `${x} fills`)}\n` +
    html`  equity ${unknown(r.equity, (x) => fmtUsd(x))} · vs hold ${unknown(r.vs_hold, (x) => fmtUsd(x, true))}`
  );
}

/** A column's sum, unknown when any row's is. */
function total(rows: readonly PeriodRowView[], pick: (r: PeriodRowView) => number | null): number | null {
  let sum = 0;
  for (const r of rows) {
    const x = pick(r);
    if (x === null) return null;
    sum += x;
  }
  return sum;
}

/** The last `n` periods, newest first, and their total. */
export function periodsMessage(v: PeriodsView, n: number, hourUtc: number | null = null): string {
  const rows = v.rows.slice(-n).reverse();
  const [one, many] = NOUN[v.kind];
  const shown = rows.length === 1 ? `this ${one}` : `last ${rows.length} ${many}`;
  const day = hourUtc ? `, days start ${String(hourUtc).padStart(2, '0')}:00 UTC` : ', UTC';
  const head = html`${ICON[v.kind]} <b>Grid profit, ${shown}</b>\n<i>newest first${day}</i>`;
  if (rows.length === 0) return head + html`\nNo trading yet.`;
  const trips = total(rows, (r) => r.round_trips);
  const sum =
    html`<b>Total ${unknown(total(rows, (r) => r.grid_profit), (x) => fmtUsdCents(x, true))}</b>\n` +
    html`${trips === null ? 'round trips unknown' : `${trips} round trips`} · fees ${unknown(total(rows, (r) => r.fees), (x) => fmtUsdCents(x))}`;
  const notes = v.notes.map((t) => html`ℹ️ ${clip(t, 200)}`);
  const blocks = rows.map((r) => periodLines(v.kind, r));
  // Telegram refuses more than 4096 characters: the oldest rows go first (the total stays that of the rows asked for).
  let cut = 0;
  const text = () => [head, ...blocks, ...(cut ? [html`… ${cut} older cut to fit one message`] : []), sum, ...notes].join('\n\n');
  while (text().length > MESSAGE_MAX && blocks.length > 1) {
    blocks.pop();
    cut++;
  }
  return text();
}

function last(v: PeriodsView): PeriodRowView | null {
  return v.rows[v.rows.length - 1] ?? null;
}

/** Where the money is (attribution) and grid profit today, this week, this month and in all. */
export function profitMessage(s: StatusView, periods: { day: PeriodsView; week: PeriodsView; month: PeriodsView }): string {
  const a = s.attribution;
  const h = a.hold;
  const p = (v: PeriodsView) => unknown(last(v)?.grid_profit ?? null, (x) => fmtUsdCents(x, true));
  const hold =
    h.value === null || h.vs_hold === null
      ? html`vs holding: unknown (no price yet)`
      : html`vs holding <b>${fmtUsd(h.vs_hold, true)}</b>\n  (hold ${fmtUsd(h.value)}: half in DOGE at ${fmtPrice(h.first_price)})`;
  return (
    html`💰 <b>Profit</b> — ${s.mode === 'live' ? 'LIVE' : 'dry run'}\n` +
    html`Equity <b>${fmtUsd(a.equity)}</b>\n  ${fmtUsd(a.change, true)} (${fmtPct(a.change_pct, true)}) since start\n` +
    raw(hold) +
    html`\n\nGrid profit (realized) <b>${fmtUsd(a.grid_profit, true)}</b>\n` +
    html`  today ${p(periods.day)} · week ${p(periods.week)}\n  month ${p(periods.month)}\n` +
    html`Inventory P&amp;L (unrealized) ${fmtUsd(a.inventory_pnl, true)}\n  ${fmtAmount(a.inventory)} DOGE worth ${fmtUsd(a.inventory_value)}\n` +
    html`Fees paid ${fmtUsd(a.fees)}\n` +
    html`Round trips ${s.profit.round_trips} (today ${s.profit.round_trips_today})\n` +
    html`DOGE accumulated ${fmtAmount(a.doge_accumulated)}`
  );
}

function amount(asset: string, x: number, signed = false): string {
  if (asset === 'USD') return fmtUsd(x, signed);
  const body = fmtAmount(Math.abs(x), 2) + ' DOGE';
  return x < 0 && Number(Math.abs(x).toFixed(2)) !== 0 ? '-' + body : signed ? '+' + body : body;
}

function assetLines(a: BalanceAssetView, venue: string): string {
  const held = a.held === null ? '' : html` (${amount(a.asset, a.held)} in orders)`;
  const diff = a.asset === 'USD' || a.diff_usd === null ? amount(a.asset, a.diff, true) : `${amount(a.asset, a.diff, true)} (${fmtUsd(a.diff_usd, true)})`;
  const verdict = a.flagged ? html`  ⚠️ <b>${diff}</b> ${a.diff > 0 ? 'more' : 'less'} on ${venue}` : html`  ✅ matches`;
  return html`<b>${a.asset}</b>\n  ${venue}: ${amount(a.asset, a.exchange)}` + raw(held) + html`\n  ledger: ${amount(a.asset, a.ledger)}\n` + raw(verdict);
}

export function balanceMessage(b: BalanceView): string {
  const venue = b.venue === 'kraken' ? 'Kraken' : 'paper';
  const lines = [html`🏦 <b>Balance</b> — ${b.venue === 'kraken' ? 'Kraken' : 'paper account'} vs the ledger`, assetLines(b.base, venue), assetLines(b.quote, venue)];
  if (b.exchange_value !== null && b.ledger_equity !== null) {
    lines.push(html`At ${fmtPrice(b.price)}:\n  ${venue} ${fmtUsd(b.exchange_value)} · ledger ${fmtUsd(b.ledger_equity)}`);
  }
  if (b.flagged) {
    lines.push(
      html`More on ${venue}: money outside the grid's allocation (or not yet booked). Less: the ledger counts funds the account does not hold.`,
    );
  }
  if (b.flagged && b.venue === 'paper') lines.push(html`The paper account starts half USD, half DOGE; the ledger moves into DOGE only what the grid's sells need.`);
  if (b.note) lines.push(html`ℹ️ ${clip(b.note, 300)}`);
  return lines.join('\n\n');
}

/** "03-08 14:02" (UTC). */
function shortTime(iso: string): string {
  return iso.slice(5, 16).replace('T', ' ');
}

export function tradesMessage(fills: readonly FillRow[], n: number): string {
  if (fills.length === 0) return html`🧾 No fills yet.`;
  const head = html`🧾 <b>Last ${fills.length === n ? n : fills.length} fill${fills.length === 1 ? '' : 's'}</b> <i>(newest first, UTC)</i>`;
  const rows = fills.map((f) => {
    const outcome = f.profit === null ? 'opens a round trip' : `round trip ${fmtUsdCents(f.profit, true)}`;
    return html`${shortTime(f.time)} <b>${f.side === 'buy' ? 'BUY' : 'SELL'}</b> ${fmtAmount(f.volume, 2)} @ ${fmtPrice(f.price)}\n  fee ${fmtUsdCents(f.fee)} · ${outcome}`;
  });
  return [head, ...rows].join('\n');
}
