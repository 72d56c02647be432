import { beforeAll, describe, expect, it } from 'vitest';
import { functionPackage, zipFiles } from '../../dev/zip.js';
import { BEFORE_SLIPWAY_RELEASE, requestRollback } from '../../shared/usecases/deployments.js';
import { createSiteTarget, originPath } from '../support/site-harness.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World, rollbackDeps } from '../support/workflow-harness.js';

describe('Workflow: rollback to what was live before slipway', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('puts the alias back on version 1 after the first release, and records that slipway did not deploy it', async () => {
    // Prepare: version 1 is live (not deployed by slipway); the first release takes it to version 2
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    const first = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    expect((await finished(world, orchestrator, first.id)).status).toBe('succeeded');
    // Act
    const requested = await requestRollback(rollbackDeps(world, orchestrator), { target: target.name });
    const record = await finished(world, orchestrator, requested.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ trigger: 'rollback', release: BEFORE_SLIPWAY_RELEASE, preSlipway: true, toVersion: '1' });
    expect(record.timeline[0]?.message).toContain('slipway did not deploy it');
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    // And back again: the release slipway deployed is the earlier one now.
    const again = await requestRollback(rollbackDeps(world, orchestrator), { target: target.name });
    expect(again).toMatchObject({ release: 'r2', toVersion: '2' });
    expect((await finished(world, orchestrator, again.id)).status).toBe('succeeded');
  });

  it('switches a site back to the bucket root it served before slipway’s first release', async () => {
    // Prepare: the distribution served the bucket root; the first release switches it to /www/r1
    const target = await createSiteTarget(world);
    const orchestrator = localOrchestrator();
    const first = await release(world, orchestrator, target.name, 'r1', await zipFiles({ 'index.html': '<h1>r1</h1>' }));
    const firstRecord = await finished(world, orchestrator, first.id);
    expect(firstRecord.status).toBe('succeeded');
    expect(firstRecord.fromOriginPath).toBe('');
    expect(await originPath(target)).toBe('/www/r1');
    // Act
    const requested = await requestRollback(rollbackDeps(world, orchestrator), { target: target.name });
    const record = await finished(world, orchestrator, requested.id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ trigger: 'rollback', release: BEFORE_SLIPWAY_RELEASE, preSlipway: true, toOriginPath: '' });
    expect(record.timeline[0]?.message).toContain('(bucket root), which was live before slipway');
    expect(await originPath(target)).toBe('');
  });
});
