// Every notification text escapes every dynamic value: fed hostile strings,
// each message is valid Telegram HTML (checked with the double's validator)
// and shows the hostile text verbatim to the reader.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as M from '../../../src/frontends/telegram/messages.js';
import { renderPlain, validateTelegramHtml } from '../../support/telegram-double.js';
import { sampleStatus } from '../../support/telegram-fixtures.js';

const EVIL = '<b>x</b> & <script>"y"</script> &amp; a>b';

function check(htmlText: string, mustShow: string[] = []): string {
  assert.equal(validateTelegramHtml(htmlText), null, htmlText);
  const plain = renderPlain(htmlText, 'HTML');
  for (const s of mustShow) assert.ok(plain.includes(s), `"${s}" not shown in:\n${plain}`);
  return plain;
}

describe('escaping', () => {
  test('escapeHtml and the html tag', () => {
    assert.equal(M.escapeHtml('<a href="x">&</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
    assert.equal(M.html`<b>${EVIL}</b>`, '<b>' + M.escapeHtml(EVIL) + '</b>');
    assert.equal(M.html`<b>${M.raw('<i>ok</i>')}</b> ${42}`, '<b><i>ok</i></b> 42');
    assert.equal(M.escapeHtml(M.escapeHtml('&')), '&amp;amp;', 'escaping is not idempotent: escape exactly once');
  });

  test('number formatting', () => {
    assert.equal(M.fmtUsd(1.234), '$1.23');
    assert.equal(M.fmtUsd(-1.234), '-$1.23');
    assert.equal(M.fmtUsd(0.42, true), '+$0.42');
    assert.equal(M.fmtUsd(0.0042), '$0.0042');
    assert.equal(M.fmtUsd(NaN), 'n/a');
    assert.equal(M.fmtPrice(0.123456789), '$0.123457');
    assert.equal(M.fmtPct(2.5, true), '+2.50%');
    assert.equal(M.fmtPct(-0.004, true), '-0.00%');
    assert.equal(M.fmtPct(null), 'n/a');
    assert.equal(M.fmtDuration(3 * 3600 + 125), '3h 2m');
    assert.equal(M.clip('a   b\n c', 100), 'a b c');
    assert.equal(M.clip('abcdef', 4), 'abc…');
  });
});

describe('every message escapes its dynamic values', () => {
  test('startup, grid built, grid reset, round trip', () => {
    check(M.startupMessage({ mode: 'dry_run', pair: EVIL, price: 0.12, spacingPct: 1, levelsPerSide: 8, orderSizeUsd: 3.5, startingCapital: 120, note: EVIL }), [EVIL, 'dry run', '$0.120000']);
    check(M.gridBuiltMessage({ center: 0.12, buys: 9, sells: 11, spacingPct: 1.25, orderSizeUsd: 3.5, ratio: 0.55, reason: EVIL }), [EVIL, '9 buys / 11 sells', 'spacing 1.25%']);
    check(M.gridResetMessage({ oldCenter: 0.12, newCenter: 0.127, driftPct: 5.8 }), ['drifted +5.80%', 'new center $0.127000']);
    check(M.roundTripMessage({ side: 'sell', price: 0.1212, volume: 29.1, profit: 0.0132, openPrice: 0.12, totalProfit: 3.2, roundTripsToday: 4 }), [
      '+$0.0132 net', // a round trip earns cents: rounding it to +$0.01 hid a third of it (issue 17 item 11)
      'Sold 29.10 DOGE at $0.121200 (bought at $0.120000)',
      'Today: 4 round trips · total profit +$3.20',
    ]);
    check(M.roundTripMessage({ side: 'buy', price: 0.12, volume: 29.1, profit: 0.0042 }), ['+$0.0042 net\nBought back 29.10 DOGE at $0.120000']);
  });

  test('daily summary, risk, error, accumulation, shutdown', () => {
    check(M.dailySummaryMessage({ date: EVIL, tradesCount: 12, roundTrips: 5, grossProfit: 0.2, feesPaid: 0.1, netProfit: 0.1, dogeAccumulated: 3, equity: 121, totalProfit: 1 }), [EVIL, 'net +$0.10', 'round trips: 5', 'Equity $121.00']);
    check(M.dailySummaryMessage({ date: '2025-01-01', tradesCount: 0, grossProfit: 0, feesPaid: 0, netProfit: 0, dogeAccumulated: 0 }), ['Fills: 0\nGross +$0.00']);
    check(M.riskEventMessage({ action: 'pause', reason: EVIL }), [`Trading paused: ${EVIL}`]);
    check(M.riskEventMessage({ action: 'resume', reason: EVIL }), ['Trading resumed']);
    check(M.riskEventMessage({ action: 'stop', reason: EVIL }), [`Trading STOPPED: ${EVIL}`]);
    check(M.warningNotice(EVIL), [EVIL]);
    check(M.errorNotice({ context: 'kraken <AddOrder>', message: 'EOrder:Insufficient funds & more <x>', consecutive: 3 }), ['kraken <AddOrder>', 'Insufficient funds & more <x>', '(3 consecutive)']);
    check(M.accumulationMessage({ usd: 2.5, price: 0.1225, volume: 20.4, totalDoge: 40 }), ['$2.50 → 20.40 DOGE, buy limit $0.122500 (total 40.00 DOGE)']);
    check(M.shutdownMessage({ reason: EVIL, ordersCancelled: 20, totalProfit: 3.21, roundTrips: 27, equity: 121.7 }), [EVIL, 'Cancelled 20 open orders']);
  });

  test('AI recommendation and every resolved state', () => {
    const info = { condition: EVIL, action: 'widen_spacing', reason: EVIL, price: 0.12, createdAt: 0, expiresAt: 600_000, effect: EVIL };
    check(M.recommendationMessage(info), [`Reason: ${EVIL}`, `Market: ${EVIL}`, `Effect: ${EVIL}`, 'Approve within 10 min']);
    check(M.recommendationResolvedMessage(info, { state: 'approved', ok: true, outcome: EVIL }), [`Approved: ${EVIL}`]);
    check(M.recommendationResolvedMessage(info, { state: 'approved', ok: false, outcome: EVIL }), [`Approved but not applied: ${EVIL}`]);
    check(M.recommendationResolvedMessage(info, { state: 'skipped' }), ['Skipped']);
    check(M.recommendationResolvedMessage(info, { state: 'expired' }), ['Expired — not applied']);
    check(M.recommendationResolvedMessage(info, { state: 'superseded' }), ['superseded']);
  });

  test('command replies', () => {
    const v = sampleStatus();
    v.pause_reason = EVIL;
    v.paused = true;
    v.stats!.analyzers[0]!.summary = EVIL;
    check(M.statusMessage(v), [`PAUSED (${EVIL})`]);
    check(M.statsMessage(v), [EVIL]);
    check(M.statsMessage({ ...v, stats: null }), ['Analyzers have not run yet.']);
    check(M.ratioMessage(v), ['Trend ratio 0.55 (auto)', '/ratio <0.25..0.75>']);
    check(M.helpMessage(), ['/spacing <pct>', '/interval <60..86400>']);
    check(M.usageMessage('/spacing <pct>', EVIL), [EVIL, 'Usage: /spacing <pct>']);
    check(M.outcomeMessage(false, EVIL), [EVIL]);
    check(M.unknownCommandMessage('<evil>'), ['/<evil>']);
  });

  test('trading events map to notifications (single fills do not)', () => {
    const fill = { time: 0, side: 'sell' as const, price: 0.1212, volume: 29.1, fee: 0.009, level: 1, profit: 0.0132, orderId: 'o1' };
    check(M.traderEventMessage({ type: 'grid_built', reason: EVIL, center: 0.12, buys: 9, sells: 11, spacingPct: 1, orderSizeUsd: 3.5 })!, [EVIL, 'Grid built']);
    check(M.traderEventMessage({ type: 'grid_built', reason: 'drift', center: 0.127, buys: 9, sells: 11, spacingPct: 1, orderSizeUsd: 3.5 })!, ['Grid reset (price drifted from the center): new center $0.127000']);
    check(M.traderEventMessage({ type: 'round_trip', fill })!, ['Round trip +$0.0132 net', 'Sold 29.10 DOGE']);
    check(M.traderEventMessage({ type: 'daily_summary', row: { date: '2025-01-01', tradesCount: 4, grossProfit: 0.1, feesPaid: 0.02, netProfit: 0.08, dogeAccumulated: 0 } })!, ['Daily summary 2025-01-01']);
    check(M.traderEventMessage({ type: 'risk', action: 'stop', reason: 'equity $99.50 < stop floor $100' })!, ['Trading STOPPED: equity $99.50 < stop floor $100']);
    check(M.traderEventMessage({ type: 'accumulation', usd: 2, volume: 16.3, price: 0.1231 })!, ['Accumulation: $2.00 → 16.30 DOGE']);
    check(M.traderEventMessage({ type: 'warning', message: EVIL })!, [EVIL]);
    check(M.traderEventMessage({ type: 'error', message: EVIL })!, [EVIL]);
    assert.equal(M.traderEventMessage({ type: 'fill', fill }), null);
  });

  test('long free text is clipped so a message stays under Telegram\'s 4096 limit', () => {
    const long = '<&>'.repeat(5000);
    const h = M.errorNotice({ context: 'x', message: long });
    check(h);
    assert.ok(h.length < 4096, String(h.length));
  });
});

describe('status and stats speak one money language (issues 15, 17)', () => {
  test('/status leads with equity and its change, then grid profit (realized), inventory P&L (unrealized) and the hold benchmark', () => {
    const v = sampleStatus();
    const plain = check(M.statusMessage(v), [
      'Equity $121.70 · +$1.70 (+1.42%) since start',
      'vs holding +$2.44 (hold $119.26: half DOGE at $0.125000)',
      'Grid profit (realized) +$3.21 (today +$0.42) · fees paid $0.90',
      'Inventory P&L (unrealized) -$1.51 on 500.00 DOGE worth $61.73',
      'DOGE accumulated 12.50 ($1.54)',
    ]);
    assert.ok(plain.indexOf('Equity') < plain.indexOf('Grid profit'), 'equity comes first');
    assert.doesNotMatch(plain, /Profit today|total profit/i, 'no second definition of profit');
    const old = sampleStatus();
    old.attribution.hold.first_price_source = 'earliest_known';
    check(M.statusMessage(old), ['the earliest price known: the first was not recorded']);
  });

  test('/stats names the analyzers for people, not by code name', () => {
    const plain = check(M.statsMessage(sampleStatus()), ['Equity trend: significant', 'Buy/sell balance: balanced', 'grid profit (realized) +$3.21']);
    assert.doesNotMatch(plain, /profitability|fill_asymmetry/);
  });
});

