/**
 * The Task handlers of the deploy state machine, one factory each: every dependency is an
 * argument, so the AWS root, the dev runtime and the tests each pass their own.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { finishSiteStaging, type FinishStagingDeps } from '../usecases/site/finish-staging.js';
import { stageSiteChunk, type StageChunkDeps, type StageChunkInput } from '../usecases/site/stage-chunk.js';
import { switchSite, type SwitchSiteDeps } from '../usecases/site/switch.js';
import { acquireLock, type AcquireLockDeps } from '../usecases/workflow/acquire-lock.js';
import { checkHealth, type CheckHealthDeps } from '../usecases/workflow/check-health.js';
import { finalize, type FinalizeDeps } from '../usecases/workflow/finalize.js';
import { invalidateCdn, type InvalidateCdnDeps } from '../usecases/workflow/invalidate-cdn.js';
import { prepare, type PrepareDeps } from '../usecases/workflow/prepare.js';
import { rollback, type RollbackDeps } from '../usecases/workflow/rollback.js';
import { runHook, type HookPhase, type RunHookDeps } from '../usecases/workflow/run-hook.js';
import { shiftTraffic, type ShiftTrafficDeps } from '../usecases/workflow/shift-traffic.js';
import { stage } from '../usecases/workflow/stage.js';
import { awaitProvisionedConcurrency } from '../usecases/workflow/provisioned-concurrency.js';
import { stageApp, type StageAppDeps } from '../usecases/app/stage-app.js';
import { shiftApp } from '../usecases/app/shift-app.js';
import type { WorkflowState } from '../usecases/workflow/state.js';
import { createTaskHandler } from './task.js';

export interface WithLogger {
  logger: Logger;
}

export const createPrepareHandler = ({ logger, ...deps }: PrepareDeps & WithLogger) =>
  createTaskHandler(logger, 'prepare', (state: WorkflowState) => prepare(deps, state));

export const createAcquireLockHandler = ({ logger, ...deps }: AcquireLockDeps & WithLogger) =>
  createTaskHandler(logger, 'acquireLock', (state: WorkflowState) => acquireLock(deps, state));

/** What CheckProvisionedConcurrency hands the stage function: the state, to look at the new version's allocation again. */
export interface ProvisionedConcurrencyCheck {
  phase: 'provisionedConcurrency';
  state: WorkflowState;
}

/**
 * A function publishes one version; an app publishes one per changed function component. The same
 * function answers CheckProvisionedConcurrency, the wait for the new version's provisioned
 * concurrency that Stage asked for: it holds the permissions to read it.
 */
export const createStageHandler = ({ logger, ...deps }: StageAppDeps & WithLogger) =>
  createTaskHandler(logger, 'stage', (input: WorkflowState | ProvisionedConcurrencyCheck) => {
    if ('phase' in input && input.phase === 'provisionedConcurrency') {
      return deps.provisioned ? awaitProvisionedConcurrency({ ...deps.provisioned, deployments: deps.deployments }, input.state) : Promise.resolve(input.state);
    }
    const state = input as WorkflowState;
    return state.target?.kind === 'app' ? stageApp(deps, state, state.target) : stage(deps, state);
  });

export const createStageSiteChunkHandler = ({ logger, ...deps }: StageChunkDeps & WithLogger) =>
  createTaskHandler(logger, 'stageSiteChunk', (input: StageChunkInput) => stageSiteChunk(deps, input));

export const createFinishSiteStagingHandler = ({ logger, ...deps }: FinishStagingDeps & WithLogger) =>
  createTaskHandler(logger, 'finishSiteStaging', (state: WorkflowState) => finishSiteStaging(deps, state));

export const createRunHookHandler = ({ logger, ...deps }: RunHookDeps & WithLogger) =>
  createTaskHandler(logger, 'runHook', (input: { phase: HookPhase; state: WorkflowState }) => runHook(deps, input));

/** A function shifts its alias step by step; a site switches its origin path at once; an app does both, in lockstep. */
export const createShiftTrafficHandler = ({ logger, ...deps }: ShiftTrafficDeps & SwitchSiteDeps & WithLogger) =>
  createTaskHandler(logger, 'shiftTraffic', (state: WorkflowState) =>
    state.target?.kind === 'site' ? switchSite(deps, state) : state.target?.kind === 'app' ? shiftApp(deps, state, state.target) : shiftTraffic(deps, state),
  );

export const createCheckHealthHandler = ({ logger, ...deps }: CheckHealthDeps & WithLogger) =>
  createTaskHandler(logger, 'checkHealth', (state: WorkflowState) => checkHealth(deps, state));

export const createInvalidateCdnHandler = ({ logger, ...deps }: InvalidateCdnDeps & WithLogger) =>
  createTaskHandler(logger, 'invalidateCdn', (state: WorkflowState) => invalidateCdn(deps, state));

export const createFinalizeHandler = ({ logger, ...deps }: FinalizeDeps & WithLogger) =>
  createTaskHandler(logger, 'finalize', (state: WorkflowState) => finalize(deps, state));

export const createRollbackHandler = ({ logger, ...deps }: RollbackDeps & WithLogger) =>
  createTaskHandler(logger, 'rollback', (state: WorkflowState) => rollback(deps, state));
