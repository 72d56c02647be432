import {
  CloudFrontClient,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { ConcurrentModificationError, MissingResourceError, TransientError } from '../../shared/domain/errors.js';
import { fullDistributionConfig } from '../support/full-distribution-config.js';

// moto ignores IfMatch; these tests pin down that slipway sends the ETag it read and re-reads on a race.
const cloudfront = mockClient(CloudFrontClient);

function config(originPath: string): DistributionConfig {
  return {
    CallerReference: 'c',
    Comment: '',
    Enabled: true,
    Origins: {
      Quantity: 2,
      Items: [
        { Id: 'api', DomainName: 'api.example.com', OriginPath: '' },
        { Id: 'site', DomainName: 'www-bucket.s3.us-east-1.amazonaws.com', OriginPath: originPath },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 'site', ViewerProtocolPolicy: 'allow-all' },
  };
}

function preconditionFailed(): Error {
  return Object.assign(new Error('The request failed because it didn’t meet the preconditions'), {
    name: 'PreconditionFailed',
    $metadata: { httpStatusCode: 412 },
  });
}

describe('Class: CloudFrontOriginSwitch', () => {
  const originSwitch = () => new CloudFrontOriginSwitch({ client: new CloudFrontClient({ region: 'us-east-1' }) });
  beforeEach(() => cloudfront.reset());

  it('updates the bucket origin’s path with the ETag it read', async () => {
    // Prepare
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config('/r1'), ETag: 'E1' });
    cloudfront.on(UpdateDistributionCommand).resolves({});
    // Act
    await originSwitch().switchOriginPath('D1', 'www-bucket', '/r2');
    // Assess
    const sent = cloudfront.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(sent.IfMatch).toBe('E1');
    expect(sent.DistributionConfig?.Origins?.Items?.map((o) => o.OriginPath)).toEqual(['', '/r2']);
  });

  it('re-reads and retries when the distribution changed in between', async () => {
    // Prepare
    cloudfront
      .on(GetDistributionConfigCommand)
      .resolvesOnce({ DistributionConfig: config('/r1'), ETag: 'E1' })
      .resolves({ DistributionConfig: config('/r1'), ETag: 'E2' });
    cloudfront.on(UpdateDistributionCommand).rejectsOnce(preconditionFailed()).resolves({});
    // Act
    await originSwitch().switchOriginPath('D1', 'www-bucket', '/r2');
    // Assess
    const ifMatches = cloudfront.commandCalls(UpdateDistributionCommand).map((c) => c.args[0].input.IfMatch);
    expect(ifMatches).toEqual(['E1', 'E2']);
  });

  it('does nothing when the origin is already on the release', async () => {
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config('/r2'), ETag: 'E1' });
    await originSwitch().switchOriginPath('D1', 'www-bucket', '/r2');
    expect(cloudfront).toHaveReceivedCommandTimes(UpdateDistributionCommand, 0);
  });

  it('gives up after repeated races with a concurrent-modification error', async () => {
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config('/r1'), ETag: 'E1' });
    cloudfront.on(UpdateDistributionCommand).rejects(preconditionFailed());
    await expect(originSwitch().switchOriginPath('D1', 'www-bucket', '/r2')).rejects.toBeInstanceOf(ConcurrentModificationError);
  });

  it('says which bucket has no origin on the distribution', async () => {
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: config('/r1'), ETag: 'E1' });
    await expect(originSwitch().currentOriginPath('D1', 'other-bucket')).rejects.toThrow(MissingResourceError);
    await expect(originSwitch().currentOriginPath('D1', 'other-bucket')).rejects.toThrow('no origin on bucket other-bucket');
  });

  it('sends every field of the config back as it read it, the origin path aside', async () => {
    // Prepare
    const read = fullDistributionConfig('www-bucket', '/www/r1');
    cloudfront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: structuredClone(read), ETag: 'E1' });
    cloudfront.on(UpdateDistributionCommand).resolves({});
    // Act
    await originSwitch().switchOriginPath('D1', 'www-bucket', '/www/r2');
    // Assess
    const expected = structuredClone(read);
    expected.Origins!.Items![0]!.OriginPath = '/www/r2';
    const sent = cloudfront.commandCalls(UpdateDistributionCommand)[0]!.args[0].input;
    expect(sent).toEqual({ Id: 'D1', IfMatch: 'E1', DistributionConfig: expected });
  });

  describe('Method: isDistributionDeployed', () => {
    // moto reports Deployed at once; in AWS a config change is InProgress for minutes.
    it.each([
      ['InProgress', false],
      ['Deployed', true],
    ])('reads Status %s as deployed=%s', async (status, deployed) => {
      cloudfront.on(GetDistributionCommand, { Id: 'D1' }).resolves({ Distribution: { Status: status } as never, ETag: 'E1' });
      await expect(originSwitch().isDistributionDeployed('D1')).resolves.toBe(deployed);
    });

    it('names a distribution that does not exist', async () => {
      cloudfront.on(GetDistributionCommand).rejects(Object.assign(new Error('not found'), { name: 'NoSuchDistribution', $metadata: { httpStatusCode: 404 } }));
      await expect(originSwitch().isDistributionDeployed('D1')).rejects.toThrow(new MissingResourceError('CloudFront distribution D1 does not exist'));
    });

    it('turns throttling into a TransientError', async () => {
      cloudfront.on(GetDistributionCommand).rejects(Object.assign(new Error('slow down'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }));
      await expect(originSwitch().isDistributionDeployed('D1')).rejects.toBeInstanceOf(TransientError);
    });
  });
});
