import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectSiteZip } from '../../shared/adapters/aws/s3-site-inspector.js';
import { stageChunk } from '../../shared/adapters/aws/s3-site-stager.js';
import { DEFAULT_SITE_LIMITS } from '../../shared/domain/site/entry-rules.js';
import { createVersionedBucket } from '../../dev/provision.js';
import { zipFiles } from '../../dev/zip.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const headersFor = (path: string) => ({
  contentType: path.endsWith('.html') ? 'text/html; charset=utf-8' : 'application/octet-stream',
  cacheControl: path.endsWith('.html') ? 'public, max-age=0, must-revalidate' : 'public, max-age=31536000, immutable',
});

describe('Function: stageChunk against moto', () => {
  let s3: S3Client;
  let artifacts: string;
  let site: string;
  beforeAll(async () => {
    useMoto();
    s3 = new S3Client({ forcePathStyle: true });
    artifacts = uniqueName('artifacts');
    site = uniqueName('site');
    await createVersionedBucket(artifacts);
    await createVersionedBucket(site);
  });

  async function upload(key: string, files: Record<string, string | Buffer>) {
    const body = await zipFiles(files);
    const out = await s3.send(new PutObjectCommand({ Bucket: artifacts, Key: key, Body: body }));
    return { artifact: { bucket: artifacts, key, versionId: out.VersionId! }, artifactSize: body.length };
  }

  async function object(key: string) {
    const out = await s3.send(new GetObjectCommand({ Bucket: site, Key: key }));
    return { body: await out.Body!.transformToString(), contentType: out.ContentType, cacheControl: out.CacheControl, sha256: out.Metadata?.sha256 };
  }

  it('writes every file of the zip under the release prefix with its headers and sha256, in chunks', async () => {
    // Prepare
    const files = {
      'index.html': '<h1>r1</h1>',
      'about/index.html': '<h1>about</h1>',
      'assets/app.1234abcd.js': 'console.log(1)',
      'img/logo.bin': Buffer.alloc(3000, 7),
    };
    const zip = await upload('releases/www/r1.zip', files);
    // Act: two chunks cover the four entries (sorted: about/index.html, assets/…, img/…, index.html)
    const first = await stageChunk(s3, { ...zip, start: 0, end: 2, bucket: site, releasePrefix: 'www/r1/', headersFor });
    const second = await stageChunk(s3, { ...zip, start: 2, end: 4, bucket: site, releasePrefix: 'www/r1/', headersFor });
    // Assess
    expect(Object.keys(first.files).sort()).toEqual(['about/index.html', 'assets/app.1234abcd.js']);
    expect(Object.keys(second.files).sort()).toEqual(['img/logo.bin', 'index.html']);
    expect(await object('www/r1/index.html')).toEqual({
      body: '<h1>r1</h1>',
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=0, must-revalidate',
      sha256: sha('<h1>r1</h1>'),
    });
    expect(second.files['img/logo.bin']).toEqual({ sha256: sha(Buffer.alloc(3000, 7)), size: 3000, ...headersFor('img/logo.bin') });
    expect(first.uploaded.files + second.uploaded.files).toBe(4);
  });

  it('copies unchanged files from the live release and uploads only what changed', async () => {
    // Prepare
    const base = { 'index.html': '<h1>v1</h1>', 'a.txt': 'same a', 'b.txt': 'same b' };
    const r1 = await upload('releases/www2/r1.zip', base);
    const staged = await stageChunk(s3, { ...r1, start: 0, end: 3, bucket: site, releasePrefix: 'www2/r1/', headersFor });
    const r2 = await upload('releases/www2/r2.zip', { ...base, 'index.html': '<h1>v2</h1>' });
    // Act
    const result = await stageChunk(s3, {
      ...r2,
      start: 0,
      end: 3,
      bucket: site,
      releasePrefix: 'www2/r2/',
      previous: { releasePrefix: 'www2/r1/', files: staged.files },
      headersFor,
    });
    // Assess
    expect(result.uploaded).toEqual({ files: 1, bytes: '<h1>v2</h1>'.length });
    expect(result.copied.files).toBe(2);
    expect((await object('www2/r2/a.txt')).body).toBe('same a');
    expect((await object('www2/r2/index.html')).body).toBe('<h1>v2</h1>');
    expect((await object('www2/r1/index.html')).body).toBe('<h1>v1</h1>');
    const copied = await s3.send(new HeadObjectCommand({ Bucket: site, Key: 'www2/r2/b.txt' }));
    expect(copied.Metadata?.sha256).toBe(sha('same b'));
  });

  it("stages only an app site's folder, at the paths inside it, and skips the other components' entries in the chunk", async () => {
    // Prepare: sorted entries api/index.mjs, web/about.html, web/index.html, worker/run.mjs
    const zip = await upload('releases/shop/r1.zip', {
      'api/index.mjs': 'api',
      'web/index.html': '<h1>shop</h1>',
      'web/about.html': 'about',
      'worker/run.mjs': 'w',
    });
    const inspection = await inspectSiteZip(s3, zip.artifact, zip.artifactSize, DEFAULT_SITE_LIMITS, 'web/');
    // Act: one chunk over every entry of the zip
    const result = await stageChunk(s3, { ...zip, start: 0, end: inspection.entries, bucket: site, releasePrefix: 'shop/r1/', headersFor, folder: 'web/' });
    // Assess
    expect(inspection).toEqual({ entries: 4, files: 2, uncompressedBytes: '<h1>shop</h1>'.length + 'about'.length });
    expect(Object.keys(result.files).sort()).toEqual(['about.html', 'index.html']);
    expect((await object('shop/r1/index.html')).body).toBe('<h1>shop</h1>');
    await expect(object('shop/r1/api/index.mjs')).rejects.toThrow();
  });
});
