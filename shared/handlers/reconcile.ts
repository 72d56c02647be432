import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { reconcileExecutionEnd } from '../usecases/workflow/reconcile.js';
import type { RollbackDeps } from '../usecases/workflow/rollback.js';

/** The detail of Step Functions' "Execution Status Change" event; the execution name is the deployment id. */
export interface ExecutionStatusChange {
  name: string;
  status: string;
  cause?: string | null;
  error?: string | null;
}

export type ExecutionStatusChangeEvent = EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>;

/** Settles a deployment whose execution ended without reaching a final status (Rollback itself kept failing, say). */
export function createReconcileHandler({ logger, ...deps }: RollbackDeps & { logger: Logger }) {
  return middy<ExecutionStatusChangeEvent>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { name, status, error, cause } = event.detail;
      const outcome = await reconcileExecutionEnd(deps, {
        deploymentId: name,
        status,
        ...(error || cause ? { cause: [error, cause].filter(Boolean).join(': ') } : {}),
      });
      logger.info('execution ended', { deploymentId: name, status, outcome });
      return { outcome };
    });
}
