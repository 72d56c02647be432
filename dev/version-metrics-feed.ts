import { type CloudWatchClient, type Dimension, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { functionNameOf } from '../shared/domain/target.js';
import { versionDimensions } from '../shared/adapters/aws/cloudwatch-version-metrics.js';

/** moto answers large PutMetricData batches with an error page; 20 per call (the long-standing AWS limit) works. */
const BATCH = 20;
/** PutMetricData takes at most 150 distinct values in one datum's Values. */
const VALUES_PER_DATUM = 150;

/** What a version did through an alias in one minute, as dev mode's synthetic invocations report it. */
export interface VersionMetricsSample {
  fn: string;
  alias: string;
  version: string;
  /** When the invocations ran; CloudWatch keeps Lambda's metrics by the minute. */
  at: Date;
  invocations: number;
  errors: number;
  throttles?: number;
  /** Each invocation's duration in milliseconds. */
  durationsMs?: number[];
}

/** Durations as PutMetricData's Values and Counts: each distinct value once, with how often it ran. */
function durationData(sample: Pick<VersionMetricsSample, 'at' | 'durationsMs'>, dimensions: Dimension[]): MetricDatum[] {
  const counts = new Map<number, number>();
  for (const ms of sample.durationsMs ?? []) counts.set(ms, (counts.get(ms) ?? 0) + 1);
  const values = [...counts.keys()];
  const data: MetricDatum[] = [];
  for (let i = 0; i < values.length; i += VALUES_PER_DATUM) {
    const slice = values.slice(i, i + VALUES_PER_DATUM);
    data.push({
      MetricName: 'Duration',
      Dimensions: dimensions,
      Timestamp: sample.at,
      Values: slice,
      Counts: slice.map((value) => counts.get(value) ?? 0),
      Unit: 'Milliseconds',
    });
  }
  return data;
}

/**
 * Writes a version's invocations as Lambda would publish them for invocations through an alias:
 * `AWS/Lambda`, dimensions FunctionName, Resource (`<function>:<alias>`) and ExecutedVersion. The
 * emulator's Lambda publishes no metrics, so dev mode feeds the evidence of its synthetic traffic
 * (and tests theirs) through this. Like Lambda, it writes Errors (0 included) with every batch of
 * invocations, Throttles only when there were some.
 */
export async function feedVersionMetrics(client: CloudWatchClient, sample: VersionMetricsSample): Promise<void> {
  if (sample.errors > sample.invocations)
    throw new RangeError(`${sample.errors} errors of ${sample.invocations} invocations: an error is an invocation that failed`);
  const dimensions = versionDimensions(sample.fn, sample.alias, sample.version);
  const count = (MetricName: string, Value: number): MetricDatum => ({ MetricName, Dimensions: dimensions, Timestamp: sample.at, Value, Unit: 'Count' });
  const data: MetricDatum[] = [
    ...(sample.invocations > 0 ? [count('Invocations', sample.invocations), count('Errors', sample.errors)] : []),
    ...(sample.throttles ? [count('Throttles', sample.throttles)] : []),
    ...durationData(sample, dimensions),
  ];
  for (let i = 0; i < data.length; i += BATCH) {
    await client.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + BATCH) }));
  }
}

/** What direct invocations of a version (its qualified ARN) did in one minute: dev mode's synthetic traffic. */
export interface DirectInvocationSample {
  fn: string;
  version: string;
  at: Date;
  invocations: number;
  errors: number;
  durationsMs?: number[];
}

/**
 * Writes direct invocations of a version as Lambda publishes them: `AWS/Lambda` with FunctionName
 * alone and with Resource `<function>:<version>`, never with the alias's Resource or an
 * ExecutedVersion. So they never show in the alias's per-version evidence (which slipway reads as
 * the real traffic) and are not counted twice: slipway counts its synthetic invocations itself.
 */
export async function feedDirectInvocationMetrics(client: CloudWatchClient, sample: DirectInvocationSample): Promise<void> {
  if (sample.errors > sample.invocations)
    throw new RangeError(`${sample.errors} errors of ${sample.invocations} invocations: an error is an invocation that failed`);
  if (sample.invocations === 0) return;
  const name = functionNameOf(sample.fn);
  const data: MetricDatum[] = [];
  for (const dimensions of [
    [{ Name: 'FunctionName', Value: name }],
    [
      { Name: 'FunctionName', Value: name },
      { Name: 'Resource', Value: `${name}:${sample.version}` },
    ],
  ]) {
    const count = (MetricName: string, Value: number): MetricDatum => ({ MetricName, Dimensions: dimensions, Timestamp: sample.at, Value, Unit: 'Count' });
    data.push(count('Invocations', sample.invocations), count('Errors', sample.errors), ...durationData(sample, dimensions));
  }
  for (let i = 0; i < data.length; i += BATCH) {
    await client.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + BATCH) }));
  }
}
