import { DeploymentNotFoundError, ConflictError, TargetNotFoundError } from '../../domain/errors.js';
import { assertNotCancelled } from '../../domain/control.js';
import { isTerminal } from '../../domain/deployment.js';
import { stepsWithAnalysis } from '../../domain/analysis/steps.js';
import { planSiteSteps } from '../../domain/site-canary.js';
import { planSteps } from '../../domain/strategy.js';
import type { AppArtifacts, ArtifactStore, Clock, DeploymentStore, TargetStore } from '../../ports/index.js';
import { checkArtifact, recorded } from './check-artifact.js';
import { prepareApp } from '../app/prepare-app.js';
import type { OriginSwitch, SiteStager, StagingPlanWriter } from '../../ports/site.js';
import { planSiteStaging } from '../site/plan-staging.js';
import { promotionGate } from '../promotion-gate.js';
import { recordFacts, type WorkflowState } from './state.js';
import { planDownstream } from './promote-downstream.js';

import { LAMBDA_MAX_UNZIPPED_BYTES } from '../../domain/artifact-key.js';

export { LAMBDA_MAX_UNZIPPED_BYTES };

export interface PrepareDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  artifacts: ArtifactStore;
  stager: Pick<SiteStager, 'inspect'>;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
  /** A site's staging plan goes to S3, not into the state. */
  plans: StagingPlanWriter;
  /** The promotion gate's soak is measured against it. */
  clock: Clock;
  /** Apps: their zip judged by component (docs/apps.md). */
  appArtifacts?: Pick<AppArtifacts, 'inspectApp'>;
}

/**
 * Loads the target and checks the artifact before anything is locked or changed: it exists, its
 * declared sha256 matches, and Lambda would accept it (a readable zip within the unzipped limit).
 */
export async function prepare(deps: PrepareDeps, input: WorkflowState): Promise<WorkflowState> {
  const deployment = await deps.deployments.get(input.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(input.deploymentId);
  if (isTerminal(deployment.status)) return { deploymentId: deployment.id, skip: true };
  assertNotCancelled(deployment);

  const target = await deps.targets.get(deployment.target);
  if (!target) throw new TargetNotFoundError(deployment.target);
  // A gated target takes releases only by promotion: refused here, before anything is locked or changed.
  const refused = await promotionGate(deps, deployment, target);
  if (refused) throw new ConflictError(refused);
  const rollback = deployment.trigger === 'rollback';
  // Read once here, before anything changes: the soak waits after Finalize need no other lookup.
  const downstream = rollback ? undefined : planDownstream(await deps.targets.list(), target.name, deployment.trigger);
  const carried = downstream ? { downstream } : {};
  const hooks = { preTraffic: Boolean(target.health.preTraffic), postTraffic: Boolean(target.health.postTraffic) };
  if (target.kind === 'site') {
    // A site's entries are judged by slipway's own rules first, so a hostile zip is named for what it is.
    const site = await planSiteStaging(deps, deployment, target);
    const checked = rollback ? {} : recorded(await checkArtifact(deps, deployment, { maxUncompressedBytes: target.limits.maxUncompressedBytes }));
    // A site switches all at once, or after one canary step through continuous deployment (docs/sites.md); CDN invalidation is part of every site deployment.
    return {
      deploymentId: deployment.id,
      target,
      record: { ...recordFacts(deployment), ...checked },
      site,
      steps: rollback ? [{ percent: 100, bakeSeconds: 0 }] : planSiteSteps(target.strategy),
      stepIndex: 0,
      flags: rollback ? { preTraffic: false, postTraffic: false, cdn: true } : { ...hooks, cdn: true },
      ...carried,
    };
  }

  if (target.kind === 'app') return prepareApp(deps, deployment, target, carried);
  // A function zip is inflated whole: Lambda's limit holds for its real bytes, not the declared ones.
  const checked = rollback
    ? {}
    : recorded(await checkArtifact(deps, deployment, { maxUncompressedBytes: LAMBDA_MAX_UNZIPPED_BYTES, countInflatedBytes: true }));

  const steps = rollback ? [{ percent: 100, bakeSeconds: 0 }] : stepsWithAnalysis(planSteps(target.strategy), target.health.analysis);
  const effective = rollback
    ? { ...target, health: { ...target.health, alarms: [], probe: undefined, preTraffic: undefined, postTraffic: undefined } }
    : target;
  return {
    deploymentId: deployment.id,
    target: effective,
    record: { ...recordFacts(deployment), ...checked },
    steps,
    stepIndex: 0,
    flags: {
      preTraffic: Boolean(effective.health.preTraffic),
      postTraffic: Boolean(effective.health.postTraffic),
      cdn: Boolean(effective.cdn),
    },
    ...carried,
  };
}
