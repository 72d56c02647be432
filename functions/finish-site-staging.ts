import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import { finishSiteStaging } from '../shared/usecases/site/finish-staging.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({ deployments: new DynamoDeploymentStore(), sites: new S3SiteStore() }));

export const handler = taskHandler('finishSiteStaging', (state: WorkflowState) => finishSiteStaging(deps(), state));
