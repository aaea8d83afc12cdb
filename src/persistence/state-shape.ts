// Checks that a parsed state.json has the shape GridState promises before the
// bot trusts it: a hand-edited, truncated or foreign file must end in the
// documented state error (kept aside, backup tried), never in a TypeError
// deep inside a tick or a bot that runs with no grid.
import { INTERVAL_MAX_SEC, INTERVAL_MIN_SEC, RATIO_MAX, RATIO_MIN, SPACING_MAX_PCT } from '../core/limits.js';

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Collects what is wrong, as "path: reason" lines. */
class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    if (this.list.length < 20) this.list.push(`${where}: ${what}`);
  }
  object(x: unknown, where: string): x is Obj {
    if (isObj(x)) return true;
    this.add(where, 'missing or not an object');
    return false;
  }
  numbers(o: Obj, where: string, keys: string[], opts: { min?: number } = {}): void {
    for (const k of keys) {
      const v = o[k];
      if (!finite(v)) this.add(`${where}.${k}`, `expected a finite number, got ${JSON.stringify(v)}`);
      else if (opts.min !== undefined && v < opts.min) this.add(`${where}.${k}`, `must be at least ${opts.min}, got ${v}`);
    }
  }
  booleans(o: Obj, where: string, keys: string[]): void {
    for (const k of keys) if (typeof o[k] !== 'boolean') this.add(`${where}.${k}`, `expected true or false, got ${JSON.stringify(o[k])}`);
  }
  array(x: unknown, where: string): x is unknown[] {
    if (Array.isArray(x)) return true;
    this.add(where, 'missing or not a list');
    return false;
  }
}

function checkSettings(p: Problems, s: unknown): void {
  if (!p.object(s, 'settings')) return;
  if (!finite(s.spacingPct) || s.spacingPct <= 0 || s.spacingPct > SPACING_MAX_PCT) p.add('settings.spacingPct', `expected a percentage in (0, ${SPACING_MAX_PCT}], got ${JSON.stringify(s.spacingPct)}`);
  if (s.ratioOverride !== null && (!finite(s.ratioOverride) || s.ratioOverride < RATIO_MIN || s.ratioOverride > RATIO_MAX)) {
    p.add('settings.ratioOverride', `expected null or ${RATIO_MIN}..${RATIO_MAX}, got ${JSON.stringify(s.ratioOverride)}`);
  }
  if (!Number.isInteger(s.aiIntervalSec) || (s.aiIntervalSec as number) < INTERVAL_MIN_SEC || (s.aiIntervalSec as number) > INTERVAL_MAX_SEC) {
    p.add('settings.aiIntervalSec', `expected whole seconds ${INTERVAL_MIN_SEC}..${INTERVAL_MAX_SEC}, got ${JSON.stringify(s.aiIntervalSec)}`);
  }
  // Absent in states saved before the grid and spacing modes existed (the environment's then).
  if (s.gridMode !== undefined && s.gridMode !== 'drift' && s.gridMode !== 'trailing') p.add('settings.gridMode', `expected drift or trailing, got ${JSON.stringify(s.gridMode)}`);
  if (s.spacingMode !== undefined && s.spacingMode !== 'arithmetic' && s.spacingMode !== 'geometric') {
    p.add('settings.spacingMode', `expected arithmetic or geometric, got ${JSON.stringify(s.spacingMode)}`);
  }
  checkNotify(p, s.notify);
}

/** settings.notify (absent in states saved before /notify): kind → on | silent | off. Unknown kinds are ignored when read. */
function checkNotify(p: Problems, notify: unknown): void {
  if (notify === undefined) return;
  if (!isObj(notify)) {
    p.add('settings.notify', `expected an object of kind: level, got ${JSON.stringify(notify)}`);
    return;
  }
  for (const [kind, level] of Object.entries(notify)) {
    if (level !== 'on' && level !== 'silent' && level !== 'off') p.add(`settings.notify.${kind}`, `expected on, silent or off, got ${JSON.stringify(level)}`);
  }
}

/** The issue-14 settings and progress records: optional (older states lack them), checked when present. */
function checkRules(p: Problems, x: Obj): void {
  const st = isObj(x.settings) ? x.settings : {};
  for (const k of ['startPrice', 'takeProfitEquity']) {
    const v = st[k];
    if (v !== undefined && v !== null && (!finite(v) || v <= 0)) p.add(`settings.${k}`, `expected null or a positive number, got ${JSON.stringify(v)}`);
  }
  if (st.stopAction !== undefined && st.stopAction !== 'hold' && st.stopAction !== 'sell') p.add('settings.stopAction', `expected hold or sell, got ${JSON.stringify(st.stopAction)}`);
  if (st.profitMode !== undefined && !['compound', 'fixed', 'accumulate'].includes(st.profitMode as string)) {
    p.add('settings.profitMode', `expected compound, fixed or accumulate, got ${JSON.stringify(st.profitMode)}`);
  }
  const w = x.startWait;
  if (w !== undefined && w !== null && (!isObj(w) || !finite(w.price) || (w.side !== 'below' && w.side !== 'above'))) p.add('startWait', 'expected null or {price, side: below|above, since}');
  const e = x.exit;
  if (e !== undefined && e !== null) {
    if (!isObj(e) || !['maker', 'taker', 'done'].includes(e.phase as string)) p.add('exit', 'expected null or a sell-on-stop record');
    else {
      p.numbers(e, 'exit', ['startedAt', 'phaseAt', 'sold', 'proceeds', 'fees']);
      if (e.order !== null && e.order !== undefined) checkOrders(p, [e.order]);
    }
  }
}

function checkOrders(p: Problems, orders: unknown): void {
  if (!p.array(orders, 'orders')) return;
  orders.forEach((o, i) => {
    const where = `orders[${i}]`;
    if (!p.object(o, where)) return;
    if (typeof o.clientOrderId !== 'string' || o.clientOrderId === '') p.add(`${where}.clientOrderId`, 'missing');
    if (o.id !== null && typeof o.id !== 'string') p.add(`${where}.id`, 'expected a string or null');
    if (o.side !== 'buy' && o.side !== 'sell') p.add(`${where}.side`, `expected buy or sell, got ${JSON.stringify(o.side)}`);
    if (!['pending', 'open', 'unknown'].includes(o.status as string)) p.add(`${where}.status`, `unexpected ${JSON.stringify(o.status)}`);
    p.numbers(o, where, ['price', 'volume'], { min: Number.MIN_VALUE });
    p.numbers(o, where, ['bookedVolume', 'bookedFee', 'bookedCost'], { min: 0 });
    p.numbers(o, where, ['level', 'placedAt', 'attempts']);
  });
}

function checkBooks(p: Problems, s: Obj): void {
  if (p.object(s.ledger, 'ledger')) {
    p.numbers(s.ledger, 'ledger', ['startingCapital'], { min: Number.MIN_VALUE });
    p.numbers(s.ledger, 'ledger', ['cash', 'realized']);
    p.numbers(s.ledger, 'ledger', ['inventory', 'avgCost', 'fees'], { min: 0 });
  }
  if (p.object(s.profit, 'profit')) {
    p.numbers(s.profit, 'profit', ['total', 'today', 'fees', 'feesToday', 'grossToday', 'roundTrips', 'roundTripsToday', 'tradesToday', 'dogeAccumulated', 'dogeAccumulatedToday']);
    if (s.profit.trades !== undefined) p.numbers(s.profit, 'profit', ['trades'], { min: 0 });
  }
  if (p.object(s.day, 'day')) {
    if (typeof s.day.key !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(s.day.key)) p.add('day.key', `expected YYYY-MM-DD, got ${JSON.stringify(s.day.key)}`);
    p.numbers(s.day, 'day', ['startEquity']);
  }
  if (p.object(s.accumulation, 'accumulation')) p.numbers(s.accumulation, 'accumulation', ['lastSweepAt', 'profitAtLastSweep']);
  if (p.array(s.fills, 'fills')) {
    s.fills.forEach((f, i) => {
      if (p.object(f, `fills[${i}]`)) p.numbers(f, `fills[${i}]`, ['time', 'price', 'volume', 'fee', 'level']);
    });
  }
  if (p.array(s.roundTripProfits, 'roundTripProfits') && !s.roundTripProfits.every(finite)) p.add('roundTripProfits', 'expected finite numbers');
}

function checkRiskAndAi(p: Problems, s: Obj): void {
  if (p.object(s.risk, 'risk')) p.booleans(s.risk, 'risk', ['paused', 'stopped']);
  if (p.object(s.ai, 'ai')) {
    p.numbers(s.ai, 'ai', ['lastRunAt']);
    p.booleans(s.ai, 'ai', ['checkRequested']);
  }
  if (p.object(s.trend, 'trend')) p.numbers(s.trend, 'trend', ['ratio', 'buys12h', 'sells12h']);
}

/** Empty when `x` can be used as a GridState; otherwise what is wrong (at most 20 lines). */
export function stateProblems(x: unknown): string[] {
  const p = new Problems();
  if (!p.object(x, 'state')) return p.list;
  if (x.version !== 1) p.add('version', `expected 1, got ${JSON.stringify(x.version)}`);
  if (typeof x.botId !== 'string' || x.botId === '') p.add('botId', 'missing');
  if (!Number.isSafeInteger(x.orderSeq) || (x.orderSeq as number) < 0) p.add('orderSeq', `expected a whole number, got ${JSON.stringify(x.orderSeq)}`);
  p.numbers(x, 'state', ['revision', 'startedAt', 'gridBuiltAt', 'ratioAtBuild', 'orderSizeUsd', 'levelsPerSide']);
  p.numbers(x, 'state', ['center', 'lastPrice'], { min: 0 });
  if (typeof x.funded !== 'boolean') p.add('funded', 'expected true or false');
  checkSettings(p, x.settings);
  checkOrders(p, x.orders);
  checkBooks(p, x);
  checkRiskAndAi(p, x);
  checkRules(p, x);
  return p.list;
}
