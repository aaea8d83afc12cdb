// The real bot with its services wired (services.ts): Telegram commands and
// approvals against a Telegram Bot API double, the AI advisor against an
// OpenAI-compatible double, trading on the paper exchange with a fake clock.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Bot } from '../../src/bot.js';
import { identityError } from '../../src/core/ledger.js';
import { createServices, type Services } from '../../src/frontends/services.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { TelegramDouble } from '../support/telegram-double.js';

const CHAT = '5550001';
const STEP = 30_000;

interface Rig {
  bot: Bot;
  services: Services;
  clock: FakeClock;
  setPrice(p: number): void;
  restart(): Promise<Rig>;
  stop(): Promise<void>;
}

const doubles: { tg: TelegramDouble; ai: OpenAiDouble }[] = [];
after(async () => {
  for (const d of doubles) {
    await d.tg.close();
    await d.ai.close();
  }
});

async function rig(tg: TelegramDouble, ai: OpenAiDouble, env: Record<string, string> = {}): Promise<Rig> {
  const clock = new FakeClock(Date.now());
  let price = 0.1;
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: tg.token,
    TELEGRAM_CHAT_ID: CHAT,
    TELEGRAM_API_URL: tg.url,
    AI_API_URL: ai.url,
    AI_API_KEY: 'sk-test-ai-key-0123456789',
    ...env,
  });
  const make = async (): Promise<Rig> => {
    const bot = Bot.create({ config, market: new ScriptedMarket(() => price, clock.now), now: clock.now, botId: '0123456789abcdef0123' });
    const services = await createServices(bot, { telegramPollTimeoutSec: 1, telegramRetryDelayMs: 50, aiTimeoutMs: 500 });
    bot.use(services.hooks);
    await services.startEarly();
    await bot.start();
    const r: Rig = {
      bot,
      services,
      clock,
      setPrice: (p) => {
        price = p;
      },
      restart: async () => {
        await services.stop(); // the process dies: no shutdown handler, only what is on disk survives
        return make();
      },
      stop: async () => {
        await bot.shutdown('test');
        await services.stop();
      },
    };
    return r;
  };
  return make();
}

async function doubles2(): Promise<{ tg: TelegramDouble; ai: OpenAiDouble }> {
  const d = { tg: await TelegramDouble.start(), ai: await OpenAiDouble.start() };
  doubles.push(d);
  return d;
}

async function tick(r: Rig, n = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    r.clock.advance(STEP);
    assert.equal(await r.bot.tickOnce(), true);
  }
}

function lastReplyTo(tg: TelegramDouble, after: number) {
  return tg.sent.filter((m) => m.chat_id === CHAT && m.sentAt >= after);
}

describe('bot with Telegram and the AI advisor', () => {
  it('obeys /spacing from the authorized chat (grid rebuilt) and ignores other chats', async () => {
    const { tg, ai } = await doubles2();
    const r = await rig(tg, ai);
    try {
      const t0 = Date.now();
      tg.pushText(CHAT, '/spacing 1.5');
      await tg.waitFor(() => lastReplyTo(tg, t0).find((m) => /spacing set to 1\.5%/.test(m.plain)), 5000, 'spacing reply');
      const s = r.bot.state;
      assert.equal(s.settings.spacingPct, 1.5);
      const firstBuy = s.orders.find((o) => o.level === -1 && o.kind === 'grid');
      assert.ok(firstBuy);
      assert.ok(Math.abs(firstBuy.price - s.center * 0.985) < 1e-6, 'the ladder uses the new spacing');

      const before = JSON.stringify(s.settings);
      tg.pushText('999', '/spacing 3');
      tg.pushText(CHAT, '/status@GridTestBot');
      await tg.waitFor(() => lastReplyTo(tg, t0).find((m) => /DRY RUN|dry run/i.test(m.plain) && /Price|price/.test(m.plain) && m !== undefined && !/spacing set/.test(m.plain)), 5000, 'status reply');
      assert.equal(JSON.stringify(r.bot.state.settings), before, 'an unauthorized chat changed nothing');
      assert.equal(tg.sent.filter((m) => m.chat_id === '999').length, 0);
    } finally {
      await r.stop();
    }
  });

  it('approve → spacing +0.25 and the grid rebuilt; the recommendation text arrives escaped', async () => {
    const { tg, ai } = await doubles2();
    const r = await rig(tg, ai);
    try {
      ai.enqueue({ content: 'CONDITION: volatile\nACTION: widen_spacing\nREASON: swings <2%> & "fast" moves' });
      await r.services.controls.apply({ kind: 'check' }, 'telegram');
      r.setPrice(0.1003);
      await tick(r);
      await r.services.aiInFlight;
      const msg = await tg.waitFor(() => tg.sent.find((m) => m.reply_markup?.inline_keyboard), 5000, 'recommendation with buttons');
      assert.match(msg.plain, /swings <2%> & "fast" moves/);
      const centerBefore = r.bot.state.center;
      tg.pushCallback(CHAT, msg.message_id, 'approve:widen_spacing');
      await tg.waitFor(() => tg.edits.find((e) => e.message_id === msg.message_id), 5000, 'message edited');
      const s = r.bot.state;
      assert.equal(s.settings.spacingPct, 1.25);
      assert.notEqual(s.center, centerBefore, 'rebuilt around the current price');
      assert.equal(s.center, 0.1003);
      assert.equal(s.ai.pendingApproval, null);
    } finally {
      await r.stop();
    }
  });

  it('a failing model never stops trading', async () => {
    const { tg, ai } = await doubles2();
    const r = await rig(tg, ai);
    try {
      ai.enqueue({ status: 500, body: 'boom' }, { hang: true }, { raw: 'not json' }, { content: 'whatever you like' });
      for (let i = 0; i < 4; i++) {
        await r.services.controls.apply({ kind: 'check' }, 'web');
        await tick(r);
        await r.services.aiInFlight;
      }
      await tick(r, 3);
      assert.equal(r.bot.consecutiveErrors, 0);
      assert.equal(tg.sent.filter((m) => m.reply_markup?.inline_keyboard).length, 0, 'nothing to approve');
    } finally {
      await r.stop();
    }
  });

  it('Telegram down for a long stretch: ticks go on, notifications arrive in order afterwards', async () => {
    const { tg, ai } = await doubles2();
    const r = await rig(tg, ai);
    try {
      await tg.waitFor(() => tg.sent.find((m) => /started/i.test(m.plain)), 5000, 'startup message');
      tg.setDown(true);
      const sentBefore = tg.sent.length;
      // Oscillate across the first levels: fills and round trips while Telegram is unreachable.
      const prices = [0.0985, 0.1005, 0.0985, 0.1005, 0.0985, 0.1012, 0.0975, 0.1015];
      for (let i = 0; i < 240; i++) {
        r.setPrice(prices[Math.floor(i / 30) % prices.length]);
        await tick(r);
        assert.ok(identityError(r.bot.state.ledger, r.bot.state.lastPrice) <= 1e-9);
      }
      assert.equal(tg.sent.length, sentBefore, 'nothing could be delivered');
      const trips = r.bot.state.profit.roundTrips;
      assert.ok(trips >= 2, `${trips} round trips`);
      tg.setDown(false);
      await tg.waitFor(() => tg.sent.filter((m) => /round trip/i.test(m.plain)).length >= trips, 10_000, 'queued round-trip notices');
      const times = tg.sent.map((m) => m.sentAt);
      assert.deepEqual(times, [...times].sort((a, b) => a - b));
    } finally {
      await r.stop();
    }
  });

  it('a restart keeps the pending approval, and no update is handled twice', async () => {
    const { tg, ai } = await doubles2();
    let r = await rig(tg, ai);
    try {
      ai.enqueue({ content: 'CONDITION: trending_up\nACTION: tighten_spacing\nREASON: calm market' });
      const t0 = Date.now();
      tg.pushText(CHAT, '/check');
      await tg.waitFor(() => lastReplyTo(tg, t0).find((m) => /check/i.test(m.plain)), 5000, '/check reply');
      await tick(r);
      await r.services.aiInFlight;
      const msg = await tg.waitFor(() => tg.sent.find((m) => m.reply_markup?.inline_keyboard), 5000, 'recommendation');
      await tick(r); // the pending approval is saved with the state
      r = await r.restart();
      assert.equal((r.bot.state.ai.pendingApproval as { action?: string } | null)?.action, 'tighten_spacing');
      const checksBefore = tg.sent.filter((m) => /check/i.test(m.plain) && m.sentAt >= t0).length;
      tg.replayAllOnce = true; // Telegram re-sends every old update once
      tg.pushCallback(CHAT, msg.message_id, 'approve:tighten_spacing');
      await tg.waitFor(() => tg.edits.find((e) => e.message_id === msg.message_id), 5000, 'approval handled after restart');
      assert.equal(r.bot.state.settings.spacingPct, 0.75);
      const checksAfter = tg.sent.filter((m) => /check/i.test(m.plain) && m.sentAt >= t0).length;
      assert.equal(checksAfter, checksBefore, '/check was not handled again');
    } finally {
      await r.stop();
    }
  });
});
