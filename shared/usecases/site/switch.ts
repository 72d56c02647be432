import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError } from '../../domain/errors.js';
import { callerReference, type InvalidationPlan } from '../../domain/site/invalidation-plan.js';
import { originPathOf, planKey } from '../../domain/site/layout.js';
import type { Cdn, DeploymentStore } from '../../ports/index.js';
import type { OriginSwitch, SiteStore } from '../../ports/site.js';
import { verificationPlan } from '../workflow/shift-traffic.js';
import { requireSiteTarget, type WorkflowState } from '../workflow/state.js';

export interface SwitchSiteDeps {
  deployments: DeploymentStore;
  origins: Pick<OriginSwitch, 'switchOriginPath'>;
  cdn: Pick<Cdn, 'invalidate'>;
  sites: Pick<SiteStore, 'readJson'>;
}

export async function readPlan(sites: Pick<SiteStore, 'readJson'>, bucket: string, key: string): Promise<InvalidationPlan> {
  const plan = (await sites.readJson(bucket, key)) as InvalidationPlan | undefined;
  return plan ?? { paths: ['/*'], wildcards: 1 };
}

/**
 * The atomic switch: the distribution's origin path moves to the new release prefix in one
 * UpdateDistribution, so viewers get the whole old release or the whole new one; then exactly the
 * paths that differ are invalidated. Health is checked once the invalidation has completed.
 */
export async function switchSite(deps: SwitchSiteDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireSiteTarget(state);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  const originPath = deployment.toOriginPath ?? originPathOf(target, deployment.release);
  await deps.origins.switchOriginPath(target.site.distributionId, target.site.bucket, originPath);

  const plan = await readPlan(deps.sites, target.site.bucket, planKey(target, deployment.id));
  const invalidationId = plan.paths.length
    ? await deps.cdn.invalidate(target.site.distributionId, plan.paths, callerReference(deployment.id, 'switch'))
    : '';
  await deps.deployments.update(
    deployment.id,
    { status: 'verifying', trafficPercent: 100 },
    {
      step: 'shift',
      status: 'verifying',
      trafficPercent: 100,
      message: `origin path ${originPath}; invalidating ${plan.paths.length} path(s)${invalidationId ? ` (${invalidationId})` : ''}`,
    },
  );
  // A site verifies once, a poll interval after the switch (and its invalidation), and never bakes.
  const verify = verificationPlan(target, 0, { controlSeconds: target.health.pollSeconds });
  return {
    ...state,
    invalidation: { id: invalidationId, complete: !invalidationId, checks: 0, waitSeconds: target.health.pollSeconds },
    verify: {
      next: verify.remainingChecks > 0 ? 'bake' : 'done',
      waitSeconds: verify.waitSeconds,
      remainingChecks: verify.remainingChecks,
      healthEvery: verify.healthEvery,
    },
  };
}
