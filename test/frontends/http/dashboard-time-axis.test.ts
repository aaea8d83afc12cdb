// The chart's time axis (issue 15 item 4): readable and never repeating from
// one minute to thirty days.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tickStep, timeTicks } from '../../../src/frontends/http/dashboard/time-axis.js';

const T1 = Date.UTC(2026, 11, 2, 5, 17, 23);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function labels(span: number, tz = 0, max = 8): string[] {
  return timeTicks(T1 - span, T1, max, tz).map((t) => t.label);
}

test('every span from one minute to thirty days: 2..max ticks, distinct labels, inside the range, round times', () => {
  for (const span of [MIN, 90_000, 5 * MIN, 20 * MIN, 40 * MIN, HOUR, 3 * HOUR, 12 * HOUR, DAY, 3 * DAY, 7 * DAY, 14 * DAY, 30 * DAY]) {
    for (const tz of [0, -120, 300, -330]) {
      for (const max of [4, 8, 12]) {
        const ticks = timeTicks(T1 - span, T1, max, tz);
        const ls = ticks.map((t) => t.label);
        assert.ok(ticks.length >= 2 && ticks.length <= max, `span ${span}, tz ${tz}, max ${max}: ${ls.join(' ')}`);
        assert.equal(new Set(ls).size, ls.length, `repeated label for span ${span}, tz ${tz}: ${ls.join(' ')}`);
        for (const t of ticks) assert.ok(t.t >= T1 - span && t.t <= T1);
        const step = tickStep(span, max);
        for (const t of ticks) assert.equal((((t.t - tz * MIN) % step) + step) % step, 0, 'ticks on round local times');
      }
    }
  }
});

test('the label precision follows the span', () => {
  // the old axis printed hh:mm five times over a minute: 05:16 05:16 05:16 05:17 05:17
  assert.deepEqual(labels(MIN, 0, 5), ['05:16:30', '05:16:45', '05:17:00', '05:17:15']);
  assert.deepEqual(labels(40 * MIN, 0, 5), ['04:40', '04:50', '05:00', '05:10']);
  assert.deepEqual(labels(30 * DAY, 0, 5), ['Nov 5', 'Nov 12', 'Nov 19', 'Nov 26']);
  // a multi-day span marks local midnight with the date
  assert.ok(labels(3 * DAY, 0, 8).includes('Dec 1'));
  // local time: UTC+2 (getTimezoneOffset −120) shows 07:xx
  assert.deepEqual(labels(40 * MIN, -120, 5), ['06:40', '06:50', '07:00', '07:10']);
});

test('degenerate ranges give no ticks', () => {
  assert.deepEqual(timeTicks(T1, T1, 5), []);
  assert.deepEqual(timeTicks(NaN, T1, 5), []);
});
