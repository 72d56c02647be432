import { createHash } from 'node:crypto';
import { configurationDigest, diffRuntimeConfigValues, shortDigest } from '../../domain/configuration.js';
import { assertNotCancelled } from '../../domain/control.js';
import type { DeploymentConfiguration } from '../../domain/deployment.js';
import { DeploymentNotFoundError, ArtifactRejectedError, MissingResourceError } from '../../domain/errors.js';
import { runtimeConfigHeaders } from '../../domain/site/headers.js';
import { planInvalidation } from '../../domain/site/invalidation-plan.js';
import { manifestKey, planKey, releasePrefix, stagingKey } from '../../domain/site/layout.js';
import { diffManifests, manifestSchema, type ManifestRuntimeConfig, type SiteManifest } from '../../domain/site/manifest.js';
import type { SiteTarget } from '../../domain/target.js';
import { siteComponent } from '../../domain/app.js';
import type { Clock, DeploymentStore } from '../../ports/index.js';
import type { SiteStore, StageChunkResult } from '../../ports/site.js';
import { requireSiteTarget, type WorkflowState } from '../workflow/state.js';
import { deployedVersion } from './version.js';
import { plural } from '../../domain/words.js';

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
 * Writes the target's runtime config file into the version's prefix (after every chunk, so it wins
 * over a file of the same path in the zip) and returns it as the manifest lists it.
 */
async function writeRuntimeConfig(
  sites: SiteStore,
  target: SiteTarget & { runtimeConfig: NonNullable<SiteTarget['runtimeConfig']> },
  version: string,
  files: SiteManifest['files'],
): Promise<{ runtimeConfig: ManifestRuntimeConfig; note: string }> {
  const { path, values } = target.runtimeConfig;
  const body = JSON.stringify(values);
  const sha256 = createHash('sha256').update(body).digest('hex');
  const headers = runtimeConfigHeaders(target.cacheControl, path);
  const fromZip = Object.hasOwn(files, path);
  await sites.putFile(target.site.bucket, `${releasePrefix(target, version)}${path}`, body, { ...headers, sha256 });
  Object.assign(files, { [path]: { sha256, size: Buffer.byteLength(body, 'utf8'), ...headers } });
  const digest = configurationDigest(target.runtimeConfig);
  const note = `runtime config ${path} written (digest ${shortDigest(digest)}, Cache-Control ${headers.cacheControl})${fromZip ? `, replacing the zip's own ${path}` : ''}; `;
  return { runtimeConfig: { path, digest, values }, note };
}

/** What the record keeps of the runtime config the deployment releases, against the live version's. */
function configurationOf(live: SiteManifest | undefined, next: SiteManifest): DeploymentConfiguration | undefined {
  const config = next.runtimeConfig;
  if (!config) return undefined;
  const was = live?.runtimeConfig;
  return { digest: config.digest, ...(was ? { fromDigest: was.digest } : {}), changes: diffRuntimeConfigValues(was?.values, config.values) };
}

function describeConfiguration(configuration: DeploymentConfiguration | undefined): string {
  if (!configuration || configuration.fromDigest === configuration.digest) return '';
  const keys = configuration.changes.map((c) => `${c.key} ${c.change}`).join(', ');
  return `; runtime config ${configuration.fromDigest ? `${shortDigest(configuration.fromDigest)} → ` : ''}${shortDigest(configuration.digest)}${keys ? ` (${keys})` : ''}`;
}

/**
 * After every chunk is staged: writes the runtime config file (when the target has one), then the
 * version's manifest (last, so a version without one is never switched to), plans the invalidation
 * from the difference with the live version, and records the counts and the configuration. A
 * version identical to the live one ends as a no-op.
 */
export async function finishSiteStaging(deps: FinishStagingDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = stagedSiteTarget(state);
  const site = state.site;
  if (!site) throw new Error(`workflow state of ${state.deploymentId} has no staging plan`);
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  const bucket = target.site.bucket;
  const version = deployedVersion(site, deployment);
  const live = site.liveRelease ? await readManifest(deps.sites, bucket, manifestKey(target, site.liveRelease)) : undefined;

  let manifest: SiteManifest;
  let staged = '';
  if (deployment.toOriginPath !== undefined) {
    // A rollback to what was live before slipway: no manifest, so every path is invalidated.
    manifest = { release: deployment.release, createdAt: deployment.requestedAt, files: {} };
  } else if (deployment.trigger === 'rollback' || version === site.liveRelease) {
    const existing = await readManifest(deps.sites, bucket, manifestKey(target, version));
    if (!existing)
      throw new MissingResourceError(`release "${deployment.release}" (version ${version}) has no manifest in s3://${bucket}; deploy its artifact again`);
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
    const runtime = target.runtimeConfig ? await writeRuntimeConfig(deps.sites, { ...target, runtimeConfig: target.runtimeConfig }, version, files) : undefined;
    manifest = {
      release: deployment.release,
      createdAt: deps.clock.now().toISOString(),
      ...(deployment.sha256 ? { artifactSha256: deployment.sha256 } : {}),
      ...(runtime ? { runtimeConfig: runtime.runtimeConfig } : {}),
      files,
    };
    await deps.sites.writeJson(bucket, manifestKey(target, version), manifest);
    staged = `${runtime?.note ?? ''}staged ${plural(Object.keys(files).length, 'file')}: ${totals.uploaded} uploaded (${totals.uploadedBytes} bytes), ${totals.copied} copied unchanged; `;
  }

  const noop = version === site.liveRelease;
  const diff = diffManifests(live, manifest);
  const plan = deployment.toOriginPath !== undefined ? { paths: ['/*'], wildcards: 1 } : planInvalidation(diff);
  const configuration = deployment.toOriginPath === undefined ? configurationOf(live, manifest) : undefined;
  await deps.sites.writeJson(bucket, planKey(target, deployment.id), plan);
  if (state.app?.site) return finishAppSite(deps, state, { target, version, live, manifest, diff, noop, staged, paths: plan.paths.length });
  await deps.deployments.update(
    deployment.id,
    {
      toVersion: version,
      ...(site.liveRelease ? { fromVersion: site.liveRelease } : { fromOriginPath: site.liveOriginPath }),
      ...(configuration ? { configuration } : {}),
    },
    {
      step: 'stage',
      message: noop
        ? `release ${deployment.release}${version === deployment.release ? '' : ` (version ${version})`} is already live; nothing to do`
        : `${staged}${plural(plan.paths.length, 'path')} to invalidate after the switch${describeConfiguration(configuration)}`,
    },
  );
  return { ...state, noop, site: { ...site, invalidationPaths: plan.paths.length } };
}

/** The site a deployment stages: a site target's, or an app's site component. */
function stagedSiteTarget(state: WorkflowState): SiteTarget {
  const target = state.target;
  if (target?.kind === 'app') {
    const site = siteComponent(target);
    if (!site) throw new Error(`app ${target.name} has no site component`);
    return site.target;
  }
  return requireSiteTarget(state);
}

/**
 * An app's site: unchanged when the release is the live one or its files are the live release's
 * (same paths, same bytes and headers), and then what was staged for it is removed again. The
 * record's `components` get the site's releases once Stage has staged the functions too.
 */
async function finishAppSite(
  deps: FinishStagingDeps,
  state: WorkflowState,
  found: {
    target: SiteTarget;
    version: string;
    live: SiteManifest | undefined;
    manifest: SiteManifest;
    diff: ReturnType<typeof diffManifests>;
    noop: boolean;
    staged: string;
    paths: number;
  },
): Promise<WorkflowState> {
  const site = state.site as NonNullable<WorkflowState['site']>;
  const appSite = state.app?.site as NonNullable<NonNullable<WorkflowState['app']>['site']>;
  const { target, version, diff } = found;
  const identical = Boolean(found.live) && diff.added.length + diff.changed.length + diff.removed.length === 0 && state.record?.trigger !== 'rollback';
  const changed = !found.noop && !identical;
  if (identical && version !== site.liveRelease) {
    // Nothing to switch to: the copy of the live files under the new prefix goes again.
    await deps.sites.deletePrefix(target.site.bucket, manifestKey(target, version));
    await deps.sites.deletePrefix(target.site.bucket, releasePrefix(target, version));
  }
  const name = appSite.component;
  await deps.deployments.update(
    state.deploymentId,
    {},
    {
      step: 'stage',
      message: changed
        ? `${name}: ${found.staged}${plural(found.paths, 'path')} to invalidate after the switch`
        : `${name}: the site's files are those of live release ${site.liveRelease ?? '(none)'}; unchanged`,
    },
  );
  return {
    ...state,
    app: { ...(state.app as NonNullable<WorkflowState['app']>), site: { ...appSite, changed } },
    site: { ...site, invalidationPaths: found.paths },
  };
}
