import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testRuntime } from '../support/runtime.js';
import type { Orchestrator } from '../../shared/ports/index.js';

const intakeWith = (orchestrator: Orchestrator, logger?: Logger) =>
  testRuntime({ orchestrator, ...(logger ? { logger } : {}) }).intake as unknown as (event: SQSEvent, context: never) => Promise<unknown>;
import { startIntakePoller } from '../../dev/intake-poller.js';
import { functionPackage } from '../../dev/zip.js';
import { uniqueName } from '../support/aws-env.js';
import { createFunctionTarget, createWorld, uploadRelease, type World } from '../support/workflow-harness.js';

function s3Event(bucket: string, key: string, versionId: string, options: { rawKey?: string } = {}): string {
  return JSON.stringify({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        eventTime: new Date().toISOString(),
        s3: { bucket: { name: bucket }, object: { key: options.rawKey ?? encodeURIComponent(key), versionId } },
      },
    ],
  });
}

function sqsEvent(bodies: string[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `h${i}`,
      body,
      attributes: {} as never,
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:intake',
      awsRegion: 'us-east-1',
    })),
  };
}

const lambdaContext = { functionName: 'intake', awsRequestId: 'r', getRemainingTimeInMillis: () => 30_000 } as never;

describe('Handler: intake', () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it('starts one deployment per upload and drops what is not a release, without failing the batch', async () => {
    // Prepare
    const started: string[] = [];
    const handler = intakeWith({ start: async (id) => void started.push(id) });
    const target = await createFunctionTarget(world);
    const uploaded = await uploadRelease(world, target.name, 'r2', await functionPackage('intake r2'));
    // Act
    const response = (await handler(
      sqsEvent([
        s3Event(world.bucket, uploaded.key, uploaded.versionId!),
        'this is not json',
        JSON.stringify({ Event: 's3:TestEvent' }),
        s3Event(world.bucket, 'uploads/readme.txt', 'v1'),
      ]),
      lambdaContext as never,
    )) as { batchItemFailures: { itemIdentifier: string }[] };
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(started).toHaveLength(1);
    expect((await world.deployments.get(started[0]!))?.status).toBe('queued');
  });

  it("drops undecodable keys, keys outside the layout and other buckets' events with a WARN each, failing nothing", async () => {
    // Prepare
    const started: string[] = [];
    const logger = new Logger({ serviceName: 'slipway', logLevel: 'ERROR' });
    const warn = vi.spyOn(logger, 'warn');
    const handler = intakeWith({ start: async (id) => void started.push(id) }, logger);
    const target = await createFunctionTarget(world);
    // Act
    const response = await handler(
      sqsEvent([
        s3Event(world.bucket, '', 'v1', { rawKey: `releases/${target.name}/%E0%A4%A.zip` }),
        s3Event(world.bucket, `releases/${target.name}/r2.ZIP`, 'v1'),
        s3Event('not-the-artifact-bucket', `releases/${target.name}/r2.zip`, 'v1'),
      ]),
      lambdaContext as never,
    );
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([]);
    const lines = warn.mock.calls.map((call) => String(call[0]));
    expect(lines).toEqual([
      expect.stringContaining(`"releases/${target.name}/%E0%A4%A.zip" is not valid URL encoding`),
      expect.stringContaining(`s3://${world.bucket}/releases/${target.name}/r2.ZIP: the key ends in ".ZIP"`),
      expect.stringContaining('"not-the-artifact-bucket", not the artifact bucket'),
    ]);
    expect(await world.deployments.listByTarget(target.name)).toEqual([]);
  });

  it('reports only the failing record, so SQS retries just that one', async () => {
    // Prepare
    const target = await createFunctionTarget(world);
    const good = await uploadRelease(world, target.name, 'good', await functionPackage('good'));
    const bad = await uploadRelease(world, target.name, 'bad', await functionPackage('bad'));
    const handler = intakeWith({
      start: async (id) => {
        if ((await world.deployments.get(id))?.release === 'bad') throw new Error('Step Functions unavailable');
      },
    });
    // Act
    const response = (await handler(
      sqsEvent([s3Event(world.bucket, good.key, good.versionId!), s3Event(world.bucket, bad.key, bad.versionId!)]),
      lambdaContext as never,
    )) as { batchItemFailures: { itemIdentifier: string }[] };
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
  });
});

describe('Local intake poller', () => {
  it('moves a message that keeps failing to the dead-letter queue', async () => {
    // Prepare: a queue that redrives after 2 receives, redelivering at once
    await createWorld();
    const sqs = new SQSClient({});
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: uniqueName('dlq') }));
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: uniqueName('intake'),
        Attributes: { VisibilityTimeout: '0', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
      }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.QueueUrl, MessageBody: 'poison' }));
    let attempts = 0;
    const poller = startIntakePoller({
      queueUrl: queue.QueueUrl!,
      handler: async (event) => {
        attempts += 1;
        return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      },
    });
    // Act
    let deadLettered: string | undefined;
    for (let i = 0; i < 40 && !deadLettered; i++) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 0 }));
      deadLettered = out.Messages?.[0]?.Body;
      if (!deadLettered) await new Promise((r) => setTimeout(r, 250));
    }
    await poller.stop();
    // Assess
    expect(deadLettered).toBe('poison');
    expect(attempts).toBeGreaterThanOrEqual(2);
  });
});
