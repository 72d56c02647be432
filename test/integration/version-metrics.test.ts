import { CloudWatchClient, GetMetricDataCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { feedVersionMetrics } from '../../dev/version-metrics-feed.js';
import { CloudWatchVersionMetrics, versionDimensions } from '../../shared/adapters/aws/cloudwatch-version-metrics.js';
import { uniqueName, useMoto } from '../support/aws-env.js';

const MINUTE = 60_000;
/** A step that started 20 minutes ago (on a minute, as Lambda's datapoints are) and is read now. */
const START = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE);
const END = new Date(START.getTime() + 15 * MINUTE);
const minute = (n: number) => new Date(START.getTime() + n * MINUTE);

/** Datapoints as Lambda publishes them for an invocation of `version` through `fn:alias`. */
function lambdaData(fn: string, alias: string, version: string, at: Date, counts: Record<string, number>): MetricDatum[] {
  return Object.entries(counts).map(([MetricName, Value]) => ({
    MetricName,
    Dimensions: versionDimensions(fn, alias, version),
    Timestamp: at,
    Value,
    Unit: 'Count',
  }));
}

async function put(cw: CloudWatchClient, data: MetricDatum[]): Promise<void> {
  // moto answers large PutMetricData batches with an HTML error page; 20 per call works.
  for (let i = 0; i < data.length; i += 20) await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/Lambda', MetricData: data.slice(i, i + 20) }));
}

// moto cannot compute percentiles (a p99 query over any datapoint answers 500): the sums are read
// from moto here, the p99 query is covered with a mock in test/unit/cloudwatch-version-metrics.test.ts.
describe('CloudWatchVersionMetrics (moto)', () => {
  let cw: CloudWatchClient;
  let metrics: CloudWatchVersionMetrics;
  beforeAll(() => {
    useMoto();
    cw = new CloudWatchClient({});
    metrics = new CloudWatchVersionMetrics({ client: cw, durationPercentile: false });
  });

  it("sums each version's invocations, errors and throttles through the alias, apart from the other version's and another alias's", async () => {
    // Prepare: v6 stable and v7 canary behind `live`; v7 also behind `beta` (a decoy), and whole-function datapoints
    const fn = uniqueName('orders');
    await put(cw, [
      ...lambdaData(fn, 'live', '6', minute(1), { Invocations: 900, Errors: 3, Throttles: 2 }),
      ...lambdaData(fn, 'live', '6', minute(2), { Invocations: 850, Errors: 1 }),
      ...lambdaData(fn, 'live', '7', minute(1), { Invocations: 100, Errors: 4 }),
      ...lambdaData(fn, 'live', '7', minute(2), { Invocations: 84, Errors: 0, Throttles: 1 }),
      ...lambdaData(fn, 'beta', '7', minute(2), { Invocations: 5000, Errors: 700, Throttles: 60 }),
      { MetricName: 'Invocations', Dimensions: [{ Name: 'FunctionName', Value: fn }], Timestamp: minute(2), Value: 99_999 },
    ]);
    // Act
    const [stable, canary] = await Promise.all([
      metrics.evidence(fn, 'live', '6', { start: START, end: END }),
      metrics.evidence(fn, 'live', '7', { start: START, end: END }),
    ]);
    // Assess
    expect(stable).toStrictEqual({ invocations: 1750, errors: 4, throttles: 2 });
    expect(canary).toStrictEqual({ invocations: 184, errors: 4, throttles: 1 });
  });

  it('counts 0 for a version that published nothing', async () => {
    // Prepare
    const fn = uniqueName('quiet');
    await put(cw, lambdaData(fn, 'live', '1', minute(3), { Invocations: 40, Errors: 0 }));
    // Act
    const evidence = await metrics.evidence(fn, 'live', '2', { start: START, end: END });
    // Assess
    expect(evidence).toStrictEqual({ invocations: 0, errors: 0, throttles: 0 });
  });

  it("counts only the window's datapoints: from its start, up to (not including) its end", async () => {
    // Prepare: the minute before the step, its first minute, its last minute and the minute it ends on
    const fn = uniqueName('windowed');
    await put(cw, [
      ...lambdaData(fn, 'live', '3', minute(-1), { Invocations: 1000, Errors: 1000 }),
      ...lambdaData(fn, 'live', '3', minute(0), { Invocations: 10, Errors: 1 }),
      ...lambdaData(fn, 'live', '3', minute(14), { Invocations: 20, Errors: 2 }),
      ...lambdaData(fn, 'live', '3', minute(15), { Invocations: 3000, Errors: 3000 }),
    ]);
    // Act
    const evidence = await metrics.evidence(fn, 'live', '3', { start: START, end: END });
    // Assess
    expect(evidence).toStrictEqual({ invocations: 30, errors: 3, throttles: 0 });
  });

  it('reads the whole minute a window shorter than a minute falls in (Lambda publishes one datapoint a minute)', async () => {
    // Prepare
    const fn = uniqueName('brief');
    await put(cw, [
      ...lambdaData(fn, 'live', '4', minute(5), { Invocations: 12, Errors: 1 }),
      ...lambdaData(fn, 'live', '4', minute(6), { Invocations: 500, Errors: 500 }),
    ]);
    // Act
    const evidence = await metrics.evidence(fn, 'live', '4', { start: new Date(minute(5).getTime() + 15_000), end: new Date(minute(5).getTime() + 45_000) });
    // Assess
    expect(evidence).toStrictEqual({ invocations: 12, errors: 1, throttles: 0 });
  });

  describe("dev mode's feed", () => {
    it('writes what evidence() reads back, per version', async () => {
      // Prepare: a minute of synthetic traffic on each version, and a decoy alias
      const fn = uniqueName('fed');
      // Act
      await feedVersionMetrics(cw, { fn, alias: 'live', version: '2', at: minute(4), invocations: 30, errors: 3, durationsMs: [12, 15, 15] });
      await feedVersionMetrics(cw, { fn, alias: 'live', version: '2', at: minute(5), invocations: 10, errors: 0, throttles: 2 });
      await feedVersionMetrics(cw, { fn, alias: 'live', version: '1', at: minute(4), invocations: 270, errors: 1 });
      await feedVersionMetrics(cw, { fn, alias: 'beta', version: '2', at: minute(4), invocations: 500, errors: 500 });
      // Assess
      expect(await metrics.evidence(fn, 'live', '2', { start: START, end: END })).toStrictEqual({ invocations: 40, errors: 3, throttles: 2 });
      expect(await metrics.evidence(fn, 'live', '1', { start: START, end: END })).toStrictEqual({ invocations: 270, errors: 1, throttles: 0 });
    });

    it("writes every invocation's duration, in batches PutMetricData accepts", async () => {
      // Prepare: 200 distinct durations (PutMetricData takes at most 150 values a datum), 40 of them twice
      const fn = uniqueName('timed');
      const durationsMs = [...Array.from({ length: 200 }, (_, i) => i + 1), ...Array.from({ length: 40 }, (_, i) => i + 1)];
      // Act
      await feedVersionMetrics(cw, { fn, alias: 'live', version: '5', at: minute(6), invocations: durationsMs.length, errors: 0, durationsMs });
      // Assess: moto computes no percentile, but counts and the maximum show what was written
      const duration = (Id: string, Stat: string) => ({
        Id,
        MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Duration', Dimensions: versionDimensions(fn, 'live', '5') }, Period: 900, Stat },
      });
      const out = await cw.send(
        new GetMetricDataCommand({
          MetricDataQueries: [duration('n', 'SampleCount'), duration('max', 'Maximum'), duration('sum', 'Sum')],
          StartTime: START,
          EndTime: END,
        }),
      );
      const value = (id: string) => out.MetricDataResults?.find((result) => result.Id === id)?.Values;
      expect(value('n')).toEqual([240]);
      expect(value('max')).toEqual([200]);
      expect(value('sum')).toEqual([(200 * 201) / 2 + (40 * 41) / 2]);
    });

    it('refuses more errors than invocations', async () => {
      // Act
      const refused = await feedVersionMetrics(cw, { fn: uniqueName('odd'), alias: 'live', version: '1', at: minute(1), invocations: 1, errors: 2 }).catch(
        (error: unknown) => error,
      );
      // Assess
      expect(refused).toBeInstanceOf(RangeError);
    });
  });
});
