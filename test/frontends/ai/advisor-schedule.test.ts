// /check always gets an answer (issue 17 item 8): a "continue", an answer the
// bot could not read, and an endpoint that is down are all reported, with
// the model's text escaped for Telegram's HTML.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Bot } from '../../../src/bot.js';
import { AdvisorSchedule } from '../../../src/frontends/ai/advisor-schedule.js';
import type { AiAdvisor, Recommendation } from '../../../src/frontends/ai/advisor.js';
import { advisorContext } from '../../../src/ops/views.js';
import { FakeClock, ScriptedMarket, testConfig } from '../../support/core.js';

async function scheduleWith(answer: Recommendation | null, failure: string | null) {
  const clock = new FakeClock();
  const bot = Bot.create({ config: testConfig(), market: new ScriptedMarket(() => 0.1, clock.now), now: clock.now });
  await bot.start();
  const advisor: AiAdvisor = {
    enabled: true,
    busy: false,
    lastFailure: failure,
    run: async () => answer,
  };
  const notices: string[] = [];
  const recommended: Recommendation[] = [];
  const schedule = new AdvisorSchedule({
    advisor,
    state: () => bot.state,
    now: clock.now,
    context: () => advisorContext(bot, []),
    notify: (t) => void notices.push(t),
    recommend: async (r) => void recommended.push(r),
  });
  return { bot, schedule, notices, recommended };
}

const rec = (action: Recommendation['action'], condition: Recommendation['condition'], reason: string): Recommendation => ({ action, condition, reason, price: 0.1, time: 0 });

describe('AI check feedback', () => {
  it('a /check answered "continue" says so, with the reason escaped', async () => {
    const r = await scheduleWith(rec('continue', 'ranging', 'fills <balanced> & calm'), null);
    r.bot.state.ai.checkRequested = true;
    r.schedule.maybeAsk();
    await r.schedule.inFlight;
    assert.equal(r.notices.length, 1);
    assert.match(r.notices[0], /AI check: continue \(market ranging\)\. fills &lt;balanced&gt; &amp; calm/);
  });

  it('a /check whose call failed says why', async () => {
    const r = await scheduleWith(null, 'AI call failed: HTTP 503 <html>');
    r.bot.state.ai.checkRequested = true;
    r.schedule.maybeAsk();
    await r.schedule.inFlight;
    assert.equal(r.notices.length, 1);
    assert.match(r.notices[0], /no usable answer \(AI call failed: HTTP 503 &lt;html&gt;\)/);
  });

  it('an answer not understood is reported as such', async () => {
    const r = await scheduleWith(rec('continue', 'unknown', 'gibberish'), null);
    r.bot.state.ai.checkRequested = true;
    r.schedule.maybeAsk();
    await r.schedule.inFlight;
    assert.match(r.notices[0], /not understood, treated as continue/);
  });

  it('the scheduled (not asked for) check stays quiet unless there is something to approve', async () => {
    const r = await scheduleWith(rec('continue', 'ranging', 'fine'), null);
    r.bot.state.ai.lastRunAt = -Infinity;
    r.schedule.maybeAsk();
    await r.schedule.inFlight;
    assert.deepEqual(r.notices, []);
    assert.equal(r.recommended.length, 1, 'the recommendation still goes to the approval flow, which ignores a continue');
  });
});
