import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEVELOPER_ARN } from '../../dev/http-front.js';
import type { Deployment, DeploymentStatus } from '../../shared/domain/deployment.js';
import { deploymentListSchema } from '../../shared/http/control-schemas.js';
import { uniqueName } from '../support/aws-env.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import { testRuntime } from '../support/runtime.js';
import { createWorld, type World } from '../support/workflow-harness.js';

const TYPE = 'https://slipway.dev/problems/';

let world: World;
const started: string[] = [];

let callApi: CallApi;
beforeAll(async () => {
  world = await createWorld();
  callApi = apiCaller(testRuntime({ orchestrator: { start: async (id) => void started.push(id) } }).api);
});

function targetName(): string {
  return uniqueName('ctl').slice(0, 48);
}

async function registered(): Promise<string> {
  const name = targetName();
  expect((await callApi('PUT', `/targets/${name}`, { kind: 'function', function: { name } })).status).toBe(200);
  return name;
}

let sequence = 0;

/** A stored deployment record; `requestedAt` far in the future keeps these newest in the all-targets listing. */
async function stored(target: string, fields: Partial<Deployment> = {}): Promise<Deployment> {
  sequence += 1;
  const requestedAt = fields.requestedAt ?? new Date(Date.UTC(2999, 0, 1) + sequence * 1000).toISOString();
  const deployment: Deployment = {
    id: `d-${uniqueName('ctl')}`,
    target,
    release: `r${sequence}`,
    status: 'succeeded',
    trigger: 's3',
    requestedAt,
    startedAt: requestedAt,
    updatedAt: requestedAt,
    trafficPercent: 100,
    timeline: [{ at: requestedAt, step: 'intake', status: 'queued', message: 'arrived' }],
    ...fields,
  };
  await world.deployments.create(deployment);
  return deployment;
}

async function allPages(path: string): Promise<{ pages: string[][]; cursors: (string | null)[] }> {
  const pages: string[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await callApi('GET', cursor ? `${path}${separator}cursor=${encodeURIComponent(cursor)}` : path);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const body = deploymentListSchema.parse(answer.body);
    pages.push(body.deployments.map((d) => d.release));
    cursor = body.nextCursor;
    cursors.push(cursor);
  } while (cursor && pages.length < 50);
  return { pages, cursors };
}

describe('GET /deployments', () => {
  it("pages through a target's deployments newest first with opaque cursors", async () => {
    // Prepare
    const name = await registered();
    const records = [];
    for (let i = 0; i < 5; i++) records.push(await stored(name, { requestedAt: `2026-03-0${i + 1}T10:00:00.000Z`, release: `v${i + 1}` }));
    // Act
    const { pages, cursors } = await allPages(`/deployments?target=${name}&limit=2`);
    // Assess
    expect(pages).toEqual([['v5', 'v4'], ['v3', 'v2'], ['v1']]);
    expect(cursors.at(-1)).toBeNull();
    for (const cursor of cursors.slice(0, -1)) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('filters by status, across pages, without a cursor to an empty last page', async () => {
    // Prepare
    const name = await registered();
    const statuses: DeploymentStatus[] = ['succeeded', 'failed', 'rolled_back', 'succeeded', 'failed', 'cancelled', 'succeeded'];
    for (const [i, status] of statuses.entries()) {
      await stored(name, { status, release: `s${i}`, requestedAt: `2026-04-0${i + 1}T10:00:00.000Z` });
    }
    // Act
    const filtered = await allPages(`/deployments?target=${name}&status=failed,rolled_back&limit=2`);
    const exact = await callApi('GET', `/deployments?target=${name}&status=succeeded&limit=3`);
    // Assess
    expect(filtered.pages).toEqual([['s4', 's2'], ['s1']]);
    expect(exact.status).toBe(200);
    expect(exact.body.deployments.map((d: { release: string }) => d.release)).toEqual(['s6', 's3', 's0']);
    expect(exact.body.nextCursor).toBeNull();
  });

  it('filters by trigger and by when deployments were requested, as key conditions that page like any listing', async () => {
    // Prepare
    const name = await registered();
    const triggers = ['s3', 'api', 'rollback', 's3', 'promotion', 's3'] as const;
    for (const [i, trigger] of triggers.entries()) {
      await stored(name, { trigger, release: `t${i}`, requestedAt: `2026-05-0${i + 1}T10:00:00.000Z` });
    }
    // Act
    const byTrigger = await allPages(`/deployments?target=${name}&trigger=s3,rollback&limit=2`);
    const period = await allPages(`/deployments?target=${name}&since=2026-05-02T10:00:00Z&until=2026-05-05T10:00:00Z&limit=2`);
    const both = await callApi('GET', `/deployments?target=${name}&trigger=s3&since=2026-05-03T00:00:00Z`);
    const relative = await callApi('GET', `/deployments?target=${name}&since=2d&until=2026-05-06T10:00:00.000Z`);
    // Assess
    expect(byTrigger.pages).toEqual([
      ['t5', 't3'],
      ['t2', 't0'],
    ]);
    // since is inclusive, until exclusive
    expect(period.pages).toEqual([['t3', 't2'], ['t1']]);
    expect(both.body.deployments.map((d: { release: string }) => d.release)).toEqual(['t5', 't3']);
    expect(relative.body.deployments.map((d: { release: string }) => d.release)).toEqual(['t4', 't3']);
  });

  it('lists every target newest first without a target filter', async () => {
    // Prepare: the newest records of the table, across two targets
    const a = await registered();
    const b = await registered();
    const mine = [await stored(a), await stored(b), await stored(a), await stored(b), await stored(a)];
    // Act
    const { pages } = await allPages('/deployments?limit=2');
    // Assess
    const releases = pages.flat();
    expect(releases.slice(0, 5)).toEqual(mine.map((d) => d.release).reverse());
    expect(new Set(releases).size).toBe(releases.length);
  });

  it('answers 400 with the field path to a cursor it did not hand out', async () => {
    // Prepare
    const name = await registered();
    const other = await registered();
    for (let i = 0; i < 3; i++) await stored(name);
    const first = await callApi('GET', `/deployments?target=${name}&limit=1`);
    const cursor = first.body.nextCursor as string;
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')), k: { pk: 'TARGETS', sk: name } })).toString(
      'base64url',
    );
    // Act
    const answers = await Promise.all([
      callApi('GET', `/deployments?target=${name}&cursor=not%20a%20cursor`),
      callApi('GET', `/deployments?target=${name}&cursor=${Buffer.from('{"v":2}').toString('base64url')}`),
      callApi('GET', `/deployments?target=${name}&cursor=${tampered}`),
      callApi('GET', `/deployments?target=${other}&cursor=${cursor}`),
      callApi('GET', `/deployments?cursor=${cursor}`),
    ]);
    // Assess
    expect(cursor).toEqual(expect.any(String));
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${TYPE}validation`, errors: [{ path: 'query.cursor', message: expect.any(String) }] });
    }
    expect(answers[3]!.body.detail).toContain('another listing');
  });

  it('answers 400 naming the query field for a bad status, limit, trigger, period or parameter', async () => {
    // Act
    const status = await callApi('GET', '/deployments?status=done');
    const limit = await callApi('GET', '/deployments?limit=0');
    const target = await callApi('GET', '/deployments?target=Not_A_Target');
    const unknown = await callApi('GET', '/deployments?sort=asc');
    const trigger = await callApi('GET', '/deployments?trigger=webhook');
    const since = await callApi('GET', '/deployments?since=yesterday');
    const backwards = await callApi('GET', '/deployments?since=2026-05-02T00:00:00Z&until=2026-05-01T00:00:00Z');
    // Assess
    expect(trigger.body.errors).toEqual([{ path: 'query.trigger', message: expect.stringContaining('rollback') }]);
    expect(since.body.errors).toEqual([{ path: 'query.since', message: expect.stringContaining('30d') }]);
    expect(backwards.status).toBe(400);
    expect(backwards.body.detail).toContain('must be before until');
    expect(status.body.errors).toEqual([{ path: 'query.status', message: expect.stringContaining('succeeded') }]);
    expect(limit.body.errors).toEqual([{ path: 'query.limit', message: expect.any(String) }]);
    expect(target.body.errors).toEqual([{ path: 'query.target', message: expect.any(String) }]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].message).toContain('sort');
  });
});

describe('GET /deployments/{id}/events', () => {
  it('serves the timeline of a deployment', async () => {
    // Prepare
    const name = await registered();
    const timeline = [
      { at: '2026-05-01T10:00:00.000Z', step: 'intake', status: 'queued' as const, message: 'arrived' },
      { at: '2026-05-01T10:00:05.000Z', step: 'shift', status: 'shifting' as const, trafficPercent: 10, message: '10% of traffic on version 2' },
      {
        at: '2026-05-01T10:01:00.000Z',
        step: 'rollback',
        status: 'rolled_back' as const,
        trafficPercent: 0,
        health: 'failed' as const,
        error: 'UnhealthyReleaseError: alarm',
      },
    ];
    const record = await stored(name, { status: 'rolled_back', timeline });
    // Act
    const answer = await callApi('GET', `/deployments/${record.id}/events`);
    const missing = await callApi('GET', `/deployments/d-${uniqueName('none')}/events`);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ deploymentId: record.id, status: 'rolled_back', events: timeline });
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe(`${TYPE}not-found`);
  });
});

describe('POST /deployments/{id}/cancel', () => {
  it('records the request with who and why, once', async () => {
    // Prepare
    const name = await registered();
    const record = await stored(name, { status: 'shifting', trafficPercent: 10 });
    // Act
    const first = await callApi('POST', `/deployments/${record.id}/cancel`, { reason: 'bad canary' });
    const second = await callApi('POST', `/deployments/${record.id}/cancel`, { reason: 'changed my mind' });
    // Assess
    expect(first.status).toBe(202);
    expect(first.headers.location).toBe(`/deployments/${record.id}`);
    expect(first.body).toMatchObject({ id: record.id, status: 'shifting' });
    expect(second.status).toBe(202);
    const after = await world.deployments.get(record.id);
    expect(after).toMatchObject({ cancelRequestedBy: LOCAL_DEVELOPER_ARN, cancelReason: 'bad canary', cancelRequestedAt: expect.any(String) });
    expect(after!.timeline.filter((e) => e.step === 'cancel')).toEqual([
      expect.objectContaining({ requestedBy: LOCAL_DEVELOPER_ARN, reason: 'bad canary', message: `cancel requested by ${LOCAL_DEVELOPER_ARN}: bad canary` }),
    ]);
  });

  it('accepts a cancel without a body', async () => {
    // Prepare
    const record = await stored(await registered(), { status: 'queued', trafficPercent: 0 });
    // Act
    const answer = await callApi('POST', `/deployments/${record.id}/cancel`);
    // Assess
    expect(answer.status).toBe(202);
    expect((await world.deployments.get(record.id))?.cancelRequestedAt).toEqual(expect.any(String));
  });

  it('answers 409 for a deployment that already ended, 404 for one that does not exist, 400 for a bad body', async () => {
    // Prepare
    const record = await stored(await registered(), { status: 'rolled_back', reason: 'alarm' });
    const live = await stored(await registered(), { status: 'staging' });
    // Act
    const ended = await callApi('POST', `/deployments/${record.id}/cancel`, {});
    const missing = await callApi('POST', `/deployments/d-${uniqueName('none')}/cancel`, {});
    const unknownField = await callApi('POST', `/deployments/${live.id}/cancel`, { reason: 'x', force: true });
    const blank = await callApi('POST', `/deployments/${live.id}/cancel`, { reason: '   ' });
    // Assess
    expect(ended.status).toBe(409);
    expect(ended.body).toMatchObject({ type: `${TYPE}conflict`, detail: expect.stringContaining('already ended rolled_back') });
    expect((await world.deployments.get(record.id))?.cancelRequestedAt).toBeUndefined();
    expect(missing.status).toBe(404);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([{ path: '(root)', message: expect.stringContaining('force') }]);
    expect(blank.body.errors).toEqual([{ path: 'reason', message: 'must not be empty' }]);
    expect((await world.deployments.get(live.id))?.cancelRequestedAt).toBeUndefined();
  });
});

describe('POST /deployments/{id}/promote', () => {
  it('records a promote during a partial traffic step, and again while it is pending', async () => {
    // Prepare
    const record = await stored(await registered(), { status: 'shifting', trafficPercent: 10, bakeEndsAt: '2999-12-31T00:00:00.000Z' });
    // Act
    const first = await callApi('POST', `/deployments/${record.id}/promote`, { reason: 'metrics fine' });
    const retry = await callApi('POST', `/deployments/${record.id}/promote`, { reason: 'metrics fine' });
    // Assess
    expect(first.status).toBe(202);
    expect(retry.status).toBe(202);
    const after = await world.deployments.get(record.id);
    expect(after).toMatchObject({ promotedBy: LOCAL_DEVELOPER_ARN, promoteReason: 'metrics fine', promotedAt: expect.any(String) });
    expect(after!.timeline.filter((e) => e.step === 'promote')).toHaveLength(1);
  });

  it('accepts a promote during the bake at 100% and refuses one with no bake left', async () => {
    // Prepare
    const baking = await stored(await registered(), { status: 'verifying', bakeEndsAt: new Date(Date.now() + 60_000).toISOString() });
    const baked = await stored(await registered(), { status: 'verifying', bakeEndsAt: new Date(Date.now() - 1000).toISOString() });
    const site = await stored(await registered(), { status: 'verifying' });
    // Act
    const during = await callApi('POST', `/deployments/${baking.id}/promote`, { reason: 'ok' });
    const after = await callApi('POST', `/deployments/${baked.id}/promote`, { reason: 'ok' });
    const noBake = await callApi('POST', `/deployments/${site.id}/promote`, { reason: 'ok' });
    // Assess
    expect(during.status).toBe(202);
    for (const answer of [after, noBake]) {
      expect(answer.status).toBe(409);
      expect(answer.body.detail).toContain('no bake left');
    }
  });

  it('answers 409 before traffic moved, once ended or being cancelled, and 400 without a reason', async () => {
    // Prepare
    const name = await registered();
    const staging = await stored(name, { status: 'staging' });
    const ended = await stored(name, { status: 'succeeded' });
    const cancelling = await stored(name, { status: 'shifting' });
    await callApi('POST', `/deployments/${cancelling.id}/cancel`, {});
    // Act
    const early = await callApi('POST', `/deployments/${staging.id}/promote`, { reason: 'go' });
    const late = await callApi('POST', `/deployments/${ended.id}/promote`, { reason: 'go' });
    const cancelled = await callApi('POST', `/deployments/${cancelling.id}/promote`, { reason: 'go' });
    const noReason = await callApi('POST', `/deployments/${staging.id}/promote`, {});
    const emptyReason = await callApi('POST', `/deployments/${staging.id}/promote`, { reason: '' });
    const noBody = await callApi('POST', `/deployments/${staging.id}/promote`);
    // Assess
    expect(early).toMatchObject({ status: 409, body: { type: `${TYPE}conflict`, detail: expect.stringContaining('staging') } });
    expect(late).toMatchObject({ status: 409, body: { detail: expect.stringContaining('already ended succeeded') } });
    expect(cancelled).toMatchObject({ status: 409, body: { detail: expect.stringContaining('being cancelled') } });
    expect(noReason.body.errors).toEqual([{ path: 'reason', message: 'Required' }]);
    expect(emptyReason.body.errors).toEqual([{ path: 'reason', message: 'must not be empty' }]);
    expect(noBody.status).toBe(400);
    expect((await world.deployments.get(staging.id))?.promotedAt).toBeUndefined();
  });
});

describe('DELETE /targets/{name}', () => {
  it('removes a target with no active deployment and keeps its history', async () => {
    // Prepare
    const name = await registered();
    const old = await stored(name, { status: 'succeeded' });
    // Act
    const answer = await callApi('DELETE', `/targets/${name}`);
    // Assess
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect((await callApi('GET', `/targets/${name}`)).status).toBe(404);
    expect((await callApi('GET', `/deployments/${old.id}`)).status).toBe(200);
    expect((await callApi('DELETE', `/targets/${name}`)).status).toBe(404);
  });

  it.each(['queued', 'waiting', 'shifting'] as const)('refuses while a deployment is %s, naming it', async (status) => {
    // Prepare: the active one is older than the newest, finished one
    const name = await registered();
    const active = await stored(name, { status, requestedAt: '2026-06-01T10:00:00.000Z' });
    await stored(name, { status: 'succeeded', requestedAt: '2026-06-02T10:00:00.000Z' });
    // Act
    const answer = await callApi('DELETE', `/targets/${name}`);
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ type: `${TYPE}conflict`, detail: expect.stringContaining(active.id) });
    expect((await callApi('GET', `/targets/${name}`)).status).toBe(200);
  });
});
