import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import type { LocalOrchestrator } from '../../dev/local-orchestrator.js';
import { functionPackage } from '../../dev/zip.js';
import type { FunctionTarget } from '../../shared/domain/target.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import {
  INSTANT_RETRIES,
  INSTANT_WAITS,
  aliasOf,
  createFunctionTarget,
  createWorld,
  finished,
  release,
  uploadRelease,
  withAwsLimits,
  type World,
} from '../support/workflow-harness.js';

describe('Workflow: promotion from staging into a gated prod', () => {
  let world: World;
  let orchestrator: LocalOrchestrator;
  let callApi: CallApi;
  let staging: FunctionTarget;
  let prod: FunctionTarget;

  beforeAll(async () => {
    world = await createWorld();
    // The API starts executions on the same orchestrator the test waits on.
    const runtime = testRuntime({ run: withAwsLimits({ waitTimeOverrides: INSTANT_WAITS, retryIntervalOverrides: INSTANT_RETRIES }) });
    orchestrator = runtime.orchestrator;
    callApi = apiCaller(runtime.api);
    staging = await createFunctionTarget(world);
    prod = await createFunctionTarget(world, { strategy: 'Canary10Percent5Minutes', promotion: { from: staging.name, approval: 'required' } });
  });

  async function passOnStaging(name: string) {
    const { id } = await release(world, orchestrator, staging.name, name, await functionPackage(`build ${name}`));
    const record = await finished(world, orchestrator, id);
    expect(record.status, record.reason).toBe('succeeded');
    return record;
  }

  it('waits for approval with no execution, then goes through the canary with the very artifact of staging', async () => {
    // Prepare
    const upstream = await passOnStaging('r7');
    const before = await aliasOf(world, prod.name);
    // Act: promote
    const promoted = await callApi('POST', `/targets/${prod.name}/promotions`, {});
    // Assess: waiting for a person, nothing started
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(202);
    const id: string = promoted.body.id;
    expect(promoted.headers.location ?? promoted.headers.Location).toBe(`/deployments/${id}`);
    expect(promoted.body).toMatchObject({
      status: 'waiting',
      trigger: 'promotion',
      release: 'r7',
      reason: 'awaiting approval',
      approval: { state: 'pending' },
    });
    expect(promoted.body.promotion).toEqual({ from: staging.name, upstreamDeploymentId: upstream.id });
    expect(orchestrator.executions.has(id)).toBe(false);

    // Act: approve
    const approved = await callApi('POST', `/deployments/${id}/approve`, { reason: 'staging looks good' });
    // Assess
    expect(approved.status, JSON.stringify(approved.body)).toBe(202);
    expect(approved.body).toMatchObject({ status: 'waiting', approval: { state: 'approved', by: LOCAL_DEVELOPER_ARN, reason: 'staging looks good' } });
    expect(approved.body.timeline.at(-1)).toMatchObject({ step: 'approval', status: 'waiting', reason: 'staging looks good' });
    const record = await finished(world, orchestrator, id);
    expect(record.status, record.reason).toBe('succeeded');
    expect(record.sha256).toBe(upstream.sha256);
    expect(record.artifact).toEqual(upstream.artifact);
    expect(record.timeline.some((e) => e.trafficPercent === 10)).toBe(true);
    const after = await aliasOf(world, prod.name);
    expect(after.FunctionVersion).not.toBe(before.FunctionVersion);
    expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});

    // A second approval finds nothing pending.
    const again = await callApi('POST', `/deployments/${id}/approve`, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/not awaiting approval: it was approved by/);
  });

  it('a rejected promotion ends cancelled with who rejected it and why, nothing changed', async () => {
    // Prepare
    await passOnStaging('r8');
    const before = await aliasOf(world, prod.name);
    const promoted = await callApi('POST', `/targets/${prod.name}/promotions`, { release: 'r8' });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(202);
    const id: string = promoted.body.id;
    // Act
    const rejected = await callApi('POST', `/deployments/${id}/reject`, { reason: 'release freeze' });
    // Assess
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(202);
    expect(rejected.body).toMatchObject({ status: 'cancelled', reason: `rejected by ${LOCAL_DEVELOPER_ARN}: release freeze`, approval: { state: 'rejected' } });
    expect(orchestrator.executions.has(id)).toBe(false);
    expect((await aliasOf(world, prod.name)).FunctionVersion).toBe(before.FunctionVersion);
    expect((await callApi('POST', `/deployments/${id}/approve`, { reason: 'too late' })).status).toBe(409);
  });

  it('an upload straight to the gated target is recorded failed with the gate in its reason, the alias unchanged', async () => {
    // Prepare
    const before = await aliasOf(world, prod.name);
    // Act
    const { id } = await release(world, orchestrator, prod.name, 'r9', await functionPackage('straight to prod'));
    const record = await finished(world, orchestrator, id);
    // Assess
    expect(record.status).toBe('failed');
    expect(record.reason).toContain(`${prod.name} takes releases only by promotion from ${staging.name}`);
    expect(record.reason).toContain(
      `release "r9" never succeeded on ${staging.name}; deploy it there first, then \`npx slipway pipeline promote ${prod.name} --release r9\``,
    );
    expect(record.toVersion).toBeUndefined();
    expect(await aliasOf(world, prod.name)).toMatchObject({ FunctionVersion: before.FunctionVersion });
  });

  it('the API deploy answers 409 naming the gate, and goes through when forced with a reason', async () => {
    // Prepare
    await uploadRelease(world, prod.name, 'hotfix1', await functionPackage('hotfix'));
    // Act
    const refused = await callApi('POST', '/deployments', { target: prod.name, release: 'hotfix1' });
    const noReason = await callApi('POST', '/deployments', { target: prod.name, release: 'hotfix1', force: true });
    const forced = await callApi('POST', '/deployments', { target: prod.name, release: 'hotfix1', force: true, reason: 'incident 42: staging is down' });
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toContain(`${prod.name} takes releases only by promotion from ${staging.name}`);
    expect(noReason.status).toBe(400);
    expect(forced.status, JSON.stringify(forced.body)).toBe(202);
    expect(forced.body).toMatchObject({ forcedBy: LOCAL_DEVELOPER_ARN, forceReason: 'incident 42: staging is down' });
    expect(forced.body.timeline[0].message).toMatch(/forced past the promotion gate \(from .*\): incident 42/);
    const record = await finished(world, orchestrator, forced.body.id);
    expect(record.status, record.reason).toBe('succeeded');
    expect(record).toMatchObject({ forcedBy: LOCAL_DEVELOPER_ARN, forceReason: 'incident 42: staging is down' });
  });
});
