import { DeploymentNotFoundError, errorMessage, MissingResourceError } from '../../domain/errors.js';
import { headersFor } from '../../domain/site/headers.js';
import { manifestKey, releasePrefix, stagingKey } from '../../domain/site/layout.js';
import { manifestSchema } from '../../domain/site/manifest.js';
import type { AppTarget, SiteTarget } from '../../domain/target.js';
import { componentFolder, siteComponent } from '../../domain/app.js';
import type { ArtifactStore, DeploymentStore } from '../../ports/index.js';
import type { SiteStager, SiteStore } from '../../ports/site.js';
import type { SiteWorkflow, StagingChunk } from '../workflow/state.js';
import { deployedVersion } from './version.js';

export interface StageChunkDeps {
  deployments: DeploymentStore;
  artifacts: Pick<ArtifactStore, 'head'>;
  stager: Pick<SiteStager, 'stageChunk'>;
  sites: SiteStore;
}

/**
 * One iteration of the staging Map: what its ItemSelector hands each chunk (one item of the plan in
 * S3, and the parts of the state a chunk needs). Bounded: the site part holds no chunk list.
 */
export interface StageChunkInput {
  deploymentId: string;
  /** A site target, or an app whose site component is staged. */
  target: SiteTarget | AppTarget;
  site: Pick<SiteWorkflow, 'liveRelease' | 'version'>;
  chunk: StagingChunk;
}

/**
 * Stages one chunk of entries into the release prefix and records what it wrote, keyed by chunk:
 * a retried or repeated chunk writes the same keys again, so retries leave no duplicates or gaps.
 */
export async function stageSiteChunk(deps: StageChunkDeps, input: StageChunkInput): Promise<{ chunk: number; files: number }> {
  try {
    return await stageOneChunk(deps, input);
  } catch (error) {
    // In AWS each chunk runs in a child execution of a Distributed Map, whose failure reaches
    // Rollback only as States.ExceedToleratedFailureThreshold: the record keeps the real reason.
    const { index, start, end } = input.chunk;
    await deps.deployments
      .update(input.deploymentId, {}, { step: 'stage', message: `${CHUNK_FAILURE_PREFIX}${index} (entries ${start}-${end}) failed: ${errorMessage(error)}` })
      .catch(() => undefined);
    throw error;
  }
}

/** The site a chunk stages into, and for an app the folder of its zip the site comes from. */
function stagedSite(target: SiteTarget | AppTarget): { target: SiteTarget; folder?: string } {
  if (target.kind === 'site') return { target };
  const site = siteComponent(target);
  if (!site) throw new Error(`app ${target.name} has no site component to stage`);
  return { target: site.target, folder: componentFolder(site.component) };
}

/** Marks the timeline entries of failed chunk attempts. */
export const CHUNK_FAILURE_PREFIX = 'chunk ';

async function stageOneChunk(deps: StageChunkDeps, input: StageChunkInput): Promise<{ chunk: number; files: number }> {
  const deployment = await deps.deployments.get(input.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(input.deploymentId);
  // A cancelled deployment stages nothing more, but lets the Map finish: Rollback then removes
  // the release prefix with no chunk still writing into it (FinishSiteStaging ends it).
  if (deployment.cancelRequestedAt) return { chunk: input.chunk.index, files: 0 };
  const artifact = deployment.artifact;
  const head = artifact ? await deps.artifacts.head(artifact) : undefined;
  if (!artifact || !head) throw new MissingResourceError(`the artifact of ${deployment.id} is gone`);
  const { target, folder } = stagedSite(input.target);
  const live = input.site.liveRelease;
  const liveManifest = live ? manifestSchema.safeParse(await deps.sites.readJson(target.site.bucket, manifestKey(target, live))) : undefined;
  const result = await deps.stager.stageChunk({
    artifact,
    artifactSize: head.size,
    start: input.chunk.start,
    end: input.chunk.end,
    bucket: target.site.bucket,
    releasePrefix: releasePrefix(target, deployedVersion(input.site, deployment)),
    ...(live && liveManifest?.success ? { previous: { releasePrefix: releasePrefix(target, live), files: liveManifest.data.files } } : {}),
    headersFor: headersFor(target.cacheControl),
    concurrency: target.staging.concurrency,
    ...(folder ? { folder } : {}),
  });
  await deps.sites.writeJson(target.site.bucket, stagingKey(target, deployment.id, input.chunk.index), result);
  return { chunk: input.chunk.index, files: Object.keys(result.files).length };
}
