// Small seeded pseudo-random generator for simulations, calibration tests and
// benchmarks: xoshiro128** (32-bit state words, period 2^128 − 1) seeded
// through splitmix32, with the samplers the stats tests need. Deterministic
// for a given seed on every platform.

export interface Rng {
  /** Uniform on [0, 1), 53-bit resolution. */
  uniform(): number;
  /** Standard normal (Marsaglia polar method). */
  normal(): number;
  /** Exponential with the given mean. */
  exponential(mean?: number): number;
  /** Poisson with the given mean (product of uniforms; large means split into chunks of 15). */
  poisson(mean: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Integer uniform on [0, n). */
  int(n: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const sm = splitmix32(Number.isFinite(seed) ? Math.floor(seed) : 0);
  let a = sm();
  let b = sm();
  let c = sm();
  let d = sm();
  if ((a | b | c | d) === 0) a = 1;
  const next32 = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  };
  const uniform = (): number => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * m;
        return u * m;
      }
    }
  };
  const exponential = (mean = 1): number => -mean * Math.log1p(-uniform());
  const poisson = (mean: number): number => {
    if (!(mean > 0)) return 0;
    let k = 0;
    let m = mean;
    // split large means into chunks (a sum of Poissons is Poisson)
    while (m > 30) {
      k += poissonSmall(15);
      m -= 15;
    }
    return k + poissonSmall(m);
  };
  const poissonSmall = (mean: number): number => {
    const L = Math.exp(-mean);
    let k = 0;
    let p = uniform();
    while (p > L) {
      k++;
      p *= uniform();
    }
    return k;
  };
  return {
    uniform,
    normal,
    exponential,
    poisson,
    bernoulli: (p: number) => uniform() < p,
    int: (n: number) => Math.floor(uniform() * n),
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
