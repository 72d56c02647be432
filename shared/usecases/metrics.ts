/**
 * `GET /metrics`: delivery metrics over a period, overall and per target (shared/domain/delivery-metrics.ts).
 * One bounded read: the deployments requested in the period, without their timelines, at most
 * MAX_METRICS_RECORDS of them (newest first; `complete` says whether that was all).
 */
import { metricsByTarget, metricsPeriod, type Metrics } from '../domain/delivery-metrics.js';
import { TargetNotFoundError } from '../domain/errors.js';
import type { Clock, TargetStore } from '../ports/index.js';
import type { DeploymentOutcomes } from '../ports/outcomes.js';

export interface MetricsDeps {
  targets: Pick<TargetStore, 'get' | 'list'>;
  outcomes: DeploymentOutcomes;
  clock: Clock;
}

/** Deployments one answer reads at most: about 14 a day for a year. */
export const MAX_METRICS_RECORDS = 5000;

export interface MetricsRequest {
  target?: string;
  since?: string;
  until?: string;
}

export interface DeliveryMetrics {
  since: string;
  until: string;
  /** False when the period held more than MAX_METRICS_RECORDS deployments: the oldest are left out. */
  complete: boolean;
  overall: Metrics;
  targets: ({ target: string } & Metrics)[];
}

export async function deliveryMetrics(deps: MetricsDeps, request: MetricsRequest): Promise<DeliveryMetrics> {
  const period = metricsPeriod(request, deps.clock.now());
  let names: string[];
  if (request.target) {
    if (!(await deps.targets.get(request.target))) throw new TargetNotFoundError(request.target);
    names = [request.target];
  } else {
    names = (await deps.targets.list()).map((t) => t.name);
  }
  const { outcomes, complete } = await deps.outcomes.listOutcomes({
    ...(request.target ? { target: request.target } : {}),
    since: period.since,
    until: period.until,
    limit: MAX_METRICS_RECORDS,
  });
  return { since: period.since.toISOString(), until: period.until.toISOString(), complete, ...metricsByTarget(outcomes, period, names) };
}
