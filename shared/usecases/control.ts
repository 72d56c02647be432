/**
 * The operator's controls: cancel and promote a running deployment, page through history, remove
 * a target. Cancel and promote only record the request; the workflow acts on it at its next step
 * or bake tick (see shared/domain/control.ts for why).
 */
import { isPromotable } from '../domain/control.js';
import { ACTIVE_STATUSES, isTerminal, type Deployment } from '../domain/deployment.js';
import { ConflictError, DeploymentNotFoundError, TargetNotFoundError } from '../domain/errors.js';
import type { DeploymentControl, DeploymentHistory, TargetRemover } from '../ports/control.js';
import { awaitsApproval } from '../domain/promotion.js';
import type { Clock, DeploymentStore, TargetStore } from '../ports/index.js';
import { cancelAwaitingApproval } from './promotions.js';

export interface ControlRequestInput {
  id: string;
  requestedBy?: string;
  reason?: string;
}

export interface ControlDeps {
  control: DeploymentControl;
  clock: Clock;
  /** Ends a cancelled promotion that awaits approval (it has no execution to act on the request). */
  deployments?: Pick<DeploymentStore, 'update'>;
}

function now(deps: { clock: Clock }): Date {
  return deps.clock.now();
}

function ended(deployment: Deployment): string {
  return `deployment ${deployment.id} already ended ${deployment.status}${deployment.reason ? ` (${deployment.reason})` : ''}`;
}

/**
 * Asks the workflow to stop. Before any traffic moved it ends `cancelled` with nothing live
 * changed; after, it is rolled back (`rolled_back`). Asking again while the first request is being
 * acted on is accepted as the same request.
 */
export async function cancelDeployment(deps: ControlDeps, input: ControlRequestInput): Promise<Deployment> {
  const outcome = await deps.control.requestCancel(input.id, {
    at: now(deps).toISOString(),
    ...(input.requestedBy ? { by: input.requestedBy } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
  });
  const deployment = outcome.deployment;
  if (!deployment) throw new DeploymentNotFoundError(input.id);
  const settled = deps.deployments ? await cancelAwaitingApproval({ deployments: deps.deployments, clock: deps.clock }, deployment) : undefined;
  if (settled) return settled;
  if (outcome.recorded || !isTerminal(deployment.status)) return deployment;
  throw new ConflictError(`${ended(deployment)}; there is nothing to cancel`);
}

/**
 * Skips the rest of the bake and sends all traffic to the new version at the next bake tick
 * (like `kubectl argo rollouts promote --full`), while there is a bake or a partial traffic step
 * to skip; the health signals are still checked once more when the promote takes effect. A
 * deployment that has not started (waiting for its window, a freeze or its schedule) starts now
 * instead, and then rolls out with its strategy as usual.
 */
export async function promoteDeployment(deps: ControlDeps, input: ControlRequestInput & { reason: string }): Promise<Deployment> {
  const at = now(deps);
  const outcome = await deps.control.requestPromote(input.id, {
    at: at.toISOString(),
    reason: input.reason,
    ...(input.requestedBy ? { by: input.requestedBy } : {}),
  });
  let deployment = outcome.deployment;
  if (!deployment) throw new DeploymentNotFoundError(input.id);
  if (outcome.recorded) return deployment;
  if (awaitsApproval(deployment)) {
    throw new ConflictError(`deployment ${deployment.id} awaits approval; approve it (npx slipway approve ${deployment.id} --reason …) or reject it`);
  }
  if (deployment.status === 'queued' || deployment.status === 'waiting') {
    // Break-glass: a deployment held back by its window, a freeze or its schedule starts now.
    const start = await deps.control.requestStart(input.id, {
      at: at.toISOString(),
      reason: input.reason,
      ...(input.requestedBy ? { by: input.requestedBy } : {}),
    });
    if (start.recorded && start.deployment) return start.deployment;
    deployment = start.deployment ?? deployment;
    if (deployment.startNowAt && !deployment.cancelRequestedAt && !isTerminal(deployment.status)) return deployment;
  }
  if (isTerminal(deployment.status)) throw new ConflictError(`${ended(deployment)}; there is nothing to promote`);
  if (deployment.cancelRequestedAt) {
    throw new ConflictError(`deployment ${deployment.id} is being cancelled (requested at ${deployment.cancelRequestedAt}); it cannot be promoted`);
  }
  if (deployment.promotedAt) {
    if (isPromotable(deployment, at)) return deployment;
    throw new ConflictError(`deployment ${deployment.id} was already promoted at ${deployment.promotedAt}; no bake is left to skip`);
  }
  throw new ConflictError(
    deployment.status === 'verifying'
      ? `deployment ${deployment.id} has all traffic and no bake left to skip`
      : `deployment ${deployment.id} is ${deployment.status}: no traffic has moved yet, so there is no bake to skip; promote once it is shifting`,
  );
}

export interface RemoveTargetDeps {
  targets: Pick<TargetStore, 'get'>;
  history: DeploymentHistory;
  remover: TargetRemover;
}

/**
 * Removes a target's registration when none of its deployments is active (queued, waiting for the
 * lock, or running). Its deployment records stay, as history; its releases stay in the bucket.
 */
export async function removeTarget(deps: RemoveTargetDeps, name: string): Promise<void> {
  if (!(await deps.targets.get(name))) throw new TargetNotFoundError(name);
  let cursor: string | undefined;
  do {
    const page = await deps.history.listPage({ target: name, statuses: [...ACTIVE_STATUSES], limit: 1, ...(cursor ? { cursor } : {}) });
    const active = page.deployments[0];
    if (active) {
      throw new ConflictError(
        `target "${name}" has an active deployment: ${active.id} (release ${active.release}, ${active.status}); wait for it to end or cancel it (POST /deployments/${active.id}/cancel), then delete the target`,
      );
    }
    cursor = page.nextCursor;
  } while (cursor);
  if (!(await deps.remover.remove(name))) throw new TargetNotFoundError(name);
}
