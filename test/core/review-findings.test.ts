// Findings of a review of the money paths (full disk, price confirmation):
// each test failed before its fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paperRig } from '../support/paper-rig.js';

const rig = (env: Record<string, string>) => paperRig(env, 20);

describe('review findings: full disk, confirmed jumps', () => {
  it('disk full: a confirmed stop-floor breach still cancels every order', async () => {
    const r = await rig({ STOP_FLOOR: '100', DAILY_LOSS_LIMIT: '50' });
    const before = (await r.paper.listOpenOrders()).length;
    assert.ok(before > 0);
    (r.bot.store as unknown as { save: () => void }).save = () => { throw new Error('ENOSPC: no space left on device'); };
    r.setPrice(0.04);
    await r.tick();
    await r.tick();
    await r.tick();
    assert.equal(r.bot.state.risk.stopped, true, 'stopped in memory');
    const open = (await r.paper.listOpenOrders()).length;
    assert.equal(open, 0, `stop should cancel every order even when the disk is full; ${open} of ${before} still open`);
  });

  it('disk full: shutdown still cancels every order', async () => {
    const r = await rig({});
    (r.bot.store as unknown as { save: () => void }).save = () => { throw new Error('ENOSPC'); };
    await r.bot.shutdown('test', 0);
    const open = (await r.paper.listOpenOrders()).length;
    assert.equal(open, 0, `${open} orders left open after shutdown with a full disk`);
  });

  it('a sustained real jump: once confirmed, every following tick is acted on', async () => {
    const r = await rig({ GRID_DRIFT_RESET_PCT: '90' });
    r.setPrice(0.16);
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) { const h = r.bot.state.priceHistory; const n = h.length; const last = h[n - 1]?.time; await r.tick(); seen.push(r.bot.state.priceHistory[r.bot.state.priceHistory.length - 1].time !== last ? 1 : 0); }
    assert.deepEqual(seen.slice(1), Array(11).fill(1), `acted-on (1) / ignored (0) per tick after the jump: ${seen.join(', ')}`);
  });
});
