import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { zipFiles } from '../../dev/zip.js';
import { configurationDigest, shortDigest } from '../../shared/domain/configuration.js';
import { deploymentIdForRequest, type Deployment } from '../../shared/domain/deployment.js';
import type { SiteTarget } from '../../shared/domain/target.js';
import { newRecord, requestRollback } from '../../shared/usecases/deployments.js';
import { createSiteTarget, invalidationsOf, originPath, siteKeys, siteObject } from '../support/site-harness.js';
import { createWorld, finished, localOrchestrator, release, rollbackDeps, type World } from '../support/workflow-harness.js';

const site = {
  'index.html': '<h1>app</h1>',
  'assets/app.3f9a1c2b.js': 'fetch("/config.json")',
  // The build's own placeholder: the runtime config file takes its place.
  'config.json': '{"apiUrl":"http://localhost"}',
};

const staging = { path: 'config.json', values: { apiUrl: 'https://api.staging.example', flags: { beta: true } } };

/** What the other engineer's PUT /targets does on a runtime config change: a trigger-`config` deployment of the live release. */
async function configDeployment(world: World, orchestrator: ReturnType<typeof localOrchestrator>, target: SiteTarget, live: Deployment): Promise<string> {
  const now = new Date().toISOString();
  const record = newRecord(
    {
      id: deploymentIdForRequest('config', target.name, live.release, configurationDigest(target.runtimeConfig!), now),
      target: target.name,
      release: live.release,
      trigger: 'config',
      ...(live.artifact ? { artifact: live.artifact } : {}),
      ...(live.sha256 ? { sha256: live.sha256 } : {}),
    },
    'runtime config changed',
    now,
  );
  const { deployment } = await world.deployments.create(record);
  await orchestrator.start(deployment.id);
  return deployment.id;
}

describe('Workflow: a site runtime config', () => {
  let world: World;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('stages the release with the config file, then a config-only change under a new prefix, and a rollback brings the old file back', async () => {
    // Prepare: r1 staged with the staging config
    const target = await createSiteTarget(world, { runtimeConfig: staging });
    const orchestrator = localOrchestrator();
    const first = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    const r1 = await finished(world, orchestrator, first.id);
    expect(r1.status, r1.reason).toBe('succeeded');
    const v1 = `r1~${shortDigest(configurationDigest(target.runtimeConfig!))}`;
    expect(r1.toVersion).toBe(v1);
    expect(await originPath(target)).toBe(`/www/${v1}`);
    expect(await siteObject(world, target, `www/${v1}/config.json`)).toEqual({
      body: JSON.stringify(staging.values),
      contentType: 'application/json; charset=utf-8',
      cacheControl: 'no-cache',
    });
    expect(r1.configuration).toMatchObject({ digest: configurationDigest(target.runtimeConfig!) });
    expect(r1.timeline.find((e) => e.step === 'stage' && e.message?.includes('runtime config'))?.message).toContain("replacing the zip's own config.json");

    // Act: the same artifact with another runtime config, as a trigger-`config` deployment
    const changed = { ...target, runtimeConfig: { path: 'config.json', values: { apiUrl: 'https://api.example', flags: { beta: true } } } };
    await world.targets.put(changed);
    const configId = await configDeployment(world, orchestrator, changed, r1);
    const config = await finished(world, orchestrator, configId);

    // Assess: a new prefix, switched to; the old one untouched; the config path invalidated
    expect(config.status, config.reason).toBe('succeeded');
    const v2 = `r1~${shortDigest(configurationDigest(changed.runtimeConfig))}`;
    expect(v2).not.toBe(v1);
    expect(config).toMatchObject({ trigger: 'config', fromVersion: v1, toVersion: v2 });
    expect(config.configuration).toEqual({
      digest: configurationDigest(changed.runtimeConfig),
      fromDigest: configurationDigest(staging),
      changes: [{ key: 'apiUrl', change: 'changed', from: '"https://api.staging.example"', to: '"https://api.example"' }],
    });
    expect(await originPath(target)).toBe(`/www/${v2}`);
    expect((await siteObject(world, target, `www/${v2}/config.json`)).body).toBe(JSON.stringify(changed.runtimeConfig.values));
    expect((await siteObject(world, target, `www/${v1}/config.json`)).body).toBe(JSON.stringify(staging.values));
    expect((await siteObject(world, target, `www/${v2}/index.html`)).body).toBe('<h1>app</h1>');
    expect(config.timeline.find((e) => e.step === 'stage' && e.message?.includes('staged'))?.message).toContain('2 copied unchanged');
    const invalidation = (await invalidationsOf(target)).find((i) => i.callerReference.startsWith(`${configId}-switch`));
    expect(invalidation?.paths).toEqual(['/config.json']);

    // Act: roll back
    const requested = await requestRollback(rollbackDeps(world, orchestrator), { target: target.name });
    const back = await finished(world, orchestrator, requested.id);

    // Assess: the old prefix, with the old file, is live again and its path invalidated
    expect(back.status, back.reason).toBe('succeeded');
    expect(back).toMatchObject({ trigger: 'rollback', release: 'r1', fromVersion: v2, toVersion: v1 });
    expect(back.configuration).toMatchObject({ digest: configurationDigest(staging), fromDigest: configurationDigest(changed.runtimeConfig) });
    expect(await originPath(target)).toBe(`/www/${v1}`);
    expect((await invalidationsOf(target)).find((i) => i.callerReference.startsWith(`${requested.id}-switch`))?.paths).toEqual(['/config.json']);
  });

  it('switches back to the old config when the probe fails after a config-only deployment', async () => {
    // Prepare: r1 live with the staging config
    const target = await createSiteTarget(world, { runtimeConfig: staging, health: { probe: { url: probe.url }, pollSeconds: 1 } });
    const orchestrator = localOrchestrator();
    const first = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    const r1 = await finished(world, orchestrator, first.id);
    expect(r1.status, r1.reason).toBe('succeeded');
    const changed = { ...target, runtimeConfig: { path: 'config.json', values: { apiUrl: 'https://broken.example' } } };
    await world.targets.put(changed);
    probe.status = 500;
    // Act
    const id = await configDeployment(world, orchestrator, changed, r1);
    const record = await finished(world, orchestrator, id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain(`origin path restored to /www/${r1.toVersion}`);
    expect(await originPath(target)).toBe(`/www/${r1.toVersion}`);
    expect((await siteObject(world, target, `www/${r1.toVersion}/config.json`)).body).toBe(JSON.stringify(staging.values));
    expect((await invalidationsOf(target)).find((i) => i.callerReference.startsWith(`${id}-rollback`))?.paths).toEqual(['/config.json']);
  });

  it('keeps the config file on a cacheControl rule that matches it', async () => {
    // Prepare
    const target = await createSiteTarget(world, { runtimeConfig: staging, cacheControl: [{ match: '*.json', value: 'public, max-age=60' }] });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect((await siteObject(world, target, `www/${record.toVersion}/config.json`)).cacheControl).toBe('public, max-age=60');
  });

  it('stages a target without a runtime config at <prefix><release>/, as before', async () => {
    // Prepare
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ toVersion: 'r1' });
    expect(record.configuration).toBeUndefined();
    expect(await originPath(target)).toBe('/www/r1');
    expect((await siteObject(world, target, 'www/r1/config.json')).body).toBe(site['config.json']);
    expect(await siteKeys(world, target, 'www/.slipway/manifests/')).toEqual(['www/.slipway/manifests/r1.json']);
  });
});
