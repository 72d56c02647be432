import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../shared/adapters/local/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, finished, localOrchestrator, release, type World } from '../support/workflow-harness.js';

interface SlipwayEvent {
  source: string;
  'detail-type': string;
  detail: Record<string, unknown>;
}

describe('Workflow: deployment events', () => {
  let world: World;
  let queueUrl: string;
  beforeAll(async () => {
    world = await createWorld();
    // A rule on the bus, as a user would wire Slack or a dashboard, delivering to a queue we read.
    const sqs = new SQSClient({});
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('events') }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const events = new EventBridgeClient({});
    const bus = process.env.SLIPWAY_EVENT_BUS!;
    await events.send(new PutRuleCommand({ Name: 'all-slipway', EventBusName: bus, EventPattern: JSON.stringify({ source: ['slipway'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'all-slipway', EventBusName: bus, Targets: [{ Id: 'queue', Arn: queueArn }] }));
  });

  async function received(): Promise<SlipwayEvent[]> {
    const sqs = new SQSClient({});
    const all: SlipwayEvent[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!out.Messages?.length) return all;
      all.push(...out.Messages.map((m) => JSON.parse(m.Body!) as SlipwayEvent));
    }
  }

  it('publishes each traffic step and the final status on the bus', async () => {
    // Prepare
    const target = await createFunctionTarget(world, { strategy: { type: 'canary', percent: 25, bakeSeconds: 1 } });
    const orchestrator = localOrchestrator();
    // Act
    const { id } = await release(world, orchestrator, target.name, 'r2', await functionPackage('events v2'));
    const record = await finished(world, orchestrator, id);
    const events = (await received()).filter((e) => e.detail.deploymentId === id || e.detail.id === id);
    // Assess
    expect(record.status).toBe('succeeded');
    expect(events.every((e) => e.source === 'slipway')).toBe(true);
    const shifts = events.filter((e) => e['detail-type'] === 'Deployment Traffic Shifted').map((e) => Number(e.detail.trafficPercent));
    // a standard queue does not keep order
    shifts.sort((a, b) => a - b);
    expect(shifts).toEqual([25, 100]);
    const final = events.filter((e) => e['detail-type'] === 'Deployment Status Changed');
    expect(final).toHaveLength(1);
    expect(final[0]!.detail).toMatchObject({ id, target: target.name, release: 'r2', status: 'succeeded', toVersion: record.toVersion });
  });
});
