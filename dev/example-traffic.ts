import { CloudWatchClient, GetMetricStatisticsCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { hourOfWeek } from '../shared/domain/traffic-profile.js';

const HOUR = 3_600_000;
/** moto answers large PutMetricData batches with an error page; 20 per call (the long-standing AWS limit) works. */
const BATCH = 20;

/**
 * Synthetic traffic for an example function, so `slipway windows suggest` has 28 days to read in
 * dev mode: an office-hours curve in `timezone` (busy weekdays, quieter week ends, near silence
 * at night) with a fixed ripple. Made up, and said to be in the dev log.
 */
export function exampleInvocations(functionName: string, timezone: string, now: Date, days = 28): MetricDatum[] {
  const end = Math.floor(now.getTime() / HOUR) * HOUR;
  const data: MetricDatum[] = [];
  for (let at = end - days * 24 * HOUR; at < end; at += HOUR) {
    const slot = hourOfWeek(new Date(at), timezone);
    const day = Math.floor(slot / 24);
    const hour = slot % 24;
    const daylight = Math.max(0, Math.sin(((hour - 6) / 18) * Math.PI));
    const weekday = day < 5 ? 1 : 0.45;
    const ripple = 1 + 0.08 * Math.sin(at / (7 * HOUR));
    data.push({
      MetricName: 'Invocations',
      Dimensions: [{ Name: 'FunctionName', Value: functionName }],
      Timestamp: new Date(at),
      Value: Math.round((8 + 1200 * daylight * weekday) * ripple),
      Unit: 'Count',
    });
  }
  return data;
}

/**
 * Puts the made-up invocations for the hours that have none yet, so a start against an emulator
 * that outlived an earlier run adds only the hours since (CloudWatch would sum a second copy).
 * Returns how many hours of traffic there are now.
 */
export async function putExampleTraffic(functionName: string, timezone: string, now = new Date()): Promise<number> {
  const client = new CloudWatchClient({});
  const data = exampleInvocations(functionName, timezone, now);
  const first = data[0]?.Timestamp;
  const present = new Set<number>();
  if (first) {
    const stats = await client.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'FunctionName', Value: functionName }],
        StartTime: first,
        EndTime: now,
        Period: HOUR / 1000,
        Statistics: ['SampleCount'],
      }),
    );
    for (const point of stats.Datapoints ?? []) if (point.Timestamp) present.add(Math.floor(point.Timestamp.getTime() / HOUR) * HOUR);
  }
  const missing = data.filter((d) => !present.has((d.Timestamp as Date).getTime()));
  for (let i = 0; i < missing.length; i += BATCH) {
    await client.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: missing.slice(i, i + BATCH) }));
  }
  return data.length;
}
