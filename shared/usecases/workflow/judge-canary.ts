/**
 * One evidence check of a canary step (docs/analysis.md): what the canary version and the stable
 * version did through the alias since the step's traffic moved, the verdict, and its entry in the
 * timeline. A fail ends the deployment (UnhealthyReleaseError: Rollback restores the alias).
 */
import { analysisSettings } from '../../domain/analysis/steps.js';
import type { Verdict, VersionEvidence } from '../../domain/analysis/evidence.js';
import { checkLine, type SyntheticTally, withSynthetic } from '../../domain/analysis/synthetic.js';
import { judge } from '../../domain/analysis/verdict.js';
import type { Deployment, EvidenceRecord } from '../../domain/deployment.js';
import { MissingResourceError, UnhealthyReleaseError } from '../../domain/errors.js';
import type { FunctionTarget } from '../../domain/target.js';
import type { Clock, DeploymentStore, VersionMetrics } from '../../ports/index.js';
import type { StepAnalysis } from './state.js';

export interface JudgeCanaryDeps {
  deployments: DeploymentStore;
  versionMetrics?: VersionMetrics;
  clock: Clock;
}

export interface CanaryCheck {
  verdict: Verdict;
  /** Whether a pass may end the bake now (the step's bakeSeconds are over). */
  minimumBaked: boolean;
}

function secondsLeft(until: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((until.getTime() - now.getTime()) / 1000));
  return seconds >= 60 ? `${Math.round(seconds / 60)}m` : `${seconds}s`;
}

export async function judgeCanary(
  deps: JudgeCanaryDeps,
  target: FunctionTarget,
  deployment: Deployment,
  step: { analysis: StepAnalysis; percent: number; bakeEndsAt?: string },
): Promise<CanaryCheck> {
  const analysis = target.health.analysis;
  if (!analysis) throw new Error(`target ${target.name} has no analysis block, yet its step is judged on evidence`);
  if (!deps.versionMetrics) throw new MissingResourceError('CheckHealth was built without version metrics, so the canary cannot be judged on its evidence');
  const { fromVersion, toVersion } = deployment;
  if (!fromVersion || !toVersion) throw new Error(`deployment ${deployment.id} was not staged`);
  const now = deps.clock.now();
  const window = { start: new Date(step.analysis.since), end: now };
  const fn = target.function.name;
  const alias = target.function.alias;
  const [canary, baseline] = await Promise.all([
    deps.versionMetrics.evidence(fn, alias, toVersion, window),
    deps.versionMetrics.evidence(fn, alias, fromVersion, window),
  ]);
  // The canary's synthetic invocations count as its evidence; the baseline is real traffic only.
  const synthetic = step.analysis.synthetic;
  const verdict = judge(withSynthetic(canary, synthetic), baseline.invocations > 0 ? baseline : undefined, analysisSettings(analysis));
  const line = checkLine(verdict.why, { canary: toVersion, baseline: fromVersion }, synthetic);
  const minimumBaked = now.getTime() >= new Date(step.analysis.minUntil).getTime();
  const left = step.bakeEndsAt && verdict.outcome === 'inconclusive' && !step.analysis.held ? `, ${secondsLeft(new Date(step.bakeEndsAt), now)} left` : '';
  const held = step.analysis.held ? ` (${step.analysis.held === 'pause' ? 'held for a human' : 'extended'})` : '';
  await deps.deployments.update(
    deployment.id,
    {},
    {
      step: 'verify',
      trafficPercent: step.percent,
      // `canary v7 184/300 invocations (120 synthetic), 0 errors (0.00%); baseline v6 0.21% of 12,400; … — inconclusive, 4m left`
      message: `${line}${left}${held}`,
      evidence: evidenceRecord(
        verdict,
        { version: toVersion, ...canary },
        baseline.invocations > 0 ? { version: fromVersion, ...baseline } : undefined,
        synthetic,
      ),
      ...(verdict.outcome === 'fail' ? { health: 'failed' as const } : {}),
    },
  );
  if (verdict.outcome === 'fail') {
    const lastError = synthetic?.errors && synthetic.lastError ? ` (a synthetic invocation ${synthetic.lastError})` : '';
    throw new UnhealthyReleaseError(`canary version ${toVersion} judged on its evidence: ${line}${lastError}`);
  }
  return { verdict, minimumBaked };
}

function evidenceRecord(
  verdict: Verdict,
  canary: VersionEvidence & { version: string },
  baseline: (VersionEvidence & { version: string }) | undefined,
  synthetic: SyntheticTally | undefined,
): EvidenceRecord {
  return {
    outcome: verdict.outcome,
    canary,
    ...(baseline ? { baseline } : {}),
    ...(synthetic
      ? { synthetic: { invocations: synthetic.invocations, errors: synthetic.errors, ...(synthetic.throttles ? { throttles: synthetic.throttles } : {}) } }
      : {}),
    ...(verdict.errors.probabilityWorse !== undefined ? { probabilityWorse: verdict.errors.probabilityWorse } : {}),
    ...(verdict.latency?.ratio !== undefined ? { durationRatio: verdict.latency.ratio } : {}),
  };
}
