/**
 * Judges an app's zip in the artifact bucket (docs/apps.md) whole, by component, before anything
 * is written: Prepare's half of AppArtifacts. It reads the release straight from S3 by ranges.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { componentOfEntry } from '../../domain/app.js';
import { LAMBDA_MAX_UNZIPPED_BYTES } from '../../domain/artifact-key.js';
import type { ArtifactRef } from '../../domain/deployment.js';
import { ArtifactRejectedError } from '../../domain/errors.js';
import { compareZipPaths } from '../../domain/reproducible-zip.js';
import { checkEntry, decodeEntryName, finishEntryChecks, newEntryCheckState, type EntryCheckState, type SiteLimits } from '../../domain/site/entry-rules.js';
import type { AppArtifacts, AppInspection, AppLayout, ArtifactHead } from '../../ports/index.js';
import {
  checkLambdaEntry,
  drainEntry,
  hashWhileReading,
  missingArtifact,
  openArtifactZip,
  pinnedArtifact,
  S3ArtifactStore,
  zipReadFailure,
} from './s3-artifacts.js';
import { entryRecord } from './s3-site-inspector.js';
import { describeObject, zipEntries } from './s3-range-reader.js';

/**
 * The archive-wide rules (names, traversal, symlinks, duplicates, encryption) hold for every entry;
 * sizes and ratios are each component's business (a site's limits; a function's inflated bytes).
 */
const ARCHIVE_RULES: SiteLimits = {
  maxEntries: Number.POSITIVE_INFINITY,
  maxUncompressedBytes: Number.POSITIVE_INFINITY,
  maxCompressionRatio: Number.POSITIVE_INFINITY,
};

interface ComponentTally {
  files: number;
  bytes: number;
  /** A site component's entries judged against its limits, by their paths inside its folder. */
  site?: { state: EntryCheckState; limits: SiteLimits };
}

export class S3AppInspector implements Pick<AppArtifacts, 'inspectApp'> {
  readonly #client: S3Client;
  readonly #store: S3ArtifactStore;

  constructor(options: { client?: S3Client } = {}) {
    this.#client = options.client ?? new S3Client({ forcePathStyle: true });
    this.#store = new S3ArtifactStore({ client: this.#client });
  }

  async inspectApp(ref: ArtifactRef, layout: AppLayout, known?: ArtifactHead): Promise<AppInspection> {
    const head = known ?? (await this.#store.head(ref));
    if (!head) throw missingArtifact(ref);
    const pinned = pinnedArtifact(ref, head);
    const [sha256, judged] = await hashWhileReading(this.#client, pinned, head.size, (signal) => this.#judge(pinned, head.size, layout, signal));
    return { sha256, ...judged };
  }

  async #judge(ref: ArtifactRef, size: number, layout: AppLayout, signal: AbortSignal): Promise<Omit<AppInspection, 'sha256'>> {
    const where = describeObject(ref);
    // Raw names: the entry rules say what is wrong with a hostile one (yauzl would only refuse it).
    const zip = await openArtifactZip(this.#client, ref, size, { signal, decodeStrings: false, validateEntrySizes: false });
    const names = new Set(Object.keys(layout.components));
    const archive = newEntryCheckState();
    const tallies = new Map<string, ComponentTally>();
    let entries = 0;
    let uncompressedBytes = 0;
    try {
      for await (const entry of zipEntries(zip)) {
        entries += 1;
        const record = entryRecord(entry);
        const guess = firstSegment(record.nameBytes);
        const inComponent = names.has(guess) ? guess : undefined;
        const name = within(where, inComponent, () => {
          checkEntry(record, archive, ARCHIVE_RULES);
          return decodeEntryName(record);
        });
        const placed = componentOfEntry(name, names);
        if ('refused' in placed) throw new ArtifactRejectedError(`artifact ${where}: ${placed.refused}; nothing was published`);
        const { component, path } = placed;
        // The folder's own directory entry (`api/`) is no entry of the component.
        if (path === '') continue;
        const spec = layout.components[component];
        let tally = tallies.get(component);
        if (!tally) {
          tally = { files: 0, bytes: 0, ...(spec?.kind === 'site' ? { site: { state: newEntryCheckState(), limits: spec.limits } } : {}) };
          tallies.set(component, tally);
        }
        const directory = name.endsWith('/');
        const site = tally.site;
        if (site) {
          within(where, component, () => checkEntry({ ...record, nameBytes: record.nameBytes.subarray(component.length + 1) }, site.state, site.limits));
        } else {
          within(where, component, () => checkLambdaEntry(entry, name, where));
          if (!directory) {
            // Checked before the entry is read: with every entry held to its declared size by the
            // drain, the real total can never pass the limit either.
            if (tally.bytes + entry.uncompressedSize > LAMBDA_MAX_UNZIPPED_BYTES) {
              throw new ArtifactRejectedError(
                `artifact ${where}: component "${component}" (folder ${component}/) unzips to more than Lambda's limit of ${LAMBDA_MAX_UNZIPPED_BYTES} bytes (250 MiB) at the entry "${name}"; ` +
                  'make the function smaller (bundle and tree-shake, drop dev dependencies, or move large dependencies to a layer)',
              );
            }
            await within(where, component, () => drainEntry(zip, entry, where, name));
          }
        }
        if (directory) continue;
        tally.files += 1;
        tally.bytes += entry.uncompressedSize;
        uncompressedBytes += entry.uncompressedSize;
      }
    } catch (error) {
      zipReadFailure(error, ref);
    }

    const components: AppInspection['components'] = {};
    for (const [component, tally] of [...tallies].sort(([a], [b]) => compareZipPaths(a, b))) {
      if (tally.files === 0) continue;
      const site = tally.site;
      if (site) within(where, component, () => finishEntryChecks(site.state, site.limits));
      components[component] = { entries: tally.files, uncompressedBytes: tally.bytes };
    }
    if (Object.keys(components).length === 0) {
      throw new ArtifactRejectedError(
        `artifact ${where} holds no file in any component folder (${[...names].map((c) => `${c}/`).join(', ')}); put each component's files in its folder and upload the release again`,
      );
    }
    return { entries, uncompressedBytes, components };
  }
}

/** The first path segment of a raw name, read loosely: only to say which component a refused entry was in. */
function firstSegment(nameBytes: Uint8Array): string {
  const name = Buffer.from(nameBytes).toString('latin1');
  const slash = name.indexOf('/');
  return slash > 0 ? name.slice(0, slash) : '';
}

/** Runs a check; a refusal gets the artifact and the component it was found in. */
function within<T>(where: string, component: string | undefined, check: () => T): T {
  const prefix = `artifact ${where}`;
  const say = (error: unknown): never => {
    if (!(error instanceof ArtifactRejectedError)) throw error;
    const whose = component ? `, component "${component}" (folder ${component}/)` : '';
    const rest = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : `: ${error.message}`;
    throw new ArtifactRejectedError(`${prefix}${whose}${rest}`, { cause: error });
  };
  try {
    const result = check();
    return result instanceof Promise ? (result.catch(say) as T) : result;
  } catch (error) {
    return say(error);
  }
}
