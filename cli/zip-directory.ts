import { createWriteStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { componentOfEntry } from '../shared/domain/app.js';
import { compareZipPaths, isExecutableMode, reproducibleEntryOptions, zipMeasure } from '../shared/domain/reproducible-zip.js';
import { UsageError } from './errors.js';

/** Noise that never belongs in a release and would change its sha256 between two checkouts. */
const SKIPPED_NAMES = new Set(['.git', '.DS_Store']);

export interface ZippedDirectory {
  /** Paths inside the zip, sorted, `/`-separated. */
  entries: string[];
  size: number;
  /** Hex sha256 of the zip bytes. */
  sha256: string;
}

interface FileToZip {
  path: string;
  absolute: string;
  executable: boolean;
}

/**
 * Zips a directory into `outFile` reproducibly (shared/domain/reproducible-zip.ts): paths sorted,
 * timestamps fixed, permissions normalised to 644 or 755, no extra fields, no directory entries
 * and no comment. Symlinks are followed (as `zip -r` does); a link cycle or a dangling link is an
 * error. `.git/` and `.DS_Store` are left out.
 */
export async function zipDirectory(dir: string, outFile: string): Promise<ZippedDirectory> {
  const files = await listFiles(dir);
  if (files.length === 0) throw new UsageError(`${dir} has no files to deploy`);

  const zip = new yazl.ZipFile();
  for (const file of files) zip.addFile(file.absolute, file.path, reproducibleEntryOptions(file.executable));
  zip.end();

  const measure = zipMeasure();
  // yazl reports a file that vanished or changed size while zipping on the ZipFile, not the stream.
  const failed = new Promise<never>((_, reject) => zip.once('error', reject));
  await Promise.race([pipeline(zip.outputStream, measure.stream, createWriteStream(outFile)), failed]);
  return { entries: files.map((f) => f.path), ...measure.result() };
}

async function listFiles(root: string): Promise<FileToZip[]> {
  const files: FileToZip[] = [];
  const walk = async (dir: string, prefix: string, ancestors: Set<string>): Promise<void> => {
    const names = (await readdir(dir)).filter((name) => !SKIPPED_NAMES.has(name)).sort();
    for (const name of names) {
      const absolute = join(dir, name);
      const path = prefix ? `${prefix}/${name}` : name;
      let info;
      try {
        info = await stat(absolute);
      } catch (error) {
        throw new UsageError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); a dangling symlink?`, {
          cause: error,
        });
      }
      if (info.isDirectory()) {
        const real = await realpath(absolute);
        if (ancestors.has(real)) throw new UsageError(`${path} links back to a directory above it; refusing to zip a symlink cycle`);
        await walk(absolute, path, new Set([...ancestors, real]));
      } else if (info.isFile()) {
        files.push({ path, absolute, executable: isExecutableMode(info.mode) });
      }
      // Sockets, FIFOs and devices have no content to deploy.
    }
  };
  await walk(root, '', new Set([await realpath(root)]));
  // Sorted per directory level already; a full sort makes `a/b` vs `a-b` order independent of that walk.
  return files.sort((a, b) => compareZipPaths(a.path, b.path));
}

/** The component folders an app directory has, and the components it leaves as they are. */
export interface AppDirectory {
  present: string[];
  /** Components with no folder (or an empty one): the release leaves them unchanged. */
  absent: string[];
}

/**
 * Checks an app directory's top level against the app's components before anything is zipped: one
 * folder per component; a file at the top or a folder that names no component is refused with its
 * name, in the words the workflow would use after the upload (componentOfEntry).
 */
export async function checkAppDirectory(root: string, components: readonly string[], shown = root): Promise<AppDirectory> {
  const known = new Set(components);
  const present: string[] = [];
  for (const name of (await readdir(root)).filter((n) => !SKIPPED_NAMES.has(n)).sort()) {
    const info = await stat(join(root, name)).catch((error: unknown) => {
      throw new UsageError(`${name}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); a dangling symlink?`, {
        cause: error,
      });
    });
    if (!info.isDirectory() && !info.isFile()) continue;
    const entry = componentOfEntry(info.isDirectory() ? `${name}/` : name, known);
    if ('refused' in entry) throw new UsageError(`${shown}: ${entry.refused}`);
    // A folder without files zips to nothing: the workflow sees the component's folder missing.
    if (await hasFiles(join(root, name))) present.push(entry.component);
  }
  return { present, absent: [...known].filter((c) => !present.includes(c)).sort() };
}

/** Whether a directory holds a file to zip somewhere below it; stops at the first (a site may hold thousands). */
async function hasFiles(dir: string): Promise<boolean> {
  for (const name of (await readdir(dir)).filter((n) => !SKIPPED_NAMES.has(n))) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    if (info?.isFile() || (info?.isDirectory() && (await hasFiles(join(dir, name))))) return true;
  }
  return false;
}
