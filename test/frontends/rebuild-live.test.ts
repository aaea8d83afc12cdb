// Issue 12 "Must show", front ends during a rebuild: the real Bot (live mode,
// its own KrakenClient) trading against the Kraken simulator at the Starter
// tier, with the HTTP server, Telegram (against the Telegram double) and the
// AI advisor wired exactly as the daemon wires them (services.ts).
//
// A spacing change seconds after the first grid was placed is the expensive
// case at Starter: each of the 40 orders costs 4 points to amend (or 8 + 1
// to cancel and re-add), against a counter of 60 that decays 1 point/s, so
// the rebuild needs several steps spread over the ticks. These tests assert
// the ORDER of events, not wall-clock thresholds (unit tests carry none): the
// dashboard's 200, the /status reply and the approval's message edit all
// arrive while the rebuild is still in progress (the rebuild only moves on
// when the test runs a tick), and the rebuild then completes with zero
// rate-limit rejections in the simulator. The latencies are measured and
// printed in the failure messages only.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Bot } from '../../src/bot.js';
import { createServices, type Services } from '../../src/frontends/services.js';
import { postJson } from '../support/http-request.js';
import { liveRig, type LiveRig } from '../support/live-rig.js';
import { freePort } from '../support/net.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { TelegramDouble } from '../support/telegram-double.js';

const CHAT = '5550012';
const TOKEN = 'dash-token-issue12-abc';

interface Timeline {
  /** Events in the order they happened, each with the rebuild's progress at that moment. */
  events: { what: string; at: number; rebuilding: boolean }[];
  mark(what: string): void;
  index(what: string): number;
}

interface FrontRig {
  rig: LiveRig;
  bot: Bot;
  services: Services;
  tg: TelegramDouble;
  ai: OpenAiDouble;
  timeline: Timeline;
  close(): Promise<void>;
}

const open: FrontRig[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function frontRig(): Promise<FrontRig> {
  const tg = await TelegramDouble.start();
  const ai = await OpenAiDouble.start();
  const rig = await liveRig({
    start: false,
    sim: { tier: 'starter' },
    env: {
      KRAKEN_TIER: 'starter',
      STARTING_CAPITAL: '400',
      PORT: String(await freePort()),
      DASHBOARD_TOKEN: TOKEN,
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_CHAT_ID: CHAT,
      TELEGRAM_API_URL: tg.url,
      AI_API_URL: ai.url,
      AI_API_KEY: 'sk-test-ai-key-0123456789',
    },
  });
  const bot = rig.bot;
  const events: Timeline['events'] = [];
  const timeline: Timeline = {
    events,
    mark: (what) => void events.push({ what, at: Date.now(), rebuilding: !!bot.state.rebuild }),
    index: (what) => events.findIndex((e) => e.what === what),
  };
  const services = await createServices(bot, { httpHost: '127.0.0.1', telegramPollTimeoutSec: 1, telegramRetryDelayMs: 50, aiTimeoutMs: 2000 });
  const hooks = services.hooks;
  bot.use({
    ...hooks,
    onEvent: (e, b) => {
      if (e.type === 'grid_built' && e.reason !== 'startup') timeline.mark(`rebuild finished (${e.reason})`);
      hooks.onEvent?.(e, b);
    },
  });
  await services.startEarly();
  await bot.start();
  assert.equal(rig.ours().length, 40, 'the first grid: 40 orders on the book');
  const fr: FrontRig = {
    rig,
    bot,
    services,
    tg,
    ai,
    timeline,
    close: async () => {
      await services.stop();
      await rig.close();
      await tg.close();
      await ai.close();
    },
  };
  open.push(fr);
  return fr;
}

/** Runs ticks (30 s of the flowing clock each) until the rebuild is done; returns how many it took. */
async function tickUntilRebuilt(fr: FrontRig, max = 40): Promise<number> {
  let ticks = 0;
  while (fr.bot.state.rebuild && ticks < max) {
    assert.equal(await fr.rig.tick(30_000), true, 'the tick succeeds');
    ticks++;
  }
  assert.equal(fr.bot.state.rebuild ?? null, null, `the rebuild finished (after ${ticks} ticks)`);
  return ticks;
}

function assertNoRateLimitRejects(fr: FrontRig): void {
  const rej = fr.rig.sim.stats.rejections;
  assert.equal(rej['EOrder:Rate limit exceeded'] ?? 0, 0, `zero trading rate-limit rejections: ${JSON.stringify(rej)}`);
  assert.equal(rej['EAPI:Rate limit exceeded'] ?? 0, 0, `zero REST rate-limit rejections: ${JSON.stringify(rej)}`);
}

/** One order per level on the book: no two of ours at the same side and price, and the state agrees. */
function assertOneGrid(fr: FrontRig): void {
  const ours = fr.rig.ours();
  assert.equal(ours.length, 40, 'a whole grid on the book, nothing left over');
  const levels = ours.map((o) => `${o.side}@${o.price}`);
  assert.equal(new Set(levels).size, levels.length, 'no duplicate level');
  assert.deepEqual(new Set(ours.map((o) => o.txid)), new Set(fr.bot.state.orders.map((o) => o.id)), 'the state and the book agree');
}

describe('front ends during a rebuild at Starter, against the simulator (issue 12)', () => {
  it('a spacing change POSTed to the dashboard answers 200 and /status from Telegram answers while the rebuild runs; the rebuild then completes with zero rate-limit errors', async () => {
    const fr = await frontRig();
    const { bot, tg, services, timeline } = fr;
    const port = services.httpPort();
    assert.ok(port);

    const sentAt = Date.now();
    const res = await postJson(port, { spacing: 1.5 }, { Authorization: `Bearer ${TOKEN}` });
    timeline.mark('dashboard answered');
    const postMs = Date.now() - sentAt;
    assert.equal(res.status, 200, res.text);
    assert.match(res.text, /rebuilding the grid in the background/);
    assert.equal(bot.state.settings.spacingPct, 1.5, 'saved before the answer');
    assert.ok(timeline.events[0]!.rebuilding, `the dashboard's answer (${postMs} ms) came while the rebuild was in progress`);

    // Let the background step that the change queued run, then ask Telegram for the status.
    await bot.trader.whenIdle();
    const progress = bot.state.rebuild;
    assert.ok(progress, 'the rebuild needs more than one step at Starter with seconds-old orders');
    assert.ok(progress.moved > 0 && progress.moved < 40, `the first step moved some levels: ${progress.moved} of ${progress.total}`);
    const asked = Date.now();
    tg.pushText(CHAT, '/status');
    const reply = await tg.waitFor(() => tg.sent.find((m) => m.sentAt >= asked && /rebuild in progress: \d+ of 40 levels moved/.test(m.plain)), 10_000, '/status reply showing the rebuild');
    timeline.mark('/status answered');
    assert.ok(timeline.events[1]!.rebuilding, `the /status reply (${reply.sentAt - asked} ms) came while the rebuild was in progress`);

    const ticks = await tickUntilRebuilt(fr);
    assert.ok(ticks >= 1, 'the rebuild went on over ticks');
    assert.deepEqual(
      timeline.events.map((e) => e.what),
      ['dashboard answered', '/status answered', 'rebuild finished (spacing changed)'],
      'both answers came before the rebuild finished',
    );
    assertNoRateLimitRejects(fr);
    assertOneGrid(fr);
    const buy1 = bot.state.orders.find((o) => o.level === -1 && o.kind === 'grid');
    assert.ok(buy1 && Math.abs(buy1.price / bot.state.center - 0.985) < 1e-6, 'the grid uses the new spacing');
    await tg.waitFor(() => tg.sent.find((m) => m.sentAt >= reply.sentAt && m !== reply && /\(spacing changed\)[\s\S]*Rebuild finished in/.test(m.plain)), 10_000, 'Telegram says the rebuild finished, after the /status reply');
  });

  it('an approved AI suggestion edits its Telegram message before the rebuild it triggers finishes', async () => {
    const fr = await frontRig();
    const { bot, tg, ai, services, timeline } = fr;
    ai.enqueue({ content: 'CONDITION: volatile\nACTION: widen_spacing\nREASON: swings are wider than the grid' });
    await services.controls.apply({ kind: 'check' }, 'telegram');
    // One second on: the orders stay seconds old, so moving them costs 4 points each at Starter.
    await fr.rig.tick(1_000);
    await services.aiInFlight;
    const msg = await tg.waitFor(() => tg.sent.find((m) => m.reply_markup?.inline_keyboard), 10_000, 'recommendation with buttons');
    assert.equal(bot.state.rebuild ?? null, null, 'no rebuild before the approval');

    const pressed = Date.now();
    tg.pushCallback(CHAT, msg.message_id, 'approve:widen_spacing');
    const edit = await tg.waitFor(() => tg.edits.find((e) => e.message_id === msg.message_id), 10_000, 'the message edited');
    timeline.mark('approval message edited');
    assert.equal(bot.state.settings.spacingPct, 1.25, 'the approval changed the spacing');
    assert.ok(timeline.events[0]!.rebuilding, `the edit (${edit.at - pressed} ms after the press) came while the rebuild was in progress`);
    assert.doesNotMatch(edit.plain, /failed|error/i, edit.plain);

    await tickUntilRebuilt(fr);
    assert.deepEqual(
      timeline.events.map((e) => e.what),
      ['approval message edited', 'rebuild finished (spacing changed)'],
      'the edit came before the rebuild finished',
    );
    assertNoRateLimitRejects(fr);
    assertOneGrid(fr);
  });
});
