import { GetObjectCommand, NoSuchKey, S3Client, type GetObjectCommandInput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import type { Entry, ZipFile } from 'yauzl';
import { S3RangeReadError, S3RangeReader, openS3Zip, zipEntries } from '../../shared/adapters/aws/s3-range-reader.js';

/** Incompressible but reproducible bytes: a sha256 chain. */
function noise(size: number): Buffer {
  const blocks: Buffer[] = [];
  let block = createHash('sha256').update('seed').digest();
  for (let total = 0; total < size; total += block.length) {
    blocks.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat(blocks).subarray(0, size);
}

async function readAll(zip: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const entry of zipEntries(zip)) entries.push(entry);
  return entries;
}

async function entryBytes(zip: ZipFile, entry: Entry): Promise<Buffer> {
  const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (error, opened) => (error ? reject(error) : resolve(opened))));
  return Buffer.concat(await stream.toArray());
}

describe('Module: s3-range-reader', () => {
  const client = new S3Client({ region: 'us-east-1' });
  const s3Mock = mockClient(client);
  const ref = { bucket: 'artifacts', key: 'releases/api/r1.zip', versionId: 'v-1' };

  /** Answers GetObject like S3 does: the requested inclusive byte range of `object`. */
  function serve(object: Buffer): void {
    s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
      const [, first, last] = /^bytes=(\d+)-(\d+)$/.exec(input.Range ?? '') ?? [];
      const slice = first === undefined ? object : object.subarray(Number(first), Math.min(Number(last) + 1, object.length));
      return { Body: Readable.from([slice]), ContentLength: slice.length };
    });
  }

  function sentRequests(): GetObjectCommandInput[] {
    return s3Mock.commandCalls(GetObjectCommand).map((call) => call.args[0].input);
  }

  beforeEach(() => {
    s3Mock.reset();
  });

  describe('Function: openS3Zip', () => {
    it('reads a small zip whole with one ranged request pinned to the version', async () => {
      // Prepare
      const object = await zipFiles({ 'index.mjs': 'export const handler = 1;', 'lib/util.mjs': 'export {};' });
      serve(object);

      // Act
      const entries = await readAll(await openS3Zip(client, ref, object.length));

      // Assess
      expect(entries.map((e) => e.fileName)).toEqual(['index.mjs', 'lib/util.mjs']);
      expect(sentRequests()).toEqual([{ Bucket: 'artifacts', Key: 'releases/api/r1.zip', VersionId: 'v-1', Range: `bytes=0-${object.length - 1}` }]);
    });

    it('fetches only the tail of a large zip to read its directory', async () => {
      // Prepare
      const object = await zipFiles({ 'big.bin': noise(400_000), 'index.mjs': 'export const handler = 1;' }, { compress: false });
      serve(object);

      // Act
      const entries = await readAll(await openS3Zip(client, ref, object.length, { readAheadBytes: 0 }));

      // Assess
      expect(entries.map((e) => [e.fileName, e.uncompressedSize])).toEqual([
        ['big.bin', 400_000],
        ['index.mjs', 25],
      ]);
      // yauzl reads the last 65,557 bytes + a zip64 locator (22 + 65,535 + 20) to find the directory.
      expect(sentRequests()).toEqual([
        { Bucket: 'artifacts', Key: 'releases/api/r1.zip', VersionId: 'v-1', Range: `bytes=${object.length - 65_577}-${object.length - 1}` },
      ]);
    });

    it('streams an entry with a ranged request for exactly its bytes, pinned to the version', async () => {
      // Prepare
      const content = noise(400_000);
      const object = await zipFiles({ 'big.bin': content, 'index.mjs': 'export const handler = 1;' }, { compress: false });
      serve(object);
      const zip = await openS3Zip(client, ref, object.length, { readAheadBytes: 0 });

      // Act
      let bytes: Buffer | undefined;
      for await (const entry of zipEntries(zip)) {
        // An entry's data is opened before the next entry is asked for: the zip closes after the last.
        if (entry.fileName === 'big.bin') bytes = await entryBytes(zip, entry);
      }

      // Assess
      expect(bytes?.equals(content)).toBe(true);
      const requests = sentRequests();
      expect(requests.every((r) => r.VersionId === 'v-1' && r.IfMatch === undefined)).toBe(true);
      const dataStart = 30 + object.readUInt16LE(26) + object.readUInt16LE(28);
      expect(requests.map((r) => r.Range)).toContain(`bytes=${dataStart}-${dataStart + 400_000 - 1}`);
    });

    it('requests only the part of an entry that the read-ahead of its header did not bring', async () => {
      // Prepare
      const content = noise(400_000);
      const object = await zipFiles({ 'big.bin': content, 'index.mjs': 'export const handler = 1;' }, { compress: false });
      serve(object);
      const zip = await openS3Zip(client, ref, object.length, { readAheadBytes: 65_536 });

      // Act
      let bytes: Buffer | undefined;
      for await (const entry of zipEntries(zip)) {
        if (entry.fileName === 'big.bin') bytes = await entryBytes(zip, entry);
      }

      // Assess
      expect(bytes?.equals(content)).toBe(true);
      const dataStart = 30 + object.readUInt16LE(26) + object.readUInt16LE(28);
      expect(sentRequests().map((r) => r.Range)).toEqual([
        `bytes=${object.length - 65_577}-${object.length - 1}`,
        'bytes=0-65535',
        `bytes=65536-${dataStart + 400_000 - 1}`,
      ]);
    });

    it('serves the directory and every entry of a small zip from its one request', async () => {
      // Prepare
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 20; i += 1) files[`assets/${i}.txt`] = Buffer.alloc(1000, `${i}`);
      const object = await zipFiles(files);
      serve(object);
      const zip = await openS3Zip(client, ref, object.length);

      // Act
      const read: Record<string, Buffer> = {};
      for await (const entry of zipEntries(zip)) read[entry.fileName] = await entryBytes(zip, entry);

      // Assess
      expect(read).toEqual(files);
      expect(sentRequests()).toHaveLength(1);
    });

    it('reads a directory larger than the tail read in read-ahead windows', async () => {
      // Prepare
      const files: Record<string, string> = {};
      for (let i = 0; i < 1500; i += 1) files[`assets/page-${String(i).padStart(4, '0')}.html`] = `<p>${i}</p>`;
      const object = await zipFiles({ 'big.bin': noise(100_000), ...files }, { compress: false });
      const directoryStart = object.readUInt32LE(object.length - 22 + 16);
      serve(object);

      // Act
      const entries = await readAll(await openS3Zip(client, ref, object.length, { readAheadBytes: 16_384 }));

      // Assess
      expect(entries).toHaveLength(1501);
      const ranges = sentRequests().map((r) => r.Range);
      expect(ranges[0]).toBe(`bytes=${object.length - 65_577}-${object.length - 1}`);
      expect(ranges[1]).toBe(`bytes=${directoryStart}-${directoryStart + 16_384 - 1}`);
      // Records that straddle a window's end start the next window, so windows overlap a little.
      const windowsBeforeTail = Math.ceil((object.length - 65_577 - directoryStart) / 16_384);
      expect(ranges.length).toBeGreaterThanOrEqual(1 + windowsBeforeTail);
      expect(ranges.length).toBeLessThanOrEqual(2 + windowsBeforeTail);
      expect(sentRequests().every((r) => r.VersionId === 'v-1')).toBe(true);
    });

    it('pins reads to the ETag when the object has no version id', async () => {
      // Prepare
      const object = await zipFiles({ 'index.html': '<h1>hi</h1>' });
      serve(object);
      const unversioned = { bucket: 'artifacts', key: 'releases/site/r1.zip', etag: 'abc123' };

      // Act
      await readAll(await openS3Zip(client, unversioned, object.length));

      // Assess
      expect(sentRequests()).toEqual([{ Bucket: 'artifacts', Key: 'releases/site/r1.zip', IfMatch: 'abc123', Range: `bytes=0-${object.length - 1}` }]);
    });

    it('rejects with S3RangeReadError carrying the SDK error when S3 refuses a read', async () => {
      // Prepare
      const refused = new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
      s3Mock.on(GetObjectCommand).rejects(refused);

      // Act
      const opening = openS3Zip(client, ref, 1000);

      // Assess
      await expect(opening).rejects.toThrow(S3RangeReadError);
      await expect(opening).rejects.toMatchObject({ cause: refused, range: 'bytes=0-999' });
    });

    it('rejects with yauzl error, not S3RangeReadError, when the bytes are not a zip', async () => {
      // Prepare
      const object = Buffer.from('definitely not a zip file');
      serve(object);

      // Act
      const opening = openS3Zip(client, ref, object.length);

      // Assess
      await expect(opening).rejects.toThrow(/End of central directory record signature not found/);
      await expect(opening).rejects.not.toBeInstanceOf(S3RangeReadError);
    });
  });

  describe('Class: S3RangeReader', () => {
    it('answers a read past the end of the object with no bytes and no request', async () => {
      // Prepare
      const reader = new S3RangeReader(client, ref, 100);

      // Act
      const bytesRead = await new Promise<number | undefined>((resolve, reject) =>
        reader.read(Buffer.alloc(46), 0, 46, 120, (error, count) => (error ? reject(error) : resolve(count))),
      );

      // Assess
      expect(bytesRead).toBe(0);
      expect(sentRequests()).toEqual([]);
    });
  });
});
