import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import { rollback } from '../shared/usecases/workflow/rollback.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  targets: new DynamoTargetStore(),
  locks: new DynamoLockStore(),
  aliases: new LambdaAliasRouter(),
  cdn: new CloudFrontCdn(),
  origins: new CloudFrontOriginSwitch(),
  sites: new S3SiteStore(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = taskHandler('rollback', (state: WorkflowState) => rollback(deps(), state));
