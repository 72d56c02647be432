import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { CloudWatchTrafficMetrics } from '../shared/adapters/aws/cloudwatch-traffic.js';
import { lazy } from '../shared/lazy.js';
import { acquireLock } from '../shared/usecases/workflow/acquire-lock.js';
import { HISTORY_EVENT_BUDGET } from '../shared/usecases/workflow/wait-budget.js';
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
  historyEventBudget: Number(process.env.SLIPWAY_HISTORY_EVENT_BUDGET ?? HISTORY_EVENT_BUDGET),
}));

export const handler = taskHandler('acquireLock', (state: WorkflowState) => acquireLock(deps(), state));
