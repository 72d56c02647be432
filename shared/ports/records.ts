/** The records slipway keeps (targets, deployments, locks), where executions start, the event bus and the clock. */
import type { Target } from '../domain/target.js';
import type { Deployment, DeploymentConfiguration, DeploymentStatus, TimelineEntry } from '../domain/deployment.js';

export interface TargetStore {
  put(target: Target): Promise<void>;
  get(name: string): Promise<Target | undefined>;
  list(): Promise<Target[]>;
}

export interface DeploymentPatch {
  status?: DeploymentStatus;
  reason?: string;
  fromVersion?: string;
  toVersion?: string;
  trafficPercent?: number;
  sha256?: string;
  endedAt?: string;
  bakeEndsAt?: string;
  startsAt?: string;
  notBefore?: string;
  /** Sites: the origin path before the deployment, when it was not a slipway release prefix. */
  fromOriginPath?: string;
  /** What the deployment releases besides the code: a function's configuration, a site's runtime config. */
  configuration?: DeploymentConfiguration;
  /** A promotion's approve or reject (written with `onlyIfApprovalPending`). */
  approval?: Deployment['approval'];
  /** Apps: what each component releases (written once every component is staged). */
  components?: Deployment['components'];
  /** Functions: the provisioned concurrency handed over to the new version (written by Stage before it allocates). */
  provisionedConcurrency?: Deployment['provisionedConcurrency'];
}

/** Conditions an update must meet besides the record not being terminal. */
export interface UpdateGuards {
  /** Refused when a cancel was requested (the write that declares success). */
  unlessCancelRequested?: boolean;
  /** Refused unless the record's approval is still pending: two approvals cannot both start it. */
  onlyIfApprovalPending?: boolean;
}

export interface DeploymentStore {
  /** Creates the record unless one with the same id exists; returns the stored record either way. */
  create(deployment: Deployment): Promise<{ created: boolean; deployment: Deployment }>;
  get(id: string): Promise<Deployment | undefined>;
  /**
   * Applies a patch and appends a timeline entry. Refuses (returns undefined) when the record is
   * already terminal, so a late retry can never overwrite a final status; with
   * `unlessCancelRequested` also when a cancel was requested (the write that declares success),
   * with `onlyIfApprovalPending` unless the approval is pending.
   */
  update(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>, options?: UpdateGuards): Promise<Deployment | undefined>;
  /** Newest first by `requestedAt`. */
  listByTarget(target: string, options?: { limit?: number }): Promise<Deployment[]>;
}

/** The record before and after one update. */
export interface DeploymentTransition {
  before: Deployment;
  after: Deployment;
}

/** A store that can tell what an update changed (read in the same write, so no other writer slips in between). */
export interface DeploymentTransitions {
  /** `update`, returning the record as it was and as it is now; undefined where `update` refuses. */
  transition(id: string, patch: DeploymentPatch, entry: Omit<TimelineEntry, 'at'>, options?: UpdateGuards): Promise<DeploymentTransition | undefined>;
}

export interface LockStore {
  /** Takes the target's lock for the deployment; true when it holds it (also when it already did). */
  acquire(target: string, deploymentId: string): Promise<boolean>;
  /** Releases the lock when this deployment holds it; a no-op otherwise. */
  release(target: string, deploymentId: string): Promise<void>;
  holder(target: string): Promise<string | undefined>;
}

export interface Orchestrator {
  /** Starts the workflow for a recorded deployment; starting one that already started is a no-op. */
  start(deploymentId: string): Promise<void>;
}

/** One event for the bus. */
export interface OutgoingEvent {
  detailType: string;
  detail: Record<string, unknown>;
}

/**
 * Publishes on the service's event bus (source "slipway"; detail types and schemas in
 * shared/domain/events.ts). The events of one call go out together (one PutEvents for up to 10),
 * in order; a failure names the events that were not published.
 */
export interface DeploymentEvents {
  publish(events: readonly OutgoingEvent[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}
