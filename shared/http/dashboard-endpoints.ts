/** The overview routes: every target at a glance, and delivery metrics over a period. */
import { parseWith } from '../domain/target.js';
import { deliveryMetrics, type MetricsDeps } from '../usecases/metrics.js';
import { summarizeTargets, type SummaryDeps } from '../usecases/summary.js';
import { jsonAnswer } from './answers.js';
import { deliveryMetricsSchema, metricsQuerySchema, summarySchema } from './dashboard-schemas.js';
import type { ApiEvent, ApiResult } from './request.js';

export type DashboardApiDeps = SummaryDeps & MetricsDeps;

export type DashboardEndpoint = (deps: DashboardApiDeps, event: ApiEvent) => Promise<ApiResult>;

/** `GET /summary`. */
export const getSummaryEndpoint: DashboardEndpoint = async (deps) => jsonAnswer(200, summarySchema, { targets: await summarizeTargets(deps) });

/** `GET /metrics?target=&since=&until=`. */
export const getMetricsEndpoint: DashboardEndpoint = async (deps, event) => {
  const { query } = parseWith(metricsQuerySchema, { query: event.queryStringParameters ?? {} }, 'request');
  const metrics = await deliveryMetrics(deps, {
    ...(query.target ? { target: query.target } : {}),
    ...(query.since ? { since: query.since } : {}),
    ...(query.until ? { until: query.until } : {}),
  });
  return jsonAnswer(200, deliveryMetricsSchema, metrics);
};
