import { chmod, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareArtifact } from '../../cli/artifact.js';
import { UsageError } from '../../cli/errors.js';
import { zipDirectory } from '../../cli/zip-directory.js';

let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-zip-'));
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Writes `files` (path → content) under `work/<name>` and returns that directory. */
async function tree(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

let zips = 0;
async function zip(dir: string) {
  return zipDirectory(dir, join(work, `out-${zips++}.zip`));
}

interface ZipEntryInfo {
  name: string;
  mode: number;
  extraFields: number;
  lastModFileDate: number;
  lastModFileTime: number;
}

function entriesOf(file: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zipfile) => {
      if (error || !zipfile) return reject(error);
      const entries: ZipEntryInfo[] = [];
      zipfile.on('entry', (entry: yauzl.Entry) => {
        entries.push({
          name: entry.fileName,
          mode: entry.externalFileAttributes >>> 16,
          extraFields: entry.extraFields.length,
          lastModFileDate: entry.lastModFileDate,
          lastModFileTime: entry.lastModFileTime,
        });
        zipfile.readEntry();
      });
      zipfile.on('end', () => resolve(entries));
      zipfile.on('error', reject);
      zipfile.readEntry();
    });
  });
}

const files = { 'index.mjs': 'export const handler = async () => "r2";\n', 'lib/util.mjs': 'export const x = 1;\n', 'lib/a-b.mjs': 'b\n', README: 'r\n' };

describe('Function: zipDirectory', () => {
  it('gives the same sha256 for the same tree zipped twice, in two places', async () => {
    // Prepare
    const one = await tree('one', files);
    const two = await tree('two', Object.fromEntries(Object.entries(files).reverse()));

    // Act
    const a = await zip(one);
    const b = await zip(two);
    const again = await zip(one);

    // Assess
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    expect(again.sha256).toBe(a.sha256);
    expect(b.size).toBe(a.size);
  });

  it('ignores modification times and read/write permissions', async () => {
    // Prepare
    const one = await tree('one', files);
    const two = await tree('two', files);
    await utimes(join(two, 'index.mjs'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    await utimes(join(two, 'lib'), new Date('2011-01-01T00:00:00Z'), new Date('2011-01-01T00:00:00Z'));
    await chmod(join(two, 'README'), 0o600);
    await chmod(join(two, 'lib', 'util.mjs'), 0o664);

    // Act
    const a = await zip(one);
    const b = await zip(two);

    // Assess
    expect(b.sha256).toBe(a.sha256);
  });

  it('gives another sha256 when one byte of one file changed', async () => {
    // Prepare
    const one = await tree('one', files);
    const two = await tree('two', { ...files, 'lib/util.mjs': 'export const x = 2;\n' });

    // Act
    const a = await zip(one);
    const b = await zip(two);

    // Assess
    expect(b.sha256).not.toBe(a.sha256);
  });

  it('gives another sha256 when a file is renamed or added', async () => {
    // Prepare
    const { README, ...others } = files;
    const base = await tree('base', files);
    const renamed = await tree('renamed', { ...others, 'README.md': README });
    const added = await tree('added', { ...files, 'extra.txt': '' });

    // Act
    const [a, b, c] = [await zip(base), await zip(renamed), await zip(added)];

    // Assess
    expect(new Set([a.sha256, b.sha256, c.sha256]).size).toBe(3);
  });

  it('does not depend on the time zone of the machine', async () => {
    // Prepare
    const dir = await tree('one', files);
    const zone = process.env.TZ;

    // Act
    let utc, tokyo;
    try {
      process.env.TZ = 'UTC';
      utc = await zip(dir);
      process.env.TZ = 'Asia/Tokyo';
      tokyo = await zip(dir);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }

    // Assess
    expect(tokyo.sha256).toBe(utc.sha256);
  });

  it('writes sorted paths, fixed times, normalised modes (executables stay 755) and no extra fields', async () => {
    // Prepare
    const dir = await tree('one', { ...files, bootstrap: '#!/bin/sh\n' });
    await chmod(join(dir, 'bootstrap'), 0o700);
    const out = join(work, 'inspect.zip');

    // Act
    const zipped = await zipDirectory(dir, out);
    const entries = await entriesOf(out);

    // Assess
    expect(zipped.entries).toEqual(['README', 'bootstrap', 'index.mjs', 'lib/a-b.mjs', 'lib/util.mjs']);
    expect(entries.map((e) => e.name)).toEqual(zipped.entries);
    expect(entries.map((e) => e.mode.toString(8))).toEqual(['100644', '100755', '100644', '100644', '100644']);
    expect(entries.every((e) => e.extraFields === 0)).toBe(true);
    // 2020-01-01 00:00:00 as a DOS date/time
    expect(entries.every((e) => e.lastModFileDate === ((40 << 9) | (1 << 5) | 1) && e.lastModFileTime === 0)).toBe(true);
  });

  it('leaves out .git and .DS_Store, follows symlinks to files, and refuses a symlink cycle', async () => {
    // Prepare
    const dir = await tree('one', { 'index.mjs': 'x\n', '.git/HEAD': 'ref: main\n', '.DS_Store': 'junk' });
    await symlink(join(dir, 'index.mjs'), join(dir, 'alias.mjs'));
    const cyclic = await tree('cyclic', { 'a/file': 'x' });
    await symlink(cyclic, join(cyclic, 'a', 'loop'));

    // Act
    const zipped = await zip(dir);
    const error = await zip(cyclic).catch((e: unknown) => e);

    // Assess
    expect(zipped.entries).toEqual(['alias.mjs', 'index.mjs']);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/a\/loop links back to a directory above it/);
  });

  it('refuses a directory without files as a usage error', async () => {
    // Prepare
    const dir = await tree('empty', {});
    await mkdir(join(dir, 'sub'));

    // Act
    const error = await zip(dir).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/has no files to deploy/);
  });
});

describe('Function: prepareArtifact', () => {
  it('zips a directory into a temporary file that dispose() removes', async () => {
    // Prepare
    const dir = await tree('site', files);

    // Act
    const artifact = await prepareArtifact('site', work);
    const { existsSync } = await import('node:fs');
    const before = existsSync(artifact.file);
    await artifact.dispose();

    // Assess
    expect(artifact.zippedFiles).toBe(4);
    expect(artifact.sha256).toBe((await zip(dir)).sha256);
    expect([before, existsSync(artifact.file)]).toEqual([true, false]);
  });

  it('hashes a zip file as it is, without copying it', async () => {
    // Prepare
    const dir = await tree('site', files);
    const file = join(work, 'build.zip');
    const expected = await zipDirectory(dir, file);

    // Act
    const artifact = await prepareArtifact('build.zip', work);

    // Assess
    expect(artifact).toMatchObject({ file, size: expected.size, sha256: expected.sha256 });
    expect(artifact.zippedFiles).toBeUndefined();
  });
});
