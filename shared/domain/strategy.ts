import { z } from 'zod';

/** One traffic step: the new version receives `percent` of invocations for at least `bakeSeconds`. */
export interface TrafficStep {
  percent: number;
  bakeSeconds: number;
}

/** The CodeDeploy predefined configurations for Lambda, by name → (kind, percent, minutes). */
const CODEDEPLOY_CONFIGS = {
  Canary10Percent5Minutes: { type: 'canary', percent: 10, minutes: 5 },
  Canary10Percent10Minutes: { type: 'canary', percent: 10, minutes: 10 },
  Canary10Percent15Minutes: { type: 'canary', percent: 10, minutes: 15 },
  Canary10Percent30Minutes: { type: 'canary', percent: 10, minutes: 30 },
  Linear10PercentEvery1Minute: { type: 'linear', percent: 10, minutes: 1 },
  Linear10PercentEvery2Minutes: { type: 'linear', percent: 10, minutes: 2 },
  Linear10PercentEvery3Minutes: { type: 'linear', percent: 10, minutes: 3 },
  Linear10PercentEvery10Minutes: { type: 'linear', percent: 10, minutes: 10 },
} as const;

export const NAMED_STRATEGIES = ['AllAtOnce', ...Object.keys(CODEDEPLOY_CONFIGS)] as [
  'AllAtOnce',
  ...(keyof typeof CODEDEPLOY_CONFIGS)[],
];

/** Step Functions standard workflows run for at most one year. */
const MAX_BAKE_SECONDS = 364 * 24 * 3600;
const percent = z.number().int().min(1).max(99);
const bakeSeconds = z.number().int().min(0).max(MAX_BAKE_SECONDS);

export const strategySchema = z.union([
  z.enum(NAMED_STRATEGIES),
  z.object({ type: z.literal('canary'), percent, bakeSeconds }).strict(),
  z.object({ type: z.literal('linear'), percent, bakeSeconds }).strict(),
  z
    .object({
      type: z.literal('steps'),
      steps: z
        .array(z.object({ percent, bakeSeconds }).strict())
        .min(1)
        .max(20)
        .refine(
          (steps) => steps.every((step, i) => i === 0 || step.percent > steps[i - 1]!.percent),
          'step percents must increase',
        ),
    })
    .strict(),
]);

export type Strategy = z.infer<typeof strategySchema>;

function linearSteps(stepPercent: number, bake: number): TrafficStep[] {
  const steps: TrafficStep[] = [];
  for (let p = stepPercent; p < 100; p += stepPercent) steps.push({ percent: p, bakeSeconds: bake });
  return steps;
}

/**
 * Turns a strategy into the traffic steps the state machine walks. The last step is always
 * `{ percent: 100, bakeSeconds: 0 }`: once all traffic is on the new version the deployment ends
 * (post-traffic checks belong to the PostTraffic hook).
 */
export function planSteps(strategy: Strategy): TrafficStep[] {
  const full: TrafficStep = { percent: 100, bakeSeconds: 0 };
  if (strategy === 'AllAtOnce') return [full];
  if (typeof strategy === 'string') {
    const config = CODEDEPLOY_CONFIGS[strategy];
    const bake = config.minutes * 60;
    return config.type === 'canary'
      ? [{ percent: config.percent, bakeSeconds: bake }, full]
      : [...linearSteps(config.percent, bake), full];
  }
  switch (strategy.type) {
    case 'canary':
      return [{ percent: strategy.percent, bakeSeconds: strategy.bakeSeconds }, full];
    case 'linear':
      return [...linearSteps(strategy.percent, strategy.bakeSeconds), full];
    case 'steps':
      return [...strategy.steps.map((s) => ({ ...s })), full];
  }
}
