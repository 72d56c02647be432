import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError, ArtifactRejectedError, MissingResourceError } from '../../domain/errors.js';
import { planInvalidation } from '../../domain/site/invalidation-plan.js';
import { manifestKey, planKey, stagingKey } from '../../domain/site/layout.js';
import { diffManifests, manifestSchema, type SiteManifest } from '../../domain/site/manifest.js';
import type { Clock, DeploymentStore } from '../../ports/index.js';
import type { SiteStore, StageChunkResult } from '../../ports/site.js';
import { requireSiteTarget, type WorkflowState } from '../workflow/state.js';

export interface FinishStagingDeps {
  deployments: DeploymentStore;
  sites: SiteStore;
  clock: Clock;
}

async function readManifest(sites: SiteStore, bucket: string, key: string): Promise<SiteManifest | undefined> {
  const parsed = manifestSchema.safeParse(await sites.readJson(bucket, key));
  return parsed.success ? parsed.data : undefined;
}

/**
 * After every chunk is staged: writes the release manifest (last, so a release without one is
 * never switched to), plans the invalidation from the difference with the live release, and
 * records the counts. A release identical to the live one ends as a no-op.
 */
export async function finishSiteStaging(deps: FinishStagingDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireSiteTarget(state);
  const site = state.site;
  if (!site) throw new Error(`workflow state of ${state.deploymentId} has no staging plan`);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  const bucket = target.site.bucket;
  const live = site.liveRelease ? await readManifest(deps.sites, bucket, manifestKey(target, site.liveRelease)) : undefined;

  let manifest: SiteManifest;
  let staged = '';
  if (deployment.toOriginPath !== undefined) {
    // A rollback to what was live before slipway: no manifest, so every path is invalidated.
    manifest = { release: deployment.release, createdAt: deployment.requestedAt, files: {} };
  } else if (deployment.trigger === 'rollback' || deployment.release === site.liveRelease) {
    const existing = await readManifest(deps.sites, bucket, manifestKey(target, deployment.release));
    if (!existing) throw new MissingResourceError(`release "${deployment.release}" has no manifest in s3://${bucket}; deploy its artifact again`);
    if (deployment.trigger !== 'rollback' && existing.artifactSha256 !== deployment.sha256) {
      throw new ArtifactRejectedError(
        `release "${deployment.release}" is live with other content; release names are immutable — upload the new build under a new release name`,
      );
    }
    manifest = existing;
  } else {
    const files: SiteManifest['files'] = {};
    const totals = { uploaded: 0, uploadedBytes: 0, copied: 0 };
    // One staging record per chunk of the plan, keyed by its index: the plan itself need not be read.
    for (let index = 0; index < site.staging.chunks; index += 1) {
      const part = (await deps.sites.readJson(bucket, stagingKey(target, deployment.id, index))) as StageChunkResult | undefined;
      if (!part) throw new Error(`staging chunk ${index} of ${deployment.id} left no record; it will be staged again`);
      Object.assign(files, part.files);
      totals.uploaded += part.uploaded.files;
      totals.uploadedBytes += part.uploaded.bytes;
      totals.copied += part.copied.files;
    }
    manifest = {
      release: deployment.release,
      createdAt: deps.clock.now().toISOString(),
      ...(deployment.sha256 ? { artifactSha256: deployment.sha256 } : {}),
      files,
    };
    await deps.sites.writeJson(bucket, manifestKey(target, deployment.release), manifest);
    staged = `staged ${Object.keys(files).length} files: ${totals.uploaded} uploaded (${totals.uploadedBytes} bytes), ${totals.copied} copied unchanged; `;
  }

  const noop = deployment.release === site.liveRelease;
  const plan = deployment.toOriginPath !== undefined ? { paths: ['/*'], wildcards: 1 } : planInvalidation(diffManifests(live, manifest));
  await deps.sites.writeJson(bucket, planKey(target, deployment.id), plan);
  await deps.deployments.update(
    deployment.id,
    { toVersion: deployment.release, ...(site.liveRelease ? { fromVersion: site.liveRelease } : { fromOriginPath: site.liveOriginPath }) },
    {
      step: 'stage',
      message: noop ? `release ${deployment.release} is already live; nothing to do` : `${staged}${plan.paths.length} path(s) to invalidate after the switch`,
    },
  );
  return { ...state, noop, site: { ...site, invalidationPaths: plan.paths.length } };
}
