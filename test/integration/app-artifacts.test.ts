import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipDirectory } from '../../cli/zip-directory.js';
import { createVersionedBucket } from '../../dev/provision.js';
import { zipFiles } from '../../dev/zip.js';
import { S3AppArtifacts } from '../../shared/adapters/aws/s3-app-artifacts.js';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import type { AppLayout } from '../../shared/ports/index.js';
import { uniqueName, useMoto } from '../support/aws-env.js';
import { rawZip } from '../support/raw-zip.js';
import { rejection } from '../support/rejection.js';

const layout = (maxEntries = 100): AppLayout => ({
  components: {
    api: { kind: 'function' },
    worker: { kind: 'function' },
    web: { kind: 'site', limits: { maxEntries, maxUncompressedBytes: 1024 * 1024, maxCompressionRatio: 100 } },
  },
});

interface FileSpec {
  path: string;
  data: string;
  mode?: number;
  mtime?: Date;
}

/** A zip in the order given, with each entry's own mode and timestamp (as a careless build would write it). */
async function zipAsGiven(files: FileSpec[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of files) zip.addBuffer(Buffer.from(f.data), f.path, { mode: f.mode ?? 0o100644, mtime: f.mtime ?? new Date() });
  zip.end();
  return Buffer.concat(await (zip.outputStream as Readable).toArray());
}

/** Each entry of a zip: its name, Unix mode and content. */
function unzip(bytes: Buffer): Promise<{ name: string; mode: number; data: string }[]> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (error, zip) => {
      if (error) return reject(error);
      const out: { name: string; mode: number; data: string }[] = [];
      zip.on('entry', (entry: yauzl.Entry) =>
        zip.openReadStream(entry, async (failed, stream) => {
          if (failed) return reject(failed);
          const data = Buffer.concat(await stream.toArray()).toString();
          out.push({ name: entry.fileName, mode: entry.externalFileAttributes >>> 16, data });
          zip.readEntry();
        }),
      );
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    }),
  );
}

describe('Class: S3AppArtifacts', () => {
  let s3: S3Client;
  let artifacts: S3AppArtifacts;
  const bucket = uniqueName('app-artifacts');
  let work: string;

  beforeAll(async () => {
    useMoto();
    s3 = new S3Client({ forcePathStyle: true });
    artifacts = new S3AppArtifacts();
    await createVersionedBucket(bucket);
    work = await mkdtemp(join(tmpdir(), 'app-artifacts-'));
  });

  afterAll(async () => {
    s3.destroy();
    await rm(work, { recursive: true, force: true });
  });

  async function upload(key: string, body: Buffer) {
    const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return { bucket, key, versionId: out.VersionId! };
  }

  async function refusal(key: string, body: Buffer, limits = layout()): Promise<Error> {
    return rejection(artifacts.inspectApp(await upload(key, body), limits));
  }

  describe('Method: inspectApp', () => {
    it('counts the files of each component with a folder and leaves out the absent one', async () => {
      // Prepare
      const ref = await upload(
        'releases/shop/r1.zip',
        await zipFiles({ 'api/index.mjs': 'export const handler = 1;', 'api/lib/util.mjs': 'x', 'web/index.html': '<h1>r1</h1>' }),
      );

      // Act
      const inspection = await artifacts.inspectApp(ref, layout());

      // Assess
      expect(inspection.components).toEqual({
        api: { entries: 2, uncompressedBytes: 'export const handler = 1;'.length + 1 },
        web: { entries: 1, uncompressedBytes: '<h1>r1</h1>'.length },
      });
      expect(inspection.entries).toBe(3);
      expect(inspection.sha256).toMatch(/^[0-9a-f]{64}$/);
    });

    it('refuses a file at the top of the zip, naming it', async () => {
      // Act
      const error = await refusal('releases/shop/top.zip', await zipFiles({ 'README.md': 'hi', 'api/index.mjs': 'x' }));

      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('"README.md" is at the top of the zip');
    });

    it('refuses a folder that names no component, naming the folder', async () => {
      // Act
      const error = await refusal('releases/shop/unknown.zip', await zipFiles({ 'api/index.mjs': 'x', 'docs/guide.md': 'y' }));

      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('folder "docs/" names no component');
    });

    it('refuses an entry that climbs out of its component folder, naming the component and the entry', async () => {
      // Act
      const error = await refusal(
        'releases/shop/climb.zip',
        rawZip([
          { name: 'api/index.mjs', data: 'x' },
          { name: 'api/../../etc/passwd', data: 'y' },
        ]),
      );

      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('component "api"');
      expect(error.message).toContain('"api/../../etc/passwd" climbs out');
    });

    it("refuses a function folder that unzips past Lambda's 250 MiB, naming the component and the entry", async () => {
      // Prepare: the directory's word is enough; nothing is inflated past the limit
      const entries = [
        { name: 'api/index.mjs', data: 'x' },
        { name: 'api/big.bin', data: 'tiny', method: 8, uncompressedSize: 262_144_000 },
      ];

      // Act
      const error = await refusal('releases/shop/too-big.zip', rawZip(entries));

      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('component "api"');
      expect(error.message).toContain('262144000 bytes');
      expect(error.message).toContain('"api/big.bin"');
    });

    it("refuses a site folder over the site's entry limit, naming the component", async () => {
      // Prepare
      const files = { 'web/a.html': 'a', 'web/b.html': 'b', 'web/c.html': 'c', 'api/index.mjs': 'x' };

      // Act
      const error = await refusal('releases/shop/big-site.zip', await zipFiles(files), layout(2));

      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('component "web"');
      expect(error.message).toContain('more than 2 entries');
    });
  });

  describe('Method: packageComponent', () => {
    it('repacks the same files as the same bytes, whatever their order and timestamps, at their paths inside the folder', async () => {
      // Prepare
      const api: FileSpec[] = [
        { path: 'api/index.mjs', data: 'export const handler = async () => 1;' },
        { path: 'api/bootstrap', data: '#!/bin/sh\n', mode: 0o100775 },
        { path: 'api/lib/util.mjs', data: 'export const x = 1;', mode: 0o100600 },
      ];
      const first = await upload(
        'releases/shop/p1.zip',
        await zipAsGiven([...api.map((f) => ({ ...f, mtime: new Date('2021-03-04T05:06:07Z') })), { path: 'web/index.html', data: 'v1' }]),
      );
      const second = await upload(
        'releases/shop/p2.zip',
        await zipAsGiven([{ path: 'worker/run.mjs', data: 'w' }, ...[...api].reverse().map((f) => ({ ...f, mtime: new Date('2024-11-12T13:14:15Z') }))]),
      );

      // Act
      const a = await artifacts.packageComponent(first, 'api/', { bucket, key: 'components/shop/d1/api.zip' });
      const b = await artifacts.packageComponent(second, 'api/', { bucket, key: 'components/shop/d2/api.zip' });

      // Assess
      expect(a.sha256).toBe(b.sha256);
      expect(a.size).toBe(b.size);
      expect(a.artifact).toEqual({ bucket, key: 'components/shop/d1/api.zip', versionId: expect.any(String) });
      const written = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: a.artifact.key, VersionId: a.artifact.versionId }));
      const bytes = Buffer.from(await written.Body!.transformToByteArray());
      expect(bytes.length).toBe(a.size);
      expect(await unzip(bytes)).toEqual([
        { name: 'bootstrap', mode: 0o100755, data: '#!/bin/sh\n' },
        { name: 'index.mjs', mode: 0o100644, data: 'export const handler = async () => 1;' },
        { name: 'lib/util.mjs', mode: 0o100644, data: 'export const x = 1;' },
      ]);
      // The CLI zips the same function directory into the same bytes (one set of rules).
      for (const f of api) {
        const path = join(work, f.path);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, f.data);
        await chmod(path, (f.mode ?? 0o644) & 0o777);
      }
      const cli = await zipDirectory(join(work, 'api'), join(work, 'api.zip'));
      expect(cli.sha256).toBe(a.sha256);
    });
  });
});
