import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import type { LambdaHandler } from '../../dev/local-orchestrator.js';
import { DynamoDeadLetterStore } from '../../shared/adapters/aws/dynamo-dead-letters.js';
import { DynamoDeploymentStore } from '../../shared/adapters/aws/dynamo-deployments.js';
import { EventBridgeDeploymentEvents } from '../../shared/adapters/aws/eventbridge-events.js';
import { fromApiGatewayResult, localApiContext, toApiGatewayEvent } from '../../dev/http-front.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { STATUS_CHANGED, TRAFFIC_SHIFTED, eventsForChange } from '../../shared/domain/events.js';
import { slackMessage } from '../../shared/domain/notifications.js';
import type { DeploymentStatus } from '../../shared/domain/deployment.js';
import { withDeploymentEvents } from '../../shared/usecases/deployment-events.js';
import type { NotifyOutcome } from '../../shared/usecases/notify.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, type World } from '../support/workflow-harness.js';

/** A webhook receiver on loopback: answers `script` in turn (the last answer repeats), records every body. */
interface Receiver {
  url: string;
  bodies: unknown[];
  close(): Promise<void>;
}

type Answer = number | { status: number; headers?: Record<string, string> } | 'hang';

async function startReceiver(script: Answer[]): Promise<Receiver> {
  const bodies: unknown[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      const answer = script[Math.min(bodies.length - 1, script.length - 1)]!;
      if (answer === 'hang') return void hanging.push(res);
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers).end(status < 300 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret`,
    bodies,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('Integration: webhook notifications', () => {
  let world: World;
  let deadLetters: DynamoDeadLetterStore;
  const receivers: Receiver[] = [];
  const waits: number[] = [];
  let apiHandler: LambdaHandler;
  let notifyHandler: LambdaHandler;

  beforeAll(async () => {
    world = await createWorld();
    // No route here starts a workflow.
    deadLetters = new DynamoDeadLetterStore();
    // Short waits, recorded: the policy's shape (3 attempts, doubling) is what is tested.
    ({ api: apiHandler, notify: notifyHandler } = testRuntime({
      orchestrator: { start: async () => undefined },
      notifyTuning: {
        retry: { attempts: 3, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 300 },
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      },
    }));
  });

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });

  async function receiver(script: Answer[]): Promise<Receiver> {
    const r = await startReceiver(script);
    receivers.push(r);
    return r;
  }

  /** The EventBridge event the rule hands the notify function for a deployment of `target` ending in `status`. */
  function statusEvent(target: string, status: DeploymentStatus, overrides: Partial<Deployment> = {}) {
    const now = new Date().toISOString();
    const deployment: Deployment = {
      id: uniqueName('d'),
      target,
      release: 'r7',
      status,
      trigger: 'api',
      requestedAt: now,
      startedAt: now,
      updatedAt: now,
      trafficPercent: 0,
      reason: 'UnhealthyReleaseError: alarm fired',
      timeline: [],
      ...overrides,
    };
    const [event] = eventsForChange({ ...deployment, status: 'shifting' }, deployment);
    return {
      version: '0',
      id: uniqueName('event'),
      source: 'slipway',
      account: '123456789012',
      time: now,
      region: 'us-east-1',
      resources: [],
      'detail-type': event!.detailType,
      detail: event!.detail,
    };
  }

  async function notifyOf(event: ReturnType<typeof statusEvent>): Promise<NotifyOutcome> {
    waits.length = 0;
    return (await notifyHandler(event as never, {} as never)) as NotifyOutcome;
  }

  it('retries a webhook that fails twice and delivers on the third attempt', async () => {
    // Prepare
    const hook = await receiver([503, 502, 200]);
    const target = await createFunctionTarget(world, { notifications: { webhook: { url: hook.url } } });
    const event = statusEvent(target.name, 'rolled_back');
    // Act
    const outcome = await notifyOf(event);
    // Assess
    expect(outcome).toEqual({ outcome: 'delivered', attempts: 3 });
    expect(waits).toEqual([20, 40]);
    expect(hook.bodies).toHaveLength(3);
    expect(hook.bodies[2]).toEqual(slackMessage(event.detail as never));
    expect(await deadLetters.list(target.name)).toEqual([]);
  });

  it('writes a dead letter, readable later, when every attempt fails', async () => {
    // Prepare
    const hook = await receiver([500]);
    const target = await createFunctionTarget(world, { notifications: { webhook: { url: hook.url, events: ['failed'] } } });
    const event = statusEvent(target.name, 'failed');
    // Act
    const outcome = await notifyOf(event);
    const letters = await deadLetters.list(target.name);
    // Assess
    expect(outcome).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect(hook.bodies).toHaveLength(3);
    expect(letters).toHaveLength(1);
    const origin = new URL(hook.url).origin;
    expect(letters[0]).toMatchObject({
      target: target.name,
      deploymentId: event.detail.deploymentId,
      release: 'r7',
      status: 'failed',
      webhook: origin,
      payload: slackMessage(event.detail as never),
      error: `webhook ${origin} did not accept the message after 3 attempt(s): HTTP 500`,
    });
    expect(letters[0]!.attempts.map((a) => a.outcome)).toEqual(['HTTP 500', 'HTTP 500', 'HTTP 500']);
    // The URL's path is the webhook's secret: it is not copied into the dead letter.
    expect(JSON.stringify(letters[0])).not.toContain('/services/T000');
  });

  it('does not retry a webhook that refuses the message (4xx)', async () => {
    // Prepare
    const hook = await receiver([404]);
    const target = await createFunctionTarget(world, { notifications: { webhook: { url: hook.url } } });
    // Act
    const outcome = await notifyOf(statusEvent(target.name, 'succeeded'));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'dead-lettered', attempts: 1 });
    expect(hook.bodies).toHaveLength(1);
    expect(await deadLetters.list(target.name)).toHaveLength(1);
  });

  it('gives up on an attempt that takes longer than the timeout, and honours a bounded Retry-After', async () => {
    // Prepare
    const hook = await receiver(['hang', { status: 429, headers: { 'retry-after': '120' } }, 204]);
    const target = await createFunctionTarget(world, { notifications: { webhook: { url: hook.url } } });
    // Act
    const outcome = await notifyOf(statusEvent(target.name, 'succeeded'));
    // Assess
    expect(outcome).toEqual({ outcome: 'delivered', attempts: 3 });
    // 20 ms after the timeout; Retry-After 120 s capped at the policy's 200 ms.
    expect(waits).toEqual([20, 200]);
  });

  it('dead-letters an unreachable webhook', async () => {
    // Prepare: a port nothing listens on.
    const closed = await startReceiver([200]);
    await closed.close();
    const target = await createFunctionTarget(world, { notifications: { webhook: { url: closed.url } } });
    // Act
    const outcome = await notifyOf(statusEvent(target.name, 'succeeded'));
    // Assess
    expect(outcome).toMatchObject({ outcome: 'dead-lettered', attempts: 3 });
    expect((await deadLetters.list(target.name))[0]?.attempts[0]?.outcome).toBe('ECONNREFUSED');
  });

  it('posts nothing for a target without a webhook, a status the webhook does not list, or a traffic event', async () => {
    // Prepare
    const hook = await receiver([200]);
    const plain = await createFunctionTarget(world);
    const picky = await createFunctionTarget(world, { notifications: { webhook: { url: hook.url, events: ['failed'] } } });
    const traffic = { ...statusEvent(picky.name, 'failed'), 'detail-type': TRAFFIC_SHIFTED } as const;
    // Act
    const outcomes = [await notifyOf(statusEvent(plain.name, 'failed')), await notifyOf(statusEvent(picky.name, 'succeeded')), await notifyOf(traffic)];
    // Assess
    expect(outcomes.map((o) => o.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(hook.bodies).toEqual([]);
    expect(await deadLetters.list(plain.name)).toEqual([]);
  });

  it('refuses a webhook URL on PUT /targets with the field path, and stores nothing', async () => {
    // Prepare
    const name = uniqueName('hooked').toLowerCase().slice(0, 40);
    const body = { name, kind: 'function', function: { name }, notifications: { webhook: { url: 'http://hooks.example.com/x' } } };
    // Act
    const answer = fromApiGatewayResult(
      (await apiHandler(
        toApiGatewayEvent({
          method: 'PUT',
          url: `/targets/${name}`,
          headers: { 'content-type': 'application/json' },
          body: Buffer.from(JSON.stringify(body)),
        }) as never,
        localApiContext() as never,
      )) as never,
    );
    const problem = JSON.parse(answer.body.toString('utf8')) as { errors: { path: string; message: string }[] };
    // Assess
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(problem.errors).toContainEqual({ path: 'notifications.webhook.url', message: 'must be an https URL (plain http only for 127.0.0.1 or localhost)' });
    expect(await world.targets.get(name)).toBeUndefined();
  });
});

describe('Integration: publishing deployment events', () => {
  it('keeps the record written when the bus refuses the event, and reports what was lost', async () => {
    // Prepare: the events adapter points at a bus that does not exist.
    const failures: { detailType: string; error: string }[] = [];
    const store = withDeploymentEvents(
      new DynamoDeploymentStore(),
      new EventBridgeDeploymentEvents({ busName: uniqueName('no-such-bus'), retryDelayMs: 1 }),
      (_message, details) => failures.push({ detailType: details.detailType, error: details.error }),
    );
    const now = new Date().toISOString();
    const id = uniqueName('d');
    // Act
    const created = await store.create({
      id,
      target: 'x',
      release: 'r1',
      status: 'queued',
      trigger: 'api',
      requestedAt: now,
      startedAt: now,
      updatedAt: now,
      trafficPercent: 0,
      timeline: [],
    });
    const updated = await store.update(id, { status: 'staging' }, { step: 'lock', status: 'staging' });
    // Assess
    expect(created.created).toBe(true);
    expect(updated?.status).toBe('staging');
    expect((await new DynamoDeploymentStore().get(id))?.status).toBe('staging');
    expect(failures.map((f) => f.detailType)).toEqual([STATUS_CHANGED, STATUS_CHANGED]);
    expect(failures[0]!.error).toMatch(/PutEvents rejected the event|does not exist|not found/i);
  });
});
