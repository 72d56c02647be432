import { assertNotCancelled } from '../../domain/control.js';
import { ConcurrentModificationError, DeploymentNotFoundError } from '../../domain/errors.js';
import type { FunctionTarget } from '../../domain/target.js';
import type { AliasRouter, Clock, DeploymentStore } from '../../ports/index.js';
import { requireFunctionTarget, type Verification, type WorkflowState } from './state.js';
import type { TrafficStep } from '../../domain/strategy.js';
import { bakeTickAllowance, charge, HISTORY_EVENT_BUDGET } from './wait-budget.js';

export interface ShiftTrafficDeps {
  deployments: DeploymentStore;
  aliases: AliasRouter;
  /** The longest a bake waits between two looks at the record (cancel, promote); DEFAULT_CONTROL_SECONDS. */
  controlSeconds?: number;
  /** History events one execution plans for (HISTORY_EVENT_BUDGET); the same value as AcquireLock's. */
  historyEventBudget?: number;
  clock: Clock;
}

/** A cancel or promote takes effect within this many seconds of a bake (SLIPWAY_CONTROL_SECONDS). */
export const DEFAULT_CONTROL_SECONDS = 10;

/**
 * Bake ticks of all steps together when no budget is given (a site's single check). A workflow
 * step passes `maxTicks` from the execution's wait budget (wait-budget.ts) instead.
 */
export const MAX_BAKE_TICKS = 2000;

export function hasHealthSignals(target: Pick<FunctionTarget, 'health'>): boolean {
  return target.health.alarms.length > 0 || Boolean(target.health.probe) || Boolean(target.health.analysis);
}

export interface VerificationPlan {
  /** Seconds of one tick (the Bake Wait). */
  waitSeconds: number;
  /** Ticks in the bake; 0 when the step does not bake. */
  remainingChecks: number;
  /** Every how many ticks the health signals are checked (the last tick always checks). */
  healthEvery: number;
  /** How long the bake lasts: the step's bakeSeconds, at least one health interval when there are signals. */
  bakeSeconds: number;
}

/**
 * How a traffic step is verified. Health is checked every `pollSeconds` (more rarely for a bake so
 * long the history would not hold it), and at least once after a shift when there are signals.
 * The bake waits in ticks of at most `controlSeconds`, so a cancel or a promote is seen soon.
 */
export function verificationPlan(
  target: Pick<FunctionTarget, 'health'>,
  bakeSeconds: number,
  options: { controlSeconds?: number; steps?: number; maxTicks?: number } = {},
): VerificationPlan {
  const maxTicks = Math.max(1, Math.floor(options.maxTicks ?? MAX_BAKE_TICKS / Math.max(1, options.steps ?? 1)));
  let healthSeconds: number | undefined;
  let total = bakeSeconds;
  if (hasHealthSignals(target)) {
    healthSeconds = Math.max(target.health.pollSeconds, Math.ceil(bakeSeconds / maxTicks));
    total = Math.max(1, Math.ceil(bakeSeconds / healthSeconds)) * healthSeconds;
  }
  if (total <= 0) return { waitSeconds: 0, remainingChecks: 0, healthEvery: 1, bakeSeconds: 0 };
  const control = Math.max(1, options.controlSeconds ?? DEFAULT_CONTROL_SECONDS);
  const tick = Math.max(Math.min(control, healthSeconds ?? total, total), Math.ceil(total / maxTicks));
  return {
    waitSeconds: tick,
    remainingChecks: Math.ceil(total / tick),
    healthEvery: healthSeconds ? Math.max(1, Math.floor(healthSeconds / tick)) : 1,
    bakeSeconds: total,
  };
}

/**
 * Moves the alias to the current step's weight (RoutingConfig), guarded by the alias RevisionId.
 * Recording the new share is what announces it ("Deployment Traffic Shifted").
 */
export async function shiftTraffic(deps: ShiftTrafficDeps, state: WorkflowState): Promise<WorkflowState> {
  const target = requireFunctionTarget(state);
  const { deployment, promoted, steps, stepIndex, step } = await currentStep(deps, state);
  const { fromVersion, toVersion } = deployment;
  if (!fromVersion || !toVersion) throw new Error(`deployment ${deployment.id} was not staged`);

  const fn = target.function.name;
  const aliasName = target.function.alias;
  const desired = step.percent >= 100 ? { version: toVersion } : { version: fromVersion, additional: { version: toVersion, weight: step.percent / 100 } };
  const aliasRevision = await moveAlias(deps, fn, aliasName, desired, { fromVersion, toVersion }, state.aliasRevision);

  // The bake gets what the waits before it left of the execution's history budget, shared among the steps still to bake.
  const plan = promoted
    ? { waitSeconds: 0, remainingChecks: 0, healthEvery: 1, bakeSeconds: 0 }
    : verificationPlan(target, step.bakeSeconds, {
        ...(deps.controlSeconds ? { controlSeconds: deps.controlSeconds } : {}),
        maxTicks: bakeTickAllowance(steps, stepIndex, state.waits, deps.historyEventBudget ?? HISTORY_EVENT_BUDGET),
      });
  // The planned ticks are charged now (a promote that skips some leaves them unused, never short).
  const waits = plan.remainingChecks > 0 ? charge(state.waits, 'bake', plan.remainingChecks) : state.waits;
  const status = step.percent >= 100 ? 'verifying' : 'shifting';
  await deps.deployments.update(
    deployment.id,
    { status, trafficPercent: step.percent, bakeEndsAt: new Date(deps.clock.now().getTime() + plan.bakeSeconds * 1000).toISOString() },
    {
      step: 'shift',
      status,
      trafficPercent: step.percent,
      message: `${step.percent}% of traffic on version ${toVersion}${promoted ? ' (promoted)' : ''}${
        step.minBakeSeconds !== undefined && step.percent < 100 && !promoted
          ? `; judging version ${toVersion} on its own evidence for ${step.minBakeSeconds}s to ${plan.bakeSeconds}s`
          : plan.bakeSeconds > 0
            ? `; baking ${plan.bakeSeconds}s`
            : ''
      }`,
    },
  );

  const now = deps.clock.now();
  const analysis =
    step.minBakeSeconds !== undefined && step.percent < 100 && !promoted
      ? { analysis: { since: now.toISOString(), minUntil: new Date(now.getTime() + step.minBakeSeconds * 1000).toISOString() } }
      : {};
  return afterShift({ ...state, aliasRevision, ...(waits ? { waits } : {}) }, plan, steps, stepIndex, analysis);
}

/**
 * The step a ShiftTraffic moves to, read from the record before traffic moves (a cancel asked for
 * since Stage must keep the aliases where they are). A promoted deployment goes straight to its
 * last step (100%) and does not bake there.
 */
export async function currentStep(deps: Pick<ShiftTrafficDeps, 'deployments'>, state: WorkflowState) {
  const steps = state.steps ?? [];
  const deployment = await deps.deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  const promoted = Boolean(deployment.promotedAt);
  const stepIndex = promoted ? steps.length - 1 : (state.stepIndex ?? 0);
  const step = steps[stepIndex];
  if (!step) throw new Error(`step ${stepIndex} is not in the plan of ${state.deploymentId}`);
  return { deployment, promoted, steps, stepIndex, step };
}

/** The state after a shift: bake this step, shift to the next one, or done. */
export function afterShift(
  state: WorkflowState,
  plan: VerificationPlan,
  steps: readonly TrafficStep[],
  stepIndex: number,
  extra: Pick<Verification, 'analysis'> = {},
): WorkflowState {
  const verify = { waitSeconds: plan.waitSeconds, remainingChecks: plan.remainingChecks, healthEvery: plan.healthEvery, sinceHealth: 0, checks: 0, ...extra };
  if (plan.remainingChecks > 0) return { ...state, stepIndex, verify: { next: 'bake', ...verify } };
  return stepIndex >= steps.length - 1
    ? { ...state, stepIndex, verify: { next: 'done', ...verify } }
    : { ...state, stepIndex: stepIndex + 1, verify: { next: 'shift', ...verify } };
}

/**
 * Sets the alias, guarded by its RevisionId. The revision slipway last saw (Stage) or left (the
 * previous Shift) is tried first, with no GetAlias: unchanged, the alias is where slipway put it.
 * When it changed (a retried step, or someone else), the alias is read and checked as it is.
 * Returns the alias's new RevisionId.
 */
export async function moveAlias(
  deps: Pick<ShiftTrafficDeps, 'aliases'>,
  fn: string,
  aliasName: string,
  desired: { version: string; additional?: { version: string; weight: number } },
  versions: { fromVersion: string; toVersion: string },
  knownRevision: string | undefined,
): Promise<string> {
  if (knownRevision) {
    try {
      return (await deps.aliases.updateAlias(fn, aliasName, desired, knownRevision)).revisionId;
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError)) throw error;
    }
  }
  const alias = await deps.aliases.getAlias(fn, aliasName);
  const alreadyThere =
    alias.version === desired.version &&
    alias.additional?.version === desired.additional?.version &&
    (alias.additional?.weight ?? 0) === (desired.additional?.weight ?? 0);
  if (alreadyThere) return alias.revisionId;
  if (alias.version !== versions.fromVersion && alias.version !== versions.toVersion) {
    throw new ConcurrentModificationError(`alias ${fn}:${aliasName} moved to version ${alias.version} during the deployment; slipway will not overwrite it`);
  }
  return (await deps.aliases.updateAlias(fn, aliasName, desired, alias.revisionId)).revisionId;
}
