import { beforeEach, describe, expect, it } from 'vitest';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { MissingResourceError, VersionFailedError } from '../../shared/domain/errors.js';
import { functionTargetSchema, parseWith } from '../../shared/domain/target.js';
import type { ConcurrencyAllocation, ConcurrencyAllocator, ConcurrencyReleaser, DeploymentPatch, DeploymentStore } from '../../shared/ports/index.js';
import {
  allocateOnNewVersion,
  awaitProvisionedConcurrency,
  releaseNewVersion,
  type ProvisionedConcurrencyDeps,
} from '../../shared/usecases/workflow/provisioned-concurrency.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const target = parseWith(functionTargetSchema, { name: 'web', kind: 'function', function: { name: 'web', alias: 'live' } }, 'target');
const ID = 'd-1';

class MemoryDeployments implements DeploymentStore {
  record: Deployment = { id: ID, target: 'web', timeline: [] as TimelineEntry[] } as Deployment;
  async create(deployment: Deployment) {
    return { created: false, deployment };
  }
  async get() {
    return structuredClone(this.record);
  }
  async update(_id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>) {
    this.record = { ...this.record, ...patch, timeline: [...this.record.timeline, { ...entry, at: new Date(clock.now).toISOString() }] } as Deployment;
    return structuredClone(this.record);
  }
  async listByTarget() {
    return [this.record];
  }
  messages(): string[] {
    return this.record.timeline.map((e) => e.message ?? '');
  }
}

/** Lambda's provisioned concurrency, per qualifier; `next` is what the new version reads on each look. */
class FakeLambda implements ConcurrencyAllocator, ConcurrencyReleaser {
  readonly configs = new Map<string, ConcurrencyAllocation>();
  puts = 0;
  async allocation(_fn: string, qualifier: string) {
    return this.configs.get(qualifier);
  }
  async allocate(_fn: string, version: string, amount: number) {
    this.puts += 1;
    const allocation: ConcurrencyAllocation = { requested: amount, allocated: 0, available: 0, status: 'IN_PROGRESS' };
    this.configs.set(version, allocation);
    return allocation;
  }
  async release(_fn: string, version: string) {
    return this.configs.delete(version);
  }
  set(qualifier: string, status: ConcurrencyAllocation['status'], requested = 4, statusReason?: string) {
    const ready = status === 'READY' ? requested : 0;
    this.configs.set(qualifier, { requested, allocated: ready, available: ready, status, ...(statusReason ? { statusReason } : {}) });
  }
}

const clock = { now: Date.parse('2026-03-02T10:00:00Z') };
let deployments: MemoryDeployments;
let lambda: FakeLambda;
let deps: ProvisionedConcurrencyDeps;
const state: WorkflowState = { deploymentId: ID, target, steps: [{ percent: 100, bakeSeconds: 0 }] } as WorkflowState;
const versions = { fromVersion: '7', toVersion: '8' };

beforeEach(() => {
  clock.now = Date.parse('2026-03-02T10:00:00Z');
  deployments = new MemoryDeployments();
  lambda = new FakeLambda();
  deps = { deployments, concurrency: lambda, clock: { now: () => new Date(clock.now) }, pollSeconds: 5, deadlineSeconds: 60 };
});

describe('allocateOnNewVersion', () => {
  it('asks for the live version’s amount on the new version, records it first, and waits with the poll interval', async () => {
    // Prepare
    lambda.set('7', 'READY', 4);
    // Act
    const next = await allocateOnNewVersion(deps, target, state, versions, undefined);
    // Assess
    expect(lambda.configs.get('8')).toMatchObject({ requested: 4 });
    expect(deployments.record.provisionedConcurrency).toEqual({ amount: 4, fromVersion: '7', toVersion: '8', allocated: true });
    expect(next.provisioned).toMatchObject({ amount: 4, ready: false, status: 'IN_PROGRESS', waitSeconds: 5, deadline: '2026-03-02T10:01:00.000Z' });
    expect(next.waits?.ticks).toBe(1);
    expect(deployments.messages().at(-1)).toBe('allocating 4 provisioned concurrency on version 8: IN_PROGRESS');
  });

  it('asks once when retried: the record says the allocation is this deployment’s, and Lambda already has it', async () => {
    lambda.set('7', 'READY', 4);
    await allocateOnNewVersion(deps, target, state, versions, undefined);
    await allocateOnNewVersion(deps, target, state, versions, deployments.record.provisionedConcurrency);
    expect(lambda.puts).toBe(1);
  });

  it('allocates nothing when neither the live version nor the alias has provisioned concurrency', async () => {
    const next = await allocateOnNewVersion(deps, target, state, versions, undefined);
    expect(next).toBe(state);
    expect(lambda.puts).toBe(0);
    expect(deployments.record.timeline).toEqual([]);
  });

  it('leaves an allocation it found on the new version in place (allocated: false, so a rollback keeps it)', async () => {
    // Prepare
    lambda.set('7', 'READY', 4);
    lambda.set('8', 'READY', 6);
    // Act
    const next = await allocateOnNewVersion(deps, target, state, versions, undefined);
    // Assess
    expect(lambda.puts).toBe(0);
    expect(next.provisioned).toMatchObject({ allocated: false, ready: true });
    expect(await releaseNewVersion({ concurrency: lambda }, target, next.provisioned)).toBeUndefined();
    expect(lambda.configs.has('8')).toBe(true);
  });
});

describe('awaitProvisionedConcurrency', () => {
  async function started(): Promise<WorkflowState> {
    lambda.set('7', 'READY', 4);
    return allocateOnNewVersion(deps, target, state, versions, undefined);
  }

  it('writes a timeline line when the status changes, not on every tick, and lets traffic move once READY', async () => {
    // Prepare
    let next = await started();
    // Act: two more ticks IN_PROGRESS, then READY.
    for (let tick = 0; tick < 2; tick += 1) {
      clock.now += 5000;
      next = await awaitProvisionedConcurrency(deps, next);
    }
    lambda.set('8', 'READY', 4);
    clock.now += 5000;
    next = await awaitProvisionedConcurrency(deps, next);
    // Assess
    expect(next.provisioned).toMatchObject({ ready: true, status: 'READY' });
    expect(next.waits?.ticks).toBe(3);
    const progress = deployments.messages().filter((m) => m.startsWith('allocating'));
    expect(progress).toEqual([
      'allocating 4 provisioned concurrency on version 8: IN_PROGRESS',
      'allocating 4 provisioned concurrency on version 8: READY (4 available); traffic may move',
    ]);
  });

  it('fails with Lambda’s StatusReason when the allocation ends FAILED', async () => {
    const next = await started();
    lambda.set('8', 'FAILED', 4, 'FUNCTION_ERROR_INIT_FAILURE');
    const failure = awaitProvisionedConcurrency(deps, next);
    await expect(failure).rejects.toBeInstanceOf(VersionFailedError);
    await expect(failure).rejects.toThrow(/failed to initialise: FUNCTION_ERROR_INIT_FAILURE; no traffic was moved to it/);
  });

  it('fails in words once the deadline has passed with the allocation still IN_PROGRESS', async () => {
    const next = await started();
    clock.now += 61_000;
    await expect(awaitProvisionedConcurrency(deps, next)).rejects.toThrow(
      /was still IN_PROGRESS at the deadline \(2026-03-02T10:01:00\.000Z\); no traffic was moved to it: .*SLIPWAY_PROVISIONED_DEADLINE_SECONDS/,
    );
  });

  it('stretches its ticks so that the wait up to the deadline fits the execution’s history budget', async () => {
    // Prepare: a budget with room for the path, one bake tick and a few waits only.
    deps = { ...deps, pollSeconds: 1, deadlineSeconds: 600, historyEventBudget: 66 + 7 + 60 * 9 + 9 * 8 };
    // Act
    const next = await started();
    // Assess: 600 s over the few ticks left, never one a second.
    expect(next.provisioned?.waitSeconds).toBeGreaterThan(60);
  });

  it('stops when the allocation it waits for was deleted meanwhile', async () => {
    const next = await started();
    lambda.configs.delete('8');
    await expect(awaitProvisionedConcurrency(deps, next)).rejects.toBeInstanceOf(MissingResourceError);
  });
});

describe('releaseNewVersion', () => {
  it('releases what this deployment allocated, once (a retried rollback finds nothing left)', async () => {
    lambda.set('8', 'READY', 4);
    const handover = { amount: 4, fromVersion: '7', toVersion: '8', allocated: true };
    expect(await releaseNewVersion({ concurrency: lambda }, target, handover)).toBe('released the 4 provisioned concurrency allocated on version 8');
    expect(await releaseNewVersion({ concurrency: lambda }, target, handover)).toBe('no provisioned concurrency was left on version 8');
  });
});
