// The real bot with its services wired (services.ts) against the Telegram and
// OpenAI doubles, trading on the paper exchange with a fake clock and a
// scripted price. Used by the notification and ai_recommendations.csv tests.
import assert from 'node:assert/strict';
import { Bot } from '../../src/bot.js';
import { createServices, type Services } from '../../src/frontends/services.js';
import { FakeClock, ScriptedMarket, testConfig } from './core.js';
import { OpenAiDouble } from './openai-double.js';
import { TelegramDouble } from './telegram-double.js';

export const RIG_CHAT = '5550001';
const STEP = 30_000;

export interface ServicesRig {
  bot: Bot;
  services: Services;
  clock: FakeClock;
  logDir: string;
  setPrice(p: number): void;
  /** Ticks `n` times, 30 s apart; every tick must succeed. */
  tick(n?: number): Promise<void>;
  /** The process dies (no shutdown handler) and starts again on the same LOG_DIR and environment. */
  restart(): Promise<ServicesRig>;
  stop(): Promise<void>;
}

export interface RigDoubles {
  tg: TelegramDouble;
  ai: OpenAiDouble;
  close(): Promise<void>;
}

export async function startDoubles(): Promise<RigDoubles> {
  const tg = await TelegramDouble.start();
  const ai = await OpenAiDouble.start();
  return {
    tg,
    ai,
    async close() {
      await tg.close();
      await ai.close();
    },
  };
}

export async function servicesRig(d: RigDoubles, env: Record<string, string> = {}): Promise<ServicesRig> {
  const clock = new FakeClock(Date.now());
  let price = 0.1;
  const config = testConfig({
    TELEGRAM_BOT_TOKEN: d.tg.token,
    TELEGRAM_CHAT_ID: RIG_CHAT,
    TELEGRAM_API_URL: d.tg.url,
    AI_API_URL: d.ai.url,
    AI_API_KEY: 'sk-test-ai-key-0123456789',
    ...env,
  });
  const make = async (): Promise<ServicesRig> => {
    const bot = Bot.create({ config, market: new ScriptedMarket(() => price, clock.now), now: clock.now, botId: '0123456789abcdef0123' });
    const services = await createServices(bot, { telegramPollTimeoutSec: 1, telegramRetryDelayMs: 50, aiTimeoutMs: 500 });
    bot.use(services.hooks);
    await services.startEarly();
    await bot.start();
    return {
      bot,
      services,
      clock,
      logDir: config.logDir,
      setPrice: (p) => {
        price = p;
      },
      async tick(n = 1) {
        for (let i = 0; i < n; i++) {
          clock.advance(STEP);
          assert.equal(await bot.tickOnce(), true);
        }
      },
      restart: async () => {
        await services.stop();
        return make();
      },
      stop: async () => {
        await bot.shutdown('test');
        await services.stop();
      },
    };
  };
  return make();
}
