import { CloudFrontClient, CreateDistributionCommand, GetInvalidationCommand, ListInvalidationsCommand } from '@aws-sdk/client-cloudfront';
import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

async function createDistribution(): Promise<string> {
  const out = await new CloudFrontClient({}).send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: uniqueName('dist'),
        Comment: 'slipway test',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [{ Id: 'api', DomainName: 'api.example.com', CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }],
        },
        DefaultCacheBehavior: { TargetOriginId: 'api', ViewerProtocolPolicy: 'redirect-to-https', CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6' },
      },
    }),
  );
  return out.Distribution!.Id!;
}

async function invalidations(distributionId: string): Promise<{ callerReference: string; paths: string[] }[]> {
  const client = new CloudFrontClient({});
  const list = await client.send(new ListInvalidationsCommand({ DistributionId: distributionId }));
  const result: { callerReference: string; paths: string[] }[] = [];
  for (const summary of list.InvalidationList?.Items ?? []) {
    const one = await client.send(new GetInvalidationCommand({ DistributionId: distributionId, Id: summary.Id }));
    result.push({
      callerReference: one.Invalidation?.InvalidationBatch?.CallerReference ?? '',
      paths: one.Invalidation?.InvalidationBatch?.Paths?.Items ?? [],
    });
  }
  return result;
}

describe('Workflow: CDN invalidation and version retention', () => {
  let world: World;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('invalidates the configured paths once after the switch', async () => {
    // Prepare
    const distributionId = await createDistribution();
    const target = await createFunctionTarget(world, { cdn: { distributionId, paths: ['/api/*', '/index.html'] } });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('cdn v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(await invalidations(distributionId)).toEqual([{ callerReference: `${id}-switch`, paths: ['/api/*', '/index.html'] }]);
  });

  it('invalidates again after rolling back', async () => {
    // Prepare
    const distributionId = await createDistribution();
    const target = await createFunctionTarget(world, {
      cdn: { distributionId, paths: ['/api/*'] },
      health: { probe: { url: probe.url }, pollSeconds: 1 },
    });
    probe.status = 500;
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('cdn bad v2'));
    const record = await finished(world, orchestrator, id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
    expect(await invalidations(distributionId)).toEqual([{ callerReference: `${id}-rollback`, paths: ['/api/*'] }]);
  });

  it('deletes versions beyond keepVersions that no alias uses', async () => {
    // Prepare: versions 1..5 exist. moto numbers a new version by counting the existing ones
    // (real Lambda never reuses a number), so pruning happens only in the last deployment here.
    const target = await createFunctionTarget(world, { keepVersions: 10 });
    const orchestrator = localOrchestrator();
    for (const name of ['r2', 'r3', 'r4', 'r5']) {
      const { id } = await release(world, orchestrator, target.name, name, await functionPackage(`keep ${name}`));
      expect((await finished(world, orchestrator, id)).status).toBe('succeeded');
    }
    await world.targets.put({ ...target, keepVersions: 2 });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r6', await functionPackage('keep r6'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    const out = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: target.function.name }));
    const versions = (out.Versions ?? []).map((v) => v.Version).filter((v) => v !== '$LATEST');
    expect(versions).toEqual(['5', '6']);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('6');
  });
});
