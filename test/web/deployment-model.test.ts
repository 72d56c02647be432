import { describe, expect, it } from 'vitest';
import { deploymentActions, describeEvidence, healthChecksOf, invalidationsOf, stepsOf, trafficSeries } from '../../web/src/view/deployment-model';
import { deployment, entry } from './fixtures';

const canaryTimeline = [
  entry('00', 'intake', { status: 'queued', message: 'uploaded' }),
  entry('01', 'prepare', { message: 'artifact checked' }),
  entry('02', 'lock', { status: 'staging', message: 'target lock acquired' }),
  entry('03', 'stage', { message: 'published version 2' }),
  entry('04', 'shift', { status: 'shifting', trafficPercent: 10, message: '10% of traffic on version 2' }),
];

describe('stepsOf', () => {
  it("lists a running deployment's steps in the workflow's order, the last one written current and the rest pending", () => {
    // Act
    const steps = stepsOf(deployment({ status: 'shifting', trafficPercent: 10, endedAt: null, timeline: canaryTimeline }));
    // Assess
    expect(steps.map((s) => [s.step, s.state])).toEqual([
      ['intake', 'done'],
      ['prepare', 'done'],
      ['lock', 'done'],
      ['stage', 'done'],
      ['shift', 'current'],
      ['verify', 'pending'],
      ['finalize', 'pending'],
    ]);
  });

  it('marks the steps a rolled-back deployment never reached skipped and appends its rollback, done', () => {
    // Prepare
    const timeline = [...canaryTimeline, entry('09', 'rollback', { status: 'rolled_back', error: 'alarm "e" went to ALARM', health: 'failed' })];
    // Act
    const steps = stepsOf(deployment({ status: 'rolled_back', trafficPercent: 0, timeline }));
    // Assess
    expect(steps.filter((s) => s.state === 'skipped').map((s) => s.step)).toEqual(['verify', 'finalize']);
    expect(steps.at(-1)).toMatchObject({ step: 'rollback', state: 'done', label: 'Rollback' });
  });
});

describe('trafficSeries', () => {
  it('holds each percent until the next and drops to 0 at the end of a rollback', () => {
    // Prepare
    const d = deployment({
      status: 'rolled_back',
      startedAt: '2026-12-04T10:00:00.000Z',
      endedAt: '2026-12-04T10:00:09.000Z',
      timeline: [...canaryTimeline, entry('09', 'rollback', { trafficPercent: 0 })],
    });
    // Act
    const { x, y } = trafficSeries(d, new Date('2026-12-04T11:00:00Z'));
    // Assess
    const t0 = Date.parse('2026-12-04T10:00:00Z') / 1000;
    expect(x.map((t) => t - t0)).toEqual([0, 4, 9, 9]);
    expect(y).toEqual([0, 10, 0, 0]);
  });

  it("ends a running deployment's line now, at its current percent", () => {
    // Act
    const { x, y } = trafficSeries(deployment({ status: 'shifting', endedAt: null, timeline: canaryTimeline }), new Date('2026-12-04T10:00:30Z'));
    // Assess
    expect(x.at(-1)).toBe(Date.parse('2026-12-04T10:00:30Z') / 1000);
    expect(y.at(-1)).toBe(10);
  });
});

describe('health checks and evidence', () => {
  it('reads each check with its result and the canary evidence in words', () => {
    // Prepare
    const evidence = {
      outcome: 'fail',
      canary: { version: '2', invocations: 200, errors: 12, throttles: 0 },
      baseline: { version: '1', invocations: 900, errors: 9, throttles: 0 },
      probabilityWorse: 0.999,
    };
    const d = deployment({
      timeline: [
        entry('05', 'verify', { message: 'verified at 10%: 3 health check(s) passed', health: 'passed' }),
        entry('06', 'verify', { message: 'evidence check', evidence }),
      ],
    });
    // Act
    const checks = healthChecksOf(d);
    // Assess
    expect(checks.map((c) => c.result)).toEqual(['passed', 'failed']);
    expect(describeEvidence(evidence)).toBe('canary v2: 12 errors of 200 (6.00%) · baseline v1: 9 of 900 (1.00%) · P(worse) 99.9% — fail');
  });

  it("lists a site's invalidation from its stage and invalidate entries", () => {
    // Prepare
    const d = deployment({
      timeline: [
        entry('03', 'stage', { message: '12 files staged; 3 paths to invalidate after the switch' }),
        entry('05', 'invalidate', { message: 'invalidating 3 paths on E123 (I9)' }),
        entry('06', 'finalize', { message: 'live' }),
      ],
    });
    // Act + Assess
    expect(invalidationsOf(d)).toEqual(['12 files staged; 3 paths to invalidate after the switch', 'invalidating 3 paths on E123 (I9)']);
  });
});

describe('deploymentActions', () => {
  it.each([
    ['shifting', undefined, ['cancel', 'promote']],
    ['waiting', undefined, ['cancel', 'startNow']],
    ['waiting', { state: 'pending' as const }, ['cancel', 'approve', 'reject']],
    ['staging', undefined, ['cancel']],
    ['succeeded', undefined, []],
  ] as const)('offers what a %s deployment allows', (status, approval, expected) => {
    // Act + Assess
    expect(deploymentActions(deployment({ status, ...(approval ? { approval } : {}) }))).toEqual(expected);
  });
});
