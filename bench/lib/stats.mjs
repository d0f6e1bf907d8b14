// Small statistics helpers for the benchmarks: percentiles, means, random variates.
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, mean, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

/** A seeded PRNG (mulberry32) so every policy sees the same arrivals and service times. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exponential inter-arrival time with the given rate (per ms). */
export function exponential(rand, ratePerMs) {
  return -Math.log(1 - rand()) / ratePerMs;
}

/** Weibull variate with shape k and the given median (heavy-tailed for k < 1). */
export function weibull(rand, shape, median) {
  const scale = median / Math.pow(Math.log(2), 1 / shape);
  return scale * Math.pow(-Math.log(1 - rand()), 1 / shape);
}

/** Mean of a Weibull with shape k and the given median. */
export function weibullMean(shape, median) {
  const scale = median / Math.pow(Math.log(2), 1 / shape);
  return scale * gamma(1 + 1 / shape);
}

function gamma(z) {
  // Lanczos approximation
  const g = 7;
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (z < 0.5) return Math.PI / (Math.sin(Math.PI * z) * gamma(1 - z));
  z -= 1;
  let x = c[0];
  for (let i = 1; i < g + 2; i++) x += c[i] / (z + i);
  const t = z + g + 0.5;
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * x;
}

export const round = (x, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
