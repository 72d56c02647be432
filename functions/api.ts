import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { LambdaClient } from '@aws-sdk/client-lambda';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { requiredEnv } from '../shared/adapters/aws/env.js';
import { LambdaAliasReader } from '../shared/adapters/aws/lambda-alias-reader.js';
import { LambdaVersionCatalog } from '../shared/adapters/aws/lambda-version-catalog.js';
import { S3ArtifactStore } from '../shared/adapters/aws/s3-artifacts.js';
import { StepFunctionsOrchestrator } from '../shared/adapters/aws/sfn-orchestrator.js';
import * as endpoints from '../shared/http/endpoints.js';
import * as control from '../shared/http/control-endpoints.js';
import { DynamoDeploymentControl } from '../shared/adapters/aws/dynamo-deployment-control.js';
import { DynamoTargetRemover } from '../shared/adapters/aws/dynamo-target-remover.js';
import { problemResponse } from '../shared/http/problems.js';
import type { ApiEvent, ApiResult } from '../shared/http/request.js';
import { unmatchedRoute } from '../shared/http/routing.js';
import { CloudFrontOriginReader } from '../shared/adapters/aws/cloudfront-origin-reader.js';
import { S3SiteReader } from '../shared/adapters/aws/s3-site-reader.js';
import { lazy } from '../shared/lazy.js';
import { DynamoDeployHookStore } from '../shared/adapters/aws/dynamo-deploy-hooks.js';
import { DynamoReleaseHistory } from '../shared/adapters/aws/dynamo-release-history.js';
import { S3ReleaseUploads } from '../shared/adapters/aws/s3-release-uploads.js';
import { hookRateFromEnv } from '../shared/domain/deploy-hook.js';
import * as uploadHookEndpoints from '../shared/http/upload-hook-endpoints.js';
import * as windowEndpoints from '../shared/http/window-endpoints.js';
import { CloudWatchTrafficMetrics } from '../shared/adapters/aws/cloudwatch-traffic.js';
import type { Orchestrator } from '../shared/ports/index.js';
import { publishingDeploymentStore } from './deployment-store.js';
import { logger } from './task-handler.js';

let orchestratorOverride: Orchestrator | undefined;
/** `slipway dev` runs the workflow in-process instead of in Step Functions. */
export function useOrchestrator(orchestrator: Orchestrator): void {
  orchestratorOverride = orchestrator;
}

const adapters = lazy(() => {
  const lambda = new LambdaClient({});
  return {
    targets: new DynamoTargetStore(),
    deployments: publishingDeploymentStore(),
    artifacts: new S3ArtifactStore(),
    aliases: new LambdaAliasReader({ client: lambda }),
    versions: new LambdaVersionCatalog({ client: lambda }),
    origins: new CloudFrontOriginReader(),
    sites: new S3SiteReader(),
    artifactBucket: requiredEnv('SLIPWAY_ARTIFACT_BUCKET'),
    uploads: new S3ReleaseUploads(),
    history: new DynamoReleaseHistory(),
    deployHooks: new DynamoDeployHookStore(),
    hookRate: hookRateFromEnv(process.env),
    clock: { now: () => new Date() },
  };
});
const stepFunctions = lazy(() => new StepFunctionsOrchestrator());
// Resolved per request, so an override set after the first request still applies.
type Deps = endpoints.ApiDeps & uploadHookEndpoints.UploadHookDeps;
const deps = (): Deps => ({ ...adapters(), orchestrator: orchestratorOverride ?? stepFunctions() });

const route = (method: Method, path: string, endpoint: (deps: Deps, event: ApiEvent) => Promise<ApiResult>): Route<ApiEvent, ApiResult> => ({
  method,
  path,
  handler: (event: ApiEvent) => endpoint(deps(), event),
});

const controlAdapters = lazy(() => {
  const history = new DynamoDeploymentControl();
  return { control: history, history, remover: new DynamoTargetRemover() };
});
const controlRoute = (method: Method, path: string, endpoint: control.ControlEndpoint): Route<ApiEvent, ApiResult> => ({
  method,
  path,
  handler: (event: ApiEvent) => endpoint({ ...adapters(), ...controlAdapters() }, event),
});

const windowRoute = (method: Method, path: string, endpoint: windowEndpoints.WindowEndpoint): Route<ApiEvent, ApiResult> => ({
  method,
  path,
  handler: (event: ApiEvent) => endpoint({ ...adapters(), history: controlAdapters().history, metrics: trafficMetrics() }, event),
});
const trafficMetrics = lazy(() => new CloudWatchTrafficMetrics());

/** The router's routes; the OpenAPI document (shared/http/openapi.ts) lists exactly these. */
export const routes: Route<ApiEvent, ApiResult>[] = [
  route('GET', '/targets', endpoints.listTargets),
  route('GET', '/targets/{name}', endpoints.getTarget),
  route('PUT', '/targets/{name}', endpoints.putTarget),
  route('GET', '/targets/{name}/deployments', endpoints.listTargetDeployments),
  route('POST', '/targets/{name}/rollback', endpoints.rollbackTarget),
  route('POST', '/deployments', endpoints.createDeployment),
  route('GET', '/deployments/{id}', endpoints.getDeployment),
  route('POST', '/targets/{name}/releases', uploadHookEndpoints.createReleaseUpload),
  route('POST', '/targets/{name}/hooks', uploadHookEndpoints.createHook),
  route('GET', '/targets/{name}/hooks', uploadHookEndpoints.listHooks),
  route('DELETE', '/targets/{name}/hooks/{hookId}', uploadHookEndpoints.revokeHook),
  // The one route without IAM auth: the hook's secret authenticates the call.
  route('POST', '/hooks/{hookId}', uploadHookEndpoints.callHook),
  controlRoute('GET', '/deployments', control.listDeploymentsEndpoint),
  controlRoute('GET', '/deployments/{id}/events', control.deploymentEventsEndpoint),
  controlRoute('POST', '/deployments/{id}/cancel', control.cancelDeploymentEndpoint),
  controlRoute('POST', '/deployments/{id}/promote', control.promoteDeploymentEndpoint),
  controlRoute('DELETE', '/targets/{name}', control.deleteTargetEndpoint),
  windowRoute('GET', '/targets/{name}/window', windowEndpoints.getWindowEndpoint),
  windowRoute('GET', '/targets/{name}/window/suggestions', windowEndpoints.windowSuggestionsEndpoint),
  // Loaded on first request: the document's generator stays out of every other cold start.
  { method: 'GET', path: '/openapi.json', handler: async () => (await import('../shared/http/openapi.js')).serveOpenApi() },
];

/** Every error leaves as application/problem+json; only the 5xx ones are worth a log line. */
const problemDetails: middy.MiddlewareObj<ApiEvent, ApiResult> = {
  onError: async (request) => {
    const response = problemResponse(request.error);
    if (response.statusCode >= 500) logger.error('request failed', { error: request.error as Error });
    request.response = response;
  },
};

export const handler = middy<ApiEvent, ApiResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpHeaderNormalizer())
  .use(problemDetails)
  .handler(httpRouterHandler<ApiEvent, ApiResult>({ routes, notFoundResponse: unmatchedRoute(routes) }));
