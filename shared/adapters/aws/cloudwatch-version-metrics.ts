import { CloudWatchClient, GetMetricDataCommand, type Dimension, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { VersionEvidence } from '../../domain/analysis/evidence.js';
import { functionNameOf } from '../../domain/target.js';
import type { VersionMetrics } from '../../ports/index.js';
import { rethrowTransient } from './sdk-errors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The summed metrics, by their query ids (an id starts with a lowercase letter). */
const SUMS = { invocations: 'Invocations', errors: 'Errors', throttles: 'Throttles' } as const;
const P99_ID = 'p99Duration';

/**
 * The dimensions Lambda publishes a version's metrics under when it was invoked through an alias.
 * `fn` may be a function's name or its unqualified ARN; the dimensions take the name.
 */
export function versionDimensions(fn: string, alias: string, version: string): Dimension[] {
  const name = functionNameOf(fn);
  return [
    { Name: 'FunctionName', Value: name },
    { Name: 'Resource', Value: `${name}:${alias}` },
    { Name: 'ExecutedVersion', Value: version },
  ];
}

/**
 * The time CloudWatch keeps a metric at a resolution: 1-minute datapoints for 15 days, 5-minute
 * ones for 63, hourly ones after. A start older than that is rounded down to the coarser step (and
 * a period must be a multiple of it). The adapter has no clock: the window's end stands for now,
 * which it is in the workflow (a step read up to the present tick).
 */
function resolutionMs(window: { start: Date; end: Date }): number {
  const age = window.end.getTime() - window.start.getTime();
  if (age <= 15 * DAY_MS) return MINUTE_MS;
  if (age <= 63 * DAY_MS) return 5 * MINUTE_MS;
  return 60 * MINUTE_MS;
}

/**
 * One period that covers the whole window, starting at the window's start rounded down to the
 * resolution (what CloudWatch does itself; done here so every CloudWatch, the emulator's too,
 * reads the same minutes). One datapoint per query, then: far from GetMetricData's datapoint
 * limits, and the p99 is the window's own (the p99s of shorter periods cannot be combined into
 * it). Lambda publishes 1-minute datapoints, so a window shorter than a minute reads the whole
 * minute it starts in.
 */
export function coveringPeriod(window: { start: Date; end: Date }): { start: Date; periodSeconds: number } {
  const step = resolutionMs(window);
  const start = Math.floor(window.start.getTime() / step) * step;
  const periods = Math.max(1, Math.ceil((window.end.getTime() - start) / step));
  return { start: new Date(start), periodSeconds: (periods * step) / 1000 };
}

/**
 * Reads what one version did through an alias from Lambda's per-version metrics in `AWS/Lambda`:
 * Invocations, Errors and Throttles summed, and Duration's p99, in one GetMetricData call. A
 * metric without datapoints counts 0 (p99: undefined); several datapoints (CloudWatch splitting
 * the answer) are summed, and their largest p99 is kept, a bound the window's p99 cannot exceed.
 *
 * `durationPercentile: false` leaves the p99 out, for a CloudWatch that cannot compute
 * percentiles: moto answers a percentile query over any datapoint with a 500 (its statistics know
 * only Sum, Average, Minimum, Maximum and SampleCount), which would fail the whole call.
 */
export class CloudWatchVersionMetrics implements VersionMetrics {
  private readonly client: CloudWatchClient;
  private readonly durationPercentile: boolean;

  constructor(options: { client?: CloudWatchClient; durationPercentile?: boolean } = {}) {
    this.client = options.client ?? new CloudWatchClient({});
    this.durationPercentile = options.durationPercentile ?? true;
  }

  async evidence(fn: string, alias: string, version: string, window: { start: Date; end: Date }): Promise<VersionEvidence> {
    if (window.end.getTime() <= window.start.getTime()) return { invocations: 0, errors: 0, throttles: 0 };
    const { start, periodSeconds } = coveringPeriod(window);
    const Dimensions = versionDimensions(fn, alias, version);
    const query = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({
      Id,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions }, Period: periodSeconds, Stat },
      ReturnData: true,
    });
    const queries = Object.entries(SUMS).map(([id, name]) => query(id, name, 'Sum'));
    if (this.durationPercentile) queries.push(query(P99_ID, 'Duration', 'p99'));

    // Timestamps go on the wire in whole seconds: the end rounds up, so what was written in its last second counts.
    const end = new Date(Math.ceil(window.end.getTime() / 1000) * 1000);
    const values = new Map<string, number[]>();
    let NextToken: string | undefined;
    try {
      do {
        const out = await this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: end, NextToken, ScanBy: 'TimestampAscending' }),
        );
        for (const result of out.MetricDataResults ?? []) {
          if (result.Id) values.set(result.Id, [...(values.get(result.Id) ?? []), ...(result.Values ?? [])]);
        }
        NextToken = out.NextToken;
      } while (NextToken);
    } catch (error) {
      rethrowTransient(error, `reading the metrics of ${functionNameOf(fn)}:${alias} version ${version}`);
    }

    const sum = (id: keyof typeof SUMS) => (values.get(id) ?? []).reduce((total, value) => total + value, 0);
    const p99s = values.get(P99_ID) ?? [];
    return {
      invocations: sum('invocations'),
      errors: sum('errors'),
      throttles: sum('throttles'),
      ...(p99s.length > 0 ? { p99DurationMs: Math.max(...p99s) } : {}),
    };
  }
}
