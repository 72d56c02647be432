import { DynamoDeploymentStore, DynamoLockStore } from '../shared/adapters/aws/dynamo-stores.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaFunctionHost } from '../shared/adapters/aws/lambda-function-host.js';
import { lazy } from '../shared/lazy.js';
import { finalize } from '../shared/usecases/workflow/finalize.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  locks: new DynamoLockStore(),
  functions: new LambdaFunctionHost(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = taskHandler('finalize', (state: WorkflowState) => finalize(deps(), state));
