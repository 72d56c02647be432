import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../dev/edge-canary.js';
import { startLocalEdge, type LocalEdge } from '../../dev/edge.js';
import { provisionSiteOrigin } from '../../dev/provision.js';
import { CloudFrontContinuousDeployment } from '../../shared/adapters/aws/cloudfront-continuous-deployment.js';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import type { SiteTrafficConfig } from '../../shared/domain/site-canary.js';
import { parseWith, siteTargetSchema, type SiteTarget } from '../../shared/domain/target.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

/** A site whose primary serves r1 while its staging distribution serves r2 under a policy with `traffic`. */
async function siteUnderCanary(s3: S3Client, traffic: SiteTrafficConfig) {
  const name = uniqueName('edgecd').toLowerCase().slice(0, 40);
  const bucket = `${name}-origin`;
  const { distributionId } = await provisionSiteOrigin(bucket);
  const target = parseWith(siteTargetSchema, { name, kind: 'site', site: { bucket, prefix: 'www/', distributionId } }, 'target');
  for (const release of ['r1', 'r2']) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `www/${release}/index.html`, Body: `<h1>${release}</h1>`, ContentType: 'text/html' }));
  }
  await new CloudFrontOriginSwitch().switchOriginPath(distributionId, bucket, '/www/r1');
  const router = new CloudFrontContinuousDeployment({ client: new CloudFrontClient({}) });
  const staging = await router.prepareStaging(distributionId, bucket, '/www/r2');
  const { policyId } = await router.attachPolicy(distributionId, staging, traffic);
  return { target, router, stagingId: staging.id, policyId };
}

describe('Local edge: CloudFront continuous deployment', () => {
  let s3: S3Client;
  let edge: LocalEdge | undefined;
  beforeAll(() => {
    useMoto();
    s3 = new S3Client({ forcePathStyle: true });
  });
  afterEach(async () => {
    await edge?.close();
    edge = undefined;
  });

  it('sends a request with the policy’s header and value to the staging distribution, every other to the primary', async () => {
    // Prepare
    const { target, router, stagingId } = await siteUnderCanary(s3, { type: 'SingleHeader', header: 'aws-cf-cd-canary', value: 'yes' });
    edge = await startLocalEdge({ port: 0, targets: [target as SiteTarget] });
    const url = `${edge.url}/`;
    // Act
    const plain = await fetch(url);
    const other = await fetch(url, { headers: { 'aws-cf-cd-canary': 'no' } });
    const canary = await fetch(url, { headers: { 'AWS-CF-CD-Canary': 'yes' } });
    await router.detachPolicy(target.site.distributionId);
    const detached = await fetch(url, { headers: { 'aws-cf-cd-canary': 'yes' } });
    // Assess
    expect(await plain.text()).toBe('<h1>r1</h1>');
    expect(plain.headers.get('x-slipway-distribution')).toBe(target.site.distributionId);
    expect(await other.text()).toBe('<h1>r1</h1>');
    expect(await canary.text()).toBe('<h1>r2</h1>');
    expect(canary.headers.get('x-slipway-distribution')).toBe(stagingId);
    expect(canary.headers.get('x-slipway-origin-path')).toBe('/www/r2');
    expect(canary.headers.get('set-cookie')).toBeNull();
    expect(await detached.text()).toBe('<h1>r1</h1>');
  });

  it('sends the weight’s share of new viewers to the staging distribution and keeps each on its side for the session', async () => {
    // Prepare: 15%, sessions idle 300 s, at most 600 s; the draws and the clock are the test's
    const { target, router, stagingId, policyId } = await siteUnderCanary(s3, { type: 'SingleWeight', weight: 0.15, idleTtl: 300, maximumTtl: 600 });
    let draw = 0;
    let clock = 1_000_000_000_000;
    edge = await startLocalEdge({ port: 0, targets: [target as SiteTarget], random: () => draw, now: () => clock });
    const url = `${edge.url}/`;
    const cookieOf = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    // Act: 20 new viewers drawing 0, 0.05, …, 0.95
    const viewers: { body: string; cookie: string; setCookie: string }[] = [];
    for (let i = 0; i < 20; i++) {
      draw = i / 20;
      const response = await fetch(url);
      viewers.push({ body: await response.text(), cookie: cookieOf(response), setCookie: response.headers.get('set-cookie') ?? '' });
    }
    const onStaging = viewers.filter((v) => v.body === '<h1>r2</h1>');
    const stagingViewer = onStaging[0]?.cookie ?? '';
    const primaryViewer = viewers.find((v) => v.body === '<h1>r1</h1>')?.cookie ?? '';
    draw = 0.99;
    clock += 299_000;
    const stillStaging = await fetch(url, { headers: { cookie: stagingViewer } });
    const otherPolicy = await fetch(url, { headers: { cookie: stagingViewer.replace(policyId, 'another-policy') } });
    clock += 251_000; // 550 s after the sessions began
    const nearMaximum = await fetch(url, { headers: { cookie: stagingViewer } });
    draw = 0;
    const stillPrimary = await fetch(url, { headers: { cookie: primaryViewer } });
    clock += 51_000; // 601 s after the sessions began: past MaximumTTL
    draw = 0.99;
    const afterMaximum = await fetch(url, { headers: { cookie: stagingViewer } });
    await router.detachPolicy(target.site.distributionId);
    draw = 0;
    const detached = await fetch(url);
    // Assess
    expect(onStaging.length).toBe(3);
    expect(viewers[0]?.setCookie).toBe(`${SESSION_COOKIE}=${policyId}.s.1000000000; Max-Age=300; Path=/; HttpOnly`);
    expect(await stillStaging.text()).toBe('<h1>r2</h1>');
    expect(stillStaging.headers.get('x-slipway-distribution')).toBe(stagingId);
    expect(stillStaging.headers.get('set-cookie')).toContain('Max-Age=300');
    // Renewed for IdleTTL, but never past MaximumTTL after the session began (600 − 550 s).
    expect(await nearMaximum.text()).toBe('<h1>r2</h1>');
    expect(nearMaximum.headers.get('set-cookie')).toContain('Max-Age=50;');
    expect(await stillPrimary.text()).toBe('<h1>r1</h1>');
    expect(await afterMaximum.text()).toBe('<h1>r1</h1>');
    expect(cookieOf(afterMaximum)).toBe(`${SESSION_COOKIE}=${policyId}.p.${clock / 1000}`);
    expect(await otherPolicy.text()).toBe('<h1>r1</h1>');
    expect(await detached.text()).toBe('<h1>r1</h1>');
    expect(detached.headers.get('set-cookie')).toBeNull();
  });
});
