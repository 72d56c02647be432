import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError } from '../../domain/errors.js';
import type { DeploymentStore, HookInvoker } from '../../ports/index.js';
import { requireTarget, type WorkflowState } from './state.js';

export interface RunHookDeps {
  deployments: DeploymentStore;
  hooks: HookInvoker;
}

export type HookPhase = 'preTraffic' | 'postTraffic';

/**
 * Invokes the target's pre- or post-traffic hook with the deployment, CodeDeploy style: an error
 * or `{ "status": "Failed" }` aborts (HookFailedError), anything else lets it go on.
 */
export async function runHook(deps: RunHookDeps, input: { phase: HookPhase; state: WorkflowState }): Promise<unknown> {
  const target = requireTarget(input.state);
  const hook = target.health[input.phase];
  if (!hook) return { skipped: true };
  const deployment = await deps.deployments.get(input.state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(input.state.deploymentId);
  assertNotCancelled(deployment);
  const result = await deps.hooks.invokeHook(hook, {
    phase: input.phase,
    deploymentId: deployment.id,
    target: deployment.target,
    release: deployment.release,
    ...(target.kind === 'function'
      ? { functionName: target.function.name, alias: target.function.alias }
      : { bucket: target.site.bucket, distributionId: target.site.distributionId }),
    fromVersion: deployment.fromVersion,
    toVersion: deployment.toVersion,
  });
  await deps.deployments.update(deployment.id, {}, { step: input.phase, message: `hook ${hook} passed` });
  return result;
}
