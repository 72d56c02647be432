import { releaseKey } from '../domain/artifact-key.js';
import { deploymentIdForRequest, type Deployment } from '../domain/deployment.js';
import { ConflictError, TargetNotFoundError, ValidationError } from '../domain/errors.js';
import { manifestKey, releaseOfOriginPath } from '../domain/site/layout.js';
import { releaseNameProblem } from '../domain/names.js';
import type { Target } from '../domain/target.js';
import type { OriginSwitch, SiteStore } from '../ports/site.js';
import type { AliasReader, ArtifactStore, DeploymentStore, Orchestrator, TargetStore, VersionCatalog } from '../ports/index.js';

export interface DeployDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  artifacts: ArtifactStore;
  orchestrator: Orchestrator;
  artifactBucket: string;
}

function newRecord(fields: Pick<Deployment, 'id' | 'target' | 'release' | 'trigger'> & Partial<Deployment>, message: string): Deployment {
  const now = new Date().toISOString();
  return {
    status: 'queued',
    requestedAt: now,
    startedAt: now,
    updatedAt: now,
    trafficPercent: 0,
    timeline: [{ at: now, step: 'intake', status: 'queued', message }],
    ...fields,
  };
}

/** The HTTPS trigger: deploys a release already uploaded to the artifact bucket. */
export async function deployRelease(
  deps: DeployDeps,
  request: { target: string; release: string; requestedBy?: string; notBefore?: string },
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
  const now = new Date().toISOString();
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
    },
    `deploy requested through the API${request.requestedBy ? ` by ${request.requestedBy}` : ''}${request.notBefore ? `, not before ${request.notBefore}` : ''}`,
  );
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
  sites: Pick<SiteStore, 'readJson'>;
  orchestrator: Orchestrator;
}

/** What is live now: the alias's version, or the release behind the site's origin path. */
async function liveVersion(deps: RollbackRequestDeps, target: Target): Promise<string | undefined> {
  if (target.kind === 'function') return (await deps.aliases.getAlias(target.function.name, target.function.alias)).version;
  return releaseOfOriginPath(target, await deps.origins.currentOriginPath(target.site.distributionId, target.site.bucket));
}

/** Whether the release can be returned to without a rebuild: its version or its manifest still exists. */
async function stillThere(deps: RollbackRequestDeps, target: Target, version: string): Promise<boolean> {
  if (target.kind === 'function') return (await deps.versions.listVersions(target.function.name)).some((v) => v.version === version);
  return (await deps.sites.readJson(target.site.bucket, manifestKey(target, version))) !== undefined;
}

/**
 * Puts the target back on an earlier release without a rebuild: the previous release (the newest
 * succeeded deployment whose version is not the live one) or a named release whose published
 * version still exists. Recorded and run as a deployment of its own.
 */
export async function requestRollback(
  deps: RollbackRequestDeps,
  request: { target: string; release?: string; requestedBy?: string },
): Promise<Deployment> {
  const target = await deps.targets.get(request.target);
  if (!target) throw new TargetNotFoundError(request.target);
  const live = await liveVersion(deps, target);
  const history = await deps.deployments.listByTarget(target.name, { limit: 100 });
  const landed = history.filter((d) => d.status === 'succeeded' && d.toVersion);
  const candidate = request.release
    ? landed.find((d) => d.release === request.release)
    : landed.find((d) => d.toVersion !== live);
  if (!candidate?.toVersion) {
    throw new ConflictError(
      request.release
        ? `release "${request.release}" of "${target.name}" never went live through slipway, so there is no version to return to; deploy it instead`
        : `"${target.name}" has no earlier release to roll back to`,
    );
  }
  if (!(await stillThere(deps, target, candidate.toVersion))) {
    throw new ConflictError(
      target.kind === 'function'
        ? `version ${candidate.toVersion} of release "${candidate.release}" no longer exists (pruned by keepVersions); deploy the release's artifact again`
        : `release "${candidate.release}" is no longer in s3://${target.site.bucket} (pruned by keepReleases); deploy its artifact again`,
    );
  }
  const now = new Date().toISOString();
  const record = newRecord(
    {
      id: deploymentIdForRequest('rollback', target.name, candidate.release, now),
      target: target.name,
      release: candidate.release,
      trigger: 'rollback',
      toVersion: candidate.toVersion,
      ...(candidate.sha256 ? { sha256: candidate.sha256 } : {}),
      ...(candidate.artifact ? { artifact: candidate.artifact } : {}),
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    },
    `rollback to release ${candidate.release} (version ${candidate.toVersion}) requested`,
  );
  const { deployment } = await deps.deployments.create(record);
  await deps.orchestrator.start(deployment.id);
  return deployment;
}
