// The AI advisor: the three-line parser, the prompt, the request it sends,
// and every way the model can misbehave (garbage, empty content with
// reasoning_content, HTTP 500, non-JSON, a hang) against a local
// OpenAI-compatible double. Then a hostile REASON end to end through the
// Telegram double.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildPrompt, createAiAdvisor, parseAdvice, SYSTEM_PROMPT, type AdvisorContext } from '../../../src/frontends/ai/advisor.js';
import { OpenAiDouble } from '../../support/openai-double.js';
import { TelegramDouble } from '../../support/telegram-double.js';
import { CHAT_ID, captureLogs, readCsv, startHarness, tmpDir } from '../../support/telegram-fixtures.js';

const logs = captureLogs();
const API_KEY = 'sk-test-secret-key-123456';
let ai: OpenAiDouble;

before(async () => {
  ai = await OpenAiDouble.start();
});

after(async () => {
  await ai.close();
  for (const line of logs) assert.ok(!line.includes(API_KEY), `API key leaked: ${line}`);
});

const context: AdvisorContext = {
  pair: 'XDGUSD',
  price: 0.123456,
  change1h: 0.52,
  change4h: -1.1,
  change24h: null,
  spreadPct: 0.081,
  fillsLastHour: 3,
  center: 0.12,
  spacingPct: 1,
  analyzerSummaries: ['Profitability: significant, mean +$0.012 (p=0.01)', 'Fill asymmetry: balanced 12/11', ''],
};

function advisor(opts: { timeoutMs?: number; apiKey?: string } = {}) {
  const logDir = tmpDir('ai-test-');
  return {
    logDir,
    adv: createAiAdvisor({ url: ai.url, apiKey: opts.apiKey ?? API_KEY, model: 'test/model-8b', timeoutMs: opts.timeoutMs ?? 2000, logDir, now: () => Date.UTC(2025, 0, 2, 3, 4, 5) }),
  };
}

describe('parseAdvice', () => {
  test('the plain three lines', () => {
    assert.deepEqual(parseAdvice('CONDITION: ranging\nACTION: continue\nREASON: Price oscillates inside the grid.'), {
      condition: 'ranging',
      action: 'continue',
      reason: 'Price oscillates inside the grid.',
    });
  });

  test('case, markdown bold, bullets and extra whitespace', () => {
    assert.deepEqual(parseAdvice('  **Condition:**   Trending_Up \n\n - **ACTION**:  Widen_Spacing.\n**reason:**   strong   move  up  '), {
      condition: 'trending_up',
      action: 'widen_spacing',
      reason: 'strong move up',
    });
    assert.deepEqual(parseAdvice('1. CONDITION: volatile\n2. ACTION: `tighten spacing`\n3. REASON: x'), { condition: 'volatile', action: 'tighten_spacing', reason: 'x' });
    assert.equal(parseAdvice('condition: low volume\naction: reset-grid\nreason: r').action, 'reset_grid');
    assert.equal(parseAdvice('condition: low volume\naction: reset-grid\nreason: r').condition, 'low_volume');
  });

  test('all on one line, and a <think> block before the answer', () => {
    assert.deepEqual(parseAdvice('CONDITION: volatile ACTION: pause REASON: wild swings'), { condition: 'volatile', action: 'pause', reason: 'wild swings' });
    assert.deepEqual(parseAdvice('My answer: condition: ranging, action: continue, reason: the action: pause would be overkill'), {
      condition: 'ranging',
      action: 'continue',
      reason: 'the action: pause would be overkill',
    });
    assert.deepEqual(parseAdvice('<think>ACTION: reset_grid maybe?</think>\nCONDITION: ranging\nACTION: continue\nREASON: fine'), {
      condition: 'ranging',
      action: 'continue',
      reason: 'fine',
    });
  });

  test('the last occurrence wins (a model restating the template first)', () => {
    const text = 'Format: CONDITION: <condition>\nACTION: <action>\nLet me think.\nCONDITION: trending_down\nACTION: pause\nREASON: falling';
    assert.deepEqual(parseAdvice(text), { condition: 'trending_down', action: 'pause', reason: 'falling' });
  });

  test('anything unparseable or off the whitelist is continue', () => {
    for (const text of [
      '',
      'I think you should buy more DOGE!',
      'CONDITION: ranging\nACTION: buy\nREASON: cheap',
      'CONDITION: ranging\nACTION: sell everything\nREASON: top',
      'CONDITION: ranging\nACTION: pausing soon\nREASON: r',
      'CONDITION: bubble\nACTION: \nREASON: r',
      '{"action":"pause"}',
      '\u0000\u0001garbage\uFFFF',
    ]) {
      assert.equal(parseAdvice(text).action, 'continue', JSON.stringify(text));
    }
    assert.equal(parseAdvice('CONDITION: bubble\nACTION: pause').condition, 'unknown');
    assert.equal(parseAdvice('CONDITION: ranging\nACTION: pause').reason, '');
    assert.equal(parseAdvice('REASON: ' + 'x'.repeat(2000)).reason.length, 500);
  });
});

describe('prompt and request', () => {
  test('the compact prompt carries the market context and the analyzer summaries', () => {
    const p = buildPrompt(context);
    for (const part of ['Price 0.123456', 'Change 1h +0.52%, 4h -1.10%, 24h n/a', 'Spread 0.081%', 'Fills in the last hour: 3', 'Grid center 0.12, spacing 1%', '- Profitability: significant, mean +$0.012 (p=0.01)', '- Fill asymmetry: balanced 12/11', 'ACTION one of: continue, pause, widen_spacing, tighten_spacing, reset_grid']) {
      assert.ok(p.includes(part), `${part} in\n${p}`);
    }
    assert.ok(!p.includes('- \n'), 'empty summaries are left out');
    assert.match(SYSTEM_PROMPT, /GRID PARAMETERS ONLY/);
    assert.match(SYSTEM_PROMPT, /Never give buy or sell advice/);
  });

  test('POST with bearer key, model, temperature 0.3, max_tokens 200, system + user messages; logged to the CSV', async () => {
    const { adv, logDir } = advisor();
    ai.enqueue({ content: 'CONDITION: volatile\nACTION: widen_spacing\nREASON: bigger swings' });
    const n = ai.requests.length;
    const r = await adv.run(context);
    assert.deepEqual(r, { condition: 'volatile', action: 'widen_spacing', reason: 'bigger swings', price: 0.123456, time: Date.UTC(2025, 0, 2, 3, 4, 5) });
    const req = ai.requests[n]!;
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
    assert.equal(req.body.model, 'test/model-8b');
    assert.equal(req.body.temperature, 0.3);
    assert.equal(req.body.max_tokens, 200);
    assert.deepEqual(
      req.body.messages.map((m: { role: string }) => m.role),
      ['system', 'user'],
    );
    assert.equal(req.body.messages[0].content, SYSTEM_PROMPT);
    assert.equal(req.body.messages[1].content, buildPrompt(context));
    // An action to approve gets its one CSV row once decided (approvals.ts), not a "pending" row now.
    assert.deepEqual(readCsv(path.join(logDir, 'ai_recommendations.csv')), []);
  });
});

describe('a misbehaving model never throws into the caller', () => {
  test('garbage content → continue', async () => {
    const { adv, logDir } = advisor();
    ai.enqueue({ content: 'Sure! DOGE to the moon 🚀🚀 buy buy buy' });
    const r = await adv.run(context);
    assert.equal(r?.action, 'continue');
    assert.equal(r?.condition, 'unknown');
    assert.deepEqual(readCsv(path.join(logDir, 'ai_recommendations.csv')), [
      ['timestamp', 'market_condition', 'recommendation', 'current_price', 'was_followed', 'reason', 'outcome', 'decided_at'],
      ['2025-01-02T03:04:05.000Z', 'unknown', 'continue', '0.123456', 'n/a', '', 'answer not understood: treated as continue, nothing changed', '2025-01-02T03:04:05.000Z'],
    ]);
    assert.ok(logs.some((l) => l.includes('AI answer not understood, treated as continue')));
  });

  test('empty content → reasoning_content is used', async () => {
    const { adv } = advisor();
    ai.enqueue({ content: '', reasoning_content: 'The market is choppy.\nCONDITION: ranging\nACTION: tighten_spacing\nREASON: small swings' });
    assert.deepEqual(await adv.run(context), { condition: 'ranging', action: 'tighten_spacing', reason: 'small swings', price: 0.123456, time: Date.UTC(2025, 0, 2, 3, 4, 5) });
    ai.enqueue({ content: null, reasoning_content: 'CONDITION: volatile\nACTION: pause\nREASON: spike' });
    assert.equal((await adv.run(context))?.action, 'pause');
  });

  test('HTTP 500 → null, logged, no CSV row', async () => {
    const { adv, logDir } = advisor();
    ai.enqueue({ status: 500, body: `{"error":"upstream failed for key ${API_KEY}"}` });
    assert.equal(await adv.run(context), null);
    assert.ok(logs.some((l) => l.includes('AI call failed: HTTP 500')));
    assert.deepEqual(readCsv(path.join(logDir, 'ai_recommendations.csv')), []);
  });

  test('not JSON, no choices, no content at all → null', async () => {
    const { adv } = advisor();
    ai.enqueue({ raw: '<html>502 Bad Gateway</html>' }, { raw: '{"choices":[]}' }, { content: '' }, { raw: 'null' });
    for (let i = 0; i < 4; i++) assert.equal(await adv.run(context), null);
  });

  test('a hanging model times out (200 ms) → null, and the caller was never blocked', async () => {
    const { adv } = advisor({ timeoutMs: 200 });
    ai.enqueue({ hang: true });
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    const t0 = performance.now();
    const pending = adv.run(context); // the bot starts it in the background
    assert.equal(adv.busy, true);
    assert.equal(await adv.run(context), null, 'a second check while one is running is skipped');
    const r = await pending;
    const took = performance.now() - t0;
    clearInterval(ticker);
    assert.equal(r, null);
    assert.ok(took >= 190 && took < 1500, `took ${took} ms`);
    assert.ok(ticks >= 5, `ticks ${ticks}`);
    assert.ok(logs.some((l) => l.includes('AI call failed: timeout after 200 ms')));
    assert.equal(adv.busy, false);
  });

  test('unreachable endpoint → null', async () => {
    const logDir = tmpDir();
    const adv = createAiAdvisor({ url: 'http://127.0.0.1:9/v1/chat/completions', apiKey: API_KEY, model: 'm', timeoutMs: 500, logDir });
    assert.equal(await adv.run(context), null);
  });

  test('without an API key the advisor is off and calls nothing', async () => {
    const { adv } = advisor({ apiKey: '' });
    const n = ai.requests.length;
    assert.equal(adv.enabled, false);
    assert.equal(await adv.run(context), null);
    assert.equal(ai.requests.length, n);
  });
});

describe('end to end: model → advisor → Telegram', () => {
  test('a REASON full of <, > and & arrives correctly escaped; approve works', async () => {
    const double = await TelegramDouble.start();
    const h = await startHarness({ double });
    try {
      const reason = 'RSI <30 & spread >0.2%; <script>alert("x")</script> && a&b';
      ai.enqueue({ content: `**CONDITION:** volatile\n**ACTION:** widen_spacing\n**REASON:** ${reason}` });
      const { adv } = advisor();
      const r = await adv.run(context);
      assert.equal(r?.reason, reason);
      await h.fe.recommend(r!);
      const p = h.state.pending!;
      const msg = double.messages.get(p.messageId)!;
      assert.equal(msg.parse_mode, 'HTML');
      assert.ok(msg.plain.includes(`Reason: ${reason}`), msg.plain);
      assert.ok(!msg.text.includes('<script>'));
      double.pushCallback(CHAT_ID, p.messageId, 'approve:widen_spacing');
      await double.waitFor(() => double.edits.find((e) => e.message_id === p.messageId), 3000, 'approved edit');
      assert.deepEqual(h.target.calls, [{ op: 'setSpacing', arg: 1.25 }]);
      assert.ok(double.messages.get(p.messageId)!.plain.includes(reason));
    } finally {
      await h.stop();
      await double.close();
    }
  });
});
