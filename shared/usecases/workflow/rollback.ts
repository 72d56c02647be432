import { errorMessage } from '../../domain/errors.js';
import { isTerminal, toView } from '../../domain/deployment.js';
import type { AliasRouter, Cdn, DeploymentEvents, DeploymentStore, LockStore, TargetStore } from '../../ports/index.js';
import type { WorkflowState } from './state.js';

export interface RollbackDeps {
  deployments: DeploymentStore;
  targets: TargetStore;
  locks: LockStore;
  aliases: AliasRouter;
  cdn: Cdn;
  events: DeploymentEvents;
}

/** Turns Step Functions' Catch output into a sentence (a Lambda's Cause is a JSON error object). */
export function describeFailure(error: WorkflowState['error']): string {
  if (!error) return 'the workflow failed';
  let cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // a plain message
  }
  return cause ? `${error.Error}: ${cause}` : error.Error;
}

/**
 * Runs after any failure. Puts the alias back on the version it had (no routing config) when the
 * deployment had changed it, records `rolled_back` (traffic had moved) or `failed` (it had not),
 * releases the lock and announces the result. Safe to run again.
 */
export async function rollback(deps: RollbackDeps, state: WorkflowState): Promise<WorkflowState> {
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) return state;
  if (isTerminal(deployment.status)) {
    // The outcome is already recorded (Finalize wrote `succeeded`, then failed): the record and
    // the alias agree as they are; undoing the switch now would make the record lie.
    await deps.locks.release(deployment.target, deployment.id);
    return state;
  }
  const failure = describeFailure(state.error);
  const target = state.target ?? (await deps.targets.get(deployment.target));

  let restored = false;
  if (target && deployment.fromVersion && deployment.toVersion && deployment.fromVersion !== deployment.toVersion) {
    const fn = target.function.name;
    const aliasName = target.function.alias;
    const alias = await deps.aliases.getAlias(fn, aliasName);
    const onOld = alias.version === deployment.fromVersion && !alias.additional;
    const ours = alias.version === deployment.toVersion || alias.additional?.version === deployment.toVersion;
    if (!onOld && ours) {
      await deps.aliases.updateAlias(fn, aliasName, { version: deployment.fromVersion }, alias.revisionId);
      restored = true;
    }
  }
  const trafficMoved = restored || deployment.trafficPercent > 0;

  if (trafficMoved && target?.cdn) {
    try {
      await deps.cdn.invalidate(target.cdn.distributionId, target.cdn.paths, `${deployment.id}-rollback`);
    } catch (error) {
      await deps.deployments.update(deployment.id, {}, { step: 'rollback', message: `CDN invalidation after rollback failed: ${errorMessage(error)}` });
    }
  }

  {
    const status = trafficMoved ? 'rolled_back' : 'failed';
    const reason = trafficMoved
      ? `${failure}; alias restored to version ${deployment.fromVersion}`
      : `${failure}; no traffic was moved`;
    await deps.deployments.update(
      deployment.id,
      { status, reason, trafficPercent: 0, endedAt: new Date().toISOString() },
      { step: 'rollback', status, trafficPercent: 0, message: reason },
    );
  }
  await deps.locks.release(deployment.target, deployment.id);
  const final = (await deps.deployments.get(deployment.id)) ?? deployment;
  await deps.events.publish('Deployment Status Changed', { ...toView(final), timeline: undefined });
  return state;
}
