// The chart's time axis: "nice" tick times and labels for any span from a few
// seconds to thirty days and beyond, in the reader's local time. Pure (no DOM),
// shared by the browser client and the tests. Labels never repeat: their
// precision follows the tick step (seconds below a minute, hh:mm below a day,
// dates from a day up); over more than a day, hours carry their date and a
// tick at local midnight shows the date alone.

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const STEPS = [1 * S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, H, 2 * H, 3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D, 30 * D];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface TimeTick {
  t: number;
  label: string;
}

const two = (n: number): string => (n < 10 ? '0' : '') + n;

/** The step: the smallest nice one that gives at most `maxTicks` ticks. */
export function tickStep(span: number, maxTicks: number): number {
  const want = span / Math.max(1, maxTicks);
  for (const s of STEPS) if (s >= want) return s;
  return Math.ceil(want / (30 * D)) * 30 * D;
}

/**
 * Ticks inside [t0, t1] (epoch ms). `tzOffsetMin` is Date#getTimezoneOffset()
 * of the reader (minutes behind UTC), so ticks fall on local round times.
 */
export function timeTicks(t0: number, t1: number, maxTicks: number, tzOffsetMin = 0): TimeTick[] {
  if (!(t1 > t0) || !Number.isFinite(t0) || !Number.isFinite(t1)) return [];
  const step = tickStep(t1 - t0, maxTicks);
  const shift = -tzOffsetMin * M; // local = utc + shift
  const first = Math.ceil((t0 + shift) / step) * step - shift;
  const multiDay = t1 - t0 > D;
  const out: TimeTick[] = [];
  for (let t = first; t <= t1 && out.length < 1000; t += step) {
    const local = new Date(t + shift); // read with the UTC getters: local wall time
    const date = MONTHS[local.getUTCMonth()] + ' ' + local.getUTCDate();
    const hm = two(local.getUTCHours()) + ':' + two(local.getUTCMinutes());
    let label: string;
    if (step >= D) label = date;
    else if (step < M) label = hm + ':' + two(local.getUTCSeconds());
    else if (multiDay) label = local.getUTCHours() === 0 && local.getUTCMinutes() === 0 ? date : date + ' ' + hm;
    else label = hm;
    out.push({ t, label });
  }
  return out;
}
