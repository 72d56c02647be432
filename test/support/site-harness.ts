import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { createVersionedBucket } from '../../dev/provision.js';
import { parseWith, siteTargetSchema, type SiteTarget } from '../../shared/domain/target.js';
import type { z } from 'zod';
import { uniqueName } from './aws-env.js';
import type { World } from './workflow-harness.js';

/** An origin bucket and a distribution whose S3 origin serves the bucket root. */
export async function createSiteOrigin(name: string): Promise<{ bucket: string; distributionId: string }> {
  const bucket = `${name}-origin`;
  await createVersionedBucket(bucket);
  const distribution = await new CloudFrontClient({}).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: uniqueName('dist'),
        Comment: `slipway test site ${name}`,
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, OriginPath: '', S3OriginConfig: { OriginAccessIdentity: '' } }],
        },
        DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      },
    }),
  );
  return { bucket, distributionId: distribution.Distribution!.Id! };
}

/** A site target with its own origin bucket and distribution. */
export async function createSiteTarget(world: World, overrides: Partial<z.input<typeof siteTargetSchema>> = {}): Promise<SiteTarget> {
  const name = uniqueName('site').toLowerCase().slice(0, 40);
  const { bucket, distributionId } = await createSiteOrigin(name);
  const target = parseWith(siteTargetSchema, { name, kind: 'site', site: { bucket, prefix: 'www/', distributionId }, ...overrides }, 'target');
  await world.targets.put(target);
  return target;
}

export async function originPath(target: Pick<SiteTarget, 'site'>): Promise<string> {
  return new CloudFrontOriginSwitch().currentOriginPath(target.site.distributionId, target.site.bucket);
}

export async function siteKeys(world: World, target: SiteTarget, prefix: string): Promise<string[]> {
  const out = await world.s3.send(new ListObjectsV2Command({ Bucket: target.site.bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

export async function siteObject(world: World, target: SiteTarget, key: string) {
  const out = await world.s3.send(new GetObjectCommand({ Bucket: target.site.bucket, Key: key }));
  return { body: await out.Body!.transformToString(), contentType: out.ContentType, cacheControl: out.CacheControl };
}

export async function invalidationsOf(target: Pick<SiteTarget, 'site'>): Promise<{ callerReference: string; paths: string[] }[]> {
  const client = new CloudFrontClient({});
  const list = await client.send(new ListInvalidationsCommand({ DistributionId: target.site.distributionId }));
  const result: { callerReference: string; paths: string[] }[] = [];
  for (const summary of list.InvalidationList?.Items ?? []) {
    const one = await client.send(new GetInvalidationCommand({ DistributionId: target.site.distributionId, Id: summary.Id }));
    result.push({
      callerReference: one.Invalidation?.InvalidationBatch?.CallerReference ?? '',
      paths: [...(one.Invalidation?.InvalidationBatch?.Paths?.Items ?? [])].sort(),
    });
  }
  return result;
}
