/**
 * Presigned release uploads: the API hands out a URL that PUTs one release zip straight into the
 * artifact bucket, bound to the size and sha256 the client declared. The upload then reaches
 * intake through the bucket's notification like any other, and Prepare checks it like any other.
 */
import { S3_MAX_PUT_BYTES } from '../domain/artifact-key.js';
import { releaseKey } from '../domain/artifact-key.js';
import { ConflictError, TargetNotFoundError, ValidationError } from '../domain/errors.js';
import type { Target } from '../domain/target.js';
import { componentTargets } from '../domain/app.js';
import type { ArtifactStore, Clock, TargetStore } from '../ports/index.js';
import type { ReleaseHistory, ReleaseUploads } from '../ports/uploads-hooks.js';
import { LAMBDA_MAX_UNZIPPED_BYTES } from './workflow/prepare.js';

export const UPLOAD_URL_TTL_SECONDS = 15 * 60;

export interface ReleaseUploadDeps {
  targets: TargetStore;
  artifacts: Pick<ArtifactStore, 'head'>;
  uploads: Pick<ReleaseUploads, 'presignPut'>;
  releaseHistory: ReleaseHistory;
  clock: Clock;
  artifactBucket: string;
}

export interface UploadRequest {
  target: string;
  release: string;
  /** hex, lower-case */
  sha256: string;
  size: number;
  /** Deploy not before this time (ISO 8601). */
  notBefore?: string;
}

export interface UploadGrant {
  target: string;
  release: string;
  bucket: string;
  key: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

/**
 * The largest zip Prepare could accept for the target. Deflate never makes data much larger and a
 * stored entry is its own size, so a zip bigger than the unzipped limit cannot unpack under it
 * (but for pathological header padding): refusing it now saves the upload.
 */
export function maxUploadBytes(target: Target): { bytes: number; why: string } {
  if (target.kind === 'function') {
    return { bytes: LAMBDA_MAX_UNZIPPED_BYTES, why: 'Lambda takes at most 250 MiB unzipped' };
  }
  if (target.kind === 'app') {
    // Each function's folder within Lambda's limit, the site's within its own.
    const parts = componentTargets(target);
    const total = parts.reduce((sum, c) => sum + (c.kind === 'function' ? LAMBDA_MAX_UNZIPPED_BYTES : c.target.limits.maxUncompressedBytes), 0);
    return total < S3_MAX_PUT_BYTES
      ? { bytes: total, why: `its components take at most ${total} bytes unzipped together (250 MiB per function, the site's limits.maxUncompressedBytes)` }
      : { bytes: S3_MAX_PUT_BYTES, why: 'one presigned S3 PUT takes at most 5 GiB' };
  }
  if (target.limits.maxUncompressedBytes < S3_MAX_PUT_BYTES) {
    return { bytes: target.limits.maxUncompressedBytes, why: `the target's limits.maxUncompressedBytes is ${target.limits.maxUncompressedBytes}` };
  }
  return { bytes: S3_MAX_PUT_BYTES, why: 'one presigned S3 PUT takes at most 5 GiB' };
}

export async function requestUpload(deps: ReleaseUploadDeps, request: UploadRequest): Promise<UploadGrant> {
  const target = await deps.targets.get(request.target);
  if (!target) throw new TargetNotFoundError(request.target);
  const limit = maxUploadBytes(target);
  if (request.size > limit.bytes) {
    throw new ValidationError(`the release is too large for target "${target.name}": ${limit.why}`, [
      { path: 'size', message: `must be at most ${limit.bytes} bytes for this target` },
    ]);
  }
  const key = releaseKey(target.name, request.release);
  // Release names are immutable: a name whose object or deployment exists is taken for good.
  if (await deps.artifacts.head({ bucket: deps.artifactBucket, key })) {
    throw new ConflictError(
      `release "${request.release}" of "${target.name}" already exists (s3://${deps.artifactBucket}/${key}); release names are immutable: upload under a new name`,
    );
  }
  if (await deps.releaseHistory.hasDeployment(target.name, request.release)) {
    throw new ConflictError(`release "${request.release}" of "${target.name}" has been deployed before; release names are immutable: upload under a new name`);
  }
  const signedAt = deps.clock.now();
  const presigned = await deps.uploads.presignPut({
    bucket: deps.artifactBucket,
    key,
    size: request.size,
    sha256Hex: request.sha256,
    expiresInSeconds: UPLOAD_URL_TTL_SECONDS,
    signedAt,
    ...(request.notBefore ? { notBefore: new Date(request.notBefore).toISOString() } : {}),
  });
  return {
    target: target.name,
    release: request.release,
    bucket: deps.artifactBucket,
    key,
    url: presigned.url,
    method: 'PUT',
    headers: presigned.headers,
    expiresAt: new Date(signedAt.getTime() + UPLOAD_URL_TTL_SECONDS * 1000).toISOString(),
  };
}
