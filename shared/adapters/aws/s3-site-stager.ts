import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Entry, ZipFile } from 'yauzl';
import type { SiteStager, StageChunkRequest, StageChunkResult } from '../../ports/site.js';
import { entryDataRejection, openCheckedEntryStream, openS3Zip, S3RangeReadError, zipEntries } from './s3-range-reader.js';
import { rethrowTransient } from './sdk-errors.js';

/** Entries up to this size are read into memory once; larger ones are streamed (read twice). */
export const BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;
const DEFAULT_CONCURRENCY = 8;

/**
 * An entry's data, held to its declared size: a zip that lies about its sizes (they are only the
 * zip's word, and Prepare judged the release by them) fails here at its first lying entry, with
 * at most one chunk past the declared size read into memory.
 */
function openStream(zip: ZipFile, entry: Entry): Promise<Readable> {
  return openCheckedEntryStream(zip, entry);
}

/**
 * A fault of the zip's bytes is permanent (the artifact is pinned to one version): it is refused
 * at once with its reason, where a raw stream error would be retried as if S3 had failed.
 */
function rethrowEntryFault(error: unknown, path: string): never {
  const rejection = entryDataRejection('the site zip', path, error);
  if (rejection) throw rejection;
  if (error instanceof S3RangeReadError) rethrowTransient(error.cause, `reading ${path} from the site zip`);
  throw error;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function hashStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Stages one chunk of a site zip into the origin bucket, reading the zip straight from S3 with
 * ranged GETs (no /tmp): each file goes to `<releasePrefix><path>` with its Content-Type,
 * Cache-Control and sha256 (S3 checks the checksum); a file whose path and sha256 equal the live
 * release's is copied server-side instead. Safe to run again: it writes the same keys. With
 * `folder` (an app's site), only the entries under it are staged, at their paths inside it.
 */
export async function stageChunk(client: S3Client, request: StageChunkRequest): Promise<StageChunkResult> {
  const result: StageChunkResult = { files: {}, uploaded: { files: 0, bytes: 0 }, copied: { files: 0, bytes: 0 } };
  const limit = request.concurrency ?? DEFAULT_CONCURRENCY;
  const folder = request.folder ?? '';
  const inFlight = new Set<Promise<void>>();
  // Sizes are checked while the data streams (openStream), where a lie gets a reason for people.
  const zip = await openS3Zip(client, request.artifact, request.artifactSize, { validateEntrySizes: false });

  const stageEntry = async (entry: Entry, path: string, first: Readable): Promise<void> => {
    const key = `${request.releasePrefix}${path}`;
    const headers = request.headersFor(path);
    const small = entry.uncompressedSize <= BUFFER_LIMIT_BYTES;
    let body: Buffer | undefined;
    let sha256: string;
    try {
      body = small ? await readAll(first) : undefined;
      sha256 = body ? createHash('sha256').update(body).digest('hex') : await hashStream(first);
    } catch (error) {
      rethrowEntryFault(error, path);
    }
    const size = entry.uncompressedSize;
    result.files[path] = { sha256, size, ...headers };
    const previous = request.previous?.files[path];
    try {
      if (previous && previous.sha256 === sha256 && request.previous) {
        await client.send(
          new CopyObjectCommand({
            Bucket: request.bucket,
            Key: key,
            CopySource: copySource(request.bucket, `${request.previous.releasePrefix}${path}`),
            MetadataDirective: 'REPLACE',
            ContentType: headers.contentType,
            CacheControl: headers.cacheControl,
            Metadata: { sha256 },
          }),
        );
        result.copied.files += 1;
        result.copied.bytes += size;
        return;
      }
      const common = { Bucket: request.bucket, Key: key, ContentType: headers.contentType, CacheControl: headers.cacheControl, Metadata: { sha256 } };
      if (body) {
        await client.send(new PutObjectCommand({ ...common, Body: body, ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64') }));
      } else {
        // A large file is read a second time and streamed up in parts; memory stays bounded.
        await new Upload({ client, params: { ...common, Body: await openStream(zip, entry) }, queueSize: 2 }).done();
      }
      result.uploaded.files += 1;
      result.uploaded.bytes += size;
    } catch (error) {
      if (entryDataRejection('the site zip', path, error)) rethrowEntryFault(error, path);
      rethrowTransient(error, `staging ${path}`);
    }
  };

  const failures: unknown[] = [];
  let index = -1;
  try {
    for await (const entry of zipEntries(zip)) {
      index += 1;
      if (index < request.start) continue;
      if (index >= request.end || failures.length > 0) break;
      if (entry.fileName.endsWith('/')) continue;
      // An app's zip: the entries of other components' folders are not the site's.
      if (folder && !entry.fileName.startsWith(folder)) continue;
      const path = entry.fileName.slice(folder.length);
      const stream = await openStream(zip, entry).catch((error: unknown) => rethrowEntryFault(error, entry.fileName));
      const task: Promise<void> = stageEntry(entry, path, stream)
        .catch((error: unknown) => void failures.push(error))
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  } finally {
    await Promise.all(inFlight);
  }
  if (failures.length > 0) throw failures[0];
  return result;
}

export class S3SiteStager implements Pick<SiteStager, 'stageChunk'> {
  private readonly client: S3Client;

  constructor(options: { client?: S3Client } = {}) {
    this.client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  stageChunk(request: StageChunkRequest): Promise<StageChunkResult> {
    return stageChunk(this.client, request);
  }
}
