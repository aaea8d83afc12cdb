// Probability distributions for the statistical analyzers: pure functions in
// full double precision, with the standard definitions used by R and SciPy.
// Tails are computed directly (never as 1 − cdf) so p-values of 1e-300 keep
// their relative accuracy. No tables of critical values: every quantile is
// found by solving the distribution function itself.
//
// Contract (SPEC §2): normalCdf, normalQuantile, studentTCdf,
// studentTQuantile, chiSquareSf, binomialTwoSidedP, poissonExactCi.

import {
  betaPQ,
  betaPowerTerms,
  gammaPQ,
  gammaPrefix,
  logGamma,
  normalCentral,
  normalPdf,
  normalUpperTail,
  solveMonotone,
} from './special.js';

export { logGamma, logBeta, betaPQ, gammaPQ } from './special.js';

// ---------------------------------------------------------------------------
// Normal

/** Standard normal CDF Φ(x); relative accuracy ~1e-15 in both tails. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  // |x| < 1.25: ½ + series (cancellation at most 5×); beyond: Mills-ratio
  // continued fraction for the tail (≤ ~250 terms at 1.25, 50 at 3).
  if (Math.abs(x) < 1.25) return 0.5 + normalCentral(x);
  return x < 0 ? normalUpperTail(-x) : 1 - normalUpperTail(x);
}

/** Upper tail 1 − Φ(x), accurate for large x. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

/** Standard normal quantile Φ⁻¹(p). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -lowerNormalQuantile(1 - p); // 1 − p is exact for p ≥ ½
  return lowerNormalQuantile(p);
}

/** Φ⁻¹(p) for 0 < p < ½: rational starting value, then Halley steps on Φ. */
function lowerNormalQuantile(p: number): number {
  let x: number;
  if (p < 0.02425) {
    // tail region
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q - 2.549732539343734) * q +
        4.374664141464968) *
        q +
        2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q + 3.754408661907416) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r + 1.38357751867269e2) * r -
        3.066479806614716e1) *
        r +
        2.506628277459239) *
        q) /
      (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r + 6.680131188771972e1) * r -
        1.328068155288572e1) *
        r +
        1);
  }
  // Halley refinement; near the centre use Φ(x) − ½ to avoid cancellation.
  for (let i = 0; i < 3; i++) {
    const err = p > 0.3 ? normalCentral(x) - (p - 0.5) : normalCdf(x) - p;
    const pdf = normalPdf(x);
    if (pdf === 0) break;
    const u = err / pdf;
    const dx = u / (1 + (x * u) / 2);
    x -= dx;
    if (Math.abs(dx) <= 1e-16 * Math.abs(x)) break;
  }
  return x;
}

// ---------------------------------------------------------------------------
// Student t

/** [P(T < −|t|), P(0 < T < |t|)] for T ~ t(df): the one-sided tail and the centre mass. */
function studentTParts(t: number, df: number): [number, number] {
  const at = Math.abs(t);
  if (at === Infinity) return [0, 0.5];
  if (df === 1) {
    const tail = at > 1 ? Math.atan(1 / at) / Math.PI : 0.5 - Math.atan(at) / Math.PI;
    return [tail, at > 1 ? 0.5 - tail : Math.atan(at) / Math.PI];
  }
  if (df === 2) {
    const s = Math.sqrt(2 + at * at);
    return [1 / (s * (s + at)), at / (2 * s)];
  }
  if (df > 1e18) {
    return [normalCdf(-at), at < 2.5 ? normalCentral(at) : 0.5 - normalUpperTail(at)];
  }
  const t2 = at * at;
  let x: number;
  let y: number;
  if (Number.isFinite(t2)) {
    x = df / (df + t2);
    y = t2 / (df + t2);
  } else {
    x = Math.exp(Math.log(df) - 2 * Math.log(at));
    y = 1;
  }
  const [i, ic] = betaPQ(df / 2, 0.5, x, y);
  return [0.5 * i, 0.5 * ic];
}

/** Student t CDF P(T ≤ t), df > 0 (non-integer df allowed). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (df === Infinity) return normalCdf(t);
  const [tail, centre] = studentTParts(t, df);
  if (t < 0) return tail;
  return tail < 0.25 ? 1 - tail : 0.5 + centre;
}

/** Student t density. */
export function studentTPdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (df === Infinity) return normalPdf(t);
  const at = Math.abs(t);
  if (at === 0) return Math.exp(logGamma((df + 1) / 2) - logGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const t2 = at * at;
  if (!Number.isFinite(t2)) return 0;
  // f(t) = x^(df/2) y^(1/2) / B(df/2, 1/2) / |t|, x = df/(df+t²), y = t²/(df+t²)
  return betaPowerTerms(df / 2, 0.5, df / (df + t2), t2 / (df + t2)) / at;
}

/** Student t quantile: the t with P(T ≤ t) = p. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || Number.isNaN(df) || !(df > 0) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity || df > 1e18) return normalQuantile(p);
  const sign = p < 0.5 ? -1 : 1;
  const q = p < 0.5 ? p : 1 - p; // exact for p ≥ ½
  let s: number;
  if (df === 1) {
    s = q > 0.25 ? Math.tan(Math.PI * (0.5 - q)) : 1 / Math.tan(Math.PI * q);
  } else if (df === 2) {
    s = (2 * (0.5 - q)) / Math.sqrt(2 * q * (1 - q));
  } else {
    s = solveStudentT(q, df);
  }
  return sign * s;
}

/** Positive s with P(T > s) = q, 0 < q < ½. */
function solveStudentT(q: number, df: number): number {
  // Starting value: the smaller of a Cornish–Fisher expansion and the
  // power-law tail bound P(T > s) ≤ c·df^((df−1)/2)·s^(−df) (whose solution
  // is never below the true quantile).
  const z = -lowerNormalQuantile(q);
  const z2 = z * z;
  const g1 = (z2 + 1) * z / 4;
  const g2 = ((5 * z2 + 16) * z2 + 3) * z / 96;
  const g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384;
  const g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160;
  const cf = z + g1 / df + g2 / (df * df) + g3 / (df * df * df) + g4 / (df * df * df * df);
  const logc = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  const sTail = Math.exp((logc + ((df - 1) / 2) * Math.log(df) - Math.log(q)) / df);
  let s0 = Number.isFinite(cf) && cf > 0 ? Math.min(cf, sTail) : sTail;
  if (!(s0 > 0) || !Number.isFinite(s0)) s0 = z > 0 ? z : 1;
  if (q > 0.25) {
    // centre: solve P(0 < T < s) = ½ − q (exact), increasing in s
    const target = 0.5 - q;
    return solveMonotone(
      (s) => {
        const c = studentTParts(s, df)[1];
        return [Math.log(c), studentTPdf(s, df) / c];
      },
      Math.log(target),
      true,
      s0,
    );
  }
  return solveMonotone(
    (s) => {
      const tail = studentTParts(s, df)[0];
      return [Math.log(tail), -studentTPdf(s, df) / tail];
    },
    Math.log(q),
    false,
    s0,
  );
}

// ---------------------------------------------------------------------------
// Chi-squared and gamma

/** Chi-squared upper tail P(X > x), X ~ χ²(df). */
export function chiSquareSf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammaPQ(df / 2, x / 2)[1];
}

/** Chi-squared CDF P(X ≤ x). */
export function chiSquareCdf(x: number, df: number): number {
  if (Number.isNaN(x) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (x <= 0) return 0;
  return gammaPQ(df / 2, x / 2)[0];
}

/** Regularized lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  return gammaPQ(a, x)[0];
}

/** Regularized upper incomplete gamma Q(a, x). */
export function gammaQ(a: number, x: number): number {
  return gammaPQ(a, x)[1];
}

/** The x with P(a, x) = p (lower tail given). */
export function gammaPInv(a: number, p: number): number {
  if (Number.isNaN(a) || Number.isNaN(p) || !(a > 0) || p < 0 || p > 1) return NaN;
  if (p === 0) return 0;
  if (p === 1) return Infinity;
  return p <= 0.5 ? solveGamma(a, p, true) : solveGamma(a, 1 - p, false);
}

/** The x with Q(a, x) = q (upper tail given; accurate for tiny q). */
export function gammaQInv(a: number, q: number): number {
  if (Number.isNaN(a) || Number.isNaN(q) || !(a > 0) || q < 0 || q > 1) return NaN;
  if (q === 0) return Infinity;
  if (q === 1) return 0;
  return q <= 0.5 ? solveGamma(a, q, false) : solveGamma(a, 1 - q, true);
}

/** Chi-squared quantile. */
export function chiSquareQuantile(p: number, df: number): number {
  return 2 * gammaPInv(df / 2, p);
}

function solveGamma(a: number, target: number, lower: boolean): number {
  // Wilson–Hilferty start; small-x power law for the lower tail when that fails.
  const z = lower ? lowerNormalQuantile(target) : -lowerNormalQuantile(target);
  const c = 1 / (9 * a);
  let x0 = a * Math.pow(1 - c + z * Math.sqrt(c), 3);
  if (lower) {
    const xs = Math.exp((Math.log(target) + logGamma(a + 1)) / a);
    if (!(x0 > 0) || xs < x0) x0 = xs;
  }
  if (!(x0 > 0) || !Number.isFinite(x0)) x0 = a;
  // d/dx P(a,x) = x^(a−1) e^(−x) / Γ(a) = a·gammaPrefix(a,x)/x
  return solveMonotone(
    (x) => {
      const [p, q] = gammaPQ(a, x);
      const dens = (a * gammaPrefix(a, x)) / x;
      return lower ? [Math.log(p), dens / p] : [Math.log(q), -dens / q];
    },
    Math.log(target),
    lower,
    x0,
  );
}

// ---------------------------------------------------------------------------
// Binomial

/** Binomial probability P(X = k), X ~ Bin(n, p), by Loader's saddle-point form. */
export function binomialPmf(k: number, n: number, p: number): number {
  if ([k, n, p].some(Number.isNaN) || n < 0 || p < 0 || p > 1) return NaN;
  if (k < 0 || k > n || !Number.isInteger(k)) return 0;
  const q = 1 - p;
  if (p === 0) return k === 0 ? 1 : 0;
  if (q === 0) return k === n ? 1 : 0;
  if (k === 0) return Math.exp(n * Math.log1p(-p));
  if (k === n) return Math.exp(n * Math.log(p));
  // C(n,k) p^k q^(n−k) = powerTerms(k, n−k, p, q) · n / (k (n−k))
  return (betaPowerTerms(k, n - k, p, q) * n) / (k * (n - k));
}

/** Both binomial tails [P(X ≤ k), P(X > k)], each computed directly. */
function binomialTails(k: number, n: number, p: number): [number, number] {
  if ([k, n, p].some(Number.isNaN) || n < 0 || p < 0 || p > 1) return [NaN, NaN];
  k = Math.floor(k);
  if (k < 0) return [0, 1];
  if (k >= n) return [1, 0];
  // P(X ≤ k) = I_{1−p}(n−k, k+1)
  return betaPQ(n - k, k + 1, 1 - p, p);
}

/** Binomial CDF P(X ≤ k). */
export function binomialCdf(k: number, n: number, p: number): number {
  return binomialTails(k, n, p)[0];
}

/** Binomial upper tail P(X > k). */
export function binomialSf(k: number, n: number, p: number): number {
  return binomialTails(k, n, p)[1];
}

/**
 * Exact two-sided binomial test p-value, R's binom.test rule: the total
 * probability of all outcomes no more likely than k (with relative tolerance
 * 1 + 1e−7 on "no more likely").
 */
export function binomialTwoSidedP(k: number, n: number, p: number): number {
  if ([k, n, p].some(Number.isNaN) || n < 0 || p < 0 || p > 1 || k < 0 || k > n) return NaN;
  if (!Number.isInteger(n) || !Number.isInteger(k)) return NaN;
  if (n === 0) return 1;
  if (p === 0) return k === 0 ? 1 : 0;
  if (p === 1) return k === n ? 1 : 0;
  const relErr = 1 + 1e-7;
  const d = binomialPmf(k, n, p) * relErr;
  const m = n * p;
  if (k === m) return 1;
  let pval: number;
  if (k < m) {
    // count i in [ceil(m), n] with pmf(i) ≤ d; pmf is non-increasing there
    let lo = Math.ceil(m);
    let hi = n + 1; // first index with pmf ≤ d lies in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (binomialPmf(mid, n, p) <= d) hi = mid;
      else lo = mid + 1;
    }
    const y = n + 1 - lo;
    pval = binomialCdf(k, n, p) + binomialSf(n - y, n, p);
  } else {
    // count i in [0, floor(m)] with pmf(i) ≤ d; pmf is non-decreasing there
    let lo = -1; // last index with pmf ≤ d lies in [lo, hi]
    let hi = Math.floor(m);
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (binomialPmf(mid, n, p) <= d) lo = mid;
      else hi = mid - 1;
    }
    const y = lo + 1;
    pval = binomialCdf(y - 1, n, p) + binomialSf(k - 1, n, p);
  }
  return Math.min(1, pval);
}

// ---------------------------------------------------------------------------
// Poisson

/**
 * Garwood exact confidence interval for a Poisson mean given `count` events:
 * [χ²(α/2; 2k)/2, χ²(1−α/2; 2k+2)/2], α = 1 − confidence (lower bound 0 when k = 0).
 */
export function poissonExactCi(count: number, confidence: number): [number, number] {
  if (Number.isNaN(count) || Number.isNaN(confidence) || count < 0 || !(confidence > 0 && confidence < 1) || count === Infinity) {
    return [NaN, NaN];
  }
  const half = (1 - confidence) / 2;
  const low = count === 0 ? 0 : gammaPInv(count, half);
  const high = gammaQInv(count + 1, half);
  return [low, high];
}

/** Poisson CDF P(X ≤ k) = Q(k+1, mean). */
export function poissonCdf(k: number, mean: number): number {
  if (Number.isNaN(k) || Number.isNaN(mean) || mean < 0) return NaN;
  k = Math.floor(k);
  if (k < 0) return 0;
  if (mean === 0) return 1;
  return gammaPQ(k + 1, mean)[1];
}
