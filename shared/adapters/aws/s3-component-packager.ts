/**
 * Repacks a function component's folder of an app's zip (docs/apps.md) as a zip of its own for
 * Lambda, reproducibly: Stage's half of AppArtifacts. It reads the release straight from S3 by
 * ranges and streams the new zip up, without a local copy.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { pipeline, type Readable } from 'node:stream';
import type { Entry, ZipFile } from 'yauzl';
import yazl from 'yazl';
import type { ArtifactRef } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import { compareZipPaths, isExecutableMode, reproducibleEntryOptions, zipMeasure } from '../../domain/reproducible-zip.js';
import type { AppArtifacts } from '../../ports/index.js';
import { missingArtifact, openArtifactZip, pinnedArtifact, S3ArtifactStore, zipReadFailure } from './s3-artifacts.js';
import { describeObject, entryDataRejection, entryName, openCheckedEntryStream, S3RangeReadError, zipEntries } from './s3-range-reader.js';
import { rethrowTransient } from './sdk-errors.js';

const MADE_BY_UNIX = 3;

export class S3ComponentPackager implements Pick<AppArtifacts, 'packageComponent'> {
  readonly #client: S3Client;
  readonly #store: S3ArtifactStore;

  constructor(options: { client?: S3Client } = {}) {
    this.#client = options.client ?? new S3Client({ forcePathStyle: true });
    this.#store = new S3ArtifactStore({ client: this.#client });
  }

  async packageComponent(
    ref: ArtifactRef,
    folder: string,
    dest: { bucket: string; key: string },
  ): Promise<{ artifact: ArtifactRef; sha256: string; size: number }> {
    const head = await this.#store.head(ref);
    if (!head) throw missingArtifact(ref);
    const pinned = pinnedArtifact(ref, head);
    const where = describeObject(pinned);
    // Kept open after the directory is read: the entries' data is read in sorted order.
    const zip = await openArtifactZip(this.#client, pinned, head.size, { validateEntrySizes: false, autoClose: false });
    try {
      const files = await filesUnder(zip, folder, pinned);
      if (files.length === 0) {
        throw new ArtifactRejectedError(
          `artifact ${where} has no file under ${folder}, so there is nothing to publish for it; put the component's files in its folder`,
        );
      }
      return await this.#writeZip(zip, files, where, dest);
    } finally {
      zip.close();
    }
  }

  async #writeZip(zip: ZipFile, files: FileToRepack[], where: string, dest: { bucket: string; key: string }) {
    const out = new yazl.ZipFile();
    let failure: { error: unknown; name?: string } | undefined;
    const measure = zipMeasure();
    // yazl neither forwards a read stream's error nor ends its output on one: the first failure
    // destroys the output, which fails the upload.
    const fail = (error: unknown, name?: string) => {
      failure ??= { error, ...(name ? { name } : {}) };
      (out.outputStream as Readable).destroy(error instanceof Error ? error : new Error(String(error)));
    };
    out.on('error', (error: Error) => fail(error));
    for (const file of files) {
      out.addReadStreamLazy(file.path, { ...reproducibleEntryOptions(file.executable), size: file.entry.uncompressedSize }, (give) => {
        openCheckedEntryStream(zip, file.entry).then(
          (data: Readable) => {
            data.once('error', (error) => fail(error, file.name));
            give(null, data);
          },
          (error: unknown) => fail(error, file.name),
        );
      });
    }
    out.end();
    pipeline(out.outputStream, measure.stream, () => undefined);

    let versionId: string | undefined;
    try {
      // Up to one part (5 MiB) is one PutObject; a larger zip goes up in parts, memory bounded.
      const uploaded = await new Upload({
        client: this.#client,
        params: { Bucket: dest.bucket, Key: dest.key, Body: measure.stream, ContentType: 'application/zip' },
        queueSize: 2,
      }).done();
      versionId = uploaded.VersionId;
    } catch (error) {
      if (failure) throw repackFailure(failure, where);
      rethrowTransient(error, `writing the component zip s3://${dest.bucket}/${dest.key}`);
    }
    if (failure) throw repackFailure(failure, where);
    return { artifact: { bucket: dest.bucket, key: dest.key, ...(versionId ? { versionId } : {}) }, ...measure.result() };
  }
}

interface FileToRepack {
  /** The path inside the component's folder, as written in its own zip. */
  path: string;
  /** The path in the app's zip. */
  name: string;
  entry: Entry;
  executable: boolean;
}

async function filesUnder(zip: ZipFile, folder: string, ref: ArtifactRef): Promise<FileToRepack[]> {
  const files: FileToRepack[] = [];
  try {
    for await (const entry of zipEntries(zip, { keepOpen: true })) {
      const name = entryName(entry);
      if (!name.startsWith(folder) || name.endsWith('/')) continue;
      const unix = entry.versionMadeBy >> 8 === MADE_BY_UNIX;
      files.push({ path: name.slice(folder.length), name, entry, executable: unix && isExecutableMode(entry.externalFileAttributes >>> 16) });
    }
  } catch (error) {
    zipReadFailure(error, ref);
  }
  return files.sort((a, b) => compareZipPaths(a.path, b.path));
}

function repackFailure(failure: { error: unknown; name?: string }, where: string): Error {
  const { error, name } = failure;
  const rejection = name ? entryDataRejection(`artifact ${where}`, name, error) : undefined;
  if (rejection) return rejection;
  if (error instanceof S3RangeReadError) {
    try {
      rethrowTransient(error.cause, `reading ${name ?? 'an entry'} of ${where}`);
    } catch (translated) {
      return translated as Error;
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
