import { describe, expect, it } from 'vitest';
import { planSteps, strategySchema } from '../../shared/domain/strategy.js';

describe('Function: planSteps', () => {
  it('sends all traffic at once for AllAtOnce', () => {
    expect(planSteps('AllAtOnce')).toEqual([{ percent: 100, bakeSeconds: 0 }]);
  });

  it.each([
    ['Canary10Percent5Minutes', 300],
    ['Canary10Percent10Minutes', 600],
    ['Canary10Percent15Minutes', 900],
    ['Canary10Percent30Minutes', 1800],
  ] as const)('plans %s as 10%% for %i seconds, then 100%%', (name, bake) => {
    expect(planSteps(name)).toEqual([
      { percent: 10, bakeSeconds: bake },
      { percent: 100, bakeSeconds: 0 },
    ]);
  });

  it.each([
    ['Linear10PercentEvery1Minute', 60],
    ['Linear10PercentEvery2Minutes', 120],
    ['Linear10PercentEvery3Minutes', 180],
    ['Linear10PercentEvery10Minutes', 600],
  ] as const)('plans %s as nine 10%% steps of %i seconds, then 100%%', (name, bake) => {
    const steps = planSteps(name);
    expect(steps.map((s) => s.percent)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(steps.slice(0, -1).every((s) => s.bakeSeconds === bake)).toBe(true);
  });

  it('plans custom canary, linear and steps strategies with 100% last', () => {
    expect(planSteps({ type: 'canary', percent: 5, bakeSeconds: 30 })).toEqual([
      { percent: 5, bakeSeconds: 30 },
      { percent: 100, bakeSeconds: 0 },
    ]);
    expect(planSteps({ type: 'linear', percent: 30, bakeSeconds: 10 }).map((s) => s.percent)).toEqual([30, 60, 90, 100]);
    expect(
      planSteps({
        type: 'steps',
        steps: [
          { percent: 5, bakeSeconds: 120 },
          { percent: 50, bakeSeconds: 300 },
        ],
      }),
    ).toEqual([
      { percent: 5, bakeSeconds: 120 },
      { percent: 50, bakeSeconds: 300 },
      { percent: 100, bakeSeconds: 0 },
    ]);
  });
});

describe('Schema: strategy', () => {
  it('accepts the ten named strategies', () => {
    const names = [
      'AllAtOnce',
      'Canary10Percent5Minutes',
      'Canary10Percent10Minutes',
      'Canary10Percent15Minutes',
      'Canary10Percent30Minutes',
      'Linear10PercentEvery1Minute',
      'Linear10PercentEvery2Minutes',
      'Linear10PercentEvery3Minutes',
      'Linear10PercentEvery10Minutes',
    ];
    for (const name of names) expect(strategySchema.safeParse(name).success, name).toBe(true);
    expect(strategySchema.safeParse('Canary10Percent7Minutes').success).toBe(false);
  });

  it('rejects percents outside 1..99, decreasing steps and unknown fields', () => {
    expect(strategySchema.safeParse({ type: 'canary', percent: 100, bakeSeconds: 1 }).success).toBe(false);
    expect(strategySchema.safeParse({ type: 'linear', percent: 0, bakeSeconds: 1 }).success).toBe(false);
    expect(
      strategySchema.safeParse({
        type: 'steps',
        steps: [
          { percent: 50, bakeSeconds: 1 },
          { percent: 20, bakeSeconds: 1 },
        ],
      }).success,
    ).toBe(false);
    expect(strategySchema.safeParse({ type: 'canary', percent: 10, bakeSeconds: 1, extra: true }).success).toBe(false);
  });
});
