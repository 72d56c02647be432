import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { CloudWatchTrafficMetrics } from '../shared/adapters/aws/cloudwatch-traffic.js';
import { lazy } from '../shared/lazy.js';
import { acquireLock, WAIT_TICK_BUDGET } from '../shared/usecases/workflow/acquire-lock.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: publishingDeploymentStore(),
  locks: new DynamoLockStore(),
  targets: new DynamoTargetStore(),
  metrics: new CloudWatchTrafficMetrics(),
  lockPollSeconds: Number(process.env.SLIPWAY_LOCK_POLL_SECONDS ?? 10),
  windowCheckSeconds: Number(process.env.SLIPWAY_WINDOW_CHECK_SECONDS ?? 60),
  waitTickBudget: Number(process.env.SLIPWAY_WAIT_TICK_BUDGET ?? WAIT_TICK_BUDGET),
}));

export const handler = taskHandler('acquireLock', (state: WorkflowState) => acquireLock(deps(), state));
