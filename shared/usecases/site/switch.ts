import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError } from '../../domain/errors.js';
import { callerReference, type InvalidationPlan } from '../../domain/site/invalidation-plan.js';
import { originPathOf, planKey } from '../../domain/site/layout.js';
import type { Cdn, DeploymentStore } from '../../ports/index.js';
import type { OriginSwitch, SiteCanaryRouter, SiteStore } from '../../ports/site.js';
import { promoteSiteCanary, siteCanaryOf, startSiteCanary } from './canary.js';
import { verificationPlan } from '../workflow/shift-traffic.js';
import { requireSiteTarget, type WorkflowState } from '../workflow/state.js';
import { deployedVersion } from './version.js';
import { plural } from '../../domain/words.js';

export interface SwitchSiteDeps {
  deployments: DeploymentStore;
  origins: Pick<OriginSwitch, 'switchOriginPath' | 'isDistributionDeployed'>;
  cdn: Pick<Cdn, 'invalidate'>;
  sites: Pick<SiteStore, 'readJson'>;
  /** CloudFront continuous deployment, for a site canary (docs/sites.md). */
  canary?: SiteCanaryRouter;
}

/** Seconds between two looks at a distribution that is still `InProgress` (the WaitForDistribution state). */
export const DISTRIBUTION_POLL_SECONDS = 20;
/**
 * Looks after which the switch invalidates even though CloudFront still says `InProgress` (30
 * minutes; a config change usually deploys in a few). The new origin path is live by then, and
 * invalidating late is better than never; the timeline says so.
 */
export const MAX_DISTRIBUTION_CHECKS = 90;

export async function readPlan(sites: Pick<SiteStore, 'readJson'>, bucket: string, key: string): Promise<InvalidationPlan> {
  const plan = (await sites.readJson(bucket, key)) as InvalidationPlan | undefined;
  return plan ?? { paths: ['/*'], wildcards: 1 };
}

/**
 * The atomic switch: the distribution's origin path moves to the new release prefix in one
 * UpdateDistribution, so viewers get the whole old release or the whole new one. CloudFront then
 * rolls the change out to its edges (`InProgress`); an invalidation before it is `Deployed` would
 * let an edge still on the old origin path cache old files again. So this step returns with
 * `site.distribution.deployed: false` while it is rolling out, the state machine waits and runs it
 * again (the switch itself is a no-op then), and once it is `Deployed` exactly the paths that
 * differ are invalidated. Health is checked once the invalidation has completed.
 */
export async function switchSite(deps: SwitchSiteDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireSiteTarget(state);
  const site = state.site;
  if (!site) throw new Error(`workflow state of ${state.deploymentId} has no site plan; Prepare must run first`);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  const { distributionId, bucket } = target.site;
  const originPath = deployment.toOriginPath ?? originPathOf(target, deployedVersion(site, deployment));
  const canary = siteCanaryOf(target);
  const canaryStep = canary && (state.steps?.length ?? 1) > 1 && (state.stepIndex ?? 0) === 0 && !deployment.promotedAt;
  if (canary && canaryStep) return startSiteCanary(deps, state, target, deployment, canary, originPath);
  const promoted = canary ? await promoteSiteCanary(deps, state, target, deployment, originPath) : undefined;
  if (promoted) await deps.deployments.update(deployment.id, {}, { step: 'promote', trafficPercent: 100, message: promoted });
  await deps.origins.switchOriginPath(distributionId, bucket, originPath);

  const plan = await readPlan(deps.sites, bucket, planKey(target, deployment.id));
  const checks = (site.distribution?.checks ?? 0) + 1;
  const deployed = plan.paths.length ? await deps.origins.isDistributionDeployed(distributionId) : true;
  if (!deployed && checks < MAX_DISTRIBUTION_CHECKS) {
    // One entry when the wait starts, none per look: the timeline stays small.
    if (checks === 1) {
      await deps.deployments.update(
        deployment.id,
        { status: 'verifying', trafficPercent: 100 },
        {
          step: 'shift',
          status: 'verifying',
          trafficPercent: 100,
          message: `origin path ${originPath}; waiting for distribution ${distributionId} to be Deployed before invalidating ${plural(plan.paths.length, 'path')}`,
        },
      );
    }
    return { ...state, site: { ...site, distribution: { deployed: false, checks, waitSeconds: DISTRIBUTION_POLL_SECONDS } } };
  }

  const invalidationId = plan.paths.length ? await deps.cdn.invalidate(distributionId, plan.paths, callerReference(deployment.id, 'switch')) : '';
  const invalidating = `invalidating ${plural(plan.paths.length, 'path')}${invalidationId ? ` (${invalidationId})` : ''}`;
  const message =
    checks === 1
      ? `origin path ${originPath}; ${invalidating}`
      : deployed
        ? `distribution ${distributionId} is Deployed; ${invalidating}`
        : `distribution ${distributionId} is still InProgress after ${checks} looks; ${invalidating} anyway`;
  await deps.deployments.update(
    deployment.id,
    { status: 'verifying', trafficPercent: 100 },
    { step: 'shift', status: 'verifying', trafficPercent: 100, message },
  );
  // A site verifies once, a poll interval after the switch (and its invalidation), and never bakes.
  const verify = verificationPlan(target, 0, { controlSeconds: target.health.pollSeconds });
  return {
    ...state,
    site: { ...site, distribution: { deployed: true, checks, waitSeconds: DISTRIBUTION_POLL_SECONDS } },
    invalidation: { id: invalidationId, complete: !invalidationId, checks: 0, waitSeconds: target.health.pollSeconds },
    verify: {
      next: verify.remainingChecks > 0 ? 'bake' : 'done',
      waitSeconds: verify.waitSeconds,
      remainingChecks: verify.remainingChecks,
      healthEvery: verify.healthEvery,
    },
  };
}
