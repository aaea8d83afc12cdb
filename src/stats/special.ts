// Special functions in full double precision, written for the analyzers' needs:
// log-gamma, the regularized incomplete beta and gamma functions (both tails,
// each computed directly where it is small), a monotone root finder for the
// inverses, and the saddle-point helpers they rest on.
//
// Accuracy strategy
// - Large powers such as x^a y^b / B(a,b) are never formed as
//   exp(a log x + b log y - logBeta(a,b)): that subtracts numbers of size
//   a·log(a) and loses about log10(a) digits. Instead we use Loader's
//   saddle-point form (C. Loader, "Fast and accurate computation of binomial
//   probabilities", 2000): Stirling's remainder `stirlerr` plus the deviance
//   term `bd0`, both of which are computed with small relative error.
// - The incomplete beta function follows the region plan of DiDonato & Morris
//   (ACM TOMS 708, 1992): power series, the continued fraction in the
//   "lambda" form (no cancellation near x ≈ 1), and the asymptotic
//   expansion for a large, b ≤ 1 (BGRAT), which the Student t distribution
//   with many degrees of freedom needs.
// - Both tails are returned; the caller picks the one it needs, so upper tails
//   are never obtained as 1 − (something close to 1).

export const LN_SQRT_2PI = 0.91893853320467274178; // log(sqrt(2π))
export const SQRT_2PI = 2.5066282746310005024;
const EPS = 2.220446049250313e-16;
const TINY = 1e-300;

// ---------------------------------------------------------------------------
// Stirling remainder, log-gamma, deviance

/**
 * Stirling's remainder δ(z) = log Γ(z+1) − [(z+½) log z − z + log √(2π)], z > 0.
 * For z > 15 the asymptotic series; below that the exact recurrence
 * δ(z) = δ(z+1) + (z+½)·log1p(1/z) − 1, whose terms are all small, so no large
 * numbers cancel.
 */
export function stirlerr(z: number): number {
  if (!(z > 0)) return z === 0 ? Infinity : NaN;
  if (z === Infinity) return 0;
  if (z > 15) return stirlerrSeries(z);
  let acc = 0;
  let w = z;
  while (w <= 15) {
    acc += (w + 0.5) * Math.log1p(1 / w) - 1;
    w += 1;
  }
  return acc + stirlerrSeries(w);
}

function stirlerrSeries(n: number): number {
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const nn = n * n;
  if (n > 500) return (S0 - S1 / nn) / n;
  if (n > 80) return (S0 - (S1 - S2 / nn) / nn) / n;
  if (n > 35) return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/** log |Γ(z)|. Accurate to a few ulps of max(1, |log Γ(z)|) for z > 0. */
export function logGamma(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return Infinity;
  if (z <= 0) {
    if (Number.isInteger(z) || z === -Infinity) return Infinity;
    // reflection: Γ(z)Γ(1−z) = π / sin(πz)
    const s = Math.abs(Math.sin(Math.PI * (z - 2 * Math.floor(z / 2))));
    return Math.log(Math.PI / s) - logGamma(1 - z);
  }
  if (z < 1e-8) return -Math.log(z) - 0.5772156649015329 * z;
  return (z - 0.5) * Math.log(z) - z + LN_SQRT_2PI + stirlerr(z);
}

/** log B(a, b) without the cancellation of logGamma(a)+logGamma(b)−logGamma(a+b). */
export function logBeta(a: number, b: number): number {
  if (!(a > 0) || !(b > 0)) return NaN;
  if (a === Infinity || b === Infinity) return -Infinity;
  const c = a + b;
  // B(a,b) = sqrt(2π) · a^(a−½) b^(b−½) / c^(c−½) · exp(δ(a−1)…) — use the
  // Γ(z) = sqrt(2π/z) (z/e)^z e^δ(z) form:
  // log B = ½log(2π) + ½log(c/(ab)) + a log(a/c) + b log(b/c) + δ(a)+δ(b)−δ(c)
  const la = a < b ? a * Math.log(a / c) + b * Math.log1p(-a / c) : a * Math.log1p(-b / c) + b * Math.log(b / c);
  return LN_SQRT_2PI + 0.5 * Math.log(c / (a * b)) + la + stirlerr(a) + stirlerr(b) - stirlerr(c);
}

/** Deviance term bd0(x, m) = x log(x/m) + m − x ≥ 0, computed without cancellation. */
export function bd0(x: number, m: number): number {
  if (x === 0) return m;
  if (!(m > 0)) return x > 0 ? Infinity : NaN;
  // Loader's series in v = (x−m)/(x+m); extended to |v| < ½ (x/m in [⅓, 3])
  // because the direct formula below cancels badly there.
  if (Math.abs(x - m) < 0.5 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    if (Math.abs(s) < Number.MIN_VALUE) return s;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const s1 = s + ej / (2 * j + 1);
      if (s1 === s) return s1;
      s = s1;
    }
    return s;
  }
  const r = x / m;
  const lr = Number.isFinite(r) && r > 0 ? Math.log(r) : Math.log(x) - Math.log(m);
  return x * lr + m - x;
}

/** Γ(a+b)/Γ(a) for a, b > 0, accurate also when a is huge and b small. */
export function gammaRatio(a: number, b: number): number {
  const c = a + b;
  return Math.sqrt(a / c) * Math.pow(c, b) * Math.exp(a * Math.log1p(b / a) - b + stirlerr(c) - stirlerr(a));
}

// ---------------------------------------------------------------------------
// Continued fractions

/** State of the modified Lentz method: f is the value of the fraction so far. */
interface Lentz {
  f: number;
  C: number;
  D: number;
}

/** Start evaluating b0 + a1/(b1 + a2/(b2 + …)); the caller keeps b0 off zero. */
function lentzStart(b0: number): Lentz {
  return { f: b0, C: b0, D: 0 };
}

/**
 * Fold the next term a/(b + …) into the fraction (zero denominators nudged to
 * TINY); true once it changed the value by no more than a relative EPS.
 */
function lentzStep(s: Lentz, a: number, b: number): boolean {
  let D = b + a * s.D;
  if (D === 0) D = TINY;
  let C = b + a / s.C;
  if (C === 0) C = TINY;
  D = 1 / D;
  const delta = C * D;
  s.C = C;
  s.D = D;
  s.f *= delta;
  return Math.abs(delta - 1) <= EPS;
}

// ---------------------------------------------------------------------------
// Normal distribution core (used by the gamma/beta code and by distributions.ts)

/** φ(z) = exp(−z²/2)/√(2π), with z² split so the exponent is exact. */
export function normalPdf(z: number): number {
  const az = Math.abs(z);
  if (!(az < 40)) return Number.isNaN(z) ? NaN : 0;
  const hi = Math.floor(az * 16) / 16;
  const lo = az - hi;
  return Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * lo * (az + hi)) / SQRT_2PI;
}

/** Φ(x) − ½ by the positive series φ(x)·Σ x^(2n+1)/(2n+1)!! (use for |x| ≤ 3). */
export function normalCentral(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 300; n++) {
    term *= x2 / (2 * n + 1);
    const s1 = sum + term;
    if (s1 === sum) break;
    sum = s1;
  }
  return normalPdf(x) * sum;
}

/** Upper tail Q(z) = 1 − Φ(z) for z ≥ 1 via the Mills-ratio continued fraction. */
export function normalUpperTail(z: number): number {
  if (z > 40) return 0;
  // R(z) = 1/(z + 1/(z + 2/(z + 3/(z + …))))
  const cf = lentzStart(z);
  for (let n = 1; n < 5000; n++) if (lentzStep(cf, n, z)) break;
  return normalPdf(z) / cf.f;
}

// ---------------------------------------------------------------------------
// Regularized incomplete gamma

/** x^a e^(−x) / Γ(a+1) by Loader's saddle-point form. */
export function gammaPrefix(a: number, x: number): number {
  if (x === 0) return 0;
  return Math.exp(-stirlerr(a) - bd0(a, x)) / Math.sqrt(2 * Math.PI * a);
}

/**
 * Regularized incomplete gamma: returns [P(a,x), Q(a,x)], each accurate in its
 * own right (the one that is small is computed directly).
 */
export function gammaPQ(a: number, x: number): [number, number] {
  if (Number.isNaN(a) || Number.isNaN(x) || !(a > 0)) return [NaN, NaN];
  if (x <= 0) return [0, 1];
  if (x === Infinity) return [1, 0];
  if (a === Infinity) return [0, 1];
  if (a === 1) {
    return [-Math.expm1(-x), Math.exp(-x)];
  }
  if (x < a + 1) {
    // P by the series x^a e^-x / Γ(a+1) · Σ x^n / ((a+1)…(a+n))
    const pre = gammaPrefix(a, x);
    if (pre === 0) return [0, 1];
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * EPS) break;
    }
    const p = Math.min(1, pre * sum); // (only for absurdly small a can rounding exceed 1)
    return [p, 1 - p];
  }
  // Q by Legendre's continued fraction (modified Lentz)
  const pre = (a * gammaPrefix(a, x)) / x; // x^(a-1) e^-x / Γ(a)
  if (pre === 0) return [1, 0];
  let bq = x + 1 - a;
  let C = 1 / TINY;
  let D = 1 / bq;
  let h = D;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    bq += 2;
    D = an * D + bq;
    if (Math.abs(D) < TINY) D = TINY;
    C = bq + an / C;
    if (Math.abs(C) < TINY) C = TINY;
    D = 1 / D;
    const del = D * C;
    h *= del;
    if (Math.abs(del - 1) <= EPS) break;
  }
  const q = Math.min(1, Math.max(0, pre * x * h));
  return [1 - q, q];
}

// ---------------------------------------------------------------------------
// Regularized incomplete beta

/**
 * x^a y^b / B(a,b) (y = 1 − x given separately for accuracy), by
 * sqrt(ab / (2π c)) · exp(δ(c) − δ(a) − δ(b) − bd0(a, xc) − bd0(b, yc)), c = a + b.
 */
export function betaPowerTerms(a: number, b: number, x: number, y: number): number {
  if (x <= 0 || y <= 0) return 0;
  const c = a + b;
  const e = stirlerr(c) - stirlerr(a) - stirlerr(b) - bd0(a, x * c) - bd0(b, y * c);
  return Math.sqrt((a * b) / (2 * Math.PI * c)) * Math.exp(e);
}

/** I_x(a,b) by the power series, for small x (or b ≤ 1 with x ≤ 0.7). */
function ibetaSeries(a: number, b: number, x: number, y: number): number {
  const c = a + b;
  // x^a / B(a,b) = powerTerms / y^b, merged into one exponent
  const logy = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const e = stirlerr(c) - stirlerr(a) - stirlerr(b) - bd0(a, x * c) - bd0(b, y * c) - b * logy;
  const pre = Math.sqrt((a * b) / (2 * Math.PI * c)) * Math.exp(e);
  if (pre === 0) return 0;
  let coef = 1;
  let sum = 1 / a;
  for (let n = 1; n < 100000; n++) {
    coef *= ((n - b) * x) / n;
    const term = coef / (a + n);
    sum += term;
    if (Math.abs(term) <= EPS * Math.abs(sum)) break;
  }
  return pre * sum;
}

/**
 * I_x(a,b) by the continued fraction in DiDonato & Morris's form, for
 * a, b > 1 and x left of the mean (λ = a − (a+b)x ≥ 0). The coefficients use
 * a·y − b·x, so nothing cancels when x is close to 1.
 */
function ibetaFraction(a: number, b: number, x: number, y: number): number {
  const pt = betaPowerTerms(a, b, x, y);
  if (pt === 0) return 0;
  const ayBx = a * y - b * x;
  const f0 = (a * (ayBx + 1)) / (a + 1);
  const cf = lentzStart(f0 === 0 ? TINY : f0);
  for (let m = 1; m < 100000; m++) {
    const den = a + 2 * m - 1;
    const alpha = ((m * (a + m - 1)) / den) * ((a + b + m - 1) / den) * (b - m) * x * x;
    const beta = m + (m * (b - m) * x) / den + ((a + m) * (ayBx + 1 + m * (2 - x))) / (a + 2 * m + 1);
    if (lentzStep(cf, alpha, beta)) break;
  }
  return pt / cf.f;
}

/** I_x(a,b) − I_x(a+k,b) = x^a y^b/(a B(a,b)) · Σ_{i<k} Π_{j<i} (a+b+j)x/(a+j+1). */
function ibetaAStep(a: number, b: number, x: number, y: number, k: number): number {
  const pre = betaPowerTerms(a, b, x, y) / a;
  if (pre === 0) return 0;
  let term = 1;
  let sum = 1;
  for (let i = 0; i < k - 1; i++) {
    term *= ((a + b + i) * x) / (a + i + 1);
    sum += term;
  }
  return pre * sum;
}

// (2n+1)! for the BGRAT recursion, computed once.
const ODD_FACTORIALS: number[] = (() => {
  const out: number[] = [];
  let f = 1;
  for (let k = 1; k <= 63; k++) {
    f *= k;
    if (k % 2 === 1) out.push(f); // out[n] = (2n+1)!
  }
  return out;
})();
const BGRAT_TERMS = 30;

/**
 * DiDonato & Morris BGRAT: asymptotic expansion of I_x(a,b) for a large
 * (≥ 15) and b ≤ 1, with x close to 1. Returns s0 + I_x(a,b).
 */
function ibetaBgrat(a: number, b: number, x: number, y: number, s0: number): number {
  const bm1 = b - 1;
  const t = a + bm1 / 2;
  const lx = y < 0.35 ? Math.log1p(-y) : Math.log(x);
  const u = -t * lx;
  const h = b * gammaPrefix(b, u); // u^b e^-u / Γ(b)
  if (!(h > 1e-300)) return s0;
  const prefix = (h * gammaRatio(a, b)) / Math.pow(t, b);
  const p = new Array<number>(BGRAT_TERMS).fill(0);
  p[0] = 1;
  let j = gammaPQ(b, u)[1] / h;
  let sum = s0 + prefix * j;
  const lx2 = (lx / 2) * (lx / 2);
  let lxp = 1;
  const t4 = 4 * t * t;
  let b2n = b;
  for (let n = 1; n < BGRAT_TERMS; n++) {
    let pn = 0;
    for (let m = 1; m < n; m++) pn += ((m * b - n) * p[n - m]!) / ODD_FACTORIALS[m]!;
    pn = pn / n + bm1 / ODD_FACTORIALS[n]!;
    p[n] = pn;
    j = (b2n * (b2n + 1) * j + (u + b2n + 1) * lxp) / t4;
    lxp *= lx2;
    b2n += 2;
    const r = prefix * pn * j;
    sum += r;
    if (Math.abs(r) <= EPS * Math.abs(sum)) break;
  }
  return sum;
}

/**
 * Regularized incomplete beta. Returns [I_x(a,b), 1 − I_x(a,b)] where y = 1 − x
 * may be given separately (it should be, when x is close to 1).
 */
export function betaPQ(a: number, b: number, x: number, y: number = 1 - x): [number, number] {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || Number.isNaN(y)) return [NaN, NaN];
  if (!(a > 0) || !(b > 0) || x < 0 || y < 0) return [NaN, NaN];
  if (x === 0) return [0, 1];
  if (y === 0) return [1, 0];
  if (a === Infinity || b === Infinity) return [NaN, NaN];
  if (a === 0.5 && b === 0.5) {
    if (x <= 0.5) {
      const p = (2 / Math.PI) * Math.asin(Math.sqrt(x));
      return [p, 1 - p];
    }
    const q = (2 / Math.PI) * Math.asin(Math.sqrt(y));
    return [1 - q, q];
  }
  if (b === 1) {
    const lx = x > 0.5 ? Math.log1p(-y) : Math.log(x);
    return [Math.exp(a * lx), -Math.expm1(a * lx)];
  }
  if (a === 1) {
    const ly = y > 0.5 ? Math.log1p(-x) : Math.log(y);
    return [-Math.expm1(b * ly), Math.exp(b * ly)];
  }
  let swapped = false;
  const swap = (): void => {
    const ta = a;
    a = b;
    b = ta;
    const tx = x;
    x = y;
    y = tx;
    swapped = !swapped;
  };
  let w: number;
  if (Math.min(a, b) <= 1) {
    if (x > 0.5) swap();
    if (Math.max(a, b) <= 1) {
      if (a >= Math.min(0.2, b) || Math.pow(x, a) <= 0.9) {
        w = ibetaSeries(a, b, x, y);
      } else {
        swap();
        w = y >= 0.3 ? ibetaSeries(a, b, x, y) : ibetaBgrat(a + 20, b, x, y, ibetaAStep(a, b, x, y, 20));
      }
    } else if (b <= 1 || (x < 0.1 && Math.pow(b * x, a) <= 0.7)) {
      w = ibetaSeries(a, b, x, y);
    } else {
      swap();
      if (y >= 0.3) w = ibetaSeries(a, b, x, y);
      else if (a >= 15) w = ibetaBgrat(a, b, x, y, 0);
      else w = ibetaBgrat(a + 20, b, x, y, ibetaAStep(a, b, x, y, 20));
    }
  } else {
    const lambda = a < b ? a - (a + b) * x : (a + b) * y - b;
    if (lambda < 0) swap();
    w = b < 40 && b * x <= 0.7 ? ibetaSeries(a, b, x, y) : ibetaFraction(a, b, x, y);
  }
  if (!(w >= 0)) w = 0;
  if (w > 1) w = 1;
  return swapped ? [1 - w, w] : [w, 1 - w];
}

// ---------------------------------------------------------------------------
// Monotone root finding for the inverses

/**
 * Solve log F(x) = logTarget for x > 0, where F is monotone (increasing when
 * `increasing`). `ev(x)` returns [log F(x), d log F / dx]. Newton steps on the
 * log scale inside a bracket that shrinks every step, with geometric
 * bisection as the fallback; stops at a relative step of ~1e-15.
 */
export function solveMonotone(
  ev: (x: number) => [number, number],
  logTarget: number,
  increasing: boolean,
  x0: number,
): number {
  let lo = 0;
  let hi = Infinity;
  let x = x0 > 0 && Number.isFinite(x0) ? x0 : 1;
  for (let it = 0; it < 400; it++) {
    const [lf, d] = ev(x);
    const g = lf - logTarget;
    if (g === 0) return x;
    const tooBig = increasing ? g > 0 : g < 0;
    if (Number.isNaN(g)) {
      hi = x; // treat as out of range
    } else if (tooBig) hi = x;
    else lo = x;
    const step = g / d;
    // converged: the remaining step is at the noise level of log F
    if (Math.abs(step) <= 2e-15 * x) return x - step;
    let xn = x - step;
    if (!(xn > lo && xn < hi) || !Number.isFinite(xn)) {
      if (hi === Infinity) xn = x * 8;
      else if (lo === 0) xn = hi / 8;
      else xn = Math.sqrt(lo * hi);
    }
    if (hi !== Infinity && hi - lo <= 2e-15 * hi) return xn;
    x = xn;
  }
  return x;
}
