// Issue 12 item 4, the trader's side: the pair's status (no new orders while
// Kraken lists it cancel_only / maintenance; one notice; placing again when
// online), the maker fee from the exchange (TradeVolume) unless MAKER_FEE_PCT
// overrides it, and a post-only order Kraken cancelled (it would have taken
// liquidity) kept as a level to place once the price allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rebuildRig } from './rebuild-rig.js';
import { FALLBACK_PAIR_INFO, type Exchange, type OrderReport } from '../../src/exchange/exchange.js';
import { minSpacingPct } from '../../src/core/limits.js';

describe('exchange facts the trader respects (issue 12 item 4)', () => {
  it('pair in cancel_only: no AddOrder, one warning, placing resumes when online', async () => {
    let status = 'online';
    let attempts = 0;
    const r = rebuildRig({
      tier: null,
      patch: (ex: Exchange) => {
        ex.getPairInfo = async () => ({ ...FALLBACK_PAIR_INFO, status });
        const place = ex.placeOrder.bind(ex);
        ex.placeOrder = (req) => {
          attempts++;
          return place(req);
        };
      },
    });
    await r.bot.start();
    assert.equal(r.bot.state.orders.length, 40);
    status = 'cancel_only';
    const before = attempts;
    // The price falls through the first buy: its counter sell would be placed at once, normally.
    r.setPrice(0.1979);
    r.clock.advance(5 * 60_000);
    await r.bot.tickOnce();
    r.clock.advance(5 * 60_000);
    await r.bot.tickOnce();
    assert.equal(r.bot.state.fills.length, 1, 'the fill is booked');
    assert.equal(attempts, before, 'no AddOrder while the pair is cancel_only');
    assert.ok(r.bot.state.orders.some((o) => o.kind === 'counter' && o.status === 'pending'), 'the counter waits as a pending level');
    const warnings = r.events.filter((e) => e.type === 'warning' && /cancel_only/.test(e.message));
    assert.equal(warnings.length, 1, 'warned once');
    status = 'online';
    r.clock.advance(5 * 60_000);
    await r.bot.tickOnce();
    assert.ok(attempts > before, 'placing again');
    assert.ok(r.bot.state.orders.every((o) => o.status === 'open'));
    assert.ok(r.events.some((e) => e.type === 'pair_status' && e.trading));
  });

  it('the maker fee comes from getMakerFeePct at start (and sets the minimum spacing); MAKER_FEE_PCT set by the operator overrides it', async () => {
    const withFee = (env: Record<string, string>) =>
      rebuildRig({
        tier: null,
        env,
        patch: (ex: Exchange) => {
          ex.getMakerFeePct = async () => 0.16;
        },
      });
    const a = withFee({});
    await a.bot.start();
    assert.equal(a.bot.trader.makerFeePct(), 0.16);
    assert.equal(a.bot.trader.minSpacingPct(), minSpacingPct(0.16));
    const b = withFee({ MAKER_FEE_PCT: '0.3' });
    await b.bot.start();
    assert.equal(b.bot.trader.makerFeePct(), 0.3, 'the explicit override wins');
  });

  it('a post-only order Kraken cancelled is neither a fill nor an external cancel: its level is placed again once the price allows, not before', async () => {
    const rejected = new Set<string>();
    const placedAt: number[] = [];
    const r = rebuildRig({
      tier: null,
      patch: (ex: Exchange) => {
        const query = ex.queryOrders.bind(ex);
        ex.queryOrders = async (ids) => (await query(ids)).map((x): OrderReport => (rejected.has(x.id) ? { ...x, postOnlyRejected: true } : x));
        const place = ex.placeOrder.bind(ex);
        ex.placeOrder = (req) => {
          placedAt.push(req.price);
          return place(req);
        };
      },
    });
    await r.bot.start();
    const buy1 = r.bot.state.orders.find((o) => o.level === -1)!;
    // Kraken accepted it and cancelled it: the price had come down to it.
    await r.paper.cancelOrder(buy1.id!);
    rejected.add(buy1.id!);
    r.setPrice(buy1.price);
    placedAt.length = 0;
    r.clock.advance(30_000);
    await r.bot.tickOnce();
    assert.equal(r.bot.state.fills.length, 0, 'not a fill');
    assert.deepEqual(placedAt, [], 'not sent again while the price sits on it (Kraken would only cancel it again)');
    const waiting = r.bot.state.orders.find((o) => o.level === -1);
    assert.ok(waiting && waiting.status === 'pending' && waiting.price === buy1.price, 'kept as the same level');
    r.setPrice(buy1.price * 1.004);
    r.clock.advance(30_000);
    await r.bot.tickOnce();
    assert.deepEqual(placedAt, [buy1.price], 'placed again once the price allows');
    assert.equal(r.bot.state.orders.find((o) => o.level === -1)?.status, 'open');
  });
});
