import { ConcurrentModificationError, DeploymentNotFoundError } from '../../domain/errors.js';
import type { FunctionTarget } from '../../domain/target.js';
import type { AliasRouter, DeploymentStore } from '../../ports/index.js';
import { requireFunctionTarget, type WorkflowState } from './state.js';

export interface ShiftTrafficDeps {
  deployments: DeploymentStore;
  aliases: AliasRouter;
}

/**
 * Step Functions standard workflows keep at most 25,000 history events; a bake loop costs about
 * ten per health check, so a very long bake checks less often rather than running out.
 */
const MAX_CHECKS_PER_STEP = 1000;

export function hasHealthSignals(target: Pick<FunctionTarget, 'health'>): boolean {
  return target.health.alarms.length > 0 || Boolean(target.health.probe);
}

/** How a traffic step is verified: how long each Wait lasts and how many health checks follow. */
export function verificationPlan(target: Pick<FunctionTarget, 'health'>, bakeSeconds: number): { waitSeconds: number; remainingChecks: number } {
  if (!hasHealthSignals(target)) return bakeSeconds > 0 ? { waitSeconds: bakeSeconds, remainingChecks: 1 } : { waitSeconds: 0, remainingChecks: 0 };
  const waitSeconds = Math.max(target.health.pollSeconds, Math.ceil(bakeSeconds / MAX_CHECKS_PER_STEP));
  return { waitSeconds, remainingChecks: Math.max(1, Math.ceil(bakeSeconds / waitSeconds)) };
}

/**
 * Moves the alias to the current step's weight (RoutingConfig), guarded by the alias RevisionId.
 * Recording the new share is what announces it ("Deployment Traffic Shifted").
 */
export async function shiftTraffic(deps: ShiftTrafficDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireFunctionTarget(state);
  const steps = state.steps ?? [];
  const stepIndex = state.stepIndex ?? 0;
  const step = steps[stepIndex];
  if (!step) throw new Error(`step ${stepIndex} is not in the plan of ${state.deploymentId}`);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  const { fromVersion, toVersion } = deployment;
  if (!fromVersion || !toVersion) throw new Error(`deployment ${deployment.id} was not staged`);

  const fn = target.function.name;
  const aliasName = target.function.alias;
  const alias = await deps.aliases.getAlias(fn, aliasName);
  const desired =
    step.percent >= 100
      ? { version: toVersion }
      : { version: fromVersion, additional: { version: toVersion, weight: step.percent / 100 } };
  const alreadyThere =
    alias.version === desired.version &&
    alias.additional?.version === desired.additional?.version &&
    (alias.additional?.weight ?? 0) === (desired.additional?.weight ?? 0);
  if (!alreadyThere) {
    if (alias.version !== fromVersion && alias.version !== toVersion) {
      throw new ConcurrentModificationError(
        `alias ${fn}:${aliasName} moved to version ${alias.version} during the deployment; slipway will not overwrite it`,
      );
    }
    await deps.aliases.updateAlias(fn, aliasName, desired, alias.revisionId);
  }

  const status = step.percent >= 100 ? 'verifying' : 'shifting';
  await deps.deployments.update(
    deployment.id,
    { status, trafficPercent: step.percent },
    { step: 'shift', status, trafficPercent: step.percent, message: `${step.percent}% of traffic on version ${toVersion}` },
  );

  const plan = verificationPlan(target, step.bakeSeconds);
  const last = stepIndex >= steps.length - 1;
  if (plan.remainingChecks > 0) return { ...state, verify: { next: 'bake', ...plan } };
  return last
    ? { ...state, verify: { next: 'done', ...plan } }
    : { ...state, stepIndex: stepIndex + 1, verify: { next: 'shift', ...plan } };
}
