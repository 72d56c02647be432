/**
 * The artifact bucket: what a release object is (HeadObject) and whether Lambda would take it
 * (its sha256 and its zip central directory), read straight from S3 without a local copy.
 */
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { Readable, addAbortSignal } from 'node:stream';
import type { ArtifactRef } from '../../domain/deployment.js';
import { ArtifactRejectedError, TransientError, errorMessage } from '../../domain/errors.js';
import type { ArtifactHead, ArtifactInspection, ArtifactStore } from '../../ports/index.js';
import type { Entry, ZipFile } from 'yauzl';
import {
  S3RangeReadError,
  describeObject,
  entryDataRejection,
  entryName,
  openCheckedEntryStream,
  openS3Zip,
  zipEntries,
  type S3ZipOptions,
} from './s3-range-reader.js';
import { errorName, rethrowTransient } from './sdk-errors.js';

export interface S3ArtifactStoreOptions {
  client?: S3Client;
}

const NOT_FOUND_NAMES = new Set(['NotFound', 'NoSuchKey', 'NoSuchVersion', 'NoSuchBucket']);
/** S3's own transient names that the shared list does not know (RequestTimeout is a 400). */
const S3_TRANSIENT_NAMES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable']);

export class S3ArtifactStore implements ArtifactStore {
  readonly #client: S3Client;

  constructor(options: S3ArtifactStoreOptions = {}) {
    // Path-style addressing reaches moto and other emulators on an IP endpoint, and dotted bucket
    // names over TLS on AWS; the endpoint itself comes from the standard configuration chain.
    this.#client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  async head(ref: ArtifactRef): Promise<ArtifactHead | undefined> {
    try {
      const output = await this.#client.send(
        new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...(ref.versionId ? { VersionId: ref.versionId } : {}) }),
      );
      return {
        size: output.ContentLength ?? 0,
        versionId: output.VersionId,
        etag: output.ETag?.replace(/"/g, ''),
        metadata: output.Metadata ?? {},
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return translateS3Error(error, ref, 'HeadObject');
    }
  }

  async inspectZip(ref: ArtifactRef, limits: ZipLimits, known?: ArtifactHead): Promise<ArtifactInspection> {
    const head = known ?? (await this.head(ref));
    if (!head) throw missingArtifact(ref);
    const pinned = pinnedArtifact(ref, head);
    const [sha256, directory] = await hashWhileReading(this.#client, pinned, head.size, (signal) => this.#readDirectory(pinned, head.size, limits, signal));
    return { sha256, ...directory };
  }

  async #readDirectory(ref: ArtifactRef, size: number, limits: ZipLimits, signal: AbortSignal): Promise<Omit<ArtifactInspection, 'sha256'>> {
    const where = describeObject(ref);
    // yauzl's own size check runs before an entry is seen, and says "size mismatch 77 != 77" of an
    // encrypted stored entry; the checks below say what is wrong instead, and count the real bytes.
    const zip = await openArtifactZip(this.#client, ref, size, { signal, validateEntrySizes: false });
    let entries = 0;
    let uncompressedBytes = 0;
    try {
      for await (const entry of zipEntries(zip)) {
        const name = entryName(entry);
        checkLambdaEntry(entry, name, where);
        entries += 1;
        uncompressedBytes += entry.uncompressedSize;
        // Checked before the entry is read: with every entry held to its declared size below, the
        // real total can then never pass the limit either.
        if (uncompressedBytes > limits.maxUncompressedBytes) throw overLimit(where, uncompressedBytes, limits);
        if (limits.countInflatedBytes) await drainEntry(zip, entry, where, name);
      }
    } catch (error) {
      zipReadFailure(error, ref);
    }
    return { entries, uncompressedBytes };
  }
}

/**
 * Every later read names the same bytes: the version asked for or the one HeadObject saw; in an
 * unversioned bucket, the ETag the deployment was created for (else the one HeadObject saw).
 */
export function pinnedArtifact(ref: ArtifactRef, head: ArtifactHead): ArtifactRef {
  return { bucket: ref.bucket, key: ref.key, versionId: ref.versionId ?? head.versionId, etag: ref.etag ?? head.etag };
}

/**
 * The object's sha256, streamed whole while `read` reads the zip by ranges; whichever fails first
 * stops the other, so a 250 MB download does not go on for an answer already known.
 */
export function hashWhileReading<T>(client: S3Client, pinned: ArtifactRef, size: number, read: (signal: AbortSignal) => Promise<T>): Promise<[string, T]> {
  const abort = new AbortController();
  const stopOthersOnFailure = <R>(work: Promise<R>): Promise<R> =>
    work.catch((error: unknown) => {
      abort.abort();
      throw error;
    });
  return Promise.all([stopOthersOnFailure(objectSha256(client, pinned, size, abort.signal)), stopOthersOnFailure(read(abort.signal))]);
}

async function objectSha256(client: S3Client, ref: ArtifactRef, size: number, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const output = await client.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(ref.versionId ? { VersionId: ref.versionId } : ref.etag ? { IfMatch: ref.etag } : {}),
      }),
      { abortSignal: signal },
    );
    if (!(output.Body instanceof Readable)) throw new TypeError('GetObject returned no readable body');
    for await (const chunk of addAbortSignal(signal, output.Body) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (error) {
    return translateS3Error(error, ref, 'GetObject');
  }
  if (bytes !== size) {
    throw new TransientError(`GetObject ${describeObject(ref)} returned ${bytes} of its ${size} bytes; it will be retried`);
  }
  return hash.digest('hex');
}

/** Opens a release zip in S3; a zip that cannot be opened, or holds no entry, is refused with its reason. */
export async function openArtifactZip(client: S3Client, ref: ArtifactRef, size: number, options: S3ZipOptions): Promise<ZipFile> {
  const where = describeObject(ref);
  const zip = await openS3Zip(client, ref, size, options).catch((error: unknown) => {
    if (error instanceof S3RangeReadError) return translateS3Error(error.cause, ref, 'GetObject');
    if (errorMessage(error).includes('End of central directory record signature not found')) {
      throw new ArtifactRejectedError(
        `artifact ${where} is not a zip file (no end of central directory record): it is another format or a truncated upload; upload the zip your build produced again`,
        { cause: error },
      );
    }
    throw corruptDirectory(where, error);
  });
  if (zip.entryCount === 0) {
    zip.close();
    throw new ArtifactRejectedError(`artifact ${where} is an empty zip (no entries); upload a zip that contains the release`);
  }
  return zip;
}

/** What Lambda cannot read, seen in an entry's central directory record: encryption, another compression than stored or deflated, lying stored sizes. */
export function checkLambdaEntry(entry: Entry, name: string, where: string): void {
  if (entry.isEncrypted()) {
    throw new ArtifactRejectedError(
      `artifact ${where} has an encrypted entry "${name}" (the zip is password-protected), which Lambda cannot read: re-zip the release without a password (no -e or -P with zip, no encryption in your archiver) and upload it again`,
    );
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw new ArtifactRejectedError(
      `artifact ${where} has the entry "${name}" compressed with method ${entry.compressionMethod}; Lambda reads only stored and deflated entries: re-zip the release with standard deflate compression`,
    );
  }
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    throw new ArtifactRejectedError(
      `artifact ${where}: the zip entry "${name}" is stored uncompressed but declares ${entry.compressedSize} bytes stored and ${entry.uncompressedSize} unzipped; ` +
        "its directory does not match its data, and nothing was published — rebuild the zip with a standard tool (zip -r, or your build's packager) and upload it again",
    );
  }
}

/** A failure while reading a release zip's entries: refused when the zip's bytes are at fault, transient when S3 is. */
export function zipReadFailure(error: unknown, ref: ArtifactRef): never {
  if (error instanceof ArtifactRejectedError) throw error;
  if (error instanceof S3RangeReadError) return translateS3Error(error.cause, ref, 'GetObject');
  const where = describeObject(ref);
  if (errorMessage(error).includes('strong encryption')) {
    throw new ArtifactRejectedError(
      `artifact ${where} uses strong (certificate) encryption, which Lambda cannot read: re-zip the release without a password or certificate and upload it again`,
      { cause: error },
    );
  }
  throw corruptDirectory(where, error);
}

type ZipLimits = Parameters<ArtifactStore['inspectZip']>[1];

/** Inflates one entry and throws away its bytes; the check stream fails on a lying size. */
export async function drainEntry(zip: ZipFile, entry: Entry, where: string, name: string): Promise<void> {
  try {
    const data = await openCheckedEntryStream(zip, entry);
    for await (const _chunk of data);
  } catch (error) {
    throw entryDataRejection(`artifact ${where}`, name, error) ?? error;
  }
}

function overLimit(where: string, uncompressedBytes: number, limits: ZipLimits): ArtifactRejectedError {
  return new ArtifactRejectedError(
    `artifact ${where} unzips to ${uncompressedBytes} bytes or more, more than the limit of ${limits.maxUncompressedBytes} bytes: ` +
      'make the release smaller (bundle and tree-shake, drop dev dependencies, or move large dependencies to a layer)',
  );
}

function corruptDirectory(where: string, cause: unknown): ArtifactRejectedError {
  return new ArtifactRejectedError(
    `artifact ${where} has an unreadable zip central directory (${errorMessage(cause)}); the zip is corrupt: rebuild it and upload again`,
    { cause },
  );
}

export function missingArtifact(ref: ArtifactRef, cause?: unknown): ArtifactRejectedError {
  return new ArtifactRejectedError(
    `artifact ${describeObject(ref)} does not exist; check the bucket, key and version id, or upload the release again`,
    cause === undefined ? undefined : { cause },
  );
}

function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  return (name !== undefined && NOT_FOUND_NAMES.has(name)) || httpStatus(error) === 404;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/** Missing → ArtifactRejectedError, throttling/5xx → TransientError, anything else as it came. */
export function translateS3Error(error: unknown, ref: ArtifactRef, operation: string): never {
  const what = `${operation} ${describeObject(ref)}`;
  if (isNotFound(error)) throw missingArtifact(ref, error);
  const name = errorName(error);
  if (name === 'PreconditionFailed' || httpStatus(error) === 412) {
    throw new ArtifactRejectedError(
      `artifact ${describeObject(ref)} has been overwritten (its ETag is no longer ${ref.etag}), so the upload this deployment is for is gone; ` +
        'deploy the current object again, and enable versioning on the artifact bucket so every upload keeps its own version',
      { cause: error },
    );
  }
  if (name !== undefined && S3_TRANSIENT_NAMES.has(name)) {
    throw new TransientError(`${what} failed transiently (${name}); it will be retried`, { cause: error });
  }
  return rethrowTransient(error, what);
}
