/**
 * What makes a zip reproducible (the same files give the same bytes, hence the same sha256 and
 * the same Lambda CodeSha256, whoever zips them, whenever and wherever): the CLI zipping a function
 * directory and Stage repacking an app's function folder follow these rules, so the two agree.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/**
 * Every entry gets the same timestamp. A zip stores it as a DOS date/time in *local* time (yazl
 * converts with the Date's local getters), so it is built from local fields, at zip time:
 * 2020-01-01 00:00 whatever the machine's time zone. A fixed instant (an ISO date) would give
 * other bytes in another zone; and not 1980-01-01, the first DOS date, which yazl clamps against
 * a bound it computed once at load (a time zone set later would move the entry onto that bound).
 */
export const fixedMtime = (): Date => new Date(2020, 0, 1, 0, 0, 0);

/** Like git: only the execute bit survives, so a custom runtime's `bootstrap` stays executable. */
export const FILE_MODE = 0o100644;
export const EXECUTABLE_MODE = 0o100755;

/** Whether a Unix mode has any execute bit. */
export function isExecutableMode(mode: number): boolean {
  return (mode & 0o111) !== 0;
}

/**
 * The options of one file entry (yazl's `addFile`/`addReadStreamLazy`): fixed timestamp, mode 644
 * or 755, deflated, no extended timestamp field. No directory entries and no comment go with them.
 */
export function reproducibleEntryOptions(executable: boolean): { mtime: Date; mode: number; compress: true; forceDosTimestamp: true } {
  return { mtime: fixedMtime(), mode: executable ? EXECUTABLE_MODE : FILE_MODE, compress: true, forceDosTimestamp: true };
}

/** Entry order: by UTF-16 code unit, which is stable (not locale-dependent). */
export function compareZipPaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A pass-through that measures the zip flowing through it: its sha256 (hex) and size, once it ended. */
export function zipMeasure(): { stream: Transform; result(): { sha256: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}
