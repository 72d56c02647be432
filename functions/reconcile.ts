import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { reconcileExecutionEnd } from '../shared/usecases/workflow/reconcile.js';
import { rollbackAdapters } from './rollback-adapters.js';
import { logger } from './task-handler.js';

/** The detail of Step Functions' "Execution Status Change" event; the execution name is the deployment id. */
export interface ExecutionStatusChange {
  name: string;
  status: string;
  cause?: string | null;
  error?: string | null;
}

export const handler = middy<EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { name, status, error, cause } = event.detail;
    const outcome = await reconcileExecutionEnd(rollbackAdapters(), {
      deploymentId: name,
      status,
      ...(error || cause ? { cause: [error, cause].filter(Boolean).join(': ') } : {}),
    });
    logger.info('execution ended', { deploymentId: name, status, outcome });
    return { outcome };
  });
