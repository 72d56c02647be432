import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { deploymentIdForObject } from '../shared/domain/deployment.js';
import type { ArtifactStoreConfig } from './config.js';
import { UsageError } from './errors.js';
import { zipDirectory } from './zip-directory.js';

/**
 * A release zip on disk, ready to upload. Read as a stream, never whole into memory: a site
 * release may be gigabytes.
 */
export interface ReleaseArtifact {
  /** As the user wrote it (messages). */
  path: string;
  /** The zip file to upload: the user's own, or one zipped from their directory. */
  file: string;
  size: number;
  /** Hex, as the `sha256` the API and Prepare verify. */
  sha256: string;
  /** Set when the CLI zipped a directory: how many files went in. */
  zippedFiles?: number;
  /** Removes what the CLI created (the temporary zip of a directory); safe to call twice. */
  dispose(): Promise<void>;
}

const LOCAL_FILE_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

/**
 * The release to upload from what the user named: a directory is zipped reproducibly (same files →
 * same sha256) into a temporary file; a file must be a non-empty zip. Refuses early what the
 * workflow would only reject after the upload.
 */
export async function prepareArtifact(path: string, cwd = process.cwd()): Promise<ReleaseArtifact> {
  const source = await locateRelease(path, cwd);
  return source.kind === 'zip' ? source.artifact : zipDirectoryArtifact(source.path, source.dir);
}

/** What the user named, checked: a zip ready to upload, or a directory still to zip (an app's is checked against its components first). */
export type ReleaseSource = { kind: 'zip'; artifact: ReleaseArtifact } | { kind: 'directory'; path: string; dir: string };

export async function locateRelease(path: string, cwd = process.cwd()): Promise<ReleaseSource> {
  const target = resolve(cwd, path);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${path}: no such file or directory`, { cause: error });
    throw new UsageError(`${path}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  if (info.isDirectory()) return { kind: 'directory', path, dir: target };
  if (!info.isFile()) throw new UsageError(`${path} is neither a zip file nor a directory`);
  return { kind: 'zip', artifact: await readReleaseZip(path, target, info.size) };
}

export async function zipDirectoryArtifact(path: string, dir: string): Promise<ReleaseArtifact> {
  const workDir = await mkdtemp(join(tmpdir(), 'slipway-release-'));
  const dispose = () => rm(workDir, { recursive: true, force: true });
  try {
    const file = join(workDir, 'release.zip');
    const zipped = await zipDirectory(dir, file);
    return { path, file, size: zipped.size, sha256: zipped.sha256, zippedFiles: zipped.entries.length, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

async function readReleaseZip(path: string, file: string, size: number): Promise<ReleaseArtifact> {
  if (size === 0) throw new UsageError(`${path} is empty; a release is a zip of the function code or the site`);
  const handle = await open(file, 'r');
  const magic = Buffer.alloc(4);
  try {
    await handle.read(magic, 0, 4, 0);
  } finally {
    await handle.close();
  }
  if (magic.equals(END_OF_CENTRAL_DIRECTORY)) throw new UsageError(`${path} is an empty zip archive; a release needs at least one file`);
  if (!magic.equals(LOCAL_FILE_HEADER)) {
    throw new UsageError(`${path} is not a zip file (it does not start with the zip signature "PK\\x03\\x04"); pass a zip or a directory`);
  }
  return { path, file, size, sha256: await sha256OfFile(file), dispose: async () => {} };
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `20261126-211500-ab12cd`: sorts by time (UTC), and the short sha tells releases of one second apart. */
export function defaultReleaseName(now: Date, sha256: string): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return `${stamp}-${sha256.slice(0, 6)}`;
}

export interface UploadedRelease {
  bucket: string;
  key: string;
  versionId?: string;
  etag?: string;
  /** The id intake gives the deployment of this exact object. */
  deploymentId: string;
  /** How the bytes went: through the API's presigned URL, or straight to the bucket (older APIs). */
  via: 'presigned-url' | 'artifact-bucket';
}

/**
 * The deployment id intake derives from the S3 event of this exact object (bucket, key, version id
 * or ETag), so the CLI knows which deployment to follow before intake has recorded it.
 */
export function uploadedRelease(
  ref: { bucket: string; key: string; versionId?: string | undefined; etag?: string | undefined },
  via: UploadedRelease['via'],
): UploadedRelease {
  // S3 quotes ETags in responses but not in event notifications, where intake reads them.
  const etag = ref.etag?.replace(/^"|"$/g, '');
  const object = { bucket: ref.bucket, key: ref.key, ...(ref.versionId ? { versionId: ref.versionId } : {}), ...(etag ? { etag } : {}) };
  return { ...object, deploymentId: deploymentIdForObject(object), via };
}

/** The S3 user metadata of a scheduled release (`x-amz-meta-slipway-not-before`): its earliest start, ISO 8601. */
export const NOT_BEFORE_METADATA = 'slipway-not-before';

export type PutRelease = (input: {
  store: ArtifactStoreConfig;
  key: string;
  artifact: ReleaseArtifact;
  /** A scheduled release: stored as the `slipway-not-before` metadata. */
  notBefore?: string;
  /** Bytes handed to the SDK so far. */
  onProgress?: (sentBytes: number) => void;
}) => Promise<{ versionId?: string; etag?: string }>;

/**
 * The upload path of APIs without `POST /targets/{name}/releases` (and of `slipway dev` until it
 * has one): PutObject straight to `releases/<target>/<release>.zip` with the `sha256` metadata
 * that Prepare verifies, and for a scheduled release its `slipway-not-before`.
 */
export async function uploadToArtifactBucket(
  put: PutRelease,
  store: ArtifactStoreConfig,
  target: string,
  release: string,
  artifact: ReleaseArtifact,
  onProgress?: (sentBytes: number) => void,
  notBefore?: string,
): Promise<UploadedRelease> {
  const key = releaseKey(target, release);
  const { versionId, etag } = await put({ store, key, artifact, ...(onProgress ? { onProgress } : {}), ...(notBefore ? { notBefore } : {}) });
  return uploadedRelease({ bucket: store.bucket, key, versionId, etag }, 'artifact-bucket');
}

/**
 * The file as a stream that reports how many bytes the SDK has read from it. The SDK hashes an
 * fs.ReadStream by reading its path again and refuses a stream that is already flowing, so the
 * stream is handed over untouched and its `bytesRead` sampled instead of listening to 'data'.
 */
function countingStream(file: string, onProgress?: (sentBytes: number) => void): ReadStream {
  const source = createReadStream(file);
  if (!onProgress) return source;
  const sample = setInterval(() => onProgress(source.bytesRead), 100).unref();
  const done = () => {
    clearInterval(sample);
    onProgress(source.bytesRead);
  };
  source.once('close', done);
  source.once('error', () => clearInterval(sample));
  return source;
}

/** PutObject with the AWS SDK; for `slipway dev` against its emulator, otherwise the SDK's chain. */
export const putReleaseWithSdk: PutRelease = async ({ store, key, artifact, onProgress, notBefore }) => {
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
        Body: countingStream(artifact.file, onProgress),
        ContentLength: artifact.size,
        ContentType: 'application/zip',
        Metadata: { sha256: artifact.sha256, ...(notBefore ? { [NOT_BEFORE_METADATA]: notBefore } : {}) },
      }),
    );
    return { ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.ETag ? { etag: out.ETag } : {}) };
  } finally {
    client.destroy();
  }
};
