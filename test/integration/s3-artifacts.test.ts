import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import { S3ArtifactStore } from '../../shared/adapters/aws/s3-artifacts.js';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

/** Lambda's limit for an unzipped deployment package. */
const LAMBDA_LIMIT = { maxUncompressedBytes: 262_144_000 };

/** Incompressible but reproducible bytes: a sha256 chain. */
function noise(size: number, seed = 'seed'): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update(seed).digest();
  for (let total = 0; total < size; total += block.length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, size);
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Offset of the end of central directory record, which ends a zip without a comment. */
function eocdOffset(zip: Buffer): number {
  return zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
}

describe('Class: S3ArtifactStore', () => {
  let s3: S3Client;
  let store: S3ArtifactStore;
  const bucket = uniqueName('artifacts');
  const unversionedBucket = uniqueName('artifacts-plain');

  async function put(key: string, body: Buffer, metadata?: Record<string, string>, into = bucket): Promise<string | undefined> {
    const output = await s3.send(new PutObjectCommand({ Bucket: into, Key: key, Body: body, Metadata: metadata }));
    return output.VersionId;
  }

  beforeAll(async () => {
    useMoto();
    s3 = new S3Client({ forcePathStyle: true });
    // The store builds its own client from the standard chain: AWS_ENDPOINT_URL is all it gets.
    store = new S3ArtifactStore();
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new CreateBucketCommand({ Bucket: unversionedBucket }));
  });

  afterAll(async () => {
    for (const name of [bucket, unversionedBucket]) {
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: name }));
      const objects = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
      if (objects.length > 0) await s3.send(new DeleteObjectsCommand({ Bucket: name, Delete: { Objects: objects } }));
      await s3.send(new DeleteBucketCommand({ Bucket: name }));
    }
    s3.destroy();
  });

  describe('Method: head', () => {
    it('returns undefined for a key that does not exist', async () => {
      // Prepare
      const ref = { bucket, key: 'releases/api/missing.zip' };

      // Act
      const head = await store.head(ref);

      // Assess
      expect(head).toBeUndefined();
    });

    it('returns the size, version, unquoted ETag and user metadata of an existing object', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.mjs': 'export const handler = async () => "ok";' });
      const sha256 = sha256Hex(bytes);
      const versionId = await put('releases/api/r1.zip', bytes, { sha256, commit: 'abc123' });

      // Act
      const head = await store.head({ bucket, key: 'releases/api/r1.zip' });

      // Assess
      expect(head).toEqual({
        size: bytes.length,
        versionId,
        etag: createHash('md5').update(bytes).digest('hex'),
        metadata: { sha256, commit: 'abc123' },
      });
    });
  });

  describe('Method: inspectZip', () => {
    it('returns the sha256 of the object bytes and its entry count and unzipped size', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.mjs': 'export const handler = async () => "ok";', 'lib/data.bin': noise(5000) });
      const versionId = await put('releases/api/r2.zip', bytes);

      // Act
      const inspection = await store.inspectZip({ bucket, key: 'releases/api/r2.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      expect(inspection).toEqual({
        sha256: sha256Hex(bytes),
        entries: 2,
        uncompressedBytes: 'export const handler = async () => "ok";'.length + 5000,
      });
    });

    it('reads the older version of an object when its version id is given', async () => {
      // Prepare
      const older = await zipFiles({ 'index.mjs': 'export const v = 1;' });
      const newer = await zipFiles({ 'index.mjs': 'export const v = 2;', 'extra.txt': 'more' });
      const olderVersion = await put('releases/api/r3.zip', older);
      await put('releases/api/r3.zip', newer);

      // Act
      const inspection = await store.inspectZip({ bucket, key: 'releases/api/r3.zip', versionId: olderVersion }, LAMBDA_LIMIT);

      // Assess
      expect(inspection).toEqual({ sha256: sha256Hex(older), entries: 1, uncompressedBytes: 'export const v = 1;'.length });
    });

    it('reads the latest version when no version id is given', async () => {
      // Prepare
      const older = await zipFiles({ 'index.mjs': 'export const v = 1;' });
      const newer = await zipFiles({ 'index.mjs': 'export const v = 2;', 'extra.txt': 'more' });
      await put('releases/api/r4.zip', older);
      await put('releases/api/r4.zip', newer);

      // Act
      const inspection = await store.inspectZip({ bucket, key: 'releases/api/r4.zip' }, LAMBDA_LIMIT);

      // Assess
      expect(inspection).toMatchObject({ sha256: sha256Hex(newer), entries: 2 });
    });

    it('inspects an object in an unversioned bucket', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.html': '<h1>hello</h1>', 'app.js': 'console.log(1)' });
      await put('releases/site/r1.zip', bytes, undefined, unversionedBucket);

      // Act
      const inspection = await store.inspectZip({ bucket: unversionedBucket, key: 'releases/site/r1.zip' }, LAMBDA_LIMIT);

      // Assess
      expect(inspection).toEqual({ sha256: sha256Hex(bytes), entries: 2, uncompressedBytes: 14 + 14 });
    });

    it('rejects an object in an unversioned bucket that was overwritten after the deployment named it', async () => {
      // Prepare
      const first = await zipFiles({ 'index.html': '<h1>one</h1>' });
      await put('releases/site/r2.zip', first, undefined, unversionedBucket);
      const etag = createHash('md5').update(first).digest('hex');
      await put('releases/site/r2.zip', await zipFiles({ 'index.html': '<h1>two</h1>' }), undefined, unversionedBucket);

      // Act
      const inspecting = store.inspectZip({ bucket: unversionedBucket, key: 'releases/site/r2.zip', etag }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(`its ETag is no longer ${etag}`);
    });

    it('reads a central directory larger than one read-ahead window', async () => {
      // Prepare
      const files: Record<string, string> = {};
      for (let i = 0; i < 4000; i += 1) files[`assets/page-${String(i).padStart(4, '0')}.html`] = `<p>${i}</p>`;
      const bytes = await zipFiles({ 'big.bin': noise(300_000), ...files }, { compress: false });
      const versionId = await put('releases/site/r2.zip', bytes);
      const expectedBytes = 300_000 + Object.values(files).reduce((sum, text) => sum + text.length, 0);

      // Act
      const inspection = await store.inspectZip({ bucket, key: 'releases/site/r2.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      expect(bytes.length - bytes.readUInt32LE(eocdOffset(bytes) + 16)).toBeGreaterThan(256 * 1024);
      expect(inspection).toEqual({ sha256: sha256Hex(bytes), entries: 4001, uncompressedBytes: expectedBytes });
    });

    it('rejects an object that is not a zip', async () => {
      // Prepare
      const versionId = await put('releases/api/not-zip.zip', noise(4096));

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/not-zip.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/not a zip/);
    });

    it('rejects a zip truncated to its first half', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.mjs': 'export const handler = 1;', 'lib/data.bin': noise(5000) });
      const versionId = await put('releases/api/truncated.zip', bytes.subarray(0, Math.floor(bytes.length / 2)));

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/truncated.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/truncated/);
    });

    it('rejects a zip whose central directory is corrupt', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.mjs': 'export const handler = 1;' });
      const directoryStart = bytes.readUInt32LE(eocdOffset(bytes) + 16);
      bytes.writeUInt32LE(0xdeadbeef, directoryStart);
      const versionId = await put('releases/api/corrupt.zip', bytes);

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/corrupt.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/central directory/);
    });

    it('rejects an empty zip', async () => {
      // Prepare
      const versionId = await put('releases/api/empty.zip', await zipFiles({}));

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/empty.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/empty zip/);
    });

    it('rejects a zip whose declared unzipped size is over the limit, naming both numbers', async () => {
      // Prepare
      const versionId = await put('releases/api/large.zip', await zipFiles({ 'blob.bin': Buffer.alloc(5000, 'a') }));

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/large.zip', versionId }, { maxUncompressedBytes: 1000 });

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/5000 bytes.*1000 bytes/);
    });

    it('rejects a zip with an encrypted entry', async () => {
      // Prepare
      const bytes = await zipFiles({ 'index.mjs': 'export const handler = 1;', 'secret.txt': 'password protected' });
      // yazl cannot encrypt: set the "encrypted" flag (bit 0) in the second directory record.
      const directoryStart = bytes.readUInt32LE(eocdOffset(bytes) + 16);
      const secondRecord = directoryStart + 46 + bytes.readUInt16LE(directoryStart + 28) + bytes.readUInt16LE(directoryStart + 30);
      bytes.writeUInt16LE(bytes.readUInt16LE(secondRecord + 8) | 0x1, secondRecord + 8);
      const versionId = await put('releases/api/encrypted.zip', bytes);

      // Act
      const inspecting = store.inspectZip({ bucket, key: 'releases/api/encrypted.zip', versionId }, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/encrypted entry "secret.txt"/);
    });

    it('rejects an object that does not exist', async () => {
      // Prepare
      const ref = { bucket, key: 'releases/api/never-uploaded.zip' };

      // Act
      const inspecting = store.inspectZip(ref, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(`artifact s3://${bucket}/releases/api/never-uploaded.zip does not exist`);
    });

    it('rejects a version id that does not exist', async () => {
      // Prepare
      await put('releases/api/r5.zip', await zipFiles({ 'index.mjs': 'export const v = 1;' }));
      const ref = { bucket, key: 'releases/api/r5.zip', versionId: '00000000-0000-0000-0000-000000000000' };

      // Act
      const inspecting = store.inspectZip(ref, LAMBDA_LIMIT);

      // Assess
      await expect(inspecting).rejects.toThrow(ArtifactRejectedError);
      await expect(inspecting).rejects.toThrow(/version 00000000-0000-0000-0000-000000000000\) does not exist/);
    });
  });
});
