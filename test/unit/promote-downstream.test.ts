import { describe, expect, it } from 'vitest';
import { functionTargetSchema, parseWith, type Target } from '../../shared/domain/target.js';
import { MAX_DOWNSTREAM, planDownstream, promoteDownstream, type PromoteDownstreamDeps } from '../../shared/usecases/workflow/promote-downstream.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const target = (name: string, promotion?: Record<string, unknown>): Target =>
  parseWith(functionTargetSchema, { name, kind: 'function', function: { name }, ...(promotion ? { promotion } : {}) }, 'target');

describe('planDownstream', () => {
  it('lists the targets promoting from the upstream by soak then name, waiting first for the shortest soak', () => {
    // Prepare
    const all = [
      target('staging'),
      target('prod-b', { from: 'staging', soakSeconds: 600 }),
      target('prod-a', { from: 'staging', soakSeconds: 600 }),
      target('canary', { from: 'staging' }),
      target('eu', { from: 'prod-a' }),
    ];
    // Act
    const plan = planDownstream(all, 'staging', 's3');
    // Assess
    expect(plan).toEqual({
      targets: [
        { target: 'canary', soakSeconds: 0 },
        { target: 'prod-a', soakSeconds: 600 },
        { target: 'prod-b', soakSeconds: 600 },
      ],
      waited: 0,
      waitSeconds: 0,
    });
  });

  it(`carries none for a rollback or a target nothing promotes from, and at most ${MAX_DOWNSTREAM}`, () => {
    const many = Array.from({ length: 30 }, (_, i) => target(`d-${i}`, { from: 'up' }));
    expect(planDownstream([target('up'), ...many], 'up', 'rollback')).toBeUndefined();
    expect(planDownstream([target('up')], 'up', 's3')).toBeUndefined();
    expect(planDownstream([target('up'), ...many], 'up', 's3')?.targets).toHaveLength(MAX_DOWNSTREAM);
  });
});

describe('promoteDownstream', () => {
  it('takes the targets whose soak is over, then waits only the difference to the next soak, then nothing', async () => {
    // Prepare: the downstream targets are gone by now, so each is "not promoted", with the reason
    const logged: string[] = [];
    const deps = {
      targets: { get: async () => undefined, list: async () => [], put: async () => undefined },
      deployments: {} as PromoteDownstreamDeps['deployments'],
      orchestrator: { start: async () => undefined },
      events: { publish: async () => undefined },
      clock: { now: () => new Date('2026-06-01T10:00:00Z') },
      log: (message: string) => void logged.push(message),
    } satisfies PromoteDownstreamDeps;
    const state: WorkflowState = {
      deploymentId: 'd-1',
      record: { target: 'staging', release: 'r2', trigger: 's3', requestedAt: '2026-06-01T09:00:00Z', sha256: 'a'.repeat(64) },
      downstream: planDownstream([target('a', { from: 'staging', soakSeconds: 60 }), target('b', { from: 'staging', soakSeconds: 600 })], 'staging', 's3'),
    };
    // Act
    const first = await promoteDownstream(deps, state);
    const second = await promoteDownstream(deps, first);
    // Assess
    expect(state.downstream?.waitSeconds).toBe(60);
    expect(first.downstream).toMatchObject({ targets: [{ target: 'b' }], waited: 60, waitSeconds: 540 });
    expect(second.downstream?.waitSeconds).toBeUndefined();
    expect(second.downstream?.outcomes?.map((o) => [o.target, o.outcome])).toEqual([
      ['a', 'not promoted'],
      ['b', 'not promoted'],
    ]);
    expect(logged).toHaveLength(2);
  });
});
