import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchVersionMetrics, coveringPeriod } from '../../shared/adapters/aws/cloudwatch-version-metrics.js';
import { TransientError } from '../../shared/domain/errors.js';

// moto cannot compute percentiles (a p99 query over any datapoint answers 500), so the p99 query,
// what CloudWatch answers for it and the call's exact shape are covered here, with a mock; the sums
// are read from moto in test/integration/version-metrics.test.ts.
const cloudwatch = mockClient(CloudWatchClient);
const metrics = (options: { durationPercentile?: boolean } = {}) =>
  new CloudWatchVersionMetrics({ client: new CloudWatchClient({ region: 'us-east-1' }), ...options });
const at = (iso: string) => new Date(iso);
const window = { start: at('2025-03-01T12:00:30Z'), end: at('2025-03-01T12:10:10Z') };

function sentInput(): GetMetricDataCommandInput {
  const calls = cloudwatch.commandCalls(GetMetricDataCommand);
  expect(calls).toHaveLength(1);
  return calls[0]!.args[0].input;
}

beforeEach(() => {
  cloudwatch.reset();
});

describe('Class: CloudWatchVersionMetrics', () => {
  describe('Method: evidence', () => {
    it("asks in one call for the version's Invocations, Errors, Throttles sums and Duration p99 through the alias", async () => {
      // Prepare
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      // Act
      await metrics().evidence('arn:aws:lambda:eu-west-1:123456789012:function:orders', 'live', '7', window);
      // Assess
      const input = sentInput();
      const dimensions = [
        { Name: 'FunctionName', Value: 'orders' },
        { Name: 'Resource', Value: 'orders:live' },
        { Name: 'ExecutedVersion', Value: '7' },
      ];
      // 12:00:30 rounds down to 12:00 (as CloudWatch does), and one 11-minute period covers up to 12:10:10.
      expect(input.StartTime).toEqual(at('2025-03-01T12:00:00Z'));
      expect(input.EndTime).toEqual(window.end);
      expect(input.MetricDataQueries).toEqual(
        [
          ['invocations', 'Invocations', 'Sum'],
          ['errors', 'Errors', 'Sum'],
          ['throttles', 'Throttles', 'Sum'],
          ['p99Duration', 'Duration', 'p99'],
        ].map(([Id, MetricName, Stat]) => ({
          Id,
          MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName, Dimensions: dimensions }, Period: 660, Stat },
          ReturnData: true,
        })),
      );
    });

    it("sums each metric's datapoints across pages and keeps the largest p99", async () => {
      // Prepare
      cloudwatch
        .on(GetMetricDataCommand)
        .resolvesOnce({
          MetricDataResults: [
            { Id: 'invocations', Values: [120, 30] },
            { Id: 'errors', Values: [2] },
            { Id: 'p99Duration', Values: [310.5] },
          ],
          NextToken: 'more',
        })
        .resolves({
          MetricDataResults: [
            { Id: 'invocations', Values: [50] },
            { Id: 'throttles', Values: [1, 1] },
            { Id: 'p99Duration', Values: [420.25] },
          ],
        });
      // Act
      const evidence = await metrics().evidence('orders', 'live', '7', window);
      // Assess
      expect(evidence).toEqual({ invocations: 200, errors: 2, throttles: 2, p99DurationMs: 420.25 });
      expect(cloudwatch).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'more' });
    });

    it('counts 0 and leaves the p99 out when CloudWatch has no datapoint', async () => {
      // Prepare
      cloudwatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: ['invocations', 'errors', 'throttles', 'p99Duration'].map((Id) => ({ Id, Values: [], Timestamps: [] })),
      });
      // Act
      const evidence = await metrics().evidence('orders', 'live', '8', window);
      // Assess
      expect(evidence).toStrictEqual({ invocations: 0, errors: 0, throttles: 0 });
    });

    it('leaves the p99 query out when told CloudWatch cannot compute percentiles', async () => {
      // Prepare
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'invocations', Values: [5] }] });
      // Act
      const evidence = await metrics({ durationPercentile: false }).evidence('orders', 'live', '7', window);
      // Assess
      expect(sentInput().MetricDataQueries?.map((query) => query.MetricStat?.Stat)).toEqual(['Sum', 'Sum', 'Sum']);
      expect(evidence).toStrictEqual({ invocations: 5, errors: 0, throttles: 0 });
    });

    it('reads the whole minute a window shorter than a minute falls in', async () => {
      // Prepare
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      // Act
      await metrics().evidence('orders', 'live', '7', { start: at('2025-03-01T12:00:15Z'), end: at('2025-03-01T12:00:45Z') });
      // Assess
      const input = sentInput();
      expect(input.StartTime).toEqual(at('2025-03-01T12:00:00Z'));
      expect(input.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(60);
    });

    it('asks nothing for an empty window', async () => {
      // Act
      const evidence = await metrics().evidence('orders', 'live', '7', { start: window.end, end: window.end });
      // Assess
      expect(evidence).toStrictEqual({ invocations: 0, errors: 0, throttles: 0 });
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricDataCommand);
    });

    it('turns throttling that outlasted the retries into a TransientError and rethrows the rest', async () => {
      // Prepare
      cloudwatch
        .on(GetMetricDataCommand)
        .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
        .rejects(Object.assign(new Error('The parameter Period is invalid'), { name: 'InvalidParameterValueException' }));
      // Act
      const throttled = await metrics()
        .evidence('orders', 'live', '7', window)
        .catch((error: unknown) => error);
      const invalid = await metrics()
        .evidence('orders', 'live', '7', window)
        .catch((error: unknown) => error);
      // Assess
      expect(throttled).toBeInstanceOf(TransientError);
      expect((throttled as Error).message).toMatch(/orders:live version 7/);
      expect(invalid).not.toBeInstanceOf(TransientError);
      expect((invalid as Error).name).toBe('InvalidParameterValueException');
    });
  });

  describe('Function: coveringPeriod', () => {
    it.each([
      // [window length, expected start, expected period]: one period covers the window, in multiples CloudWatch accepts
      ['10 minutes on the minute', '2025-03-01T12:00:00Z', '2025-03-01T12:10:00Z', '2025-03-01T12:00:00Z', 600],
      ['a minute and a second', '2025-03-01T12:00:00Z', '2025-03-01T12:01:01Z', '2025-03-01T12:00:00Z', 120],
      [
        '2 days (2,880 one-minute datapoints, past the 1,440 of GetMetricStatistics)',
        '2025-03-01T12:00:00Z',
        '2025-03-03T12:00:00Z',
        '2025-03-01T12:00:00Z',
        172_800,
      ],
      ['20 days: 5-minute resolution', '2025-03-01T12:03:00Z', '2025-03-21T12:00:00Z', '2025-03-01T12:00:00Z', 1_728_000],
      ['70 days: hourly resolution', '2025-03-01T12:30:00Z', '2025-05-10T12:00:00Z', '2025-03-01T12:00:00Z', 6_048_000],
    ])('%s', (_, start, end, expectedStart, expectedPeriod) => {
      // Act
      const covering = coveringPeriod({ start: at(start), end: at(end) });
      // Assess
      expect(covering).toEqual({ start: at(expectedStart), periodSeconds: expectedPeriod });
      expect(covering.start.getTime() + covering.periodSeconds * 1000).toBeGreaterThanOrEqual(at(end).getTime());
    });
  });
});
