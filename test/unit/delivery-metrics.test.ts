import { describe, expect, it } from 'vitest';
import { computeMetrics, median, metricsByTarget, metricsPeriod, percentile, type DeploymentOutcome } from '../../shared/domain/delivery-metrics.js';
import { ValidationError } from '../../shared/domain/errors.js';

const period = { since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-11T00:00:00Z') };
let n = 0;
function outcome(
  target: string,
  status: DeploymentOutcome['status'],
  requestedAt: string,
  endedAt?: string,
  trigger: DeploymentOutcome['trigger'] = 's3',
): DeploymentOutcome {
  n += 1;
  return { id: `d-${n}`, target, status, trigger, requestedAt, ...(endedAt ? { endedAt } : {}) };
}

describe('delivery metrics', () => {
  it('for a target with no failures: no failure rate above zero and nothing to restore', () => {
    // Prepare: three releases, 10, 20 and 60 minutes from upload to live.
    const history = [
      outcome('api', 'succeeded', '2026-11-02T10:00:00Z', '2026-11-02T10:10:00Z'),
      outcome('api', 'succeeded', '2026-11-04T10:00:00Z', '2026-11-04T10:20:00Z'),
      outcome('api', 'succeeded', '2026-11-04T12:00:00Z', '2026-11-04T13:00:00Z'),
    ];
    // Act
    const metrics = computeMetrics(history, period);
    // Assess
    expect(metrics).toMatchObject({ started: 3, succeeded: 3, failed: 0, rolledBack: 0, deploymentsPerDay: 0.3, changeFailureRate: 0 });
    expect(metrics.leadTimeSeconds).toEqual({ median: 1200, p90: 3600 });
    expect(metrics.timeToRestoreSeconds).toBeNull();
    expect(metrics.daily).toHaveLength(10);
    expect(metrics.daily[3]).toEqual({ date: '2026-11-04', succeeded: 2, failed: 0, rolledBack: 0 });
  });

  it('measures a restore that spans days from the first failure to the next success, failures in a row counted once', () => {
    // Prepare: rolled back on the 3rd at 23:00, failed again on the 4th, fixed on the 5th at 01:30.
    const history = [
      outcome('web', 'succeeded', '2026-11-02T09:00:00Z', '2026-11-02T09:05:00Z'),
      outcome('web', 'rolled_back', '2026-11-03T22:50:00Z', '2026-11-03T23:00:00Z'),
      outcome('web', 'failed', '2026-11-04T08:00:00Z', '2026-11-04T08:01:00Z'),
      outcome('web', 'succeeded', '2026-11-05T01:00:00Z', '2026-11-05T01:30:00Z'),
      // A second, shorter outage: 15 minutes.
      outcome('web', 'failed', '2026-11-06T10:00:00Z', '2026-11-06T10:05:00Z'),
      outcome('web', 'succeeded', '2026-11-06T10:10:00Z', '2026-11-06T10:20:00Z'),
    ];
    // Act
    const metrics = computeMetrics(history, period);
    // Assess: 26h30m = 95,400 s and 900 s.
    expect(metrics.timeToRestoreSeconds).toEqual({ median: (95_400 + 900) / 2, max: 95_400 });
    expect(metrics.changeFailureRate).toBe(0.5);
    expect(metrics).toMatchObject({ started: 6, succeeded: 3, failed: 2, rolledBack: 1 });
  });

  it('leaves rollbacks out of lead time, ignores deployments requested outside the period, and counts what has not ended as started only', () => {
    // Prepare
    const history = [
      outcome('api', 'succeeded', '2026-11-02T10:00:00Z', '2026-11-02T10:30:00Z'),
      outcome('api', 'succeeded', '2026-11-03T10:00:00Z', '2026-11-03T10:01:00Z', 'rollback'),
      outcome('api', 'verifying', '2026-11-10T23:00:00Z'),
      outcome('api', 'succeeded', '2026-10-31T23:59:59Z', '2026-11-01T00:10:00Z'),
      outcome('api', 'succeeded', '2026-11-11T00:00:00Z', '2026-11-11T00:10:00Z'),
    ];
    // Act
    const metrics = computeMetrics(history, period);
    // Assess
    expect(metrics.started).toBe(3);
    expect(metrics.succeeded).toBe(2);
    expect(metrics.leadTimeSeconds).toEqual({ median: 1800, p90: 1800 });
  });

  it('answers null rates for a period with nothing in it, and a daily series of zeros', () => {
    // Act
    const metrics = computeMetrics([], period);
    // Assess
    expect(metrics).toMatchObject({ started: 0, deploymentsPerDay: 0, leadTimeSeconds: null, changeFailureRate: null, timeToRestoreSeconds: null });
    expect(metrics.daily.every((d) => d.succeeded + d.failed + d.rolledBack === 0)).toBe(true);
  });

  it('splits by target, listing a registered target with no deployments, and does not restore one target with another', () => {
    // Prepare: api fails, web succeeds afterwards: api is still not restored.
    const history = [
      outcome('api', 'failed', '2026-11-02T10:00:00Z', '2026-11-02T10:01:00Z'),
      outcome('web', 'succeeded', '2026-11-02T11:00:00Z', '2026-11-02T11:05:00Z'),
    ];
    // Act
    const { overall, targets } = metricsByTarget(history, period, ['quiet', 'api']);
    // Assess
    expect(targets.map((t) => t.target)).toEqual(['api', 'quiet', 'web']);
    expect(overall.timeToRestoreSeconds).toBeNull();
    expect(targets.find((t) => t.target === 'quiet')).toMatchObject({ started: 0, changeFailureRate: null });
  });

  it('takes the median of an even count as the mean of the middle two, and p90 by nearest rank', () => {
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([4])).toBe(4);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([5, 7], 90)).toBe(7);
  });
});

describe('metricsPeriod', () => {
  const now = new Date('2026-12-04T12:00:00Z');

  it('reads <N>d back from until (default now) and ISO times', () => {
    expect(metricsPeriod({}, now)).toEqual({ since: new Date('2026-11-04T12:00:00Z'), until: now });
    expect(metricsPeriod({ since: '7d', until: '2026-12-01T00:00:00Z' }, now)).toEqual({
      since: new Date('2026-11-24T00:00:00Z'),
      until: new Date('2026-12-01T00:00:00Z'),
    });
    expect(metricsPeriod({ since: '2026-11-01' }, now).since).toEqual(new Date('2026-11-01T00:00:00Z'));
  });

  it.each([
    [{ since: 'yesterday' }, 'since "yesterday" is neither'],
    [{ since: '367d' }, 'the most is 366'],
    [{ since: '2026-12-05T00:00:00Z' }, 'must be before until'],
    [{ until: '12/01/2026' }, 'until "12/01/2026"'],
  ])('refuses %j with a message saying what to give', (query, message) => {
    expect(() => metricsPeriod(query, now)).toThrow(ValidationError);
    expect(() => metricsPeriod(query, now)).toThrow(message);
  });
});
