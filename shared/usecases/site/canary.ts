import { describeSiteCanary, type SiteCanaryStrategy, siteTrafficConfig } from '../../domain/site-canary.js';
import type { Deployment } from '../../domain/deployment.js';
import type { SiteTarget } from '../../domain/target.js';
import type { DeploymentStore } from '../../ports/index.js';
import type { OriginSwitch, SiteCanaryRouter } from '../../ports/site.js';
import { verificationPlan } from '../workflow/shift-traffic.js';
import type { WorkflowState } from '../workflow/state.js';

export interface SiteCanaryDeps {
  deployments: DeploymentStore;
  origins: Pick<OriginSwitch, 'isDistributionDeployed'>;
  canary?: SiteCanaryRouter;
}

/** Seconds between two looks at distributions still `InProgress` during a canary. */
export const CANARY_POLL_SECONDS = 20;
/** Looks after which the canary's bake starts even though CloudFront still says `InProgress` (30 minutes). */
export const MAX_CANARY_CHECKS = 90;

export function siteCanaryOf(target: Pick<SiteTarget, 'strategy'>): SiteCanaryStrategy | undefined {
  const strategy = target.strategy;
  return strategy && strategy !== 'AllAtOnce' ? strategy : undefined;
}

function requireRouter(deps: Pick<SiteCanaryDeps, 'canary'>): SiteCanaryRouter {
  if (!deps.canary) throw new Error('this slipway has no CloudFront continuous deployment wired in; a site canary needs it');
  return deps.canary;
}

/**
 * The canary step of a site (docs/sites.md): the primary's kept staging distribution serves the new
 * release, and the primary's continuous-deployment policy sends it the strategy's share of viewers
 * (or those sending the header), sticky. Both distributions must be `Deployed` before the bake
 * starts: this step returns `site.distribution.deployed: false` until they are, and the state
 * machine waits and runs it again (every call here is idempotent).
 */
export async function startSiteCanary(
  deps: SiteCanaryDeps,
  state: WorkflowState,
  target: SiteTarget,
  deployment: Deployment,
  strategy: SiteCanaryStrategy,
  originPath: string,
): Promise<WorkflowState> {
  const site = state.site;
  if (!site) throw new Error(`workflow state of ${state.deploymentId} has no site plan; Prepare must run first`);
  const router = requireRouter(deps);
  const { distributionId, bucket } = target.site;
  let canary = site.canary;
  if (!canary) {
    const staging = await router.prepareStaging(distributionId, bucket, originPath);
    const attached = await router.attachPolicy(distributionId, staging, siteTrafficConfig(strategy));
    canary = { stagingId: staging.id, policyId: attached.policyId, primaryEtag: attached.primaryEtag };
    const percent = 'header' in strategy ? 0 : strategy.percent;
    await deps.deployments.update(
      deployment.id,
      { status: 'shifting', trafficPercent: percent },
      {
        step: 'shift',
        status: 'shifting',
        trafficPercent: percent,
        message: `${describeSiteCanary(strategy, deployment.release, staging.id)} (continuous-deployment policy ${attached.policyId} on ${distributionId}); waiting for both distributions to be Deployed`,
      },
    );
  }
  const checks = (site.distribution?.checks ?? 0) + 1;
  const deployed = (await deps.origins.isDistributionDeployed(canary.stagingId)) && (await deps.origins.isDistributionDeployed(distributionId));
  if (!deployed && checks < MAX_CANARY_CHECKS) {
    return { ...state, site: { ...site, canary, distribution: { deployed: false, checks, waitSeconds: CANARY_POLL_SECONDS } } };
  }
  const plan = verificationPlan(target, strategy.bakeSeconds, { controlSeconds: target.health.pollSeconds });
  await deps.deployments.update(
    deployment.id,
    {},
    {
      step: 'shift',
      trafficPercent: 'header' in strategy ? 0 : strategy.percent,
      message: `${deployed ? 'distributions Deployed' : `distributions still InProgress after ${checks} looks`}; baking the canary ${plan.bakeSeconds}s`,
    },
  );
  const verify = { waitSeconds: plan.waitSeconds, remainingChecks: plan.remainingChecks, healthEvery: plan.healthEvery, sinceHealth: 0, checks: 0 };
  const next = { ...state, site: { ...site, canary, distribution: { deployed: true, checks: 0, waitSeconds: CANARY_POLL_SECONDS } } };
  return plan.remainingChecks > 0
    ? { ...next, stepIndex: 0, verify: { next: 'bake', ...verify } }
    : { ...next, stepIndex: 1, verify: { next: 'shift', ...verify } };
}

/**
 * After the bake: the primary takes the new release (the staging's configuration, or only its origin
 * path when the primary changed during the bake) and the policy is detached, so every viewer is on
 * the primary again. The all-at-once path then waits for the primary to be Deployed and invalidates.
 */
export async function promoteSiteCanary(
  deps: SiteCanaryDeps,
  state: WorkflowState,
  target: SiteTarget,
  deployment: Deployment,
  originPath: string,
): Promise<string | undefined> {
  const canary = state.site?.canary;
  if (!canary || state.site?.distribution?.deployed === false) return undefined;
  const how = await requireRouter(deps).promote(target.site.distributionId, canary.stagingId, canary.primaryEtag, target.site.bucket, originPath);
  return how === 'staging-config'
    ? `promoted: distribution ${target.site.distributionId} took staging distribution ${canary.stagingId}'s configuration (release ${deployment.release}); continuous-deployment policy ${canary.policyId} detached`
    : `promoted: distribution ${target.site.distributionId} changed during the bake, so only its origin path moved to ${originPath}; continuous-deployment policy ${canary.policyId} detached`;
}
