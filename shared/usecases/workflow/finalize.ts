import { DeploymentNotFoundError, errorMessage } from '../../domain/errors.js';
import { toView } from '../../domain/deployment.js';
import type { DeploymentEvents, DeploymentStore, LockStore, VersionPruner } from '../../ports/index.js';
import { requireTarget, type WorkflowState } from './state.js';

export interface FinalizeDeps {
  deployments: DeploymentStore;
  locks: LockStore;
  versions: VersionPruner;
  events: DeploymentEvents;
}

/** Versions to delete: beyond the newest `keep`, never one an alias (or a traffic split) uses. */
export function versionsToPrune(versions: string[], aliased: Set<string>, keep: number): string[] {
  const numeric = versions.filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return numeric.slice(keep).filter((v) => !aliased.has(v));
}

/** Records success, releases the lock, prunes old versions and announces the result. */
export async function finalize(deps: FinalizeDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(state);
  const before = await deps.deployments.get(state.deploymentId);
  if (!before) throw new DeploymentNotFoundError(state.deploymentId);
  const reason = state.noop ? 'release already live (same CodeSha256); nothing changed' : undefined;
  const updated = await deps.deployments.update(
    state.deploymentId,
    { status: 'succeeded', trafficPercent: 100, endedAt: new Date().toISOString(), ...(reason ? { reason } : { reason: `version ${before.toVersion} is live` }) },
    { step: 'finalize', status: 'succeeded', trafficPercent: 100 },
  );
  await deps.locks.release(before.target, before.id);

  const fn = target.function.name;
  try {
    const [versions, aliased] = await Promise.all([deps.versions.listVersions(fn), deps.versions.aliasedVersions(fn)]);
    const prune = versionsToPrune(versions.map((v) => v.version), aliased, target.keepVersions);
    for (const version of prune) await deps.versions.deleteVersion(fn, version);
  } catch (error) {
    // Pruning is housekeeping: the release is live; the next deployment prunes again.
    console.warn(`slipway: pruning versions of ${fn} failed: ${errorMessage(error)}`);
  }

  const final = updated ?? (await deps.deployments.get(before.id)) ?? before;
  await deps.events.publish('Deployment Status Changed', { ...toView(final), timeline: undefined });
  return state;
}
