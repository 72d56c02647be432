import type { TrafficStep } from '../../domain/strategy.js';
import type { FunctionTarget } from '../../domain/target.js';

/**
 * The data the deploy state machine carries from Task to Task. Tasks take the whole state and
 * return the whole next state (hooks excepted: their result goes to `$.hookResult`). The record in
 * DynamoDB stays the source of truth; this is what Choice states branch on.
 */
export interface WorkflowState {
  deploymentId: string;
  /** Set by Prepare when the deployment is already over (cancelled before it started, say). */
  skip?: boolean;
  target?: FunctionTarget;
  steps?: TrafficStep[];
  stepIndex?: number;
  flags?: { preTraffic: boolean; postTraffic: boolean; cdn: boolean };
  lock?: { outcome: 'acquired' | 'waiting' | 'stopped'; waitSeconds: number };
  noop?: boolean;
  verify?: { next: 'bake' | 'shift' | 'done'; waitSeconds: number; remainingChecks: number };
  invalidation?: { id: string; complete: boolean; checks: number; waitSeconds: number };
  hookResult?: unknown;
  /** Step Functions' Catch output: the error name and its cause. */
  error?: { Error: string; Cause: string };
}

export function requireTarget(state: WorkflowState): FunctionTarget {
  if (!state.target) throw new Error(`workflow state of ${state.deploymentId} has no target; Prepare must run first`);
  return state.target;
}
