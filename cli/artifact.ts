import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { deploymentIdForObject } from '../shared/domain/deployment.js';
import type { ArtifactStoreConfig } from './config.js';
import { UsageError } from './errors.js';

export interface ReleaseArtifact {
  /** As the user wrote it (messages); the file read is this path from the working directory. */
  path: string;
  bytes: Buffer;
  /** Hex, as the `sha256` object metadata that Prepare verifies. */
  sha256: string;
}

const LOCAL_FILE_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/**
 * Reads a release zip, refusing early what the workflow would only reject after the upload: a
 * missing path, a directory, an empty file, anything that is not a zip, an archive with no files.
 */
export async function readReleaseZip(path: string, cwd = process.cwd()): Promise<ReleaseArtifact> {
  const file = resolve(cwd, path);
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${path}: no such file`, { cause: error });
    throw new UsageError(`${path}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  if (!info.isFile()) throw new UsageError(`${path} is not a file; pass the release zip (zip a directory first)`);
  if (info.size === 0) throw new UsageError(`${path} is empty; a release is a zip of the function code`);
  const bytes = await readFile(file);
  const magic = bytes.subarray(0, 4);
  if (magic.equals(END_OF_CENTRAL_DIRECTORY)) throw new UsageError(`${path} is an empty zip archive; Lambda refuses a package with no files`);
  if (!magic.equals(LOCAL_FILE_HEADER)) {
    throw new UsageError(`${path} is not a zip file (it does not start with the zip signature "PK\\x03\\x04")`);
  }
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** `20261126-211500-ab12cd`: sorts by time (UTC), and the short sha tells releases of one second apart. */
export function defaultReleaseName(now: Date, sha256: string): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  return `${stamp}-${sha256.slice(0, 6)}`;
}

export interface UploadedRelease {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  /** The id intake gives the deployment of this exact object. */
  deploymentId: string;
}

export type PutRelease = (input: {
  store: ArtifactStoreConfig;
  key: string;
  artifact: ReleaseArtifact;
}) => Promise<{ versionId?: string; etag?: string }>;

/**
 * Uploads to `releases/<target>/<release>.zip` with the `sha256` metadata. The deployment id is
 * derived exactly as intake derives it from the S3 event (bucket, key, version id or ETag), so the
 * CLI knows which deployment to follow before intake has recorded it.
 */
export async function uploadRelease(
  put: PutRelease,
  store: ArtifactStoreConfig,
  target: string,
  release: string,
  artifact: ReleaseArtifact,
): Promise<UploadedRelease> {
  const key = releaseKey(target, release);
  const { versionId, etag } = await put({ store, key, artifact });
  // S3 quotes ETags in responses but not in event notifications, where intake reads them.
  const bareEtag = etag?.replace(/^"|"$/g, '');
  const ref = { bucket: store.bucket, key, ...(versionId ? { versionId } : {}), ...(bareEtag ? { etag: bareEtag } : {}) };
  return { ...ref, deploymentId: deploymentIdForObject(ref) };
}

/** PutObject with the AWS SDK; for `slipway dev` against its emulator, otherwise the SDK's chain. */
export const putReleaseWithSdk: PutRelease = async ({ store, key, artifact }) => {
  const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
  const client = new S3Client(
    store.endpoint
      ? {
          endpoint: store.endpoint,
          region: store.region,
          forcePathStyle: true,
          // The emulator accepts any credentials; a developer may have none configured.
          credentials: { accessKeyId: 'slipway-dev', secretAccessKey: 'slipway-dev' },
        }
      : {},
  );
  try {
    const out = await client.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: key,
        Body: artifact.bytes,
        ContentType: 'application/zip',
        Metadata: { sha256: artifact.sha256 },
      }),
    );
    return { ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.ETag ? { etag: out.ETag } : {}) };
  } finally {
    client.destroy();
  }
};
