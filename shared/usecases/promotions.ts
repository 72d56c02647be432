import { deploymentIdForRequest, isTerminal, type Deployment } from '../domain/deployment.js';
import { ConflictError, DeploymentNotFoundError, TargetNotFoundError } from '../domain/errors.js';
import { awaitsApproval, candidates, choose, type Candidate } from '../domain/promotion.js';
import type { Target } from '../domain/target.js';
import type { Clock, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';
import { newRecord } from './deployments.js';
import { PROMOTION_HISTORY } from './promotion-gate.js';

export interface PromotionDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  clock: Clock;
}

export { PROMOTION_HISTORY, promotionGate, type PromotionGateDeps } from './promotion-gate.js';

/** The reason a promotion behind `approval: "required"` waits with. */
export const AWAITING_APPROVAL = 'awaiting approval';

/** The target, which must be gated (have `promotion.from`), and its upstream's candidates, newest first. */
export async function promotionCandidates(
  deps: Pick<PromotionDeps, 'targets' | 'deployments' | 'clock'>,
  name: string,
): Promise<{ target: Target; list: Candidate[] }> {
  const target = await deps.targets.get(name);
  if (!target) throw new TargetNotFoundError(name);
  const promotion = target.promotion;
  if (!promotion) throw new ConflictError(`target "${name}" has no promotion.from, so there is nothing to promote into it; deploy releases to it directly`);
  if (!(await deps.targets.get(promotion.from))) {
    throw new ConflictError(`target "${name}" promotes from "${promotion.from}", which is not a registered target; register it or change promotion.from`);
  }
  const history = await deps.deployments.listByTarget(promotion.from, { limit: PROMOTION_HISTORY });
  return { target, list: candidates(promotion.from, history, promotion.soakSeconds, deps.clock.now()) };
}

/**
 * Starts a promotion: a deployment of the upstream's very artifact (same object, same sha256, never
 * uploaded again) on the gated target, trigger `promotion`. The named release, or by default the
 * newest eligible one; a ConflictError says which gate is not met. Behind `approval: "required"` the
 * record waits (`waiting`, "awaiting approval") and no execution starts until someone approves.
 *
 * `key` makes the request idempotent: the same key for the same upstream deployment finds the same
 * record (an automatic promotion passes one; a person's request passes none and gets a new record).
 */
export async function promoteRelease(
  deps: PromotionDeps,
  request: { target: string; release?: string; requestedBy?: string; key?: string },
): Promise<{ deployment: Deployment; created: boolean }> {
  const { target, list } = await promotionCandidates(deps, request.target);
  const promotion = target.promotion as NonNullable<Target['promotion']>;
  const { candidate, why } = choose(promotion.from, list, request.release);
  if (!candidate) throw new ConflictError(`cannot promote into "${target.name}": ${why}`);
  if (!candidate.artifact)
    throw new ConflictError(`cannot promote into "${target.name}": the deployment of ${candidate.release} on ${promotion.from} names no artifact`);

  const [newest] = (await deps.deployments.listByTarget(target.name, { limit: 20 })).filter((d) => d.status === 'succeeded');
  if (newest && newest.release === candidate.release && newest.sha256 === candidate.sha256) {
    throw new ConflictError(`release ${candidate.release} (sha256 ${candidate.sha256.slice(0, 12)}…) is already live on "${target.name}"; nothing to promote`);
  }

  const now = deps.clock.now().toISOString();
  const id = deploymentIdForRequest('promotion', target.name, candidate.deploymentId, request.key ?? now);
  const pending = (await deps.deployments.listByTarget(target.name, { limit: 20 })).find(
    (d) => d.id !== id && d.trigger === 'promotion' && !isTerminal(d.status) && d.release === candidate.release && d.sha256 === candidate.sha256,
  );
  if (pending) {
    throw new ConflictError(
      awaitsApproval(pending)
        ? `a promotion of ${candidate.release} into "${target.name}" already awaits approval: ${pending.id}; approve it (npx slipway approve ${pending.id} --reason …) or reject it`
        : `a promotion of ${candidate.release} into "${target.name}" is already under way: ${pending.id} (${pending.status})`,
    );
  }
  const waiting = promotion.approval === 'required';
  const by = request.requestedBy ? ` by ${request.requestedBy}` : '';
  const record = newRecord(
    {
      id,
      target: target.name,
      release: candidate.release,
      trigger: 'promotion',
      artifact: candidate.artifact,
      sha256: candidate.sha256,
      promotion: { from: promotion.from, upstreamDeploymentId: candidate.deploymentId },
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
      ...(waiting ? { status: 'waiting' as const, reason: AWAITING_APPROVAL, approval: { state: 'pending' as const } } : {}),
    },
    `promotion of ${candidate.release} from ${promotion.from} requested${by} (${why})${waiting ? '; awaiting approval' : ''}`,
    now,
  );
  const { deployment, created } = await deps.deployments.create(record);
  if (!waiting) await deps.orchestrator.start(deployment.id);
  return { deployment, created };
}

export interface ApprovalDeps {
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  clock: Clock;
}

export interface ApprovalInput {
  id: string;
  reason: string;
  requestedBy?: string;
}

function notAwaiting(id: string, deployment: Deployment | undefined): ConflictError | DeploymentNotFoundError {
  if (!deployment) return new DeploymentNotFoundError(id);
  const approval = deployment.approval;
  if (approval && approval.state !== 'pending') {
    return new ConflictError(
      `deployment ${id} is not awaiting approval: it was ${approval.state}${approval.by ? ` by ${approval.by}` : ''}${approval.at ? ` at ${approval.at}` : ''}`,
    );
  }
  if (isTerminal(deployment.status)) return new ConflictError(`deployment ${id} is not awaiting approval: it already ended ${deployment.status}`);
  return new ConflictError(`deployment ${id} is not awaiting approval: only a promotion into a target with promotion.approval "required" waits for one`);
}

/**
 * Approves a promotion that awaits approval and starts its execution: the window, the schedule and
 * the lock still apply (AcquireLock as usual). The write is conditional on the approval still being
 * pending, so of two approvals (or an approve and a reject) exactly one wins; the other gets a 409.
 */
export async function approvePromotion(deps: ApprovalDeps, input: ApprovalInput): Promise<Deployment> {
  const current = await deps.deployments.get(input.id);
  if (!current || !awaitsApproval(current)) throw await approvedButNotStarted(deps, input.id, current);
  const at = deps.clock.now().toISOString();
  const by = input.requestedBy ?? 'an unidentified caller';
  const approved = await deps.deployments.update(
    input.id,
    {
      approval: { state: 'approved', ...(input.requestedBy ? { by: input.requestedBy } : {}), reason: input.reason, at },
      reason: `approved by ${by}; starting`,
    },
    {
      step: 'approval',
      status: 'waiting',
      message: `promotion approved by ${by}: ${input.reason}`,
      ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}),
      reason: input.reason,
    },
    { onlyIfApprovalPending: true },
  );
  if (!approved) throw await approvedButNotStarted(deps, input.id, await deps.deployments.get(input.id));
  await deps.orchestrator.start(approved.id);
  return approved;
}

/**
 * The 409 for an approve that found no pending approval. An approved record that has not ended may
 * be one whose start was lost (the caller's process died between the write and the start): it is
 * started again, which is a no-op when its execution runs.
 */
async function approvedButNotStarted(deps: ApprovalDeps, id: string, deployment: Deployment | undefined): Promise<Error> {
  if (deployment?.approval?.state === 'approved' && !isTerminal(deployment.status)) await deps.orchestrator.start(deployment.id);
  return notAwaiting(id, deployment);
}

/** Rejects a promotion that awaits approval: it ends `cancelled`, nothing having changed; conditional like approvePromotion. */
export async function rejectPromotion(deps: Omit<ApprovalDeps, 'orchestrator'>, input: ApprovalInput): Promise<Deployment> {
  const current = await deps.deployments.get(input.id);
  if (!current || !awaitsApproval(current)) throw notAwaiting(input.id, current);
  const at = deps.clock.now().toISOString();
  const by = input.requestedBy ?? 'an unidentified caller';
  const reason = `rejected by ${by}: ${input.reason}`;
  const rejected = await deps.deployments.update(
    input.id,
    {
      status: 'cancelled',
      endedAt: at,
      reason,
      approval: { state: 'rejected', ...(input.requestedBy ? { by: input.requestedBy } : {}), reason: input.reason, at },
    },
    { step: 'approval', status: 'cancelled', message: reason, ...(input.requestedBy ? { requestedBy: input.requestedBy } : {}), reason: input.reason },
    { onlyIfApprovalPending: true },
  );
  if (!rejected) throw notAwaiting(input.id, await deps.deployments.get(input.id));
  return rejected;
}

/**
 * A cancel of a promotion that awaits approval: no execution runs to act on the request, so the
 * record ends `cancelled` here. Undefined when it does not await approval (the workflow acts on the cancel).
 */
export async function cancelAwaitingApproval(
  deps: { deployments: Pick<DeploymentStore, 'update'>; clock: Clock },
  deployment: Deployment,
): Promise<Deployment | undefined> {
  if (!awaitsApproval(deployment)) return undefined;
  const by = deployment.cancelRequestedBy ?? 'an unidentified caller';
  const reason = `cancelled by ${by} before approval${deployment.cancelReason ? `: ${deployment.cancelReason}` : ''}`;
  return deps.deployments.update(
    deployment.id,
    { status: 'cancelled', endedAt: deps.clock.now().toISOString(), reason },
    { step: 'cancel', status: 'cancelled', message: reason },
    { onlyIfApprovalPending: true },
  );
}
