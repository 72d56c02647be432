import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import type { LambdaHandler } from '../../dev/local-orchestrator.js';
import { functionPackage } from '../../dev/zip.js';
import {
  STATUS_CHANGED,
  STATUS_CHANGED_PATTERN,
  TRAFFIC_SHIFTED,
  statusChangedDetailSchema,
  trafficShiftedDetailSchema,
  type StatusChangedDetail,
  type TrafficShiftedDetail,
} from '../../shared/domain/events.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

interface SlipwayEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

/** The notify function's rule (serverless.yml) on the bus, with a queue standing in for the function. */
async function provisionNotifyRoute(eventBus: string, queueName: string): Promise<{ queueUrl: string }> {
  const sqs = new SQSClient({});
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  const events = new EventBridgeClient({});
  await events.send(new PutRuleCommand({ Name: `${queueName}-rule`, EventBusName: eventBus, EventPattern: JSON.stringify(STATUS_CHANGED_PATTERN) }));
  await events.send(new PutTargetsCommand({ Rule: `${queueName}-rule`, EventBusName: eventBus, Targets: [{ Id: 'notify', Arn: queueArn }] }));
  return { queueUrl };
}

describe('Workflow: deployment events', () => {
  let world: World;
  let queueUrl: string;
  const sqs = new SQSClient({});
  /** Every event the rule delivered so far, by event id (a standard queue may deliver twice). */
  const seen = new Map<string, SlipwayEvent>();

  beforeAll(async () => {
    world = await createWorld();
    // A rule on the bus, as a user would wire Slack or a dashboard, delivering to a queue we read.
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('events') }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const events = new EventBridgeClient({});
    const bus = process.env.SLIPWAY_EVENT_BUS!;
    await events.send(new PutRuleCommand({ Name: 'all-slipway', EventBusName: bus, EventPattern: JSON.stringify({ source: ['slipway'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'all-slipway', EventBusName: bus, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  });

  async function drain(url: string, into: (event: SlipwayEvent) => void): Promise<void> {
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!out.Messages?.length) return;
      for (const m of out.Messages) into(JSON.parse(m.Body!) as SlipwayEvent);
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: url, Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
      );
    }
  }

  /** The deployment's events once its terminal status arrived, each detail checked against its schema. */
  async function eventsOf(id: string): Promise<{ statuses: StatusChangedDetail[]; shifts: TrafficShiftedDetail[]; all: SlipwayEvent[] }> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      await drain(queueUrl, (event) => seen.set(event.id, event));
      const all = [...seen.values()].filter((e) => e.detail.deploymentId === id);
      const statuses = all.filter((e) => e['detail-type'] === STATUS_CHANGED).map((e) => statusChangedDetailSchema.parse(e.detail));
      if (statuses.some((s) => s.terminal) || Date.now() > deadline) {
        const shifts = all.filter((e) => e['detail-type'] === TRAFFIC_SHIFTED).map((e) => trafficShiftedDetailSchema.parse(e.detail));
        return { statuses, shifts, all };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A standard queue does not keep order: the chain is rebuilt from each event's previous status. */
  function chain(statuses: StatusChangedDetail[]): string[] {
    const order: string[] = [];
    let previous: string | null = null;
    for (;;) {
      const next = statuses.filter((s) => s.previousStatus === previous);
      if (next.length !== 1) break;
      order.push(next[0]!.status);
      previous = next[0]!.status;
    }
    expect(order.length, `every status event links to the one before: ${JSON.stringify(statuses.map((s) => [s.previousStatus, s.status]))}`).toBe(
      statuses.length,
    );
    return order;
  }

  function steps(shifts: TrafficShiftedDetail[]): [number, number][] {
    return shifts.map((s) => [s.previousTrafficPercent, s.trafficPercent] as [number, number]).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  }

  it('publishes every status and every traffic step of a canary deployment', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { strategy: { type: 'canary', percent: 25, bakeSeconds: 1 } });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('events v2'));
    const record = await finished(world, orchestrator, id);
    const { statuses, shifts, all } = await eventsOf(id);
    // Assess
    expect(record.status, record.reason).toBe('succeeded');
    expect(all.every((e) => e.source === 'slipway')).toBe(true);
    expect(chain(statuses)).toEqual(['queued', 'staging', 'shifting', 'verifying', 'succeeded']);
    expect(steps(shifts)).toEqual([
      [0, 25],
      [25, 100],
    ]);
    const final = statuses.find((s) => s.status === 'succeeded')!;
    expect(final).toMatchObject({
      schemaVersion: 1,
      deploymentId: id,
      target: target.name,
      release: 'r2',
      trigger: 's3',
      terminal: true,
      previousStatus: 'verifying',
      trafficPercent: 100,
      fromVersion: '1',
      toVersion: record.toVersion,
    });
    expect(final.endedAt).not.toBeNull();
    expect(shifts.every((s) => s.fromVersion === '1' && s.toVersion === record.toVersion)).toBe(true);
  });

  it('publishes the traffic going back to 0% and rolled_back when an alarm fires', async () => {
    // Prepare: the alarm fires once the canary step has moved, so the first health check fails.
    const alarm = uniqueName('events-alarm');
    const target = await createFunctionTarget(
      world,
      { strategy: { type: 'canary', percent: 25, bakeSeconds: 1 }, health: { alarms: [alarm], pollSeconds: 1 } },
      [alarm],
    );
    const orchestrator = localOrchestrator({
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'ShiftTraffic')
          await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'ALARM', StateReason: 'test' }));
        return output;
      },
    });
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('events bad v2'));
    const record = await finished(world, orchestrator, id);
    const { statuses, shifts } = await eventsOf(id);
    // Assess
    expect(record.status, record.reason).toBe('rolled_back');
    expect(chain(statuses)).toEqual(['queued', 'staging', 'shifting', 'rolled_back']);
    expect(steps(shifts)).toEqual([
      [25, 0],
      [0, 25],
    ]);
    expect(statuses.find((s) => s.status === 'rolled_back')?.reason).toContain(alarm);
  });

  it('publishes queued and failed, and no traffic step, for a corrupt zip', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'broken', Buffer.from('not a zip'));
    await finished(world, orchestrator, id);
    const { statuses, shifts } = await eventsOf(id);
    // Assess
    expect(chain(statuses)).toEqual(['queued', 'failed']);
    expect(statuses.find((s) => s.status === 'failed')?.reason).toMatch(/zip/i);
    expect(shifts).toEqual([]);
  });

  it('publishes waiting and superseded for releases racing for one target', async () => {
    // Prepare: r1 holds the target while r2 and r3 arrive.
    const target = await createFunctionTarget(world);
    let releaseGate!: () => void;
    const gate = new Promise<void>((r) => (releaseGate = r));
    let firstStaged!: () => void;
    const staged = new Promise<void>((r) => (firstStaged = r));
    let firstId = '';
    const orchestrator = localOrchestrator({
      waitTimeOverrides: { WaitForLock: 0.05, Bake: 0, WaitForInvalidation: 0 },
      wrapTask: (state, _fn, run) => async (input) => {
        const output = await run(input);
        if (state === 'Stage' && (input as { deploymentId: string }).deploymentId === firstId) {
          firstStaged();
          await gate;
        }
        return output;
      },
    });
    const r1 = await release(world, orchestrator, target.name, 'r1', await functionPackage('race r1'), { eventTime: '2026-01-01T00:00:01.000Z' });
    firstId = r1.id;
    await staged;
    // Act
    const r2 = await release(world, orchestrator, target.name, 'r2', await functionPackage('race r2'), { eventTime: '2026-01-01T00:00:02.000Z' });
    await new Promise((r) => setTimeout(r, 300));
    const r3 = await release(world, orchestrator, target.name, 'r3', await functionPackage('race r3'), { eventTime: '2026-01-01T00:00:03.000Z' });
    await new Promise((r) => setTimeout(r, 300));
    releaseGate();
    await Promise.all([r1, r2, r3].map((r) => finished(world, orchestrator, r.id)));
    // Assess
    expect(chain((await eventsOf(r2.id)).statuses)).toEqual(['queued', 'waiting', 'superseded']);
    expect(chain((await eventsOf(r3.id)).statuses)).toEqual(['queued', 'waiting', 'staging', 'verifying', 'succeeded']);
    expect(steps((await eventsOf(r3.id)).shifts)).toEqual([[0, 100]]);
  });

  describe('a target webhook', () => {
    const bodies: { text: string; blocks?: unknown[] }[] = [];
    let server: ReturnType<typeof createServer>;
    let url = '';
    let notifyHandler: LambdaHandler;
    beforeAll(async () => {
      server = createServer((req: IncomingMessage, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      notifyHandler = testRuntime({ notifyTuning: { retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, timeoutMs: 2000 } } }).notify;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('gets the final status through the notify rule, as Slack-compatible JSON', async () => {
      // Prepare: the notify function's rule, with a queue standing in for the function.
      const route = await provisionNotifyRoute(process.env.SLIPWAY_EVENT_BUS!, uniqueName('notify'));
      const target = await createFunctionTarget(world, { notifications: { webhook: { url, events: ['succeeded', 'failed'] } } });
      const orchestrator = localOrchestrator();
      // Act
      const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('notify v2'));
      await finished(world, orchestrator, id);
      const delivered: SlipwayEvent[] = [];
      const deadline = Date.now() + 10_000;
      while (!delivered.some((e) => e.detail.deploymentId === id && e.detail.terminal) && Date.now() < deadline) {
        await drain(route.queueUrl, (event) => delivered.push(event));
        await new Promise((r) => setTimeout(r, 100));
      }
      const outcomes = [];
      for (const event of delivered) outcomes.push(await notifyHandler(event as never, {} as never));
      // Assess: only status changes reach the rule; only the listed status is posted.
      expect(delivered.length).toBeGreaterThan(0);
      expect(delivered.every((e) => e['detail-type'] === STATUS_CHANGED)).toBe(true);
      expect(outcomes.filter((o) => (o as { outcome: string }).outcome === 'delivered')).toHaveLength(1);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]!.text).toContain(`${target.name} release r2 succeeded`);
      expect(bodies[0]!.blocks?.length).toBeGreaterThan(0);
    });
  });
});
