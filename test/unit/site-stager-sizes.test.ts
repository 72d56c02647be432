import { GetObjectCommand, PutObjectCommand, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import { stageChunk } from '../../shared/adapters/aws/s3-site-stager.js';
import { ArtifactRejectedError } from '../../shared/domain/errors.js';
import { checkEntry, newEntryCheckState, type ZipEntryRecord } from '../../shared/domain/site/entry-rules.js';
import { rawZip } from '../support/raw-zip.js';
import { rejection } from '../support/rejection.js';

describe('Function: stageChunk (entry sizes)', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3Mock = mockClient(client);
  const artifact = { bucket: 'artifacts', key: 'releases/www/r2.zip', versionId: 'v-2' };

  function serve(object: Buffer): void {
    s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
      const slice = first === undefined ? object : object.subarray(Number(first), Math.min(Number(last) + 1, object.length));
      return { Body: Readable.from([slice]) };
    });
    s3Mock.on(PutObjectCommand).resolves({});
  }

  function request(zip: Buffer) {
    return {
      artifact,
      artifactSize: zip.length,
      start: 0,
      end: 10,
      bucket: 'www-origin',
      releasePrefix: 'www/r2/',
      headersFor: () => ({ contentType: 'text/html', cacheControl: 'no-cache' }),
    };
  }

  beforeEach(() => {
    s3Mock.reset();
  });

  it('refuses an entry that inflates past its declared size as a rejected artifact, uploading nothing of it', async () => {
    // Prepare: a 100-byte page that really inflates to 1 MiB
    const zip = rawZip([{ name: 'index.html', data: deflateRawSync(Buffer.alloc(1024 * 1024, ' ')), method: 8, uncompressedSize: 100 }]);
    serve(zip);
    // Act
    const error = await rejection(stageChunk(client, request(zip)));
    // Assess
    expect(error).toBeInstanceOf(ArtifactRejectedError);
    expect(error.message).toContain('the site zip: the zip entry "index.html" declares 100 bytes unzipped but inflates to more');
    expect(error.message).toContain('nothing was published');
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('refuses a stored entry whose sizes disagree instead of failing on a raw yauzl message', async () => {
    // Prepare
    const zip = rawZip([{ name: 'index.html', data: 'x'.repeat(40), uncompressedSize: 4000 }]);
    serve(zip);
    // Act
    const error = await rejection(stageChunk(client, request(zip)));
    // Assess
    expect(error).toBeInstanceOf(ArtifactRejectedError);
    expect(error.message).toContain('"index.html" declares 4000 bytes unzipped but holds only 40');
  });

  it('stages an entry whose real size is the declared one', async () => {
    // Prepare
    const page = Buffer.from('<h1>r2</h1>');
    const zip = rawZip([{ name: 'index.html', data: deflateRawSync(page), method: 8, uncompressedSize: page.length }]);
    serve(zip);
    // Act
    const result = await stageChunk(client, request(zip));
    // Assess
    expect(result.uploaded).toEqual({ files: 1, bytes: page.length });
    expect(s3Mock).toReceiveCommandWith(PutObjectCommand, { Bucket: 'www-origin', Key: 'www/r2/index.html', Body: page });
  });
});

describe('Function: checkEntry (stored sizes)', () => {
  const stored = (compressedSize: number, uncompressedSize: number): ZipEntryRecord => ({
    nameBytes: Buffer.from('index.html'),
    generalPurposeBitFlag: 0x0800,
    externalFileAttributes: (0o100644 << 16) >>> 0,
    versionMadeBy: (3 << 8) | 20,
    compressionMethod: 0,
    compressedSize,
    uncompressedSize,
  });

  it('refuses a stored entry whose two sizes disagree before anything is staged', () => {
    expect(() => checkEntry(stored(40, 4000), newEntryCheckState())).toThrow(
      /"index.html" is stored uncompressed but declares 40 bytes stored and 4000 unpacked/,
    );
  });

  it('accepts a stored entry whose sizes agree', () => {
    expect(checkEntry(stored(40, 40), newEntryCheckState())).toBe('index.html');
  });
});
