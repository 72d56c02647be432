import type { ArtifactRef, Deployment, ProvisionedConcurrencyRecord } from '../../domain/deployment.js';
import type { SyntheticTally } from '../../domain/analysis/synthetic.js';
import type { TrafficStep } from '../../domain/strategy.js';
import type { FunctionTarget, SiteTarget, Target } from '../../domain/target.js';
import { assertNotCancelled } from '../../domain/control.js';
import { DeploymentNotFoundError } from '../../domain/errors.js';
import type { WaitLedger } from './wait-budget.js';

/**
 * The data the deploy state machine carries from Task to Task. Tasks take the whole state and
 * return the whole next state (hooks excepted: their summary goes to `$.hookResult`). The record in
 * DynamoDB stays the source of truth; this is what Choice states branch on. Step Functions caps
 * state data at 256 KiB per transition (States.DataLimitExceeded, which no Catch handles): every
 * field here is bounded whatever the size of the release; lists that grow with it live in S3.
 */
export interface WorkflowState {
  deploymentId: string;
  /** Set by Prepare when the deployment is already over (cancelled before it started, say). */
  skip?: boolean;
  target?: Target;
  /**
   * The record's fields the steps need, so no step reads the record again for them: Prepare sets
   * them, the step that changes one (Stage: the versions) sets it here too. Never the timeline:
   * the state stays small. Cancel and promote requests are not here: a step sees them in the
   * record its own write returns, or reads the record where it must see them before acting
   * (ShiftTraffic, before traffic moves).
   */
  record?: RecordFacts;
  /** The alias RevisionId as slipway last saw or left it (Stage, ShiftTraffic): the next UpdateAlias is guarded by it without a GetAlias. */
  aliasRevision?: string;
  /** Published versions of the function after Stage (its own included), so Finalize lists them only when some are to be pruned. */
  publishedVersions?: number;
  /** Site targets: the staging plan and what was live when the deployment started. */
  site?: SiteWorkflow;
  /** Apps: each function component's progress; the site component's staging is in `site` (docs/apps.md). */
  app?: AppWorkflow;
  steps?: TrafficStep[];
  stepIndex?: number;
  flags?: { preTraffic: boolean; postTraffic: boolean; cdn: boolean };
  /** `ticks`: attempts so far. */
  lock?: { outcome: 'acquired' | 'waiting' | 'stopped'; waitSeconds: number; ticks?: number };
  /** The wait ticks this execution used so far, every kind together: one history budget per execution (wait-budget.ts). */
  waits?: WaitLedger;
  noop?: boolean;
  verify?: Verification;
  invalidation?: { id: string; complete: boolean; checks: number; waitSeconds: number };
  /** Provisioned concurrency being allocated on the new version before the first shift (provisioned-concurrency.ts). */
  provisioned?: ProvisionedHandover;
  /** Alarms already in ALARM when the deployment started, let through by `preexisting: "ignore"` (Stage): not checked during its bakes. */
  ignoredAlarms?: string[];
  /** What the last hook answered, bounded (run-hook.ts): never the hook's raw payload. */
  hookResult?: HookSummary;
  /** Targets promoting from this one, for the PromoteDownstream step after the soak (promote-downstream.ts). */
  downstream?: DownstreamPlan;
  /** Step Functions' Catch output: the error name and its cause. */
  error?: { Error: string; Cause: string };
}

/**
 * How the current traffic step bakes. A bake is a loop of ticks (Wait `waitSeconds`, then
 * CheckHealth): each tick looks at the record for a cancel or promote; every `healthEvery`-th tick
 * and the last one also check the health signals.
 */
export interface Verification {
  next: 'bake' | 'shift' | 'done';
  waitSeconds: number;
  /** Ticks left in this step's bake. */
  remainingChecks: number;
  /** Ticks between two health checks (1 when absent). */
  healthEvery?: number;
  /** Ticks since the last health check. */
  sinceHealth?: number;
  /** Health checks passed in this step so far. */
  checks?: number;
  /** A step judged on evidence (docs/analysis.md): its window, and what it does once the evidence stays thin. */
  analysis?: StepAnalysis;
}

export interface StepAnalysis {
  /** When the step's traffic moved: the evidence window starts here. */
  since: string;
  /** Before this, a pass does not end the bake (the step's own bakeSeconds). */
  minUntil: string;
  /** After maxBakeSeconds with no verdict: the split held for a human (`pause`) or the bake extended (`extend`). */
  held?: 'pause' | 'extend';
  /** Ticks held so far (bounded: MAX_HELD_TICKS). */
  heldTicks?: number;
  /** This step's synthetic invocations of the canary so far (health.synthetic); a new step starts without. */
  synthetic?: SyntheticTally;
}

/**
 * The new version's provisioned concurrency while it is allocated: the state machine waits
 * `waitSeconds` and checks again (CheckProvisionedConcurrency) until `ready`, failing at `deadline`.
 */
export interface ProvisionedHandover extends ProvisionedConcurrencyRecord {
  /** The status last recorded in the timeline (a line is written when it changes, not every tick). */
  status: 'IN_PROGRESS' | 'READY';
  ready: boolean;
  waitSeconds: number;
  /** ISO time after which an allocation still IN_PROGRESS fails the deployment. */
  deadline: string;
}

export type { StagingChunk } from '../../ports/site.js';

/**
 * The targets whose `promotion.from` is this deployment's target (at most MAX_DOWNSTREAM, by soak
 * then name), set by Prepare. After Finalize the state machine waits `waitSeconds` (Soak), then
 * PromoteDownstream takes every target whose soak is over, and sets the wait until the next soak
 * ends; without `waitSeconds` there is nothing left to wait for.
 */
export interface DownstreamPlan {
  targets: { target: string; soakSeconds: number }[];
  /** Seconds waited since Finalize so far. */
  waited: number;
  waitSeconds?: number;
  /** What PromoteDownstream did for each target, bounded: promoted, awaiting approval, or why not. */
  outcomes?: { target: string; outcome: 'started' | 'awaiting approval' | 'eligible' | 'not promoted'; why: string; deploymentId?: string }[];
}

/** A hook's answer as the state keeps it: its status and at most HOOK_REASON_MAX_BYTES of its reason. */
export interface HookSummary {
  status: string;
  reason?: string;
}

/**
 * The staging plan Prepare wrote: a JSON array of chunks at s3://bucket/key (the artifact bucket),
 * which the StageSite Map reads with an ItemReader in AWS. Only the reference rides in the state.
 */
export interface StagingPlanRef {
  bucket: string;
  key: string;
  /** Chunks in the plan: FinishSiteStaging collects one staging record per chunk. */
  chunks: number;
}

/** An app deployment's components as the state carries them (at most MAX_APP_COMPONENTS). */
export interface AppWorkflow {
  functions: Record<string, FunctionComponentState>;
  /** The site component, when the app has one: whether the release changes it (known after FinishSiteStaging). */
  site?: {
    component: string;
    changed?: boolean;
    switched?: boolean;
    /** The release the site serves when the app's zip has no folder for it (Prepare), so the record can name it. */
    liveRelease?: string;
  };
  /** The step whose shift also switches the site (planApp): the last, once the functions are at 100%. */
  siteSwitchAt?: number;
}

export interface FunctionComponentState {
  function: string;
  /** Whether the release's zip has a folder for it; without one the component is unchanged. */
  present: boolean;
  /** Its code, repacked from the app's zip by Stage, and that zip's hex sha256. */
  artifact?: ArtifactRef;
  sha256?: string;
  fromVersion?: string;
  toVersion?: string;
  changed?: boolean;
  aliasRevision?: string;
  publishedVersions?: number;
}

export interface SiteWorkflow {
  /** The release being deployed. */
  release: string;
  /**
   * The version it is staged as and switched to (layout.ts): the release, or `<release>~<digest12>`
   * with a runtime config. Absent in the state of an execution started before versions had digests.
   */
  version?: string;
  staging: StagingPlanRef;
  /** The distribution's origin path before this deployment ('' when it served the bucket root). */
  liveOriginPath: string;
  /** The version behind that origin path (`r1`, `r1~<digest12>`), when it is one of this target's. */
  liveRelease?: string;
  invalidationPaths?: number;
  /**
   * After the origin switch: whether the distribution is `Deployed` yet. While it is not, the
   * state machine waits `waitSeconds` and runs ShiftTraffic again, which invalidates once it is.
   */
  distribution?: { deployed: boolean; checks: number; waitSeconds: number };
  /** A site canary (docs/sites.md): the staging distribution serving the new release, and the primary's policy. */
  canary?: { stagingId: string; policyId: string; primaryEtag: string };
}

/** What the workflow carries of its deployment record (see WorkflowState.record). */
export type RecordFacts = Pick<Deployment, 'target' | 'release' | 'trigger' | 'requestedAt'> &
  Partial<Pick<Deployment, 'fromVersion' | 'toVersion' | 'sha256' | 'notBefore'>> & { artifact?: ArtifactRef };

export function recordFacts(d: Deployment): RecordFacts {
  return {
    target: d.target,
    release: d.release,
    trigger: d.trigger,
    requestedAt: d.requestedAt,
    ...(d.artifact ? { artifact: d.artifact } : {}),
    ...(d.sha256 ? { sha256: d.sha256 } : {}),
    ...(d.fromVersion ? { fromVersion: d.fromVersion } : {}),
    ...(d.toVersion ? { toVersion: d.toVersion } : {}),
    ...(d.notBefore ? { notBefore: d.notBefore } : {}),
  };
}

/**
 * The record's facts from the state; read from the store only when the state has none (an
 * execution started before the state carried them).
 */
export async function facts(deployments: { get(id: string): Promise<Deployment | undefined> }, state: WorkflowState): Promise<RecordFacts> {
  if (state.record) return state.record;
  const deployment = await deployments.get(state.deploymentId);
  if (!deployment) throw new DeploymentNotFoundError(state.deploymentId);
  assertNotCancelled(deployment);
  return recordFacts(deployment);
}

/**
 * After a step's own write: the record it returned shows a cancel asked for meanwhile (the step's
 * work is then undone by Rollback). Undefined (the store refused: the record is already final)
 * is left to the caller.
 */
export function seenByWrite(written: Deployment | undefined): Deployment | undefined {
  if (written) assertNotCancelled(written);
  return written;
}

export function requireTarget(state: WorkflowState): Target {
  if (!state.target) throw new Error(`workflow state of ${state.deploymentId} has no target; Prepare must run first`);
  return state.target;
}

export function requireFunctionTarget(state: WorkflowState): FunctionTarget {
  const target = requireTarget(state);
  if (target.kind !== 'function') throw new Error(`${state.deploymentId} deploys a ${target.kind} target; this step is for functions`);
  return target;
}

export function requireSiteTarget(state: WorkflowState): SiteTarget {
  const target = requireTarget(state);
  if (target.kind !== 'site') throw new Error(`${state.deploymentId} deploys a ${target.kind} target; this step is for sites`);
  return target;
}
