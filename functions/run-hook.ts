import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { LambdaHookInvoker } from '../shared/adapters/aws/lambda-hook-invoker.js';
import { lazy } from '../shared/lazy.js';
import { runHook, type HookPhase } from '../shared/usecases/workflow/run-hook.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({ deployments: new DynamoDeploymentStore(), hooks: new LambdaHookInvoker() }));

export const handler = taskHandler('runHook', (input: { phase: HookPhase; state: WorkflowState }) => runHook(deps(), input));
