/**
 * Simulated traffic for the analysis' property test and benchmark (docs/analysis.md): a seeded
 * PRNG and exact samplers, so every run draws the same canaries.
 */

/** mulberry32: a small 32-bit generator, uniform in [0, 1). Same seed, same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Binomial(n, p), exactly: the trials up to each success are geometric, so this counts the
 * geometric jumps that fit in n (about n·p draws, not n).
 */
export function binomial(random: () => number, n: number, p: number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  const logQ = Math.log1p(-p);
  let successes = 0;
  let trials = 0;
  for (;;) {
    trials += Math.floor(Math.log(1 - random()) / logQ) + 1;
    if (trials > n) return successes;
    successes++;
  }
}

/** Poisson(mean), by inversion from 0; a large mean is a sum of Poissons of at most 500, so exp(-mean) does not underflow. */
export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 500) return poisson(random, 500) + poisson(random, mean - 500);
  let k = 0;
  let term = Math.exp(-mean);
  let cumulative = term;
  const u = random();
  while (u > cumulative && term > 0) {
    k++;
    term *= mean / k;
    cumulative += term;
  }
  return k;
}
