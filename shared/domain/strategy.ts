import { z } from 'zod';

/** One traffic step: the new version receives `percent` of invocations for at least `bakeSeconds`. */
export interface TrafficStep {
  percent: number;
  /** How long the step bakes; for a step judged on evidence, the longest (its `maxBakeSeconds`). */
  bakeSeconds: number;
  /** A step judged on evidence (docs/analysis.md): the bake it needs at least before a pass ends it. */
  minBakeSeconds?: number;
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

export const NAMED_STRATEGIES = ['AllAtOnce', ...Object.keys(CODEDEPLOY_CONFIGS)] as ['AllAtOnce', ...(keyof typeof CODEDEPLOY_CONFIGS)[]];

const DAY_SECONDS = 24 * 3600;
/**
 * A deployment is one Standard Step Functions execution, which lasts at most a year. A day of it
 * is kept for everything besides the bakes: staging, hooks, health checks, retries. (The number of
 * bake ticks is no limit: a longer bake checks health less often.)
 */
export const MAX_TOTAL_BAKE_SECONDS = 364 * DAY_SECONDS;
const percent = z.number().int().min(1).max(99);
const bakeSeconds = z.number().int().min(0).max(MAX_TOTAL_BAKE_SECONDS);

const strategyShapes = z.union([
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
        .refine((steps) => steps.every((step, i) => i === 0 || step.percent > steps[i - 1]!.percent), 'step percents must increase'),
    })
    .strict(),
]);

export type Strategy = z.infer<typeof strategyShapes>;

/** The time all of a strategy's steps bake together, in seconds. */
export function totalBakeSeconds(strategy: Strategy): number {
  return planSteps(strategy).reduce((sum, step) => sum + step.bakeSeconds, 0);
}

function describeDuration(seconds: number): string {
  const days = Math.floor(seconds / DAY_SECONDS);
  const hours = Math.floor((seconds % DAY_SECONDS) / 3600);
  return `${days} days${hours > 0 ? ` ${hours} h` : ''} (${seconds} s)`;
}

function hasValidPercents(strategy: Strategy): boolean {
  const valid = (p: number) => Number.isInteger(p) && p >= 1 && p <= 99;
  if (typeof strategy === 'string') return true;
  return strategy.type === 'steps' ? strategy.steps.every((step) => valid(step.percent)) : valid(strategy.percent);
}

/** A strategy, refused when its bakes together outlast one execution. */
export const strategySchema = strategyShapes.superRefine((strategy, ctx) => {
  // zod refines a value whose fields failed too; a percent of 0 would plan steps without end.
  if (!hasValidPercents(strategy)) return;
  const total = totalBakeSeconds(strategy);
  if (total <= MAX_TOTAL_BAKE_SECONDS) return;
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message:
      `the strategy ${JSON.stringify(strategy)} bakes ${describeDuration(total)} in all, longer than the ${describeDuration(MAX_TOTAL_BAKE_SECONDS)} ` +
      'one deployment (a Step Functions execution, at most a year) can bake; shorten bakeSeconds or use larger steps',
  });
});

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
    return config.type === 'canary' ? [{ percent: config.percent, bakeSeconds: bake }, full] : [...linearSteps(config.percent, bake), full];
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
