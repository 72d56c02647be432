import { errorMessage } from '../../domain/errors.js';
import { CONTROL_DIR, manifestKey, planKey, releasePrefix, stagingPrefix } from '../../domain/site/layout.js';
import { manifestSchema } from '../../domain/site/manifest.js';
import type { SiteTarget } from '../../domain/target.js';
import type { SiteStore } from '../../ports/site.js';

/**
 * Versions to delete: beyond the newest `keep` (by manifest time), never the live or the previous
 * one. Each version counts, so a release staged with two runtime configs (`r1`, `r1~<digest12>`)
 * takes two of `keepReleases`. Prefixes without a manifest are partial stagings of failed
 * deployments: those are removed by their own rollback, not here.
 */
export function releasesToDelete(releases: { release: string; createdAt: string }[], keep: number, protect: Set<string>): string[] {
  const newestFirst = [...releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return newestFirst
    .slice(keep)
    .map((r) => r.release)
    .filter((r) => !protect.has(r));
}

export async function pruneReleases(sites: SiteStore, target: SiteTarget, protect: Set<string>): Promise<string[]> {
  const bucket = target.site.bucket;
  const prefixes = await sites.listReleasePrefixes(bucket, target.site.prefix);
  const releases: { release: string; createdAt: string }[] = [];
  for (const prefix of prefixes) {
    const release = prefix.slice(target.site.prefix.length, -1);
    if (`${release}/` === CONTROL_DIR) continue;
    const manifest = manifestSchema.safeParse(await sites.readJson(bucket, manifestKey(target, release)));
    if (manifest.success) releases.push({ release, createdAt: manifest.data.createdAt });
  }
  const doomed = releasesToDelete(releases, target.keepReleases, protect);
  for (const release of doomed) {
    // The manifest goes first: a release without one is never switched to.
    await sites.deletePrefix(bucket, manifestKey(target, release));
    await sites.deletePrefix(bucket, releasePrefix(target, release));
  }
  return doomed;
}

/**
 * The staging records and the invalidation plan of one deployment. Housekeeping, run by Finalize
 * and by Rollback: what S3 would not delete is logged with the keys and S3's error codes, never
 * thrown, so a leftover record cannot keep a rollback from ending. Returns that log line, if any.
 */
export async function cleanUpStaging(sites: SiteStore, target: SiteTarget, deploymentId: string): Promise<string | undefined> {
  try {
    await sites.deletePrefix(target.site.bucket, stagingPrefix(target, deploymentId));
    await sites.deletePrefix(target.site.bucket, planKey(target, deploymentId));
    return undefined;
  } catch (error) {
    const line = `slipway: the staging records of ${deploymentId} in s3://${target.site.bucket}/${stagingPrefix(target, deploymentId)} were not all removed: ${errorMessage(error)}`;
    console.warn(line);
    return line;
  }
}
