import type { Deployment } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import { releaseOfOriginPath } from '../../domain/site/layout.js';
import type { SiteTarget } from '../../domain/target.js';
import type { ArtifactStore } from '../../ports/index.js';
import type { OriginSwitch, SiteStager } from '../../ports/site.js';
import type { SiteWorkflow, StagingChunk } from '../workflow/state.js';

export interface PlanStagingDeps {
  artifacts: Pick<ArtifactStore, 'head'>;
  stager: Pick<SiteStager, 'inspect'>;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
}

/** Splits `entries` central-directory records into staging chunks of `size`. */
export function stagingChunks(entries: number, size: number): StagingChunk[] {
  const chunks: StagingChunk[] = [];
  for (let start = 0, index = 0; start < entries; start += size, index += 1) {
    chunks.push({ index, start, end: Math.min(entries, start + size) });
  }
  return chunks;
}

/**
 * Before anything is written: checks every entry of the site zip against the hostile-archive
 * rules, splits the entries into staging chunks (one Map iteration each) and notes what is live.
 * A rollback stages nothing: its release is already in the bucket.
 */
export async function planSiteStaging(deps: PlanStagingDeps, deployment: Deployment, target: SiteTarget): Promise<SiteWorkflow> {
  const liveOriginPath = await deps.origins.currentOriginPath(target.site.distributionId, target.site.bucket);
  const liveRelease = releaseOfOriginPath(target, liveOriginPath);
  const live = { release: deployment.release, liveOriginPath, ...(liveRelease ? { liveRelease } : {}) };
  // Staging a release under the name that is live would change the live files in place.
  if (deployment.trigger === 'rollback' || deployment.release === liveRelease) return { chunks: [], ...live };

  const artifact = deployment.artifact;
  const head = artifact ? await deps.artifacts.head(artifact) : undefined;
  if (!artifact || !head) throw new ArtifactRejectedError(`the artifact of ${deployment.id} is gone; upload it again`);
  const inspection = await deps.stager.inspect(artifact, head.size, target.limits);
  return { chunks: stagingChunks(inspection.entries, target.staging.chunkEntries), ...live };
}
