import { ArtifactRejectedError } from '../errors.js';
import { quoteName, visibleNameProblem } from '../names.js';

/** What the central directory says of one entry, before any of its data is read. */
export interface ZipEntryRecord {
  /** The name exactly as stored. */
  nameBytes: Uint8Array;
  generalPurposeBitFlag: number;
  /** Upper 16 bits: the Unix mode when the zip was made on Unix. */
  externalFileAttributes: number;
  versionMadeBy: number;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 stored, 8 deflated; when given, a stored entry's two sizes must agree. */
  compressionMethod?: number;
}

export interface SiteLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  /** Uncompressed:compressed ratio above which an entry (> 1 MiB) or the archive is a zip bomb. */
  maxCompressionRatio: number;
}

export const DEFAULT_SITE_LIMITS: SiteLimits = {
  maxEntries: 100_000,
  maxUncompressedBytes: 5 * 1024 ** 3,
  maxCompressionRatio: 100,
};

/** Small entries compress absurdly well (a 1 MB file of spaces) without being an attack. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const MADE_BY_UNIX = 3;

export interface EntryCheckState {
  entries: number;
  uncompressedBytes: number;
  compressedBytes: number;
  seen: Set<string>;
}

export function newEntryCheckState(): EntryCheckState {
  return { entries: 0, uncompressedBytes: 0, compressedBytes: 0, seen: new Set() };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function reject(name: string, why: string): never {
  throw new ArtifactRejectedError(`the zip entry ${quoteName(name)} ${why}; nothing was published — fix the archive and upload it again`);
}

/** Decodes a stored name: UTF-8 when flagged, else it must be plain ASCII (no guessing at CP437); refuses any other. */
export function decodeEntryName(entry: ZipEntryRecord): string {
  const bytes = entry.nameBytes;
  if (entry.generalPurposeBitFlag & FLAG_UTF8) {
    try {
      return decoder.decode(bytes);
    } catch {
      reject(Buffer.from(bytes).toString('latin1'), 'has a name that is not valid UTF-8');
    }
  }
  if (bytes.some((b) => b > 0x7f)) {
    reject(Buffer.from(bytes).toString('latin1'), 'has a non-ASCII name without the UTF-8 flag (its encoding is unknown)');
  }
  return Buffer.from(bytes).toString('ascii');
}

/**
 * Checks one central directory entry of a site release against hostile and broken archives, and
 * adds it to the running totals. Returns the path to stage, or undefined for a directory entry.
 * Throws ArtifactRejectedError naming the entry and the rule it breaks.
 */
export function checkEntry(entry: ZipEntryRecord, state: EntryCheckState, limits: SiteLimits = DEFAULT_SITE_LIMITS): string | undefined {
  const name = decodeEntryName(entry);
  state.entries += 1;
  if (state.entries > limits.maxEntries) {
    throw new ArtifactRejectedError(`the zip has more than ${limits.maxEntries} entries (the target's limits.maxEntries); split the site or raise the limit`);
  }
  if (name.length === 0) reject(name, 'has an empty name');
  const invisible = visibleNameProblem(name);
  if (invisible) reject(name, invisible);
  if (name.includes('\\')) reject(name, 'uses backslashes; zip paths use "/"');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) reject(name, 'has an absolute path');
  const segments = name.split('/');
  if (segments.some((s) => s === '..')) reject(name, 'climbs out of the release with ".."');
  // Only a directory entry's trailing "/" leaves an empty last segment; a last "." (`a/.`) is no file.
  if (segments.some((s, i) => s === '.' || (s === '' && i < segments.length - 1))) reject(name, 'has an empty or "." path segment');
  // Paths become keys of plain objects along the way (the manifest's `files`, JSON.parse of it), where
  // `__proto__` sets a prototype instead of adding a file; no site needs the name, so it is refused.
  if (segments.includes('__proto__'))
    reject(name, 'has a "__proto__" path segment, which slipway refuses because it collides with JavaScript object internals; rename it');
  if (entry.generalPurposeBitFlag & FLAG_ENCRYPTED) reject(name, 'is encrypted');
  const mode = entry.externalFileAttributes >>> 16;
  if (entry.versionMadeBy >> 8 === MADE_BY_UNIX && (mode & S_IFMT) === S_IFLNK) reject(name, 'is a symbolic link');
  if (entry.compressionMethod === 0 && entry.compressedSize !== entry.uncompressedSize) {
    reject(name, `is stored uncompressed but declares ${entry.compressedSize} bytes stored and ${entry.uncompressedSize} unpacked (its sizes lie)`);
  }
  if (name.endsWith('/')) return undefined;
  if (state.seen.has(name)) reject(name, 'appears twice');
  state.seen.add(name);

  state.uncompressedBytes += entry.uncompressedSize;
  state.compressedBytes += entry.compressedSize;
  if (state.uncompressedBytes > limits.maxUncompressedBytes) {
    throw new ArtifactRejectedError(
      `the zip unpacks to more than ${limits.maxUncompressedBytes} bytes (the target's limits.maxUncompressedBytes); nothing was published`,
    );
  }
  if (entry.uncompressedSize > RATIO_FLOOR_BYTES && entry.uncompressedSize > limits.maxCompressionRatio * Math.max(entry.compressedSize, 1)) {
    reject(
      name,
      `expands ${Math.round(entry.uncompressedSize / Math.max(entry.compressedSize, 1))}:1, past the ${limits.maxCompressionRatio}:1 limit (a zip bomb?)`,
    );
  }
  return name;
}

/** The archive-wide checks once every entry was seen. */
export function finishEntryChecks(state: EntryCheckState, limits: SiteLimits = DEFAULT_SITE_LIMITS): void {
  if (state.seen.size === 0) throw new ArtifactRejectedError('the zip holds no files; upload the built site');
  if (state.uncompressedBytes > RATIO_FLOOR_BYTES && state.uncompressedBytes > limits.maxCompressionRatio * Math.max(state.compressedBytes, 1)) {
    throw new ArtifactRejectedError(
      `the zip expands ${Math.round(state.uncompressedBytes / Math.max(state.compressedBytes, 1))}:1 overall, past the ${limits.maxCompressionRatio}:1 limit (a zip bomb?)`,
    );
  }
}
