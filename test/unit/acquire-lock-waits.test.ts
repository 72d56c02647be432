import { describe, expect, it } from 'vitest';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { planSteps } from '../../shared/domain/strategy.js';
import { functionTargetSchema, type FunctionTarget } from '../../shared/domain/target.js';
import type { AliasState, DeploymentPatch, DeploymentStore, LockStore } from '../../shared/ports/index.js';
import { acquireLock, type AcquireLockDeps } from '../../shared/usecases/workflow/acquire-lock.js';
import { shiftTraffic } from '../../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';
import { EVENTS_PER_TICK, HISTORY_EVENT_BUDGET, pathEvents } from '../../shared/usecases/workflow/wait-budget.js';

const START = Date.parse('2026-03-02T00:00:00Z'); // a Monday
const HOUR = 3_600_000;

/** Records in memory, with the writes counted. */
class MemoryDeployments implements DeploymentStore {
  readonly records = new Map<string, Deployment>();
  writes = 0;
  constructor(private readonly clock: { now: number }) {}
  async create(deployment: Deployment) {
    this.records.set(deployment.id, deployment);
    return { created: true, deployment };
  }
  async get(id: string) {
    const d = this.records.get(id);
    return d ? structuredClone(d) : undefined;
  }
  async update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>) {
    const d = this.records.get(id);
    if (!d) return undefined;
    this.writes += 1;
    const at = new Date(this.clock.now).toISOString();
    const next = { ...d, ...patch, updatedAt: at, timeline: [...d.timeline, { ...entry, at }] } as Deployment;
    this.records.set(id, next);
    return next;
  }
  async listByTarget(target: string) {
    return [...this.records.values()].filter((d) => d.target === target).sort((a, b) => b.requestedAt.localeCompare(a.requestedAt));
  }
}

class MemoryLocks implements LockStore {
  readonly held = new Map<string, string>();
  async acquire(target: string, id: string) {
    const holder = this.held.get(target);
    if (holder && holder !== id) return false;
    this.held.set(target, id);
    return true;
  }
  async release(target: string, id: string) {
    if (this.held.get(target) === id) this.held.delete(target);
  }
  async holder(target: string) {
    return this.held.get(target);
  }
}

function record(id: string, fields: Partial<Deployment> = {}): Deployment {
  const at = new Date(START).toISOString();
  return {
    id,
    target: 'hello',
    release: id,
    status: 'queued',
    trigger: 's3',
    requestedAt: at,
    startedAt: at,
    updatedAt: at,
    trafficPercent: 0,
    timeline: [],
    ...fields,
  };
}

function world(target: FunctionTarget, traffic?: () => number | undefined) {
  const clock = { now: START };
  const deployments = new MemoryDeployments(clock);
  const locks = new MemoryLocks();
  const deps: AcquireLockDeps = {
    deployments,
    locks,
    targets: { get: async () => target },
    metrics: { currentPerMinute: async () => traffic?.() },
    lockPollSeconds: 10,
    windowCheckSeconds: 60,
    clock: { now: () => new Date(clock.now) },
  };
  return { clock, deployments, locks, deps };
}

/** Runs AcquireLock as the WaitForLock loop does, the clock moving by each wait; `during` runs before every tick. */
async function waitForLock(w: ReturnType<typeof world>, state: WorkflowState, during: () => void = () => undefined) {
  let ticks = 0;
  for (;;) {
    if (ticks > 20_000) throw new Error(`still waiting after ${ticks} ticks: ${JSON.stringify(state.lock)} ${JSON.stringify(state.waits)}`);
    during();
    state = await acquireLock(w.deps, state);
    if (state.lock?.outcome !== 'waiting') return { state, ticks };
    ticks += 1;
    w.clock.now += state.lock.waitSeconds * 1000;
  }
}

async function bake(w: ReturnType<typeof world>, state: WorkflowState) {
  const alias: AliasState = { version: '1', revisionId: 'r' };
  const aliases = { getAlias: async () => alias, updateAlias: async () => alias } as never;
  let ticks = 0;
  const plans: { bakeSeconds: number; planned: number }[] = [];
  for (let stepIndex = 0; stepIndex < (state.steps?.length ?? 0); stepIndex += 1) {
    state = await shiftTraffic({ deployments: w.deployments, aliases, controlSeconds: 10, clock: w.deps.clock }, { ...state, stepIndex });
    ticks += state.verify?.remainingChecks ?? 0;
    plans.push({ bakeSeconds: state.steps?.[stepIndex]?.bakeSeconds ?? 0, planned: (state.verify?.remainingChecks ?? 0) * (state.verify?.waitSeconds ?? 0) });
  }
  return { state, ticks, plans };
}

describe('Function: acquireLock (wait budget)', () => {
  it('a release queued behind a 24-hour canary starts soon after it ends, and its own bake still fits the history', async () => {
    // Prepare
    const target = functionTargetSchema.parse({ name: 'hello', kind: 'function', function: { name: 'hello' }, strategy: 'Linear10PercentEvery10Minutes' });
    const w = world(target);
    await w.deployments.create(record('d-canary', { status: 'shifting', requestedAt: new Date(START - HOUR).toISOString() }));
    await w.locks.acquire('hello', 'd-canary');
    await w.deployments.create(record('d-next', { fromVersion: '1', toVersion: '2' }));
    const canaryEnds = START + 24 * HOUR;
    // Act
    const waited = await waitForLock(w, { deploymentId: 'd-next', target, steps: planSteps(target.strategy), stepIndex: 0 }, () => {
      if (w.clock.now >= canaryEnds && w.locks.held.get('hello') === 'd-canary') {
        w.deployments.records.set('d-canary', { ...w.deployments.records.get('d-canary')!, status: 'succeeded' });
        void w.locks.release('hello', 'd-canary');
      }
    });
    const baked = await bake(w, waited.state);
    // Assess
    expect(waited.state.lock?.outcome).toBe('acquired');
    expect(w.clock.now - canaryEnds).toBeLessThan(0.02 * 24 * HOUR);
    const events = pathEvents(baked.state.steps?.length ?? 1) + waited.ticks * EVENTS_PER_TICK.lock + baked.ticks * EVENTS_PER_TICK.bake;
    expect(events).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
    expect(baked.state.waits?.events).toBe(waited.ticks * EVENTS_PER_TICK.lock + baked.ticks * EVENTS_PER_TICK.bake);
    for (const plan of baked.plans) expect(plan.planned).toBeGreaterThanOrEqual(plan.bakeSeconds);
    // One timeline entry for the whole day of waiting, not one per tick.
    expect(w.deployments.records.get('d-next')?.timeline.filter((e) => e.status === 'waiting')).toHaveLength(1);
  });

  it('a 7-day window wait followed by a linear bake of a day per step fits one execution', async () => {
    // Prepare: a weekly window that just closed, and ten day-long steps after it
    const target = functionTargetSchema.parse({
      name: 'hello',
      kind: 'function',
      function: { name: 'hello' },
      strategy: { type: 'linear', percent: 10, bakeSeconds: 86_400 },
      window: { timezone: 'UTC', allow: [{ cron: '0 0 * * 1', durationMinutes: 1 }] },
    });
    const w = world(target);
    w.clock.now = START + 2 * 60_000;
    await w.deployments.create(record('d-weekly', { fromVersion: '1', toVersion: '2', requestedAt: new Date(w.clock.now).toISOString() }));
    // Act
    const waited = await waitForLock(w, { deploymentId: 'd-weekly', target, steps: planSteps(target.strategy), stepIndex: 0 });
    const baked = await bake(w, waited.state);
    // Assess
    expect(waited.state.lock?.outcome).toBe('acquired');
    expect(new Date(w.clock.now).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(pathEvents(10) + (baked.state.waits?.events ?? 0)).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
    for (const plan of baked.plans) expect(plan.planned).toBeGreaterThanOrEqual(plan.bakeSeconds);
  });

  it('a 30-hour traffic-gated wait writes one timeline entry, whatever the traffic does', async () => {
    // Prepare: a two-day opening whose gate holds for 30 hours of changing traffic
    const target = functionTargetSchema.parse({
      name: 'hello',
      kind: 'function',
      function: { name: 'hello' },
      window: { timezone: 'UTC', allow: [{ cron: '0 0 * * 1', durationMinutes: 2 * 1440 }], maxRequestsPerMinute: 100 },
    });
    let calls = 0;
    const w = world(target, () => (w.clock.now < START + 30 * HOUR ? 500 + (calls++ % 97) : 10));
    await w.deployments.create(record('d-gated'));
    // Act
    const waited = await waitForLock(w, { deploymentId: 'd-gated', target, steps: planSteps(target.strategy), stepIndex: 0 });
    // Assess
    expect(waited.state.lock?.outcome).toBe('acquired');
    const timeline = w.deployments.records.get('d-gated')?.timeline ?? [];
    expect(timeline.filter((e) => e.status === 'waiting')).toHaveLength(1);
    expect(timeline[0]?.message).toMatch(/traffic is \d+ requests\/min/);
    expect(w.deployments.records.get('d-gated')?.status).toBe('staging');
    expect((waited.state.waits?.events ?? 0) + pathEvents(1)).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
  });

  it('fails a deployment the budget can no longer keep waiting, changing nothing', async () => {
    // Prepare: a budget with room for the path and a few ticks only
    const target = functionTargetSchema.parse({ name: 'hello', kind: 'function', function: { name: 'hello' } });
    const w = world(target);
    w.deps.historyEventBudget = pathEvents(1) + 2 * 9 + 5 * 9;
    await w.deployments.create(record('d-holder', { status: 'shifting', requestedAt: new Date(START - HOUR).toISOString() }));
    await w.locks.acquire('hello', 'd-holder');
    await w.deployments.create(record('d-late'));
    // Act
    const waited = await waitForLock(w, { deploymentId: 'd-late', target, steps: planSteps(target.strategy), stepIndex: 0 });
    // Assess
    expect(waited.state.lock?.outcome).toBe('stopped');
    expect(waited.ticks).toBeGreaterThan(0);
    const late = w.deployments.records.get('d-late');
    expect(late?.status).toBe('failed');
    expect(late?.reason).toContain('25,000 history events');
    expect(w.locks.held.get('hello')).toBe('d-holder');
  });
});
