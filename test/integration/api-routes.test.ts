import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import type { LambdaHandler } from '../../dev/local-orchestrator.js';
import { LOCAL_DEVELOPER_ARN, fromApiGatewayResult, localApiContext, startHttpFront, toApiGatewayEvent, type HttpFront } from '../../dev/http-front.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import type { Orchestrator } from '../../shared/ports/index.js';
import { createAliasedFunction } from '../../dev/provision.js';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, uploadRelease, type World } from '../support/workflow-harness.js';

const TYPE = 'https://slipway.dev/problems/';

/** Records starts instead of running the workflow, so records stay as the API left them. */
class RecordingOrchestrator implements Orchestrator {
  readonly started: string[] = [];
  async start(deploymentId: string): Promise<void> {
    this.started.push(deploymentId);
  }
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

interface CallOptions {
  /** A string is sent as is (to send broken JSON); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

type Call = (method: string, path: string, options?: CallOptions) => Promise<Answer>;

function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function parsed(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

/** Invokes the Lambda handler with the event API Gateway would send. */
const viaHandler: Call = async (method, path, options = {}) => {
  const text = bodyText(options.body);
  const event = toApiGatewayEvent({
    method,
    url: path,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(text === undefined ? {} : { body: Buffer.from(text) }),
  });
  const answer = fromApiGatewayResult((await handler(event as never, localApiContext() as never)) as never);
  return {
    status: answer.statusCode,
    headers: Object.fromEntries(Object.entries(answer.headers).map(([k, v]) => [k, String(v)])),
    body: parsed(answer.body.toString('utf8')),
  };
};

let front: HttpFront;

/** Sends a real HTTP request to the local front. */
const viaHttpFront: Call = async (method, path, options = {}) => {
  const text = bodyText(options.body);
  const response = await fetch(`${front.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(text === undefined ? {} : { body: text }),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: parsed(await response.text()) };
};

const orchestrator = new RecordingOrchestrator();
let world: World;
let handler: LambdaHandler;

beforeAll(async () => {
  world = await createWorld();
  handler = testRuntime({ orchestrator }).api;
  front = await startHttpFront({ port: 0, handler: handler as never });
});

afterAll(async () => {
  await front?.close();
});

function targetName(): string {
  return uniqueName('api').slice(0, 48);
}

async function registered(call: Call): Promise<string> {
  const name = targetName();
  const answer = await call('PUT', `/targets/${name}`, { body: { kind: 'function', function: { name } } });
  expect(answer.status).toBe(200);
  return name;
}

function record(target: string, release: string, requestedAt: string): Deployment {
  return {
    id: `d-${release}-${uniqueName('x')}`,
    target,
    release,
    status: 'succeeded',
    trigger: 's3',
    requestedAt,
    startedAt: requestedAt,
    updatedAt: requestedAt,
    trafficPercent: 100,
    timeline: [],
  };
}

describe.each([
  ['the Lambda handler', viaHandler],
  ['the local HTTP front', viaHttpFront],
])('HTTPS API through %s', (_, call) => {
  describe('Targets', () => {
    it('registers a target and serves it back with its defaults', async () => {
      // Prepare
      const name = targetName();
      // Act
      const put = await call('PUT', `/targets/${name}`, { body: { kind: 'function', function: { name } } });
      const got = await call('GET', `/targets/${name}`);
      const listed = await call('GET', '/targets');
      // Assess
      expect(put.status).toBe(200);
      expect(put.headers['content-type']).toBe('application/json');
      const expected = {
        name,
        kind: 'function',
        function: { name, alias: 'live' },
        strategy: 'AllAtOnce',
        health: { alarms: [], pollSeconds: 30 },
        keepVersions: 10,
      };
      expect(put.body).toEqual({
        target: expected,
        dryRun: false,
        configurationChanges: [],
        deploys: false,
        release: null,
        deployment: null,
        why: 'a new target; nothing is deployed until its first release',
        warnings: [
          `function ${name} or its alias live does not exist, so a deployment would fail: create the function, then \`aws lambda create-alias --function-name ${name} --name live --function-version 1\``,
        ],
      });
      expect(got).toMatchObject({ status: 200, body: expected });
      expect(listed.status).toBe(200);
      expect(listed.body.targets).toContainEqual(expected);
    });

    it('warns of nothing when the function and alias the target names exist, and of a missing distribution for a site', async () => {
      // Prepare
      const name = targetName();
      await createAliasedFunction(name, await functionPackage('v1'));
      const site = { kind: 'site', site: { bucket: uniqueName('b'), distributionId: 'E0NOSUCHDIST0' } };
      // Act
      const fn = await call('PUT', `/targets/${name}`, { body: { kind: 'function', function: { name } } });
      const missing = await call('PUT', `/targets/${targetName()}?dryRun=true`, { body: site });
      // Assess
      expect(fn.status).toBe(200);
      expect(fn.body.warnings).toEqual([]);
      expect(missing.status).toBe(200);
      expect(missing.body.warnings).toEqual([expect.stringMatching(/^CloudFront distribution E0NOSUCHDIST0 does not exist, so a deployment would fail/)]);
    });

    it('rejects a target config with an unknown field, naming its path', async () => {
      // Prepare
      const name = targetName();
      // Act
      const answer = await call('PUT', `/targets/${name}`, { body: { kind: 'function', function: { name: 'hello', aliass: 'live' } } });
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${TYPE}validation`, status: 400 });
      expect(answer.body.errors).toContainEqual({ path: 'function', message: expect.stringContaining('"aliass"') });
      expect((await call('GET', `/targets/${name}`)).status).toBe(404);
    });

    it('rejects a custom strategy whose percent is out of range, naming the strategy field', async () => {
      // Prepare
      const body = { kind: 'function', function: { name: 'hello' }, strategy: { type: 'linear', percent: 0, bakeSeconds: 60 } };
      // Act
      const answer = await call('PUT', `/targets/${targetName()}`, { body });
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toEqual([expect.stringMatching(/^strategy/)]);
      expect(answer.body.detail).toContain('strategy');
    });

    it('answers 404 with a problem for a target that is not registered', async () => {
      // Prepare
      const name = targetName();
      // Act
      const answer = await call('GET', `/targets/${name}`);
      // Assess
      expect(answer.status).toBe(404);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body).toMatchObject({ type: `${TYPE}not-found`, status: 404, detail: expect.stringContaining(name) });
    });
  });

  describe('Deployments', () => {
    it('answers 404 to a deployment of a target that is not registered', async () => {
      // Prepare
      const name = targetName();
      // Act
      const answer = await call('POST', '/deployments', { body: { target: name, release: 'r1' } });
      // Assess
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ type: `${TYPE}not-found`, detail: expect.stringContaining(name) });
    });

    it('answers 409 telling to upload first when the release is not in the bucket', async () => {
      // Prepare
      const name = await registered(call);
      // Act
      const answer = await call('POST', '/deployments', { body: { target: name, release: 'r9' } });
      // Assess
      expect(answer.status).toBe(409);
      expect(answer.body.type).toBe(`${TYPE}conflict`);
      expect(answer.body.detail).toContain(`upload s3://${world.bucket}/releases/${name}/r9.zip`);
    });

    it('accepts a deployment of an uploaded release and starts its workflow', async () => {
      // Prepare
      const name = await registered(call);
      await uploadRelease(world, name, 'r2', Buffer.from('not inspected until the workflow runs'));
      // Act
      const answer = await call('POST', '/deployments', { body: { target: name, release: 'r2' } });
      // Assess
      expect(answer.status).toBe(202);
      const id = answer.body.id as string;
      expect(answer.body).toMatchObject({ target: name, release: 'r2', status: 'queued', trigger: 'api' });
      expect(answer.headers.location).toBe(`/deployments/${id}`);
      expect(orchestrator.started).toContain(id);
      const status = await call('GET', `/deployments/${id}`);
      expect(status).toMatchObject({ status: 200, body: { id, status: 'queued', target: name, release: 'r2' } });
      expect((await world.deployments.get(id))?.requestedBy).toBe(LOCAL_DEVELOPER_ARN);
    });

    it('answers 404 for a deployment id that does not exist', async () => {
      // Prepare
      const id = `d-${uniqueName('missing')}`;
      // Act
      const answer = await call('GET', `/deployments/${id}`);
      // Assess
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ type: `${TYPE}not-found`, detail: expect.stringContaining(id) });
    });

    it("lists a target's deployments newest first, up to the limit", async () => {
      // Prepare
      const name = await registered(call);
      await world.deployments.create(record(name, 'r1', '2025-01-01T10:00:00.000Z'));
      await world.deployments.create(record(name, 'r3', '2025-01-03T10:00:00.000Z'));
      await world.deployments.create(record(name, 'r2', '2025-01-02T10:00:00.000Z'));
      // Act
      const all = await call('GET', `/targets/${name}/deployments`);
      const latest = await call('GET', `/targets/${name}/deployments?limit=2`);
      // Assess
      expect(all.status).toBe(200);
      expect(all.body.deployments.map((d: { release: string }) => d.release)).toEqual(['r3', 'r2', 'r1']);
      expect(latest.body.deployments.map((d: { release: string }) => d.release)).toEqual(['r3', 'r2']);
    });

    it('answers 404 to the history of a target that is not registered', async () => {
      // Prepare
      const name = targetName();
      // Act
      const answer = await call('GET', `/targets/${name}/deployments`);
      // Assess
      expect(answer.status).toBe(404);
    });

    it('refuses a rollback when the target has no earlier release', async () => {
      // Prepare
      const target = await createFunctionTarget(world);
      // Act
      const answer = await call('POST', `/targets/${target.name}/rollback`);
      // Assess
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ type: `${TYPE}conflict`, detail: expect.stringContaining('no earlier release') });
    });
  });

  describe('Requests the API cannot take', () => {
    it('answers 400 to a body that is not JSON', async () => {
      // Prepare
      const name = targetName();
      // Act
      const answer = await call('PUT', `/targets/${name}`, { body: '{"kind": "function",' });
      // Assess
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ type: `${TYPE}malformed-json`, status: 400 });
    });

    it('answers 404 to a route that does not exist', async () => {
      // Prepare
      const path = '/releases';
      // Act
      const answer = await call('GET', path);
      // Assess
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ type: `${TYPE}route-not-found`, detail: expect.stringContaining(path) });
    });

    it('answers 405 with the allowed methods to a known path with the wrong method', async () => {
      // Prepare
      const path = `/targets/${targetName()}`;
      // Act
      const answer = await call('POST', path);
      // Assess
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, PUT, DELETE');
      expect(answer.body.type).toBe(`${TYPE}method-not-allowed`);
    });
  });
});

describe('Local HTTP front', () => {
  it('answers 413 to a body over 1 MB without calling the handler', async () => {
    // Prepare
    const calls: unknown[] = [];
    const small = await startHttpFront({ port: 0, handler: async (event) => void calls.push(event) });
    try {
      // Act
      const response = await fetch(`${small.url}/targets/big`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }),
      });
      // Assess
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ type: `${TYPE}payload-too-large` });
      expect(calls).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('hands the handler the event API Gateway would send', async () => {
    // Prepare
    const events: Parameters<Parameters<typeof startHttpFront>[0]['handler']>[0][] = [];
    const echo = await startHttpFront({
      port: 0,
      handler: async (event) => {
        events.push(event);
        return { statusCode: 201, headers: { 'X-Slipway': 'yes' }, body: Buffer.from([0, 1, 2]).toString('base64'), isBase64Encoded: true };
      },
    });
    try {
      // Act
      const response = await fetch(`${echo.url}/targets/hello/deployments?limit=5&tag=a&tag=b`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/zip', 'X-Trace': 't1' },
        body: new Uint8Array([80, 75, 3, 4]),
      });
      // Assess
      expect(response.status).toBe(201);
      expect(response.headers.get('x-slipway')).toBe('yes');
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2]));
      expect(events[0]).toMatchObject({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/targets/hello/deployments',
        rawQueryString: 'limit=5&tag=a&tag=b',
        queryStringParameters: { limit: '5', tag: 'a,b' },
        headers: { 'content-type': 'application/zip', 'x-trace': 't1' },
        body: Buffer.from([80, 75, 3, 4]).toString('base64'),
        isBase64Encoded: true,
        requestContext: { http: { method: 'POST', path: '/targets/hello/deployments' }, authorizer: { iam: { userArn: LOCAL_DEVELOPER_ARN } } },
      });
    } finally {
      await echo.close();
    }
  });
});
