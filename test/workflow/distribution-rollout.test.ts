import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CloudFrontCdn } from '../../shared/adapters/aws/cloudfront-cdn.js';
import { CloudFrontOriginSwitch } from '../../shared/adapters/aws/cloudfront-origin.js';
import { zipFiles } from '../../dev/zip.js';
import { createSiteTarget, invalidationsOf, originPath } from '../support/site-harness.js';
import { createWorld, finished, INSTANT_WAITS, localOrchestrator, release, type World } from '../support/workflow-harness.js';

const site = { 'index.html': '<h1>r1</h1>', 'about/index.html': '<h1>about</h1>' };

// moto reports every distribution Deployed at once; in AWS an origin switch is InProgress for
// minutes. The first looks here answer InProgress, the rest go to moto.
describe('Workflow: a site switch waits for the distribution to be Deployed', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('loops through WaitForDistribution and invalidates only once CloudFront says Deployed', async () => {
    // Prepare: r1 is live
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator({ waitTimeOverrides: { ...INSTANT_WAITS, WaitForDistribution: 0 } });
    const r1 = await release(world, orchestrator, target.name, 'r1', await zipFiles(site));
    expect((await finished(world, orchestrator, r1.id)).status).toBe('succeeded');
    const looks = vi.spyOn(CloudFrontOriginSwitch.prototype, 'isDistributionDeployed').mockResolvedValueOnce(false).mockResolvedValueOnce(false);
    const invalidate = vi.spyOn(CloudFrontCdn.prototype, 'invalidate');
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await zipFiles({ ...site, 'index.html': '<h1>r2</h1>' }));
    const record = await finished(world, orchestrator, r2.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(await originPath(target)).toBe('/www/r2');
    expect(await Promise.all(looks.mock.results.map((r) => r.value))).toEqual([false, false, true]);
    expect(invalidate).toHaveBeenCalledTimes(1);
    expect(invalidate.mock.invocationCallOrder[0]).toBeGreaterThan(looks.mock.invocationCallOrder[2]!);
    const states = orchestrator.executions.get(r2.id)?.states ?? [];
    expect(states.filter((s) => s === 'WaitForDistribution')).toHaveLength(2);
    expect(states.filter((s) => s === 'ShiftTraffic')).toHaveLength(3);
    expect(record.timeline.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`waiting for distribution ${target.site.distributionId} to be Deployed`),
        expect.stringContaining(`distribution ${target.site.distributionId} is Deployed; invalidating 2 paths`),
      ]),
    );
    expect((await invalidationsOf(target)).filter((i) => i.callerReference.startsWith(`${r2.id}-switch`))).toHaveLength(1);
  });
});
