import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { uniqueName } from '../support/aws-env.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createWorld, type World } from '../support/workflow-harness.js';

let world: World;
const started: string[] = [];
let callApi: CallApi;

beforeAll(async () => {
  world = await createWorld();
  callApi = apiCaller(testRuntime({ orchestrator: { start: async (id) => void started.push(id) } }).api);
});

const SHA = 'd'.repeat(64);

async function put(name: string, promotion?: Record<string, unknown>) {
  return callApi('PUT', `/targets/${name}`, { kind: 'function', function: { name }, ...(promotion ? { promotion } : {}) });
}

/** A pair: an upstream with one release that succeeded, and a gated target promoting from it. */
async function chain(approval: 'required' | 'none' = 'required'): Promise<{ up: string; down: string; upstream: Deployment }> {
  const up = uniqueName('up').slice(0, 40);
  const down = uniqueName('down').slice(0, 40);
  expect((await put(up)).status).toBe(200);
  expect((await put(down, { from: up, approval })).status).toBe(200);
  const at = new Date(Date.now() - 60_000).toISOString();
  const upstream: Deployment = {
    id: `d-${uniqueName('up')}`,
    target: up,
    release: 'r7',
    status: 'succeeded',
    trigger: 's3',
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    endedAt: at,
    trafficPercent: 100,
    sha256: SHA,
    artifact: { bucket: world.bucket, key: `releases/${up}/r7.zip` },
    timeline: [],
  };
  await world.deployments.create(upstream);
  return { up, down, upstream };
}

describe('POST /targets/{name}/promotions', () => {
  it('answers 202 with the promotion awaiting approval and a Location, starting nothing', async () => {
    const { up, down, upstream } = await chain();
    const answer = await callApi('POST', `/targets/${down}/promotions`, {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.headers.location ?? answer.headers.Location).toBe(`/deployments/${answer.body.id}`);
    expect(answer.body).toMatchObject({ status: 'waiting', trigger: 'promotion', sha256: SHA, approval: { state: 'pending' } });
    expect(answer.body.promotion).toEqual({ from: up, upstreamDeploymentId: upstream.id });
    expect(started).not.toContain(answer.body.id);
  });

  it('starts at once without approval', async () => {
    const { down } = await chain('none');
    const answer = await callApi('POST', `/targets/${down}/promotions`, { release: 'r7' });
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe('queued');
    expect(started).toContain(answer.body.id);
  });

  it('answers 409 naming the gate, and 404 for an unknown target', async () => {
    const { down, up } = await chain();
    const never = await callApi('POST', `/targets/${down}/promotions`, { release: 'r9' });
    expect(never.status).toBe(409);
    expect(never.body.detail).toBe(`cannot promote into "${down}": release "r9" never succeeded on ${up}; deploy it there first`);
    const ungated = await callApi('POST', `/targets/${up}/promotions`, {});
    expect(ungated.status).toBe(409);
    expect(ungated.body.detail).toMatch(/has no promotion.from/);
    expect((await callApi('POST', '/targets/no-such-target/promotions', {})).status).toBe(404);
    expect((await callApi('POST', `/targets/${down}/promotions`, { release: 'r7', extra: 1 })).status).toBe(400);
  });

  it('an unknown upstream is accepted at save; promotions into it answer 409', async () => {
    const down = uniqueName('orphan').slice(0, 40);
    expect((await put(down, { from: 'not-registered-yet' })).status).toBe(200);
    const answer = await callApi('POST', `/targets/${down}/promotions`, {});
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toMatch(/promotes from "not-registered-yet", which is not a registered target/);
  });
});

describe('approve and reject', () => {
  // One after the other: moto's threaded server does not make two concurrent conditional writes
  // atomic (DynamoDB does); the race itself is the unit test's (test/unit/promotion-gates.test.ts).
  it('a second approval is refused by the conditional write on the approval; the execution starts once approved', async () => {
    // Prepare
    const { down } = await chain();
    const { body } = await callApi('POST', `/targets/${down}/promotions`, {});
    // Act
    const first = await callApi('POST', `/deployments/${body.id}/approve`, { reason: 'one' });
    const second = await callApi('POST', `/deployments/${body.id}/approve`, { reason: 'two' });
    // Assess
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(second.status).toBe(409);
    expect(second.body.detail).toMatch(/is not awaiting approval: it was approved by/);
    const record = await world.deployments.get(body.id);
    expect(record?.approval).toMatchObject({ state: 'approved', by: LOCAL_DEVELOPER_ARN, reason: 'one' });
    expect(record?.timeline.filter((e) => e.step === 'approval')).toHaveLength(1);
    expect(record?.status).toBe('waiting');
    expect(started).toContain(body.id);
  });

  it('a rejection ends it cancelled; approve then answers 409; a reason is required', async () => {
    const { down } = await chain();
    const { body } = await callApi('POST', `/targets/${down}/promotions`, {});
    expect((await callApi('POST', `/deployments/${body.id}/reject`, {})).status).toBe(400);
    const rejected = await callApi('POST', `/deployments/${body.id}/reject`, { reason: 'not this week' });
    expect(rejected.status).toBe(202);
    expect(rejected.body).toMatchObject({ status: 'cancelled', reason: `rejected by ${LOCAL_DEVELOPER_ARN}: not this week` });
    const late = await callApi('POST', `/deployments/${body.id}/approve`, { reason: 'x' });
    expect(late.status).toBe(409);
    expect(late.body.detail).toMatch(/not awaiting approval: it was rejected by/);
    expect((await callApi('POST', '/deployments/d-nope/approve', { reason: 'x' })).status).toBe(404);
  });
});

describe('PUT /targets promotion chains', () => {
  it('refuses a loop with 400 naming the path, and a target promoting from itself', async () => {
    const a = uniqueName('loopa').slice(0, 40);
    const b = uniqueName('loopb').slice(0, 40);
    expect((await put(a)).status).toBe(200);
    expect((await put(b, { from: a })).status).toBe(200);
    const loop = await put(a, { from: b });
    expect(loop.status).toBe(400);
    expect(loop.body.detail).toContain(`${a} → ${b} → ${a}`);
    expect((await put(a, { from: a })).status).toBe(400);
  });
});
