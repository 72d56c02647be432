import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { lazy } from '../shared/lazy.js';
import { acquireLock } from '../shared/usecases/workflow/acquire-lock.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: publishingDeploymentStore(),
  locks: new DynamoLockStore(),
  lockPollSeconds: Number(process.env.SLIPWAY_LOCK_POLL_SECONDS ?? 10),
}));

export const handler = taskHandler('acquireLock', (state: WorkflowState) => acquireLock(deps(), state));
