import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { LambdaVersionPruner } from '../shared/adapters/aws/lambda-version-pruner.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import { finalize } from '../shared/usecases/workflow/finalize.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: publishingDeploymentStore(),
  locks: new DynamoLockStore(),
  versions: new LambdaVersionPruner(),
  sites: new S3SiteStore(),
}));

export const handler = taskHandler('finalize', (state: WorkflowState) => finalize(deps(), state));
