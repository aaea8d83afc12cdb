// The parameters table: the bot's configuration and ledger.
import type { StatusView } from '../../../../ops/status-view.js';
import { kvRows } from './dom.js';
import { MISSING, fmtDuration, fmtPct, fmtQty, fmtUsd, isNum } from './format.js';

export function renderParams(s: StatusView): void {
  const c: Partial<StatusView['config']> = s.config ?? {};
  const l: Partial<StatusView['ledger']> = s.ledger ?? {};
  const a: Partial<StatusView['attribution']> = s.attribution ?? {};
  kvRows('params', [
    ['Order size', fmtUsd(c.order_size)],
    ['Levels per side', isNum(c.grid_levels) ? String(c.grid_levels) : MISSING],
    ['Spacing', fmtPct(c.spacing_pct, 2)],
    ['Min spacing', fmtPct(c.min_spacing, 2)],
    ['Round-trip fee', fmtPct(c.round_trip_fee_pct, 2)],
    ['Effective capital', fmtUsd(c.effective_capital)],
    ['Starting capital', fmtUsd(c.starting_capital)],
    ['Drift reset', fmtPct(c.drift_reset_pct, 1)],
    ['Grid mode', c.grid_mode ?? MISSING],
    ['Level spacing', c.spacing_mode ?? MISSING],
    ['Stop floor', fmtUsd(c.stop_floor)],
    ['Daily loss limit', fmtUsd(c.daily_loss_limit)],
    ['Poll interval', isNum(c.poll_interval) ? c.poll_interval + ' s' : MISSING],
    ['AI interval', fmtDuration(c.ai_interval)],
    ['Cash', fmtUsd(l.cash)],
    ['Inventory', isNum(l.inventory) ? fmtQty(l.inventory, 2) + ' DOGE' : MISSING],
    ['Inventory cost', fmtUsd(a.inventory_cost)],
    ['Grid profit (realized)', fmtUsd(l.realized, true)],
    ['Inventory P&L (unrealized)', fmtUsd(l.unrealized, true)],
    ['Fees paid', fmtUsd(a.fees)],
    ['Equity', fmtUsd(l.equity)],
    ['Hold benchmark', fmtUsd(a.hold?.value)],
  ]);
}
