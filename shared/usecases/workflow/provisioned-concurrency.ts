/**
 * Provisioned concurrency handed over with a function's release (docs/targets.md#provisioned-concurrency).
 *
 * When the live version has provisioned concurrency of its own, Stage asks for the same amount on
 * the new version, and the state machine waits (a Wait state loop, CheckProvisionedConcurrency)
 * until Lambda reports it READY before any traffic moves: the canary's first request lands on
 * initialised environments. Each version keeps its own allocation whatever weight the alias gives
 * it, so nothing moves during the shift. Finalize releases the old version's allocation once the
 * new one serves everything; Rollback releases what this deployment allocated, and the alias is
 * back on the old version with its allocation untouched. An allocation that ends FAILED (the new
 * version's init fails) stops the deployment before any weight moved, with Lambda's StatusReason.
 */
import type { Deployment, ProvisionedConcurrencyRecord } from '../../domain/deployment.js';
import { errorMessage, MissingResourceError, VersionFailedError } from '../../domain/errors.js';
import type { FunctionTarget } from '../../domain/target.js';
import type { Clock, ConcurrencyAllocation, ConcurrencyAllocator, ConcurrencyReader, ConcurrencyReleaser, DeploymentStore } from '../../ports/index.js';
import type { ProvisionedHandover, WorkflowState } from './state.js';
import { bakeDemand, bakeReserveEvents, charge, HISTORY_EVENT_BUDGET, knownWaitTick, waitEventsInAll } from './wait-budget.js';

/** How often the allocation is looked at (SLIPWAY_PROVISIONED_POLL_SECONDS). */
export const DEFAULT_PROVISIONED_POLL_SECONDS = 10;
/** How long an allocation may stay IN_PROGRESS before the deployment gives up (SLIPWAY_PROVISIONED_DEADLINE_SECONDS). */
export const DEFAULT_PROVISIONED_DEADLINE_SECONDS = 900;

export interface ProvisionedConcurrencyDeps {
  deployments: DeploymentStore;
  concurrency: ConcurrencyAllocator;
  clock: Clock;
  pollSeconds?: number;
  deadlineSeconds?: number;
  /** History events one execution plans for (HISTORY_EVENT_BUDGET), the same value as ShiftTraffic's. */
  historyEventBudget?: number;
}

const BAKE_RESERVE_CONTROL_SECONDS = 10;

export function describeAllocation(amount: number, version: string, status: string): string {
  return `allocating ${amount} provisioned concurrency on version ${version}: ${status}`;
}

/**
 * The next tick of the wait for READY: every `pollSeconds`, stretched so that the ticks up to the
 * deadline fit in what the execution's history budget leaves once the bakes are kept back.
 */
function nextTick(deps: ProvisionedConcurrencyDeps, state: WorkflowState, deadline: string): { waitSeconds: number; waits: WorkflowState['waits'] } {
  const steps = state.steps ?? [];
  const budget = deps.historyEventBudget ?? HISTORY_EVENT_BUDGET;
  const eventsLeft =
    waitEventsInAll(steps.length, budget) -
    bakeReserveEvents(bakeDemand(steps), BAKE_RESERVE_CONTROL_SECONDS, Math.max(1, steps.length), budget) -
    (state.waits?.events ?? 0);
  const horizon = (Date.parse(deadline) - deps.clock.now().getTime()) / 1000;
  const plan = knownWaitTick('provisioned', deps.pollSeconds ?? DEFAULT_PROVISIONED_POLL_SECONDS, horizon, eventsLeft);
  if ('exhausted' in plan) {
    throw new VersionFailedError(
      `the execution has no history left to wait for the provisioned concurrency of the new version (the waits before it used it up); deploy again`,
    );
  }
  return { waitSeconds: plan.waitSeconds, waits: charge(state.waits, 'provisioned') };
}

/**
 * Stage's part, once the new version is published and Active: when the live version has
 * provisioned concurrency, the same amount is asked for on the new version. The record says so
 * before the request is sent, so a retried Stage knows the allocation is this deployment's.
 * Returns the state to wait with, or the state unchanged when there is nothing to allocate.
 */
export async function allocateOnNewVersion(
  deps: ProvisionedConcurrencyDeps,
  target: FunctionTarget,
  state: WorkflowState,
  versions: { fromVersion: string; toVersion: string },
  recorded: ProvisionedConcurrencyRecord | undefined,
): Promise<WorkflowState> {
  const fn = target.function.name;
  const { fromVersion, toVersion } = versions;
  if (fromVersion === toVersion) return state;
  let handover = recorded?.toVersion === toVersion ? recorded : undefined;
  let existing: ConcurrencyAllocation | undefined;
  if (!handover) {
    const live = await deps.concurrency.allocation(fn, fromVersion);
    if (!live) {
      await noteAliasAllocation(deps, target, state.deploymentId, toVersion);
      return state;
    }
    existing = await deps.concurrency.allocation(fn, toVersion);
    handover = { amount: live.requested, fromVersion, toVersion, allocated: !existing };
    await deps.deployments.update(
      state.deploymentId,
      { provisionedConcurrency: handover },
      {
        step: 'stage',
        message: existing
          ? `version ${fromVersion} has ${live.requested} provisioned concurrency; version ${toVersion} already has ${existing.requested} of its own, which slipway waits for and leaves in place`
          : `version ${fromVersion} has ${live.requested} provisioned concurrency: allocating the same on version ${toVersion} before any traffic moves`,
      },
    );
  } else {
    existing = await deps.concurrency.allocation(fn, toVersion);
  }
  const current = existing ?? (handover.allocated ? await deps.concurrency.allocate(fn, toVersion, handover.amount) : undefined);
  if (!current)
    throw new MissingResourceError(`version ${toVersion} of ${fn} no longer has the provisioned concurrency it had when staging began; deploy again`);
  return followAllocation(
    deps,
    target,
    state,
    { ...handover, status: 'IN_PROGRESS', ready: false, waitSeconds: 0, deadline: deadlineFrom(deps) },
    current,
    true,
  );
}

/**
 * Provisioned concurrency configured on the alias itself is Lambda's to move: it shares it between
 * the two versions by their weights during a split and moves it whole with the alias. Lambda keeps
 * one configuration per version (on the version, or through an alias), so slipway adds none of its
 * own; the record says so.
 */
async function noteAliasAllocation(deps: ProvisionedConcurrencyDeps, target: FunctionTarget, deploymentId: string, toVersion: string): Promise<void> {
  const { name: fn, alias } = target.function;
  const onAlias = await deps.concurrency.allocation(fn, alias);
  if (!onAlias) return;
  await deps.deployments.update(
    deploymentId,
    {},
    {
      step: 'stage',
      message: `alias ${alias} has ${onAlias.requested} provisioned concurrency of its own: Lambda shares it between the versions by their weights as traffic moves; slipway allocates none on version ${toVersion}`,
    },
  );
}

function deadlineFrom(deps: ProvisionedConcurrencyDeps): string {
  return new Date(deps.clock.now().getTime() + (deps.deadlineSeconds ?? DEFAULT_PROVISIONED_DEADLINE_SECONDS) * 1000).toISOString();
}

/**
 * CheckProvisionedConcurrency: one look at the new version's allocation, after a Wait. READY lets
 * the traffic move; FAILED stops the deployment with Lambda's reason; still IN_PROGRESS past the
 * deadline stops it too. The timeline gets a line when the status changes, not every tick.
 */
export async function awaitProvisionedConcurrency(
  deps: Omit<ProvisionedConcurrencyDeps, 'concurrency'> & { concurrency: ConcurrencyReader },
  state: WorkflowState,
): Promise<WorkflowState> {
  const handover = state.provisioned;
  if (!handover || handover.ready) return state;
  const target = state.target;
  if (target?.kind !== 'function') return state;
  const current = await deps.concurrency.allocation(target.function.name, handover.toVersion);
  if (!current) {
    throw new MissingResourceError(
      `the provisioned concurrency allocated on version ${handover.toVersion} of ${target.function.name} was deleted while the deployment waited for it; deploy again`,
    );
  }
  return followAllocation(deps, target, state, handover, current, false);
}

async function followAllocation(
  deps: Omit<ProvisionedConcurrencyDeps, 'concurrency'>,
  target: FunctionTarget,
  state: WorkflowState,
  handover: ProvisionedHandover,
  current: { status: string; statusReason?: string; available: number; requested: number },
  first: boolean,
): Promise<WorkflowState> {
  const fn = target.function.name;
  const { amount, toVersion } = handover;
  if (current.status === 'FAILED') {
    throw new VersionFailedError(
      `the ${amount} provisioned concurrency on version ${toVersion} of ${fn} failed to initialise: ${current.statusReason ?? 'Lambda gave no reason'}; ` +
        'no traffic was moved to it: fix what stops the new version from initialising, then deploy again',
    );
  }
  if (current.status === 'READY') {
    await deps.deployments.update(
      state.deploymentId,
      {},
      { step: 'stage', message: `${describeAllocation(amount, toVersion, 'READY')} (${current.available} available); traffic may move` },
    );
    return { ...state, provisioned: { ...handover, status: 'READY', ready: true, waitSeconds: 0 } };
  }
  if (!first && deps.clock.now().getTime() >= Date.parse(handover.deadline)) {
    throw new VersionFailedError(
      `the ${amount} provisioned concurrency on version ${toVersion} of ${fn} was still IN_PROGRESS at the deadline (${handover.deadline}); ` +
        'no traffic was moved to it: look at the version’s init in its logs, or raise SLIPWAY_PROVISIONED_DEADLINE_SECONDS, then deploy again',
    );
  }
  if (first || handover.status !== 'IN_PROGRESS') {
    await deps.deployments.update(state.deploymentId, {}, { step: 'stage', message: describeAllocation(amount, toVersion, 'IN_PROGRESS') });
  }
  const tick = nextTick(deps as ProvisionedConcurrencyDeps, state, handover.deadline);
  return {
    ...state,
    ...(tick.waits ? { waits: tick.waits } : {}),
    provisioned: { ...handover, status: 'IN_PROGRESS', ready: false, waitSeconds: tick.waitSeconds },
  };
}

/** The handover of a deployment, from the state or, outside the workflow (reconcile), from its record. */
export function handoverOf(state: WorkflowState | undefined, deployment: Deployment | undefined): ProvisionedConcurrencyRecord | undefined {
  return state?.provisioned ?? deployment?.provisionedConcurrency;
}

/**
 * Finalize's part: the new version serves everything and keeps its allocation; the old version's
 * is released. A failure is recorded with what to run by hand: the release is live whatever happens here.
 */
export async function releaseOldVersion(
  deps: { deployments: DeploymentStore; concurrency?: ConcurrencyReleaser },
  target: FunctionTarget,
  deploymentId: string,
  handover: ProvisionedConcurrencyRecord | undefined,
): Promise<void> {
  if (!handover || !deps.concurrency || handover.fromVersion === handover.toVersion) return;
  const fn = target.function.name;
  try {
    const released = await deps.concurrency.release(fn, handover.fromVersion);
    await deps.deployments.update(
      deploymentId,
      {},
      {
        step: 'finalize',
        message: `${released ? `released the provisioned concurrency of version ${handover.fromVersion}` : `version ${handover.fromVersion} had no provisioned concurrency left to release`}; version ${handover.toVersion} keeps ${handover.amount}`,
      },
    );
  } catch (error) {
    await deps.deployments.update(
      deploymentId,
      {},
      {
        step: 'finalize',
        message: `releasing the provisioned concurrency of version ${handover.fromVersion} failed (${errorMessage(error)}); release it with aws lambda delete-provisioned-concurrency-config --function-name ${fn} --qualifier ${handover.fromVersion}`,
      },
    );
  }
}

/**
 * Rollback's part: what this deployment allocated on the new version is released (never an
 * allocation it found there); the old version's stays as it was. Returns the words for the reason.
 */
export async function releaseNewVersion(
  deps: { concurrency?: ConcurrencyReleaser },
  target: FunctionTarget,
  handover: ProvisionedConcurrencyRecord | undefined,
): Promise<string | undefined> {
  if (!handover?.allocated || !deps.concurrency || handover.fromVersion === handover.toVersion) return undefined;
  const released = await deps.concurrency.release(target.function.name, handover.toVersion);
  return released
    ? `released the ${handover.amount} provisioned concurrency allocated on version ${handover.toVersion}`
    : `no provisioned concurrency was left on version ${handover.toVersion}`;
}
