import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import * as control from '../http/control-endpoints.js';
import * as endpoints from '../http/endpoints.js';
import { problemResponse } from '../http/problems.js';
import type { ApiEvent, ApiResult } from '../http/request.js';
import { unmatchedRoute } from '../http/routing.js';
import * as uploadHookEndpoints from '../http/upload-hook-endpoints.js';
import * as windowEndpoints from '../http/window-endpoints.js';

/** Everything the API's routes use, each port under one name. */
export type ApiHandlerDeps = endpoints.ApiDeps &
  uploadHookEndpoints.UploadHookDeps &
  control.ControlApiDeps &
  windowEndpoints.WindowApiDeps & { logger: Logger };

type Endpoint = (deps: ApiHandlerDeps, event: ApiEvent) => Promise<ApiResult>;

/** The routes in the order the OpenAPI document (shared/http/openapi.ts) lists them. */
export const API_ROUTES: ReadonlyArray<{ method: Method; path: string; endpoint: Endpoint }> = [
  { method: 'GET', path: '/targets', endpoint: endpoints.listTargets },
  { method: 'GET', path: '/targets/{name}', endpoint: endpoints.getTarget },
  { method: 'PUT', path: '/targets/{name}', endpoint: endpoints.putTarget },
  { method: 'GET', path: '/targets/{name}/deployments', endpoint: endpoints.listTargetDeployments },
  { method: 'POST', path: '/targets/{name}/rollback', endpoint: endpoints.rollbackTarget },
  { method: 'POST', path: '/deployments', endpoint: endpoints.createDeployment },
  { method: 'GET', path: '/deployments/{id}', endpoint: endpoints.getDeployment },
  { method: 'POST', path: '/targets/{name}/releases', endpoint: uploadHookEndpoints.createReleaseUpload },
  { method: 'POST', path: '/targets/{name}/hooks', endpoint: uploadHookEndpoints.createHook },
  { method: 'GET', path: '/targets/{name}/hooks', endpoint: uploadHookEndpoints.listHooks },
  { method: 'DELETE', path: '/targets/{name}/hooks/{hookId}', endpoint: uploadHookEndpoints.revokeHook },
  // The one route without IAM auth: the hook's secret authenticates the call.
  { method: 'POST', path: '/hooks/{hookId}', endpoint: uploadHookEndpoints.callHook },
  { method: 'GET', path: '/deployments', endpoint: control.listDeploymentsEndpoint },
  { method: 'GET', path: '/deployments/{id}/events', endpoint: control.deploymentEventsEndpoint },
  { method: 'POST', path: '/deployments/{id}/cancel', endpoint: control.cancelDeploymentEndpoint },
  { method: 'POST', path: '/deployments/{id}/promote', endpoint: control.promoteDeploymentEndpoint },
  { method: 'DELETE', path: '/targets/{name}', endpoint: control.deleteTargetEndpoint },
  { method: 'GET', path: '/targets/{name}/window', endpoint: windowEndpoints.getWindowEndpoint },
  { method: 'GET', path: '/targets/{name}/window/suggestions', endpoint: windowEndpoints.windowSuggestionsEndpoint },
  // Loaded on first request: the document's generator stays out of every other cold start.
  { method: 'GET', path: '/openapi.json', endpoint: async () => (await import('../http/openapi.js')).serveOpenApi() },
];

/** The HTTPS API: one middy router over every route; every error leaves as application/problem+json. */
export function createApiHandler(deps: ApiHandlerDeps) {
  const { logger } = deps;
  const routes: Route<ApiEvent, ApiResult>[] = API_ROUTES.map(({ method, path, endpoint }) => ({
    method,
    path,
    handler: (event: ApiEvent) => endpoint(deps, event),
  }));
  // Only the 5xx problems are worth a log line.
  const problemDetails: middy.MiddlewareObj<ApiEvent, ApiResult> = {
    onError: async (request) => {
      const response = problemResponse(request.error);
      if (response.statusCode >= 500) logger.error('request failed', { error: request.error as Error });
      request.response = response;
    },
  };
  return middy<ApiEvent, ApiResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(problemDetails)
    .handler(httpRouterHandler<ApiEvent, ApiResult>({ routes, notFoundResponse: unmatchedRoute(routes) }));
}
