import type { TrafficStep } from '../../domain/strategy.js';
import { MAX_WAIT_DAYS } from '../../domain/window.js';

/**
 * One history budget per execution, shared by every wait in it. Step Functions keeps at most
 * 25,000 history events per execution and fails it past that; every tick of a wait (a Wait state,
 * the Task that looks again, the Choice that loops) costs events. Lock, window and traffic-gate
 * waits before the deployment starts and the bake ticks after it all draw on the same budget, and
 * each wait stretches its ticks so that what is left of the execution still fits.
 */
export type WaitKind = 'lock' | 'window' | 'gate' | 'bake' | 'provisioned';

/** Step Functions fails an execution whose history passes this many events. */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * The events one execution plans for, path and waits together. The 5,000 left to the limit are
 * for what cannot be planned: Task retries (3 events each), pause ticks while a window is closed.
 */
export const HISTORY_EVENT_BUDGET = 20_000;

/**
 * Events one tick costs, counted from statemachine/deploy.asl.json (test/unit/wait-budget.test.ts
 * recounts them): a Wait state 2 (Entered, Exited), a Lambda Task 5 (Entered, Scheduled, Started,
 * Succeeded, Exited), a Choice 2.
 * - lock, window, gate: WaitForLock → AcquireLock → LockOutcome;
 * - bake: Bake → CheckHealth → RouteTraffic;
 * - provisioned: WaitForProvisionedConcurrency → CheckProvisionedConcurrency → ProvisionedConcurrencyReady.
 */
export const EVENTS_PER_TICK: Record<WaitKind, number> = { lock: 9, window: 9, gate: 9, bake: 9, provisioned: 9 };

/**
 * Events of the path outside the wait loops, for a plan of `steps` traffic steps: the longest way
 * through (ExecutionStarted, Prepare … PostTrafficHook, Finalize, or Rollback and a Fail state) is
 * about 60 events (ProvisionedConcurrencyReady's 2 among them) plus 7 per step (ShiftTraffic,
 * RouteTraffic), and invalidation checks take up to MAX_INVALIDATION_CHECKS (60) ticks of 9.
 */
export function pathEvents(steps: number): number {
  return 66 + 7 * Math.max(1, steps) + 60 * 9;
}

/** The wait ticks used so far in this execution; carried in the workflow state (`$.waits`). */
export interface WaitLedger {
  /** Wait ticks taken so far, every kind together. */
  ticks: number;
  /** Their history events (ticks × EVENTS_PER_TICK of each kind). */
  events: number;
  /** The wait under way when its length is not known (lock, gate), and since when: its ticks grow with it. */
  kind?: WaitKind;
  since?: string;
}

export const EMPTY_LEDGER: WaitLedger = { ticks: 0, events: 0 };

/** The ledger after `ticks` more ticks of `kind`. */
export function charge(ledger: WaitLedger | undefined, kind: WaitKind, ticks = 1): WaitLedger {
  const current = ledger ?? EMPTY_LEDGER;
  return { ...current, ticks: current.ticks + ticks, events: current.events + ticks * EVENTS_PER_TICK[kind] };
}

/** Wait events the execution has in all, for a plan of `steps` traffic steps. */
export function waitEventsInAll(steps: number, budget = HISTORY_EVENT_BUDGET): number {
  return Math.max(0, budget - pathEvents(steps));
}

/** The seconds the bake of each step lasts at least (a step with health signals is checked once after its shift). */
export type BakeDemand = number[];

/**
 * The bake ticks kept back for after the start while the deployment waits to start: as many as a
 * bake ticking every `controlSeconds` would take, but at most half of all wait events, so a very
 * long bake (which stretches its ticks anyway) leaves room to wait. Never fewer than one per step,
 * so bakeTicksFor can always give each step its one tick within the budget.
 */
export function bakeReserveEvents(bakes: BakeDemand, controlSeconds: number, steps: number, budget = HISTORY_EVENT_BUDGET): number {
  // Every step keeps one tick at least: a step with health signals is checked once after its shift.
  const ideal = bakes.reduce((sum, seconds) => sum + Math.max(1, Math.ceil(seconds / Math.max(1, controlSeconds))), 0);
  return Math.min(ideal * EVENTS_PER_TICK.bake, Math.floor(waitEventsInAll(steps, budget) / 2));
}

export function bakeDemand(steps: readonly TrafficStep[] | undefined): BakeDemand {
  return (steps ?? []).map((s) => s.bakeSeconds);
}

/**
 * Share of the events left before the start that a wait of known length (a window, a schedule)
 * may spend: the rest stays for a lock or traffic-gate wait after the window opens.
 */
export const KNOWN_WAIT_SHARE = 0.75;

/**
 * What a wait of known length may spend of `eventsLeft`: all but the share kept for a lock or gate
 * wait after it (1 - KNOWN_WAIT_SHARE of all the events before the start); once waits of unknown
 * length have spent that share, half of what is left, so a short window wait after a long lock
 * wait still runs.
 */
export function knownWaitEvents(eventsLeft: number, beforeStart: number): number {
  return Math.max(eventsLeft - Math.floor((1 - KNOWN_WAIT_SHARE) * beforeStart), Math.floor(eventsLeft / 2));
}

export type TickPlan = { waitSeconds: number } | { exhausted: true };

/**
 * The next tick of a wait whose end is known (`horizonSeconds` from now): at least `pollSeconds`,
 * and long enough that the rest of the wait fits in `eventsLeft`: tick ≥ horizon / ticks left,
 * which never grows tick to tick, so the wait ends before the ticks do. Never past the horizon.
 */
export function knownWaitTick(kind: WaitKind, pollSeconds: number, horizonSeconds: number, eventsLeft: number): TickPlan {
  const ticksLeft = Math.floor(eventsLeft / EVENTS_PER_TICK[kind]);
  if (ticksLeft < 1) return { exhausted: true };
  const horizon = Math.max(1, Math.ceil(horizonSeconds));
  return { waitSeconds: Math.min(horizon, Math.max(1, Math.ceil(pollSeconds), Math.ceil(horizon / ticksLeft))) };
}

/**
 * The next tick of a wait whose end is not known (another deployment's lock, traffic above the
 * gate): every `pollSeconds` at first, then a fixed fraction of the time waited so far, the
 * fraction chosen so that the ticks left reach `deadlineSeconds` (the most it may still wait).
 * Waiting a day behind another deployment with ~1,600 ticks left checks every ~10 s for the first
 * quarter hour and every ~14 minutes after a day; the ticks run out only at the deadline.
 */
export function unknownWaitTick(kind: WaitKind, pollSeconds: number, waitedSeconds: number, deadlineSeconds: number, eventsLeft: number): TickPlan {
  const ticksLeft = Math.floor(eventsLeft / EVENTS_PER_TICK[kind]);
  if (ticksLeft < 1 || deadlineSeconds <= 0) return { exhausted: true };
  const poll = Math.max(1, Math.ceil(pollSeconds));
  if (ticksLeft === 1) return { waitSeconds: Math.max(poll, Math.ceil(deadlineSeconds)) };
  const waited = Math.max(poll, waitedSeconds);
  const growth = Math.exp(Math.log((waited + deadlineSeconds) / waited) / ticksLeft) - 1;
  return { waitSeconds: Math.max(poll, Math.ceil(waited * growth)) };
}

/**
 * The most bake ticks the step at `stepIndex` may plan, out of the events left: a share in
 * proportion to its bake among the bakes still to come.
 */
export function bakeTicksFor(bakes: BakeDemand, stepIndex: number, eventsLeft: number): number {
  const ticksLeft = Math.max(0, Math.floor(eventsLeft / EVENTS_PER_TICK.bake));
  const rest = bakes.slice(stepIndex);
  const own = Math.max(1, bakes[stepIndex] ?? 0);
  const total = rest.reduce((sum, seconds) => sum + Math.max(1, seconds), 0);
  // Every later step keeps one tick at least (its health check after the shift).
  const later = rest.length - 1;
  return Math.max(1, Math.floor(Math.max(0, ticksLeft - later) * (own / Math.max(own, total))));
}

/** The seconds one bake tick lasts at most when nothing says otherwise (DEFAULT_CONTROL_SECONDS). */
const RESERVE_CONTROL_SECONDS = 10;

export interface WaitRequest {
  kind: WaitKind;
  /** The configured interval between two looks (lock poll, window check). */
  pollSeconds: number;
  /** When the wait ends, when it is known (a window opening, a schedule). */
  startsAt?: string;
  now: Date;
  /** When the release arrived: no deployment waits past MAX_WAIT_DAYS after it. */
  requestedAt: string;
  /** The traffic steps planned for after the start (their bakes are kept back). */
  steps: readonly TrafficStep[] | undefined;
  ledger: WaitLedger | undefined;
  budget?: number;
}

/**
 * The next tick of a wait before the start (lock, window, gate): its length and the ledger after
 * it, or `exhausted` when the execution's history cannot hold another one.
 */
export function nextWaitTick(request: WaitRequest): { waitSeconds: number; ledger: WaitLedger } | { exhausted: true } {
  const budget = request.budget ?? HISTORY_EVENT_BUDGET;
  const steps = Math.max(1, request.steps?.length ?? 1);
  const beforeStart = waitEventsInAll(steps, budget) - bakeReserveEvents(bakeDemand(request.steps), RESERVE_CONTROL_SECONDS, steps, budget);
  const ledger = request.ledger ?? EMPTY_LEDGER;
  const eventsLeft = beforeStart - ledger.events;
  const nowMs = request.now.getTime();
  const since = ledger.kind === request.kind && ledger.since ? ledger.since : request.now.toISOString();
  const plan = request.startsAt
    ? knownWaitTick(request.kind, request.pollSeconds, (Date.parse(request.startsAt) - nowMs) / 1000, knownWaitEvents(eventsLeft, beforeStart))
    : unknownWaitTick(
        request.kind,
        request.pollSeconds,
        (nowMs - Date.parse(since)) / 1000,
        (Date.parse(request.requestedAt) + MAX_WAIT_DAYS * 86_400_000 - nowMs) / 1000,
        eventsLeft,
      );
  if ('exhausted' in plan) return plan;
  return { waitSeconds: plan.waitSeconds, ledger: charge({ ...ledger, kind: request.kind, since }, request.kind) };
}

/** The most ticks the bake of step `stepIndex` may plan, given what the waits so far used. */
export function bakeTickAllowance(steps: readonly TrafficStep[], stepIndex: number, ledger: WaitLedger | undefined, budget = HISTORY_EVENT_BUDGET): number {
  return bakeTicksFor(bakeDemand(steps), stepIndex, waitEventsInAll(steps.length, budget) - (ledger?.events ?? 0));
}
