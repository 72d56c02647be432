import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { Datapoint } from '../../domain/traffic-profile.js';
import type { AppTarget, FunctionTarget, SiteTarget, Target } from '../../domain/target.js';
import { componentTargets } from '../../domain/app.js';
import type { TrafficMetrics } from '../../ports/index.js';
import { rethrowTransient } from './sdk-errors.js';

const HOUR_SECONDS = 3600;

/** The component whose traffic stands for an app's. */
function trafficTarget(app: AppTarget): FunctionTarget | SiteTarget {
  const [first] = componentTargets(app).sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'function' ? -1 : 1));
  if (!first) throw new Error(`app ${app.name} has no components`);
  return first.target;
}

/**
 * What "traffic" means per kind: Lambda invocations of the function, CloudFront requests of the
 * distribution. An app's traffic is that of its first function component (by name), or of its
 * site when it has no function.
 */
export function trafficQuery(target: Target, periodSeconds: number): MetricDataQuery {
  if (target.kind === 'app') return trafficQuery(trafficTarget(target), periodSeconds);
  const metric =
    target.kind === 'function'
      ? {
          Namespace: 'AWS/Lambda',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'FunctionName', Value: target.function.name.replace(/^arn:.*:function:/, '') }],
        }
      : {
          Namespace: 'AWS/CloudFront',
          MetricName: 'Requests',
          Dimensions: [
            { Name: 'DistributionId', Value: target.site.distributionId },
            { Name: 'Region', Value: 'Global' },
          ],
        };
  return { Id: 'traffic', MetricStat: { Metric: metric, Period: periodSeconds, Stat: 'Sum' }, ReturnData: true };
}

/**
 * Reads a target's traffic from CloudWatch. CloudFront publishes its metrics in us-east-1 only, so
 * site targets need a client there (the default client's region for function targets).
 */
export class CloudWatchTrafficMetrics implements TrafficMetrics {
  private readonly client: CloudWatchClient;
  private readonly cloudFrontClient: CloudWatchClient;

  constructor(options: { client?: CloudWatchClient; cloudFrontClient?: CloudWatchClient } = {}) {
    this.client = options.client ?? new CloudWatchClient({});
    this.cloudFrontClient = options.cloudFrontClient ?? options.client ?? new CloudWatchClient({ region: 'us-east-1' });
  }

  async hourly(target: Target, from: Date, to: Date): Promise<Datapoint[]> {
    const client = (target.kind === 'app' ? trafficTarget(target) : target).kind === 'site' ? this.cloudFrontClient : this.client;
    const points: Datapoint[] = [];
    let NextToken: string | undefined;
    try {
      do {
        const out = await client.send(
          new GetMetricDataCommand({
            MetricDataQueries: [trafficQuery(target, HOUR_SECONDS)],
            StartTime: from,
            EndTime: to,
            NextToken,
            ScanBy: 'TimestampAscending',
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          for (const [i, at] of (result.Timestamps ?? []).entries()) points.push({ at, value: result.Values?.[i] ?? 0 });
        }
        NextToken = out.NextToken;
      } while (NextToken);
    } catch (error) {
      rethrowTransient(error, 'reading traffic metrics');
    }
    return points.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  async currentPerMinute(target: Target, now: Date): Promise<number | undefined> {
    const client = (target.kind === 'app' ? trafficTarget(target) : target).kind === 'site' ? this.cloudFrontClient : this.client;
    try {
      const out = await client.send(
        new GetMetricDataCommand({
          MetricDataQueries: [trafficQuery(target, 60)],
          StartTime: new Date(now.getTime() - 10 * 60_000),
          EndTime: now,
          ScanBy: 'TimestampDescending',
        }),
      );
      const values = out.MetricDataResults?.[0]?.Values ?? [];
      return values.length ? values[0] : undefined;
    } catch (error) {
      return rethrowTransient(error, 'reading current traffic');
    }
  }
}
