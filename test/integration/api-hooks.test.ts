import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import { startHttpFront, type HttpFront } from '../../dev/http-front.js';
import type { Orchestrator } from '../../shared/ports/index.js';
import { viaHandler, viaHttp, type Answer, type Call } from '../support/api-calls.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, uploadRelease, type World } from '../support/workflow-harness.js';

const TYPE = 'https://slipway.dev/problems/';
// Read once, on the handler's first request: a small limit and a long window keep the test exact.
const RATE_LIMIT = 3;
process.env.SLIPWAY_HOOK_RATE_LIMIT = String(RATE_LIMIT);
process.env.SLIPWAY_HOOK_RATE_WINDOW_SECONDS = '3600';

/** Records starts instead of running the workflow, so records stay as the API left them. */
class RecordingOrchestrator implements Orchestrator {
  readonly started: string[] = [];
  async start(deploymentId: string): Promise<void> {
    this.started.push(deploymentId);
  }
}

const orchestrator = new RecordingOrchestrator();
let call: Call;
let front: HttpFront;
let world: World;

beforeAll(async () => {
  world = await createWorld();
  const { api: handler } = testRuntime({ orchestrator });
  call = viaHandler(handler as never);
  front = await startHttpFront({ port: 0, handler: handler as never });
});

afterAll(async () => {
  await front?.close();
});

interface CreatedHook {
  id: string;
  secret: string;
  url: string;
}

async function createHook(target: string, body: object = { name: 'ci' }, via: Call = call): Promise<CreatedHook> {
  const answer = await via('POST', `/targets/${target}/hooks`, { body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as CreatedHook;
}

/** A hook call as API Gateway passes it on from a route without IAM auth. */
function callHook(hook: { url: string }, secret: string | undefined, body?: unknown, via: Call = call): Promise<Answer> {
  return via('POST', hook.url, {
    anonymous: true,
    ...(secret === undefined ? {} : { headers: { 'X-Slipway-Hook-Secret': secret } }),
    ...(body === undefined ? {} : { body }),
  });
}

async function storedHookItem(id: string): Promise<Record<string, unknown> | undefined> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return (await client.send(new GetCommand({ TableName: process.env.SLIPWAY_TABLE, Key: { pk: `HOOK#${id}`, sk: 'HOOK' } }))).Item;
}

function fieldPaths(answer: Answer): string[] {
  return (answer.body.errors ?? []).map((e: { path: string }) => e.path);
}

describe('Deploy hooks: create, list, revoke', () => {
  it('creates a hook and shows its secret once, storing only the secret’s sha256', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    // Act
    const answer = await call('POST', `/targets/${target.name}/hooks`, { body: { name: 'GitHub Actions', release: 'stable' } });
    // Assess
    expect(answer.status).toBe(201);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { id, secret } = answer.body;
    expect(answer.body).toEqual({
      id: expect.stringMatching(/^hk-[0-9a-f]{20}$/),
      target: target.name,
      name: 'GitHub Actions',
      release: 'stable',
      url: `/hooks/${id}`,
      secret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    expect(answer.headers.location).toBe(`/hooks/${id}`);
    const item = await storedHookItem(id);
    expect(item?.secretSha256).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(JSON.stringify(item)).not.toContain(secret);
  });

  it('lists a target’s hooks newest first, without secrets, with when each was last used', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r1', Buffer.from('zip'));
    const first = await createHook(target.name, { name: 'first', release: 'r1' });
    const second = await createHook(target.name, { name: 'second' });
    expect((await callHook(first, first.secret)).status).toBe(202);
    // Act
    const answer = await call('GET', `/targets/${target.name}/hooks`);
    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.hooks).toEqual([
      { id: second.id, target: target.name, name: 'second', release: null, createdAt: expect.any(String), lastUsedAt: null },
      { id: first.id, target: target.name, name: 'first', release: 'r1', createdAt: expect.any(String), lastUsedAt: expect.any(String) },
    ]);
    expect(JSON.stringify(answer.body)).not.toMatch(/secret/i);
  });

  it('revokes a hook: gone from the list, its calls answered 404, a second revoke 404', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const hook = await createHook(target.name);
    const kept = await createHook(target.name, { name: 'kept' });
    // Act
    const revoked = await call('DELETE', `/targets/${target.name}/hooks/${hook.id}`);
    const again = await call('DELETE', `/targets/${target.name}/hooks/${hook.id}`);
    const called = await callHook(hook, hook.secret);
    // Assess
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ type: `${TYPE}not-found`, detail: expect.stringContaining(hook.id) });
    expect(called.status).toBe(404);
    expect(called.body).toMatchObject({ type: `${TYPE}not-found` });
    const listed = await call('GET', `/targets/${target.name}/hooks`);
    expect(listed.body.hooks.map((h: { id: string }) => h.id)).toEqual([kept.id]);
    expect((await storedHookItem(hook.id))?.secretSha256).toBeUndefined();
  });

  it('does not revoke a hook through another target’s path', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const other = await createFunctionTarget(world);
    const hook = await createHook(target.name);
    // Act
    const answer = await call('DELETE', `/targets/${other.name}/hooks/${hook.id}`);
    // Assess
    expect(answer.status).toBe(404);
    expect((await call('GET', `/targets/${target.name}/hooks`)).body.hooks).toHaveLength(1);
  });

  it.each([
    ['no name', { release: 'r1' }, ['name']],
    ['a blank name', { name: '   ' }, ['name']],
    ['a name with a control character', { name: 'ci\u0007' }, ['name']],
    ['a release name intake would not take', { name: 'ci', release: '../r1' }, ['release']],
    ['an unknown field', { name: 'ci', secret: 'mine' }, ['(root)']],
  ])('answers 400 naming the field to a hook with %s, and creates none', async (_, body, paths) => {
    // Prepare
    const target = await createFunctionTarget(world);
    // Act
    const answer = await call('POST', `/targets/${target.name}/hooks`, { body });
    // Assess
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: `${TYPE}validation`, status: 400 });
    expect(fieldPaths(answer)).toEqual(paths);
    expect((await call('GET', `/targets/${target.name}/hooks`)).body.hooks).toEqual([]);
  });

  it('answers 404 to hooks of a target that is not registered', async () => {
    // Prepare
    const name = uniqueName('nope').slice(0, 40);
    // Act
    const created = await call('POST', `/targets/${name}/hooks`, { body: { name: 'ci' } });
    const listed = await call('GET', `/targets/${name}/hooks`);
    // Assess
    expect(created).toMatchObject({ status: 404, body: { type: `${TYPE}not-found`, detail: expect.stringContaining(name) } });
    expect(listed.status).toBe(404);
  });
});

describe('Deploy hooks: POST /hooks/{hookId}', () => {
  it('deploys the release the call names, recorded as requested by the hook', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r5', Buffer.from('zip'));
    const hook = await createHook(target.name, { name: 'ci', release: 'not-this-one' });
    // Act
    const answer = await callHook(hook, hook.secret, { release: 'r5' });
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ target: target.name, release: 'r5', status: 'queued', trigger: 'api' });
    expect(answer.headers.location).toBe(`/deployments/${answer.body.id}`);
    expect(orchestrator.started).toContain(answer.body.id);
    expect((await world.deployments.get(answer.body.id))?.requestedBy).toBe(`hook:${hook.id}`);
  });

  it('deploys the hook’s own release when the call names none', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'stable', Buffer.from('zip'));
    const hook = await createHook(target.name, { name: 'ci', release: 'stable' });
    // Act
    const answer = await callHook(hook, hook.secret);
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body.release).toBe('stable');
  });

  it('deploys the newest upload when neither the call nor the hook names a release', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r9', Buffer.from('older'));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // S3 keeps LastModified to the second
    await uploadRelease(world, target.name, 'r10', Buffer.from('newer'));
    await uploadRelease(world, `${target.name}x`.slice(0, 48), 'r11', Buffer.from('another target'));
    const hook = await createHook(target.name);
    // Act
    const answer = await callHook(hook, hook.secret);
    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body.release).toBe('r10');
  });

  it('answers 409 when nothing has been uploaded for the target yet', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const hook = await createHook(target.name);
    // Act
    const answer = await callHook(hook, hook.secret);
    // Assess
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ type: `${TYPE}conflict`, detail: expect.stringContaining('upload one first') });
  });

  it.each([
    ['a wrong secret', 'x'.repeat(43)],
    ['another hook’s secret', 'other'],
    ['no secret at all', undefined],
  ])('answers 401 to %s and deploys nothing', async (_, secret) => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r1', Buffer.from('zip'));
    const hook = await createHook(target.name, { name: 'ci', release: 'r1' });
    const other = await createHook(target.name, { name: 'other' });
    const started = orchestrator.started.length;
    // Act
    const answer = await callHook(hook, secret === 'other' ? other.secret : secret);
    // Assess
    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['www-authenticate']).toContain('X-Slipway-Hook-Secret');
    expect(answer.body).toEqual({
      type: `${TYPE}unauthorized`,
      title: 'Authentication failed',
      status: 401,
      detail: expect.stringContaining('X-Slipway-Hook-Secret'),
    });
    expect(orchestrator.started).toHaveLength(started);
    expect((await world.deployments.listByTarget(target.name)).length).toBe(0);
  });

  it.each([
    ['a hook that never existed', 'hk-0123456789abcdef0123'],
    ['a malformed hook id', 'not-a-hook'],
  ])('answers 404 to %s', async (_, id) => {
    // Act
    const answer = await callHook({ url: `/hooks/${id}` }, 'whatever');
    // Assess
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ type: `${TYPE}not-found`, detail: expect.stringContaining(id) });
  });

  it('answers 400 naming the field to a call with a bad release', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const hook = await createHook(target.name);
    // Act
    const answer = await callHook(hook, hook.secret, { release: 'a b' });
    // Assess
    expect(answer.status).toBe(400);
    expect(fieldPaths(answer)).toEqual(['release']);
  });

  it(`answers 429 with Retry-After once a hook had ${RATE_LIMIT} calls in its window, right secret or wrong, other hooks unaffected`, async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r1', Buffer.from('zip'));
    const hook = await createHook(target.name, { name: 'ci', release: 'r1' });
    const other = await createHook(target.name, { name: 'other', release: 'r1' });
    // Act: wrong secrets until refused. A window can end during the loop at most once, so a 429
    // comes within 2 × limit + 1 calls whatever the clock; almost always it is call limit + 1.
    const statuses: number[] = [];
    let limited: Answer | undefined;
    while (!limited && statuses.length < 2 * RATE_LIMIT + 1) {
      const answer = await callHook(hook, 'wrong');
      statuses.push(answer.status);
      if (answer.status === 429) limited = answer;
    }
    const rightSecret = await callHook(hook, hook.secret);
    const otherHook = await callHook(other, other.secret);
    // Assess
    expect(limited, `statuses: ${statuses.join(', ')}`).toBeDefined();
    expect(statuses.slice(0, RATE_LIMIT)).toEqual(Array(RATE_LIMIT).fill(401));
    expect(limited!.headers['content-type']).toBe('application/problem+json');
    expect(limited!.body).toMatchObject({ type: `${TYPE}rate-limited`, status: 429, detail: expect.stringContaining(`${RATE_LIMIT} calls per 3600 s`) });
    const retryAfter = Number(limited!.headers['retry-after']);
    const untilWindowEnd = 3600 - (Math.floor(Date.now() / 1000) % 3600);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(Math.abs(retryAfter - untilWindowEnd)).toBeLessThanOrEqual(2);
    expect(rightSecret.status).toBe(429);
    expect(otherHook.status).toBe(202);
  });
});

describe('Deploy hooks through the local HTTP front (slipway dev)', () => {
  const http = viaHttp(() => front.url);

  it('creates a hook and deploys through it with real HTTP requests', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    await uploadRelease(world, target.name, 'r3', Buffer.from('zip'));
    const hook = await createHook(target.name, { name: 'dev' }, http);
    // Act
    const wrong = await callHook(hook, 'nope', undefined, http);
    const answer = await callHook(hook, hook.secret, { release: 'r3' }, http);
    // Assess
    expect(wrong.status).toBe(401);
    expect(answer.status).toBe(202);
    expect(answer.headers.location).toBe(`/deployments/${answer.body.id}`);
    expect((await world.deployments.get(answer.body.id))?.requestedBy).toBe(`hook:${hook.id}`);
  });
});
