import { SetAlarmStateCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

describe('Workflow: traffic shifting and health', () => {
  let world: World;
  let probe: ProbeServer;

  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('moves part of the traffic during a canary bake, then all of it', async () => {
    // Prepare
    const alarm = uniqueName('canary-errors');
    const target = await createFunctionTarget(
      world,
      { strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 5 }] }, health: { alarms: [alarm], pollSeconds: 1 } },
      [alarm],
    );
    const seenDuringBake: Record<string, number>[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'CheckHealth') seenDuringBake.push((await aliasOf(world, target.function.name)).RoutingConfig?.AdditionalVersionWeights ?? {});
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('canary v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(seenDuringBake.length).toBeGreaterThanOrEqual(5);
    expect(seenDuringBake[0]).toEqual({ [record.toVersion!]: 0.5 });
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe(record.toVersion);
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(record.timeline.filter((e) => e.step === 'shift').map((e) => e.trafficPercent)).toEqual([50, 100]);
  });

  it('walks every step of a linear strategy in order', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { strategy: { type: 'linear', percent: 25, bakeSeconds: 1 } });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('linear v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline.filter((e) => e.step === 'shift').map((e) => e.trafficPercent)).toEqual([25, 50, 75, 100]);
  });

  it('rolls back when an alarm fires during the canary bake', async () => {
    // Prepare
    const alarm = uniqueName('canary-errors');
    const target = await createFunctionTarget(
      world,
      { strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 5 }] }, health: { alarms: [alarm], pollSeconds: 1 } },
      [alarm],
    );
    let checks = 0;
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        if (state === 'CheckHealth' && ++checks === 2) {
          await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test' }));
        }
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('bad v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain(alarm);
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('rolls back when the HTTP probe fails after the switch', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { health: { probe: { url: probe.url }, pollSeconds: 1 } });
    probe.status = 503;
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2'));
    const record = await finished(world, orchestrator, id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('answered 503, expected 200');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('ends a release that is already live as a no-op success', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    // Act: version 1 of every test function is functionPackage('v1')
    const { id } = await release(world, orchestrator, target.name, 'same', await functionPackage('v1'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.reason).toContain('already live');
    expect(record.toVersion).toBe('1');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });
});
