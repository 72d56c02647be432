import { CloudFrontClient, CreateDistributionCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import type { HttpResponse } from '@smithy/types';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { uniqueName, useMoto } from '../support/aws-env.js';
import { fullDistributionConfig } from '../support/full-distribution-config.js';

/** A client that keeps the raw XML of every answer, read before the SDK parses (and may drop) anything. */
function recordingClient(): { client: CloudFrontClient; bodies: string[] } {
  const client = new CloudFrontClient({});
  const bodies: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as HttpResponse;
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      bodies.push(bytes.toString('utf8'));
      response.body = new Uint8Array(bytes);
      return result;
    },
    { step: 'deserialize', priority: 'low', name: 'recordRawBody' },
  );
  return { client, bodies };
}

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
          Origins: {
            Quantity: 1,
            Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, OriginPath: '/www/r1', S3OriginConfig: { OriginAccessIdentity: '' } }],
          },
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

  it('keeps every field moto stores through the switch, the origin path aside (compared as raw XML)', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const setup = new CloudFrontClient({});
    const created = await setup.send(new CreateDistributionCommand({ DistributionConfig: fullDistributionConfig(bucket, '/www/r1', uniqueName('ref')) }));
    const id = created.Distribution!.Id!;
    const reader = recordingClient();
    await reader.client.send(new GetDistributionConfigCommand({ Id: id }));
    const before = reader.bodies[0]!;
    // Act
    await new CloudFrontOriginSwitch().switchOriginPath(id, bucket, '/www/r2');
    // Assess
    await reader.client.send(new GetDistributionConfigCommand({ Id: id }));
    const after = reader.bodies[1]!;
    expect(before.split('<OriginPath>/www/r1</OriginPath>')).toHaveLength(2);
    expect(after).toBe(before.replace('<OriginPath>/www/r1</OriginPath>', '<OriginPath>/www/r2</OriginPath>'));
    // The fixture's parts moto keeps, so the comparison above covers them. moto drops
    // OriginAccessControlId, S3OriginConfig, IsIPV6Enabled and the function associations' items:
    // those are covered by the aws-sdk-client-mock test only.
    for (const part of [
      'OriginGroups',
      'CacheBehaviors',
      'CustomErrorResponses',
      'Logging',
      'ViewerCertificate',
      'Restrictions',
      'OriginShield',
      'ConnectionAttempts',
      'CustomOriginConfig',
      'WebACLId',
      'ContinuousDeploymentPolicyId',
      'Staging',
    ]) {
      expect(before, part).toContain(`<${part}>`);
    }
  });
});
