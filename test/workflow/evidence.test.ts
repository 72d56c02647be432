import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { feedVersionMetrics } from '../../dev/version-metrics-feed.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAlarm } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { LambdaVersionCatalog } from '../../shared/adapters/aws/lambda-version-catalog.js';
import { uniqueName } from '../support/aws-env.js';
import type { TaskFn } from '../../dev/local-orchestrator.js';
import type { FunctionTarget } from '../../shared/domain/target.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

/** What Lambda would publish for `count` invocations of `version` through the alias, `errors` of them failing. */
async function invoked(target: FunctionTarget, version: string, count: number, errors: number): Promise<void> {
  await feedVersionMetrics(new CloudWatchClient({}), {
    fn: target.function.name,
    alias: target.function.alias,
    version,
    at: new Date(),
    invocations: count,
    errors,
  });
}

type Feed = (state: WorkflowState, checks: number) => Promise<void>;

/** Runs `feed` after every ShiftTraffic and CheckHealth, as traffic would keep arriving during the bake. */
function feeding(feed: Feed, after?: (stateName: string, output: WorkflowState) => Promise<void>) {
  let checks = 0;
  return {
    runs: () => checks,
    wrapTask: (stateName: string, _fn: string, run: TaskFn) => async (input: unknown) => {
      const output = (await run(input)) as WorkflowState;
      if (stateName === 'ShiftTraffic' || stateName === 'CheckHealth') {
        if (stateName === 'CheckHealth') checks += 1;
        if (output.verify?.analysis) await feed(output, checks);
      }
      await after?.(stateName, output);
      return output;
    },
  };
}

describe('Workflow: canaries judged on the new version’s own evidence', () => {
  let world: World;
  let callApi: CallApi;
  beforeAll(async () => {
    world = await createWorld();
    callApi = apiCaller(testRuntime().api);
  });

  async function evidenceTarget(analysis: Record<string, unknown>) {
    return createFunctionTarget(world, {
      strategy: { type: 'canary', percent: 10, bakeSeconds: 0 },
      health: { pollSeconds: 1, analysis: { minInvocations: 200, maxBakeSeconds: 120, ...analysis } },
    });
  }

  it('advances as soon as the canary has served enough without errors, long before maxBakeSeconds', async () => {
    // Prepare: the canary serves 100 a tick without errors; the stable version fails 1%
    const target = await evidenceTarget({});
    const traffic = feeding(async () => {
      await invoked(target, '2', 100, 0);
      await invoked(target, '1', 900, 9);
    });
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('evidence pass'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
    const checks = record.timeline.filter((e) => e.evidence);
    expect(checks.at(-1)?.evidence).toMatchObject({ outcome: 'pass', canary: { version: '2', errors: 0 }, baseline: { version: '1' } });
    expect(checks.at(-1)?.evidence?.canary.invocations).toBeGreaterThanOrEqual(200);
    expect(checks[0]?.message).toMatch(/^canary v2 \d+\/200 invocations, 0 errors .*inconclusive.*, \d+m left$/);
    // 120 one-second ticks were planned; the evidence decided within a handful
    expect(traffic.runs()).toBeLessThan(10);
  });

  it('rolls back when the canary fails more often than the stable version', async () => {
    // Prepare: 20% errors on the canary, 1% on the stable version
    const target = await evidenceTarget({});
    const traffic = feeding(async () => {
      await invoked(target, '2', 100, 20);
      await invoked(target, '1', 900, 9);
    });
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('evidence fail'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('canary version 2 judged on its evidence');
    expect(record.timeline.find((e) => e.evidence?.outcome === 'fail')).toMatchObject({ health: 'failed', trafficPercent: 10 });
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('rolls back a canary nobody calls once maxBakeSeconds pass (onInconclusive "rollback")', async () => {
    // Prepare: three one-second ticks, one invocation each
    const target = await evidenceTarget({ maxBakeSeconds: 3 });
    const traffic = feeding(async () => invoked(target, '2', 1, 0));
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('evidence thin'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('had no verdict after 3s');
    expect(record.reason).toContain('onInconclusive is "rollback"');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('holds the split for a human with "pause", and goes on when someone promotes it', async () => {
    // Prepare: no traffic at all; once held, an operator promotes through the API
    const target = await evidenceTarget({ maxBakeSeconds: 2, onInconclusive: 'pause' });
    let promoted = 0;
    const traffic = feeding(
      async () => undefined,
      async (stateName, output) => {
        if (stateName === 'CheckHealth' && output.verify?.analysis?.held === 'pause' && promoted++ === 0) {
          await callApi('POST', `/deployments/${output.deploymentId}/promote`, { reason: 'checked by hand' });
        }
      },
    );
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('evidence paused'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline.some((e) => e.message?.includes('onInconclusive is "pause": holding 10%'))).toBe(true);
    expect(record.timeline.some((e) => e.step === 'promote' && e.reason === 'checked by hand')).toBe(true);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
  });

  it('bakes on with "extend" until the evidence decides', async () => {
    // Prepare: no traffic until the bake is extended, then plenty
    const target = await evidenceTarget({ maxBakeSeconds: 2, onInconclusive: 'extend' });
    const traffic = feeding(async (state) => {
      if (state.verify?.analysis?.held === 'extend') {
        await invoked(target, '2', 300, 0);
        await invoked(target, '1', 3000, 30);
      }
    });
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('evidence extended'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline.some((e) => e.message?.includes('onInconclusive is "extend"'))).toBe(true);
    expect(record.timeline.filter((e) => e.evidence).at(-1)?.evidence?.outcome).toBe('pass');
  });

  it('does not deploy while an alarm is already in ALARM, unless it is marked preexisting "ignore" for a hotfix', async () => {
    // Prepare: the alarm fires before either release starts
    const alarm = uniqueName('already-firing');
    await createAlarm(alarm, 'ALARM');
    const blocked = await createFunctionTarget(world, { health: { alarms: [alarm], pollSeconds: 1 } });
    const hotfix = await evidenceTarget({ maxBakeSeconds: 30 });
    await world.targets.put({ ...hotfix, health: { ...hotfix.health, alarms: [{ name: alarm, preexisting: 'ignore' }] } });
    const traffic = feeding(async () => {
      await invoked(hotfix, '2', 200, 0);
      await invoked(hotfix, '1', 900, 90);
    });
    const orchestrator = localOrchestrator({ wrapTask: traffic.wrapTask });
    // Act
    const first = await release(world, orchestrator, blocked.name, 'r2', await functionPackage('blocked by a firing alarm'));
    const blockedRecord = await finished(world, orchestrator, first.id);
    const second = await release(world, orchestrator, hotfix.name, 'r2', await functionPackage('the hotfix'));
    const hotfixRecord = await finished(world, orchestrator, second.id);
    // Assess: the first changed nothing; the hotfix went live on its own evidence, the alarm left out
    expect(blockedRecord.status, blockedRecord.reason).toBe('failed');
    expect(blockedRecord.reason).toContain(`alarm "${alarm}" was already in ALARM when the deployment started`);
    expect((await new LambdaVersionCatalog().listVersions(blocked.function.name)).map((v) => v.version)).toEqual(['1']);
    expect(hotfixRecord.status, hotfixRecord.reason).toBe('succeeded');
    expect(hotfixRecord.timeline.some((e) => e.step === 'stage' && e.message?.includes('"preexisting": "ignore" lets the release through'))).toBe(true);
    expect(hotfixRecord.timeline.filter((e) => e.evidence).at(-1)?.evidence?.outcome).toBe('pass');
  });
  describe('synthetic traffic producing the evidence', () => {
    // moto's Invoke (without Docker) answers with the event it was sent: an event carrying a
    // statusCode stands for a function answering it. The stable version serves nothing throughout.
    async function syntheticTarget(statusCode: number) {
      return createFunctionTarget(world, {
        strategy: { type: 'canary', percent: 10, bakeSeconds: 0 },
        health: {
          pollSeconds: 1,
          analysis: { minInvocations: 30, maxErrorRate: 0.1, maxBakeSeconds: 60 },
          synthetic: { event: { statusCode }, perMinute: 600, expect: { statusCode: 200 } },
        },
      });
    }

    it('advances a canary nobody calls on its synthetic invocations alone', async () => {
      // Prepare: ten synthetic invocations a one-second tick, each answering 200
      const target = await syntheticTarget(200);
      const orchestrator = localOrchestrator();
      // Act
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('synthetic pass'));
      const record = await finished(world, orchestrator, id);
      // Assess
      expect(record.status, record.reason).toBe('succeeded');
      expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
      const checks = record.timeline.filter((e) => e.evidence);
      const last = checks.at(-1)?.evidence;
      expect(last).toMatchObject({ outcome: 'pass', canary: { version: '2', invocations: 0 }, synthetic: { errors: 0 } });
      expect(last?.synthetic?.invocations).toBeGreaterThanOrEqual(30);
      expect(checks[0]?.message).toMatch(/^canary v2 10\/30 invocations \(10 synthetic\), 0 errors .*inconclusive/);
      // Nothing was sent at 100%: the last check is the one that passed the 10% step
      expect(record.timeline.filter((e) => e.evidence && e.trafficPercent === 100)).toEqual([]);
    });

    it('rolls back a canary whose synthetic invocations fail', async () => {
      // Prepare: every synthetic invocation answers 500
      const target = await syntheticTarget(500);
      const orchestrator = localOrchestrator();
      // Act
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('synthetic fail'));
      const record = await finished(world, orchestrator, id);
      // Assess
      expect(record.status, record.reason).toBe('rolled_back');
      expect(record.reason).toMatch(/canary version 2 judged on its evidence: canary v2 10\/30 invocations \(10 synthetic\), 10 errors .* — fail/);
      expect(record.reason).toContain('a synthetic invocation answered statusCode 500 (expected 200)');
      expect(record.timeline.find((e) => e.evidence?.outcome === 'fail')?.evidence?.synthetic).toEqual({ invocations: 10, errors: 10 });
      const alias = await aliasOf(world, target.function.name);
      expect(alias.FunctionVersion).toBe('1');
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    });
  });
});
