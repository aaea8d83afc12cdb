// START_PRICE (issue 14): the first grid is built only once the price
// crosses the start price. Which side the price was on when waiting began is
// recorded (and saved), so a cross is seen whatever happened between two
// ticks: the first tick whose price is at or past the start price, on the
// other side, builds the grid. The backtest replays a candle's high and low as
// ticks, so a cross inside a candle is seen there too.
import { rules, touch } from '../grid-strategy.js';
import { log, type Desk } from './desk.js';

/**
 * What the start price says at `price`: 'wait' (no first grid yet), 'go' (it
 * applied and the price is at or past it now: build the first grid), or
 * 'none' (no start price, or a grid exists). Starts the wait when a start
 * price is set and no grid was ever built, ends it (and says so) when the price
 * crossed it; clears it once it no longer applies.
 */
export function startRule(d: Desk, price: number): 'wait' | 'go' | 'none' {
  const s = d.state;
  const start = rules(s, d.cfg).startPrice;
  const applies = start !== null && !s.funded && s.orders.length === 0;
  if (!applies) {
    if (s.startWait) {
      s.startWait = null;
      touch(s);
    }
    return 'none';
  }
  const wait = s.startWait;
  if (!wait || wait.price !== start) {
    if (price === start) return 'go';
    const side = price < start ? 'below' : 'above';
    s.startWait = { price: start, side, since: d.now() };
    touch(s);
    log.info(`waiting for the start price ${start} (now ${price}, ${side} it): no orders until the price crosses it`);
    return 'wait';
  }
  const crossed = wait.side === 'below' ? price >= start : price <= start;
  if (!crossed) return 'wait';
  s.startWait = null;
  touch(s);
  log.info(`start price ${start} crossed (price ${price}, from ${wait.side}): building the first grid`);
  d.emit({ type: 'start_price', startPrice: start, price });
  return 'go';
}
