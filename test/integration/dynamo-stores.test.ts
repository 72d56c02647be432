import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeploymentStore } from '../../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../../shared/adapters/aws/dynamo-locks.js';
import { createTable } from '../../dev/provision.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

function record(id: string, requestedAt: string, target = 't1'): Deployment {
  return {
    id,
    target,
    release: `r-${id}`,
    status: 'queued',
    trigger: 's3',
    requestedAt,
    startedAt: requestedAt,
    updatedAt: requestedAt,
    trafficPercent: 0,
    timeline: [],
  };
}

describe('DynamoDB stores', () => {
  let tableName: string;
  beforeAll(async () => {
    useMoto();
    tableName = uniqueName('stores');
    await createTable(tableName);
  });

  describe('Class: DynamoDeploymentStore', () => {
    it('creates a deployment once and returns the stored one on a repeat', async () => {
      // Prepare
      const store = new DynamoDeploymentStore({ tableName });
      // Act
      const first = await store.create(record('a1', '2026-01-01T00:00:00Z'));
      const second = await store.create({ ...record('a1', '2026-01-02T00:00:00Z'), release: 'other' });
      // Assess
      expect(first.created).toBe(true);
      expect(second).toMatchObject({ created: false, deployment: { release: 'r-a1' } });
    });

    it('appends to the timeline and never changes a terminal record', async () => {
      // Prepare
      const store = new DynamoDeploymentStore({ tableName });
      await store.create(record('b1', '2026-01-01T00:00:00Z'));
      // Act
      const shifted = await store.update('b1', { status: 'shifting', trafficPercent: 10 }, { step: 'shift', trafficPercent: 10 });
      const done = await store.update('b1', { status: 'succeeded' }, { step: 'finalize' });
      const late = await store.update('b1', { status: 'rolled_back' }, { step: 'rollback' });
      // Assess
      expect(shifted).toMatchObject({ status: 'shifting', trafficPercent: 10 });
      expect(done?.status).toBe('succeeded');
      expect(late).toBeUndefined();
      const stored = await store.get('b1');
      expect(stored?.status).toBe('succeeded');
      expect(stored?.timeline.map((e) => e.step)).toEqual(['shift', 'finalize']);
    });

    it('reports the record before and after an update, as stored', async () => {
      // Prepare
      const store = new DynamoDeploymentStore({ tableName });
      await store.create(record('t1', '2026-01-01T00:00:00Z'));
      await store.update('t1', { status: 'shifting', trafficPercent: 10 }, { step: 'shift' });
      // Act
      const change = await store.transition(
        't1',
        { status: 'verifying', trafficPercent: 100, reason: undefined },
        { step: 'shift', status: 'verifying', message: undefined },
      );
      const stored = await store.get('t1');
      await store.update('t1', { status: 'succeeded' }, { step: 'finalize' });
      const refused = await store.transition('t1', { status: 'failed' }, { step: 'rollback' });
      // Assess
      expect(change?.before).toMatchObject({ status: 'shifting', trafficPercent: 10 });
      expect(change?.before.timeline).toHaveLength(1);
      expect(change?.after).toEqual(stored);
      expect(change?.after.timeline.at(-1)).toEqual({ step: 'shift', status: 'verifying', at: change?.after.updatedAt });
      expect(refused).toBeUndefined();
    });

    it('lists a target’s deployments newest first', async () => {
      // Prepare
      const store = new DynamoDeploymentStore({ tableName });
      await store.create(record('c2', '2026-01-02T00:00:00Z', 'listed'));
      await store.create(record('c1', '2026-01-01T00:00:00Z', 'listed'));
      await store.create(record('c3', '2026-01-03T00:00:00Z', 'listed'));
      await store.create(record('x9', '2026-01-04T00:00:00Z', 'elsewhere'));
      // Act
      const listed = await store.listByTarget('listed');
      // Assess
      expect(listed.map((d) => d.id)).toEqual(['c3', 'c2', 'c1']);
    });
  });

  describe('Class: DynamoLockStore', () => {
    it('lets one deployment hold a target at a time and only the holder release it', async () => {
      // Prepare
      const locks = new DynamoLockStore({ tableName });
      // Act + Assess
      expect(await locks.acquire('locked', 'd1')).toBe(true);
      expect(await locks.acquire('locked', 'd1')).toBe(true);
      expect(await locks.acquire('locked', 'd2')).toBe(false);
      await locks.release('locked', 'd2');
      expect(await locks.holder('locked')).toBe('d1');
      await locks.release('locked', 'd1');
      expect(await locks.holder('locked')).toBeUndefined();
      expect(await locks.acquire('locked', 'd2')).toBe(true);
    });
  });
});
