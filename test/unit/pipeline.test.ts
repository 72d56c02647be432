import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { functionTargetSchema, parseWith, type Target } from '../../shared/domain/target.js';
import { MAX_PIPELINE_ENVIRONMENTS, showPipeline, type PipelineDeps } from '../../shared/usecases/pipeline.js';
import { landedRecord } from '../support/deployment-view.js';

const T0 = Date.parse('2026-06-01T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function target(name: string, promotion?: Record<string, unknown>): Target {
  return parseWith(functionTargetSchema, { name, kind: 'function', function: { name, alias: 'live' }, ...(promotion ? { promotion } : {}) }, 'target');
}

function deployment(target: string, release: string, endedAfter: number, fields: Partial<Deployment> = {}): Deployment {
  return landedRecord(release, {
    id: `d-${target}-${release}-${endedAfter}`,
    target,
    requestedAt: at(endedAfter - 10),
    startedAt: at(endedAfter - 10),
    updatedAt: at(endedAfter),
    endedAt: at(endedAfter),
    sha256: `${release}-sha`.padEnd(64, '0'),
    artifact: { bucket: 'art', key: `releases/${target}/${release}.zip` },
    ...fields,
  });
}

function fakes(targets: Target[], history: Deployment[], nowSeconds: number): PipelineDeps & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    targets: {
      get: async (name) => targets.find((t) => t.name === name),
      list: async () => targets,
    },
    deployments: {
      listByTarget: async (name, options) => {
        reads.push(name);
        return history
          .filter((d) => d.target === name)
          .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
          .slice(0, options?.limit);
      },
    },
    clock: { now: () => new Date(T0 + nowSeconds * 1000) },
  };
}

describe('showPipeline', () => {
  it('walks up to the root and down through every branch, root first, each level by name', async () => {
    // Prepare
    const targets = [
      target('api-prod-eu', { from: 'api-staging' }),
      target('api-dev'),
      target('api-staging', { from: 'api-dev' }),
      target('api-prod-us', { from: 'api-staging' }),
      target('other'),
    ];
    // Act
    const pipeline = await showPipeline(fakes(targets, [], 0), 'api-prod-us');
    // Assess
    expect(pipeline.root).toBe('api-dev');
    expect(pipeline.environments.map((e) => [e.name, e.from])).toEqual([
      ['api-dev', null],
      ['api-staging', 'api-dev'],
      ['api-prod-eu', 'api-staging'],
      ['api-prod-us', 'api-staging'],
    ]);
    expect(pipeline.problems).toEqual([]);
    expect(pipeline.omitted).toBe(0);
  });

  it('shows what is live with its sha256 and configuration digest, what runs and what waits for approval', async () => {
    // Prepare
    const targets = [target('api-staging'), target('api-prod', { from: 'api-staging', approval: 'required' })];
    const history = [
      deployment('api-staging', 'r1', 0),
      deployment('api-prod', 'r0', 0, { configuration: { digest: 'c'.repeat(64), changes: [] } }),
      deployment('api-prod', 'r1', 100, { status: 'waiting', endedAt: undefined, trigger: 'promotion', approval: { state: 'pending' }, requestedBy: 'ana' }),
      deployment('api-staging', 'r2', 200, { status: 'shifting', endedAt: undefined, trafficPercent: 10 }),
    ];
    // Act
    const [staging, prod] = (await showPipeline(fakes(targets, history, 300), 'api-staging')).environments;
    // Assess
    expect(staging?.live).toMatchObject({ release: 'r1', sha256: 'r1-sha'.padEnd(64, '0'), configDigest: null, since: at(0) });
    expect(staging?.running).toEqual({ id: 'd-api-staging-r2-200', release: 'r2', status: 'shifting', trafficPercent: 10 });
    expect(prod?.live).toMatchObject({ release: 'r0', configDigest: 'c'.repeat(64) });
    expect(prod?.running).toBeNull();
    expect(prod?.awaitingApproval).toEqual([{ id: 'd-api-prod-r1-100', release: 'r1', requestedBy: 'ana', requestedAt: at(90) }]);
    expect(prod?.promotion).toMatchObject({ from: 'api-staging', approval: 'required', soakSeconds: 0, auto: false });
  });

  it('says why nothing is eligible: soaking, rolled back, nothing upstream yet', async () => {
    // Prepare
    const targets = [target('api-staging'), target('api-prod', { from: 'api-staging', soakSeconds: 600 }), target('api-eu', { from: 'api-prod' })];
    const history = [deployment('api-staging', 'r1', 0), deployment('api-staging', 'r2', 100), deployment('api-staging', 'r1', 200, { trigger: 'rollback' })];
    // Act
    const soaking = await showPipeline(fakes(targets, [deployment('api-staging', 'r1', 0)], 60), 'api-prod');
    const rolledBack = await showPipeline(fakes(targets, history, 300), 'api-prod');
    // Assess
    expect(soaking.environments[1]?.next).toEqual({
      candidate: null,
      why: expect.stringMatching(/r1 is soaking on api-staging: eligible at 2026-06-01T10:10:00/),
    });
    expect(rolledBack.environments[1]?.candidates.map((c) => [c.release, c.state])).toEqual([
      ['r2', 'rolled_back'],
      ['r1', 'replaced'],
    ]);
    expect(rolledBack.environments[1]?.next?.why).toMatch(/r2 was rolled back on api-staging/);
    expect(rolledBack.environments[2]?.next?.why).toBe('no release has succeeded on api-prod yet');
  });

  it('offers the newest eligible release, and marks one already live downstream', async () => {
    // Prepare
    const targets = [target('api-staging'), target('api-prod', { from: 'api-staging' })];
    const promoted = deployment('api-prod', 'r1', 50, { trigger: 'promotion' });
    // Act
    const fresh = await showPipeline(fakes(targets, [deployment('api-staging', 'r1', 0)], 100), 'api-prod');
    const done = await showPipeline(fakes(targets, [deployment('api-staging', 'r1', 0), promoted], 100), 'api-prod');
    // Assess
    expect(fresh.environments[1]?.next?.candidate).toMatchObject({
      release: 'r1',
      state: 'eligible',
      alreadyLive: false,
      upstreamDeploymentId: 'd-api-staging-r1-0',
    });
    expect(done.environments[1]?.next?.candidate).toMatchObject({ release: 'r1', alreadyLive: true });
    expect(done.environments[1]?.next?.why).toBe('r1 is already live on api-prod; nothing newer has passed api-staging');
  });

  it('stops at a loop and an unregistered upstream, and says so', async () => {
    // Prepare
    const loop = [target('a', { from: 'b' }), target('b', { from: 'a' }), target('c', { from: 'a' })];
    const dangling = [target('x', { from: 'gone' })];
    // Act
    const looped = await showPipeline(fakes(loop, [], 0), 'a');
    const orphan = await showPipeline(fakes(dangling, [], 0), 'x');
    // Assess
    expect(looped.environments.map((e) => e.name).sort()).toEqual(['a', 'b', 'c']);
    expect(looped.problems).toEqual([expect.stringMatching(/loop \(a → b → a, each promoting from the next\)/)]);
    expect(orphan.environments.map((e) => e.name)).toEqual(['x']);
    expect(orphan.problems[0]).toMatch(/"x" promotes from "gone", which is not a registered target/);
    expect(orphan.environments[0]?.next?.why).toMatch(/not a registered target/);
  });

  it(`shows at most ${MAX_PIPELINE_ENVIRONMENTS} environments, always the target's own way up, and counts the rest`, async () => {
    // Prepare: a root with 30 children, the target the last of them
    const children = Array.from({ length: 30 }, (_, i) => target(`env-${String(i).padStart(2, '0')}`, { from: 'root' }));
    const deps = fakes([target('root'), ...children], [], 0);
    // Act
    const pipeline = await showPipeline(deps, 'env-29');
    // Assess
    expect(pipeline.environments).toHaveLength(MAX_PIPELINE_ENVIRONMENTS);
    expect(pipeline.environments.map((e) => e.name)).toContain('env-29');
    expect(pipeline.environments[0]?.name).toBe('root');
    expect(pipeline.omitted).toBe(11);
    expect(deps.reads.length).toBeLessThanOrEqual(MAX_PIPELINE_ENVIRONMENTS);
  });

  it('answers not found for a target that is not registered', async () => {
    await expect(showPipeline(fakes([], [], 0), 'nope')).rejects.toThrow(/nope/);
  });
});
