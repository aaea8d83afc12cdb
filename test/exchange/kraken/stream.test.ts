// The Kraken WebSocket stream against the simulator (Starter tier): live on
// both endpoints, reconnect with backoff and jitter and never two connections
// at once, stall → not live within the stale limit, malformed and oversized
// frames close with a logged reason and no crash, token refresh before expiry
// and after a refusal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureLogs, krakenRig, quietLogs } from '../../support/kraken.js';
import { simStream, waitFor } from '../../support/stream.js';
import { WsChannel } from '../../../src/exchange/kraken/ws-channel.js';

quietLogs();

test('backoff: exponential, capped, with equal jitter from the injected random', () => {
  const mk = (r: number) => new WsChannel({ name: 'public', url: 'ws://x', now: () => 0, random: () => r, staleAfterMs: 1, subscribe: async () => undefined, onMessage: () => undefined, backoffBaseMs: 1000, backoffMaxMs: 60_000 });
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => mk(0).backoffMs(a)), [500, 1000, 2000, 4000, 30_000]);
  assert.deepEqual([0, 1, 2, 3, 10].map((a) => mk(1).backoffMs(a)), [1000, 2000, 4000, 8000, 60_000]);
});

test('both endpoints go live; a drop reconnects after the backoff, one connection at a time; stall → not live after the stale limit', async () => {
  const rig = await krakenRig({ wsHeartbeatMs: 0 });
  const { stream, timers } = simStream(rig);
  try {
    stream.start();
    await waitFor(() => stream.authLive() && stream.public.isLive(), 'live');
    assert.equal(stream.health().state, 'live');
    assert.equal(stream.freshTicker()?.last, 0.1);
    rig.sim.ws.fault({ type: 'drop' });
    await waitFor(() => !stream.authLive() && stream.public.state === 'waiting', 'dropped');
    assert.equal(stream.health().state, 'reconnecting');
    assert.ok(timers.asked.includes(1000 / 2 + 0.5 * 1000 / 2), 'first retry after base/2 + jitter');
    // Firing the retry twice while connecting must not open a second connection.
    timers.fireRetries();
    timers.fireRetries();
    await waitFor(() => stream.authLive() && stream.public.isLive(), 'live again');
    assert.equal(stream.auth!.maxOpenAtOnce, 1);
    assert.equal(stream.public.maxOpenAtOnce, 1);
    assert.equal(rig.sim.ws.connections('auth'), 1);
    // Stall: nothing arrives; after the stale limit (10 s) the stream is not live and reconnects.
    rig.sim.ws.fault({ type: 'stall' });
    rig.clock.advance(10_001);
    stream.check();
    assert.equal(stream.health().state, 'reconnecting');
    assert.equal(stream.authLive(), false);
    rig.sim.ws.clear();
    timers.fireRetries();
    await waitFor(() => stream.authLive(), 'live after the stall');
    assert.ok(stream.auth!.opened >= 3);
  } finally {
    stream.stop();
    await rig.close();
  }
});

test('malformed and oversized frames: the connection is closed with a logged reason, nothing throws, the stream comes back', async () => {
  const rig = await krakenRig({ wsHeartbeatMs: 0 });
  const { stream, timers } = simStream(rig);
  try {
    const { lines, error } = await captureLogs(async () => {
      stream.start();
      await waitFor(() => stream.authLive() && stream.public.isLive(), 'live');
      rig.sim.ws.fault({ type: 'malformed', endpoint: 'auth' });
      await waitFor(() => !stream.authLive(), 'auth closed');
      rig.sim.ws.fault({ type: 'oversized', endpoint: 'public' });
      await waitFor(() => !stream.public.isLive(), 'public closed');
      timers.fireRetries();
      await waitFor(() => stream.authLive() && stream.public.isLive(), 'live again');
    });
    assert.equal(error, undefined);
    assert.ok(lines.some((l) => /auth\): connection ended: protocol: unknown opcode/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /public\): connection ended: too_big: message over/.test(l)), lines.join('\n'));
  } finally {
    stream.stop();
    await rig.close();
  }
});

test('token: reused while valid, fetched again before it expires, and after Kraken refuses it', async () => {
  const rig = await krakenRig({ wsHeartbeatMs: 0 });
  const { stream, timers } = simStream(rig);
  try {
    stream.start();
    await waitFor(() => stream.authLive(), 'live');
    assert.equal(stream.tokensFetched, 1);
    rig.sim.ws.fault({ type: 'drop', endpoint: 'auth' });
    await waitFor(() => stream.auth!.state === 'waiting', 'dropped');
    timers.fireRetries();
    await waitFor(() => stream.authLive(), 'live with the same token');
    assert.equal(stream.tokensFetched, 1, 'a token that is still valid is reused');
    // 14.5 minutes later the token has less than a minute left: a reconnect fetches a new one.
    rig.clock.advance(870_000);
    rig.sim.ws.fault({ type: 'drop', endpoint: 'auth' });
    await waitFor(() => stream.auth!.state === 'waiting', 'dropped');
    timers.fireRetries();
    await waitFor(() => stream.authLive(), 'live with a new token');
    assert.equal(stream.tokensFetched, 2);
    // Kraken forgets the tokens (expiry): the subscription is refused, a new token is fetched, live again.
    rig.sim.ws.fault({ type: 'expire_tokens' });
    rig.sim.ws.fault({ type: 'drop', endpoint: 'auth' });
    await waitFor(() => stream.auth!.state === 'waiting', 'dropped');
    timers.fireRetries();
    await waitFor(() => stream.tokensFetched === 2 && stream.auth!.state === 'waiting' && stream.auth!.opened >= 4, 'refused');
    timers.fireRetries();
    await waitFor(() => stream.authLive(), 'live after the refusal');
    assert.equal(stream.tokensFetched, 3);
  } finally {
    stream.stop();
    await rig.close();
  }
});
