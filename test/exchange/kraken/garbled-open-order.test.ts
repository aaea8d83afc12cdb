// One of our open orders on Kraken with garbled numbers (vol_exec "NaN") used
// to fail listOpenOrders as a whole: the start-up reconcile threw, was retried,
// threw again, and the bot never traded while that report stayed garbled. Now
// the order is listed as unreadable (which order it is, no numbers), so the
// reconcile can adopt it, keep it, or cancel it as an orphan by its id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Bot } from '../../../src/bot.js';
import type { GridOrder } from '../../../src/core/grid-strategy.js';
import { cannedClient, cannedKraken, krakenOrder, quietLogs } from '../../support/kraken.js';
import { testConfig } from '../../support/core.js';

quietLogs();

const open = (over: Record<string, unknown>, descr: Record<string, unknown> = {}) => krakenOrder({ status: 'open', userref: 4242, vol_exec: '0', cost: '0', fee: '0', price: '0', ...over }, descr);

test('listOpenOrders: a garbled order is listed as unreadable (numbers NaN), the others as usual', async () => {
  const k = await cannedKraken({ OpenOrders: { error: [], result: { open: { OK: open({}), BAD: open({ vol_exec: 'NaN' }, { type: 'sell' }) } } } });
  try {
    const { ex } = cannedClient(k);
    const reports = await ex.listOpenOrders();
    const by = new Map(reports.map((r) => [r.id, r]));
    assert.equal(by.get('OK')!.unreadable, undefined);
    assert.equal(by.get('OK')!.volume, 20);
    const bad = by.get('BAD')!;
    assert.match(bad.unreadable ?? '', /vol_exec|executed|volume/i);
    assert.equal(bad.side, 'sell');
    assert.equal(bad.userref, 4242);
    for (const x of [bad.price, bad.volume, bad.volumeExecuted, bad.avgPrice, bad.fee]) assert.ok(Number.isNaN(x), 'never a bogus number');
  } finally {
    await k.close();
  }
});

test('start-up with a garbled orphan of ours on Kraken: the reconcile finishes, keeps our known order and cancels the orphan by id', async () => {
  const cancelled: string[] = [];
  const k = await cannedKraken({
    OpenOrders: { error: [], result: { open: { OKNOWN: open({}), OGARBLED: open({ vol_exec: 'NaN' }) } } },
    CancelOrder: (p: URLSearchParams) => {
      cancelled.push(p.get('txid') ?? '');
      return { error: [], result: { count: 1 } };
    },
  });
  try {
    const { ex, clock } = cannedClient(k);
    const bot = Bot.create({ config: { ...testConfig(), krakenUserref: 4242 }, exchange: ex, now: clock.now });
    const known: GridOrder = {
      clientOrderId: 'b4c7e57b-4c7e-457b-84c7-000000000001',
      id: 'OKNOWN',
      status: 'open',
      kind: 'grid',
      level: -1,
      side: 'buy',
      price: 0.1,
      volume: 20,
      bookedVolume: 0,
      bookedFee: 0,
      bookedCost: 0,
      placedAt: clock.now(),
      answers: null,
      attempts: 1,
    };
    bot.state.orders.push(known);
    await bot.trader.exclusive(() => bot.trader.start());
    assert.deepEqual(cancelled, ['OGARBLED']);
    assert.deepEqual(
      bot.state.orders.map((o) => o.id),
      ['OKNOWN'],
    );
  } finally {
    await k.close();
  }
});
