import { DeploymentNotFoundError } from '../../domain/errors.js';
import { assertNotCancelled } from '../../domain/control.js';
import { isTerminal, type Deployment } from '../../domain/deployment.js';
import { awaitsApproval } from '../../domain/promotion.js';
import type { DeploymentStore, LockStore, TargetStore } from '../../ports/index.js';
import { seenByWrite, type WorkflowState } from './state.js';
import { HISTORY_EVENT_LIMIT, nextWaitTick, type WaitKind } from './wait-budget.js';
import { windowGate, type WindowGateDeps } from './window-gate.js';

export interface AcquireLockDeps extends WindowGateDeps {
  deployments: DeploymentStore;
  locks: LockStore;
  /** Read on every attempt after a wait, so a changed window or a new freeze takes effect while a release waits. */
  targets: Pick<TargetStore, 'get'>;
  /** Seconds between attempts while another deployment holds the target. */
  lockPollSeconds: number;
  /** History events one execution plans for (HISTORY_EVENT_BUDGET); dev mode, which keeps no execution history, may lift it. */
  historyEventBudget?: number;
}

/** Statuses that mean a release did not (and will not) go live: they never supersede anything. */
const DID_NOT_LAND = new Set(['failed', 'cancelled', 'superseded', 'rolled_back']);
/** Statuses of a deployment that has not started changing anything yet. */
const NOT_STARTED = new Set(['queued', 'waiting']);

function isNewer(other: Deployment, me: Deployment): boolean {
  if (other.requestedAt !== me.requestedAt) return other.requestedAt > me.requestedAt;
  return other.id > me.id;
}

/**
 * One deployment per target at a time, and only when its window and schedule allow. A deployment
 * that may not start yet waits (Wait states, no compute) and checks again:
 * - with the target's `queue: "latest"` (the default, and targets without a window), a waiting
 *   deployment with a newer release for the same target behind it (waiting, running or already
 *   live) ends `superseded`, so when several wait the newest wins;
 * - with `queue: "all"`, waiting releases deploy in arrival order: only a newer release that has
 *   already started supersedes an older one, and none starts while an older one still waits;
 * - outside the window (or before `notBefore`) it is `waiting` with the reason and `startsAt`.
 */
export async function acquireLock(deps: AcquireLockDeps, state: WorkflowState): Promise<WorkflowState> {
  const me = await deps.deployments.get(state.deploymentId);
  if (!me) throw new DeploymentNotFoundError(state.deploymentId);
  const ticks = (state.lock?.ticks ?? 0) + 1;
  const stop = { ...state, lock: { outcome: 'stopped' as const, waitSeconds: 0, ticks } };
  if (isTerminal(me.status)) return stop;
  assertNotCancelled(me);
  // The first attempt follows Prepare, which has just read the target; later ones come after a
  // wait, in which the window may have changed.
  const target = (ticks > 1 || !state.target ? await deps.targets.get(me.target) : undefined) ?? state.target;
  const queueAll = target?.window?.queue === 'all' && me.trigger !== 'rollback';

  const holder = await deps.locks.holder(me.target);
  // A promotion awaiting approval is not in the queue: it neither supersedes nor holds back anything until approved.
  const history = holder !== me.id ? (await deps.deployments.listByTarget(me.target, { limit: 25 })).filter((d) => !awaitsApproval(d)) : [];
  if (holder !== me.id) {
    const newer = history.find((d) => d.id !== me.id && isNewer(d, me) && !DID_NOT_LAND.has(d.status) && !(queueAll && NOT_STARTED.has(d.status)));
    if (newer) {
      await deps.deployments.update(
        me.id,
        { status: 'superseded', endedAt: deps.clock.now().toISOString(), reason: `superseded by ${newer.id} (release ${newer.release}), which arrived later` },
        { step: 'lock', status: 'superseded' },
      );
      return stop;
    }
    if (holder) await releaseIfAbandoned(deps, me.target, holder);
  }

  if (holder !== me.id) {
    const gate = await windowGate(deps, me, target);
    if (!gate.open) {
      return wait(deps, state, me, ticks, {
        kind: gate.startsAt ? 'window' : 'gate',
        step: 'window',
        reason: gate.reason,
        seconds: gate.waitSeconds,
        ...(gate.message ? { message: gate.message } : {}),
        ...(gate.startsAt ? { startsAt: gate.startsAt } : {}),
      });
    }
    const older = queueAll ? history.find((d) => d.id !== me.id && isNewer(me, d) && NOT_STARTED.has(d.status)) : undefined;
    if (older) {
      return wait(deps, state, me, ticks, {
        kind: 'lock',
        step: 'window',
        reason: `waiting for release ${older.release} (${older.id}), which arrived earlier (queue: all)`,
        seconds: deps.lockPollSeconds,
      });
    }
    if (gate.note && !me.timeline.some((e) => e.step === 'window' && e.message === gate.note)) {
      await deps.deployments.update(me.id, {}, { step: 'window', message: gate.note });
    }
  }

  if (await deps.locks.acquire(me.target, me.id)) {
    if (me.status === 'queued' || me.status === 'waiting') {
      // A cancel asked for since the read above is seen here; Rollback releases the lock.
      seenByWrite(await deps.deployments.update(me.id, { status: 'staging' }, { step: 'lock', status: 'staging', message: 'target lock acquired' }));
    }
    return { ...state, lock: { outcome: 'acquired', waitSeconds: 0, ticks } };
  }

  const current = await deps.locks.holder(me.target);
  return wait(deps, state, me, ticks, {
    kind: 'lock',
    step: 'lock',
    reason: `waiting for deployment ${current ?? 'in progress'} to finish`,
    seconds: deps.lockPollSeconds,
    message: `target busy with ${current ?? 'another deployment'}`,
  });
}

/**
 * Records why it waits (once per reason: a reason carries no live numbers, so a long wait writes
 * one timeline entry, not one per tick) and schedules the next attempt within the execution's wait
 * budget (wait-budget.ts): a wait of known length (window, schedule) spreads its ticks over it, one
 * of unknown length (lock, queue, traffic gate) checks less often the longer it lasts. The budget
 * keeps back what the bake will need. A wait the budget cannot hold ends the deployment `failed`.
 */
async function wait(
  deps: AcquireLockDeps,
  state: WorkflowState,
  me: Deployment,
  ticks: number,
  why: { kind: WaitKind; step: 'lock' | 'window'; reason: string; seconds: number; startsAt?: string; message?: string },
): Promise<WorkflowState> {
  const now = deps.clock.now();
  const plan = nextWaitTick({
    kind: why.kind,
    pollSeconds: why.seconds,
    ...(why.startsAt ? { startsAt: why.startsAt } : {}),
    now,
    requestedAt: me.requestedAt,
    steps: state.steps,
    ledger: state.waits,
    ...(deps.historyEventBudget !== undefined ? { budget: deps.historyEventBudget } : {}),
  });
  if ('exhausted' in plan) {
    const waited = Math.round((now.getTime() - Date.parse(me.requestedAt)) / 3_600_000);
    await deps.deployments.update(
      me.id,
      {
        status: 'failed',
        endedAt: now.toISOString(),
        reason: `gave up waiting after ${waited} h (${why.reason}): one Step Functions execution keeps ${HISTORY_EVENT_LIMIT.toLocaleString('en-US')} history events and this wait would pass them; nothing was changed, deploy the release again when the target is free`,
      },
      { step: why.step, status: 'failed', message: 'the execution cannot wait any longer' },
    );
    return { ...state, lock: { outcome: 'stopped', waitSeconds: 0, ticks } };
  }
  if (me.status !== 'waiting' || me.reason !== why.reason || me.startsAt !== why.startsAt) {
    await deps.deployments.update(
      me.id,
      { status: 'waiting', reason: why.reason, ...(why.startsAt ? { startsAt: why.startsAt } : {}) },
      { step: why.step, status: 'waiting', message: why.message ?? why.reason },
    );
  }
  return { ...state, lock: { outcome: 'waiting', waitSeconds: plan.waitSeconds, ticks }, waits: plan.ledger };
}

/** A lock whose holder already ended (its workflow died before releasing) is released. */
async function releaseIfAbandoned(deps: AcquireLockDeps, target: string, holderId: string): Promise<void> {
  const holder = await deps.deployments.get(holderId);
  if (!holder || isTerminal(holder.status)) await deps.locks.release(target, holderId);
}
