import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { startLocalEdge } from '../../dev/edge.js';
import { zipFiles } from '../../dev/zip.js';
import { requestRollback } from '../../shared/usecases/deployments.js';
import { createSiteTarget, invalidationsOf, originPath, siteKeys, siteObject } from '../support/site-harness.js';
import { createWorld, finished, localOrchestrator, release, rollbackDeps, type World } from '../support/workflow-harness.js';

const site = {
  'index.html': '<h1>r1</h1>',
  'about/index.html': '<h1>about</h1>',
  'assets/app.3f9a1c2b.js': 'console.log("app")',
  'img/logo.svg': '<svg/>',
};

describe('Workflow: site release', () => {
  let world: World;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('stages a release under its own prefix, switches the origin path and invalidates only what changed', async () => {
    // Prepare: r1 is live
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    expect((await finished(world, orchestrator, r1.id)).status).toBe('succeeded');
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles({ ...site, 'index.html': '<h1>r2</h1>' }));
    const record = await finished(world, orchestrator, r2.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ fromVersion: 'r1', toVersion: 'r2', trafficPercent: 100 });
    expect(await originPath(target)).toBe('/www/r2');
    expect(await siteObject(world, target, 'www/r2/index.html')).toEqual({
      body: '<h1>r2</h1>',
      contentType: 'text/html; charset=utf-8',
      cacheControl: 'public, max-age=0, must-revalidate',
    });
    expect((await siteObject(world, target, 'www/r2/assets/app.3f9a1c2b.js')).cacheControl).toBe('public, max-age=31536000, immutable');
    expect((await siteObject(world, target, 'www/r1/index.html')).body).toBe('<h1>r1</h1>');
    expect(record.timeline.find((e) => e.step === 'stage')?.message).toContain('1 uploaded');
    const invalidations = await invalidationsOf(target);
    expect(invalidations.find((i) => i.callerReference.startsWith(`${r2.id}-switch`))?.paths).toEqual(['/', '/index.html']);
    expect(await siteKeys(world, target, 'www/.slipway/staging/')).toEqual([]);
  });

  it('switches back and invalidates again when the probe fails after the switch', async () => {
    // Prepare
    const target = await createSiteTarget(world, { health: { probe: { url: probe.url }, pollSeconds: 1 } });
    const orchestrator = localOrchestrator();
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    expect((await finished(world, orchestrator, r1.id)).status).toBe('succeeded');
    probe.status = 500;
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles({ ...site, 'about/index.html': 'broken' }));
    const record = await finished(world, orchestrator, r2.id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('origin path restored to /www/r1');
    expect(await originPath(target)).toBe('/www/r1');
    const rollback = (await invalidationsOf(target)).find((i) => i.callerReference.startsWith(`${r2.id}-rollback`));
    expect(rollback?.paths).toEqual(['/about/', '/about/index.html']);
  });

  it('completes a staging that failed mid-way on retry, without gaps or duplicates', async () => {
    // Prepare: 120 files in chunks of 50 → three Map iterations; the second fails once after staging
    const target = await createSiteTarget(world, { staging: { chunkEntries: 50, concurrency: 4 } });
    const files = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`pages/p${String(i).padStart(3, '0')}.html`, `page ${i}`]));
    let failed = false;
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'StageSiteChunk' && (input as { chunk: { index: number } }).chunk.index === 1 && !failed) {
          failed = true;
          throw Object.assign(new Error('Lambda timed out after writing'), { name: 'Lambda.ServiceException' });
        }
        return output;
      },
    });
    // Act
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles(files));
    const record = await finished(world, orchestrator, r1.id);
    // Assess
    expect(failed).toBe(true);
    expect(record.status, record.reason).toBe('succeeded');
    expect(await siteKeys(world, target, 'www/r1/')).toEqual(
      Object.keys(files)
        .map((p) => `www/r1/${p}`)
        .sort(),
    );
    expect(await originPath(target)).toBe('/www/r1');
  });

  it('switches back to the previous release without staging anything, and invalidates what differs', async () => {
    // Prepare: r1 then r2 live
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    for (const [name, body] of [
      ['r1', '<h1>r1</h1>'],
      ['r2', '<h1>r2</h1>'],
    ] as const) {
      const { id } = await release(world, orchestrator, target.name, name, await zipFiles({ ...site, 'index.html': body }));
      expect((await finished(world, orchestrator, id)).status).toBe('succeeded');
    }
    // Act
    const requested = await requestRollback(rollbackDeps(world, orchestrator), { target: target.name });
    const record = await finished(world, orchestrator, requested.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ trigger: 'rollback', release: 'r1', status: 'succeeded', fromVersion: 'r2', toVersion: 'r1' });
    expect(await originPath(target)).toBe('/www/r1');
    expect(record.timeline.some((e) => e.message?.includes('uploaded'))).toBe(false);
    const invalidation = (await invalidationsOf(target)).find((i) => i.callerReference.startsWith(`${requested.id}-switch`));
    expect(invalidation?.paths).toEqual(['/', '/index.html']);
  });

  it('checks that the probe is served the new release, through an edge that follows the origin path', async () => {
    // Prepare: the local edge serves whatever release the distribution's origin path selects
    const target = await createSiteTarget(world);
    const edge = await startLocalEdge({ port: 0, targets: [target] });
    await world.targets.put({
      ...target,
      health: { ...target.health, alarms: [], probe: { url: `${edge.url}/`, expectStatus: 200, timeoutMs: 3000 }, pollSeconds: 1 },
    });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    const record = await finished(world, orchestrator, id);
    await edge.close();
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
  });

  it('rolls back when the probe page is served other bytes than the new release', async () => {
    // Prepare: r1 live; the probe URL is the site's home page, but what answers it is stale
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    expect((await finished(world, orchestrator, r1.id)).status).toBe('succeeded');
    const stale = new URL(probe.url);
    stale.pathname = '/';
    await world.targets.put({ ...target, health: { ...target.health, probe: { url: stale.toString(), expectStatus: 200, timeoutMs: 3000 }, pollSeconds: 1 } });
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles({ ...site, 'index.html': '<h1>r2</h1>' }));
    const record = await finished(world, orchestrator, r2.id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain("other bytes than release r2's index.html");
    expect(await originPath(target)).toBe('/www/r1');
  });
});
