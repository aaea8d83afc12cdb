// The balance and fills views over a stub bot: Kraken's totals and holds
// (BalanceEx), the fallback when they cannot be read, the paper account's
// holds counted from our open orders, the flag threshold, and /trades order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BALANCE_DIFF_FLAG_USD } from '../../src/core/limits.js';
import type { Balances, Exchange } from '../../src/exchange/exchange.js';
import type { BotHandle } from '../../src/ops/bot-handle.js';
import { balanceView, tradesView } from '../../src/ops/reports.js';

type Details = { base: { total: number; held: number }; quote: { total: number; held: number } };

function stubBot(ex: { kind: 'paper' | 'kraken'; balances: Balances; details?: () => Promise<Details> }, orders: unknown[] = []): BotHandle {
  const exchange = { kind: ex.kind, getBalances: async () => ex.balances, ...(ex.details ? { getBalanceDetails: ex.details } : {}) } as unknown as Exchange;
  const fills = [1, 2, 3].map((k) => ({ time: Date.parse('2026-03-02T10:00:00Z') + k * 60_000, side: k % 2 ? 'buy' : 'sell', price: 0.1 + k / 1000, volume: 50, fee: 0.01, level: -k, profit: k % 2 ? null : 0.04, orderId: `O${k}` }));
  return { exchange, state: { lastPrice: 0.1, ledger: { cash: 80, inventory: 1000, startingCapital: 200 }, orders, fills } } as unknown as BotHandle;
}

describe('balance view', () => {
  it('Kraken: totals and holds from BalanceEx; a matching account is not flagged', async () => {
    const bot = stubBot({ kind: 'kraken', balances: { base: 700, quote: 40 }, details: async () => ({ base: { total: 1000, held: 300 }, quote: { total: 80, held: 40 } }) });
    const b = await balanceView(bot);
    assert.equal(b.source, 'balance_ex');
    assert.deepEqual(b.base, { asset: 'DOGE', exchange: 1000, held: 300, ledger: 1000, diff: 0, diff_usd: 0, flagged: false });
    assert.deepEqual(b.quote, { asset: 'USD', exchange: 80, held: 40, ledger: 80, diff: 0, diff_usd: 0, flagged: false });
    assert.equal(b.flagged, false);
    assert.equal(b.exchange_value, 180);
    assert.equal(b.ledger_equity, 180);
  });

  it('flags a difference worth a cent or more, not less', async () => {
    const off = (dBase: number, dQuote: number) => stubBot({ kind: 'kraken', balances: { base: 0, quote: 0 }, details: async () => ({ base: { total: 1000 + dBase, held: 0 }, quote: { total: 80 + dQuote, held: 0 } }) });
    const small = await balanceView(off(0.09, -0.009)); // 0.09 DOGE × 0.1 = $0.009
    assert.equal(small.flagged, false);
    const big = await balanceView(off(-0.1, BALANCE_DIFF_FLAG_USD));
    assert.equal(big.base.flagged, true);
    assert.ok(Math.abs(big.base.diff_usd! + 0.01) < 1e-12);
    assert.equal(big.quote.flagged, true);
    assert.equal(big.flagged, true);
  });

  it('BalanceEx refused: the balances the bot trades with, and a note saying so', async () => {
    const bot = stubBot({
      kind: 'kraken',
      balances: { base: 1000, quote: 80 },
      details: async () => {
        throw new Error('EGeneral:Permission denied');
      },
    });
    const b = await balanceView(bot);
    assert.equal(b.source, 'balances');
    assert.equal(b.base.held, null);
    assert.match(b.note ?? '', /Permission denied/);
  });

  it('paper: totals from the account, holds counted from our open orders', async () => {
    const orders = [
      { status: 'open', side: 'sell', price: 0.11, volume: 100, bookedVolume: 40 },
      { status: 'open', side: 'buy', price: 0.09, volume: 100, bookedVolume: 0 },
      { status: 'pending', side: 'buy', price: 0.08, volume: 100, bookedVolume: 0 },
    ];
    const b = await balanceView(stubBot({ kind: 'paper', balances: { base: 1100, quote: 70 } }, orders));
    assert.equal(b.venue, 'paper');
    assert.equal(b.base.held, 60);
    assert.ok(Math.abs(b.quote.held! - 9) < 1e-12);
    assert.equal(b.base.diff, 100);
    assert.ok(Math.abs(b.base.diff_usd! - 10) < 1e-9);
    assert.equal(b.quote.diff, -10);
    assert.equal(b.flagged, true);
  });

  it('the exchange failing rejects (the command says so)', async () => {
    const bot = stubBot({ kind: 'paper', balances: { base: 0, quote: 0 } });
    (bot.exchange as { getBalances: () => Promise<Balances> }).getBalances = async () => {
      throw new Error('ETIMEDOUT');
    };
    await assert.rejects(balanceView(bot), /ETIMEDOUT/);
  });
});

describe('trades view', () => {
  it('the last n fills, newest first, as the status shows fills', () => {
    const bot = stubBot({ kind: 'paper', balances: { base: 0, quote: 0 } });
    const t = tradesView(bot, 2);
    assert.deepEqual(
      t.map((f) => [f.time, f.side, f.profit]),
      [
        ['2026-03-02T10:03:00.000Z', 'buy', null],
        ['2026-03-02T10:02:00.000Z', 'sell', 0.04],
      ],
    );
    assert.equal(tradesView(bot, 50).length, 3);
  });
});
