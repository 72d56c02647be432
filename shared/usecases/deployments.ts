import { releaseKey } from '../domain/artifact-key.js';
import { deploymentIdForRequest, newRecord, type Deployment } from '../domain/deployment.js';
import { requestAppRollback } from './app-rollback.js';
import { ConflictError, TargetNotFoundError, ValidationError } from '../domain/errors.js';
import { manifestKey, releaseOfOriginPath } from '../domain/site/layout.js';
import { releaseNameProblem } from '../domain/names.js';
import type { FunctionTarget, SiteTarget } from '../domain/target.js';

/** A function or a site target (apps roll back through app-rollback.ts). */
type SingleTarget = FunctionTarget | SiteTarget;
import type { OriginSwitch, SiteStore } from '../ports/site.js';
import { promotionGate } from './promotion-gate.js';
import type { AliasReader, ArtifactStore, Clock, DeploymentStore, Orchestrator, TargetStore, VersionCatalog } from '../ports/index.js';

export interface DeployDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  artifacts: ArtifactStore;
  orchestrator: Orchestrator;
  artifactBucket: string;
  clock: Clock;
}

export { newRecord } from '../domain/deployment.js';

/** The HTTPS trigger: deploys a release already uploaded to the artifact bucket. */
export async function deployRelease(
  deps: DeployDeps,
  request: { target: string; release: string; requestedBy?: string; notBefore?: string; force?: boolean; reason?: string },
): Promise<Deployment> {
  const releaseProblem = releaseNameProblem(request.release);
  if (releaseProblem) throw new ValidationError(`invalid release name: release ${releaseProblem}`, [{ path: 'release', message: releaseProblem }]);
  const target = await deps.targets.get(request.target);
  if (!target) throw new TargetNotFoundError(request.target);
  const key = releaseKey(request.target, request.release);
  const head = await deps.artifacts.head({ bucket: deps.artifactBucket, key });
  if (!head) {
    throw new ConflictError(
      `release "${request.release}" of target "${request.target}" is not in the artifact bucket; upload s3://${deps.artifactBucket}/${key} first`,
    );
  }
  const now = deps.clock.now().toISOString();
  const forced = request.force ? request.reason : undefined;
  const record = newRecord(
    {
      id: deploymentIdForRequest('api', request.target, request.release, head.versionId ?? head.etag ?? '', now),
      target: request.target,
      release: request.release,
      trigger: 'api',
      artifact: {
        bucket: deps.artifactBucket,
        key,
        ...(head.versionId ? { versionId: head.versionId } : {}),
        ...(head.etag ? { etag: head.etag } : {}),
      },
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      ...(request.notBefore ? { notBefore: new Date(request.notBefore).toISOString() } : {}),
      ...(forced ? { forceReason: forced, ...(request.requestedBy ? { forcedBy: request.requestedBy } : {}) } : {}),
    },
    `deploy requested through the API${request.requestedBy ? ` by ${request.requestedBy}` : ''}${request.notBefore ? `, not before ${request.notBefore}` : ''}${
      forced && target.promotion ? `; forced past the promotion gate (from ${target.promotion.from}): ${forced}` : ''
    }`,
    now,
  );
  // A gated target answers at once; Prepare would refuse the same record.
  const refused = await promotionGate(deps, record, target);
  if (refused) throw new ConflictError(refused);
  const { deployment } = await deps.deployments.create(record);
  await deps.orchestrator.start(deployment.id);
  return deployment;
}

export interface RollbackRequestDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  aliases: AliasReader;
  versions: VersionCatalog;
  origins: Pick<OriginSwitch, 'currentOriginPath'>;
  /** `hasObjects` (optional): whether a pre-slipway origin path still holds files; without it, it is assumed to. */
  sites: Pick<SiteStore, 'readJson'> & { hasObjects?: (bucket: string, prefix: string) => Promise<boolean> };
  orchestrator: Orchestrator;
  clock: Clock;
}

/** What is live now: the alias's version, or the release behind the site's origin path. */
async function liveVersion(deps: RollbackRequestDeps, target: SingleTarget): Promise<string | undefined> {
  if (target.kind === 'function') return (await deps.aliases.getAlias(target.function.name, target.function.alias)).version;
  return releaseOfOriginPath(target, await deps.origins.currentOriginPath(target.site.distributionId, target.site.bucket));
}

/** Whether the release can be returned to without a rebuild: its version or its manifest still exists. */
async function stillThere(deps: RollbackRequestDeps, target: SingleTarget, version: string): Promise<boolean> {
  if (target.kind === 'function') return (await deps.versions.listVersions(target.function.name)).some((v) => v.version === version);
  return (await deps.sites.readJson(target.site.bucket, manifestKey(target, version))) !== undefined;
}

/** The release name of a rollback to what was live before slipway's first deployment of a target. */
export const BEFORE_SLIPWAY_RELEASE = '(before slipway)';

/** Deployments of a target looked at to choose a rollback candidate (listByTarget's page). */
const ROLLBACK_HISTORY = 100;

/** Where a rollback goes: a release slipway deployed, or what was live before slipway's first deployment. */
type RollbackCandidate = { preSlipway: false; deployment: Deployment; toVersion: string } | { preSlipway: true; toVersion: string; originPath?: string };

/**
 * What the target served before slipway's first deployment of it: that deployment's `fromVersion`
 * (a function) or `fromOriginPath` (a site whose origin path was not a release prefix), unless a
 * release slipway deployed is that same version. Known only while the whole history is in view.
 */
function beforeSlipway(
  target: SingleTarget,
  history: Deployment[],
  landed: Deployment[],
): { preSlipway: true; toVersion: string; originPath?: string } | undefined {
  if (history.length >= ROLLBACK_HISTORY) return undefined;
  const first = [...history]
    .reverse()
    .find((d) => (target.kind === 'function' ? d.fromVersion : d.fromOriginPath !== undefined) && !d.preSlipway && d.trigger !== 'rollback');
  if (!first) return undefined;
  if (target.kind === 'site') {
    if (first.fromOriginPath === undefined) return undefined;
    return { preSlipway: true, toVersion: BEFORE_SLIPWAY_RELEASE, originPath: first.fromOriginPath };
  }
  const version = first.fromVersion;
  if (!version || landed.some((d) => d.toVersion === version && !d.preSlipway)) return undefined;
  return { preSlipway: true, toVersion: version };
}

/** Whether what was live before slipway can still be returned to: the version exists, or the origin path still holds files. */
async function preSlipwayStillThere(deps: RollbackRequestDeps, target: SingleTarget, candidate: { toVersion: string; originPath?: string }): Promise<boolean> {
  if (target.kind === 'function') return (await deps.versions.listVersions(target.function.name)).some((v) => v.version === candidate.toVersion);
  if (!deps.sites.hasObjects) return true;
  return deps.sites.hasObjects(target.site.bucket, (candidate.originPath ?? '').replace(/^\//, ''));
}

/**
 * Puts the target back on an earlier release without a rebuild: the previous release (the newest
 * succeeded deployment whose version is not the live one) or a named release whose published
 * version still exists. Recorded and run as a deployment of its own. A target slipway has deployed
 * only once goes back to what was live before (the alias's version, the site's origin path), while
 * it still exists: a release slipway did not deploy, recorded as such (`preSlipway`).
 */
export async function requestRollback(deps: RollbackRequestDeps, request: { target: string; release?: string; requestedBy?: string }): Promise<Deployment> {
  const target = await deps.targets.get(request.target);
  if (!target) throw new TargetNotFoundError(request.target);
  if (target.kind === 'app') return requestAppRollback(deps, target, request);
  const live = await liveVersion(deps, target);
  const history = await deps.deployments.listByTarget(target.name, { limit: ROLLBACK_HISTORY });
  const landed = history.filter((d) => d.status === 'succeeded' && d.toVersion);
  // A site release may have gone live with several runtime configs (versions): a named one goes
  // back to its newest version that is not the live one.
  const found = request.release
    ? (landed.find((d) => d.release === request.release && d.toVersion !== live) ?? landed.find((d) => d.release === request.release))
    : landed.find((d) => d.toVersion !== live && !(target.kind === 'site' && d.preSlipway));
  let candidate: RollbackCandidate | undefined = found?.toVersion ? { preSlipway: false, deployment: found, toVersion: found.toVersion } : undefined;
  if (!candidate && (!request.release || request.release === BEFORE_SLIPWAY_RELEASE)) {
    const before = beforeSlipway(target, history, landed);
    const isLive =
      before && (target.kind === 'function' ? before.toVersion === live : live === undefined && before.originPath === (await currentOriginPath(deps, target)));
    if (before && !isLive && (await preSlipwayStillThere(deps, target, before))) candidate = before;
  }
  if (!candidate) {
    throw new ConflictError(
      request.release
        ? `release "${request.release}" of "${target.name}" never went live through slipway, so there is no version to return to; deploy it instead`
        : `"${target.name}" has no earlier release to roll back to`,
    );
  }
  if (!candidate.preSlipway && !(await stillThere(deps, target, candidate.toVersion))) {
    throw new ConflictError(
      target.kind === 'function'
        ? `version ${candidate.toVersion} of release "${candidate.deployment.release}" no longer exists (pruned by keepVersions); deploy the release's artifact again`
        : `release "${candidate.deployment.release}" is no longer in s3://${target.site.bucket} (pruned by keepReleases); deploy its artifact again`,
    );
  }
  const now = deps.clock.now().toISOString();
  const release = candidate.preSlipway ? BEFORE_SLIPWAY_RELEASE : candidate.deployment.release;
  const what = candidate.preSlipway
    ? target.kind === 'function'
      ? `version ${candidate.toVersion}, which was live before slipway's first deployment (slipway did not deploy it)`
      : `origin path ${candidate.originPath || '(bucket root)'}, which was live before slipway's first release (slipway did not deploy it)`
    : `release ${release} (version ${candidate.toVersion})`;
  const record = newRecord(
    {
      id: deploymentIdForRequest('rollback', target.name, release, now),
      target: target.name,
      release,
      trigger: 'rollback',
      toVersion: candidate.toVersion,
      ...(candidate.preSlipway
        ? { preSlipway: true, reason: `rolling back to ${what}`, ...(candidate.originPath !== undefined ? { toOriginPath: candidate.originPath } : {}) }
        : {
            ...(candidate.deployment.sha256 ? { sha256: candidate.deployment.sha256 } : {}),
            ...(candidate.deployment.artifact ? { artifact: candidate.deployment.artifact } : {}),
          }),
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    },
    `rollback to ${what} requested`,
    now,
  );
  const { deployment } = await deps.deployments.create(record);
  await deps.orchestrator.start(deployment.id);
  return deployment;
}

async function currentOriginPath(deps: RollbackRequestDeps, target: SingleTarget): Promise<string | undefined> {
  return target.kind === 'site' ? deps.origins.currentOriginPath(target.site.distributionId, target.site.bucket) : undefined;
}
