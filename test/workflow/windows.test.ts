import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import type { TaskFn } from '../../dev/local-orchestrator.js';
import { functionPackage } from '../../dev/zip.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { functionTargetSchema, type FunctionTarget } from '../../shared/domain/target.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { INSTANT_WAITS, aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

// The window gate re-checks on every AcquireLock attempt; the tests make an attempt every 100 ms.
process.env.SLIPWAY_WINDOW_CHECK_SECONDS = '1';
const POLLING = { ...INSTANT_WAITS, WaitForLock: 100 };
/** Always open: a one-minute window every minute. */
const ALWAYS = [{ cron: '* * * * *', durationMinutes: 1 }];

/** An instant `ms` from now, as a window time with seconds. */
function at(ms: number): string {
  return new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function statusOf(world: World, id: string, wanted: Deployment['status'], timeoutMs = 10_000): Promise<Deployment> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const record = await world.deployments.get(id);
    if (record?.status === wanted) return record;
    if (Date.now() > until) throw new Error(`deployment ${id} is ${record?.status}, not ${wanted}: ${record?.reason}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function lockedAt(record: Deployment): number {
  const entry = record.timeline.find((e) => e.message === 'target lock acquired');
  if (!entry) throw new Error(`deployment ${record.id} never took the lock`);
  return Date.parse(entry.at);
}

async function putTarget(world: World, target: FunctionTarget, window: unknown): Promise<void> {
  await world.targets.put(functionTargetSchema.parse({ ...target, window }));
}

describe('Workflow: deploy windows', () => {
  let world: World;
  let callApi: CallApi;
  beforeAll(async () => {
    world = await createWorld();
    callApi = apiCaller(testRuntime().api);
  });

  it('waits through a freeze (recorded as waiting, with the reason and when it starts), then deploys', async () => {
    // Prepare: frozen for the next 4 s (long enough to be seen waiting on a slow machine)
    const freezeEnd = at(4000);
    const target = await createFunctionTarget(world, {
      window: { allow: ALWAYS, deny: [{ from: at(-60_000), to: freezeEnd, reason: 'release freeze' }] },
    });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('after the freeze'));
    const waiting = await statusOf(world, id, 'waiting');
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(waiting.reason).toContain('frozen: release freeze');
    expect(waiting.startsAt).toBe(new Date(freezeEnd).toISOString());
    expect(waiting.timeline).toContainEqual(expect.objectContaining({ step: 'window', status: 'waiting' }));
    expect(record.status, record.reason).toBe('succeeded');
    expect(lockedAt(record)).toBeGreaterThanOrEqual(Date.parse(freezeEnd));
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
  });

  it('re-reads the window while it waits: a freeze cut short and a freeze added both count', async () => {
    // Prepare: frozen for an hour; once the release waits, that freeze ends in 1.5 s and an
    // incident freeze follows it until 3.5 s from now
    const target = await createFunctionTarget(world, {
      window: { allow: ALWAYS, deny: [{ from: at(-60_000), to: at(3_600_000), reason: 'long freeze' }] },
    });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('freeze changed'));
    await statusOf(world, id, 'waiting');
    // Act
    const firstEnd = at(1500);
    const extendedEnd = at(3500);
    await putTarget(world, target, {
      allow: ALWAYS,
      deny: [
        { from: at(-60_000), to: firstEnd, reason: 'long freeze' },
        { from: firstEnd, to: extendedEnd, reason: 'incident freeze' },
      ],
    });
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(lockedAt(record)).toBeGreaterThanOrEqual(Date.parse(extendedEnd));
    expect(record.timeline.some((e) => e.step === 'window' && e.message?.includes('incident freeze'))).toBe(true);
  });

  it('starts a waiting deployment at once on promote, recording who and why, then rolls out as usual', async () => {
    // Prepare: frozen for an hour
    const target = await createFunctionTarget(world, {
      window: { allow: ALWAYS, deny: [{ from: at(-60_000), to: at(3_600_000), reason: 'holiday freeze' }] },
    });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('hotfix'));
    await statusOf(world, id, 'waiting');
    // Act
    const answer = await callApi('POST', `/deployments/${id}/promote`, { reason: 'security hotfix' });
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(answer.status).toBe(202);
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.timeline).toContainEqual(expect.objectContaining({ step: 'promote', requestedBy: LOCAL_DEVELOPER_ARN, reason: 'security hotfix' }));
    expect(record.timeline).toContainEqual(
      expect.objectContaining({ step: 'window', message: `started by promote from ${LOCAL_DEVELOPER_ARN}: security hotfix, despite the window` }),
    );
    const without = await callApi('POST', `/deployments/${id}/promote`, {});
    expect(without.status).toBe(400);
  });

  it('holds a scheduled upload (slipway-not-before metadata) until its time, with or without a window', async () => {
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    const notBefore = new Date(Date.now() + 4000).toISOString();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('scheduled'), { metadata: { 'slipway-not-before': notBefore } });
    const waiting = await statusOf(world, id, 'waiting');
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(waiting).toMatchObject({ notBefore, startsAt: notBefore, reason: `scheduled for ${notBefore}` });
    expect(record.status, record.reason).toBe('succeeded');
    expect(lockedAt(record)).toBeGreaterThanOrEqual(Date.parse(notBefore));
    const bad = await release(world, orchestrator, target.name, 'r3', await functionPackage('bad schedule'), {
      metadata: { 'slipway-not-before': 'next tuesday' },
    });
    const rejected = await finished(world, orchestrator, bad.id);
    expect(rejected.status).toBe('failed');
    expect(rejected.reason).toContain('the slipway-not-before metadata "next tuesday" is not an ISO 8601 time');
  });

  it('fails at once, with the reason, when the window cannot open within what a deployment can wait', async () => {
    // Prepare: open on 29 February only; the next one is more than 360 days away from late 2026
    const target = await createFunctionTarget(world, { window: { allow: [{ cron: '0 0 29 2 *', durationMinutes: 60 }] } });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('leap day'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toMatch(/^outside the allowed windows; the window does not open within \d+ days/);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('with queue "latest", a newer waiting release supersedes the older one', async () => {
    const target = await createFunctionTarget(world, { window: { allow: ALWAYS, deny: [{ from: at(-60_000), to: at(4000), reason: 'freeze' }] } });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await functionPackage('older'), { eventTime: new Date(Date.now() - 1000).toISOString() });
    await statusOf(world, r2.id, 'waiting');
    const r3 = await release(world, orchestrator, target.name, 'r3', await functionPackage('newer'));
    const [older, newer] = [await finished(world, orchestrator, r2.id), await finished(world, orchestrator, r3.id)];
    // Assess
    expect(older.status).toBe('superseded');
    expect(newer.status, newer.reason).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
  });

  it('with queue "all", waiting releases deploy one after the other in arrival order', async () => {
    const target = await createFunctionTarget(world, {
      window: { allow: ALWAYS, deny: [{ from: at(-60_000), to: at(4000), reason: 'freeze' }], queue: 'all' },
    });
    const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING });
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await functionPackage('first'), { eventTime: new Date(Date.now() - 1000).toISOString() });
    await statusOf(world, r2.id, 'waiting');
    const r3 = await release(world, orchestrator, target.name, 'r3', await functionPackage('second'));
    const [first, second] = [await finished(world, orchestrator, r2.id), await finished(world, orchestrator, r3.id)];
    // Assess
    expect(first.status, first.reason).toBe('succeeded');
    expect(second.status, second.reason).toBe('succeeded');
    expect(Date.parse(first.endedAt!)).toBeLessThanOrEqual(lockedAt(second));
    expect([first.toVersion, second.toVersion]).toEqual(['2', '3']);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('3');
  });

  describe('when the window closes in the middle of a canary', () => {
    /** At the canary's first bake tick, a freeze of `ms` starts. */
    function freezeDuringBake(target: FunctionTarget, onClose: string, ms: number) {
      let frozen = false;
      return (state: string, _fn: string, run: TaskFn): TaskFn =>
        state === 'CheckHealth'
          ? async (input) => {
              if (!frozen) {
                frozen = true;
                await putTarget(world, target, { allow: ALWAYS, onClose, deny: [{ from: at(-1000), to: at(ms), reason: 'traffic peak' }] });
              }
              return run(input);
            }
          : run;
    }
    const canary = { type: 'canary' as const, percent: 10, bakeSeconds: 1 };

    it('finishes the rollout with onClose "finish", noting it', async () => {
      const target = await createFunctionTarget(world, { strategy: canary, window: { allow: ALWAYS, onClose: 'finish' } });
      const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING, wrapTask: freezeDuringBake(target, 'finish', 60_000) });
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('finish'));
      const record = await finished(world, orchestrator, id);
      expect(record.status, record.reason).toBe('succeeded');
      expect(record.timeline.some((e) => e.step === 'window' && e.message?.includes('onClose is "finish"'))).toBe(true);
      expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('2');
    });

    it('rolls back with onClose "rollback"', async () => {
      const target = await createFunctionTarget(world, { strategy: canary, window: { allow: ALWAYS, onClose: 'rollback' } });
      const orchestrator = localOrchestrator({ waitTimeOverrides: POLLING, wrapTask: freezeDuringBake(target, 'rollback', 60_000) });
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('rollback'));
      const record = await finished(world, orchestrator, id);
      expect(record.status).toBe('rolled_back');
      expect(record.reason).toContain('the deploy window closed with 10% of traffic moved (frozen: traffic peak');
      const alias = await aliasOf(world, target.function.name);
      expect(alias.FunctionVersion).toBe('1');
      expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    });

    it('holds the split with onClose "pause" until the window reopens, then finishes', async () => {
      const target = await createFunctionTarget(world, { strategy: canary, window: { allow: ALWAYS, onClose: 'pause' } });
      let freezeEnd = 0;
      const freeze = freezeDuringBake(target, 'pause', 2500);
      const orchestrator = localOrchestrator({
        waitTimeOverrides: { ...POLLING, Bake: 100 },
        wrapTask: (state, fn, run) => {
          const wrapped = freeze(state, fn, run);
          return async (input) => {
            if (state === 'CheckHealth' && !freezeEnd) freezeEnd = Date.now() + 2500;
            return wrapped(input);
          };
        },
      });
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('pause'));
      const record = await finished(world, orchestrator, id);
      expect(record.status, record.reason).toBe('succeeded');
      expect(record.timeline.some((e) => e.step === 'window' && e.message?.includes('onClose is "pause": holding 10%'))).toBe(true);
      const full = record.timeline.find((e) => e.step === 'shift' && e.trafficPercent === 100)!;
      expect(Date.parse(full.at)).toBeGreaterThanOrEqual(freezeEnd - 1000);
    });
  });
});
