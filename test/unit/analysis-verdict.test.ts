import { describe, expect, it } from 'vitest';
import type { AnalysisSettings, VersionEvidence } from '../../shared/domain/analysis/evidence.js';
import { cdf, probabilityGreater, rateBounds, survival } from '../../shared/domain/analysis/proportions.js';
import { judge } from '../../shared/domain/analysis/verdict.js';

/*
 * Reference values: scipy 1.17.1 (python3 on this machine), computed once and pasted below; the
 * tests never run python. Two independent routes: Fisher's exact test (hypergeometric sums), which
 * the skeptical beta bounds reproduce at margin 0 (Altham 1969), and adaptive quadrature for the
 * margins, where Fisher has nothing to say.
 *
 *   from scipy import stats, integrate
 *   def greater(a1, b1, a2, b2, m=0.0):  # P(X > Y + m), X ~ Beta(a1, b1), Y ~ Beta(a2, b2)
 *       mu = a2 / (a2 + b2); sd = (a2 * b2 / ((a2 + b2) ** 2 * (a2 + b2 + 1))) ** 0.5
 *       f = lambda y: stats.beta.pdf(y, a2, b2) * stats.beta.sf(y + m, a1, b1)
 *       lo, hi = max(0, mu - 40 * sd), min(1, mu + 40 * sd)
 *       return integrate.quad(f, lo, hi, points=[p for p in (mu - sd, mu, mu + sd, 1 - m) if lo < p < hi],
 *                             limit=2000, epsabs=1e-14, epsrel=1e-12)[0]
 *   for xc, nc, xb, nb in FISHER:
 *       t = [[xc, nc - xc], [xb, nb - xb]]
 *       print(stats.fisher_exact(t, alternative='greater')[1], stats.fisher_exact(t, alternative='less')[1])
 *   for xc, nc, xb, nb, m in MARGINS:
 *       worse = greater(xc, nc - xc + 1, xb + 1, nb - xb, m) if xc > 0 else 0.0
 *       within = 1 - (greater(xc + 1, nc - xc, xb, nb - xb + 1, m) if xb > 0 else stats.beta.sf(m, xc + 1, nc - xc))
 *       print(worse, within)
 */

/** [canary errors, canary invocations, baseline errors, baseline invocations, Fisher p (greater), Fisher p (less)]. */
const FISHER: [number, number, number, number, number, number][] = [
  [3, 10, 1, 20, 0.09523809523809522, 0.9923371647509579],
  [5, 300, 20, 3000, 0.07029482709499889, 0.9784566256184254],
  [10, 200, 5, 400, 0.007790240760247989, 0.9984085688975454],
  // Sparse: one error in 350 against 0.01% of 350,000.
  [1, 350, 35, 350_000, 0.03534408916679313, 0.9993869967312473],
  // Huge samples, a tiny difference: 1.03% of a million against 1.00% of ten million.
  [10_300, 1_000_000, 100_000, 10_000_000, 0.002147493360134739, 0.9979220898708446],
  [0, 300, 26, 12_400, 1.0, 0.536781848327442],
  [2, 1000, 26, 12_400, 0.6288927427626533, 0.6516219424680119],
];

/** [canary errors, canary invocations, baseline errors, baseline invocations, margin, P(worse), P(within)] by quadrature. */
const MARGINS: [number, number, number, number, number, number, number][] = [
  [5, 300, 20, 3000, 0.005, 0.7050181612088672, 0.14653850145703018],
  [2, 50, 1, 100, 0.01, 0.5834949610333565, 0.09350229424073986],
  [10_300, 1_000_000, 100_000, 10_000_000, 0.0002, 0.827484424604661, 0.1698681611949121],
  [0, 300, 26, 12_400, 0.005, 0, 0.8810460120818424],
  [30, 1000, 10, 1000, 0.01, 0.9271535878402517, 0.036373513343876285],
];

const worse = (xc: number, nc: number, xb: number, nb: number, margin = 0) => probabilityGreater(rateBounds(xc, nc).low, rateBounds(xb, nb).high, margin);
const within = (xc: number, nc: number, xb: number, nb: number, margin = 0) => 1 - probabilityGreater(rateBounds(xc, nc).high, rateBounds(xb, nb).low, margin);

describe('Function: probabilityGreater', () => {
  it.each(FISHER)('is one minus Fisher’s exact p-values at margin 0: %i/%i against %i/%i', (xc, nc, xb, nb, greater, less) => {
    // Act
    const pWorse = worse(xc, nc, xb, nb);
    const pWithin = within(xc, nc, xb, nb);
    // Assess
    expect(pWorse).toBeCloseTo(1 - greater, 8);
    expect(pWithin).toBeCloseTo(1 - less, 8);
  });

  it.each(MARGINS)('matches adaptive quadrature with a margin: %i/%i against %i/%i, margin %f', (xc, nc, xb, nb, margin, pWorse, pWithin) => {
    // Act & Assess
    expect(worse(xc, nc, xb, nb, margin)).toBeCloseTo(pWorse, 8);
    expect(within(xc, nc, xb, nb, margin)).toBeCloseTo(pWithin, 8);
  });

  it('agrees with closed forms for uniform and triangular rates', () => {
    // Prepare
    const uniform = { a: 1, b: 1 };
    const triangular = { a: 2, b: 1 };
    // Act & Assess
    expect(probabilityGreater(uniform, uniform)).toBeCloseTo(0.5, 12);
    // P(U1 > U2 + m) = (1 - m)² / 2
    expect(probabilityGreater(uniform, uniform, 0.3)).toBeCloseTo(0.49 / 2, 12);
    // ∫ 2x · x dx over [0, 1]
    expect(probabilityGreater(triangular, uniform)).toBeCloseTo(2 / 3, 12);
    // P(U > Y) = 1 - E[Y] for Y ~ Beta(101, 99,900)
    expect(probabilityGreater(uniform, { a: 101, b: 99_900 })).toBeCloseTo(1 - 101 / 100_001, 12);
  });

  it('calls a canary with no errors never worse, whatever the baseline', () => {
    // Act & Assess
    expect(worse(0, 5, 0, 1_000_000)).toBe(0);
    expect(worse(0, 100_000, 0, 1)).toBe(0);
    expect(worse(0, 1, 0, 0)).toBe(0);
  });
});

describe('Function: rateBounds', () => {
  it('is the exact binomial test against a ceiling: zero errors in n are under 1% at 95% from n = 299 (the rule of three)', () => {
    // Act
    const at = (n: number) => cdf(rateBounds(0, n).high, 0.01);
    // Assess
    expect(at(299)).toBeCloseTo(1 - 0.99 ** 299, 12);
    expect(at(298)).toBeLessThan(0.95);
    expect(at(299)).toBeGreaterThanOrEqual(0.95);
  });

  it('gives P(rate > q) as one minus the binomial test’s p-value', () => {
    // Prepare: P(Bin(20, 0.1) ≥ 5) = 1 - Σ_{k<5} C(20,k) 0.1^k 0.9^(20-k)
    const binom = (n: number, k: number): number => (k === 0 ? 1 : (binom(n, k - 1) * (n - k + 1)) / k);
    const pValue = 1 - [0, 1, 2, 3, 4].reduce((sum, k) => sum + binom(20, k) * 0.1 ** k * 0.9 ** (20 - k), 0);
    // Act & Assess
    expect(survival(rateBounds(5, 20).low, 0.1)).toBeCloseTo(1 - pValue, 12);
  });
});

const SETTINGS: AnalysisSettings = { minInvocations: 300, maxErrorRate: 0.01, compare: 'baseline', confidence: 0.95 };
const ev = (invocations: number, errors: number, p99DurationMs?: number): VersionEvidence => ({
  invocations,
  errors,
  throttles: 0,
  ...(p99DurationMs !== undefined && { p99DurationMs }),
});

describe('Function: judge (errors)', () => {
  it('says how many invocations a zero-error canary still needs', () => {
    // Act
    const verdict = judge(ev(184, 0), ev(12_400, 26), SETTINGS);
    // Assess
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.errors).toMatchObject({ outcome: 'inconclusive', canaryRate: 0, probabilityWorse: 0 });
    expect(verdict.errors.baselineRate).toBeCloseTo(26 / 12_400, 12);
    expect(verdict.why).toBe('canary 184/300 invocations, 0 errors (0.00%); baseline 0.21% of 12,400; P(worse) 0 — inconclusive: 116 more invocations needed');
  });

  it('does not pass a zero-error canary at margin 0 against a 0.21% baseline: 300 invocations cannot show it is better', () => {
    // Act
    const verdict = judge(ev(300, 0), ev(12_400, 26), SETTINGS);
    // Assess
    expect(verdict.outcome).toBe('inconclusive');
    expect(verdict.errors.probabilityWithin).toBeCloseTo(1 - 0.536781848327442, 8);
    expect(verdict.why).toContain('neither P(worse) nor P(within) reaches 0.95 yet');
  });

  it('passes the same canary with a margin of 1%, and not with 0.5%', () => {
    // Act
    const wide = judge(ev(300, 0), ev(12_400, 26), { ...SETTINGS, margin: 0.01 });
    const narrow = judge(ev(300, 0), ev(12_400, 26), { ...SETTINGS, margin: 0.005 });
    // Assess
    expect(wide.outcome).toBe('pass');
    expect(narrow.outcome).toBe('inconclusive');
    expect(narrow.errors.probabilityWithin).toBeCloseTo(0.8810460120818424, 8);
  });

  it('fails a canary worse than the baseline at the confidence once it has minInvocations', () => {
    // Prepare: 10/200 against 5/400, Fisher's p 0.0078
    const settings = { ...SETTINGS, minInvocations: 200, maxErrorRate: 0.2 };
    // Act
    const verdict = judge(ev(200, 10), ev(400, 5), settings);
    // Assess
    expect(verdict.outcome).toBe('fail');
    expect(verdict.errors.probabilityWorse).toBeCloseTo(1 - 0.007790240760247989, 8);
    expect(verdict.why).toMatch(/— fail: error rate worse than the baseline's at 95%$/);
  });

  it('fails early only on overwhelming evidence: P(worse) 0.992 before minInvocations is inconclusive, after it a fail', () => {
    // Prepare: 10/200 against 5/400 (P(worse) 0.9922), minInvocations 300 then 200
    const before = { ...SETTINGS, maxErrorRate: 0.2 };
    // Act
    const early = judge(ev(200, 10), ev(400, 5), before);
    const late = judge(ev(200, 10), ev(400, 5), { ...before, minInvocations: 200 });
    // Assess
    expect(early.outcome).toBe('inconclusive');
    expect(late.outcome).toBe('fail');
  });

  it('fails early on two errors in two invocations, not on one in one (tiny samples)', () => {
    // Prepare: a 0.1% baseline of 100,000
    const baseline = ev(100_000, 100);
    // Act
    const one = judge(ev(1, 1), baseline, SETTINGS);
    const two = judge(ev(2, 2), baseline, SETTINGS);
    // Assess: P(U > p_b) = 1 - E[p_b] = 1 - 101/100,001 < 0.999; P(Beta(2,1) > p_b) = 1 - E[p_b²]
    expect(one.outcome).toBe('inconclusive');
    expect(one.errors.probabilityWorse).toBeCloseTo(1 - 101 / 100_001, 12);
    expect(two.outcome).toBe('fail');
    expect(two.why).toBe(
      "canary 2/300 invocations, 2 errors (100.00%); baseline 0.10% of 100,000; P(worse) 0.999999 — fail: error rate worse than the baseline's at 0.999 before 300 invocations",
    );
  });

  it('tells a 0.03% regression from ten million invocations, and lets it through with a 0.1% margin', () => {
    // Prepare
    const settings = { ...SETTINGS, maxErrorRate: 0.05 };
    const canary = ev(1_000_000, 10_300);
    const baseline = ev(10_000_000, 100_000);
    // Act
    const strict = judge(canary, baseline, settings);
    const tolerant = judge(canary, baseline, { ...settings, margin: 0.001 });
    const between = judge(canary, baseline, { ...settings, margin: 0.0002 });
    // Assess
    expect(strict.outcome).toBe('fail');
    expect(strict.errors.probabilityWorse).toBeCloseTo(1 - 0.002147493360134739, 8);
    expect(tolerant.outcome).toBe('pass');
    expect(between.outcome).toBe('inconclusive');
    expect(between.errors.probabilityWorse).toBeCloseTo(0.827484424604661, 8);
  });

  it('never lets the canary above maxErrorRate, whatever the baseline', () => {
    // Prepare: both at 3%, the ceiling at 1%
    // Act
    const verdict = judge(ev(1000, 30), ev(100_000, 3000), { ...SETTINGS, margin: 0.01 });
    // Assess
    expect(verdict.outcome).toBe('fail');
    expect(verdict.why).toMatch(/fail: error rate above 1\.00% at 95%$/);
  });

  it('judges against maxErrorRate only in threshold mode', () => {
    // Prepare: 2% against a 0.1% baseline, the ceiling at 5%
    const settings = { ...SETTINGS, maxErrorRate: 0.05 };
    // Act
    const threshold = judge(ev(1000, 20), ev(100_000, 100), { ...settings, compare: 'threshold' });
    const baseline = judge(ev(1000, 20), ev(100_000, 100), settings);
    // Assess
    expect(threshold.outcome).toBe('pass');
    expect(threshold.why).toContain('baseline 0.10% of 100,000 (not compared: threshold 5.00%)');
    expect(baseline.outcome).toBe('fail');
  });

  it('judges against maxErrorRate only when the stable version had no invocations', () => {
    // Act
    const none = judge(ev(300, 0), undefined, SETTINGS);
    const idle = judge(ev(300, 0), ev(0, 0), SETTINGS);
    const above = judge(ev(300, 9), undefined, SETTINGS);
    // Assess: 1 - 0.99^300 = 0.951
    expect(none.outcome).toBe('pass');
    expect(none.errors.probabilityWithin).toBeCloseTo(1 - 0.99 ** 300, 12);
    expect(none.errors.baselineRate).toBeUndefined();
    expect(idle.outcome).toBe('pass');
    expect(none.why).toBe('canary 300 invocations, 0 errors (0.00%); no baseline invocations, threshold 1.00%; P(worse) 0; P(within) 0.95 — pass');
    expect(above.outcome).toBe('fail');
  });

  it('is inconclusive with no canary invocation at all', () => {
    // Act
    const verdict = judge(ev(0, 0), ev(12_400, 26), SETTINGS);
    // Assess
    expect(verdict).toMatchObject({ outcome: 'inconclusive', errors: { canaryRate: 0, probabilityWorse: 0, probabilityWithin: 0 } });
    expect(verdict.why).toContain('300 more invocations needed');
  });

  it('counts errors reported ahead of their invocations as at most all of them', () => {
    // Act
    const verdict = judge(ev(3, 5), ev(12_400, 26), SETTINGS);
    // Assess
    expect(verdict.errors.canaryRate).toBe(1);
    expect(verdict.outcome).toBe('fail');
  });
});

describe('Function: judge (latency)', () => {
  const settings = { ...SETTINGS, margin: 0.01, maxDurationRatio: 1.5 };

  it('fails a p99 above the ratio once the canary has minInvocations, even when its errors pass', () => {
    // Act
    const verdict = judge(ev(300, 0, 480), ev(12_400, 26, 300), settings);
    // Assess
    expect(verdict.errors.outcome).toBe('pass');
    expect(verdict.latency).toEqual({ outcome: 'fail', ratio: 1.6 });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.why).toContain('p99 480 ms vs 300 ms (1.60×, max 1.5×) — fail: p99 over 1.5× the baseline');
  });

  it('does not fail a slow p99 before minInvocations', () => {
    // Act
    const verdict = judge(ev(20, 0, 900), ev(12_400, 26, 300), settings);
    // Assess
    expect(verdict.latency).toEqual({ outcome: 'inconclusive', ratio: 3 });
    expect(verdict.outcome).toBe('inconclusive');
  });

  it('passes at the ratio, and with errors passing passes the whole verdict', () => {
    // Act
    const verdict = judge(ev(300, 0, 450), ev(12_400, 26, 300), settings);
    // Assess
    expect(verdict.latency).toEqual({ outcome: 'pass', ratio: 1.5 });
    expect(verdict.outcome).toBe('pass');
  });

  it('leaves latency out when a p99 is unknown or no ratio is set', () => {
    // Act & Assess
    expect(judge(ev(300, 0), ev(12_400, 26, 300), settings).latency).toBeUndefined();
    expect(judge(ev(300, 0, 450), ev(12_400, 26), settings).latency).toBeUndefined();
    expect(judge(ev(300, 0, 450), undefined, settings).latency).toBeUndefined();
    expect(judge(ev(300, 0, 450), ev(12_400, 26, 300), SETTINGS).latency).toBeUndefined();
  });

  it('keeps a passing latency from turning an inconclusive error verdict into a pass', () => {
    // Act
    const verdict = judge(ev(300, 1, 300), ev(12_400, 26, 300), settings);
    // Assess
    expect(verdict.latency?.outcome).toBe('pass');
    expect(verdict.errors.outcome).toBe('inconclusive');
    expect(verdict.outcome).toBe('inconclusive');
  });
});
