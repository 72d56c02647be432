/**
 * The verdict on a canary from its own evidence against the stable version's (docs/analysis.md).
 *
 * Errors: the skeptical beta bounds of each error rate (proportions.ts), which make "worse than the
 * baseline" Fisher's exact test and "above maxErrorRate" the exact binomial test, each with the
 * margin as well. Fail when the canary is worse than allowed at `confidence`; pass when it is
 * within what is allowed at `confidence` and has served `minInvocations`; inconclusive otherwise.
 * Before `minInvocations` only an early fail is possible, at a stricter level (EARLY_FAIL_FACTOR).
 * Latency: the ratio of the p99s, when both are known and `maxDurationRatio` is set.
 */
import type { AnalysisSettings, Outcome, Verdict, VersionEvidence } from './evidence.js';
import { cdf, probabilityGreater, rateBounds, survival } from './proportions.js';

/**
 * Before `minInvocations` the canary fails only when P(worse) ≥ 1 - (1 - confidence) / 50: 0.999
 * at the default 0.95, the level Haybittle and Peto used for interim looks at a trial against 0.05
 * at its end, so looking every minute costs the final level little.
 */
export const EARLY_FAIL_FACTOR = 50;

export const earlyFailLevel = (confidence: number) => 1 - (1 - confidence) / EARLY_FAIL_FACTOR;

export function judge(canary: VersionEvidence, baseline: VersionEvidence | undefined, settings: AnalysisSettings): Verdict {
  const errors = judgeErrors(canary, baseline, settings);
  const latency = judgeLatency(canary, baseline, settings);
  const outcome: Outcome =
    errors.outcome === 'fail' || latency?.outcome === 'fail'
      ? 'fail'
      : errors.outcome === 'pass' && latency?.outcome !== 'inconclusive' // (only before minInvocations)
        ? 'pass'
        : 'inconclusive';
  return {
    outcome,
    why: explain(canary, baseline, settings, errors, latency, outcome),
    errors: {
      outcome: errors.outcome,
      canaryRate: errors.canaryRate,
      ...(errors.baselineRate !== undefined && { baselineRate: errors.baselineRate }),
      probabilityWorse: errors.probabilityWorse,
      probabilityWithin: errors.probabilityWithin,
    },
    ...(latency && { latency: { outcome: latency.outcome, ratio: latency.ratio } }),
  };
}

interface ErrorJudgement {
  outcome: Outcome;
  canaryRate: number;
  baselineRate?: number;
  probabilityWorse: number;
  probabilityWithin: number;
  /** What decided a fail: the baseline comparison or the ceiling. */
  failedOn?: 'baseline' | 'maxErrorRate';
  /** The baseline was compared with (compare: baseline, and the stable version had invocations). */
  compared: boolean;
  early: boolean;
}

function judgeErrors(canary: VersionEvidence, baseline: VersionEvidence | undefined, settings: AnalysisSettings): ErrorJudgement {
  const { confidence, maxErrorRate, minInvocations } = settings;
  const margin = settings.margin ?? 0;
  const c = counts(canary);
  const b = baseline && baseline.invocations > 0 ? counts(baseline) : undefined;
  const compared = settings.compare === 'baseline' && b !== undefined;
  const canaryBounds = rateBounds(c.errors, c.invocations);

  // P(worse): the canary's low bound against the ceiling, and against the baseline's high bound.
  const worseThanCeiling = survival(canaryBounds.low, maxErrorRate);
  const worseThanBaseline = compared ? probabilityGreater(canaryBounds.low, rateBounds(b.errors, b.invocations).high, margin) : 0;
  const probabilityWorse = Math.max(worseThanCeiling, worseThanBaseline);

  const enough = c.invocations >= minInvocations;
  const failLevel = enough ? confidence : earlyFailLevel(confidence);
  const failed = probabilityWorse >= failLevel;

  // P(within): the canary's high bound under the ceiling and under the baseline's low bound + margin.
  // Only worked out when it can decide something (it costs a quadrature).
  let probabilityWithin = 0;
  if (!failed && c.invocations > 0) {
    const underCeiling = cdf(canaryBounds.high, maxErrorRate);
    const underBaseline = compared ? 1 - probabilityGreater(canaryBounds.high, rateBounds(b.errors, b.invocations).low, margin) : 1;
    probabilityWithin = Math.min(underCeiling, underBaseline);
  }
  const outcome: Outcome = failed ? 'fail' : enough && probabilityWithin >= confidence ? 'pass' : 'inconclusive';
  return {
    outcome,
    canaryRate: c.invocations > 0 ? c.errors / c.invocations : 0,
    ...(b && { baselineRate: b.errors / b.invocations }),
    probabilityWorse,
    probabilityWithin,
    ...(failed && { failedOn: worseThanBaseline >= worseThanCeiling ? ('baseline' as const) : ('maxErrorRate' as const) }),
    compared,
    early: failed && !enough,
  };
}

/** Errors can run ahead of invocations when the two sums' datapoints fall in different minutes. */
function counts(evidence: VersionEvidence): { invocations: number; errors: number } {
  const invocations = Math.max(0, Math.round(evidence.invocations));
  return { invocations, errors: Math.min(invocations, Math.max(0, Math.round(evidence.errors))) };
}

interface LatencyJudgement {
  outcome: Outcome;
  ratio: number;
  canaryMs: number;
  baselineMs: number;
}

function judgeLatency(canary: VersionEvidence, baseline: VersionEvidence | undefined, settings: AnalysisSettings): LatencyJudgement | undefined {
  const max = settings.maxDurationRatio;
  const canaryMs = canary.p99DurationMs;
  const baselineMs = baseline?.p99DurationMs;
  if (max === undefined || canaryMs === undefined || baselineMs === undefined || !(baselineMs > 0)) return undefined;
  const ratio = canaryMs / baselineMs;
  // A p99 over a handful of invocations is their maximum: it fails nothing before minInvocations.
  const outcome: Outcome = ratio <= max ? 'pass' : canary.invocations >= settings.minInvocations ? 'fail' : 'inconclusive';
  return { outcome, ratio, canaryMs, baselineMs };
}

function explain(
  canary: VersionEvidence,
  baseline: VersionEvidence | undefined,
  settings: AnalysisSettings,
  errors: ErrorJudgement,
  latency: LatencyJudgement | undefined,
  outcome: Outcome,
): string {
  const { minInvocations, confidence, maxErrorRate } = settings;
  const c = counts(canary);
  const served = c.invocations < minInvocations ? `${count(c.invocations)}/${count(minInvocations)}` : count(c.invocations);
  const parts = [`canary ${served} invocations, ${count(c.errors)} ${c.errors === 1 ? 'error' : 'errors'} (${percent(errors.canaryRate)})`];
  const b = baseline && baseline.invocations > 0 ? counts(baseline) : undefined;
  if (b && errors.compared) parts.push(`baseline ${percent(b.errors / b.invocations)} of ${count(b.invocations)}`);
  else if (b) parts.push(`baseline ${percent(b.errors / b.invocations)} of ${count(b.invocations)} (not compared: threshold ${percent(maxErrorRate)})`);
  else parts.push(`no baseline invocations, threshold ${percent(maxErrorRate)}`);
  const failLevel = c.invocations >= minInvocations ? confidence : earlyFailLevel(confidence);
  parts.push(`P(worse) ${probability(errors.probabilityWorse, [failLevel])}`);
  if (errors.outcome !== 'fail' && c.invocations >= minInvocations) parts.push(`P(within) ${probability(errors.probabilityWithin, [confidence])}`);
  if (latency) parts.push(`p99 ${ms(latency.canaryMs)} vs ${ms(latency.baselineMs)} (${latency.ratio.toFixed(2)}×, max ${settings.maxDurationRatio}×)`);
  return `${parts.join('; ')} — ${outcome}${reason(c.invocations, settings, errors, latency, outcome, confidence)}`;
}

function reason(
  invocations: number,
  settings: AnalysisSettings,
  errors: ErrorJudgement,
  latency: LatencyJudgement | undefined,
  outcome: Outcome,
  confidence: number,
): string {
  const level = percent(confidence, 2).replace('.00%', '%');
  if (outcome === 'fail') {
    const why: string[] = [];
    if (errors.outcome === 'fail') {
      const what =
        errors.failedOn === 'baseline'
          ? `error rate worse than the baseline's${settings.margin ? ` + ${percent(settings.margin)}` : ''}`
          : `error rate above ${percent(settings.maxErrorRate)}`;
      why.push(
        errors.early ? `${what} at ${probability(earlyFailLevel(confidence))} before ${count(settings.minInvocations)} invocations` : `${what} at ${level}`,
      );
    }
    if (latency?.outcome === 'fail') why.push(`p99 over ${settings.maxDurationRatio}× the baseline's`);
    return `: ${why.join(', and ')}`;
  }
  if (outcome === 'pass') return '';
  const missing = settings.minInvocations - invocations;
  if (missing > 0) return `: ${count(missing)} more ${missing === 1 ? 'invocation' : 'invocations'} needed`;
  return `: neither P(worse) nor P(within) reaches ${probability(confidence)} yet`;
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (rate: number, digits = 2) => `${(100 * rate).toFixed(digits)}%`;
const ms = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ms`;

/**
 * Two decimals, more when needed so that a value is never shown as 0 or 1 when it is not, nor as a
 * level it has not reached (0.9496 is 0.9496 against 0.95, not 0.95).
 */
function probability(p: number, levels: number[] = []): string {
  if (p === 0 || p === 1) return String(p);
  for (const digits of [2, 3, 4, 5, 6]) {
    const shown = Number(p.toFixed(digits));
    if (shown !== 0 && shown !== 1 && levels.every((level) => shown >= level === p >= level)) return p.toFixed(digits);
  }
  return p < 0.5 ? '<0.000001' : '>0.999999';
}
