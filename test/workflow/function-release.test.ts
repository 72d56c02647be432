import { beforeAll, describe, expect, it } from 'vitest';
import { codeSha256FromHex } from '../../shared/domain/deployment.js';
import { functionPackage } from '../../dev/zip.js';
import { aliasOf, codeShaOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

describe('Workflow: function release', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('puts an AllAtOnce release live as a new version whose CodeSha256 is the zip', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id, sha256 } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe(record.toVersion);
    expect(alias.FunctionVersion).not.toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(await codeShaOf(world, target.function.name, alias.FunctionVersion!)).toBe(codeSha256FromHex(sha256));
    expect(record).toMatchObject({ fromVersion: '1', trafficPercent: 100 });
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });
});
