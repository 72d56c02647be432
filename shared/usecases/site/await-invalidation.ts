import type { Cdn } from '../../ports/index.js';
import type { SiteTarget } from '../../domain/target.js';
import type { WorkflowState } from '../workflow/state.js';

/** Checks after which a site deployment goes on even if CloudFront still reports InProgress. */
export const MAX_INVALIDATION_CHECKS = 60;

/** Advances the state's invalidation: complete, or one more check spent. */
export async function awaitSiteInvalidation(cdn: Pick<Cdn, 'isInvalidationComplete'>, target: SiteTarget, state: WorkflowState): Promise<WorkflowState> {
  const current = state.invalidation;
  if (!current || current.complete) return state;
  const complete = current.checks + 1 >= MAX_INVALIDATION_CHECKS || (await cdn.isInvalidationComplete(target.site.distributionId, current.id));
  return { ...state, invalidation: { ...current, complete, checks: current.checks + 1 } };
}
