import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/adapters/aws/dynamo-deployment-control.js';
import { DEFINITION_PATH } from '../../dev/definition.js';
import { CancelledError, InvalidCursorError, assertNotCancelled, cancelDescription, isPromotable } from '../../shared/domain/control.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { PERMANENT_ERRORS } from '../../shared/domain/errors.js';
import { type TrafficStep, planSteps } from '../../shared/domain/strategy.js';
import { MAX_BAKE_TICKS, verificationPlan } from '../../shared/usecases/workflow/shift-traffic.js';

const noSignals = { health: { alarms: [], pollSeconds: 30 } };
const alarmed = (pollSeconds: number) => ({ health: { alarms: ['errors'], pollSeconds } });

describe('Function: verificationPlan', () => {
  it('does not bake a step without bake time or health signals (AllAtOnce stays instant)', () => {
    expect(verificationPlan(noSignals, 0)).toMatchObject({ waitSeconds: 0, remainingChecks: 0 });
  });

  it('bakes in ticks of at most the control interval, checking health every pollSeconds', () => {
    // 5 minutes, health every 30 s, a look at the record every 10 s
    expect(verificationPlan(alarmed(30), 300, { controlSeconds: 10, steps: 2 })).toEqual({
      waitSeconds: 10,
      remainingChecks: 30,
      healthEvery: 3,
      bakeSeconds: 300,
    });
  });

  it('ticks as often as health is polled when that is more often than the control interval', () => {
    expect(verificationPlan(alarmed(1), 5, { controlSeconds: 10 })).toEqual({ waitSeconds: 1, remainingChecks: 5, healthEvery: 1, bakeSeconds: 5 });
  });

  it('checks health once, a poll interval after the shift, on a step without bake time', () => {
    expect(verificationPlan(alarmed(30), 0, { controlSeconds: 10 })).toEqual({ waitSeconds: 10, remainingChecks: 3, healthEvery: 3, bakeSeconds: 30 });
  });

  it('splits a bake without health signals into control ticks', () => {
    expect(verificationPlan(noSignals, 600, { controlSeconds: 10 })).toEqual({ waitSeconds: 10, remainingChecks: 60, healthEvery: 1, bakeSeconds: 600 });
  });

  it.each<[string, TrafficStep[]]>([
    ['Linear10PercentEvery10Minutes', planSteps('Linear10PercentEvery10Minutes')],
    [
      'a year-long canary',
      [
        { percent: 10, bakeSeconds: 364 * 24 * 3600 },
        { percent: 100, bakeSeconds: 0 },
      ],
    ],
    ['twenty day-long steps', Array.from({ length: 21 }, (_, i) => ({ percent: Math.min(100, (i + 1) * 5), bakeSeconds: i < 20 ? 86_400 : 0 }))],
  ])('keeps the ticks of all steps of %s within the history budget', (_, steps) => {
    // Act
    const plans = steps.map((step) => verificationPlan(alarmed(30), step.bakeSeconds, { controlSeconds: 10, steps: steps.length }));
    // Assess
    expect(plans.reduce((sum, plan) => sum + plan.remainingChecks, 0)).toBeLessThanOrEqual(MAX_BAKE_TICKS);
    for (const [i, plan] of plans.entries()) expect(plan.waitSeconds * plan.remainingChecks).toBeGreaterThanOrEqual(steps[i]!.bakeSeconds);
  });
});

function record(fields: Partial<Deployment>): Deployment {
  return {
    id: 'd-1',
    target: 'hello',
    release: 'r2',
    status: 'shifting',
    trigger: 'api',
    requestedAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    trafficPercent: 10,
    timeline: [],
    ...fields,
  };
}

describe('Cancel and promote rules', () => {
  it('says who cancelled and why', () => {
    expect(cancelDescription({ cancelRequestedBy: 'arn:aws:iam::1:user/ana', cancelReason: ' bad build ' })).toBe(
      'cancelled by arn:aws:iam::1:user/ana: bad build',
    );
    expect(cancelDescription({})).toBe('cancelled by an unidentified caller');
  });

  it('stops a step of a deployment with a pending cancel, and only then', () => {
    expect(() => assertNotCancelled(record({ cancelRequestedAt: '2026-01-01T00:01:00.000Z' }))).toThrow(CancelledError);
    expect(() => assertNotCancelled(record({}))).not.toThrow();
    expect(() => assertNotCancelled(record({ status: 'rolled_back', cancelRequestedAt: '2026-01-01T00:01:00.000Z' }))).not.toThrow();
  });

  it('promotes a partial step, or a bake at 100% that has not ended', () => {
    const now = new Date('2026-01-01T00:05:00.000Z');
    expect(isPromotable(record({ status: 'shifting' }), now)).toBe(true);
    expect(isPromotable(record({ status: 'verifying', bakeEndsAt: '2026-01-01T00:06:00.000Z' }), now)).toBe(true);
    expect(isPromotable(record({ status: 'verifying', bakeEndsAt: '2026-01-01T00:04:00.000Z' }), now)).toBe(false);
    expect(isPromotable(record({ status: 'staging' }), now)).toBe(false);
    expect(isPromotable(record({ status: 'shifting', cancelRequestedAt: '2026-01-01T00:04:00.000Z' }), now)).toBe(false);
  });
});

describe('Function: decodeCursor', () => {
  const listing = { index: 'byTarget', partitionAttribute: 'gsi1pk', sortAttribute: 'gsi1sk', partition: 'TARGET#hello' } as const;
  const key = { pk: 'DEPLOYMENT#d-1', sk: 'DEPLOYMENT', gsi1pk: 'TARGET#hello', gsi1sk: '2026-01-01T00:00:00.000Z#d-1' };

  it('reads back the key it encoded', () => {
    expect(decodeCursor(encodeCursor(listing, key), listing)).toEqual(key);
  });

  it.each([
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['another version', encodeCursor(listing, key).replace(/^eyJ2Ijox/, 'eyJ2Ijoy')],
    ['another target', encodeCursor(listing, { ...key, gsi1pk: 'TARGET#other' })],
    ['another index', Buffer.from(JSON.stringify({ v: 1, i: 'byTime', k: key })).toString('base64url')],
    ['a key that is no deployment', encodeCursor(listing, { ...key, pk: 'LOCK#hello', sk: 'LOCK' })],
    ['extra key attributes', encodeCursor(listing, { ...key, holder: 'x' })],
    ['too long', 'a'.repeat(5000)],
  ])('refuses a cursor that is %s', (_, cursor) => {
    expect(() => decodeCursor(cursor, listing)).toThrow(InvalidCursorError);
  });
});

describe('State machine definition', () => {
  it('never retries a permanent error (cancels included) in any Task', () => {
    // Prepare
    const retries: string[][] = [];
    JSON.parse(readFileSync(DEFINITION_PATH, 'utf8'), (key, value: unknown) => {
      if (key === 'Retry' && Array.isArray(value)) {
        for (const rule of value as { ErrorEquals: string[]; MaxAttempts?: number }[]) {
          if (rule.MaxAttempts === 0) retries.push(rule.ErrorEquals);
        }
      }
      return value;
    });
    // Assess
    expect(retries.length).toBeGreaterThanOrEqual(11);
    for (const errors of retries) expect([...errors].sort()).toEqual([...PERMANENT_ERRORS].sort());
  });
});
