/**
 * A canary judged on evidence against a timed canary with an error alarm, simulated (no AWS): a
 * function serving 1, 10 and 1,000 requests a minute (Poisson), a 10% canary, the stable version
 * at 1% errors and the new one at 3% (a regression) or 1% (none). Seeded: every run draws the same
 * traffic.
 *
 * - slipway: the canary step checked every minute with the evidence since the step began, ending
 *   at the first pass or fail (judge), or inconclusive at maxBakeSeconds.
 * - timed: CodeDeploy's Canary10Percent10Minutes with a CloudWatch alarm on the function's Errors
 *   (Sum over 1 minute >= threshold, 1 of 1 datapoints); the alarm rolls back, else it passes at
 *   10 minutes. The threshold is the lowest whose false alarms stay within 5% over the 10 minutes
 *   at the healthy error rate, the same budget as confidence 0.95.
 */
import type { AnalysisSettings } from '../shared/domain/analysis/evidence.js';
import { probabilityGreater } from '../shared/domain/analysis/proportions.js';
import { judge } from '../shared/domain/analysis/verdict.js';
import { binomial, poisson, seededRandom } from '../test/support/canary-simulation.js';

export const EVIDENCE_SETTINGS: AnalysisSettings & { maxBakeSeconds: number } = {
  minInvocations: 300,
  maxErrorRate: 0.05,
  compare: 'baseline',
  confidence: 0.95,
  margin: 0.005,
  maxBakeSeconds: 3600,
};
export const CANARY_SHARE = 0.1;
export const BASELINE_RATE = 0.01;
export const REGRESSED_RATE = 0.03;
const TIMED_MINUTES = 10;

/** Per outcome, the minutes from the step's start to its end of each run that ended so. */
export interface Tally {
  fail: number[];
  pass: number[];
  inconclusive: number[];
}

export interface EvidenceCase {
  perMinute: number;
  regression: boolean;
  /** slipway's margin in this case (EVIDENCE_SETTINGS' but for the margin-0 rows). */
  margin: number;
  slipway: Tally;
  timed: Tally;
  /** The timed canary's alarm threshold, errors per minute. */
  threshold: number;
  /** Canary invocations at the end of slipway's step (median). */
  canaryInvocations: number;
}

export interface SingleLookRow {
  rate: number;
  canary: number;
  baseline: number;
  /** False fails at confidence 0.95: slipway's bounds, and a beta posterior with a uniform and a Jeffreys prior. */
  slipway: number;
  uniform: number;
  jeffreys: number;
}

export interface EvidenceResult {
  runs: number;
  settings: typeof EVIDENCE_SETTINGS;
  cases: EvidenceCase[];
  singleLook: { canaries: number; rows: SingleLookRow[] };
  judgeMicros: number;
}

const empty = (): Tally => ({ fail: [], pass: [], inconclusive: [] });

export function benchEvidence(runs: number): EvidenceResult {
  const cases: EvidenceCase[] = [];
  let judged = 0;
  let judging = 0;
  const plan = [1, 10, 1000].flatMap((perMinute) => [true, false].map((regression) => ({ perMinute, regression, margin: EVIDENCE_SETTINGS.margin ?? 0 })));
  // The busy function once more with margin 0, where a pass means "better than the stable version".
  plan.push({ perMinute: 1000, regression: true, margin: 0 }, { perMinute: 1000, regression: false, margin: 0 });
  for (const { perMinute, regression, margin } of plan) {
    const settings = { ...EVIDENCE_SETTINGS, margin };
    const canaryRate = regression ? REGRESSED_RATE : BASELINE_RATE;
    const threshold = alarmThreshold(perMinute * BASELINE_RATE);
    const slipway = empty();
    const timed = empty();
    const served: number[] = [];
    const random = seededRandom(perMinute * 2 + Number(regression));
    // (the same seed with either margin: the same traffic)
    for (let run = 0; run < runs; run++) {
      // One traffic history per run, shared by both methods: minute by minute, canary and stable.
      const minutes = Math.max(EVIDENCE_SETTINGS.maxBakeSeconds / 60, TIMED_MINUTES);
      const history = Array.from({ length: minutes }, () => {
        const requests = poisson(random, perMinute);
        const canary = binomial(random, requests, CANARY_SHARE);
        const stable = requests - canary;
        return { canary, canaryErrors: binomial(random, canary, canaryRate), stable, stableErrors: binomial(random, stable, BASELINE_RATE) };
      });

      // slipway: cumulative evidence since the step began, judged at the end of every minute.
      const sums = { canary: 0, canaryErrors: 0, stable: 0, stableErrors: 0 };
      let ended = false;
      for (let minute = 1; minute <= EVIDENCE_SETTINGS.maxBakeSeconds / 60 && !ended; minute++) {
        const m = history[minute - 1];
        if (!m) break;
        sums.canary += m.canary;
        sums.canaryErrors += m.canaryErrors;
        sums.stable += m.stable;
        sums.stableErrors += m.stableErrors;
        const started = performance.now();
        const verdict = judge(
          { invocations: sums.canary, errors: sums.canaryErrors, throttles: 0 },
          { invocations: sums.stable, errors: sums.stableErrors, throttles: 0 },
          settings,
        );
        judging += performance.now() - started;
        judged++;
        if (verdict.outcome !== 'inconclusive') {
          slipway[verdict.outcome].push(minute);
          ended = true;
        }
      }
      if (!ended) slipway.inconclusive.push(EVIDENCE_SETTINGS.maxBakeSeconds / 60);
      served.push(sums.canary);

      // timed: the alarm on the whole function's errors, minute by minute, for 10 minutes.
      const fired = history.slice(0, TIMED_MINUTES).findIndex((m) => m.canaryErrors + m.stableErrors >= threshold);
      if (fired >= 0) timed.fail.push(fired + 1);
      else timed.pass.push(TIMED_MINUTES);
    }
    cases.push({ perMinute, regression, margin, slipway, timed, threshold, canaryInvocations: median(served) });
  }
  return { runs, settings: EVIDENCE_SETTINGS, cases, singleLook: singleLook(2000), judgeMicros: (1000 * judging) / judged };
}

/** The lowest errors-per-minute threshold whose false alarms stay within 5% over the timed canary. */
export function alarmThreshold(errorsPerMinute: number): number {
  for (let threshold = 1; ; threshold++) {
    // P(Poisson(λ) < threshold), per minute; no alarm in 10 independent minutes with probability ≥ 95%.
    let term = Math.exp(-errorsPerMinute);
    let below = 0;
    for (let k = 0; k < threshold; k++) {
      below += term;
      term *= errorsPerMinute / (k + 1);
    }
    if (below ** TIMED_MINUTES >= 0.95) return threshold;
  }
}

/**
 * One look at canaries with the baseline's error rate: how often each way of judging calls a fail
 * at confidence 0.95 (slipway's bounds against the beta posterior with a uniform or Jeffreys prior).
 */
function singleLook(canaries: number): { canaries: number; rows: SingleLookRow[] } {
  const rows: SingleLookRow[] = [];
  const random = seededRandom(2026);
  const scenarios: [number, number, number][] = [
    [0.001, 350, 350_000],
    [0.001, 300, 2700],
    [0.01, 300, 2700],
    [0.01, 1000, 9000],
    [0.1, 300, 2700],
  ];
  for (const [rate, canary, baseline] of scenarios) {
    const row = { rate, canary, baseline, slipway: 0, uniform: 0, jeffreys: 0 };
    for (let i = 0; i < canaries; i++) {
      const xc = binomial(random, canary, rate);
      const xb = binomial(random, baseline, rate);
      const settings = { ...EVIDENCE_SETTINGS, maxErrorRate: 1, margin: 0 };
      if (judge({ invocations: canary, errors: xc, throttles: 0 }, { invocations: baseline, errors: xb, throttles: 0 }, settings).outcome === 'fail')
        row.slipway++;
      const posterior = (prior: number, x: number, n: number) => ({ a: prior + x, b: prior + n - x });
      if (probabilityGreater(posterior(1, xc, canary), posterior(1, xb, baseline)) >= 0.95) row.uniform++;
      if (probabilityGreater(posterior(0.5, xc, canary), posterior(0.5, xb, baseline)) >= 0.95) row.jeffreys++;
    }
    rows.push({ ...row, slipway: row.slipway / canaries, uniform: row.uniform / canaries, jeffreys: row.jeffreys / canaries });
  }
  return { canaries, rows };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export { median as medianOf };
