import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError } from '../../domain/errors.js';
import type { Cdn, DeploymentStore } from '../../ports/index.js';
import { awaitSiteInvalidation } from '../site/await-invalidation.js';
import { requireTarget, type WorkflowState } from './state.js';
import { plural } from '../../domain/words.js';

export interface InvalidateCdnDeps {
  cdn: Cdn;
  deployments: DeploymentStore;
  pollSeconds: number;
  /** After this many checks the deployment goes on and says so; CloudFront finishes on its own. */
  maxChecks: number;
}

/** Creates the invalidation (first call) or checks whether it completed (later calls). */
export async function invalidateCdn(deps: InvalidateCdnDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(state);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  // A site's invalidation was created with the switch; here it is only waited for.
  if (target.kind === 'site') return awaitSiteInvalidation(deps.cdn, target, state);
  if (target.kind === 'app') return { ...state, invalidation: { id: '', complete: true, checks: 0, waitSeconds: 0 } };
  const cdn = target.cdn;
  if (!cdn) return { ...state, invalidation: { id: '', complete: true, checks: 0, waitSeconds: 0 } };
  const current = state.invalidation;
  if (!current) {
    const id = await deps.cdn.invalidate(cdn.distributionId, cdn.paths, `${state.deploymentId}-switch`);
    await deps.deployments.update(
      state.deploymentId,
      {},
      { step: 'invalidate', message: `invalidating ${plural(cdn.paths.length, 'path')} on ${cdn.distributionId} (${id})` },
    );
    const complete = await deps.cdn.isInvalidationComplete(cdn.distributionId, id);
    return { ...state, invalidation: { id, complete, checks: 1, waitSeconds: deps.pollSeconds } };
  }
  const complete = await deps.cdn.isInvalidationComplete(cdn.distributionId, current.id);
  if (!complete && current.checks + 1 >= deps.maxChecks) {
    await deps.deployments.update(state.deploymentId, {}, { step: 'invalidate', message: `invalidation ${current.id} still in progress; going on` });
    return { ...state, invalidation: { ...current, complete: true, checks: current.checks + 1 } };
  }
  return { ...state, invalidation: { ...current, complete, checks: current.checks + 1 } };
}
