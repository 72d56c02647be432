import { CloudWatchHealthSignals } from '../shared/adapters/aws/cloudwatch-health.js';
import { CloudFrontInvalidationStatus } from '../shared/adapters/aws/cloudfront-invalidation-status.js';
import { lazy } from '../shared/lazy.js';
import { checkHealth } from '../shared/usecases/workflow/check-health.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({ health: new CloudWatchHealthSignals(), cdn: new CloudFrontInvalidationStatus() }));

export const handler = taskHandler('checkHealth', (state: WorkflowState) => checkHealth(deps(), state));
