import { DeploymentNotFoundError } from '../../domain/errors.js';
import { assertNotCancelled } from '../../domain/control.js';
import { isTerminal, type Deployment } from '../../domain/deployment.js';
import type { DeploymentStore, LockStore } from '../../ports/index.js';
import type { WorkflowState } from './state.js';

export interface AcquireLockDeps {
  deployments: DeploymentStore;
  locks: LockStore;
  /** Seconds between attempts while another deployment holds the target. */
  lockPollSeconds: number;
}

/** Statuses that mean a release did not (and will not) go live: they never supersede anything. */
const DID_NOT_LAND = new Set(['failed', 'cancelled', 'superseded', 'rolled_back']);

function isNewer(other: Deployment, me: Deployment): boolean {
  if (other.requestedAt !== me.requestedAt) return other.requestedAt > me.requestedAt;
  return other.id > me.id;
}

/**
 * One deployment per target at a time. A deployment that does not hold the lock waits; a
 * waiting deployment with a newer release for the same target behind it (waiting, running or
 * already live) ends `superseded`, so when several wait the newest wins.
 */
export async function acquireLock(deps: AcquireLockDeps, state: WorkflowState): Promise<WorkflowState> {
  const me = await deps.deployments.get(state.deploymentId);
  if (!me) throw new DeploymentNotFoundError(state.deploymentId);
  const stop = { ...state, lock: { outcome: 'stopped' as const, waitSeconds: 0 } };
  if (isTerminal(me.status)) return stop;
  assertNotCancelled(me);

  const holder = await deps.locks.holder(me.target);
  if (holder !== me.id) {
    const history = await deps.deployments.listByTarget(me.target, { limit: 25 });
    const newer = history.find((d) => d.id !== me.id && isNewer(d, me) && !DID_NOT_LAND.has(d.status));
    if (newer) {
      await deps.deployments.update(
        me.id,
        { status: 'superseded', endedAt: new Date().toISOString(), reason: `superseded by ${newer.id} (release ${newer.release}), which arrived later` },
        { step: 'lock', status: 'superseded' },
      );
      return stop;
    }
    if (holder) await releaseIfAbandoned(deps, me.target, holder);
  }

  if (await deps.locks.acquire(me.target, me.id)) {
    if (me.status === 'queued' || me.status === 'waiting') {
      await deps.deployments.update(me.id, { status: 'staging' }, { step: 'lock', status: 'staging', message: 'target lock acquired' });
    }
    return { ...state, lock: { outcome: 'acquired', waitSeconds: 0 } };
  }

  if (me.status !== 'waiting') {
    const current = await deps.locks.holder(me.target);
    await deps.deployments.update(
      me.id,
      { status: 'waiting', reason: `waiting for deployment ${current ?? 'in progress'} to finish` },
      { step: 'lock', status: 'waiting', message: `target busy with ${current ?? 'another deployment'}` },
    );
  }
  return { ...state, lock: { outcome: 'waiting', waitSeconds: deps.lockPollSeconds } };
}

/** A lock whose holder already ended (its workflow died before releasing) is released. */
async function releaseIfAbandoned(deps: AcquireLockDeps, target: string, holderId: string): Promise<void> {
  const holder = await deps.deployments.get(holderId);
  if (!holder || isTerminal(holder.status)) await deps.locks.release(target, holderId);
}
