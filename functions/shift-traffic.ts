import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { lazy } from '../shared/lazy.js';
import { shiftTraffic } from '../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  aliases: new LambdaAliasRouter(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = taskHandler('shiftTraffic', (state: WorkflowState) => shiftTraffic(deps(), state));
