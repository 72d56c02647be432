import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchTrafficMetrics } from '../../shared/adapters/aws/cloudwatch-traffic.js';
import { functionTargetSchema, siteTargetSchema, type Target } from '../../shared/domain/target.js';
import { suggestTargetWindows } from '../../shared/usecases/windows.js';
import { uniqueName, useMoto } from '../support/aws-env.js';
import { manualClock } from '../support/clock.js';

const HOUR = 3_600_000;
/** A fixed "now" on an hour boundary; metrics are written at the same relative times. */
const NOW = new Date(Math.floor(Date.now() / HOUR) * HOUR);

function functionTarget(fn: string): Target {
  return functionTargetSchema.parse({ name: uniqueName('t').slice(0, 40), kind: 'function', function: { name: fn } });
}

async function putHourly(cw: CloudWatchClient, data: (at: Date) => MetricDatum[], hours: number): Promise<void> {
  const all: MetricDatum[] = [];
  for (let i = hours; i >= 1; i -= 1) all.push(...data(new Date(NOW.getTime() - i * HOUR)));
  // moto answers large PutMetricData batches with an HTML error page; 20 per call (the long-standing AWS limit) works.
  for (let i = 0; i < all.length; i += 20)
    await cw.send(
      new PutMetricDataCommand({ Namespace: all[i]!.MetricName === 'Requests' ? 'AWS/CloudFront' : 'AWS/Lambda', MetricData: all.slice(i, i + 20) }),
    );
}

describe('CloudWatchTrafficMetrics (moto)', () => {
  let cw: CloudWatchClient;
  beforeAll(() => {
    useMoto();
    cw = new CloudWatchClient({});
  });

  it("reads a function's hourly invocations and suggests its quietest window in the target zone", async () => {
    // Prepare: 7 days of Lambda invocations, quiet from 03:00 to 05:00 UTC (04:00–06:00 in Berlin in winter, 05:00–07:00 in summer)
    const fn = uniqueName('quiet-fn');
    const target = functionTarget(fn);
    await putHourly(
      cw,
      (at) => [
        {
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'FunctionName', Value: fn }],
          Timestamp: at,
          Value: [3, 4].includes(at.getUTCHours()) ? 2 : 500,
          Unit: 'Count',
        },
      ],
      7 * 24,
    );
    const deps = { targets: { get: async () => target }, metrics: new CloudWatchTrafficMetrics(), clock: manualClock(NOW) };
    // Act
    const { profile, suggestions } = await suggestTargetWindows(deps, { target: target.name, durationMinutes: 120, days: 28, count: 3 });
    // Assess
    expect(profile.samples).toBe(7 * 24);
    expect(suggestions).toHaveLength(3);
    for (const s of suggestions) {
      expect(s.averagePerHour).toBe(2);
      expect(s.cron).toMatch(/^0 3 \* \* [0-6]$/);
    }
  });

  it("reads a site's CloudFront requests, one sum per hour", async () => {
    // Prepare: two datapoints inside each hour must add up
    const distributionId = `E${Math.random().toString(36).slice(2, 12).toUpperCase()}`;
    const target = siteTargetSchema.parse({ name: 'www-metrics', kind: 'site', site: { bucket: 'www-metrics-origin', distributionId } });
    const dims = [
      { Name: 'DistributionId', Value: distributionId },
      { Name: 'Region', Value: 'Global' },
    ];
    await putHourly(
      cw,
      (at) => [
        { MetricName: 'Requests', Dimensions: dims, Timestamp: at, Value: 10 },
        { MetricName: 'Requests', Dimensions: dims, Timestamp: new Date(at.getTime() + 30 * 60_000), Value: 5 },
      ],
      6,
    );
    // Act
    const points = await new CloudWatchTrafficMetrics().hourly(target, new Date(NOW.getTime() - 6 * HOUR), NOW);
    // Assess
    expect(points.map((p) => p.value)).toEqual([15, 15, 15, 15, 15, 15]);
    expect(points[0]!.at.toISOString()).toBe(new Date(NOW.getTime() - 6 * HOUR).toISOString());
  });

  it('reports the latest minute of traffic for the maxRequestsPerMinute gate', async () => {
    const fn = uniqueName('busy-fn');
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/Lambda',
        MetricData: [{ MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: fn }], Timestamp: new Date(Date.now() - 60_000), Value: 42 }],
      }),
    );
    const metrics = new CloudWatchTrafficMetrics();
    expect(await metrics.currentPerMinute(functionTarget(fn), new Date())).toBe(42);
    expect(await metrics.currentPerMinute(functionTarget(uniqueName('idle-fn')), new Date())).toBeUndefined();
  });
});
