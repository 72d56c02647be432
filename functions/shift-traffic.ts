import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-stores.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaFunctionHost } from '../shared/adapters/aws/lambda-function-host.js';
import { lazy } from '../shared/lazy.js';
import { shiftTraffic } from '../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  functions: new LambdaFunctionHost(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = taskHandler('shiftTraffic', (state: WorkflowState) => shiftTraffic(deps(), state));
