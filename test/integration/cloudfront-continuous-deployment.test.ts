import {
  CloudFrontClient,
  CopyDistributionCommand,
  CreateContinuousDeploymentPolicyCommand,
  CreateDistributionCommand,
  DeleteContinuousDeploymentPolicyCommand,
  GetContinuousDeploymentPolicyCommand,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  UpdateContinuousDeploymentPolicyCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudFrontContinuousDeployment } from '../../shared/adapters/aws/cloudfront-continuous-deployment.js';
import { uniqueName, useMoto } from '../support/aws-env.js';
import { rejection } from '../support/rejection.js';

async function primaryDistribution(client: CloudFrontClient, bucket: string): Promise<string> {
  const created = await client.send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: uniqueName('ref'),
        Comment: 'slipway site',
        Enabled: true,
        Aliases: { Quantity: 1, Items: ['www.example.com'] },
        Origins: {
          Quantity: 1,
          Items: [{ Id: 's3', DomainName: `${bucket}.s3.us-east-1.amazonaws.com`, OriginPath: '/www/r1', S3OriginConfig: { OriginAccessIdentity: '' } }],
        },
        DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      },
    }),
  );
  return created.Distribution?.Id ?? '';
}

describe('CloudFront continuous deployment through the emulator front (moto lacks it)', () => {
  let client: CloudFrontClient;
  beforeAll(() => {
    useMoto();
    client = new CloudFrontClient({});
  });
  const config = async (id: string) => (await client.send(new GetDistributionConfigCommand({ Id: id }))).DistributionConfig;

  it('copies a kept staging distribution, sends it 10% sticky, promotes its config and detaches the policy', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const primaryId = await primaryDistribution(client, bucket);
    const router = new CloudFrontContinuousDeployment({ client });
    // Act
    const staging = await router.prepareStaging(primaryId, bucket, '/www/r2');
    const again = await router.prepareStaging(primaryId, bucket, '/www/r2');
    const { policyId, primaryEtag } = await router.attachPolicy(primaryId, staging, { type: 'SingleWeight', weight: 0.1, idleTtl: 300, maximumTtl: 600 });
    const attached = await config(primaryId);
    const policy = await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
    const how = await router.promote(primaryId, staging.id, primaryEtag, bucket, '/www/r2');
    // Assess
    expect(again).toEqual(staging);
    const stagingConfig = await config(staging.id);
    expect(stagingConfig?.Staging).toBe(true);
    expect(stagingConfig?.Aliases?.Quantity).toBe(0);
    expect(stagingConfig?.Origins?.Items?.[0]?.OriginPath).toBe('/www/r2');
    expect(attached?.ContinuousDeploymentPolicyId).toBe(policyId);
    expect(attached?.Origins?.Items?.[0]?.OriginPath).toBe('/www/r1');
    expect(policy.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig).toEqual({
      StagingDistributionDnsNames: { Quantity: 1, Items: [staging.domainName] },
      Enabled: true,
      TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.1, SessionStickinessConfig: { IdleTTL: 300, MaximumTTL: 600 } } },
    });
    expect(how).toBe('staging-config');
    const promoted = await config(primaryId);
    expect(promoted?.Origins?.Items?.[0]?.OriginPath).toBe('/www/r2');
    expect(promoted?.Aliases?.Items).toEqual(['www.example.com']);
    expect(promoted?.Staging).toBe(false);
    expect(promoted?.ContinuousDeploymentPolicyId ?? '').toBe('');
    const disabled = await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
    expect(disabled.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig?.Enabled).toBe(false);
  });

  it('a rollback detaches a header policy and leaves the primary on the old release', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const primaryId = await primaryDistribution(client, bucket);
    const router = new CloudFrontContinuousDeployment({ client });
    const staging = await router.prepareStaging(primaryId, bucket, '/www/r2');
    await router.attachPolicy(primaryId, staging, { type: 'SingleHeader', header: 'aws-cf-cd-canary', value: 'yes' });
    // Act
    await router.detachPolicy(primaryId);
    await router.detachPolicy(primaryId);
    // Assess
    const primary = await config(primaryId);
    expect(primary?.ContinuousDeploymentPolicyId ?? '').toBe('');
    expect(primary?.Origins?.Items?.[0]?.OriginPath).toBe('/www/r1');
  });

  it('answers with CloudFront’s errors: weight over 0.15, copying a staging, a stale IfMatch, deleting an attached policy', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const primaryId = await primaryDistribution(client, bucket);
    const router = new CloudFrontContinuousDeployment({ client });
    const staging = await router.prepareStaging(primaryId, bucket, '/www/r2');
    const { policyId } = await router.attachPolicy(primaryId, staging, { type: 'SingleWeight', weight: 0.05, idleTtl: 300, maximumTtl: 300 });
    const stagingEtag = (await client.send(new GetDistributionConfigCommand({ Id: staging.id }))).ETag;
    const policyConfig = (await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }))).ContinuousDeploymentPolicy
      ?.ContinuousDeploymentPolicyConfig;
    // Act
    const tooHeavy = await rejection(
      client.send(
        new CreateContinuousDeploymentPolicyCommand({
          ContinuousDeploymentPolicyConfig: {
            StagingDistributionDnsNames: { Quantity: 1, Items: ['other.cloudfront.net'] },
            Enabled: true,
            TrafficConfig: { Type: 'SingleWeight', SingleWeightConfig: { Weight: 0.2 } },
          },
        }),
      ),
    );
    const copyOfStaging = await rejection(
      client.send(new CopyDistributionCommand({ PrimaryDistributionId: staging.id, CallerReference: uniqueName('c'), IfMatch: stagingEtag })),
    );
    const stale = await rejection(
      client.send(new UpdateContinuousDeploymentPolicyCommand({ Id: policyId, IfMatch: 'ESTALE', ContinuousDeploymentPolicyConfig: policyConfig })),
    );
    const current = await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
    const inUse = await rejection(client.send(new DeleteContinuousDeploymentPolicyCommand({ Id: policyId, IfMatch: current.ETag })));
    // Assess
    expect(tooHeavy.name).toBe('InvalidArgument');
    expect(tooHeavy.message).toMatch(/0 to 0.15/);
    expect(copyOfStaging.name).toBe('InvalidArgument');
    expect(stale.name).toBe('PreconditionFailed');
    expect(inUse.name).toBe('ContinuousDeploymentPolicyInUse');
  });

  /** Changes the distribution's Comment as another client would, with the current ETag. */
  async function changeComment(id: string, comment: string): Promise<void> {
    const current = await client.send(new GetDistributionConfigCommand({ Id: id }));
    await client.send(
      new UpdateDistributionCommand({ Id: id, IfMatch: current.ETag, DistributionConfig: { ...current.DistributionConfig!, Comment: comment } }),
    );
  }

  // moto keeps one ETag per distribution and takes any IfMatch; the supplement keeps them as CloudFront does.
  it('refuses an UpdateDistribution whose IfMatch is an ETag that moved (PreconditionFailed), and the adapter re-reads and writes again', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const primaryId = await primaryDistribution(client, bucket);
    const before = await client.send(new GetDistributionConfigCommand({ Id: primaryId }));
    await changeComment(primaryId, 'changed once');
    // A client whose first UpdateDistribution loses the race to another change made in between
    const racing = new CloudFrontClient({});
    let raced = false;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UpdateDistributionCommand' && (args.input as { Id?: string }).Id === primaryId && !raced) {
          raced = true;
          await changeComment(primaryId, 'changed in between');
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceUpdateDistribution' },
    );
    const router = new CloudFrontContinuousDeployment({ client: racing });
    // Act
    const stale = await rejection(
      client.send(
        new UpdateDistributionCommand({ Id: primaryId, IfMatch: before.ETag, DistributionConfig: { ...before.DistributionConfig!, Comment: 'stale' } }),
      ),
    );
    const staging = await router.prepareStaging(primaryId, bucket, '/www/r2');
    const { policyId } = await router.attachPolicy(primaryId, staging, { type: 'SingleHeader', header: 'aws-cf-cd-canary', value: 'yes' });
    // Assess
    expect(stale.name).toBe('PreconditionFailed');
    const after = await client.send(new GetDistributionConfigCommand({ Id: primaryId }));
    const distribution = await client.send(new GetDistributionCommand({ Id: primaryId }));
    expect(after.ETag).not.toBe(before.ETag);
    expect(distribution.ETag).toBe(after.ETag);
    expect(raced).toBe(true);
    expect(after.DistributionConfig?.ContinuousDeploymentPolicyId).toBe(policyId);
    expect(after.DistributionConfig?.Comment).toBe('changed in between');
  });

  it('promotes by the origin path alone when the primary changed during the bake, keeping that change', async () => {
    // Prepare
    const bucket = uniqueName('site');
    const primaryId = await primaryDistribution(client, bucket);
    const router = new CloudFrontContinuousDeployment({ client });
    const staging = await router.prepareStaging(primaryId, bucket, '/www/r2');
    const { policyId, primaryEtag } = await router.attachPolicy(primaryId, staging, { type: 'SingleWeight', weight: 0.1, idleTtl: 300, maximumTtl: 600 });
    await changeComment(primaryId, 'changed during the bake');
    // Act
    const how = await router.promote(primaryId, staging.id, primaryEtag, bucket, '/www/r2');
    // Assess
    expect(how).toBe('origin-path');
    const promoted = await config(primaryId);
    expect(promoted?.Comment).toBe('changed during the bake');
    expect(promoted?.Origins?.Items?.[0]?.OriginPath).toBe('/www/r2');
    expect(promoted?.ContinuousDeploymentPolicyId ?? '').toBe('');
    const policy = await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }));
    expect(policy.ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig?.Enabled).toBe(false);
  });
});
