import { CloudFrontClient, GetContinuousDeploymentPolicyCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEdge } from '../../dev/edge.js';
import { zipFiles } from '../../dev/zip.js';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { createSiteTarget, originPath } from '../support/site-harness.js';
import { createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

const site = (name: string) => ({ 'index.html': `<h1>${name}</h1>`, 'about/index.html': '<h1>about</h1>' });

/** What CloudFront holds for a primary: its origin path and policy, the policy's config, the staging's origin path. */
async function continuousDeployment(distributionId: string) {
  const client = new CloudFrontClient({});
  const primary = (await client.send(new GetDistributionConfigCommand({ Id: distributionId }))).DistributionConfig;
  const policyId = primary?.ContinuousDeploymentPolicyId ?? '';
  const policy = policyId
    ? (await client.send(new GetContinuousDeploymentPolicyCommand({ Id: policyId }))).ContinuousDeploymentPolicy?.ContinuousDeploymentPolicyConfig
    : undefined;
  return { originPath: primary?.Origins?.Items?.[0]?.OriginPath ?? '', policyId, policy };
}

async function stagingOriginPath(stagingId: string): Promise<string> {
  const config = (await new CloudFrontClient({}).send(new GetDistributionConfigCommand({ Id: stagingId }))).DistributionConfig;
  expect(config?.Staging).toBe(true);
  return config?.Origins?.Items?.[0]?.OriginPath ?? '';
}

describe('Workflow: a site canary through CloudFront continuous deployment', () => {
  let world: World;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('sends 10% of viewers, sticky, to the staging distribution during the bake, then promotes and detaches the policy', async () => {
    // Prepare: r1 live, then a 10% canary with a probe
    const target = await createSiteTarget(world);
    const first = localOrchestrator();
    const r1 = await release(world, first, target.name, 'r1', await zipFiles(site('r1')));
    expect((await finished(world, first, r1.id)).status).toBe('succeeded');
    await world.targets.put({
      ...target,
      strategy: { type: 'canary', percent: 10, bakeSeconds: 2, stickiness: { idleSeconds: 300, maxSeconds: 600 } },
      health: { ...target.health, probe: { url: probe.url, expectStatus: 200, timeoutMs: 3000 }, pollSeconds: 1 },
    });
    const duringBake: Awaited<ReturnType<typeof continuousDeployment>>[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'CheckHealth') duringBake.push(await continuousDeployment(target.site.distributionId));
        return run(input);
      },
    });
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles(site('r2')));
    const record = await finished(world, orchestrator, r2.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ fromVersion: 'r1', toVersion: 'r2', trafficPercent: 100 });
    expect(duringBake.length).toBeGreaterThan(0);
    const bake = duringBake[0];
    expect(bake?.originPath).toBe('/www/r1');
    expect(bake?.policyId).not.toBe('');
    expect(bake?.policy?.Enabled).toBe(true);
    expect(bake?.policy?.TrafficConfig).toEqual({
      Type: 'SingleWeight',
      SingleWeightConfig: { Weight: 0.1, SessionStickinessConfig: { IdleTTL: 300, MaximumTTL: 600 } },
    });
    const stagingId = /staging distribution ([A-Z0-9]+)/.exec(record.timeline.find((e) => e.step === 'shift')?.message ?? '')?.[1] ?? '';
    expect(await stagingOriginPath(stagingId)).toBe('/www/r2');
    const after = await continuousDeployment(target.site.distributionId);
    expect(after.originPath).toBe('/www/r2');
    expect(after.policyId).toBe('');
    expect(await originPath(target)).toBe('/www/r2');
    const messages = record.timeline.map((e) => e.message ?? '');
    expect(messages.some((m) => m.startsWith(`10% of viewers on release r2 through staging distribution ${stagingId}, sticky for 300 s`))).toBe(true);
    expect(
      messages.some((m) => m.startsWith(`promoted: distribution ${target.site.distributionId} took staging distribution ${stagingId}'s configuration`)),
    ).toBe(true);
  });

  it('checks during a header canary that the probe sent with the header is served the new release’s bytes', async () => {
    // Prepare: r1 live; the probe goes through the local edge, which routes the header to the staging distribution
    const target = await createSiteTarget(world);
    const first = localOrchestrator();
    const r1 = await release(world, first, target.name, 'r1', await zipFiles(site('r1')));
    expect((await finished(world, first, r1.id)).status).toBe('succeeded');
    const edge = await startLocalEdge({ port: 0, targets: [target] });
    await world.targets.put({
      ...target,
      strategy: { type: 'canary', header: { name: 'aws-cf-cd-canary', value: 'yes' }, bakeSeconds: 1 },
      health: { ...target.health, probe: { url: `${edge.url}/`, expectStatus: 200, timeoutMs: 3000 }, pollSeconds: 1 },
    });
    const orchestrator = localOrchestrator();
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles(site('r2')));
    const record = await finished(world, orchestrator, r2.id);
    await edge.close();
    // Assess: a probe served r1's bytes during the bake would have rolled r2 back
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline.find((e) => e.step === 'verify')?.message).toMatch(/passed/);
    expect(await originPath(target)).toBe('/www/r2');
    expect((await continuousDeployment(target.site.distributionId)).policyId).toBe('');
  });

  it('rolls back when the probe, sent with the canary header, fails on the staging distribution: the primary stays on the old release, the policy is detached', async () => {
    // Prepare: r1 live with a health page that r2 lacks; the probe goes through the local edge, which routes as the policy says
    const target = await createSiteTarget(world);
    const first = localOrchestrator();
    const r1 = await release(world, first, target.name, 'r1', await zipFiles({ ...site('r1'), 'health.html': 'ok' }));
    expect((await finished(world, first, r1.id)).status).toBe('succeeded');
    const edge = await startLocalEdge({ port: 0, targets: [target] });
    await world.targets.put({
      ...target,
      strategy: { type: 'canary', header: { name: 'aws-cf-cd-canary', value: 'yes' }, bakeSeconds: 2 },
      health: { ...target.health, probe: { url: `${edge.url}/health.html`, expectStatus: 200, timeoutMs: 3000 }, pollSeconds: 1 },
    });
    const orchestrator = localOrchestrator();
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles(site('r2')));
    const record = await finished(world, orchestrator, r2.id);
    const primary = await fetch(`${edge.url}/health.html`);
    await edge.close();
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('answered 404');
    expect(primary.status).toBe(200);
    const after = await continuousDeployment(target.site.distributionId);
    expect(after.originPath).toBe('/www/r1');
    expect(after.policyId).toBe('');
    expect(await originPath(target)).toBe('/www/r1');
    const messages = record.timeline.map((e) => e.message ?? '');
    expect(messages.some((m) => m.startsWith('viewers sending aws-cf-cd-canary: yes on release r2 through staging distribution '))).toBe(true);
    expect(record.reason).toMatch(new RegExp(`continuous-deployment policy \\S+ detached from ${target.site.distributionId}.*still on origin path /www/r1`));
  });
});
