import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { STATUS_CHANGED, TRAFFIC_SHIFTED, eventsForChange, statusChangedDetailSchema, trafficShiftedDetailSchema } from '../../shared/domain/events.js';
import type { DeploymentEvents, DeploymentPatch, DeploymentStore, DeploymentTransitions, OutgoingEvent } from '../../shared/ports/index.js';
import { withDeploymentEvents } from '../../shared/usecases/deployment-events.js';

const T0 = '2026-03-01T10:00:00.000Z';

function record(overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'd-1',
    target: 'hello',
    release: 'r2',
    status: 'queued',
    trigger: 's3',
    requestedAt: T0,
    startedAt: T0,
    updatedAt: T0,
    trafficPercent: 0,
    timeline: [{ at: T0, step: 'intake', status: 'queued' }],
    ...overrides,
  };
}

describe('Function: eventsForChange', () => {
  it('announces a new record with its status and no previous status', () => {
    // Act
    const events = eventsForChange(undefined, record());
    // Assess
    expect(events).toEqual([
      {
        detailType: STATUS_CHANGED,
        detail: {
          schemaVersion: 1,
          deploymentId: 'd-1',
          target: 'hello',
          release: 'r2',
          trigger: 's3',
          status: 'queued',
          previousStatus: null,
          terminal: false,
          trafficPercent: 0,
          fromVersion: null,
          toVersion: null,
          reason: null,
          requestedBy: null,
          requestedAt: T0,
          startedAt: T0,
          endedAt: null,
          at: T0,
        },
      },
    ]);
  });

  it('announces a traffic step before the status change it came with', () => {
    // Prepare
    const before = record({ status: 'staging', fromVersion: '1', toVersion: '2' });
    const after = { ...before, status: 'shifting' as const, trafficPercent: 10, updatedAt: '2026-03-01T10:00:05.000Z' };
    // Act
    const events = eventsForChange(before, after);
    // Assess
    expect(events.map((e) => e.detailType)).toEqual([TRAFFIC_SHIFTED, STATUS_CHANGED]);
    expect(events[0]!.detail).toMatchObject({ previousTrafficPercent: 0, trafficPercent: 10, fromVersion: '1', toVersion: '2', at: after.updatedAt });
    expect(events[1]!.detail).toMatchObject({ previousStatus: 'staging', status: 'shifting', terminal: false });
  });

  it('announces a traffic step alone when the status stays', () => {
    // Prepare
    const before = record({ status: 'shifting', fromVersion: '1', toVersion: '2', trafficPercent: 10 });
    // Act
    const events = eventsForChange(before, { ...before, trafficPercent: 20 });
    // Assess
    expect(events.map((e) => [e.detailType, e.detail.trafficPercent])).toEqual([[TRAFFIC_SHIFTED, 20]]);
  });

  it('announces nothing for a write that changes neither (a timeline entry, a retried step)', () => {
    // Prepare
    const before = record({ status: 'shifting', fromVersion: '1', toVersion: '2', trafficPercent: 10 });
    // Act & Assess
    expect(eventsForChange(before, { ...before, sha256: 'ab', reason: 'x' })).toEqual([]);
  });

  it('announces the traffic going back to 0% and the terminal status on rollback', () => {
    // Prepare
    const before = record({ status: 'shifting', fromVersion: '1', toVersion: '2', trafficPercent: 50 });
    const after = { ...before, status: 'rolled_back' as const, trafficPercent: 0, endedAt: T0, reason: 'alarm errors fired' };
    // Act
    const events = eventsForChange(before, after);
    // Assess
    expect(events.map((e) => e.detailType)).toEqual([TRAFFIC_SHIFTED, STATUS_CHANGED]);
    expect(events[0]!.detail).toMatchObject({ previousTrafficPercent: 50, trafficPercent: 0 });
    expect(events[1]!.detail).toMatchObject({ status: 'rolled_back', terminal: true, reason: 'alarm errors fired', endedAt: T0 });
  });

  it('carries an app’s components on both details, and none for another target', () => {
    // Prepare
    const components = {
      api: { kind: 'function' as const, function: 'shop-api', fromVersion: '3', toVersion: '4', changed: true },
      web: { kind: 'site' as const, fromRelease: 'r1', changed: false },
    };
    const before = record({ target: 'shop', status: 'staging', components });
    // Act
    const events = eventsForChange(before, { ...before, status: 'shifting', trafficPercent: 10 });
    // Assess
    expect(events.map((e) => [e.detailType, (e.detail as { components?: unknown }).components])).toEqual([
      [TRAFFIC_SHIFTED, components],
      [STATUS_CHANGED, components],
    ]);
    expect(eventsForChange(undefined, record())[0]?.detail).not.toHaveProperty('components');
  });

  it('shifts no traffic for a release that was already live', () => {
    // Prepare: Stage found the same CodeSha256 live; Finalize records 100%.
    const before = record({ status: 'staging', fromVersion: '3', toVersion: '3' });
    // Act
    const events = eventsForChange(before, { ...before, status: 'succeeded', trafficPercent: 100 });
    // Assess
    expect(events.map((e) => e.detailType)).toEqual([STATUS_CHANGED]);
  });
});

describe('Schema: event details', () => {
  const detail = eventsForChange(undefined, record())[0]!.detail;

  it('accepts what the publisher builds', () => {
    // Act & Assess
    expect(statusChangedDetailSchema.parse(detail)).toEqual(detail);
  });

  it('refuses another schema version, unknown fields and an unknown status', () => {
    // Act & Assess
    expect(statusChangedDetailSchema.safeParse({ ...detail, schemaVersion: 2 }).success).toBe(false);
    expect(statusChangedDetailSchema.safeParse({ ...detail, extra: true }).success).toBe(false);
    expect(statusChangedDetailSchema.safeParse({ ...detail, status: 'done' }).success).toBe(false);
    expect(trafficShiftedDetailSchema.safeParse({ ...detail, previousTrafficPercent: 0, trafficPercent: 101 }).success).toBe(false);
  });
});

/** An in-memory store that reports before/after like the DynamoDB one. */
class MemoryStore implements DeploymentStore, DeploymentTransitions {
  readonly records = new Map<string, Deployment>();
  listed = 0;
  async create(d: Deployment) {
    const existing = this.records.get(d.id);
    if (existing) return { created: false, deployment: existing };
    this.records.set(d.id, d);
    return { created: true, deployment: d };
  }
  async get(id: string) {
    return this.records.get(id);
  }
  async update(id: string, patch: DeploymentPatch, entry: { step: string }) {
    return (await this.transition(id, patch, entry))?.after;
  }
  async transition(id: string, patch: DeploymentPatch, entry: { step: string }) {
    const before = this.records.get(id);
    if (!before || ['succeeded', 'failed', 'rolled_back', 'cancelled', 'superseded'].includes(before.status)) return undefined;
    const after = { ...before, ...patch, timeline: [...before.timeline, { ...entry, at: T0 }] } as Deployment;
    this.records.set(id, after);
    return { before, after };
  }
  async listByTarget() {
    this.listed++;
    return [...this.records.values()];
  }
}

class RecordingEvents implements DeploymentEvents {
  readonly published: { detailType: string; detail: Record<string, unknown> }[] = [];
  /** The size of each publish call. */
  readonly calls: number[] = [];
  failWith: Error | undefined;
  async publish(events: readonly OutgoingEvent[]) {
    if (this.failWith) throw this.failWith;
    this.calls.push(events.length);
    this.published.push(...events);
  }
}

describe('Function: withDeploymentEvents', () => {
  it('publishes a created record once, and nothing for a duplicate create', async () => {
    // Prepare
    const events = new RecordingEvents();
    const store = withDeploymentEvents(new MemoryStore(), events);
    // Act
    await store.create(record());
    await store.create(record());
    // Assess
    expect(events.published.map((e) => [e.detailType, e.detail.status])).toEqual([[STATUS_CHANGED, 'queued']]);
  });

  it('publishes status changes and traffic steps, and nothing for a refused update', async () => {
    // Prepare
    const events = new RecordingEvents();
    const store = withDeploymentEvents(new MemoryStore(), events);
    await store.create(record({ fromVersion: '1', toVersion: '2' }));
    // Act
    await store.update('d-1', { status: 'staging' }, { step: 'lock' });
    await store.update('d-1', { status: 'shifting', trafficPercent: 10 }, { step: 'shift' });
    await store.update('d-1', {}, { step: 'check' });
    await store.update('d-1', { status: 'succeeded', trafficPercent: 100 }, { step: 'finalize' });
    const refused = await store.update('d-1', { status: 'failed' }, { step: 'rollback' });
    // Assess
    expect(refused).toBeUndefined();
    expect(events.published.map((e) => `${e.detailType}:${e.detail.status}:${e.detail.trafficPercent}`)).toEqual([
      'Deployment Status Changed:queued:0',
      'Deployment Status Changed:staging:0',
      'Deployment Traffic Shifted:shifting:10',
      'Deployment Status Changed:shifting:10',
      'Deployment Traffic Shifted:succeeded:100',
      'Deployment Status Changed:succeeded:100',
    ]);
    // One publish per write: a traffic step and its status change go out together.
    expect(events.calls).toEqual([1, 1, 2, 2]);
  });

  it('does not fail the write when publishing fails, and reports the event it lost', async () => {
    // Prepare
    const events = new RecordingEvents();
    events.failWith = new Error('bus unavailable');
    const failures: { message: string; detailType: string; error: string }[] = [];
    const inner = new MemoryStore();
    const store = withDeploymentEvents(inner, events, (message, details) => failures.push({ message, detailType: details.detailType, error: details.error }));
    await inner.create(record());
    // Act
    const updated = await store.update('d-1', { status: 'staging' }, { step: 'lock' });
    // Assess
    expect(updated?.status).toBe('staging');
    expect(inner.records.get('d-1')?.status).toBe('staging');
    expect(failures).toEqual([{ message: expect.stringContaining('d-1') as string, detailType: STATUS_CHANGED, error: 'bus unavailable' }]);
  });

  it('passes every other method straight to the store', async () => {
    // Prepare
    const inner = new MemoryStore();
    const store = withDeploymentEvents(inner, new RecordingEvents());
    // Act
    await store.listByTarget();
    // Assess
    expect(inner.listed).toBe(1);
    expect(store).toBeInstanceOf(MemoryStore);
  });
});
