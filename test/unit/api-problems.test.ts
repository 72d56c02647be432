import { describe, expect, it } from 'vitest';
import { toApiGatewayEvent } from '../../dev/http-front.js';
import {
  ArtifactRejectedError,
  ConflictError,
  DeploymentNotFoundError,
  MissingResourceError,
  TargetNotFoundError,
  TransientError,
  ValidationError,
} from '../../shared/domain/errors.js';
import type { Target } from '../../shared/domain/target.js';
import { createDeployment, listTargetDeployments, putTarget, rollbackTarget, type ApiDeps } from '../../shared/http/endpoints.js';
import { MalformedJsonError, MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, UnsupportedMediaTypeError } from '../../shared/http/errors.js';
import { problemResponse, toProblem, type Problem } from '../../shared/http/problems.js';
import { readJsonBody } from '../../shared/http/request.js';
import { unmatchedRoute } from '../../shared/http/routing.js';
import type { TargetStore } from '../../shared/ports/index.js';

const TYPE = 'https://slipway.dev/problems/';

/** The shape of what middy's `createError` throws (@middy/util is not a direct dependency). */
function middyHttpError(statusCode: number, message: string) {
  return Object.assign(new Error(message), { statusCode, status: statusCode, expose: statusCode < 500 });
}

/** Only what the validation paths touch; anything else fails the test loudly. */
function depsWithTargets(targets: Target[] = []): ApiDeps {
  const store: TargetStore = {
    put: async (target) => void targets.push(target),
    get: async (name) => targets.find((t) => t.name === name),
    list: async () => targets,
  };
  const unused = new Proxy(
    {},
    {
      get: (_, key) => {
        throw new Error(`unexpected call to ${String(key)}`);
      },
    },
  );
  return {
    targets: store,
    deployments: unused as ApiDeps['deployments'],
    artifacts: unused as ApiDeps['artifacts'],
    aliases: unused as ApiDeps['aliases'],
    versions: unused as ApiDeps['versions'],
    origins: unused as ApiDeps['origins'],
    sites: unused as ApiDeps['sites'],
    orchestrator: unused as ApiDeps['orchestrator'],
    artifactBucket: 'artifacts',
    clock: unused as ApiDeps['clock'],
  };
}

function jsonRequest(method: string, url: string, body?: unknown, contentType = 'application/json') {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return toApiGatewayEvent({
    method,
    url,
    headers: { 'content-type': contentType },
    ...(text === undefined ? {} : { body: Buffer.from(text) }),
  });
}

async function problemOf(work: Promise<unknown>): Promise<Problem> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the request to fail').toBeDefined();
  return toProblem(error).problem;
}

describe('Function: problemResponse', () => {
  it.each([
    ['a target that is not registered', new TargetNotFoundError('hello'), 404, 'not-found'],
    ['a deployment that does not exist', new DeploymentNotFoundError('d-1'), 404, 'not-found'],
    ['a conflict with the current state', new ConflictError('"hello" has no earlier release to roll back to'), 409, 'conflict'],
    ['a rejected artifact', new ArtifactRejectedError('artifact is not a zip file'), 409, 'artifact-rejected'],
    ['a missing AWS resource', new MissingResourceError('function hello does not exist'), 409, 'missing-resource'],
    ['a body that is not JSON', new MalformedJsonError('the request body is not valid JSON'), 400, 'malformed-json'],
    ['an unknown route', new RouteNotFoundError('GET', '/nope'), 404, 'route-not-found'],
    ['a body over the limit', new PayloadTooLargeError(1024), 413, 'payload-too-large'],
    ['a body that is not JSON by its type', new UnsupportedMediaTypeError('text/plain'), 415, 'unsupported-media-type'],
  ])('answers %s with its status, stable type and the error message as detail', (_, error, status, kind) => {
    // Prepare (the error above)
    // Act
    const response = problemResponse(error);
    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers?.['Content-Type']).toBe('application/problem+json');
    const problem = JSON.parse(response.body ?? '') as Problem;
    expect(problem).toEqual({ type: `${TYPE}${kind}`, title: expect.any(String), status, detail: error.message });
  });

  it('lists the field issues of a validation error', () => {
    // Prepare
    const issues = [
      { path: 'strategy', message: 'must be one of the documented shapes' },
      { path: 'function.alias', message: 'must be a Lambda alias name (not a number)' },
    ];
    const error = new ValidationError('invalid target: …', issues);
    // Act
    const { problem } = toProblem(error);
    // Assess
    expect(problem).toMatchObject({ type: `${TYPE}validation`, status: 400, detail: 'invalid target: …', errors: issues });
  });

  it('tells which methods a known path accepts when the method is wrong', () => {
    // Prepare
    const error = new MethodNotAllowedError('DELETE', '/targets/hello', ['GET', 'PUT']);
    // Act
    const response = problemResponse(error);
    // Assess
    expect(response.statusCode).toBe(405);
    expect(response.headers?.Allow).toBe('GET, PUT');
    expect(JSON.parse(response.body ?? '')).toMatchObject({ type: `${TYPE}method-not-allowed`, status: 405 });
  });

  it('asks to retry, without the SDK details, when AWS is throttling', () => {
    // Prepare
    const error = new TransientError('reading the target failed transiently (ThrottlingException: Rate exceeded)');
    // Act
    const response = problemResponse(error);
    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(response.body).not.toContain('ThrottlingException');
  });

  it.each([
    ['an unexpected error', new Error('connect ECONNREFUSED 10.0.3.7:443 table slipway-prod')],
    ['a thrown non-error', 'table slipway-prod is gone'],
    ['a middy 5xx', middyHttpError(502, 'upstream table slipway-prod')],
  ])('answers %s with a generic 500 that leaks nothing', (_, error) => {
    // Prepare (the error above)
    // Act
    const response = problemResponse(error);
    // Assess
    expect(response.statusCode).toBe(500);
    const problem = JSON.parse(response.body ?? '') as Problem;
    expect(problem).toMatchObject({ type: `${TYPE}internal`, status: 500 });
    expect(response.body).not.toMatch(/slipway-prod|ECONNREFUSED|10\.0\.3\.7/);
  });

  it('keeps a 4xx raised by a middy middleware as a plain problem', () => {
    // Prepare
    const error = middyHttpError(415, 'Unsupported Media Type');
    // Act
    const { problem } = toProblem(error);
    // Assess
    expect(problem).toEqual({ type: 'about:blank', title: 'Unsupported Media Type', status: 415, detail: 'Unsupported Media Type' });
  });
});

describe('Request body validation', () => {
  it('names the nested path of an unknown field in a target config', async () => {
    // Prepare
    const event = jsonRequest('PUT', '/targets/hello', { kind: 'function', function: { name: 'hello', aliass: 'live' } });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(), event));
    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors).toContainEqual({ path: 'function', message: expect.stringContaining('"aliass"') });
  });

  it('names the strategy field when a custom canary percent is out of range', async () => {
    // Prepare
    const event = jsonRequest('PUT', '/targets/hello', {
      kind: 'function',
      function: { name: 'hello' },
      strategy: { type: 'canary', percent: 150, bakeSeconds: 60 },
    });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(), event));
    // Assess
    expect(problem.type).toBe(`${TYPE}validation`);
    expect(problem.errors?.map((e) => e.path)).toEqual([expect.stringMatching(/^strategy/)]);
  });

  it('refuses a target whose body names another target than the path', async () => {
    // Prepare
    const event = jsonRequest('PUT', '/targets/hello', { name: 'other', kind: 'function', function: { name: 'hello' } });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(), event));
    // Assess
    expect(problem.errors).toEqual([{ path: 'name', message: 'must equal "hello"' }]);
  });

  it('lists every bad field of a deployment request', async () => {
    // Prepare
    const event = jsonRequest('POST', '/deployments', { target: 'Hello World', release: 'r/1', colour: 'blue' });
    // Act
    const problem = await problemOf(createDeployment(depsWithTargets(), event));
    // Assess
    expect(problem.errors?.map((e) => e.path).sort()).toEqual(['(root)', 'release', 'target']);
    expect(problem.errors).toContainEqual({ path: '(root)', message: 'unknown field "colour"' });
  });

  it('asks for a body when a deployment request has none', async () => {
    // Prepare
    const event = jsonRequest('POST', '/deployments');
    // Act
    const problem = await problemOf(createDeployment(depsWithTargets(), event));
    // Assess
    expect(problem).toMatchObject({ status: 400, type: `${TYPE}validation`, errors: [{ path: '(root)', message: 'Required' }] });
  });

  it('refuses an unknown field in a rollback request', async () => {
    // Prepare
    const event = jsonRequest('POST', '/targets/hello/rollback', { to: 'r1' });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(rollbackTarget(depsWithTargets(), event));
    // Assess
    expect(problem.errors).toEqual([{ path: '(root)', message: 'unknown field "to"' }]);
  });

  it.each(['.', '..', '.slipway'])('refuses to deploy or roll back to the release %s, which starts with a dot', async (release) => {
    // Prepare
    const deploy = jsonRequest('POST', '/deployments', { target: 'www', release });
    const rollback = jsonRequest('POST', '/targets/www/rollback', { release });
    rollback.pathParameters = { name: 'www' };
    // Act
    const problems = [await problemOf(createDeployment(depsWithTargets(), deploy)), await problemOf(rollbackTarget(depsWithTargets(), rollback))];
    // Assess
    for (const problem of problems) {
      expect(problem).toMatchObject({ status: 400, type: `${TYPE}validation` });
      expect(problem.errors).toEqual([{ path: 'release', message: expect.stringContaining('must not start with "."') }]);
    }
  });

  it('answers 400 naming the field, not 500, for a target config too large to store', async () => {
    // Prepare
    const deny = Array.from({ length: 100 }, (_, i) => ({ from: '2027-01-01T00:00', to: '2027-01-02T00:00', reason: `freeze ${i}`.padEnd(200, '.') }));
    const cacheControl = Array.from({ length: 50 }, (_, i) => ({ match: `${i}`.padEnd(256, '*'), value: 'no-cache'.padEnd(256, ' ') }));
    const alarms = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(255, 'a'));
    const body = {
      kind: 'site',
      site: { bucket: 'www-origin', distributionId: 'E1' },
      cacheControl,
      health: { alarms },
      window: { allow: [{ cron: '0 2 * * *', durationMinutes: 60 }], deny },
    };
    const event = jsonRequest('PUT', '/targets/www', body);
    event.pathParameters = { name: 'www' };
    const targets: Target[] = [];
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(targets), event));
    // Assess
    expect(problem).toMatchObject({ status: 400, type: `${TYPE}validation` });
    expect(problem.errors).toEqual([{ path: 'cacheControl', message: expect.stringContaining('more than the 65536 allowed') }]);
    expect(targets).toHaveLength(0);
  });

  it('answers 400 naming the field for a cron of 250,000 entries', async () => {
    // Prepare
    const cron = `${Array.from({ length: 250_000 }, (_, i) => i % 60).join(',')} * * * *`;
    const event = jsonRequest('PUT', '/targets/hello', { kind: 'function', function: { name: 'hello' }, window: { allow: [{ cron, durationMinutes: 60 }] } });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(), event));
    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ path: 'window.allow.0.cron', message: 'must be at most 256 characters' }]);
  });

  it('refuses at save a strategy that bakes longer than one execution can last', async () => {
    // Prepare
    const event = jsonRequest('PUT', '/targets/hello', {
      kind: 'function',
      function: { name: 'hello' },
      strategy: { type: 'linear', percent: 10, bakeSeconds: 60 * 86_400 },
    });
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(putTarget(depsWithTargets(), event));
    // Assess
    expect(problem.status).toBe(400);
    expect(problem.errors).toEqual([{ path: 'strategy', message: expect.stringContaining('bakes 540 days (46656000 s) in all') }]);
  });

  it('names query.limit when the history limit is out of range', async () => {
    // Prepare
    const event = jsonRequest('GET', '/targets/hello/deployments?limit=0');
    event.pathParameters = { name: 'hello' };
    // Act
    const problem = await problemOf(listTargetDeployments(depsWithTargets(), event));
    // Assess
    expect(problem.errors?.map((e) => e.path)).toEqual(['query.limit']);
  });
});

describe('Function: readJsonBody', () => {
  it('reports malformed JSON as its own kind of problem', () => {
    // Prepare
    const event = jsonRequest('PUT', '/targets/hello', '{"kind": "function",');
    // Act
    const act = () => readJsonBody(event);
    // Assess
    expect(act).toThrow(MalformedJsonError);
  });

  it('refuses a body sent with a non-JSON content type', () => {
    // Prepare
    const event = jsonRequest('POST', '/deployments', 'target=hello', 'application/x-www-form-urlencoded');
    // Act
    const act = () => readJsonBody(event);
    // Assess
    expect(act).toThrow(UnsupportedMediaTypeError);
  });

  it('reads a base64-encoded body sent with a +json content type', () => {
    // Prepare
    const event = jsonRequest('POST', '/deployments', undefined, 'application/merge-patch+json; charset=utf-8');
    event.body = Buffer.from('{"release":"r1"}').toString('base64');
    event.isBase64Encoded = true;
    // Act
    const body = readJsonBody(event);
    // Assess
    expect(body).toEqual({ release: 'r1' });
  });

  it('treats an empty body as no body', () => {
    // Prepare
    const event = jsonRequest('POST', '/targets/hello/rollback', '');
    // Act
    const body = readJsonBody(event);
    // Assess
    expect(body).toBeUndefined();
  });
});

describe('Function: unmatchedRoute', () => {
  const routes = [
    { method: 'GET', path: '/targets/{name}' },
    { method: 'PUT', path: '/targets/{name}' },
    { method: 'POST', path: '/deployments' },
  ];

  it('answers 405 with the allowed methods for a known path', () => {
    // Prepare
    const answer = unmatchedRoute(routes);
    // Act
    const act = () => answer({ method: 'DELETE', path: '/targets/hello/' });
    // Assess
    expect(act).toThrow(expect.objectContaining({ name: 'MethodNotAllowedError', allowed: ['GET', 'PUT'] }));
  });

  it('answers 404 for a path no route has', () => {
    // Prepare
    const answer = unmatchedRoute(routes);
    // Act
    const act = () => answer({ method: 'GET', path: '/targets/hello/releases' });
    // Assess
    expect(act).toThrow(RouteNotFoundError);
  });
});
