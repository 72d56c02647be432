import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { EventBridgeDeploymentEvents } from '../shared/adapters/aws/eventbridge-events.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import { reconcileExecutionEnd } from '../shared/usecases/workflow/reconcile.js';
import { logger } from './task-handler.js';

/** The detail of Step Functions' "Execution Status Change" event; the execution name is the deployment id. */
export interface ExecutionStatusChange {
  name: string;
  status: string;
  cause?: string | null;
  error?: string | null;
}

const deps = lazy(() => ({
  deployments: new DynamoDeploymentStore(),
  targets: new DynamoTargetStore(),
  locks: new DynamoLockStore(),
  aliases: new LambdaAliasRouter(),
  cdn: new CloudFrontCdn(),
  origins: new CloudFrontOriginSwitch(),
  sites: new S3SiteStore(),
  events: new EventBridgeDeploymentEvents(),
}));

export const handler = middy<EventBridgeEvent<'Step Functions Execution Status Change', ExecutionStatusChange>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const { name, status, error, cause } = event.detail;
    const outcome = await reconcileExecutionEnd(deps(), {
      deploymentId: name,
      status,
      ...(error || cause ? { cause: [error, cause].filter(Boolean).join(': ') } : {}),
    });
    logger.info('execution ended', { deploymentId: name, status, outcome });
    return { outcome };
  });
