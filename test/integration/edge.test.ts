import { request } from 'node:http';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { startLocalEdge, type LocalEdge } from '../../dev/edge.js';
import { provisionSiteOrigin } from '../../dev/provision.js';
import { parseWith, siteTargetSchema, type SiteTarget } from '../../shared/domain/target.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

const HTML = 'text/html; charset=utf-8';
const REVALIDATE = 'public, max-age=0, must-revalidate';
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('Local edge against moto', () => {
  let s3: S3Client;
  let target: SiteTarget;
  let edge: LocalEdge;
  const originSwitch = () => new CloudFrontOriginSwitch();

  async function put(key: string, body: string, contentType: string, cacheControl: string): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: target.site.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }));
  }

  /** fetch() resolves dot segments (even encoded ones) before sending; node:http with a path sends it as is. */
  function rawStatus(path: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      request({ host: '127.0.0.1', port: edge.port, path }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
  }

  beforeAll(async () => {
    useMoto();
    s3 = new S3Client({ forcePathStyle: true });
    const name = uniqueName('edge').toLowerCase().slice(0, 40);
    const bucket = `${name}-origin`;
    const { distributionId } = await provisionSiteOrigin(bucket);
    target = parseWith(siteTargetSchema, { name, kind: 'site', site: { bucket, prefix: 'www/', distributionId } }, 'target');
    for (const release of ['r1', 'r2']) {
      await put(`www/${release}/index.html`, `<h1>${release}</h1>`, HTML, REVALIDATE);
      await put(`www/${release}/about/index.html`, `<h1>about ${release}</h1>`, HTML, REVALIDATE);
    }
    await put('www/r1/assets/app.3f9a1c2b.js', 'console.log("r1")', 'text/javascript; charset=utf-8', IMMUTABLE);
    await originSwitch().switchOriginPath(distributionId, bucket, '/www/r1');
    edge = await startLocalEdge({ port: 0, targets: [target] });
  });

  afterAll(async () => {
    await edge?.close();
  });

  it('serves the bytes and stored headers of the release the origin path points at', async () => {
    // Act
    const page = await fetch(`${edge.url}/`);
    const asset = await fetch(`${edge.url}/assets/app.3f9a1c2b.js`);
    // Assess
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<h1>r1</h1>');
    expect(page.headers.get('content-type')).toBe(HTML);
    expect(page.headers.get('cache-control')).toBe(REVALIDATE);
    expect(page.headers.get('x-slipway-origin-path')).toBe('/www/r1');
    expect(asset.status).toBe(200);
    expect(await asset.text()).toBe('console.log("r1")');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe(IMMUTABLE);
  });

  it('maps a directory path to its index.html and redirects the path without its slash', async () => {
    // Act
    const dir = await fetch(`${edge.url}/about/`);
    const bare = await fetch(`${edge.url}/about?x=1`, { redirect: 'manual' });
    // Assess
    expect(await dir.text()).toBe('<h1>about r1</h1>');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/about/?x=1');
  });

  it('answers 404 for a missing object and 400 for a path that leaves the origin path', async () => {
    // Act
    const missing = await fetch(`${edge.url}/nope.html`);
    const traversal = await rawStatus('/about%2F..%2F..%2Fr2/index.html');
    // Assess
    expect(missing.status).toBe(404);
    expect(traversal).toBe(400);
  });

  it('answers HEAD with the headers only and a matching If-None-Match with 304', async () => {
    // Prepare
    const first = await fetch(`${edge.url}/`);
    const etag = first.headers.get('etag');
    await first.arrayBuffer();
    // Act
    const head = await fetch(`${edge.url}/`, { method: 'HEAD' });
    const again = await fetch(`${edge.url}/`, { headers: { 'if-none-match': etag ?? '' } });
    // Assess
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(HTML);
    expect(await head.text()).toBe('');
    expect(etag).toBeTruthy();
    expect(again.status).toBe(304);
  });

  it('serves the other release on the next request after the origin path switches', async () => {
    // Act
    await originSwitch().switchOriginPath(target.site.distributionId, target.site.bucket, '/www/r2');
    const page = await fetch(`${edge.url}/`);
    const assetGone = await fetch(`${edge.url}/assets/app.3f9a1c2b.js`);
    await originSwitch().switchOriginPath(target.site.distributionId, target.site.bucket, '/www/r1');
    const back = await fetch(`${edge.url}/about/`);
    // Assess
    expect(await page.text()).toBe('<h1>r2</h1>');
    expect(page.headers.get('x-slipway-origin-path')).toBe('/www/r2');
    expect(assetGone.status).toBe(404);
    expect(await back.text()).toBe('<h1>about r1</h1>');
  });
});
