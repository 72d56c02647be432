/**
 * Comparing two error proportions on sparse data (docs/analysis.md § The test): the beta
 * distributions that bound what a count of errors says about a rate, and the exact probability that
 * one rate exceeds another by a margin.
 *
 * The special function (the regularized incomplete beta, a port of Boost's `ibeta`) comes from
 * stdlib; what is written here is the quadrature that combines two of them.
 */
import betainc from '@stdlib/math-base-special-betainc';
import betaln from '@stdlib/math-base-special-betaln';

/**
 * What a count says about an error rate: Beta(a, b), or a point mass when a parameter is 0
 * (a = 0: the rate is 0; b = 0: the rate is 1). Parameters are whole numbers here, but nothing
 * below needs them to be.
 */
export interface RateBelief {
  a: number;
  b: number;
}

/**
 * The skeptical bounds of a rate from `errors` in `invocations` (Clopper and Pearson's, as
 * distributions): `low` leans towards fewer errors (the prior Beta(0, 1)), `high` towards more
 * (Beta(1, 0)). P(low > q) is one minus the exact binomial test's p-value of "rate ≤ q", and
 * P(high ≤ q) one minus that of "rate ≥ q"; comparing `low` of one count with `high` of another
 * is Fisher's exact test (Altham, 1969, JRSS B 31:261–269), with a margin where Fisher has none.
 */
export function rateBounds(errors: number, invocations: number): { low: RateBelief; high: RateBelief } {
  return { low: { a: errors, b: invocations - errors + 1 }, high: { a: errors + 1, b: invocations - errors } };
}

/** P(rate ≤ x). */
export function cdf(rate: RateBelief, x: number): number {
  if (x < 0) return 0;
  if (x >= 1) return 1;
  if (rate.a === 0) return 1;
  if (rate.b === 0) return 0;
  return betainc(x, rate.a, rate.b);
}

/** P(rate > x). Taken from the upper tail directly, so a probability near 0 keeps its digits. */
export function survival(rate: RateBelief, x: number): number {
  if (x < 0) return 1;
  if (x >= 1) return 0;
  if (rate.a === 0) return 0;
  if (rate.b === 0) return 1;
  return betainc(x, rate.a, rate.b, true, true);
}

/** P(x > y + margin) for independent rates x and y. Deterministic: a fixed quadrature, no sampling. */
export function probabilityGreater(x: RateBelief, y: RateBelief, margin = 0): number {
  const pointX = pointOf(x);
  const pointY = pointOf(y);
  if (pointX !== undefined && pointY !== undefined) return pointX > pointY + margin ? 1 : 0;
  if (pointX !== undefined) return cdfBelow(y, pointX - margin);
  if (pointY !== undefined) return survival(x, pointY + margin);
  // Integrate over the narrower of the two, so the other's CDF is smooth on the panels' scale:
  // P(x > y + m) = ∫ f_y(t) S_x(t + m) dt = ∫ f_x(t) F_y(t - m) dt. The other's CDF has a kink
  // where its argument leaves [0, 1]: a panel edge goes there.
  return spread(y) <= spread(x) ? clamp(integrate(y, (t) => survival(x, t + margin), 1 - margin)) : clamp(integrate(x, (t) => cdfBelow(y, t - margin), margin));
}

/** P(rate < x); the same as the CDF for a beta, but strict for a point mass (ties do not count as below). */
function cdfBelow(rate: RateBelief, x: number): number {
  const point = pointOf(rate);
  if (point !== undefined) return point < x ? 1 : 0;
  return cdf(rate, x);
}

function pointOf(rate: RateBelief): number | undefined {
  if (rate.a === 0) return 0;
  if (rate.b === 0) return 1;
  return undefined;
}

function spread(rate: RateBelief): number {
  const { a, b } = rate;
  return Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
}

/**
 * Panel edges in standard deviations from the mean: fine where the mass is, coarse in the tails.
 * Past 20 standard deviations a beta with whole parameters ≥ 1 has less than 1e-9 of its mass
 * (the slowest tail, Beta(1, n)'s, falls as e^-(1+t)).
 */
const PANEL_EDGES = [-20, -12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12, 20];
const GAUSS = gaussLegendre(8);

/**
 * ∫ f_rate(t) g(t) dt over [0, 1], by Gauss–Legendre on panels scaled to the distribution's spread,
 * with one more edge at `kink`, where g is not smooth.
 */
function integrate(rate: RateBelief, g: (t: number) => number, kink: number): number {
  const { a, b } = rate;
  const mean = a / (a + b);
  const sd = spread(rate);
  const logNorm = betaln(a, b);
  const edges = PANEL_EDGES.map((z) => Math.min(1, Math.max(0, mean + sd * z)));
  edges.push(Math.min(1, Math.max(0, kink)));
  edges.sort((p, q) => p - q);
  let total = 0;
  let lo = edges[0] ?? 0;
  for (const hi of edges) {
    if (hi <= lo) continue;
    const half = (hi - lo) / 2;
    const mid = (hi + lo) / 2;
    for (const { node, weight } of GAUSS) {
      const t = mid + half * node;
      const density = Math.exp((a - 1) * Math.log(t) + (b - 1) * Math.log1p(-t) - logNorm);
      total += half * weight * density * g(t);
    }
    lo = hi;
  }
  return total;
}

function clamp(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/** Nodes and weights of the n-point Gauss–Legendre rule on [-1, 1] (Newton's method on P_n). */
function gaussLegendre(n: number): { node: number; weight: number }[] {
  const rule: { node: number; weight: number }[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let derivative = 0;
    for (let step = 0; step < 100; step++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const next = x - p1 / derivative;
      const done = Math.abs(next - x) < 1e-15;
      x = next;
      if (done) break;
    }
    rule.push({ node: x, weight: 2 / ((1 - x * x) * derivative * derivative) });
  }
  return rule;
}
