import { beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

describe('Workflow: a configured alarm that does not exist', () => {
  let world: World;

  beforeAll(async () => {
    world = await createWorld();
  });

  it('fails the deployment before any traffic moves, naming the missing alarm, and looks once (a permanent error)', async () => {
    // Prepare: one alarm exists, the other is a typo nobody created.
    const existing = uniqueName('errors');
    const missing = uniqueName('erorrs');
    const target = await createFunctionTarget(
      world,
      { strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 2 }] }, health: { alarms: [existing, missing], pollSeconds: 1 } },
      [existing],
    );
    const runs: string[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        runs.push(state);
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('v2 watched by a typo'));
    const record = await finished(world, orchestrator, id);
    // Assess
    // Stage looks at the alarms before anything is published (a preexisting one would block too).
    expect(record.status).toBe('failed');
    expect(record.reason).toContain(`"${missing}"`);
    expect(record.reason).not.toContain(`"${existing}"`);
    expect(record.reason).toMatch(/create it, or fix the target's health\.alarms/);
    // Nothing moved, so nothing was rolled back: the record ends, it does not show a failed rollback.
    expect(record.timeline.at(-1)).toMatchObject({ step: 'end', status: 'failed' });
    expect(record.timeline.some((e) => e.step === 'rollback')).toBe(false);
    expect(runs.filter((s) => s === 'Stage')).toHaveLength(1);
    expect(runs).not.toContain('ShiftTraffic');
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });
});
