import { beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { deliveryMetricsSchema, summarySchema } from '../../shared/http/dashboard-schemas.js';
import { uniqueName } from '../support/aws-env.js';
import { apiCaller, type CallApi } from '../support/api-handler.js';
import type { LambdaHandler } from '../../dev/local-orchestrator.js';
import { fromApiGatewayResult, localApiContext, toApiGatewayEvent } from '../../dev/http-front.js';
import { JWT_ROUTE_PREFIX } from '../../shared/http/routes.js';
import { testRuntime } from '../support/runtime.js';
import { createWorld, type World } from '../support/workflow-harness.js';

let world: World;
let callApi: CallApi;
beforeAll(async () => {
  world = await createWorld();
  callApi = apiCaller(testRuntime({ orchestrator: { start: async () => undefined } }).api);
});

async function registered(config: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('dash').slice(0, 48);
  const answer = await callApi('PUT', `/targets/${name}`, { kind: 'function', function: { name }, ...config });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return name;
}

async function stored(target: string, fields: Partial<Deployment> & Pick<Deployment, 'requestedAt'>): Promise<Deployment> {
  const deployment: Deployment = {
    id: `d-${uniqueName('dash')}`,
    target,
    release: 'r1',
    status: 'succeeded',
    trigger: 's3',
    startedAt: fields.requestedAt,
    updatedAt: fields.requestedAt,
    trafficPercent: 100,
    timeline: [{ at: fields.requestedAt, step: 'intake', status: 'queued', message: 'arrived' }],
    ...fields,
  };
  await world.deployments.create(deployment);
  return deployment;
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

describe('GET /summary', () => {
  it('shows each target with what is live, the canary split while one shifts, and its chain', async () => {
    // Prepare
    const staging = await registered();
    const production = await registered({ promotion: { from: staging, approval: 'required' } });
    await stored(staging, { release: 'r1', toVersion: '3', endedAt: hoursAgo(47), requestedAt: hoursAgo(48), requestedBy: 'arn:aws:iam::1:user/ana' });
    await stored(staging, { release: 'r2', status: 'rolled_back', endedAt: hoursAgo(23), requestedAt: hoursAgo(24), reason: 'alarm fired' });
    const shifting = await stored(staging, {
      release: 'r3',
      status: 'verifying',
      fromVersion: '3',
      toVersion: '5',
      trafficPercent: 10,
      requestedAt: hoursAgo(1),
    });
    const waiting = await stored(production, {
      release: 'r1',
      status: 'waiting',
      trigger: 'promotion',
      approval: { state: 'pending' },
      requestedAt: hoursAgo(2),
    });
    // Act
    const answer = await callApi('GET', '/summary');
    // Assess
    expect(answer.status).toBe(200);
    const { targets } = summarySchema.parse(answer.body);
    const up = targets.find((t) => t.name === staging);
    expect(up).toMatchObject({
      kind: 'function',
      live: { release: 'r1', version: '3', by: 'arn:aws:iam::1:user/ana' },
      traffic: { stable: { version: '3', percent: 90 }, canary: { version: '5', percent: 10 } },
      running: { id: shifting.id, status: 'verifying', trafficPercent: 10 },
      lastDeployment: { release: 'r2', status: 'rolled_back', reason: 'alarm fired' },
      window: { state: 'none' },
      promotion: { to: [production], waiting: [] },
    });
    const down = targets.find((t) => t.name === production);
    expect(down).toMatchObject({
      live: null,
      traffic: null,
      running: null,
      promotion: { from: staging, to: [], waiting: [{ deploymentId: waiting.id, release: 'r1' }] },
    });
  });

  it('answers 304 with no body to an If-None-Match of the current ETag, and a new ETag once something changed', async () => {
    // Prepare
    const name = await registered();
    const first = await callApi('GET', '/summary');
    const etag = first.headers.etag;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    // Act
    const again = await callApi('GET', '/summary', undefined, { 'if-none-match': etag as string });
    await stored(name, { release: 'r9', requestedAt: hoursAgo(1), endedAt: hoursAgo(0.5), toVersion: '2' });
    const changed = await callApi('GET', '/summary', undefined, { 'if-none-match': etag as string });
    // Assess
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(again.headers.etag).toBe(etag);
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });
});

describe('conditional GETs of deployments', () => {
  it('tags a deployment, its target listing and the all-deployments listing, and answers 304 while they are unchanged', async () => {
    // Prepare
    const name = await registered();
    const d = await stored(name, { requestedAt: hoursAgo(1), status: 'shifting', trafficPercent: 10 });
    for (const path of [`/deployments/${d.id}`, `/targets/${name}/deployments`, `/deployments?target=${name}`]) {
      // Act
      const first = await callApi('GET', path);
      const second = await callApi('GET', path, undefined, { 'if-none-match': `W/${first.headers.etag}, "other"` });
      // Assess
      expect(first.status, path).toBe(200);
      expect(first.headers['cache-control'], path).toBe('no-cache');
      expect(second.status, path).toBe(304);
    }
    await world.deployments.update(d.id, { trafficPercent: 50 }, { step: 'shift', trafficPercent: 50 });
    const before = await callApi('GET', `/deployments/${d.id}`);
    expect(before.body.trafficPercent).toBe(50);
  });
});

describe('GET /metrics', () => {
  it("computes a target's delivery metrics over the period from its records", async () => {
    // Prepare: a failure restored 3 hours later, lead times of 10 and 30 minutes.
    const name = await registered();
    const base = Date.now() - 5 * 86_400_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000).toISOString();
    await stored(name, { requestedAt: at(0), endedAt: at(10) });
    await stored(name, { requestedAt: at(60), endedAt: at(70), status: 'rolled_back' });
    await stored(name, { requestedAt: at(220), endedAt: at(250) });
    await stored(name, { requestedAt: new Date(Date.now() - 40 * 86_400_000).toISOString(), endedAt: at(-1000), status: 'failed' });
    // Act
    const answer = await callApi('GET', `/metrics?target=${name}&since=30d`);
    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const metrics = deliveryMetricsSchema.parse(answer.body);
    expect(metrics.complete).toBe(true);
    expect(metrics.targets.map((t) => t.target)).toEqual([name]);
    expect(metrics.overall).toMatchObject({
      started: 3,
      succeeded: 2,
      rolledBack: 1,
      failed: 0,
      changeFailureRate: 0.3333,
      leadTimeSeconds: { median: 1200, p90: 1800 },
      timeToRestoreSeconds: { median: 180 * 60, max: 180 * 60 },
    });
    expect(metrics.overall.daily).toHaveLength(31);
  });

  it('refuses a since that is neither <N>d nor a time, and a period over 366 days, with 400', async () => {
    // Act
    const wrong = await callApi('GET', '/metrics?since=last-week');
    const long = await callApi('GET', '/metrics?since=400d');
    const unknown = await callApi('GET', `/metrics?target=${uniqueName('nope').slice(0, 40)}`);
    // Assess
    expect(wrong.status).toBe(400);
    expect(wrong.body.detail).toContain('since "last-week"');
    expect(wrong.body.errors).toEqual([expect.objectContaining({ path: 'query.since' })]);
    expect(long.status).toBe(400);
    expect(long.body.detail).toContain('the most is 366');
    expect(unknown.status).toBe(404);
  });
});

describe('the JWT routes of apiAuth=both', () => {
  /** Calls the handler as API Gateway does for a route it matched under /jwt, with a signed-in viewer. */
  async function callJwtRoute(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const event = toApiGatewayEvent({
      method,
      url: `${JWT_ROUTE_PREFIX}${path}`,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)) }),
    });
    const routed = {
      ...event,
      routeKey: `${method} ${JWT_ROUTE_PREFIX}${path.replace(/^\/deployments\/[^/]+/, '/deployments/{id}')}`,
      requestContext: { ...event.requestContext, authorizer: { jwt: { claims: { sub: 'viewer-7' }, scopes: [] } } },
    };
    const answer = fromApiGatewayResult((await api(routed as never, localApiContext() as never)) as never);
    const raw = answer.body.toString('utf8');
    return { status: answer.statusCode, body: raw === '' ? undefined : JSON.parse(raw) };
  }
  let api: LambdaHandler;
  beforeAll(() => {
    api = testRuntime({ orchestrator: { start: async () => undefined } }).api;
  });

  it('serves each route under /jwt as the route itself, recording the viewer as jwt:<sub>', async () => {
    // Prepare
    const name = await registered();
    const running = await stored(name, { status: 'verifying', trafficPercent: 10, requestedAt: hoursAgo(1) });
    // Act
    const summary = await callJwtRoute('GET', '/summary');
    const cancel = await callJwtRoute('POST', `/deployments/${running.id}/cancel`, { reason: 'from the dashboard' });
    // Assess
    expect(summary.status).toBe(200);
    expect(summarySchema.parse(summary.body).targets.map((t) => t.name)).toContain(name);
    expect(cancel.status, JSON.stringify(cancel.body)).toBe(202);
    expect(await world.deployments.get(running.id)).toMatchObject({ cancelRequestedBy: 'jwt:viewer-7' });
  });

  it('does not strip the prefix from a path API Gateway did not match as a /jwt route', async () => {
    // Act
    const answer = await callApi('GET', `${JWT_ROUTE_PREFIX}/summary`);
    // Assess
    expect(answer.status).toBe(404);
  });
});
