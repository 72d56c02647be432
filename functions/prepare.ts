import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { S3SiteInspector } from '../shared/adapters/aws/s3-site-inspector.js';
import { lazy } from '../shared/lazy.js';
import { prepare } from '../shared/usecases/workflow/prepare.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  targets: new DynamoTargetStore(),
  deployments: new DynamoDeploymentStore(),
  artifacts: new S3ArtifactStore(),
  stager: new S3SiteInspector(),
  origins: new CloudFrontOriginReader(),
}));

export const handler = taskHandler('prepare', (state: WorkflowState) => prepare(deps(), state));
