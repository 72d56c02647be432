import { describe, expect, it } from 'vitest';
import { settleInterruptedDeployments } from '../../dev/interrupted.js';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { ConflictError, ValidationError } from '../../shared/domain/errors.js';
import {
  PROMOTION_APPROVED,
  PROMOTION_AWAITING_APPROVAL,
  PROMOTION_REJECTED,
  STATUS_CHANGED,
  eventsForChange,
  promotionEligibleDetailSchema,
} from '../../shared/domain/events.js';
import { parseTarget, type Target } from '../../shared/domain/target.js';
import { deployRequestSchema } from '../../shared/http/schemas.js';
import type { DeploymentPatch, DeploymentStore, UpdateGuards } from '../../shared/ports/index.js';
import { cancelDeployment, promoteDeployment } from '../../shared/usecases/control.js';
import { approvePromotion, promoteRelease, promotionGate, rejectPromotion } from '../../shared/usecases/promotions.js';
import { applyTarget } from '../../shared/usecases/targets.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const clock = { now: () => NOW };
const SHA = 'a'.repeat(64);

function fnTarget(name: string, promotion?: Record<string, unknown>): Target {
  return parseTarget({ name, kind: 'function', function: { name, alias: 'live' }, ...(promotion ? { promotion } : {}) });
}

function record(fields: Partial<Deployment> & Pick<Deployment, 'id' | 'target' | 'release'>): Deployment {
  return {
    status: 'succeeded',
    trigger: 's3',
    requestedAt: '2026-06-01T10:00:00.000Z',
    startedAt: '2026-06-01T10:00:00.000Z',
    updatedAt: '2026-06-01T10:05:00.000Z',
    endedAt: '2026-06-01T10:05:00.000Z',
    trafficPercent: 100,
    sha256: SHA,
    artifact: { bucket: 'art', key: `releases/${fields.target}/${fields.release}.zip` },
    timeline: [],
    ...fields,
  };
}

/** An in-memory store whose updates are atomic and honour the guards the DynamoDB store writes as conditions. */
class MemoryDeployments implements DeploymentStore {
  readonly byId = new Map<string, Deployment>();
  constructor(records: Deployment[] = []) {
    for (const d of records) this.byId.set(d.id, d);
  }
  async create(deployment: Deployment) {
    const existing = this.byId.get(deployment.id);
    if (existing) return { created: false, deployment: existing };
    this.byId.set(deployment.id, deployment);
    return { created: true, deployment };
  }
  async get(id: string) {
    return this.byId.get(id);
  }
  async update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>, options: UpdateGuards = {}) {
    const d = this.byId.get(id);
    if (!d || ['succeeded', 'failed', 'cancelled', 'rolled_back', 'superseded'].includes(d.status)) return undefined;
    if (options.unlessCancelRequested && d.cancelRequestedAt) return undefined;
    if (options.onlyIfApprovalPending && d.approval?.state !== 'pending') return undefined;
    const after = { ...d, ...patch, updatedAt: NOW.toISOString(), timeline: [...d.timeline, { ...entry, at: NOW.toISOString() }] } as Deployment;
    this.byId.set(id, after);
    return after;
  }
  async listByTarget(target: string) {
    return [...this.byId.values()].filter((d) => d.target === target).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }
}

function world(records: Deployment[], targets: Target[]) {
  const deployments = new MemoryDeployments(records);
  const started: string[] = [];
  const byName = new Map(targets.map((t) => [t.name, t]));
  const deps = {
    targets: { get: async (n: string) => byName.get(n), list: async () => [...byName.values()], put: async (t: Target) => void byName.set(t.name, t) },
    deployments,
    orchestrator: { start: async (id: string) => void started.push(id) },
    clock,
  };
  return { deps, deployments, started };
}

const staging = fnTarget('api-staging');
const prod = fnTarget('api-prod', { from: 'api-staging', approval: 'required' });
const passed = record({ id: 'd-up7', target: 'api-staging', release: 'r7' });

describe('promotionGate', () => {
  it('refuses an upload to a gated target, naming the upstream and what the release lacks', async () => {
    // Prepare
    const { deps } = world([], [staging, prod]);
    // Act
    const why = await promotionGate(deps, record({ id: 'd-1', target: 'api-prod', release: 'r7', status: 'queued' }), prod);
    // Assess
    expect(why).toBe(
      'api-prod takes releases only by promotion from api-staging; release "r7" never succeeded on api-staging; deploy it there first, then `npx slipway pipeline promote api-prod --release r7` (or, to bypass the gate, deploy with --force --reason "…")',
    );
  });

  it('tells how to promote a release that passed upstream, and lets a forced one, a rollback or a configuration change through', async () => {
    const { deps } = world([passed], [staging, prod]);
    const direct = record({ id: 'd-1', target: 'api-prod', release: 'r7', status: 'queued', trigger: 'api' });
    expect(await promotionGate(deps, direct, prod)).toMatch(
      /release r7 passed there \(succeeded on api-staging at .*\): promote it with `npx slipway pipeline promote api-prod --release r7`/,
    );
    expect(await promotionGate(deps, { ...direct, forcedBy: 'arn:me', forceReason: 'incident' }, prod)).toBeUndefined();
    expect(await promotionGate(deps, { ...direct, trigger: 'rollback' }, prod)).toBeUndefined();
    expect(await promotionGate(deps, { ...direct, trigger: 'config' }, prod)).toBeUndefined();
    expect(await promotionGate(deps, direct, staging)).toBeUndefined();
  });

  it('lets an approved promotion of the same bytes through, and refuses other bytes, no approval or a rollback upstream', async () => {
    // Prepare
    const promotion = record({
      id: 'd-p',
      target: 'api-prod',
      release: 'r7',
      status: 'queued',
      trigger: 'promotion',
      promotion: { from: 'api-staging', upstreamDeploymentId: 'd-up7' },
      approval: { state: 'approved', by: 'arn:me', reason: 'ok', at: NOW.toISOString() },
    });
    const { deps } = world([passed], [staging, prod]);
    const rolledBackUpstream = world(
      [
        passed,
        record({
          id: 'd-up8',
          target: 'api-staging',
          release: 'r8',
          requestedAt: '2026-06-01T11:00:00.000Z',
          endedAt: '2026-06-01T11:00:00.000Z',
          sha256: 'b'.repeat(64),
        }),
        record({
          id: 'd-rb',
          target: 'api-staging',
          release: 'r7',
          trigger: 'rollback',
          requestedAt: '2026-06-01T11:30:00.000Z',
          endedAt: '2026-06-01T11:30:00.000Z',
        }),
      ],
      [staging, prod],
    );
    // Act / Assess
    expect(await promotionGate(deps, promotion, prod)).toBeUndefined();
    expect(await promotionGate(deps, { ...promotion, sha256: 'c'.repeat(64) }, prod)).toMatch(
      /cannot promote r7 into api-prod: release r7 with sha256 c+ is not among/,
    );
    expect(await promotionGate(deps, { ...promotion, approval: { state: 'pending' } }, prod)).toMatch(/requires approval and this promotion was not approved/);
    expect(await promotionGate(deps, { ...promotion, promotion: { from: 'api-qa', upstreamDeploymentId: 'x' } }, prod)).toMatch(
      /now promotes from api-staging/,
    );
    const r8 = { ...promotion, release: 'r8', sha256: 'b'.repeat(64) };
    expect(await promotionGate(rolledBackUpstream.deps, r8, prod)).toMatch(/no longer eligible on api-staging: r8 was rolled back on api-staging/);
  });
});

describe('approve and reject', () => {
  async function pending() {
    const w = world([passed], [staging, prod]);
    const { deployment } = await promoteRelease(w.deps, { target: 'api-prod', requestedBy: 'arn:dev' });
    return { ...w, id: deployment.id };
  }

  it('a promotion behind approval waits with no execution; a second request for the same release is refused', async () => {
    const { deps, deployments, started, id } = await pending();
    expect(await deployments.get(id)).toMatchObject({ status: 'waiting', approval: { state: 'pending' } });
    expect(started).toEqual([]);
    const later = { ...deps, clock: { now: () => new Date(NOW.getTime() + 1000) } };
    await expect(promoteRelease(later, { target: 'api-prod' })).rejects.toThrow(/already awaits approval: d-/);
    // The same request again (an automatic promotion's key, or the same instant) finds the same record.
    expect(await promoteRelease(deps, { target: 'api-prod' })).toMatchObject({ created: false, deployment: { id } });
  });

  it('of two approvals at once exactly one wins and the record names its approver', async () => {
    // Prepare
    const { deps, deployments, started, id } = await pending();
    // Act
    const outcomes = await Promise.allSettled([
      approvePromotion(deps, { id, reason: 'first', requestedBy: 'arn:alice' }),
      approvePromotion(deps, { id, reason: 'second', requestedBy: 'arn:bob' }),
    ]);
    // Assess
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ConflictError);
    expect(loser.reason.message).toMatch(/is not awaiting approval: it was approved by arn:alice/);
    expect(await deployments.get(id)).toMatchObject({ status: 'waiting', approval: { state: 'approved', by: 'arn:alice', reason: 'first' } });
    expect(new Set(started)).toEqual(new Set([id]));
  });

  it('a rejection cancels it, and then neither approve nor reject is possible', async () => {
    const { deps, deployments, started, id } = await pending();
    const rejected = await rejectPromotion(deps, { id, reason: 'not today', requestedBy: 'arn:carol' });
    expect(rejected).toMatchObject({ status: 'cancelled', reason: 'rejected by arn:carol: not today', approval: { state: 'rejected', by: 'arn:carol' } });
    await expect(approvePromotion(deps, { id, reason: 'x' })).rejects.toThrow(/not awaiting approval: it was rejected by arn:carol/);
    await expect(rejectPromotion(deps, { id, reason: 'x' })).rejects.toThrow(ConflictError);
    expect(started).toEqual([]);
    expect((await deployments.get(id))?.status).toBe('cancelled');
  });

  it('refuses a deployment that never awaited approval', async () => {
    const { deps } = world([record({ id: 'd-x', target: 'api-staging', release: 'r1', status: 'shifting' })], [staging]);
    await expect(approvePromotion(deps, { id: 'd-x', reason: 'x' })).rejects.toThrow(/only a promotion into a target with promotion.approval "required"/);
    await expect(rejectPromotion(deps, { id: 'd-nope', reason: 'x' })).rejects.toThrow(/does not exist/);
  });

  it('a cancel ends a promotion awaiting approval at once; a promote (start now) is refused', async () => {
    const { deployments, id } = await pending();
    const control = {
      requestCancel: async (i: string, r: { by?: string; reason?: string }) => ({
        recorded: true,
        deployment: { ...(await deployments.get(i))!, cancelRequestedAt: NOW.toISOString(), ...(r.by ? { cancelRequestedBy: r.by } : {}) },
      }),
      requestPromote: async (i: string) => ({ recorded: false, deployment: await deployments.get(i) }),
      requestStart: async () => {
        throw new Error('must not be asked');
      },
    };
    await expect(promoteDeployment({ control, clock }, { id, reason: 'now' })).rejects.toThrow(/awaits approval; approve it/);
    const cancelled = await cancelDeployment({ control, clock, deployments }, { id, requestedBy: 'arn:dev' });
    expect(cancelled).toMatchObject({ status: 'cancelled', reason: 'cancelled by arn:dev before approval' });
  });

  it('slipway dev does not settle a promotion awaiting approval as interrupted', async () => {
    const { deployments, id } = await pending();
    const rolledBack: string[] = [];
    const settled = await settleInterruptedDeployments({
      targets: { list: async () => [prod, staging] },
      deployments,
      locks: { holder: async () => undefined, release: async () => undefined },
      rollback: async (state) => void rolledBack.push(state.deploymentId),
      log: () => undefined,
    });
    expect(settled).toEqual([]);
    expect(rolledBack).toEqual([]);
    expect((await deployments.get(id))?.status).toBe('waiting');
  });
});

describe('promotion events', () => {
  const waiting = record({
    id: 'd-p',
    target: 'api-prod',
    release: 'r7',
    status: 'waiting',
    trigger: 'promotion',
    reason: 'awaiting approval',
    endedAt: undefined,
    trafficPercent: 0,
    promotion: { from: 'api-staging', upstreamDeploymentId: 'd-up7' },
    approval: { state: 'pending' },
  });

  it('awaiting on create, approved once, rejected with the status change', () => {
    expect(eventsForChange(undefined, waiting).map((e) => e.detailType)).toEqual([STATUS_CHANGED, PROMOTION_AWAITING_APPROVAL]);
    const approved = { ...waiting, approval: { state: 'approved' as const, by: 'arn:alice', reason: 'ok', at: NOW.toISOString() } };
    const events = eventsForChange(waiting, approved);
    expect(events.map((e) => e.detailType)).toEqual([PROMOTION_APPROVED]);
    expect(events[0]?.detail).toMatchObject({ from: 'api-staging', upstreamDeploymentId: 'd-up7', sha256: SHA, approval: { by: 'arn:alice', reason: 'ok' } });
    expect(eventsForChange(approved, { ...approved, status: 'staging' }).map((e) => e.detailType)).toEqual([STATUS_CHANGED]);
    const rejected = {
      ...waiting,
      status: 'cancelled' as const,
      endedAt: NOW.toISOString(),
      approval: { state: 'rejected' as const, reason: 'no', at: NOW.toISOString() },
    };
    expect(eventsForChange(waiting, rejected).map((e) => e.detailType)).toEqual([STATUS_CHANGED, PROMOTION_REJECTED]);
    expect(eventsForChange(waiting, rejected)[1]?.detail).toMatchObject({ approval: { by: null, reason: 'no' } });
  });

  it('Promotion Eligible has a strict detail schema', () => {
    const detail = {
      schemaVersion: 1,
      target: 'api-prod',
      from: 'api-staging',
      release: 'r7',
      sha256: SHA,
      upstreamDeploymentId: 'd-up7',
      at: NOW.toISOString(),
    };
    expect(promotionEligibleDetailSchema.parse(detail)).toEqual(detail);
    expect(promotionEligibleDetailSchema.safeParse({ ...detail, extra: 1 }).success).toBe(false);
  });
});

describe('promotion chains at PUT /targets', () => {
  it('refuses a target that promotes from itself or closes a loop, and allows an unknown upstream', async () => {
    const { deps } = world([], [fnTarget('a'), fnTarget('b', { from: 'a' })]);
    const body = (from: string) => ({ kind: 'function', function: { name: 'a', alias: 'live' }, promotion: { from } });
    await expect(applyTarget(deps, 'a', body('a'))).rejects.toThrow(/cannot promote from itself/);
    const loop = await applyTarget(deps, 'a', body('b')).catch((e: unknown) => e);
    expect(loop).toBeInstanceOf(ValidationError);
    expect((loop as ValidationError).message).toBe('promotion.from "b" would close a loop: a → b → a; a chain of environments must have a first one');
    await expect(applyTarget(deps, 'a', body('nowhere'))).resolves.toMatchObject({ target: { promotion: { from: 'nowhere' } } });
  });
});

describe('POST /deployments force', () => {
  it('requires a reason with force, and a reason only with force', () => {
    expect(deployRequestSchema.safeParse({ target: 'a', release: 'r1', force: true }).error?.issues[0]?.message).toMatch(/required with force/);
    expect(deployRequestSchema.safeParse({ target: 'a', release: 'r1', reason: 'x' }).success).toBe(false);
    expect(deployRequestSchema.safeParse({ target: 'a', release: 'r1', force: true, reason: 'incident' }).success).toBe(true);
  });
});

describe('DynamoDeploymentStore approval guard', () => {
  it('sends the pending-approval condition with the update', async () => {
    // Prepare
    const { mockClient } = await import('aws-sdk-client-mock');
    const { DynamoDBDocumentClient, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const { DynamoDeploymentStore } = await import('../../shared/adapters/aws/dynamo-deployments.js');
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(client);
    mock.on(UpdateCommand).resolves({ Attributes: { ...record({ id: 'd-1', target: 't', release: 'r', status: 'waiting' }), approval: { state: 'pending' } } });
    const store = new DynamoDeploymentStore({ client, tableName: 'tbl' });
    // Act
    await store.update('d-1', { approval: { state: 'approved', by: 'arn:a' } }, { step: 'approval' }, { onlyIfApprovalPending: true });
    // Assess
    const input = mock.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(input?.ConditionExpression).toContain('#approval.#approvalState = :pending');
    expect(input?.ExpressionAttributeNames).toMatchObject({ '#approval': 'approval', '#approvalState': 'state' });
    expect(input?.ExpressionAttributeValues).toMatchObject({ ':pending': 'pending', ':approval': { state: 'approved', by: 'arn:a' } });
  });
});
