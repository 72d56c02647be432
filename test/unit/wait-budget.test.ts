import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFINITION_PATH } from '../../dev/definition.js';
import type { TrafficStep } from '../../shared/domain/strategy.js';
import { verificationPlan } from '../../shared/usecases/workflow/shift-traffic.js';
import {
  bakeTickAllowance,
  charge,
  EVENTS_PER_TICK,
  HISTORY_EVENT_BUDGET,
  HISTORY_EVENT_LIMIT,
  knownWaitTick,
  nextWaitTick,
  pathEvents,
  unknownWaitTick,
  type WaitKind,
  type WaitLedger,
} from '../../shared/usecases/workflow/wait-budget.js';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
}
const definition = JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as { States: Record<string, AslState> };

/** History events Step Functions writes for one pass through a state (no retries). */
function eventsOf(state: AslState): number {
  if (state.Type === 'Task') return 5; // TaskStateEntered, LambdaFunctionScheduled, Started, Succeeded, TaskStateExited
  if (state.Type === 'Wait' || state.Type === 'Choice' || state.Type === 'Pass') return 2; // Entered, Exited
  throw new Error(`no event count for a ${state.Type} state`);
}

/** The events of one loop from a Wait state back to it, following Next and the Choice branch that loops. */
function loopEvents(wait: string): number {
  let name = wait;
  let total = 0;
  for (let hops = 0; hops < 10; hops += 1) {
    const state = definition.States[name];
    if (!state) throw new Error(`no state ${name}`);
    total += eventsOf(state);
    const next = state.Type === 'Choice' ? [...(state.Choices ?? []).map((c) => c.Next), state.Default].find((n) => n === wait) : state.Next;
    if (!next) throw new Error(`${name} does not lead back to ${wait}`);
    if (next === wait) return total;
    name = next;
  }
  throw new Error(`no loop back to ${wait}`);
}

describe('EVENTS_PER_TICK', () => {
  it.each<[WaitKind, string]>([
    ['lock', 'WaitForLock'],
    ['window', 'WaitForLock'],
    ['gate', 'WaitForLock'],
    ['bake', 'Bake'],
    ['provisioned', 'WaitForProvisionedConcurrency'],
  ])('counts the history events of one %s tick as the definition spends them (loop from %s)', (kind, wait) => {
    expect(EVENTS_PER_TICK[kind]).toBe(loopEvents(wait));
  });
});

const HOUR = 3600;
const DAY = 86_400;
const START = Date.parse('2026-03-02T00:00:00Z');
const alarmed = { health: { alarms: ['errors'], pollSeconds: 30 } };

interface WaitSpec {
  kind: WaitKind;
  seconds: number;
  pollSeconds: number;
}

/** Runs the waits and then the bakes of one execution through the planner, as AcquireLock and ShiftTraffic use it. */
function simulate(waits: WaitSpec[], steps: TrafficStep[], budget = HISTORY_EVENT_BUDGET) {
  let ledger: WaitLedger | undefined;
  let now = START;
  let exhausted = false;
  let longestTick = 0;
  for (const wait of waits) {
    const startsAt = wait.kind === 'window' ? new Date(now + wait.seconds * 1000).toISOString() : undefined;
    const until = now + wait.seconds * 1000;
    while (now < until && !exhausted) {
      const tick = nextWaitTick({
        kind: wait.kind,
        pollSeconds: wait.pollSeconds,
        ...(startsAt ? { startsAt } : {}),
        now: new Date(now),
        requestedAt: new Date(START).toISOString(),
        steps,
        ledger,
        budget,
      });
      if ('exhausted' in tick) exhausted = true;
      else {
        ledger = tick.ledger;
        longestTick = Math.max(longestTick, tick.waitSeconds);
        now += tick.waitSeconds * 1000;
      }
    }
  }
  const beforeBake = ledger?.events ?? 0;
  const bakes = steps.map((step, i) => {
    const plan = verificationPlan(alarmed, step.bakeSeconds, { controlSeconds: 10, maxTicks: bakeTickAllowance(steps, i, ledger, budget) });
    ledger = charge(ledger, 'bake', plan.remainingChecks);
    return plan;
  });
  return { events: pathEvents(steps.length) + (ledger?.events ?? 0), beforeBake, exhausted, longestTick, bakes, waitedUntil: now };
}

const kinds = fc.constantFrom<WaitKind>('lock', 'window', 'gate');
const waitSpec = fc.record({ kind: kinds, seconds: fc.integer({ min: 1, max: 60 * DAY }), pollSeconds: fc.integer({ min: 1, max: 900 }) });
const stepsSpec = fc
  .array(fc.integer({ min: 0, max: 30 * DAY }), { minLength: 0, maxLength: 20 })
  .map((bakes) => [...bakes.map((bakeSeconds, i) => ({ percent: Math.min(99, (i + 1) * 4), bakeSeconds })), { percent: 100, bakeSeconds: 0 }]);

describe('One wait budget per execution', () => {
  it('keeps any mix of lock, window, gate and bake waits within the planned history events', () => {
    fc.assert(
      fc.property(fc.array(waitSpec, { maxLength: 8 }), stepsSpec, (waits, steps) => {
        const run = simulate(waits, steps);
        expect(run.events).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
        expect(run.events).toBeLessThan(HISTORY_EVENT_LIMIT);
        // Every bake still lasts as long as its step asks, however much the waits before it used.
        for (const [i, plan] of run.bakes.entries()) expect(plan.waitSeconds * plan.remainingChecks).toBeGreaterThanOrEqual(steps[i]!.bakeSeconds);
      }),
      { numRuns: 300 },
    );
  });

  it('lets up to three waits of a week in all finish without running out', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ kind: kinds, seconds: fc.integer({ min: 1, max: 2 * DAY + 8 * HOUR }), pollSeconds: fc.integer({ min: 1, max: 300 }) }), {
          maxLength: 3,
        }),
        stepsSpec,
        (waits, steps) => {
          expect(simulate(waits, steps).exhausted).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fits a release queued behind a 24-hour canary, then its own linear bake', () => {
    // Prepare: a lock polled every 10 s for a day, then Linear10PercentEvery10Minutes
    const steps = Array.from({ length: 10 }, (_, i) => ({ percent: (i + 1) * 10, bakeSeconds: i < 9 ? 600 : 0 }));
    // Act
    const run = simulate([{ kind: 'lock', seconds: DAY, pollSeconds: 10 }], steps);
    // Assess
    expect(run.exhausted).toBe(false);
    expect(run.events).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
    // It noticed the lock was free within ~2% of the day it waited, and its bake still looks every 10 s.
    expect(run.waitedUntil - START).toBeLessThan((DAY + 0.02 * DAY) * 1000);
    expect(run.bakes.slice(0, 9).every((b) => b.waitSeconds === 10)).toBe(true);
  });

  it('fits a 7-day window wait followed by a linear bake of a day per step', () => {
    // Prepare
    const steps = Array.from({ length: 10 }, (_, i) => ({ percent: (i + 1) * 10, bakeSeconds: i < 9 ? DAY : 0 }));
    // Act
    const run = simulate([{ kind: 'window', seconds: 7 * DAY, pollSeconds: 60 }], steps);
    // Assess
    expect(run.exhausted).toBe(false);
    expect(run.events).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
    expect(run.waitedUntil - START).toBe(7 * DAY * 1000); // starts at the opening, not a tick after
    expect(run.longestTick).toBeLessThanOrEqual(20 * 60); // it still looks every ~15 minutes while it waits
    for (const [i, plan] of run.bakes.entries()) expect(plan.waitSeconds * plan.remainingChecks).toBeGreaterThanOrEqual(steps[i]!.bakeSeconds);
  });

  it('fails a wait at once when the budget has nothing left, rather than overrunning the history', () => {
    expect(knownWaitTick('window', 60, 3600, 8)).toEqual({ exhausted: true });
    expect(unknownWaitTick('lock', 10, 100, 3600, 8)).toEqual({ exhausted: true });
    expect(unknownWaitTick('lock', 10, 100, 0, 9_000)).toEqual({ exhausted: true });
  });

  it('polls at the configured interval at first and backs off as an unknown wait grows', () => {
    const first = unknownWaitTick('lock', 10, 0, 360 * DAY, 15_000);
    const afterADay = unknownWaitTick('lock', 10, DAY, 359 * DAY, 10_000);
    expect(first).toEqual({ waitSeconds: 10 });
    expect('waitSeconds' in afterADay && afterADay.waitSeconds).toBeGreaterThan(5 * 60);
    expect('waitSeconds' in afterADay && afterADay.waitSeconds).toBeLessThan(30 * 60);
  });
});
