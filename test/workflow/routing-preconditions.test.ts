import { ListVersionsByFunctionCommand, UpdateAliasCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import { aliasOf, codeShaOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

// moto lets an alias split traffic between versions with different roles; Lambda refuses with
// InvalidParameterValueException at UpdateAlias, i.e. mid-deployment. slipway refuses in Stage.
describe('Workflow: routing preconditions', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  async function versionsOf(fn: string): Promise<string[]> {
    const out = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
    return (out.Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
  }

  it('fails a canary whose new version would have another execution role, once, with nothing changed', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { strategy: 'Canary10Percent5Minutes' });
    const fn = target.function.name;
    const role = 'arn:aws:iam::123456789012:role/slipway-other-role';
    await world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: role }));
    const before = await codeShaOf(world, fn, '$LATEST');
    const stages: number[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => {
        if (state !== 'Stage') return run;
        return async (input) => {
          stages.push(1);
          return run(input);
        };
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/^(?!RoutingPreconditionError).*differ in execution role .*AllAtOnce/);
    expect(stages).toHaveLength(1);
    expect((await aliasOf(world, fn)).FunctionVersion).toBe('1');
    expect(await versionsOf(fn)).toEqual(['1']);
    expect(await codeShaOf(world, fn, '$LATEST')).toBe(before);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('deploys the same role change AllAtOnce: it never splits traffic', async () => {
    const target = await createFunctionTarget(world);
    const fn = target.function.name;
    await world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Role: 'arn:aws:iam::123456789012:role/slipway-other-role' }));
    const orchestrator = localOrchestrator();
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    expect(record.status, record.reason).toBe('succeeded');
    expect((await aliasOf(world, fn)).FunctionVersion).toBe(record.toVersion);
  });

  it('refuses an alias on $LATEST before updating the code', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const fn = target.function.name;
    await world.lambda.send(new UpdateAliasCommand({ FunctionName: fn, Name: 'live', FunctionVersion: '$LATEST' }));
    const before = await codeShaOf(world, fn, '$LATEST');
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/^alias .*:live points at \$LATEST/);
    expect(await codeShaOf(world, fn, '$LATEST')).toBe(before);
    expect(await versionsOf(fn)).toEqual(['1']);
  });
});
