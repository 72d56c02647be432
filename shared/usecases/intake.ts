import { decodeS3EventKey, readReleaseKey } from '../domain/artifact-key.js';
import { deploymentIdForObject, isTerminal, type ArtifactRef, type Deployment } from '../domain/deployment.js';
import type { ArtifactStore, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';

export interface IntakeDeps {
  targets: TargetStore;
  artifacts: Pick<ArtifactStore, 'head'>;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  log: (message: string, details?: Record<string, unknown>) => void;
}

export interface ObjectCreated {
  bucket: string;
  /** As it appears in the S3 event: URL-encoded. */
  rawKey: string;
  versionId?: string;
  etag?: string;
  eventTime: string;
}

export type IntakeOutcome =
  | { outcome: 'ignored'; key: string }
  | { outcome: 'rejected'; deploymentId: string; reason: string }
  | { outcome: 'started'; deploymentId: string; duplicate: boolean };

/**
 * One S3 ObjectCreated event → at most one deployment. The id is derived from the object
 * (bucket, key, version id or ETag), so a redelivered or reordered event finds the same record and
 * the same execution name.
 */
export async function acceptUpload(deps: IntakeDeps, event: ObjectCreated): Promise<IntakeOutcome> {
  const key = decodeS3EventKey(event.rawKey);
  const parsed = readReleaseKey(key);
  if (!parsed.ok) {
    deps.log(`ignoring s3://${event.bucket}/${key}: ${parsed.reason}`, { bucket: event.bucket, key, reason: parsed.reason });
    return { outcome: 'ignored', key };
  }
  const artifact = await pinVersion(deps, {
    bucket: event.bucket,
    key,
    ...(event.versionId ? { versionId: event.versionId } : {}),
    ...(event.etag ? { etag: event.etag } : {}),
  });
  const id = deploymentIdForObject(artifact);
  const now = new Date().toISOString();
  const base: Deployment = {
    id,
    target: parsed.target,
    release: parsed.release,
    status: 'queued',
    trigger: 's3',
    artifact,
    requestedAt: event.eventTime,
    startedAt: now,
    updatedAt: now,
    trafficPercent: 0,
    timeline: [{ at: now, step: 'intake', status: 'queued', message: `s3://${event.bucket}/${key} uploaded` }],
  };

  const target = await deps.targets.get(parsed.target);
  if (!target) {
    const reason = `unknown target "${parsed.target}": no target with that name is registered; register it (slipway targets apply) and upload the release again`;
    await deps.deployments.create({
      ...base,
      status: 'failed',
      endedAt: now,
      reason,
      timeline: [{ at: now, step: 'intake', status: 'failed', message: reason }],
    });
    return { outcome: 'rejected', deploymentId: id, reason };
  }

  const { created, deployment } = await deps.deployments.create(base);
  if (!isTerminal(deployment.status)) await deps.orchestrator.start(id);
  return { outcome: 'started', deploymentId: id, duplicate: !created };
}

/**
 * Some event sources leave out the version id (moto's notifications do; real S3 sends it for
 * versioned buckets). The object's current version is taken when its ETag is the event's, so the
 * deployment still deploys exactly the uploaded bytes and gets the same id a client computes
 * from its PutObject response.
 */
async function pinVersion(deps: IntakeDeps, ref: ArtifactRef): Promise<ArtifactRef> {
  if (ref.versionId || !ref.etag) return ref;
  const head = await deps.artifacts.head(ref);
  if (head?.versionId && head.etag === ref.etag) return { ...ref, versionId: head.versionId };
  return ref;
}
