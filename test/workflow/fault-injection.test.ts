import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { isTerminal } from '../../shared/domain/deployment.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

/** The Task states a canary release with hooks and alarms passes through. */
const TASKS = ['Prepare', 'AcquireLock', 'Stage', 'PreTrafficHook', 'ShiftTraffic', 'CheckHealth', 'PostTrafficHook', 'Finalize'];

/** A fault that hits after the Task's side effect, as when a Lambda times out after its write. */
class InjectedFault extends Error {
  override name = 'Lambda.ServiceException';
}

describe('Workflow: faults at every Task', () => {
  let world: World;
  let hook: string;
  beforeAll(async () => {
    world = await createWorld();
    hook = uniqueName('hook');
    await createAliasedFunction(hook, await functionPackage('hook'));
  });

  async function canaryTarget() {
    const alarm = uniqueName('alarm');
    return createFunctionTarget(
      world,
      {
        strategy: { type: 'canary', percent: 20, bakeSeconds: 2 },
        health: { alarms: [alarm], pollSeconds: 1, preTraffic: hook, postTraffic: hook },
      },
      [alarm],
    );
  }

  it.each(TASKS)('retries a fault injected once at %s and succeeds without duplicates', async (faulty) => {
    // Prepare
    const target = await canaryTarget();
    let injected = 0;
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === faulty && injected++ === 0) throw new InjectedFault(`injected fault after ${state}`);
        return output;
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage(`v2 ${faulty}`));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(injected).toBeGreaterThan(0);
    expect(record.status, record.reason).toBe('succeeded');
    const versions = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: target.function.name }));
    expect((versions.Versions ?? []).filter((v) => v.Version !== '$LATEST')).toHaveLength(2);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe(record.toVersion);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it.each(TASKS)('keeps the invariant when %s fails every time', async (faulty) => {
    // Prepare
    const target = await canaryTarget();
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === faulty) throw new InjectedFault(`persistent fault in ${state}`);
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage(`v2 broken ${faulty}`));
    const record = await finished(world, orchestrator, id);
    // Assess: old or new version, never a split; lock released; terminal status with a reason.
    expect(isTerminal(record.status)).toBe(true);
    expect(['failed', 'rolled_back']).toContain(record.status);
    expect(record.reason).toContain(`persistent fault in ${faulty}`);
    const alias = await aliasOf(world, target.function.name);
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(alias.FunctionVersion).toBe('1');
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('leaves a recorded success live when Finalize keeps failing after recording it', async () => {
    // Prepare
    const target = await canaryTarget();
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'Finalize') throw new InjectedFault('fault after Finalize');
        return output;
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 finalize'));
    const record = await finished(world, orchestrator, id);
    // Assess: the record and the alias agree
    expect(record.status).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe(record.toVersion);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('restores the alias from outside the workflow when the Rollback step itself keeps failing', async () => {
    // Prepare: the canary is at 20% when health checks fail, and Rollback cannot run
    const target = await canaryTarget();
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'CheckHealth' || state === 'Rollback') throw new InjectedFault(`persistent fault in ${state}`);
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 rollback broken'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(orchestrator.executions.get(id)?.states.at(-1)).toBe('RollbackFailed');
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('ended FAILED');
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });
});
