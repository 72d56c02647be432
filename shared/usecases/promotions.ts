import { deploymentIdForRequest, type Deployment } from '../domain/deployment.js';
import { ConflictError, TargetNotFoundError } from '../domain/errors.js';
import { candidates, choose, type Candidate } from '../domain/promotion.js';
import type { Target } from '../domain/target.js';
import type { Clock, DeploymentStore, Orchestrator, TargetStore } from '../ports/index.js';
import { newRecord } from './deployments.js';

export interface PromotionDeps {
  targets: TargetStore;
  deployments: DeploymentStore;
  orchestrator: Orchestrator;
  clock: Clock;
}

/** Upstream deployments looked at to find what passed there (listByTarget's page). */
export const PROMOTION_HISTORY = 100;

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
  const waiting = promotion.approval === 'required';
  const by = request.requestedBy ? ` by ${request.requestedBy}` : '';
  const record = newRecord(
    {
      id: deploymentIdForRequest('promotion', target.name, candidate.deploymentId, request.key ?? now),
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
  if (waiting) record.timeline = record.timeline.map((e) => ({ ...e, status: 'waiting' }));
  const { deployment, created } = await deps.deployments.create(record);
  if (!waiting) await deps.orchestrator.start(deployment.id);
  return { deployment, created };
}
