/**
 * The OpenAPI document against the real handler: every answer below is checked against what the
 * document says its route answers with that status (status documented, media type, headers, body
 * valid against the schema).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import { openApiJson } from '../../shared/http/openapi.js';
import type { Orchestrator } from '../../shared/ports/index.js';
import { viaHandler, type Answer, type CallOptions } from '../support/api-calls.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, uploadRelease, type World } from '../support/workflow-harness.js';

const TYPE = 'https://slipway.dev/problems/';

/** Records starts instead of running the workflow, so records stay as the API left them. */
class RecordingOrchestrator implements Orchestrator {
  async start(): Promise<void> {}
}

const document = JSON.parse(openApiJson());
const DOCUMENT_ID = 'https://slipway.dev/openapi.json';
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajvFormats.default(ajv);
ajv.addSchema(document, DOCUMENT_ID);

let call: ReturnType<typeof viaHandler>;
let world: World;

beforeAll(async () => {
  world = await createWorld();
  call = viaHandler(testRuntime({ orchestrator: new RecordingOrchestrator() }).api as never);
});

/** A JSON pointer into the document, as a URI fragment. */
function pointer(...segments: string[]): string {
  return segments.map((s) => `/${encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('');
}

const validators = new Map<string, ValidateFunction>();
function validatorAt(fragment: string): ValidateFunction {
  let validate = validators.get(fragment);
  if (!validate) {
    validate = ajv.compile({ $ref: `${DOCUMENT_ID}#${fragment}` });
    validators.set(fragment, validate);
  }
  return validate;
}

function fill(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? `missing-${name}`));
}

/**
 * Calls a route and checks the answer against the document's response for that route and status.
 * `route` is the documented path, optionally followed by a query string.
 */
async function documented(method: string, route: string, params: Record<string, string> = {}, options: CallOptions = {}): Promise<Answer> {
  const [template, query] = route.split('?') as [string, string | undefined];
  const answer = await call(method, `${fill(template, params)}${query === undefined ? '' : `?${query}`}`, options);
  const where = `${method} ${template} → ${answer.status} ${JSON.stringify(answer.body)}`;
  const responses = document.paths[template]?.[method.toLowerCase()]?.responses;
  expect(responses, `${method} ${template} is not in the document`).toBeDefined();
  const response = responses[String(answer.status)];
  expect(response, `the document does not list ${where}`).toBeDefined();
  for (const header of Object.keys(response.headers ?? {})) expect(answer.headers[header.toLowerCase()], `${header} of ${where}`).toBeDefined();
  if (response.content === undefined) {
    expect(answer.body, where).toBeUndefined();
    return answer;
  }
  const [mediaType] = Object.keys(response.content) as [string];
  expect(answer.headers['content-type'], where).toBe(mediaType);
  const validate = validatorAt(pointer('paths', template, method.toLowerCase(), 'responses', String(answer.status), 'content', mediaType, 'schema'));
  expect(validate(answer.body), `${where}: ${JSON.stringify(validate.errors)}`).toBe(true);
  return answer;
}

function targetName(): string {
  return uniqueName('oas').slice(0, 48);
}

describe('GET /openapi.json through the Lambda handler', () => {
  it('serves the generated document as JSON', async () => {
    // Act
    const answer = await documented('GET', '/openapi.json');
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.body).toEqual(document);
  });
});

describe('Answers of the real handler match the document', () => {
  it('targets: register a function and a site, read, list; 404, 400, 415', async () => {
    // Prepare
    const fn = targetName();
    const site = targetName();
    const siteConfig = { kind: 'site', site: { bucket: 'www-example', distributionId: 'E2QWRUHAPOMQZL' } };
    // Act
    const putFunction = await documented('PUT', '/targets/{name}', { name: fn }, { body: { kind: 'function', function: { name: 'hello' } } });
    const putSite = await documented('PUT', '/targets/{name}', { name: site }, { body: { name: site, ...siteConfig } });
    const got = await documented('GET', '/targets/{name}', { name: site });
    const listed = await documented('GET', '/targets');
    const missing = await documented('GET', '/targets/{name}', { name: targetName() });
    const invalid = await documented('PUT', '/targets/{name}', { name: fn }, { body: { kind: 'function', function: { name: 'hello', aliass: 'x' } } });
    const malformed = await documented('PUT', '/targets/{name}', { name: fn }, { body: '{"kind":' });
    const notJson = await documented('PUT', '/targets/{name}', { name: fn }, { body: 'kind=function', headers: { 'content-type': 'text/plain' } });
    // Assess
    expect([putFunction.status, putSite.status, got.status, listed.status]).toEqual([200, 200, 200, 200]);
    expect(got.body).toMatchObject({ name: site, kind: 'site', keepReleases: 10 });
    expect(missing.status).toBe(404);
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toContainEqual({ path: 'function', message: expect.stringContaining('"aliass"') });
    expect(malformed.body.type).toBe(`${TYPE}malformed-json`);
    expect(notJson.status).toBe(415);
  });

  it('deployments: create, read, history, timeline, cancel; 404, 409, 400', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r2', Buffer.from('not inspected until the workflow runs'));
    // Act
    const unknownTarget = await documented('POST', '/deployments', {}, { body: { target: targetName(), release: 'r2' } });
    const notUploaded = await documented('POST', '/deployments', {}, { body: { target: target.name, release: 'r9' } });
    const created = await documented('POST', '/deployments', {}, { body: { target: target.name, release: 'r2' } });
    const id = created.body.id as string;
    const got = await documented('GET', '/deployments/{id}', { id });
    const history = await documented('GET', '/targets/{name}/deployments', { name: target.name });
    const listed = await documented('GET', `/deployments?target=${target.name}`);
    const events = await documented('GET', '/deployments/{id}/events', { id });
    // A queued deployment starts at once on promote (break-glass past its window): 202.
    const promoted = await documented('POST', '/deployments/{id}/promote', { id }, { body: { reason: 'looks fine' } });
    const cancelled = await documented('POST', '/deployments/{id}/cancel', { id }, { body: { reason: 'wrong release' } });
    const promotedAfterCancel = await documented('POST', '/deployments/{id}/promote', { id }, { body: { reason: 'too late' } });
    const rollback = await documented('POST', '/targets/{name}/rollback', { name: target.name });
    const missing = await documented('GET', '/deployments/{id}/events', { id: `d-${uniqueName('missing')}` });
    // Assess
    expect(unknownTarget.status).toBe(404);
    expect(notUploaded.status).toBe(409);
    expect(created.status).toBe(202);
    expect(got).toMatchObject({ status: 200, body: { id, status: 'queued' } });
    expect(history.body.deployments.map((d: { id: string }) => d.id)).toEqual([id]);
    expect(listed.status).toBe(200);
    expect(events).toMatchObject({ status: 200, body: { deploymentId: id } });
    expect(promoted.status).toBe(202);
    expect(promoted.body.timeline.at(-1)).toMatchObject({ step: 'promote', reason: 'looks fine' });
    expect(cancelled.status).toBe(202);
    expect(promotedAfterCancel.status).toBe(409);
    expect(rollback.status).toBe(409);
    expect(missing.status).toBe(404);
  });

  it('history queries: a page with its cursor, a bad cursor, a bad limit', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    for (const release of ['r1', 'r2']) {
      await uploadRelease(world, target.name, release, Buffer.from(release));
      expect((await call('POST', '/deployments', { body: { target: target.name, release } })).status).toBe(202);
    }
    // Act
    const first = await documented('GET', `/deployments?target=${target.name}&limit=1`);
    const second = await documented('GET', `/deployments?target=${target.name}&limit=1&cursor=${first.body.nextCursor}`);
    const badCursor = await documented('GET', '/deployments?cursor=bm90LWEtY3Vyc29y');
    const badLimit = await documented('GET', '/targets/{name}/deployments?limit=0', { name: target.name });
    // Assess
    expect(first.body.deployments.map((d: { release: string }) => d.release)).toEqual(['r2']);
    expect(second.body.deployments.map((d: { release: string }) => d.release)).toEqual(['r1']);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.limit']);
  });

  it('uploads and hooks: grant, create, list, call (401, 202), revoke, call again (404)', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r1', Buffer.from('r1'));
    // Act
    const grant = await documented('POST', '/targets/{name}/releases', { name: target.name }, { body: { release: 'r3', sha256: 'a'.repeat(64), size: 10 } });
    const taken = await documented('POST', '/targets/{name}/releases', { name: target.name }, { body: { release: 'r1', sha256: 'a'.repeat(64), size: 10 } });
    const hook = await documented('POST', '/targets/{name}/hooks', { name: target.name }, { body: { name: 'ci', release: 'r1' } });
    const hookId = hook.body.id as string;
    const hooks = await documented('GET', '/targets/{name}/hooks', { name: target.name });
    const wrongSecret = await documented('POST', '/hooks/{hookId}', { hookId }, { anonymous: true, headers: { 'X-Slipway-Hook-Secret': 'nope' } });
    const deployed = await documented('POST', '/hooks/{hookId}', { hookId }, { anonymous: true, headers: { 'X-Slipway-Hook-Secret': hook.body.secret } });
    const revoked = await documented('DELETE', '/targets/{name}/hooks/{hookId}', { name: target.name, hookId });
    const gone = await documented('POST', '/hooks/{hookId}', { hookId }, { anonymous: true, headers: { 'X-Slipway-Hook-Secret': hook.body.secret } });
    // Assess
    expect(grant).toMatchObject({ status: 201, body: { key: `releases/${target.name}/r3.zip`, method: 'PUT' } });
    expect(taken.status).toBe(409);
    expect(hook.status).toBe(201);
    expect(hooks.body.hooks.map((h: { id: string }) => h.id)).toEqual([hookId]);
    expect(wrongSecret.status).toBe(401);
    expect(deployed).toMatchObject({ status: 202, body: { target: target.name, release: 'r1' } });
    expect(revoked.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('target removal: 409 while a deployment is active, 204 once idle', async () => {
    // Prepare
    const busy = await createFunctionTarget(world);
    const idle = await createFunctionTarget(world);
    await uploadRelease(world, busy.name, 'r1', Buffer.from('r1'));
    expect((await call('POST', '/deployments', { body: { target: busy.name, release: 'r1' } })).status).toBe(202);
    // Act
    const refused = await documented('DELETE', '/targets/{name}', { name: busy.name });
    const removed = await documented('DELETE', '/targets/{name}', { name: idle.name });
    // Assess
    expect(refused.status).toBe(409);
    expect(removed.status).toBe(204);
  });

  it('tells an answer that strays from its schema apart', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const hook = await documented('POST', '/targets/{name}/hooks', { name: target.name }, { body: { name: 'ci' } });
    const validate = validatorAt(pointer('paths', '/targets/{name}/hooks', 'post', 'responses', '201', 'content', 'application/json', 'schema'));
    // Act
    const leaked = validate({ ...hook.body, secretSha256: 'f'.repeat(64) });
    const untyped = validate({ ...hook.body, createdAt: 'yesterday' });
    // Assess
    expect(validate(hook.body)).toBe(true);
    expect(leaked).toBe(false);
    expect(untyped).toBe(false);
  });
});
