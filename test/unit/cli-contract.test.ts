/**
 * The CLI and the API share one contract (shared/http/contract.ts): the CLI checks each answer with
 * the very schema object the API checks it with before it leaves, not a copy that can drift. The
 * answers come from a fake API over real HTTP (test/support/fake-slipway-api.ts).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ANSWERS, ApiClient, type AnsweredRoute } from '../../cli/api-client.js';
import { CliError } from '../../cli/errors.js';
import { deploymentListSchema, deploymentTimelineSchema, deploymentViewSchema } from '../../shared/http/control-schemas.js';
import * as contract from '../../shared/http/contract.js';
import { openApiJson } from '../../shared/http/openapi.js';
import { targetAppliedSchema, targetDeploymentsSchema } from '../../shared/http/schemas.js';
import { deployHookCreatedSchema, deployHookListSchema, releaseUploadResponseSchema } from '../../shared/http/upload-hook-schemas.js';
import { suggestionsViewSchema, windowViewSchema } from '../../shared/http/window-schemas.js';
import { pipelineViewSchema } from '../../shared/http/pipeline-schemas.js';
import { deliveryMetricsSchema, summarySchema } from '../../shared/http/dashboard-schemas.js';
import { deploymentView } from '../support/deployment-view.js';
import { startFakeSlipwayApi, type FakeSlipwayApi } from '../support/fake-slipway-api.js';

/** The schema each route's handler answers with (shared/http/*-endpoints.ts), from the module it imports it from. */
const API_ANSWERS: Record<AnsweredRoute, z.ZodTypeAny> = {
  'PUT /targets/{name}': targetAppliedSchema,
  'GET /targets/{name}/deployments': targetDeploymentsSchema,
  'GET /deployments/{id}': deploymentViewSchema,
  'POST /targets/{name}/rollback': deploymentViewSchema,
  'POST /deployments/{id}/cancel': deploymentViewSchema,
  'POST /deployments/{id}/promote': deploymentViewSchema,
  'POST /deployments': deploymentViewSchema,
  'POST /targets/{name}/promotions': deploymentViewSchema,
  'POST /deployments/{id}/approve': deploymentViewSchema,
  'POST /deployments/{id}/reject': deploymentViewSchema,
  'GET /deployments': deploymentListSchema,
  'GET /deployments/{id}/events': deploymentTimelineSchema,
  'POST /targets/{name}/releases': releaseUploadResponseSchema,
  'POST /targets/{name}/hooks': deployHookCreatedSchema,
  'GET /targets/{name}/hooks': deployHookListSchema,
  'GET /targets/{name}/window': windowViewSchema,
  'GET /targets/{name}/window/suggestions': suggestionsViewSchema,
  'GET /targets/{name}/pipeline': pipelineViewSchema,
  'GET /summary': summarySchema,
  'GET /metrics': deliveryMetricsSchema,
};

describe('Contract: one schema per answer', () => {
  it.each([
    ['the deploy window', 'GET /targets/{name}/window', windowViewSchema],
    ['the presigned-upload answer', 'POST /targets/{name}/releases', releaseUploadResponseSchema],
    ['a deploy hook, as listed', 'GET /targets/{name}/hooks', deployHookListSchema],
    ['a created deploy hook', 'POST /targets/{name}/hooks', deployHookCreatedSchema],
    ['the deployment timeline', 'GET /deployments/{id}/events', deploymentTimelineSchema],
  ] as const)('the CLI parses %s with the API’s own schema object', (_name, route, apiSchema) => {
    // Assess
    expect(ANSWERS[route].schema).toBe(apiSchema);
  });

  it('reads every answer it checks with the schema the API answers that route with', () => {
    // Assess
    for (const [route, { schema }] of Object.entries(ANSWERS)) expect(schema, route).toBe(API_ANSWERS[route as AnsweredRoute]);
  });

  it('exports from the contract module the schemas the API declares, not copies', () => {
    // Assess
    expect(contract.windowViewSchema).toBe(windowViewSchema);
    expect(contract.releaseUploadResponseSchema).toBe(releaseUploadResponseSchema);
    expect(contract.deployHookViewSchema).toBe(deployHookListSchema.shape.hooks.element);
    expect(contract.deploymentTimelineSchema).toBe(deploymentTimelineSchema);
  });

  it('names only routes the OpenAPI document has, each with a JSON answer', () => {
    // Prepare
    const paths = JSON.parse(openApiJson()).paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;

    // Assess
    for (const route of Object.keys(ANSWERS)) {
      const [method, path] = route.split(' ') as [string, string];
      const operation = paths[path]?.[method.toLowerCase()];
      expect(operation, `${route} is not in the OpenAPI document`).toBeDefined();
      const success = Object.entries(operation!.responses).filter(([status]) => status.startsWith('2'));
      expect(
        success.some(([, answer]) => answer.content?.['application/json']),
        route,
      ).toBe(true);
    }
  });
});

describe('Class: ApiClient › answers against the contract', () => {
  let api: FakeSlipwayApi;
  let client: ApiClient;

  beforeEach(async () => {
    api = await startFakeSlipwayApi();
    client = new ApiClient({ endpoint: { url: api.url, source: 'test', sign: false } });
  });

  afterEach(async () => {
    await api.close();
  });

  const window = {
    target: 'hello',
    timezone: 'Europe/Berlin',
    now: '2026-11-26T21:15:00.000Z',
    openings: [],
    deny: [],
    waiting: [deploymentView({ status: 'waiting' })],
  };
  const upload = {
    target: 'hello',
    release: 'r2',
    bucket: 'slipway-artifacts',
    key: 'releases/hello/r2.zip',
    url: 'http://127.0.0.1:9/s3/slipway-artifacts/releases/hello/r2.zip?X-Amz-Signature=abc',
    method: 'PUT',
    headers: { 'content-length': '3' },
    expiresAt: '2026-11-26T21:30:00.000Z',
  };
  const hook = { id: 'h-1', target: 'hello', name: 'ci', release: null, createdAt: '2026-11-26T21:15:00.000Z', lastUsedAt: null };
  const timeline = { deploymentId: 'd-1', status: 'succeeded', events: [{ at: '2026-11-26T21:15:00.100Z', step: 'intake', status: 'queued' }] };
  const sha256 = 'a'.repeat(64);

  const cases = [
    {
      name: 'the deploy window',
      route: 'GET /targets/{name}/window',
      good: window,
      bad: { ...window, now: 'yesterday', waiting: [{ id: 'd-1', status: 'waiting' }] },
      call: (c: ApiClient) => c.getWindow('hello'),
      error: /^the API's answer to GET \/targets\/hello\/window is not a deploy window \(now: must be an ISO 8601 time; waiting\.0\.target: Required/,
    },
    {
      name: 'the presigned-upload answer',
      route: 'POST /targets/{name}/releases',
      good: upload,
      bad: { ...upload, method: 'POST', secretHash: 'x' },
      call: (c: ApiClient) => c.createRelease('hello', { release: 'r2', sha256, size: 3 }),
      error:
        /^the API's answer to POST \/targets\/hello\/releases is not an upload URL \(method: Invalid literal value, expected "PUT"; \(root\): Unrecognized key\(s\) in object: 'secretHash'\)$/,
    },
    {
      name: 'the deploy hooks',
      route: 'GET /targets/{name}/hooks',
      good: { hooks: [hook] },
      bad: { hooks: [{ ...hook, lastUsedAt: undefined, createdAt: 'today' }] },
      call: (c: ApiClient) => c.listHooks('hello').then((hooks) => ({ hooks })),
      error:
        /^the API's answer to GET \/targets\/hello\/hooks is not a list of deploy hooks \(hooks\.0\.createdAt: Invalid datetime; hooks\.0\.lastUsedAt: Required\)$/,
    },
    {
      name: 'the deployment timeline',
      route: 'GET /deployments/{id}/events',
      good: timeline,
      bad: { ...timeline, status: 'exploded' },
      call: (c: ApiClient) => c.deploymentEvents('d-1'),
      error: /^the API's answer to GET \/deployments\/d-1\/events is not a deployment timeline \(status: Invalid enum value/,
    },
  ] as const;

  it.each(cases)('takes $name the API would send, as it sent it', async ({ route, good, call }) => {
    // Prepare
    const [method, path] = route.split(' ') as [string, string];
    expect(ANSWERS[route].schema.safeParse(good).success).toBe(true);
    api.on(method, path, { status: 200, body: good });

    // Act
    const answer = await call(client);

    // Assess
    expect(answer).toEqual(good);
  });

  it.each(cases)('refuses $name the API would not send, with a message naming the route and the fields', async ({ route, bad, call, error }) => {
    // Prepare
    const [method, path] = route.split(' ') as [string, string];
    expect(ANSWERS[route].schema.safeParse(bad).success).toBe(false);
    api.on(method, path, { status: 200, body: bad });

    // Act
    const failure = await call(client).catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).message).toMatch(error);
    expect((failure as CliError).exitCode).toBe(1);
  });

  it('says an answer that is not JSON is not from the slipway API', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}/events', { status: 200, body: '<html>hello</html>' });

    // Act
    const failure = await client.deploymentEvents('d-1').catch((e: unknown) => e);

    // Assess
    expect((failure as CliError).message).toBe(
      "the API's answer to GET /deployments/d-1/events is not JSON (<html>hello</html>); is the API URL the slipway API?",
    );
  });

  it('still takes a 404 of the timeline as "no such deployment yet"', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}/events', {
      status: 404,
      headers: { 'content-type': 'application/problem+json' },
      body: { type: 'https://slipway.dev/problems/not-found', title: 'Not found', status: 404, detail: 'no deployment d-1' },
    });

    // Act
    const answer = await client.deploymentEvents('d-1');

    // Assess
    expect(answer).toBeUndefined();
  });
});
