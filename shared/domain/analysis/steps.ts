/**
 * How an evidence-judged canary changes the plan of steps (docs/analysis.md): every step that
 * splits traffic bakes at least its own `bakeSeconds` and at most the analysis' `maxBakeSeconds`;
 * the history budget plans for the longest.
 */
import type { TrafficStep } from '../strategy.js';
import type { AnalysisConfig } from '../target.js';
import type { AnalysisSettings } from './evidence.js';

export function stepsWithAnalysis(steps: TrafficStep[], analysis: AnalysisConfig | undefined): TrafficStep[] {
  if (!analysis) return steps;
  return steps.map((step) =>
    step.percent >= 100 ? step : { percent: step.percent, bakeSeconds: Math.max(step.bakeSeconds, analysis.maxBakeSeconds), minBakeSeconds: step.bakeSeconds },
  );
}

/** What the verdict needs of the target's analysis block. */
export function analysisSettings(analysis: AnalysisConfig): AnalysisSettings {
  return {
    minInvocations: analysis.minInvocations,
    maxErrorRate: analysis.maxErrorRate,
    compare: analysis.compare,
    confidence: analysis.confidence,
    // At margin 0 a pass would mean "better than the stable version": half the ceiling by default (docs/analysis.md § Margin).
    margin: analysis.margin ?? analysis.maxErrorRate / 2,
    ...(analysis.maxDurationRatio !== undefined ? { maxDurationRatio: analysis.maxDurationRatio } : {}),
  };
}
