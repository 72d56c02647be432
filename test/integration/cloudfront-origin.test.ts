import { CloudFrontClient, CreateDistributionCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

describe('CloudFrontOriginSwitch against moto', () => {
  beforeAll(() => {
    useMoto();
  });

  it('moves the S3 origin to the new release prefix and reads it back', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const client = new CloudFrontClient({});
    const created = await client.send(
      new CreateDistributionCommand({
        DistributionConfig: {
          CallerReference: uniqueName('ref'),
          Comment: 'slipway site',
          Enabled: true,
          Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, OriginPath: '/www/r1', S3OriginConfig: { OriginAccessIdentity: '' } }] },
          DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
        },
      }),
    );
    const id = created.Distribution!.Id!;
    const originSwitch = new CloudFrontOriginSwitch();
    // Act
    const before = await originSwitch.currentOriginPath(id, bucket);
    await originSwitch.switchOriginPath(id, bucket, '/www/r2');
    // Assess
    expect(before).toBe('/www/r1');
    expect(await originSwitch.currentOriginPath(id, bucket)).toBe('/www/r2');
    const stored = await client.send(new GetDistributionConfigCommand({ Id: id }));
    expect(stored.DistributionConfig?.Comment).toBe('slipway site');
  });
});
