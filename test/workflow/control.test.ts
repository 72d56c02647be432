import { ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import type { TaskFn } from '../../dev/local-orchestrator.js';
import { functionPackage, zipFiles } from '../../dev/zip.js';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createSiteTarget, originPath, siteKeys, siteObject } from '../support/site-harness.js';
import { INSTANT_WAITS, aliasOf, createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

/** Bakes tick for real (20 ms a tick) so that one left to run takes visibly longer than a cut one. */
const TICKING = { ...INSTANT_WAITS, Bake: 20 };

/** Wraps one Task state: `before` runs ahead of the real handler on each of its invocations. */
function around(stateName: string, before: (input: unknown, call: number) => Promise<void>) {
  let calls = 0;
  return (state: string, _fn: string, run: TaskFn): TaskFn =>
    state === stateName
      ? async (input) => {
          calls += 1;
          await before(input, calls);
          return run(input);
        }
      : run;
}

async function publishedVersions(world: World, fn: string): Promise<string[]> {
  const out = await world.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
  return (out.Versions ?? []).map((v) => v.Version!).filter((v) => v !== '$LATEST');
}

describe('Workflow: cancel and promote through the API', () => {
  let world: World;
  let callApi: CallApi;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    callApi = apiCaller(testRuntime().api);
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  it('cancels a deployment before any traffic moved: cancelled, alias untouched, lock released', async () => {
    // Prepare: hold the workflow right after Stage published the new version
    const target = await createFunctionTarget(world, { strategy: 'Canary10Percent5Minutes' });
    let cancelled!: () => void;
    const cancelSent = new Promise<void>((resolve) => (cancelled = resolve));
    let staged!: () => void;
    const stagedOnce = new Promise<void>((resolve) => (staged = resolve));
    const orchestrator = localOrchestrator({
      waitTimeOverrides: TICKING,
      wrapTask: (state, _fn, run) =>
        state === 'Stage'
          ? async (input) => {
              const output = await run(input);
              staged();
              await cancelSent;
              return output;
            }
          : run,
    });
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('cancel before traffic'));
    await stagedOnce;
    // Act
    const answer = await callApi('POST', `/deployments/${id}/cancel`, { reason: 'wrong build' });
    cancelled();
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ id, status: 'staging' });
    expect(answer.headers.location).toBe(`/deployments/${id}`);
    expect(record.status, record.reason).toBe('cancelled');
    expect(record.reason).toMatch(new RegExp(`^cancelled by ${LOCAL_DEVELOPER_ARN}: wrong build; no traffic was moved`));
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(record.timeline.some((e) => e.step === 'shift')).toBe(false);
    expect(record.timeline).toContainEqual(expect.objectContaining({ step: 'cancel', requestedBy: LOCAL_DEVELOPER_ARN, reason: 'wrong build' }));
    expect(await publishedVersions(world, target.function.name)).toEqual(['1', '2']);
    expect(await world.locks.holder(target.name)).toBeUndefined();
    const again = await callApi('POST', `/deployments/${id}/cancel`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: 'https://slipway.dev/problems/conflict', detail: expect.stringContaining('already ended cancelled') });
  });

  it('cancels a canary during its bake: rolled back to the old version, the reason naming who and why', async () => {
    // Prepare: 10% for 10 minutes, each bake tick 20 ms; the cancel goes out at the first tick
    const target = await createFunctionTarget(world, { strategy: 'Canary10Percent10Minutes' });
    let id = '';
    let ticks = 0;
    let during: Awaited<ReturnType<typeof callApi>> | undefined;
    let aliasDuringBake: Record<string, number> = {};
    const orchestrator = localOrchestrator({
      waitTimeOverrides: TICKING,
      wrapTask: around('CheckHealth', async (_input, call) => {
        ticks = call;
        if (call !== 1) return;
        aliasDuringBake = (await aliasOf(world, target.function.name)).RoutingConfig?.AdditionalVersionWeights ?? {};
        during = await callApi('POST', `/deployments/${id}/cancel`, { reason: 'error rate up' });
      }),
    });
    // Act
    id = (await release(world, orchestrator, target.name, 'r2', await functionPackage('cancel during bake'))).id;
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(during?.status).toBe(202);
    expect(during?.body).toMatchObject({ status: 'shifting', trafficPercent: 10 });
    expect(Object.values(aliasDuringBake)).toEqual([0.1]);
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toMatch(new RegExp(`^cancelled by ${LOCAL_DEVELOPER_ARN}: error rate up; alias restored to version 1`));
    expect(ticks).toBe(1); // of 60 the bake had
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    expect(record.timeline.filter((e) => e.step === 'shift').map((e) => e.trafficPercent)).toEqual([10]);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('rolls back a deployment cancelled after all traffic moved, even as it was about to succeed', async () => {
    // Prepare: AllAtOnce; the cancel lands just before Finalize would record success
    const target = await createFunctionTarget(world);
    let id = '';
    const orchestrator = localOrchestrator({
      wrapTask: around('Finalize', async () => {
        expect((await callApi('POST', `/deployments/${id}/cancel`, {})).status).toBe(202);
      }),
    });
    // Act
    id = (await release(world, orchestrator, target.name, 'r2', await functionPackage('cancel at 100%'))).id;
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toMatch(new RegExp(`^cancelled by ${LOCAL_DEVELOPER_ARN}; alias restored to version 1`));
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('cancels a deployment waiting for the lock, and the one holding it goes on', async () => {
    // Prepare: r1 holds the lock (held in Stage) while r2 waits
    const target = await createFunctionTarget(world);
    let firstId = '';
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let firstStaged!: () => void;
    const staged = new Promise<void>((resolve) => (firstStaged = resolve));
    const orchestrator = localOrchestrator({
      waitTimeOverrides: { ...INSTANT_WAITS, WaitForLock: 20 },
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'Stage' && (input as { deploymentId: string }).deploymentId === firstId) {
          firstStaged();
          await gate;
        }
        return output;
      },
    });
    const r1 = await release(world, orchestrator, target.name, 'r1', await functionPackage('lock holder'));
    firstId = r1.id;
    await staged;
    const r2 = await release(world, orchestrator, target.name, 'r2', await functionPackage('lock waiter'));
    for (let i = 0; i < 100 && (await world.deployments.get(r2.id))?.status !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 20));
    // Act
    const answer = await callApi('POST', `/deployments/${r2.id}/cancel`, { reason: 'not this one' });
    const waiter = await finished(world, orchestrator, r2.id);
    releaseGate();
    const holder = await finished(world, orchestrator, r1.id);
    // Assess
    expect(answer).toMatchObject({ status: 202, body: { status: 'waiting' } });
    expect(waiter.status, waiter.reason).toBe('cancelled');
    expect(waiter.reason).toContain(`cancelled by ${LOCAL_DEVELOPER_ARN}: not this one`);
    expect(waiter.toVersion).toBeUndefined();
    expect(holder.status, holder.reason).toBe('succeeded');
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe(holder.toVersion);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('cancels a site deployment mid-staging: nothing live changes and the staged files are removed', async () => {
    // Prepare: r1 is live; r2 stages 201 files in 5 chunks; the others wait until chunk 0 is staged and the cancel sent
    const target = await createSiteTarget(world, { staging: { chunkEntries: 50, concurrency: 4 } });
    const files = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`pages/p${String(i).padStart(3, '0')}.html`, `page ${i}`]));
    const first = localOrchestrator();
    const r1 = await release(world, first, target.name, 'r1', await zipFiles({ 'index.html': '<h1>r1</h1>' }));
    expect((await finished(world, first, r1.id)).status).toBe('succeeded');
    let id = '';
    let cancelSent!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancelSent = resolve));
    const outcomes: { chunk: number; files: number }[] = [];
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) =>
        state === 'StageSiteChunk'
          ? async (input) => {
              const index = (input as { chunk: { index: number } }).chunk.index;
              if (index !== 0) await cancelled;
              const output = (await run(input)) as { chunk: number; files: number };
              outcomes.push(output);
              if (index === 0) {
                expect((await callApi('POST', `/deployments/${id}/cancel`, { reason: 'typo on the front page' })).status).toBe(202);
                cancelSent();
              }
              return output;
            }
          : run,
    });
    // Act
    id = (await release(world, orchestrator, target.name, 'r2', await zipFiles({ 'index.html': '<h1>r2</h1>', ...files }))).id;
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('cancelled');
    expect(record.reason).toContain('typo on the front page; nothing live changed');
    // chunk 0 staged its files; the chunks that started after the cancel staged nothing
    expect(outcomes.map((o) => [o.chunk, o.files > 0]).sort()).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, false],
      [4, false],
    ]);
    expect(await originPath(target)).toBe('/www/r1');
    expect(await siteKeys(world, target, 'www/r2/')).toEqual([]);
    expect(await siteKeys(world, target, 'www/.slipway/staging/')).toEqual([]);
    expect(await siteKeys(world, target, 'www/.slipway/manifests/')).toEqual(['www/.slipway/manifests/r1.json']);
    expect((await siteObject(world, target, 'www/r1/index.html')).body).toBe('<h1>r1</h1>');
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('promotes a linear deployment during its first bake: straight to 100%, recorded with who and why', async () => {
    // Prepare: 25% steps of 10 minutes each (60 ticks of 20 ms per step if nothing cut them short)
    const target = await createFunctionTarget(world, { strategy: { type: 'linear', percent: 25, bakeSeconds: 600 } });
    let id = '';
    let ticks = 0;
    let promoted: Awaited<ReturnType<typeof callApi>> | undefined;
    const orchestrator = localOrchestrator({
      waitTimeOverrides: TICKING,
      wrapTask: around('CheckHealth', async (_input, call) => {
        ticks = call;
        if (call === 2) promoted = await callApi('POST', `/deployments/${id}/promote`, { reason: 'metrics look fine' });
      }),
    });
    // Act
    id = (await release(world, orchestrator, target.name, 'r2', await functionPackage('promoted'))).id;
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(promoted?.status).toBe(202);
    expect(promoted?.body).toMatchObject({ id, status: 'shifting', trafficPercent: 25 });
    expect(record.status, record.reason).toBe('succeeded');
    expect(ticks).toBe(2);
    expect(record.timeline.filter((e) => e.step === 'shift').map((e) => e.trafficPercent)).toEqual([25, 100]);
    const promotions = record.timeline.filter((e) => e.step === 'promote');
    expect(promotions).toEqual([
      expect.objectContaining({ requestedBy: LOCAL_DEVELOPER_ARN, reason: 'metrics look fine', message: expect.stringContaining('promote requested') }),
      expect.objectContaining({
        requestedBy: LOCAL_DEVELOPER_ARN,
        reason: 'metrics look fine',
        trafficPercent: 25,
        message: expect.stringContaining('skipped'),
      }),
    ]);
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe(record.toVersion);
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    const late = await callApi('POST', `/deployments/${id}/promote`, { reason: 'again' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('already ended succeeded');
  });

  it('still checks health when a promote takes effect, and rolls back if it fails', async () => {
    // Prepare: a canary with a probe checked every 30 s (3 ticks of 10 s); the probe fails after the promote
    const target = await createFunctionTarget(world, {
      strategy: 'Canary10Percent30Minutes',
      health: { probe: { url: probe.url }, pollSeconds: 30 },
    });
    let id = '';
    const orchestrator = localOrchestrator({
      waitTimeOverrides: TICKING,
      wrapTask: around('CheckHealth', async (_input, call) => {
        if (call !== 1) return;
        expect((await callApi('POST', `/deployments/${id}/promote`, { reason: 'ship it' })).status).toBe(202);
        probe.status = 503;
      }),
    });
    // Act
    id = (await release(world, orchestrator, target.name, 'r2', await functionPackage('promoted but broken'))).id;
    const record = await finished(world, orchestrator, id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('answered 503');
    expect(record.timeline.at(-1)).toMatchObject({ step: 'rollback', health: 'failed', error: expect.stringMatching(/^probe .* answered 503/) });
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('refuses to promote a deployment that has not moved traffic yet', async () => {
    // Prepare: hold the workflow in Stage
    const target = await createFunctionTarget(world, { strategy: 'Canary10Percent5Minutes' });
    let go!: () => void;
    const gate = new Promise<void>((resolve) => (go = resolve));
    let staged!: () => void;
    const stagedOnce = new Promise<void>((resolve) => (staged = resolve));
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) =>
        state === 'Stage'
          ? async (input) => {
              staged();
              await gate;
              return run(input);
            }
          : run,
    });
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('too early'));
    await stagedOnce;
    // Act
    const answer = await callApi('POST', `/deployments/${id}/promote`, { reason: 'hurry' });
    await callApi('POST', `/deployments/${id}/cancel`, { reason: 'test over' });
    go();
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ type: 'https://slipway.dev/problems/conflict', detail: expect.stringContaining('no traffic has moved yet') });
    expect(record.status, record.reason).toBe('cancelled');
    expect(record.timeline.some((e) => e.step === 'promote')).toBe(false);
  });

  it('serves the timeline with the health result of each bake', async () => {
    // Prepare
    const target = await createFunctionTarget(world, {
      strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 3 }] },
      health: { probe: { url: probe.url }, pollSeconds: 1 },
    });
    const orchestrator = localOrchestrator();
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('timeline'));
    const record = await finished(world, orchestrator, id);
    // Act
    const answer = await callApi('GET', `/deployments/${id}/events`);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ deploymentId: id, status: 'succeeded' });
    const steps = answer.body.events.map((e: { step: string }) => e.step);
    expect(steps[0]).toBe('intake');
    expect(steps.at(-1)).toBe('finalize');
    expect(answer.body.events).toContainEqual(
      expect.objectContaining({ step: 'verify', trafficPercent: 50, health: 'passed', message: expect.stringContaining('3 health check(s) passed') }),
    );
    expect(answer.body.events).toContainEqual(expect.objectContaining({ step: 'verify', trafficPercent: 100, health: 'passed' }));
  });
});
