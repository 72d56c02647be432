import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { suggestionsViewSchema, windowViewSchema } from '../../shared/http/window-schemas.js';
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

async function registered(window?: unknown): Promise<string> {
  const name = uniqueName('win').slice(0, 40);
  const answer = await callApi('PUT', `/targets/${name}`, { kind: 'function', function: { name }, ...(window ? { window } : {}) });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return name;
}

describe('PUT /targets/{name} with a window', () => {
  it('refuses an invalid cron, an unknown zone and a window that never opens, naming the fields', async () => {
    const name = uniqueName('win').slice(0, 40);
    const answer = await callApi('PUT', `/targets/${name}`, {
      kind: 'function',
      function: { name },
      window: {
        timezone: 'Europe/Berlin',
        allow: [
          { cron: '0 25 * * *', durationMinutes: 60 },
          { cron: '0 0 31 4 *', durationMinutes: 60 },
        ],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.type).toBe(`${TYPE}validation`);
    expect(JSON.stringify(answer.body)).toContain('window.allow.0.cron');
    const zone = await callApi('PUT', `/targets/${name}`, {
      kind: 'function',
      function: { name },
      window: { timezone: 'Moon/Base', allow: [{ cron: '0 2 * * *', durationMinutes: 60 }] },
    });
    expect(zone.status).toBe(400);
    expect(JSON.stringify(zone.body)).toContain('unknown time zone');
    const never = await callApi('PUT', `/targets/${name}`, {
      kind: 'function',
      function: { name },
      window: { allow: [{ cron: '0 0 31 4 *', durationMinutes: 60 }] },
    });
    expect(never.status).toBe(400);
    expect(JSON.stringify(never.body)).toContain('never fires');
    expect((await callApi('GET', `/targets/${name}`)).status).toBe(404);
  });
});

describe('GET /targets/{name}/window', () => {
  it('lists the next openings in order, the freezes ahead and what waits', async () => {
    const name = await registered({
      timezone: 'Europe/Berlin',
      allow: [{ cron: '0 2 * * *', durationMinutes: 180 }],
      deny: [{ from: '2099-12-20T00:00', to: '2100-01-05T00:00', reason: 'year-end freeze' }],
    });
    const waiting: Deployment = {
      id: `d-${uniqueName('w')}`,
      target: name,
      release: 'r9',
      status: 'waiting',
      trigger: 's3',
      requestedAt: new Date().toISOString(),
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      trafficPercent: 0,
      reason: 'waiting for the deploy window',
      timeline: [],
    };
    await world.deployments.create(waiting);
    const answer = await callApi('GET', `/targets/${name}/window?count=3`);
    expect(answer.status).toBe(200);
    const view = windowViewSchema.parse(answer.body);
    expect(view.timezone).toBe('Europe/Berlin');
    expect(view.openings).toHaveLength(3);
    for (const opening of view.openings) {
      expect(opening.allow).toEqual({ cron: '0 2 * * *', durationMinutes: 180 });
      expect(Date.parse(opening.closesAt) - Date.parse(opening.at)).toBeLessThanOrEqual(180 * 60_000);
    }
    expect(Date.parse(view.openings[1]!.at)).toBeGreaterThan(Date.parse(view.openings[0]!.at));
    expect(view.deny).toEqual([{ from: '2099-12-19T23:00:00.000Z', to: '2100-01-04T23:00:00.000Z', reason: 'year-end freeze' }]);
    expect(view.waiting.map((d) => d.id)).toEqual([waiting.id]);
  });

  it('says a target without a window is always open, and rejects a bad count', async () => {
    const name = await registered();
    const answer = await callApi('GET', `/targets/${name}/window`);
    expect(answer.body).toMatchObject({ timezone: null, openings: [], deny: [] });
    const bad = await callApi('GET', `/targets/${name}/window?count=0`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.count');
    expect((await callApi('GET', '/targets/no-such-target/window')).status).toBe(404);
  });
});

describe('GET /targets/{name}/window/suggestions', () => {
  it("suggests the target's quietest hours from its CloudWatch traffic", async () => {
    // Prepare: a day of invocations, quiet at 03:00 UTC
    const name = await registered();
    const cw = new CloudWatchClient({});
    const hour = 3_600_000;
    const now = Math.floor(Date.now() / hour) * hour;
    const data = Array.from({ length: 24 }, (_, i) => {
      const t = new Date(now - (i + 1) * hour);
      return { MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: name }], Timestamp: t, Value: t.getUTCHours() === 3 ? 1 : 300 };
    });
    for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 20) }));
    // Act
    const answer = await callApi('GET', `/targets/${name}/window/suggestions?durationMinutes=60&days=2&count=1`);
    // Assess
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const view = suggestionsViewSchema.parse(answer.body);
    expect(view).toMatchObject({ timezone: 'UTC', days: 2, samples: 24 });
    expect(view.suggestions).toHaveLength(1);
    expect(view.suggestions[0]).toMatchObject({ averagePerHour: 1, durationMinutes: 60 });
    expect(view.suggestions[0]!.cron).toMatch(/^0 3 \* \* [0-6]$/);
    const bad = await callApi('GET', `/targets/${name}/window/suggestions?days=60&timezone=Nowhere/Land`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query.days');
    expect(JSON.stringify(bad.body)).toContain('query.timezone');
  });
});

describe('scheduled releases', () => {
  it('POST /deployments records notBefore, and refuses one in the past or too far ahead', async () => {
    const name = await registered();
    const zip = await zipFiles({ 'index.mjs': 'export const handler = () => 1;' });
    await world.s3.send(new PutObjectCommand({ Bucket: world.bucket, Key: `releases/${name}/r1.zip`, Body: zip }));
    const notBefore = new Date(Date.now() + 3_600_000).toISOString();
    const answer = await callApi('POST', '/deployments', { target: name, release: 'r1', notBefore });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body.notBefore).toBe(notBefore);
    for (const bad of ['2020-01-01T00:00:00Z', new Date(Date.now() + 400 * 86_400_000).toISOString(), 'tomorrow']) {
      const refused = await callApi('POST', '/deployments', { target: name, release: 'r1', notBefore: bad });
      expect(refused.status).toBe(400);
      expect(JSON.stringify(refused.body)).toContain('notBefore');
    }
  });

  it('a presigned upload with notBefore binds it as object metadata the client must send', async () => {
    const name = await registered();
    const zip = Buffer.from(await zipFiles({ 'index.mjs': 'export const handler = () => 2;' }));
    const notBefore = new Date(Date.now() + 7_200_000).toISOString();
    const sha256 = createHash('sha256').update(zip).digest('hex');
    const grant = await callApi('POST', `/targets/${name}/releases`, { release: 'r2', sha256, size: zip.length, notBefore });
    expect(grant.status, JSON.stringify(grant.body)).toBe(201);
    expect(grant.body.headers['x-amz-meta-slipway-not-before']).toBe(notBefore);
    expect(new URL(grant.body.url).searchParams.get('X-Amz-SignedHeaders')).toContain('x-amz-meta-slipway-not-before');
    const put = await fetch(grant.body.url, { method: 'PUT', headers: grant.body.headers, body: zip });
    expect(put.status).toBe(200);
    const head = await world.artifacts.head({ bucket: world.bucket, key: `releases/${name}/r2.zip` });
    expect(head?.metadata['slipway-not-before']).toBe(notBefore);
  });
});
