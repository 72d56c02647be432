import { S3Client } from '@aws-sdk/client-s3';
import type { Entry, ZipFile } from 'yauzl';
import type { ArtifactRef } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import { checkEntry, finishEntryChecks, newEntryCheckState, type SiteLimits, type ZipEntryRecord } from '../../domain/site/entry-rules.js';
import type { SiteStager, SiteZipInspection } from '../../ports/site.js';
import { openS3Zip, S3RangeReadError, zipEntries } from './s3-range-reader.js';
import { rethrowTransient } from './sdk-errors.js';

/**
 * Reads the central directory with raw names and checks every entry (see entry-rules) before
 * anything is written. With `folder` (an app's site, e.g. `web/`), only the entries under it are
 * judged, by their paths inside it; `entries` still counts every record, the index space of the
 * staging chunks.
 */
export async function inspectSiteZip(
  client: S3Client,
  artifact: ArtifactRef,
  artifactSize: number,
  limits: SiteLimits,
  folder?: string,
): Promise<SiteZipInspection> {
  const prefix = folder ? Buffer.from(folder, 'utf8') : undefined;
  const state = newEntryCheckState();
  let entries = 0;
  let zip: ZipFile;
  try {
    zip = await openS3Zip(client, artifact, artifactSize, { decodeStrings: false, validateEntrySizes: false });
  } catch (error) {
    if (error instanceof S3RangeReadError) rethrowTransient(error.cause, 'reading the site zip');
    throw new ArtifactRejectedError(`the site zip cannot be read (${(error as Error).message}); upload a complete zip`, { cause: error });
  }
  try {
    for await (const entry of zipEntries(zip)) {
      entries += 1;
      let nameBytes: Buffer = entry.fileNameRaw ?? Buffer.from(String(entry.fileName));
      if (prefix) {
        // The folder's own directory entry, and other components' entries, are not the site's.
        if (nameBytes.length <= prefix.length || !nameBytes.subarray(0, prefix.length).equals(prefix)) continue;
        nameBytes = nameBytes.subarray(prefix.length);
      }
      checkEntry({ ...entryRecord(entry), nameBytes }, state, limits);
    }
  } catch (error) {
    if (error instanceof ArtifactRejectedError) throw error;
    if (error instanceof S3RangeReadError) rethrowTransient(error.cause, 'reading the site zip');
    throw new ArtifactRejectedError(`the site zip is corrupt (${(error as Error).message}); upload a complete zip`, { cause: error });
  }
  finishEntryChecks(state, limits);
  return { entries, files: state.seen.size, uncompressedBytes: state.uncompressedBytes };
}

/** What the entry rules read of a central directory record. */
export function entryRecord(entry: Entry): ZipEntryRecord {
  return {
    nameBytes: entry.fileNameRaw ?? Buffer.from(String(entry.fileName)),
    generalPurposeBitFlag: entry.generalPurposeBitFlag,
    externalFileAttributes: entry.externalFileAttributes,
    versionMadeBy: entry.versionMadeBy,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    compressionMethod: entry.compressionMethod,
  };
}

export class S3SiteInspector implements Pick<SiteStager, 'inspect'> {
  private readonly client: S3Client;

  constructor(options: { client?: S3Client } = {}) {
    this.client = options.client ?? new S3Client({ forcePathStyle: true });
  }

  inspect(artifact: ArtifactRef, artifactSize: number, limits: SiteLimits, folder?: string): Promise<SiteZipInspection> {
    return inspectSiteZip(this.client, artifact, artifactSize, limits, folder);
  }
}
