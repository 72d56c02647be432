import { SetAlarmStateCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaVersionCatalog } from '../../shared/adapters/aws/lambda-version-catalog.js';
import { isTerminal, type Deployment } from '../../shared/domain/deployment.js';
import { requestRollback } from '../../shared/usecases/deployments.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';
import type { LocalRunOptions } from '../../dev/local-orchestrator.js';
import { appZip, createApp, handlerSource, type TestApp } from '../support/app-harness.js';
import { rawZip } from '../support/raw-zip.js';
import { startProbeServer, type ProbeServer } from '../support/probe-server.js';
import { invalidationsOf, originPath } from '../support/site-harness.js';
import { aliasOf, createWorld, finished, localOrchestrator, release, type World, rollbackDeps } from '../support/workflow-harness.js';

const web = (page: string) => ({ 'index.html': `<h1>${page}</h1>`, 'app.js': `console.log(${JSON.stringify(page)})` });

/** Each component as it serves now: the alias's version (and any split), the site's origin path. */
async function live(world: World, app: TestApp) {
  const [api, worker] = await Promise.all([aliasOf(world, app.api), aliasOf(world, app.worker)]);
  return {
    api: api.FunctionVersion,
    worker: worker.FunctionVersion,
    split: { ...api.RoutingConfig?.AdditionalVersionWeights, ...worker.RoutingConfig?.AdditionalVersionWeights },
    web: await originPath(app),
  };
}

async function setAlarm(name: string, state: 'OK' | 'ALARM') {
  await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'set by the test' }));
}

describe('Workflow: an app released as one unit', () => {
  let world: World;
  let probe: ProbeServer;
  beforeAll(async () => {
    world = await createWorld();
    probe = await startProbeServer();
  });
  afterAll(async () => {
    await probe.close();
  });

  /** An app with r1 live: api v2, worker v2, web r1. */
  async function appWithR1(options: LocalRunOptions = {}, overrides: Parameters<typeof createApp>[1] = {}) {
    const app = await createApp(world, overrides);
    const orchestrator = localOrchestrator(options);
    const r1 = await release(world, orchestrator, app.target.name, 'r1', await appZip({ api: 'api r1', worker: 'worker r1', web: web('r1') }));
    const record = await finished(world, orchestrator, r1.id);
    expect(record.status, record.reason).toBe('succeeded');
    return { app, orchestrator, r1: record };
  }

  it('stages every component first, shifts the functions in lockstep and switches the site once they are at 100%', async () => {
    // Prepare
    const app = await createApp(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, app.target.name, 'r1', await appZip({ api: 'api r1', worker: 'worker r1', web: web('r1') }));
    const record = await finished(world, orchestrator, id);
    // Assess: every component on the new release, no split left
    expect(record.status, record.reason).toBe('succeeded');
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r1' });
    expect(record.components).toEqual({
      api: { kind: 'function', function: app.api, fromVersion: '1', toVersion: '2', changed: true, sha256: expect.any(String) },
      worker: { kind: 'function', function: app.worker, fromVersion: '1', toVersion: '2', changed: true, sha256: expect.any(String) },
      web: { kind: 'site', toRelease: 'r1', changed: true },
    });
    // …both functions moved at each step together; the site only at the last one
    const shifts = record.timeline.filter((e) => e.step === 'shift' && e.message?.includes('% of traffic'));
    expect(
      shifts.map((e) => [e.trafficPercent, e.message?.includes('api v2') && e.message.includes('worker v2'), e.message?.includes('web switched')]),
    ).toEqual([
      [10, true, false],
      [100, true, true],
    ]);
    const stagedAt = record.timeline.findLastIndex((e) => e.step === 'stage');
    expect(record.timeline.findIndex((e) => e.step === 'shift')).toBeGreaterThan(stagedAt);
    expect(record.reason).toContain('api v2, worker v2, web r1');
  });

  it('releases only the site when the function folders are absent or hold the live code', async () => {
    // Prepare
    const { app, orchestrator } = await appWithR1();
    // Act: api/ holds r1's code again, worker/ is absent
    const { id } = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r1', web: web('r2') }));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r2' });
    expect(record.components).toMatchObject({
      api: { fromVersion: '2', toVersion: '2', changed: false },
      worker: { fromVersion: '2', toVersion: '2', changed: false },
      web: { fromRelease: 'r1', toRelease: 'r2', changed: true },
    });
    expect((await invalidationsOf(app)).find((i) => i.callerReference.startsWith(`${id}-switch`))?.paths).toEqual(['/', '/app.js', '/index.html']);
  });

  it('releases only the function that changed, and keeps the site on its live release when its files are the same', async () => {
    // Prepare
    const { app, orchestrator } = await appWithR1();
    // Act
    const { id } = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r2', worker: 'worker r1', web: web('r1') }));
    const record = await finished(world, orchestrator, id);
    // Assess: api moved; the worker kept v2; the site's copy under r2 is gone again
    expect(record.status, record.reason).toBe('succeeded');
    expect(await live(world, app)).toEqual({ api: '3', worker: '2', split: {}, web: '/web/r1' });
    expect(record.components).toMatchObject({ api: { changed: true, toVersion: '3' }, worker: { changed: false }, web: { changed: false, toRelease: 'r1' } });
    const keys = await world.s3.send(new ListObjectsV2Command({ Bucket: app.site.bucket, Prefix: 'web/r2' }));
    expect(keys.KeyCount ?? 0).toBe(0);
  });

  it('rolls every component back when the alarm of one component fires after the site switched', async () => {
    // Prepare: the worker's alarm goes off once the site has switched
    let fired = '';
    const { app, orchestrator } = await appWithR1({
      wrapTask: (stateName, _fn, run) => async (input) => {
        const output = (await run(input)) as WorkflowState;
        if (stateName === 'ShiftTraffic' && output.app?.site?.switched && fired) await setAlarm(fired, 'ALARM');
        return output;
      },
    });
    fired = app.alarms.worker;
    // Act
    const { id } = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r2', worker: 'worker r2', web: web('r2') }));
    const record = await finished(world, orchestrator, id);
    await setAlarm(fired, 'OK');
    // Assess: the record names the component and its alarm; every component is back on r1
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain(`alarm "${app.alarms.worker}" of component "worker"`);
    expect(record.reason).toContain('web: origin path restored to /web/r1');
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r1' });
    expect((await invalidationsOf(app)).find((i) => i.callerReference.startsWith(`${id}-rollback`))?.paths).toEqual(['/', '/app.js', '/index.html']);
  });

  it('rolls the functions back when the probe fails after the site switch', async () => {
    // Prepare: the site's probe fails once the site has switched
    const { app, orchestrator } = await appWithR1(
      {
        wrapTask: (stateName, _fn, run) => async (input) => {
          const output = (await run(input)) as WorkflowState;
          if (stateName === 'ShiftTraffic' && output.app?.site?.switched) probe.status = 503;
          return output;
        },
      },
      {},
    );
    await world.targets.put({
      ...app.target,
      components: {
        ...app.target.components,
        web: { ...app.target.components.web!, health: { alarms: [], probe: { url: probe.url, expectStatus: 200, timeoutMs: 3000 } } },
      },
    } as typeof app.target);
    // Act
    const { id } = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r2', worker: 'worker r2', web: web('r2') }));
    const record = await finished(world, orchestrator, id);
    probe.status = 200;
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('the probe of component "web" failed');
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r1' });
  });

  it('refuses a release with a hostile entry in one folder before anything is written', async () => {
    // Prepare
    const { app, orchestrator } = await appWithR1();
    const before = await live(world, app);
    // Act: api/ is fine, web/ climbs out of its folder
    const zip = rawZip([
      { name: 'api/index.mjs', data: handlerSource('api r2') },
      { name: 'web/index.html', data: '<h1>r2</h1>' },
      { name: 'web/../../escape.html', data: 'x' },
    ]);
    const { id } = await release(world, orchestrator, app.target.name, 'r2', zip);
    const record = await finished(world, orchestrator, id);
    // Assess: failed, named; nothing published, staged or moved
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toMatch(/escape\.html/);
    expect(await live(world, app)).toEqual(before);
    const keys = await world.s3.send(new ListObjectsV2Command({ Bucket: app.site.bucket, Prefix: 'web/r2' }));
    expect(keys.KeyCount ?? 0).toBe(0);
    const versions = await new LambdaVersionCatalog().listVersions(app.api);
    expect(versions.map((v) => v.version)).not.toContain('3');
  });

  it('rolls the whole app back as one deployment, to the previous release or a named one', async () => {
    // Prepare: r1, r2 (api and web), r3 (worker) live
    const { app, orchestrator } = await appWithR1();
    const r2 = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r2', web: web('r2') }));
    expect((await finished(world, orchestrator, r2.id)).status).toBe('succeeded');
    const r3 = await release(world, orchestrator, app.target.name, 'r3', await appZip({ worker: 'worker r3' }));
    expect((await finished(world, orchestrator, r3.id)).status).toBe('succeeded');
    expect(await live(world, app)).toEqual({ api: '3', worker: '3', split: {}, web: '/web/r2' });
    // Act: back one release, then --to r1
    const back = await requestRollback(rollbackDeps(world, orchestrator), { target: app.target.name });
    const backRecord = await finished(world, orchestrator, back.id);
    const afterBack = await live(world, app);
    const to = await requestRollback(rollbackDeps(world, orchestrator), { target: app.target.name, release: 'r1' });
    const toRecord = await finished(world, orchestrator, to.id);
    // Assess
    expect(backRecord.status, backRecord.reason).toBe('succeeded');
    expect(backRecord).toMatchObject({ trigger: 'rollback', release: 'r2' });
    expect(backRecord.components).toMatchObject({
      worker: { fromVersion: '3', toVersion: '2', changed: true },
      api: { changed: false },
      web: { changed: false },
    });
    expect(afterBack).toEqual({ api: '3', worker: '2', split: {}, web: '/web/r2' });
    expect(toRecord.status, toRecord.reason).toBe('succeeded');
    expect(toRecord.components).toMatchObject({
      api: { fromVersion: '3', toVersion: '2', changed: true },
      web: { fromRelease: 'r2', toRelease: 'r1', changed: true },
    });
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r1' });
  });

  it('restores every component from outside the workflow when the Rollback step itself keeps failing', async () => {
    // Prepare: health fails at the last step (the site switched), and Rollback cannot run
    let broken = false;
    const { app, orchestrator } = await appWithR1({
      wrapTask: (stateName, _fn, run) => async (input) => {
        if (broken && (stateName === 'Rollback' || (stateName === 'CheckHealth' && (input as WorkflowState).app?.site?.switched)))
          throw Object.assign(new Error(`persistent fault in ${stateName}`), { name: 'Lambda.ServiceException' });
        return run(input);
      },
    });
    broken = true;
    // Act
    const { id } = await release(world, orchestrator, app.target.name, 'r2', await appZip({ api: 'api r2', worker: 'worker r2', web: web('r2') }));
    const record = await finished(world, orchestrator, id);
    // Assess: the record's components were enough to put every one back
    expect(orchestrator.executions.get(id)?.states.at(-1)).toBe('RollbackFailed');
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain('ended FAILED');
    expect(await live(world, app)).toEqual({ api: '2', worker: '2', split: {}, web: '/web/r1' });
    expect(await world.locks.holder(app.target.name)).toBeUndefined();
  });

  /** The Task states an app release passes through (StageSiteChunk runs inside the StageSite Map). */
  const TASKS = ['Prepare', 'AcquireLock', 'StageSiteChunk', 'FinishSiteStaging', 'Stage', 'ShiftTraffic', 'CheckHealth', 'Finalize'];

  it('keeps every component on the old release or every one on the new when any Task fails, once or every time', async () => {
    // Prepare: one app, released again for each fault
    const { app } = await appWithR1();
    let n = 1;
    const outcomes: { faulty: string; persistent: boolean; status: Deployment['status']; state: Awaited<ReturnType<typeof live>> }[] = [];
    for (const faulty of TASKS) {
      for (const persistent of [false, true]) {
        n += 1;
        let injected = 0;
        const orchestrator = localOrchestrator({
          wrapTask: (stateName, _fn, run) => async (input) => {
            const output = await run(input);
            if (stateName === faulty && (persistent || injected === 0)) {
              injected += 1;
              throw Object.assign(new Error(`injected fault after ${stateName}`), { name: 'Lambda.ServiceException' });
            }
            return output;
          },
        });
        const before = await live(world, app);
        // Act
        const { id } = await release(
          world,
          orchestrator,
          app.target.name,
          `r${n}`,
          await appZip({ api: `api r${n}`, worker: `worker r${n}`, web: web(`r${n}`) }),
        );
        const record = await finished(world, orchestrator, id);
        const after = await live(world, app);
        outcomes.push({ faulty, persistent, status: record.status, state: after });
        // Assess: terminal; all old, or all new
        expect(isTerminal(record.status), `${faulty} ${persistent}: ${record.reason}`).toBe(true);
        expect(after.split, `${faulty} ${persistent}`).toEqual({});
        const allOld = after.api === before.api && after.worker === before.worker && after.web === before.web;
        const allNew = after.api !== before.api && after.worker !== before.worker && after.web === `/web/r${n}`;
        expect(allOld || allNew, `${faulty} ${persistent}: ${JSON.stringify({ before, after, reason: record.reason })}`).toBe(true);
        expect(allNew, `${faulty} ${persistent}: ${record.status} ${record.reason}`).toBe(record.status === 'succeeded');
        expect(await world.locks.holder(app.target.name)).toBeUndefined();
      }
    }
    // A fault once is retried to success everywhere; every time, it ends the release (Finalize's recorded success stands).
    expect(outcomes.filter((o) => !o.persistent).every((o) => o.status === 'succeeded')).toBe(true);
    expect(outcomes.filter((o) => o.persistent && o.faulty !== 'Finalize').every((o) => o.status !== 'succeeded')).toBe(true);
  }, 240_000);
});
