import { LambdaAliasRouter } from '../shared/adapters/aws/lambda-alias-router.js';
import { CloudFrontCdn } from '../shared/adapters/aws/cloudfront-cdn.js';
import { CloudFrontOriginSwitch } from '../shared/adapters/aws/cloudfront-origin.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { switchSite } from '../shared/usecases/site/switch.js';
import { lazy } from '../shared/lazy.js';
import { DEFAULT_CONTROL_SECONDS, shiftTraffic } from '../shared/usecases/workflow/shift-traffic.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';
import { HISTORY_EVENT_BUDGET } from '../shared/usecases/workflow/wait-budget.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { taskHandler } from './task-handler.js';

const deps = lazy(() => ({
  deployments: publishingDeploymentStore(),
  aliases: new LambdaAliasRouter(),
  origins: new CloudFrontOriginSwitch(),
  cdn: new CloudFrontCdn(),
  sites: new S3SiteReader(),
  controlSeconds: Number(process.env.SLIPWAY_CONTROL_SECONDS ?? DEFAULT_CONTROL_SECONDS),
  historyEventBudget: Number(process.env.SLIPWAY_HISTORY_EVENT_BUDGET ?? HISTORY_EVENT_BUDGET),
}));

/** A function shifts its alias step by step; a site switches its origin path at once. */
export const handler = taskHandler('shiftTraffic', (state: WorkflowState) =>
  state.target?.kind === 'site' ? switchSite(deps(), state) : shiftTraffic(deps(), state),
);
