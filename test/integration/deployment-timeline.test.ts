import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeploymentStore, deploymentKey } from '../../shared/adapters/aws/dynamo-deployments.js';
import { createTable } from '../../dev/provision.js';
import { boundEntry, TIMELINE_MAX_ENTRIES, type Deployment } from '../../shared/domain/deployment.js';
import { dynamoItemBytes } from '../support/dynamo-item-size.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

const DYNAMODB_ITEM_LIMIT = 400 * 1024;

function record(id: string): Deployment {
  const at = '2026-01-01T00:00:00.000Z';
  return {
    id,
    target: 'busy',
    release: 'r1',
    status: 'waiting',
    trigger: 's3',
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    trafficPercent: 0,
    timeline: [{ at, step: 'intake', status: 'queued', message: 'release r1 arrived' }],
  };
}

describe('Class: DynamoDeploymentStore (timeline bounds)', () => {
  let tableName: string;
  let raw: DynamoDBDocumentClient;
  beforeAll(async () => {
    useMoto();
    tableName = uniqueName('timeline');
    await createTable(tableName);
    raw = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  });

  async function storedBytes(id: string): Promise<number> {
    const out = await raw.send(new GetCommand({ TableName: tableName, Key: deploymentKey(id) }));
    return dynamoItemBytes(out.Item ?? {});
  }

  it('keeps a record of a long traffic-gated wait under 400 KB, and its terminal write still lands', { timeout: 120_000 }, async () => {
    // Prepare: the worst case, a timeline already at the cap, every tick a different message as long as an entry may be
    // (moto slows down with the item's size, so the record starts full instead of taking 200 writes to fill)
    const store = new DynamoDeploymentStore({ tableName });
    const id = uniqueName('gated');
    const tick = (n: number) => ({
      step: 'window',
      status: 'waiting' as const,
      message: `tick ${n}: traffic is ${1000 + n} requests/min, above 500; ${'x'.repeat(2_000)}`,
    });
    const seeded = record(id);
    const full = Array.from({ length: TIMELINE_MAX_ENTRIES - 1 }, (_, n) => ({ at: seeded.requestedAt, ...boundEntry(tick(n)) }));
    await store.create({ ...seeded, timeline: [...seeded.timeline, ...full] });
    let largest = await storedBytes(id);
    // Act: 60 more ticks, past the cap twice
    for (let n = TIMELINE_MAX_ENTRIES - 1; n < TIMELINE_MAX_ENTRIES + 59; n += 1) {
      await store.update(id, { reason: 'window open but traffic is above its maxRequestsPerMinute 500' }, tick(n));
      if (n % 10 === 0) largest = Math.max(largest, await storedBytes(id));
    }
    const ended = await store.update(
      id,
      { status: 'failed', endedAt: new Date().toISOString(), reason: `gave up: ${'why '.repeat(50_000)}` },
      { step: 'rollback', status: 'failed', error: 'e'.repeat(100_000) },
    );
    // Assess
    largest = Math.max(largest, await storedBytes(id));
    expect(largest).toBeLessThan(DYNAMODB_ITEM_LIMIT / 2);
    expect(ended?.status).toBe('failed');
    const stored = await store.get(id);
    expect(stored?.status).toBe('failed');
    expect(stored?.reason?.length).toBeLessThan(5_000);
    expect(stored?.timeline.length).toBeLessThanOrEqual(TIMELINE_MAX_ENTRIES);
    expect(stored?.timeline[0]?.step).toBe('intake');
    expect(stored?.timeline.at(-1)).toMatchObject({ step: 'rollback', status: 'failed' });
    const marker = stored?.timeline.find((e) => e.step === 'timeline');
    const ticksKept = stored?.timeline.filter((e) => e.step === 'window').length ?? 0;
    expect((marker?.dropped ?? 0) + ticksKept).toBe(TIMELINE_MAX_ENTRIES + 59);
  });

  it('refuses a late write to a terminal record even when its timeline is full', async () => {
    // Prepare
    const store = new DynamoDeploymentStore({ tableName });
    const id = uniqueName('full');
    const seeded = record(id);
    await store.create({
      ...seeded,
      timeline: Array.from({ length: TIMELINE_MAX_ENTRIES }, (_, n) => ({ at: seeded.requestedAt, step: 'window', message: `tick ${n}` })),
    });
    await store.update(id, { status: 'succeeded' }, { step: 'finalize', status: 'succeeded' });
    // Act
    const late = await store.update(id, { status: 'rolled_back' }, { step: 'rollback' });
    // Assess
    expect(late).toBeUndefined();
    expect((await store.get(id))?.status).toBe('succeeded');
  });
});
