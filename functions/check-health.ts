import { CloudWatchHealthSignals } from '../shared/adapters/aws/cloudwatch-health.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { CloudFrontInvalidationStatus } from '../shared/adapters/aws/cloudfront-invalidation-status.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { lazy } from '../shared/lazy.js';
import { checkHealth } from '../shared/usecases/workflow/check-health.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  health: new CloudWatchHealthSignals(),
  cdn: new CloudFrontInvalidationStatus(),
  sites: new S3SiteReader(),
  targets: new DynamoTargetStore(),
  pauseCheckSeconds: Number(process.env.SLIPWAY_WINDOW_CHECK_SECONDS ?? 60),
}));

export const handler = taskHandler('checkHealth', (state: WorkflowState) => checkHealth(deps(), state));
