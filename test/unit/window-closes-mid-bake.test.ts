import { describe, expect, it } from 'vitest';
import type { Deployment, TimelineEntry } from '../../shared/domain/deployment.js';
import { planSteps } from '../../shared/domain/strategy.js';
import { functionTargetSchema } from '../../shared/domain/target.js';
import type { AliasState, DeploymentPatch, DeploymentStore } from '../../shared/ports/index.js';
import { checkHealth, type CheckHealthDeps } from '../../shared/usecases/workflow/check-health.js';
import { shiftTraffic, type ShiftTrafficDeps } from '../../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';
import { manualClock, type ManualClock } from '../support/clock.js';

/** Monday 2026-03-02 02:45 UTC: 15 minutes before the nightly window (02:00–03:00 UTC, weekdays) closes. */
const LATE_IN_THE_WINDOW = '2026-03-02T02:45:00.000Z';
const CLOSES = Date.parse('2026-03-02T03:00:00.000Z');
const REOPENS = '2026-03-03T02:00:00.000Z';

function canaryTarget(onClose: 'finish' | 'pause' | 'rollback') {
  return functionTargetSchema.parse({
    name: 'hello',
    kind: 'function',
    function: { name: 'hello' },
    strategy: { type: 'canary', percent: 10, bakeSeconds: 1800 },
    window: { timezone: 'UTC', allow: [{ cron: '0 2 * * 1-5', durationMinutes: 60 }], onClose },
  });
}

/** The record in memory, its timeline stamped by the same clock the use cases read. */
class MemoryDeployments implements DeploymentStore {
  constructor(
    public record: Deployment,
    private readonly clock: ManualClock,
  ) {}
  async create(deployment: Deployment) {
    return { created: false, deployment };
  }
  async get() {
    return structuredClone(this.record);
  }
  async update(_id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>) {
    const at = this.clock.now().toISOString();
    this.record = { ...this.record, ...patch, updatedAt: at, timeline: [...this.record.timeline, { ...entry, at }] } as Deployment;
    return this.record;
  }
  async listByTarget() {
    return [this.record];
  }
}

/**
 * Runs the Shift/Bake/CheckHealth loop as the state machine's RouteTraffic does, the clock moving
 * by each Bake wait. Returns where it ended: `done`, or the error Rollback would be handed.
 */
async function rollout(onClose: 'finish' | 'pause' | 'rollback', start: string) {
  const clock = manualClock(start);
  const target = canaryTarget(onClose);
  const at = clock.now().toISOString();
  const deployments = new MemoryDeployments(
    {
      id: 'd-1',
      target: 'hello',
      release: 'r2',
      status: 'staging',
      trigger: 's3',
      requestedAt: at,
      startedAt: at,
      updatedAt: at,
      trafficPercent: 0,
      fromVersion: '1',
      toVersion: '2',
      timeline: [],
    },
    clock,
  );
  let alias: AliasState = { version: '1', revisionId: 'rev-0' };
  let revision = 0;
  const aliases = {
    getAlias: async () => alias,
    updateAlias: async (_fn: string, _name: string, desired: Omit<AliasState, 'revisionId'>) => {
      revision += 1;
      alias = { ...desired, revisionId: `rev-${revision}` };
      return alias;
    },
  } as unknown as ShiftTrafficDeps['aliases'];
  const deps: ShiftTrafficDeps & CheckHealthDeps = {
    deployments,
    aliases,
    health: { alarmsFiring: async () => [], probe: async () => ({}) },
    cdn: { isInvalidationComplete: async () => true },
    sites: { readJson: async () => undefined },
    targets: { get: async () => target },
    controlSeconds: 60,
    clock,
  };
  const shifts: { percent: number; at: string }[] = [];
  let state: WorkflowState = { deploymentId: 'd-1', target, steps: planSteps(target.strategy), stepIndex: 0 };
  try {
    state = await shiftTraffic(deps, state);
    shifts.push({ percent: deployments.record.trafficPercent, at: clock.now().toISOString() });
    for (let ticks = 0; state.verify?.next !== 'done'; ticks += 1) {
      if (ticks > 5000) throw new Error(`still rolling out after ${ticks} ticks at ${clock.now().toISOString()}`);
      if (state.verify?.next === 'shift') {
        state = await shiftTraffic(deps, state);
        shifts.push({ percent: deployments.record.trafficPercent, at: clock.now().toISOString() });
        continue;
      }
      clock.advance((state.verify?.waitSeconds ?? 0) * 1000);
      state = await checkHealth(deps, state);
    }
    return { outcome: 'done' as const, shifts, record: deployments.record, clock, state };
  } catch (error) {
    return { outcome: 'failed' as const, error: error as Error, shifts, record: deployments.record, clock };
  }
}

const windowNotes = (record: Deployment) => record.timeline.filter((e) => e.step === 'window').map((e) => e.message);

describe('A deploy window that closes mid-bake (onClose)', () => {
  it('rolls back with "rollback" when the bake ends after the window closed, before any more traffic moves', async () => {
    // Act: a 30-minute canary bake from 02:45 ends at 03:15, when the window is closed
    const run = await rollout('rollback', LATE_IN_THE_WINDOW);
    // Assess
    expect(run.outcome).toBe('failed');
    expect(run.error).toMatchObject({ name: 'WindowError' });
    expect(run.error?.message).toContain('the deploy window closed with 10% of traffic moved');
    expect(run.error?.message).toContain('onClose is "rollback"');
    expect(run.clock.now().getTime()).toBeGreaterThan(CLOSES);
    expect(run.shifts.map((s) => s.percent)).toEqual([10]);
  });

  it('holds the canary with "pause" until the window reopens the next night, then shifts the rest inside it', async () => {
    // Act
    const run = await rollout('pause', LATE_IN_THE_WINDOW);
    // Assess
    expect(run.outcome).toBe('done');
    expect(run.shifts.map((s) => s.percent)).toEqual([10, 100]);
    const full = Date.parse(run.shifts[1]!.at);
    expect(full).toBeGreaterThanOrEqual(Date.parse(REOPENS));
    expect(full).toBeLessThan(Date.parse(REOPENS) + 60 * 60_000);
    // Every paused tick is charged to the execution's one wait budget (each is a Wait and a CheckHealth).
    const paused = await rollout('finish', LATE_IN_THE_WINDOW);
    expect(run.outcome === 'done' && paused.outcome === 'done' && run.state.waits!.ticks - (paused.state.waits?.ticks ?? 0)).toBeGreaterThan(10);
    // Noted once, however many paused ticks it took.
    expect(windowNotes(run.record)).toEqual([
      `the deploy window closed (outside the allowed windows); onClose is "pause": holding 10% until it reopens at ${REOPENS}`,
    ]);
  });

  it('goes on with "finish", noting that the window closed', async () => {
    // Act
    const run = await rollout('finish', LATE_IN_THE_WINDOW);
    // Assess
    expect(run.outcome).toBe('done');
    expect(run.shifts.map((s) => s.percent)).toEqual([10, 100]);
    expect(Date.parse(run.shifts[1]!.at)).toBe(CLOSES + 15 * 60_000);
    expect(windowNotes(run.record)).toEqual([expect.stringContaining('onClose is "finish": the rollout goes on')]);
  });

  it('does not apply when the bake ends inside the window', async () => {
    // Act: the same canary started at 02:00 ends its bake at 02:30
    const run = await rollout('rollback', '2026-03-02T02:00:00.000Z');
    // Assess
    expect(run.outcome).toBe('done');
    expect(run.shifts).toEqual([
      { percent: 10, at: '2026-03-02T02:00:00.000Z' },
      { percent: 100, at: '2026-03-02T02:30:00.000Z' },
    ]);
    expect(windowNotes(run.record)).toEqual([]);
  });
});
