import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { DynamoLockStore } from '../shared/adapters/aws/dynamo-locks.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { S3SiteStore } from '../shared/adapters/aws/s3-site-store.js';
import { lazy } from '../shared/lazy.js';
import type { RollbackDeps } from '../shared/usecases/workflow/rollback.js';
import { publishingDeploymentStore } from './deployment-store.js';

/** What undoing a deployment takes; the Rollback Task and the reconcile function both use it. */
export const rollbackAdapters = lazy(
  (): RollbackDeps => ({
    deployments: publishingDeploymentStore(),
    targets: new DynamoTargetStore(),
    locks: new DynamoLockStore(),
    aliases: new LambdaAliasRouter(),
    cdn: new CloudFrontCdn(),
    origins: new CloudFrontOriginSwitch(),
    sites: new S3SiteStore(),
  }),
);
