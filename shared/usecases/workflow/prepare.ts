import { ValidationError, DeploymentNotFoundError, ArtifactRejectedError, ConflictError, TargetNotFoundError } from '../../domain/errors.js';
import { assertNotCancelled } from '../../domain/control.js';
import { isTerminal, type Deployment } from '../../domain/deployment.js';
import { planSteps } from '../../domain/strategy.js';
import type { ArtifactStore, Clock, DeploymentStore, TargetStore } from '../../ports/index.js';
import type { OriginSwitch, SiteStager, StagingPlanWriter } from '../../ports/site.js';
import { planSiteStaging } from '../site/plan-staging.js';
import { promotionGate } from '../promotion-gate.js';
import { recordFacts, type WorkflowState } from './state.js';
import { planDownstream } from './promote-downstream.js';
import { NOT_BEFORE_METADATA } from '../../domain/deployment.js';

/** Lambda refuses deployment packages larger than this once unzipped. */
export const LAMBDA_MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;
const SHA256_HEX = /^[0-9a-f]{64}$/;

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
    const checked = rollback ? {} : await checkArtifact(deps, deployment, { maxUncompressedBytes: target.limits.maxUncompressedBytes });
    // A site switches all at once; CDN invalidation is part of every site deployment.
    return {
      deploymentId: deployment.id,
      target,
      record: { ...recordFacts(deployment), ...checked },
      site,
      steps: [{ percent: 100, bakeSeconds: 0 }],
      stepIndex: 0,
      flags: rollback ? { preTraffic: false, postTraffic: false, cdn: true } : { ...hooks, cdn: true },
      ...carried,
    };
  }

  if (target.kind === 'app') throw new ValidationError(`app targets are not deployable yet`);
  // A function zip is inflated whole: Lambda's limit holds for its real bytes, not the declared ones.
  const checked = rollback ? {} : await checkArtifact(deps, deployment, { maxUncompressedBytes: LAMBDA_MAX_UNZIPPED_BYTES, countInflatedBytes: true });

  const steps = rollback ? [{ percent: 100, bakeSeconds: 0 }] : planSteps(target.strategy);
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

/** The artifact exists, its declared sha256 matches, and it is a readable zip within the limit; returns what it recorded. */
async function checkArtifact(
  deps: PrepareDeps,
  deployment: Deployment,
  limits: Parameters<ArtifactStore['inspectZip']>[1],
): Promise<{ sha256: string; notBefore?: string }> {
  const artifact = deployment.artifact;
  if (!artifact) throw new ArtifactRejectedError(`deployment ${deployment.id} names no artifact`);
  const head = await deps.artifacts.head(artifact);
  if (!head) {
    throw new ArtifactRejectedError(
      `artifact s3://${artifact.bucket}/${artifact.key}${artifact.versionId ? ` (version ${artifact.versionId})` : ''} does not exist; upload it again`,
    );
  }
  const declared = head.metadata.sha256?.toLowerCase();
  if (declared !== undefined && !SHA256_HEX.test(declared)) {
    throw new ArtifactRejectedError(`the sha256 metadata "${declared}" is not 64 hex digits; set it to the hex sha256 of the zip or leave it out`);
  }
  const notBefore = scheduledStart(head.metadata[NOT_BEFORE_METADATA]);
  const inspection = await deps.artifacts.inspectZip(artifact, limits, head);
  if (declared && declared !== inspection.sha256) {
    throw new ArtifactRejectedError(
      `checksum mismatch: the sha256 metadata says ${declared} but the object's sha256 is ${inspection.sha256}; the upload is corrupt or the metadata is wrong — upload again`,
    );
  }
  // A promotion deploys the very bytes that passed upstream: the object must still be them.
  if (deployment.trigger === 'promotion' && deployment.sha256 !== inspection.sha256) {
    throw new ArtifactRejectedError(
      `the artifact's sha256 is ${inspection.sha256}, but this promotion is of the release with sha256 ${deployment.sha256 ?? '(none)'} that passed on ${deployment.promotion?.from ?? 'the upstream'}; the object changed since: deploy the release upstream again, then promote it`,
    );
  }
  const recorded = { sha256: inspection.sha256, ...(notBefore && !deployment.notBefore ? { notBefore } : {}) };
  await deps.deployments.update(deployment.id, recorded, {
    step: 'prepare',
    message: `artifact checked: ${inspection.entries} entries, ${inspection.uncompressedBytes} bytes unzipped, sha256 ${inspection.sha256}`,
  });
  return recorded;
}

/** The scheduled start an upload carries, normalized; a value that is not a time rejects the artifact. */
function scheduledStart(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at)) {
    throw new ArtifactRejectedError(
      `the ${NOT_BEFORE_METADATA} metadata "${value}" is not an ISO 8601 time such as 2026-12-01T02:00:00Z; fix it or leave it out`,
    );
  }
  return new Date(at).toISOString();
}
