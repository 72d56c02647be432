import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { lazy } from '../shared/lazy.js';
import { invalidateCdn } from '../shared/usecases/workflow/invalidate-cdn.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  cdn: new CloudFrontCdn(),
  deployments: new DynamoDeploymentStore(),
  pollSeconds: Number(process.env.SLIPWAY_INVALIDATION_POLL_SECONDS ?? 15),
  maxChecks: 60,
}));

export const handler = taskHandler('invalidateCdn', (state: WorkflowState) => invalidateCdn(deps(), state));
