import { GetObjectCommand, HeadObjectCommand, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { createDeflateRaw, deflateRawSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { S3ArtifactStore } from '../../shared/adapters/aws/s3-artifacts.js';
import { zipFiles } from '../../dev/zip.js';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { LAMBDA_MAX_UNZIPPED_BYTES } from '../../shared/usecases/workflow/prepare.js';
import { rawZip } from '../support/raw-zip.js';
import { rejection } from '../support/rejection.js';

const MiB = 1024 * 1024;
const FUNCTION_LIMITS = { maxUncompressedBytes: LAMBDA_MAX_UNZIPPED_BYTES, countInflatedBytes: true };

/** `mebibytes` MiB of zeros, deflated without ever holding them in memory. */
async function deflatedZeros(mebibytes: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < mebibytes; i++) if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  deflate.end();
  await done;
  return Buffer.concat(out);
}

describe('Class: S3ArtifactStore', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3Mock = mockClient(client);
  const store = new S3ArtifactStore({ client });
  const ref = { bucket: 'artifacts', key: 'releases/api/r2.zip', versionId: 'v-2' };
  let servedBytes = 0;

  /** Answers HeadObject and (ranged) GetObject like S3 does, from `object`. */
  function serve(object: Buffer): void {
    s3Mock.on(HeadObjectCommand).resolves({ ContentLength: object.length, VersionId: 'v-2', ETag: '"e"', Metadata: {} });
    s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
      const slice = first === undefined ? object : object.subarray(Number(first), Math.min(Number(last) + 1, object.length));
      servedBytes += slice.length;
      return { Body: Readable.from([slice]), ContentLength: slice.length };
    });
  }

  beforeEach(() => {
    s3Mock.reset();
    servedBytes = 0;
  });

  describe('Method: inspectZip (counting inflated bytes, as for a function)', () => {
    it('counts the real bytes of a truthful zip', async () => {
      // Prepare
      serve(await zipFiles({ 'index.mjs': 'export const handler = async () => 1;\n', 'lib/big.txt': 'a'.repeat(100_000) }));
      // Act
      const inspection = await store.inspectZip(ref, FUNCTION_LIMITS);
      // Assess
      expect(inspection).toMatchObject({ entries: 2, uncompressedBytes: 38 + 100_000 });
    });

    it('refuses an entry that declares 100 bytes but inflates to 300 MiB, naming the entry, without inflating it all', async () => {
      // Prepare
      const bomb = await deflatedZeros(300);
      serve(
        rawZip([
          { name: 'index.mjs', data: 'export const handler = 1;' },
          { name: 'node_modules/huge.bin', data: bomb, method: 8, uncompressedSize: 100 },
        ]),
      );
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('"node_modules/huge.bin" declares 100 bytes unzipped but inflates to more');
      expect(error.message).toContain('nothing was published');
      expect(servedBytes).toBeLessThan(4 * bomb.length);
    });

    it('stops at the first entry that inflates past its declared size, before the real total can pass the limit', async () => {
      // Prepare: each entry declares 10 bytes and really holds 600
      const data = deflateRawSync(Buffer.alloc(600, 'x'));
      serve(rawZip(Array.from({ length: 3 }, (_, i) => ({ name: `f${i}.js`, data, method: 8, uncompressedSize: 10 }))));
      // Act
      const error = await rejection(store.inspectZip(ref, { maxUncompressedBytes: 1000, countInflatedBytes: true }));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toMatch(/"f0\.js" declares 10 bytes unzipped but inflates to more \(at least 600\)/);
    });

    it('refuses an entry that holds fewer bytes than it declares', async () => {
      // Prepare
      serve(rawZip([{ name: 'index.mjs', data: deflateRawSync(Buffer.from('short')), method: 8, uncompressedSize: 5000 }]));
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('"index.mjs" declares 5000 bytes unzipped but holds only 5');
    });

    it('refuses a stored entry whose two sizes disagree', async () => {
      // Prepare
      serve(rawZip([{ name: 'index.mjs', data: 'x'.repeat(50), uncompressedSize: 90_000_000 }]));
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('"index.mjs" is stored uncompressed but declares 50 bytes stored and 90000000 unzipped');
    });

    it('refuses corrupt deflate data as a rejected artifact, not a retryable fault', async () => {
      // Prepare
      serve(rawZip([{ name: 'index.mjs', data: Buffer.from([0xff, 0xff, 0xff, 0xff]), method: 8, uncompressedSize: 10 }]));
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('"index.mjs" has corrupt data');
    });

    it('says an encrypted stored entry is encrypted, not "size mismatch 77 != 77", and how to fix it', async () => {
      // Prepare: the encrypted flag on a stored entry whose sizes are equal (no 12-byte crypto header)
      serve(rawZip([{ name: 'index.mjs', data: 'e'.repeat(77), flags: 0x0801 }]));
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).not.toContain('mismatch');
      expect(error.message).toContain('encrypted entry "index.mjs"');
      expect(error.message).toContain('re-zip the release without a password');
    });

    it('refuses a compression method Lambda cannot read', async () => {
      // Prepare
      serve(rawZip([{ name: 'index.mjs', data: 'xx', method: 14 }]));
      // Act
      const error = await rejection(store.inspectZip(ref, FUNCTION_LIMITS));
      // Assess
      expect(error).toBeInstanceOf(ArtifactRejectedError);
      expect(error.message).toContain('compressed with method 14');
    });
  });

  describe('Method: inspectZip (directory only, as for a site)', () => {
    it('reads no entry data, so a large site is not inflated twice', async () => {
      // Prepare: a lying entry passes here; staging counts its bytes
      serve(rawZip([{ name: 'index.html', data: deflateRawSync(Buffer.alloc(10_000)), method: 8, uncompressedSize: 100 }]));
      // Act
      const inspection = await store.inspectZip(ref, { maxUncompressedBytes: 1000 });
      // Assess
      expect(inspection).toMatchObject({ entries: 1, uncompressedBytes: 100 });
    });
  });
});
