import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { DynamoDeploymentStore, DynamoLockStore, DynamoTargetStore } from '../shared/adapters/aws/dynamo-stores.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaFunctionHost } from '../shared/adapters/aws/lambda-function-host.js';
import { lazy } from '../shared/lazy.js';
import { rollback } from '../shared/usecases/workflow/rollback.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  targets: new DynamoTargetStore(),
  locks: new DynamoLockStore(),
  functions: new LambdaFunctionHost(),
  cdn: new CloudFrontCdn(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = taskHandler('rollback', (state: WorkflowState) => rollback(deps(), state));
