/**
 * Canaries judged on evidence (docs/analysis.md): what one version of a function did over a step,
 * read from the `AWS/Lambda` metrics Lambda publishes per alias and executed version, and the
 * verdict slipway draws from the canary's evidence against the stable version's.
 */

/** What one version did through the alias over a window: sums, and the p99 duration when known. */
export interface VersionEvidence {
  invocations: number;
  errors: number;
  throttles: number;
  /** p99 of `Duration` in milliseconds; undefined when there was no invocation or no datapoint. */
  p99DurationMs?: number;
}

/** The analysis block of a target's health, as the verdict needs it (defaults applied). */
export interface AnalysisSettings {
  /** Invocations of the canary version a step needs before a verdict other than inconclusive. */
  minInvocations: number;
  /** The canary's error rate may never exceed this, whatever the baseline. */
  maxErrorRate: number;
  /** `baseline`: compared with the stable version's error rate; `threshold`: against maxErrorRate only. */
  compare: 'baseline' | 'threshold';
  /** How sure the verdict must be, for pass and for fail (0.5–0.9999). */
  confidence: number;
  /** The canary's error rate may exceed the baseline's by this much (absolute) and still pass; 0 when absent. */
  margin?: number;
  /** p99 Duration of the canary over the baseline's may not exceed this ratio; not judged when absent. */
  maxDurationRatio?: number;
}

export type Outcome = 'pass' | 'fail' | 'inconclusive';

/** A verdict with its evidence, as the timeline records it. */
export interface Verdict {
  outcome: Outcome;
  /** Why, in a sentence for people: counts, rates, the test's result. */
  why: string;
  /** The error verdict: the test's outcome and what it computed. */
  errors: {
    outcome: Outcome;
    canaryRate: number;
    baselineRate?: number;
    /** The probability (posterior, or 1 - p-value, by the test used) that the canary is worse than allowed. */
    probabilityWorse?: number;
    /**
     * The probability that the canary is within what is allowed (under maxErrorRate, and under the
     * baseline's rate + margin when compared); what a pass needs at `confidence`. 0 when not worked out
     * (a fail, or no invocations).
     */
    probabilityWithin?: number;
  };
  /** The latency verdict, when maxDurationRatio is set and both p99s are known. */
  latency?: { outcome: Outcome; ratio?: number };
}
