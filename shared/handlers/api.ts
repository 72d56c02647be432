import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler, { type Method, type Route } from '@middy/http-router';
import * as control from '../http/control-endpoints.js';
import * as endpoints from '../http/endpoints.js';
import * as promotionEndpoints from '../http/promotion-endpoints.js';
import { problemResponse } from '../http/problems.js';
import { withoutJwtPrefix, type ApiEvent, type ApiResult } from '../http/request.js';
import { JWT_ROUTE_PREFIX, ROUTES, type OperationId } from '../http/routes.js';
import { unmatchedRoute } from '../http/routing.js';
import * as uploadHookEndpoints from '../http/upload-hook-endpoints.js';
import * as windowEndpoints from '../http/window-endpoints.js';
import * as pipelineEndpoints from '../http/pipeline-endpoints.js';
import * as dashboardEndpoints from '../http/dashboard-endpoints.js';
import { conditionalAnswer } from '../http/conditional.js';

/** Everything the API's routes use, each port under one name. */
export type ApiHandlerDeps = endpoints.ApiDeps &
  uploadHookEndpoints.UploadHookDeps &
  control.ControlApiDeps &
  windowEndpoints.WindowApiDeps &
  dashboardEndpoints.DashboardApiDeps & { logger: Logger };

type Endpoint = (deps: ApiHandlerDeps, event: ApiEvent) => Promise<ApiResult>;

/**
 * The endpoint of each route of the table (shared/http/routes.ts), by operationId: a route without
 * an endpoint, or an endpoint without a route, is a type error.
 */
const ENDPOINTS: Record<OperationId, Endpoint> = {
  listTargets: endpoints.listTargets,
  getTarget: endpoints.getTarget,
  putTarget: endpoints.putTarget,
  listTargetDeployments: endpoints.listTargetDeployments,
  rollbackTarget: endpoints.rollbackTarget,
  createDeployment: endpoints.createDeployment,
  getDeployment: endpoints.getDeployment,
  createReleaseUpload: uploadHookEndpoints.createReleaseUpload,
  createDeployHook: uploadHookEndpoints.createHook,
  listDeployHooks: uploadHookEndpoints.listHooks,
  revokeDeployHook: uploadHookEndpoints.revokeHook,
  callDeployHook: uploadHookEndpoints.callHook,
  listDeployments: control.listDeploymentsEndpoint,
  getDeploymentEvents: control.deploymentEventsEndpoint,
  cancelDeployment: control.cancelDeploymentEndpoint,
  promoteDeployment: control.promoteDeploymentEndpoint,
  promoteTarget: promotionEndpoints.promoteTargetEndpoint,
  approveDeployment: promotionEndpoints.approveDeploymentEndpoint,
  rejectDeployment: promotionEndpoints.rejectDeploymentEndpoint,
  deleteTarget: control.deleteTargetEndpoint,
  getTargetWindow: windowEndpoints.getWindowEndpoint,
  suggestTargetWindows: windowEndpoints.windowSuggestionsEndpoint,
  getTargetPipeline: pipelineEndpoints.getPipelineEndpoint,
  getSummary: dashboardEndpoints.getSummaryEndpoint,
  getMetrics: dashboardEndpoints.getMetricsEndpoint,
  // Loaded on first request: the document's generator stays out of every other cold start.
  getOpenApiDocument: async () => (await import('../http/openapi.js')).serveOpenApi(),
};

/** The routes the router serves: the table's, each with its endpoint. */
export const API_ROUTES: ReadonlyArray<{ method: Method; path: string; operationId: OperationId; endpoint: Endpoint }> = ROUTES.map((route) => {
  const endpoint = ENDPOINTS[route.operationId];
  const conditional = 'conditional' in route && route.conditional === true;
  return {
    method: route.method,
    path: route.path,
    operationId: route.operationId,
    endpoint: conditional ? async (deps, event) => conditionalAnswer(event, await endpoint(deps, event)) : endpoint,
  };
});

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
  // The dashboard's JWT routes (apiAuth=both) are the same routes under a prefix.
  const jwtRoutes: middy.MiddlewareObj<ApiEvent, ApiResult> = {
    before: async (request) => {
      request.event = withoutJwtPrefix(request.event, JWT_ROUTE_PREFIX);
    },
  };
  return middy<ApiEvent, ApiResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(problemDetails)
    .use(jwtRoutes)
    .handler(httpRouterHandler<ApiEvent, ApiResult>({ routes, notFoundResponse: unmatchedRoute(routes) }));
}
