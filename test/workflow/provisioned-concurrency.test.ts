import {
  GetProvisionedConcurrencyConfigCommand,
  type GetProvisionedConcurrencyConfigCommandOutput,
  PutProvisionedConcurrencyConfigCommand,
} from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVISIONED_CONCURRENCY_CONTROL_PATH } from '../../dev/emulator/lambda-provisioned-concurrency.js';
import { functionPackage } from '../../dev/zip.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

/**
 * Provisioned concurrency through a function's deployment, against the emulator's Lambda
 * supplement (moto has no provisioned-concurrency API): the live version's allocation is made on the
 * new version and READY before any traffic moves, and the old one's is released after success; an
 * allocation that fails to initialise rolls back with nothing left behind.
 */
describe('Workflow: provisioned concurrency', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  /** How the supplement allocates on this function from now on (docs/dev.md, what moto does not do). */
  async function allocations(fn: string, behaviour: { readyAfterMs?: number; failWith?: string | null }): Promise<void> {
    const res = await fetch(`${process.env.AWS_ENDPOINT_URL}${PROVISIONED_CONCURRENCY_CONTROL_PATH}`, {
      method: 'POST',
      body: JSON.stringify({ functionName: fn, ...behaviour }),
    });
    expect(res.status, await res.text()).toBe(200);
  }

  async function configOf(fn: string, qualifier: string): Promise<GetProvisionedConcurrencyConfigCommandOutput | string> {
    try {
      return await world.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: qualifier }));
    } catch (error) {
      return (error as Error).name;
    }
  }

  /** A canary target whose live version 1 has `amount` provisioned concurrency, READY. */
  async function provisionedTarget(amount: number) {
    const target = await createFunctionTarget(world, { strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 1 }] } });
    const fn = target.function.name;
    await allocations(fn, { readyAfterMs: 0 });
    await world.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: '1', ProvisionedConcurrentExecutions: amount }));
    // The new version's allocation stays IN_PROGRESS for a tick or two of the wait loop.
    await allocations(fn, { readyAfterMs: 1500 });
    return target;
  }

  const lean = { env: { SLIPWAY_PROVISIONED_POLL_SECONDS: '1', SLIPWAY_PROVISIONED_DEADLINE_SECONDS: '60' } };

  it('allocates the live amount on the new version, READY before the first shift, and releases the old version’s after success', async () => {
    // Prepare
    const target = await provisionedTarget(3);
    const fn = target.function.name;
    const states: string[] = [];
    const atFirstShift: (GetProvisionedConcurrencyConfigCommandOutput | string)[] = [];
    const orchestrator = localOrchestrator(
      {
        wrapTask: (state, _fn, run) => async (input) => {
          states.push(state);
          const toVersion = (input as { record?: { toVersion?: string } }).record?.toVersion;
          if (state === 'ShiftTraffic' && atFirstShift.length === 0 && toVersion) atFirstShift.push(await configOf(fn, toVersion));
          return run(input);
        },
      },
      lean,
    );
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 with provisioned concurrency'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    const toVersion = record.toVersion!;
    // The first shift found the new version's allocation whole and READY.
    expect(atFirstShift[0]).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 3, AvailableProvisionedConcurrentExecutions: 3 });
    expect(states.indexOf('CheckProvisionedConcurrency')).toBeGreaterThan(states.indexOf('Stage'));
    expect(states.lastIndexOf('CheckProvisionedConcurrency')).toBeLessThan(states.indexOf('ShiftTraffic'));
    // One line per status, not one per tick.
    const progress = record.timeline.map((e) => e.message ?? '').filter((m) => m.startsWith(`allocating 3 provisioned concurrency on version ${toVersion}`));
    expect(progress.map((m) => m.split(': ')[1]?.split(' ')[0])).toEqual(['IN_PROGRESS', 'READY']);
    // After success: the old version's allocation is gone, the new one keeps the same amount, the alias is plain.
    expect(await configOf(fn, '1')).toBe('ProvisionedConcurrencyConfigNotFoundException');
    expect(await configOf(fn, toVersion)).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 3 });
    const alias = await aliasOf(world, fn);
    expect(alias.FunctionVersion).toBe(toVersion);
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(record.provisionedConcurrency).toEqual({ amount: 3, fromVersion: '1', toVersion, allocated: true });
  });

  it('rolls back cleanly when the new version’s allocation fails to initialise, quoting Lambda’s reason', async () => {
    // Prepare
    const target = await provisionedTarget(2);
    const fn = target.function.name;
    const statusReason = 'FUNCTION_ERROR_INIT_FAILURE: the handler threw during init';
    await allocations(fn, { readyAfterMs: 1000, failWith: statusReason });
    const states: string[] = [];
    const orchestrator = localOrchestrator(
      {
        wrapTask: (state, _fn, run) => async (input) => {
          states.push(state);
          return run(input);
        },
      },
      lean,
    );
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 that cannot initialise'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toContain(statusReason);
    expect(states).toContain('CheckProvisionedConcurrency');
    expect(states).not.toContain('ShiftTraffic');
    // The alias never routed to the failed version, and what the deployment allocated is released.
    const alias = await aliasOf(world, fn);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(await configOf(fn, record.toVersion!)).toBe('ProvisionedConcurrencyConfigNotFoundException');
    expect(record.reason).toContain(`released the 2 provisioned concurrency allocated on version ${record.toVersion}`);
    // The live version keeps its own, as it was.
    expect(await configOf(fn, '1')).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 2 });
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('allocates nothing when the live version has no provisioned concurrency', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const states: string[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        states.push(state);
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 without provisioned concurrency'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(states).not.toContain('CheckProvisionedConcurrency');
    expect(record.provisionedConcurrency).toBeUndefined();
    expect(await configOf(target.function.name, record.toVersion!)).toBe('ProvisionedConcurrencyConfigNotFoundException');
  });

  it('allocates nothing for a release of the code already live, and leaves the live version’s allocation as it is', async () => {
    // Prepare
    const target = await provisionedTarget(2);
    const fn = target.function.name;
    const states: string[] = [];
    const orchestrator = localOrchestrator(
      {
        wrapTask: (state, _fn, run) => async (input) => {
          states.push(state);
          return run(input);
        },
      },
      lean,
    );
    // Act: the package version 1 was made from.
    const { id } = await release(world, orchestrator, target.name, 'r1-again', await functionPackage('v1'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline.some((e) => /already live/.test(e.message ?? ''))).toBe(true);
    expect(states).not.toContain('CheckProvisionedConcurrency');
    expect(record.provisionedConcurrency).toBeUndefined();
    expect(await configOf(fn, '1')).toMatchObject({ Status: 'READY', RequestedProvisionedConcurrentExecutions: 2 });
  });
});
