import type { Deployment } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import { releaseOfOriginPath, siteVersionFor } from '../../domain/site/layout.js';
import type { SiteTarget } from '../../domain/target.js';
import type { ArtifactStore } from '../../ports/index.js';
import type { OriginSwitch, SiteStager, StagingChunk, StagingPlanWriter } from '../../ports/site.js';
import type { SiteWorkflow } from '../workflow/state.js';

export interface PlanStagingDeps {
  artifacts: Pick<ArtifactStore, 'head'>;
  stager: Pick<SiteStager, 'inspect'>;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
  plans: StagingPlanWriter;
}

/**
 * Where staging plans live in the artifact bucket: outside `releases/`, so its notifications never
 * see them. serverless.yml lets Prepare write there, the state machine read there, and expires them.
 */
export const STAGING_PLAN_PREFIX = 'staging/';

/** The staging plan of one deployment: `staging/<target>/<deployment>/chunks.json`. */
export function stagingPlanKey(target: string, deploymentId: string): string {
  return `${STAGING_PLAN_PREFIX}${target}/${deploymentId}/chunks.json`;
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
 * The chunks go to S3, not into the state: a site of a million entries has 20,000 of them, far
 * more than Step Functions' 256 KiB of state data holds; the StageSite Map reads them from there.
 * A rollback stages nothing (its version is already in the bucket): its plan is empty. The version
 * is the release with the target's runtime config digest when it has one (layout.ts): a config-only
 * deployment of the live release stages a version of its own, never into the live prefix. An
 * app's site (`folder`, e.g. `web/`) is judged and staged from its folder of the app's zip.
 */
export async function planSiteStaging(deps: PlanStagingDeps, deployment: Deployment, target: SiteTarget, folder?: string): Promise<SiteWorkflow> {
  const liveOriginPath = await deps.origins.currentOriginPath(target.site.distributionId, target.site.bucket);
  const liveRelease = releaseOfOriginPath(target, liveOriginPath);
  const rollback = deployment.trigger === 'rollback';
  const version = rollback ? (deployment.toVersion ?? deployment.release) : siteVersionFor(target, deployment.release);
  const live = { release: deployment.release, version, liveOriginPath, ...(liveRelease ? { liveRelease } : {}) };
  // Staging a version under the name that is live would change the live files in place.
  const chunks = rollback || version === liveRelease ? [] : await planChunks(deps, deployment, target, folder);
  // Written even when empty: the Map's ItemReader fails on a missing object.
  const written = await deps.plans.writePlan(stagingPlanKey(target.name, deployment.id), chunks);
  return { staging: { ...written, chunks: chunks.length }, ...live };
}

async function planChunks(deps: PlanStagingDeps, deployment: Deployment, target: SiteTarget, folder?: string): Promise<StagingChunk[]> {
  const artifact = deployment.artifact;
  const head = artifact ? await deps.artifacts.head(artifact) : undefined;
  if (!artifact || !head) throw new ArtifactRejectedError(`the artifact of ${deployment.id} is gone; upload it again`);
  const inspection = await deps.stager.inspect(artifact, head.size, target.limits, folder);
  return stagingChunks(inspection.entries, target.staging.chunkEntries);
}
