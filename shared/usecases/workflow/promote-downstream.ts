/**
 * Auto-promotion without a poller: the execution that took a release live upstream keeps going
 * after Finalize (the record is already `succeeded`, the lock released): it waits each downstream
 * target's soak in a Wait state (Soak), then PromoteDownstream checks again that the release
 * passed — it may have been rolled back or replaced meanwhile — publishes "Promotion Eligible"
 * and, for a target with `promotion.auto`, starts the promotion (promoteRelease). Nothing here can
 * undo the upstream release: the state machine catches this step's failure to a success end.
 */
import { ConflictError, errorMessage } from '../../domain/errors.js';
import { EVENT_SCHEMA_VERSION, PROMOTION_ELIGIBLE, promotionEligibleDetailSchema } from '../../domain/events.js';
import type { Target } from '../../domain/target.js';
import type { DeploymentEvents } from '../../ports/index.js';
import { promoteRelease, promotionCandidates, type PromotionDeps } from '../promotions.js';
import { facts, type DownstreamPlan, type WorkflowState } from './state.js';

/** Downstream targets one deployment carries at most (the state stays small); more are left to `slipway pipeline`. */
export const MAX_DOWNSTREAM = 20;
/** Who an automatic promotion is recorded as requested by. */
export const AUTO_PROMOTION_BY = 'slipway (auto-promotion)';
const WHY_MAX = 300;

export interface PromoteDownstreamDeps extends PromotionDeps {
  events: DeploymentEvents;
  /** Where the outcome of each target goes (the upstream record is final: its timeline takes no more entries). */
  log: (message: string, details: Record<string, unknown>) => void;
}

/**
 * The plan Prepare puts in the state: the targets promoting from `upstream`, by soak then name,
 * at most MAX_DOWNSTREAM; undefined when there are none (or the deployment is a rollback, whose
 * release is never a candidate).
 */
export function planDownstream(all: readonly Target[], upstream: string, trigger: string): DownstreamPlan | undefined {
  if (trigger === 'rollback') return undefined;
  const targets = all
    .filter((t) => t.promotion?.from === upstream && t.name !== upstream)
    .map((t) => ({ target: t.name, soakSeconds: t.promotion?.soakSeconds ?? 0 }))
    .sort((a, b) => a.soakSeconds - b.soakSeconds || a.target.localeCompare(b.target))
    .slice(0, MAX_DOWNSTREAM);
  const [first] = targets;
  return first ? { targets, waited: 0, waitSeconds: first.soakSeconds } : undefined;
}

/** Takes every downstream target whose soak is over after this wait; sets the next wait, if any. */
export async function promoteDownstream(deps: PromoteDownstreamDeps, state: WorkflowState): Promise<WorkflowState> {
  const plan = state.downstream;
  if (!plan || plan.waitSeconds === undefined) return state;
  const waited = plan.waited + plan.waitSeconds;
  const due = plan.targets.filter((t) => t.soakSeconds <= waited);
  const rest = plan.targets.filter((t) => t.soakSeconds > waited);
  const known = await facts(deps.deployments, state);
  const outcomes = [...(plan.outcomes ?? [])];
  for (const { target } of due) {
    const outcome = await promoteOne(deps, target, known);
    deps.log(`auto-promotion of ${known.release} from ${known.target} into ${target}: ${outcome.outcome}`, {
      ...outcome,
      upstreamDeploymentId: state.deploymentId,
    });
    outcomes.push({ ...outcome, why: outcome.why.slice(0, WHY_MAX) });
  }
  const [next] = rest;
  const after: DownstreamPlan = {
    targets: rest,
    waited,
    ...(next ? { waitSeconds: next.soakSeconds - waited } : {}),
    outcomes: outcomes.slice(-MAX_DOWNSTREAM),
  };
  return { ...state, downstream: after };
}

type Outcome = NonNullable<DownstreamPlan['outcomes']>[number];

async function promoteOne(deps: PromoteDownstreamDeps, target: string, known: { target: string; release: string; sha256?: string }): Promise<Outcome> {
  let list: Awaited<ReturnType<typeof promotionCandidates>>;
  try {
    list = await promotionCandidates(deps, target);
  } catch (error) {
    if (error instanceof ConflictError || (error as Error).name === 'TargetNotFoundError') return { target, outcome: 'not promoted', why: errorMessage(error) };
    throw error;
  }
  const from = list.target.promotion?.from;
  if (from !== known.target) return { target, outcome: 'not promoted', why: `${target} no longer promotes from ${known.target}` };
  const candidate = list.list.find((c) => c.release === known.release && c.sha256 === known.sha256);
  if (!candidate) return { target, outcome: 'not promoted', why: `${known.release} is not among the releases that succeeded on ${known.target}` };
  if (candidate.state !== 'eligible') return { target, outcome: 'not promoted', why: candidate.why };

  const at = deps.clock.now().toISOString();
  try {
    const detail = promotionEligibleDetailSchema.parse({
      schemaVersion: EVENT_SCHEMA_VERSION,
      target,
      from: known.target,
      release: candidate.release,
      sha256: candidate.sha256,
      upstreamDeploymentId: candidate.deploymentId,
      at,
    });
    await deps.events.publish([{ detailType: PROMOTION_ELIGIBLE, detail }]);
  } catch (error) {
    // As with every event: a publish that fails is logged, and changes nothing else.
    deps.log(`publishing "${PROMOTION_ELIGIBLE}" for ${target} failed: ${errorMessage(error)}`, { target });
  }
  if (!list.target.promotion?.auto) return { target, outcome: 'eligible', why: `${candidate.why}; ${target} promotes by hand (promotion.auto is false)` };

  try {
    const { deployment } = await promoteRelease(deps, { target, release: candidate.release, key: 'auto', requestedBy: AUTO_PROMOTION_BY });
    const waiting = deployment.approval?.state === 'pending';
    return { target, outcome: waiting ? 'awaiting approval' : 'started', why: candidate.why, deploymentId: deployment.id };
  } catch (error) {
    // No longer eligible, already live, …: the upstream release stays what it is.
    if (error instanceof ConflictError) return { target, outcome: 'not promoted', why: errorMessage(error) };
    throw error;
  }
}
