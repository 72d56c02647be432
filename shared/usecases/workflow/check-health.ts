import { UnhealthyReleaseError } from '../../domain/errors.js';
import type { Cdn, HealthSignals } from '../../ports/index.js';
import { awaitSiteInvalidation } from '../site/await-invalidation.js';
import { requireTarget, type WorkflowState } from './state.js';

export interface CheckHealthDeps {
  health: HealthSignals;
  /** Sites: health is judged once the switch's invalidation completed, not on cached content. */
  cdn: Pick<Cdn, 'isInvalidationComplete'>;
}

/**
 * One health check during a bake: any configured alarm in ALARM or a failing probe ends the
 * deployment (the state machine catches the error and rolls back). Runs after a Wait state, so
 * no Lambda ever sleeps through a bake.
 */
export async function checkHealth(deps: CheckHealthDeps, input: WorkflowState): Promise<WorkflowState> {
  const target = requireTarget(input);
  const verify = input.verify ?? { next: 'bake' as const, waitSeconds: 0, remainingChecks: 1 };
  let state = input;
  if (target.kind === 'site' && state.invalidation && !state.invalidation.complete) {
    state = await awaitSiteInvalidation(deps.cdn, target, state);
    if (!state.invalidation?.complete) return { ...state, verify: { ...verify, next: 'bake' } };
  }
  const { alarms, probe } = target.health;

  const [firing, probeFailure] = await Promise.all([
    alarms.length > 0 ? deps.health.alarmsFiring(alarms) : Promise.resolve([]),
    probe ? deps.health.probe(probe) : Promise.resolve(undefined),
  ]);
  if (firing.length > 0) {
    throw new UnhealthyReleaseError(`alarm ${firing.map((a) => `"${a}"`).join(', ')} went to ALARM during the bake`);
  }
  if (probeFailure) throw new UnhealthyReleaseError(probeFailure);

  const remainingChecks = verify.remainingChecks - 1;
  if (remainingChecks > 0) return { ...state, verify: { ...verify, next: 'bake', remainingChecks } };
  const stepIndex = state.stepIndex ?? 0;
  const last = stepIndex >= (state.steps?.length ?? 1) - 1;
  return last
    ? { ...state, verify: { ...verify, next: 'done', remainingChecks } }
    : { ...state, stepIndex: stepIndex + 1, verify: { ...verify, next: 'shift', remainingChecks } };
}
