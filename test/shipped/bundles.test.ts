/**
 * What ships, run: the bundles of `serverless package`, each in a worker with the environment AWS
 * gives it and credentials the strict-AWS proxy evaluates against its packaged role, driven by the
 * real definition. The other layers run the TypeScript sources; this one runs the product.
 */
import { SetAlarmStateCommand, CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage, zipFiles } from '../../dev/zip.js';
import type { FunctionKey } from '../../roots/aws.js';
import { deploymentIdForObject } from '../../shared/domain/deployment.js';
import { fromApiGatewayResult, toApiGatewayEvent } from '../../dev/http-front.js';
import { uniqueName } from '../support/aws-env.js';
import { packagedFunctions, shippedOrchestrator, startShippedFunctions, type ShippedFunction } from '../support/shipped.js';
import { createSiteTarget, originPath } from '../support/site-harness.js';
import { aliasOf, codeShaOf, createFunctionTarget, createWorld, finished, release, uploadRelease, type World } from '../support/workflow-harness.js';
import { nextHookAnswers } from '../support/hook-answers.js';
import { appZip, createApp } from '../support/app-harness.js';

/** The workflow steps that need their record (Rollback has nothing to undo without one, and ends quietly). */
const STEPS: FunctionKey[] = ['prepare', 'acquireLock', 'stage', 'shiftTraffic', 'checkHealth', 'invalidateCdn', 'finalize'];

describe('Shipped: the packaged bundles', () => {
  let world: World;
  let running: Map<FunctionKey, ShippedFunction>;
  const fn = (key: FunctionKey) => running.get(key)!;

  beforeAll(async () => {
    world = await createWorld();
    const functions = await packagedFunctions();
    running = startShippedFunctions(
      functions,
      { tableName: world.tableName, artifactBucket: world.bucket, eventBus: world.eventBus },
      { SLIPWAY_LOCK_POLL_SECONDS: '1', SLIPWAY_INVALIDATION_POLL_SECONDS: '1', SLIPWAY_CONTROL_SECONDS: '1' },
    );
  }, 300_000);
  afterAll(async () => {
    await Promise.all([...(running?.values() ?? [])].map((f) => f.stop()));
  });

  it('report a missing deployment as DeploymentNotFoundError from every workflow step, the name Step Functions matches', async () => {
    // Prepare: the state as Prepare leaves it, for a record that is gone.
    const target = await createFunctionTarget(world);
    const state = { deploymentId: 'd-does-not-exist', target, steps: [{ percent: 100, bakeSeconds: 0 }], stepIndex: 0 };
    // Act
    const errors = await Promise.all(
      STEPS.map(async (key) => {
        try {
          await fn(key).invoke((key === 'prepare' ? { deploymentId: state.deploymentId } : state) as never, {} as never);
          return `${key}: answered`;
        } catch (error) {
          return `${key}: ${(error as Error).name}${(error as Error).name === 'DeploymentNotFoundError' ? '' : ` (${(error as Error).message})`}`;
        }
      }),
    );
    // Assess
    expect(errors).toEqual(STEPS.map((key) => `${key}: DeploymentNotFoundError`));
  });

  it('take an AllAtOnce release live: a new version with the zip as its code, behind the alias', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = shippedOrchestrator(running);
    const zip = await functionPackage(`shipped all-at-once ${Date.now()}`);
    // Act
    const { id, sha256 } = await release(world, orchestrator, target.name, 'r2', zip);
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe(record.toVersion);
    expect(alias.FunctionVersion).not.toBe('1');
    expect(Buffer.from(await codeShaOf(world, target.function.name, alias.FunctionVersion!), 'base64').toString('hex')).toBe(sha256);
    expect(await world.locks.holder(target.name)).toBeUndefined();
  });

  it('roll a canary back when its alarm fires during the bake', async () => {
    // Prepare
    const alarm = uniqueName('shipped-canary');
    const target = await createFunctionTarget(
      world,
      { strategy: { type: 'steps', steps: [{ percent: 50, bakeSeconds: 5 }] }, health: { alarms: [alarm], pollSeconds: 1 } },
      [alarm],
    );
    let checks = 0;
    const orchestrator = shippedOrchestrator(running, {
      wrapTask: (state, _key, run) => async (input) => {
        if (state === 'CheckHealth' && ++checks === 2) {
          await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'shipped test' }));
        }
        return run(input);
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('shipped bad canary'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(record.reason).toContain(alarm);
    const alias = await aliasOf(world, target.function.name);
    expect(alias.FunctionVersion).toBe('1');
    expect(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('invoke a failing pre-traffic hook exactly once: a permanent error is not retried', async () => {
    // Prepare
    const hook = uniqueName('shipped-hook');
    await createAliasedFunction(hook, await functionPackage('hook'));
    const target = await createFunctionTarget(world, { health: { preTraffic: hook } });
    await nextHookAnswers(hook, [JSON.stringify({ status: 'Failed', reason: 'smoke test failed' })]);
    const before = fn('runHook').invocations.length;
    // Retries are left as the definition has them (only the wait between them is instant).
    const orchestrator = shippedOrchestrator(running);
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('shipped hooked v2'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('failed');
    expect(record.reason).toContain('smoke test failed');
    expect(fn('runHook').invocations.length - before).toBe(1);
    expect(orchestrator.executions.get(id)!.states.filter((s) => s === 'PreTrafficHook')).toHaveLength(1);
    expect((await aliasOf(world, target.function.name)).FunctionVersion).toBe('1');
  });

  it('take a site release live: staged under its prefix, the origin path switched', async () => {
    // Prepare
    const target = await createSiteTarget(world);
    const orchestrator = shippedOrchestrator(running);
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r1', await zipFiles({ 'index.html': '<h1>shipped</h1>', 'app.3f9a1c2b.js': 'x' }));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(await originPath(target)).toBe(`/${target.site.prefix}r1`);
  });

  it('take an app release live: each function folder repacked and published, the functions shifted, the site switched', async () => {
    // Prepare
    const app = await createApp(world, { strategy: 'AllAtOnce' });
    const orchestrator = shippedOrchestrator(running);
    // Act
    const { id } = await release(
      world,
      orchestrator,
      app.target.name,
      'r1',
      await appZip({ api: 'shipped api', worker: 'shipped worker', web: { 'index.html': '<h1>shop</h1>' } }),
    );
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.components).toMatchObject({
      api: { toVersion: '2', changed: true },
      worker: { toVersion: '2', changed: true },
      web: { toRelease: 'r1', changed: true },
    });
    expect((await aliasOf(world, app.api)).FunctionVersion).toBe('2');
    expect((await aliasOf(world, app.worker)).FunctionVersion).toBe('2');
    expect(await originPath(app)).toBe('/web/r1');
  });

  it('take an S3 upload in through the intake bundle, queued and started as an execution named by the deployment', async () => {
    // Prepare: the state machine the intake function's SLIPWAY_STATE_MACHINE_ARN names.
    const sfn = new SFNClient({});
    await sfn
      .send(
        new CreateStateMachineCommand({
          name: 'slipway-shipped',
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
          roleArn: 'arn:aws:iam::123456789012:role/slipway-shipped',
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'StateMachineAlreadyExists') throw error;
      });
    const target = await createFunctionTarget(world);
    const uploaded = await uploadRelease(world, target.name, 'r2', await functionPackage('shipped intake'));
    const s3Event = {
      Records: [
        {
          eventSource: 'aws:s3',
          eventName: 'ObjectCreated:Put',
          eventTime: new Date().toISOString(),
          s3: { bucket: { name: world.bucket }, object: { key: encodeURIComponent(uploaded.key), versionId: uploaded.versionId } },
        },
      ],
    };
    const sqsEvent = { Records: [{ messageId: 'm-1', body: JSON.stringify(s3Event), eventSource: 'aws:sqs', attributes: {}, messageAttributes: {} }] };
    // Act
    const answer = await fn('intake').invoke(sqsEvent as never, {} as never);
    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    const id = deploymentIdForObject({ bucket: world.bucket, key: uploaded.key, ...(uploaded.versionId ? { versionId: uploaded.versionId } : {}) });
    expect((await world.deployments.get(id))?.status).toBe('queued');
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-east-1:123456789012:execution:slipway-shipped:${id}` }));
    expect(execution.name).toBe(id);
  });

  it('answer an API route from the api bundle: register a target, then read it back', async () => {
    // Prepare
    const name = uniqueName('shipped-api').toLowerCase().slice(0, 40);
    const call = async (method: string, url: string, body?: unknown) =>
      fromApiGatewayResult(
        (await fn('api').invoke(
          toApiGatewayEvent({
            method,
            url,
            headers: { 'content-type': 'application/json' },
            ...(body ? { body: Buffer.from(JSON.stringify(body)) } : {}),
          }) as never,
          {} as never,
        )) as never,
      );
    // Act
    const put = await call('PUT', `/targets/${name}`, { name, kind: 'function', function: { name } });
    const got = await call('GET', `/targets/${name}`);
    const missing = await call('GET', '/targets/no-such-target');
    // Assess
    expect(put.statusCode, put.body.toString()).toBe(200);
    expect(JSON.parse(got.body.toString())).toMatchObject({ name, kind: 'function', function: { name, alias: 'live' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toBe('application/problem+json');
  });
});
