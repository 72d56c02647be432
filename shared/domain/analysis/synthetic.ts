/**
 * Synthetic traffic for a canary (docs/analysis.md § Synthetic traffic): how many direct
 * invocations of the canary version one bake tick sends, what counts as an error among their
 * answers, and the step's tally, which the workflow state carries and the verdict adds to the
 * canary's own evidence (the baseline stays real traffic only).
 */
import type { SyntheticConfig } from '../target.js';
import type { VersionEvidence } from './evidence.js';

/** Invocations one tick sends at most, whatever perMinute and the tick's length say. */
export const MAX_SYNTHETIC_BATCH = 100;
/** Invocations in flight at once. */
export const SYNTHETIC_CONCURRENCY = 10;
/**
 * The longest one batch may take, invocations waited out to their timeout included: CheckHealth
 * (90 s in serverless.yml) also waits for a probe of up to 60 s, alongside.
 */
export const SYNTHETIC_BATCH_BUDGET_MS = 30_000;

/** What the synthetic invocations of one step did. Small: it rides in the workflow state. */
export interface SyntheticTally {
  /** Invocations that ran (answered, failed or timed out); throttled ones did not run. */
  invocations: number;
  /** Of those, the ones that count as errors: a function error, a timeout, an unexpected answer. */
  errors: number;
  /** Invocations Lambda throttled: recorded, neither invocations nor errors (as Lambda counts them). */
  throttles?: number;
  /** The fraction of an invocation owed to the next tick (perMinute 30 over one-second ticks: half a one each). */
  carry?: number;
  /** Why the latest error counted as one, for the record. */
  lastError?: string;
}

/** What one direct invocation answered, as the SyntheticInvoker port reports it. */
export type SyntheticAnswer = { outcome: 'answered'; payload: unknown } | { outcome: 'failed'; why: string } | { outcome: 'throttled' };

export type SyntheticResult = { kind: 'ok' } | { kind: 'error'; why: string } | { kind: 'throttled' };

/** The most invocations a batch may hold so that it ends within SYNTHETIC_BATCH_BUDGET_MS even when every one times out. */
export function batchCap(timeoutMs: number): number {
  const rounds = Math.max(1, Math.floor(SYNTHETIC_BATCH_BUDGET_MS / Math.max(1, timeoutMs)));
  return Math.min(MAX_SYNTHETIC_BATCH, SYNTHETIC_CONCURRENCY * rounds);
}

/**
 * The batch of one tick that follows `waitSeconds` of bake: perMinute × waitSeconds / 60, plus what
 * earlier ticks owed, capped. Only the fraction is carried over: what the cap cuts is dropped, so a
 * long tick never becomes a burst later.
 */
export function syntheticBatch(config: Pick<SyntheticConfig, 'perMinute' | 'timeoutMs'>, waitSeconds: number, carry = 0): { size: number; carry: number } {
  const due = (config.perMinute * Math.max(0, waitSeconds)) / 60 + Math.max(0, carry);
  const whole = Math.floor(due + 1e-9);
  return { size: Math.min(whole, batchCap(config.timeoutMs)), carry: Math.max(0, due - whole) };
}

/** An error is a function error (unhandled or handled), a timeout, or an answer without the expected statusCode. */
export function classifyAnswer(answer: SyntheticAnswer, expect: SyntheticConfig['expect']): SyntheticResult {
  if (answer.outcome === 'throttled') return { kind: 'throttled' };
  if (answer.outcome === 'failed') return { kind: 'error', why: answer.why };
  if (expect.statusCode === undefined) return { kind: 'ok' };
  const payload = answer.payload;
  const statusCode = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as { statusCode?: unknown }).statusCode : undefined;
  if (statusCode === expect.statusCode) return { kind: 'ok' };
  return {
    kind: 'error',
    why:
      statusCode === undefined
        ? `answered without a statusCode (expected ${expect.statusCode})`
        : `answered statusCode ${JSON.stringify(statusCode)} (expected ${expect.statusCode})`,
  };
}

/** The tally after a batch: its results added, the carry replaced. */
export function addToTally(tally: SyntheticTally | undefined, results: readonly SyntheticResult[], carry: number): SyntheticTally {
  let { invocations, errors, throttles = 0 } = tally ?? { invocations: 0, errors: 0 };
  let lastError = tally?.lastError;
  for (const result of results) {
    if (result.kind === 'throttled') {
      throttles += 1;
      continue;
    }
    invocations += 1;
    if (result.kind === 'error') {
      errors += 1;
      lastError = result.why.slice(0, 200);
    }
  }
  return {
    invocations,
    errors,
    ...(throttles > 0 ? { throttles } : {}),
    ...(carry > 0 ? { carry: Math.round(carry * 1e6) / 1e6 } : {}),
    ...(lastError ? { lastError } : {}),
  };
}

/**
 * The canary's evidence for the verdict: its real traffic through the alias and its synthetic
 * invocations together. They never overlap: Lambda counts a direct invocation of a version under
 * `Resource` `<function>:<version>`, not under the alias the real evidence is read from.
 */
export function withSynthetic(real: VersionEvidence, tally: SyntheticTally | undefined): VersionEvidence {
  if (!tally) return real;
  return { ...real, invocations: real.invocations + tally.invocations, errors: real.errors + tally.errors, throttles: real.throttles + (tally.throttles ?? 0) };
}

/**
 * The line an evidence check leaves in the timeline (the CLI follows it): the verdict's sentence
 * with the versions named and the synthetic share of the canary's invocations, e.g.
 * `canary v7 184/300 invocations (120 synthetic), 0 errors (0.00%); baseline v6 0.21% of 12,400; … — inconclusive`.
 */
export function checkLine(why: string, versions: { canary: string; baseline: string }, tally: SyntheticTally | undefined): string {
  const synthetic = tally && (tally.invocations > 0 || tally.errors > 0) ? ` (${tally.invocations.toLocaleString('en-US')} synthetic)` : '';
  return why
    .replace(/^canary (\S+) invocations/, (_, served: string) => `canary v${versions.canary} ${served} invocations${synthetic}`)
    .replace('; baseline ', `; baseline v${versions.baseline} `);
}
