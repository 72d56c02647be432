import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeployHookStore } from '../../shared/adapters/aws/dynamo-deploy-hooks.js';
import { DynamoReleaseHistory } from '../../shared/adapters/aws/dynamo-release-history.js';
import { DynamoDeploymentStore } from '../../shared/adapters/aws/dynamo-deployments.js';
import { createTable } from '../../dev/provision.js';
import { hashHookSecret, newHookId, type DeployHook } from '../../shared/domain/deploy-hook.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

let tableName: string;
beforeAll(async () => {
  useMoto();
  tableName = uniqueName('hooks');
  await createTable(tableName);
});

function hook(target: string, createdAt: string, fields: Partial<DeployHook> = {}): DeployHook {
  return { id: newHookId(), target, name: `ci ${createdAt}`, secretSha256: hashHookSecret('s'), createdAt, ...fields };
}

describe('Class: DynamoDeployHookStore', () => {
  describe('Method: countCall', () => {
    const rate = { limit: 2, windowSeconds: 60 };

    it('allows the limit per fixed window, then says how long until the next window', async () => {
      // Prepare
      const store = new DynamoDeployHookStore({ tableName });
      const id = newHookId();
      const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0) + seconds * 1000);
      // Act
      const decisions = [
        await store.countCall(id, at(0), rate),
        await store.countCall(id, at(10), rate),
        await store.countCall(id, at(15), rate),
        await store.countCall(id, at(59), rate),
        await store.countCall(id, at(60), rate),
        await store.countCall(id, at(61), rate),
        await store.countCall(id, at(62), rate),
      ];
      // Assess
      expect(decisions).toEqual([
        { allowed: true },
        { allowed: true },
        { allowed: false, retryAfterSeconds: 45 },
        { allowed: false, retryAfterSeconds: 1 },
        { allowed: true },
        { allowed: true },
        { allowed: false, retryAfterSeconds: 58 },
      ]);
    });

    it('counts each hook on its own', async () => {
      // Prepare
      const store = new DynamoDeployHookStore({ tableName });
      const [a, b] = [newHookId(), newHookId()];
      const now = new Date(Date.UTC(2026, 0, 1, 13, 0, 0));
      // Act
      for (let i = 0; i < 3; i += 1) await store.countCall(a, now, rate);
      const other = await store.countCall(b, now, rate);
      // Assess
      expect(other).toEqual({ allowed: true });
    });

    it('allows exactly the limit in a fresh window that replaces an old one', async () => {
      // Prepare
      const store = new DynamoDeployHookStore({ tableName });
      const id = newHookId();
      const now = new Date(Date.UTC(2026, 0, 1, 14, 0, 0));
      await store.countCall(id, new Date(now.getTime() - 3_600_000), { limit: 5, windowSeconds: 60 }); // an old window to replace
      // Act: one call after another. Racing calls rely on DynamoDB evaluating each conditional
      // update atomically on the item; moto_server does not promise that under concurrency.
      const decisions = [];
      for (let i = 0; i < 12; i += 1) decisions.push(await store.countCall(id, now, { limit: 5, windowSeconds: 60 }));
      // Assess
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
    });
  });

  describe('Method: revoke', () => {
    it('takes the hook out of its target’s list and drops the hash, keeping the record', async () => {
      // Prepare
      const store = new DynamoDeployHookStore({ tableName });
      const target = uniqueName('t');
      const older = hook(target, '2026-01-01T00:00:00.000Z');
      const newer = hook(target, '2026-01-02T00:00:00.000Z');
      await store.create(older);
      await store.create(newer);
      const listed = (await store.listByTarget(target)).map((h) => h.id);
      // Act
      const wrongTarget = await store.revoke('another-target', older.id, new Date());
      const revoked = await store.revoke(target, older.id, new Date('2026-02-01T00:00:00Z'));
      const again = await store.revoke(target, older.id, new Date());
      // Assess
      expect(listed).toEqual([newer.id, older.id]);
      expect([wrongTarget, revoked, again]).toEqual([false, true, false]);
      expect((await store.listByTarget(target)).map((h) => h.id)).toEqual([newer.id]);
      const stored = await store.get(older.id);
      expect(stored).toMatchObject({ id: older.id, revokedAt: '2026-02-01T00:00:00.000Z' });
      expect(stored?.secretSha256).toBeUndefined();
    });

    it('refuses to create a hook whose id exists', async () => {
      // Prepare
      const store = new DynamoDeployHookStore({ tableName });
      const first = hook(uniqueName('t'), '2026-01-01T00:00:00.000Z');
      await store.create(first);
      // Act & Assess
      await expect(store.create({ ...first, name: 'other' })).rejects.toThrow(expect.objectContaining({ name: 'ConditionalCheckFailedException' }));
      expect((await store.get(first.id))?.name).toBe(first.name);
    });
  });
});

describe('Class: DynamoReleaseHistory', () => {
  it('knows a release that was deployed, whatever its outcome, and only for its own target', async () => {
    // Prepare
    const deployments = new DynamoDeploymentStore({ tableName });
    const history = new DynamoReleaseHistory({ tableName });
    const target = uniqueName('t');
    for (let i = 0; i < 30; i += 1) {
      const at = new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString();
      await deployments.create({
        id: `d-${target}-${i}`,
        target,
        release: `r${i}`,
        status: i === 0 ? 'failed' : 'succeeded',
        trigger: 's3',
        requestedAt: at,
        startedAt: at,
        updatedAt: at,
        trafficPercent: 0,
        timeline: [],
      });
    }
    // Act & Assess
    expect(await history.hasDeployment(target, 'r0')).toBe(true);
    expect(await history.hasDeployment(target, 'r29')).toBe(true);
    expect(await history.hasDeployment(target, 'r30')).toBe(false);
    expect(await history.hasDeployment(uniqueName('other'), 'r1')).toBe(false);
  });
});
