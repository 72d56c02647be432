import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-stores.js';
import { LambdaFunctionHost } from '../shared/adapters/aws/lambda-function-host.js';
import { lazy } from '../shared/lazy.js';
import { runHook, type HookPhase } from '../shared/usecases/workflow/run-hook.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({ deployments: new DynamoDeploymentStore(), functions: new LambdaFunctionHost() }));

export const handler = taskHandler('runHook', (input: { phase: HookPhase; state: WorkflowState }) => runHook(deps(), input));
