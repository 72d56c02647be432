/**
 * Auto-promotion: the upstream's execution goes on after Finalize, waits the downstream's soak
 * (the Soak Wait state, instant here, while the test's clock jumps by the soak), then
 * PromoteDownstream promotes the very artifact. Each scenario names what happens during the soak.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import type { LocalRuntime } from '../../dev/runtime.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { PROMOTION_ELIGIBLE, promotionEligibleDetailSchema } from '../../shared/domain/events.js';
import type { FunctionTarget } from '../../shared/domain/target.js';
import { AUTO_PROMOTION_BY } from '../../shared/usecases/workflow/promote-downstream.js';
import { apiCaller } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import {
  INSTANT_RETRIES,
  INSTANT_WAITS,
  codeShaOf,
  createFunctionTarget,
  createWorld,
  finished,
  release,
  withAwsLimits,
  type World,
} from '../support/workflow-harness.js';
import type { TaskFn } from '../../dev/local-orchestrator.js';

const SOAK = 600;

describe('Workflow: auto-promotion', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  /**
   * A runtime whose clock runs SOAK seconds ahead each time the soak is over (PromoteDownstream
   * starts), and `duringSoak` runs before that, once: what happens upstream while the release soaks.
   */
  function runtime(duringSoak?: (rt: LocalRuntime) => Promise<void>, fault?: Error) {
    let offset = 0;
    let pending = duringSoak;
    const events: { detailType: string; detail: Record<string, unknown> }[] = [];
    const rt: LocalRuntime = testRuntime({
      clock: { now: () => new Date(Date.now() + offset) },
      onEventPublished: (detailType, detail) => events.push({ detailType, detail }),
      run: withAwsLimits({
        waitTimeOverrides: INSTANT_WAITS,
        retryIntervalOverrides: INSTANT_RETRIES,
        wrapTask: (stateName, _key, run): TaskFn =>
          stateName === 'PromoteDownstream'
            ? async (input) => {
                const during = pending;
                pending = undefined;
                if (during) await during(rt);
                offset += SOAK * 1000;
                if (fault) throw fault;
                return run(input);
              }
            : run,
      }),
    });
    return { rt, events };
  }

  async function chain(promotion: Record<string, unknown>): Promise<{ staging: FunctionTarget; prod: FunctionTarget }> {
    const staging = await createFunctionTarget(world);
    const prod = await createFunctionTarget(world, { promotion: { from: staging.name, soakSeconds: SOAK, auto: true, ...promotion } });
    return { staging, prod };
  }

  const promotionsOf = async (target: string): Promise<Deployment[]> =>
    (await world.deployments.listByTarget(target, { limit: 20 })).filter((d) => d.trigger === 'promotion');

  it('after the soak, promotes the release that succeeded upstream: same artifact, same sha256, and publishes Promotion Eligible', async () => {
    // Prepare
    const { staging, prod } = await chain({});
    const { rt, events } = runtime();
    // Act
    const { id, sha256 } = await release(world, rt.orchestrator, staging.name, 'r2', await functionPackage('v2'));
    const upstream = await finished(world, rt.orchestrator, id);
    const [promotion] = await promotionsOf(prod.name);
    const promoted = await finished(world, rt.orchestrator, promotion!.id);
    // Assess
    expect(upstream.status, upstream.reason).toBe('succeeded');
    expect(rt.orchestrator.executions.get(id)?.states.slice(-4)).toEqual(['Soak', 'PromoteDownstream', 'HasDownstream', 'Done']);
    expect(promoted.status, promoted.reason).toBe('succeeded');
    expect(promoted).toMatchObject({
      release: 'r2',
      sha256,
      requestedBy: AUTO_PROMOTION_BY,
      artifact: upstream.artifact,
      promotion: { from: staging.name, upstreamDeploymentId: id },
    });
    expect(await codeShaOf(world, prod.function.name, promoted.toVersion!)).toBe(await codeShaOf(world, staging.function.name, upstream.toVersion!));
    const eligible = events.filter((e) => e.detailType === PROMOTION_ELIGIBLE).map((e) => promotionEligibleDetailSchema.parse(e.detail));
    expect(eligible).toEqual([
      { schemaVersion: 1, target: prod.name, from: staging.name, release: 'r2', sha256, upstreamDeploymentId: id, at: expect.any(String) },
    ]);
    expect(await world.locks.holder(staging.name)).toBeUndefined();
  });

  it('behind approval: required, the promotion waits for approval and starts no execution', async () => {
    // Prepare
    const { staging, prod } = await chain({ approval: 'required' });
    const { rt } = runtime();
    // Act
    const { id } = await release(world, rt.orchestrator, staging.name, 'r2', await functionPackage('v2'));
    await finished(world, rt.orchestrator, id);
    const [promotion] = await promotionsOf(prod.name);
    // Assess
    expect(promotion).toMatchObject({ status: 'waiting', reason: 'awaiting approval', approval: { state: 'pending' }, release: 'r2' });
    expect(rt.orchestrator.executions.has(promotion!.id)).toBe(false);
  });

  it('does not promote a release rolled back upstream during the soak, and the upstream stays succeeded', async () => {
    // Prepare: r1 live on staging before prod takes from it
    const staging = await createFunctionTarget(world);
    const first = runtime();
    await finished(world, first.rt.orchestrator, (await release(world, first.rt.orchestrator, staging.name, 'r1', await functionPackage('v1'))).id);
    const prod = await createFunctionTarget(world, { promotion: { from: staging.name, soakSeconds: SOAK, auto: true } });
    const { rt, events } = runtime(async (during) => {
      const answer = await apiCaller(during.api)('POST', `/targets/${staging.name}/rollback`, {});
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      const back = await finished(world, during.orchestrator, answer.body.id);
      expect(back.status, back.reason).toBe('succeeded');
    });
    // Act
    const { id } = await release(world, rt.orchestrator, staging.name, 'r2', await functionPackage('v2'));
    const upstream = await finished(world, rt.orchestrator, id);
    // Assess
    expect(upstream.status, upstream.reason).toBe('succeeded');
    expect(await promotionsOf(prod.name)).toEqual([]);
    expect(events.filter((e) => e.detailType === PROMOTION_ELIGIBLE)).toEqual([]);
    expect(rt.orchestrator.executions.get(id)?.states.at(-1)).toBe('Done');
  });

  it('does not promote a release replaced upstream before its soak was over; the newer one goes once it has soaked', async () => {
    // Prepare
    const { staging, prod } = await chain({});
    let newer = '';
    const { rt } = runtime(async (during) => {
      newer = (await release(world, during.orchestrator, staging.name, 'r3', await functionPackage('v3'))).id;
      await finished(world, during.orchestrator, newer);
    });
    // Act
    const { id } = await release(world, rt.orchestrator, staging.name, 'r2', await functionPackage('v2'));
    await finished(world, rt.orchestrator, id);
    const promotions = await promotionsOf(prod.name);
    // Assess
    expect(promotions.map((d) => [d.release, d.promotion?.upstreamDeploymentId])).toEqual([['r3', newer]]);
    expect((await finished(world, rt.orchestrator, promotions[0]!.id)).status).toBe('succeeded');
  });

  it('a PromoteDownstream that keeps failing never rolls back the upstream release: the execution ends PromotionNotStarted', async () => {
    // Prepare
    const { staging, prod } = await chain({});
    const { rt } = runtime(undefined, Object.assign(new Error('DynamoDB is unavailable'), { name: 'ServiceUnavailable' }));
    // Act
    const { id } = await release(world, rt.orchestrator, staging.name, 'r2', await functionPackage('v2'));
    const upstream = await finished(world, rt.orchestrator, id);
    // Assess
    expect(upstream.status, upstream.reason).toBe('succeeded');
    const execution = rt.orchestrator.executions.get(id);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution?.states.at(-1)).toBe('PromotionNotStarted');
    expect(execution?.states).not.toContain('Rollback');
    expect(await promotionsOf(prod.name)).toEqual([]);
    expect(await world.locks.holder(staging.name)).toBeUndefined();
  });
});
