// /suggest and POST /api/suggest: the walk-forward runs off the trading loop
// (a slow worker never holds a tick), a better configuration arrives with
// Approve / Skip and applies through the approval path, the AI advisor's
// prompt carries the evidence; the real suggestion process (and what happens
// when it crashes or hangs: the caller carries on) and the bot's candle history.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Bot } from '../../src/bot.js';
import { runSuggestInChild, Suggester, type SuggesterDeps } from '../../src/frontends/ai/suggest.js';
import { startHttpServer } from '../../src/frontends/http/server.js';
import { createServices } from '../../src/frontends/services.js';
import { sinceLastGap, suggestResultProblem, type SuggestRequest, type SuggestResult } from '../../src/ops/suggestion.js';
import { CandleHistory } from '../../src/stats/candle-history.js';
import { toCandles } from '../../src/tools/backtest/candles.js';
import { suggestFromCandles } from '../../src/tools/backtest/optimize/suggest.js';
import { syntheticCandles } from '../../src/tools/backtest/synthetic.js';
import { FakeClock, ScriptedMarket, testConfig } from '../support/core.js';
import { createFakeBot } from '../support/fake-status.js';
import { request } from '../support/http-request.js';
import { OpenAiDouble } from '../support/openai-double.js';
import { TelegramDouble } from '../support/telegram-double.js';

const CHAT = '5550001';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

const BETTER: SuggestResult = {
  verdict: 'better',
  evidence: [
    'Walk-forward on the last 72 h of 5-minute candles: 2 windows (train 48 h, test 12 h), 12 configurations each.',
    'Out of sample, the configurations chosen on each train window made +$1.20 against -$0.40 for the current settings (spacing 1.00% · ratio auto); better in 2 of 2 windows.',
    'In sample (train windows) they made +$3.10.',
    'Proposed (best on the last 48 h): spacing 1.50% · ratio 0.60.',
  ],
  proposal: { spacingPct: 1.5, ratio: 0.6 },
  outOfSample: { chosen: 1.2, current: -0.4, wins: 2, windows: 2 },
};

describe('/suggest in the running bot', () => {
  it('a slow walk-forward never holds a tick; its proposal applies through Approve; the AI prompt gets the evidence', async () => {
    const tg = await TelegramDouble.start();
    const ai = await OpenAiDouble.start();
    closers.push(() => tg.close(), () => ai.close());
    const clock = new FakeClock(Date.now());
    const config = testConfig({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_CHAT_ID: CHAT, TELEGRAM_API_URL: tg.url, AI_API_URL: ai.url, AI_API_KEY: 'sk-test-ai-key-0123456789' });
    const bot = Bot.create({ config, market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now, botId: '0123456789abcdef0123' });
    // The injected worker: it answers only when the test lets it.
    const asked: SuggestRequest[] = [];
    let finish: (r: SuggestResult) => void = () => undefined;
    const runner = (req: SuggestRequest) => {
      asked.push(req);
      return new Promise<SuggestResult>((resolve) => (finish = resolve));
    };
    const services = await createServices(bot, { telegramPollTimeoutSec: 1, telegramRetryDelayMs: 50, aiTimeoutMs: 500, suggestRunner: runner });
    bot.use(services.hooks);
    await services.startEarly();
    await bot.start();
    closers.push(async () => {
      await bot.shutdown('test');
      await services.stop();
    });
    const t0 = Date.now();
    tg.pushText(CHAT, '/suggest');
    await tg.waitFor(() => tg.sent.find((m) => m.sentAt >= t0 && /walk-forward backtest/.test(m.plain)), 5000, '/suggest answered at once');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.current.spacingPct, 1.0);
    assert.equal(asked[0]!.env.STARTING_CAPITAL, String(config.startingCapital));
    assert.ok(services.suggester.inFlight, 'the walk-forward is still running');
    for (let i = 0; i < 20; i++) {
      clock.advance(30_000);
      assert.equal(await bot.tickOnce(), true, `tick ${i} ran while the walk-forward was pending`);
    }
    assert.ok(services.suggester.inFlight, 'still running after 20 ticks');
    assert.equal(services.suggester.start().started, false, 'one at a time');
    finish(BETTER);
    await services.suggester.inFlight;
    const msg = await tg.waitFor(() => tg.sent.find((m) => JSON.stringify(m.reply_markup ?? {}).includes('approve:apply_suggestion')), 5000, 'proposal with buttons');
    assert.match(msg.plain, /\+\$1\.20 against -\$0\.40/);
    assert.match(msg.plain, /spacing 1\.00% → 1\.50%, ratio 0\.6/);
    tg.pushCallback(CHAT, msg.message_id, 'approve:apply_suggestion');
    await tg.waitFor(() => tg.edits.find((e) => e.message_id === msg.message_id), 5000, 'approval handled');
    assert.equal(bot.state.settings.spacingPct, 1.5);
    assert.equal(bot.state.settings.ratioOverride, 0.6);
    assert.equal(bot.state.ai.pendingApproval, null);
    // The advisor's prompt: the same evidence.
    const lines = services.suggester.evidenceLines();
    assert.match(lines.join('\n'), /Backtest evidence[\s\S]*\+\$1\.20 against -\$0\.40/);
    tg.pushText(CHAT, '/check');
    await tg.waitFor(() => tg.sent.find((m) => /check/i.test(m.plain) && m.sentAt >= t0), 5000, '/check reply');
    for (let i = 0; i < 5 && ai.requests.length === 0; i++) {
      clock.advance(30_000);
      await bot.tickOnce();
      await services.aiInFlight;
    }
    assert.ok(ai.requests.length > 0, 'the advisor was asked');
    assert.match(JSON.stringify(ai.requests.at(-1)!.body), /Backtest evidence[^"]*\\n- Walk-forward/);
  });

  it('POST /api/suggest: the same token, Host and origin checks as POST /api/config; answers at once', async () => {
    const fake = createFakeBot({ token: 'secret-token-123' });
    let calls = 0;
    const srv = await startHttpServer(0, { ...fake.deps, suggest: () => ({ started: ++calls === 1, message: calls === 1 ? 'Running' : 'already running' }) }, '127.0.0.1');
    closers.push(() => srv.close());
    const post = (headers: Record<string, string>) => request(srv.port, '/api/suggest', { method: 'POST', headers: { 'Content-Type': 'application/json', Host: `127.0.0.1:${srv.port}`, ...headers }, body: '{}' });
    assert.equal((await post({})).status, 401);
    assert.equal((await post({ Authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await post({ Authorization: 'Bearer secret-token-123', Origin: 'http://evil.example' })).status, 403);
    assert.equal(calls, 0);
    const ok = await post({ Authorization: 'Bearer secret-token-123' });
    assert.equal(ok.status, 202, ok.text);
    assert.deepEqual(JSON.parse(ok.text), { ok: true, message: 'Running' });
    assert.equal((await post({ Authorization: 'Bearer secret-token-123' })).status, 409);
    assert.equal((await request(srv.port, '/api/suggest', { method: 'GET' })).status, 405);
  });
});

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/suggest/${name}.js`, import.meta.url));

describe('the suggestion process', () => {
  const series = syntheticCandles({ kind: 'ou', days: 3, seed: 2, dailyVolPct: 6, halfLifeDays: 1, intervalMs: 300_000, startMs: Date.parse('2026-03-01T00:00:00Z') });
  const req: SuggestRequest = {
    candles: toCandles(series),
    env: { STARTING_CAPITAL: '120', MAKER_FEE_PCT: '0.25' },
    current: { spacingPct: 1.0, driftResetPct: 5, ratioOverride: null },
    minSpacingPct: 0.6,
    trainMs: 36 * 3_600_000,
    testMs: 12 * 3_600_000,
  };

  it('runs the walk-forward in a child process and gives what the same call gives in-process', async () => {
    const inWorker = await runSuggestInChild(req);
    assert.deepEqual(inWorker, await suggestFromCandles(req));
    assert.ok(inWorker.verdict === 'better' || inWorker.verdict === 'keep');
    assert.equal(inWorker.outOfSample?.windows, 3);
    assert.match(inWorker.evidence.join('\n'), /Out of sample/);
    if (inWorker.verdict === 'better') assert.ok(inWorker.proposal && inWorker.proposal.spacingPct >= 0.6);
  });

  it('a suggestion process that crashes (a native abort) is a failed suggestion, with its last words; this process carries on', async () => {
    await assert.rejects(runSuggestInChild(req, { entry: fixture('crash') }), (err: Error) => {
      assert.match(err.message, /ended without a result \(SIGABRT\): node\[1\]: .*Assertion failed/);
      return true;
    });
  });

  it('an answer that is not a result (null, missing evidence, a NaN spacing) is a failed suggestion, never an exception here', async () => {
    for (const kind of ['null', 'shape', 'nan']) {
      await assert.rejects(runSuggestInChild(req, { entry: fixture('malformed'), args: [kind] }), /unexpected answer from the suggestion process/, kind);
    }
  });

  it('a suggestion process still running after a bad answer is killed, not left waiting', async () => {
    let pid: number | undefined;
    await assert.rejects(runSuggestInChild(req, { entry: fixture('malformed'), args: ['linger'], onSpawn: (p) => (pid = p) }), /unexpected answer/);
    assert.ok(pid);
    const alive = () => {
      try {
        process.kill(pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    // Waits for the SIGKILL to land (a fixed number of event-loop turns, no timer).
    for (let i = 0; i < 20_000 && alive(); i++) await new Promise((r) => setImmediate(r));
    assert.equal(alive(), false, 'the child is gone');
  });

  it('a proposal outside what the controls accept (ratio 0.9, spacing 50 %) is not an answer', () => {
    const ok = { verdict: 'better', evidence: [], outOfSample: null };
    assert.equal(suggestResultProblem({ ...ok, proposal: { spacingPct: 1.5, ratio: 0.6 } }), null);
    assert.match(suggestResultProblem({ ...ok, proposal: { spacingPct: 1.5, ratio: 0.9 } }) ?? '', /ratio/);
    assert.match(suggestResultProblem({ ...ok, proposal: { spacingPct: 50, ratio: 'auto' } }) ?? '', /spacing/);
  });

  it('a suggestion process that never answers is stopped at the time limit', async () => {
    await assert.rejects(runSuggestInChild(req, { entry: fixture('hang'), timeoutMs: 0 }), /took longer than 0 s and was stopped/);
  });

  it('the suggestion process gets no environment variables (no API keys or tokens)', async () => {
    process.env.KRAKEN_API_SECRET = 'do-not-pass-me';
    try {
      const r = await runSuggestInChild(req, { entry: fixture('env') });
      assert.ok(!r.evidence.includes('KRAKEN_API_SECRET'), r.evidence.join(' '));
    } finally {
      delete process.env.KRAKEN_API_SECRET;
    }
  });

  it('the Suggester turns a malformed result, a runner that throws and a failing proposal into a logged failure: nothing rejects unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const notes: string[] = [];
      const make = (runner: SuggesterDeps['runner'], propose: SuggesterDeps['propose'] = async () => undefined) =>
        new Suggester({ candles: () => req.candles, request: () => ({ env: req.env, current: req.current, minSpacingPct: 0.6 }), runner, propose, notify: (t) => notes.push(t), now: () => 0 });
      const malformed = make(async () => ({ verdict: 'keep' }) as unknown as SuggestResult);
      malformed.start();
      await malformed.inFlight;
      assert.match(notes.at(-1) ?? '', /Suggestion failed: unexpected answer from the suggestion run \(evidence is not a list of lines\)/);
      assert.equal(malformed.inFlight, null);
      const throwing = make(() => {
        throw new Error('no fork today');
      });
      assert.equal(throwing.start().started, true);
      await throwing.inFlight;
      assert.match(notes.at(-1) ?? '', /Suggestion failed: no fork today/);
      const refused = make(async () => BETTER, async () => {
        throw new Error('telegram down');
      });
      refused.start();
      await refused.inFlight;
      assert.equal(refused.inFlight, null, 'a later /suggest can start');
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a gap in the candles (the bot was down) is not replayed across: only the candles after it count', async () => {
    const gap = req.candles.map((c, i) => (i < 400 ? { ...c, time: c.time - 10 * 86_400_000 } : c));
    assert.equal(sinceLastGap(gap).length, req.candles.length - 400);
    assert.deepEqual(sinceLastGap(req.candles), req.candles);
    const r = await suggestFromCandles({ ...req, candles: gap });
    assert.equal(r.verdict, 'no_data');
    assert.match(r.evidence[0]!, /400 older candles before a gap in the history left out/);
    const s = new Suggester({ candles: () => gap, request: () => ({ env: req.env, current: req.current, minSpacingPct: 0.6 }), runner: async () => BETTER, propose: async () => undefined, notify: () => undefined, now: () => 0 });
    assert.match(s.start().message, /last 1\.6 days of candles \(464\)/, 'the start message counts what is used');
    await s.inFlight;
  });

  it('too few candles: no_data, nothing proposed', async () => {
    const r = await suggestFromCandles({ ...req, candles: req.candles.slice(0, 100) });
    assert.equal(r.verdict, 'no_data');
    assert.equal(r.proposal, null);
  });

  it('the candle history merges refreshes (a re-sent candle replaces the old copy) and keeps a bounded span', () => {
    const h = new CandleHistory(3 * 300_000);
    const c = (i: number, close: number) => ({ time: i * 300_000, open: 1, high: 2, low: 0.5, close, volume: 1 });
    h.add([c(0, 1), c(1, 1), c(2, 1)]);
    h.add([c(2, 1.5), c(3, 1), c(4, 1)]);
    assert.deepEqual(h.candles().map((x) => [x.time / 300_000, x.close]), [[1, 1], [2, 1.5], [3, 1], [4, 1]]);
  });
});
