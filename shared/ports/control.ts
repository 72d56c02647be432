import type { Deployment, DeploymentStatus, Trigger } from '../domain/deployment.js';

/**
 * Ports of the operator's controls and history: recording a cancel or promote request on a
 * deployment, paging through deployments, removing a target.
 */

export interface ControlRequest {
  /** When the request arrived (ISO 8601). */
  at: string;
  /** Who asked: the IAM principal the API authenticated. */
  by?: string;
  reason?: string;
}

export interface ControlOutcome {
  /** False when the record refused the request (final, already requested, not promotable). */
  recorded: boolean;
  /** The record as it is after the attempt; undefined when there is no such deployment. */
  deployment?: Deployment;
}

export interface DeploymentControl {
  /** Records a cancel request unless the record is final or already has one. */
  requestCancel(id: string, request: ControlRequest): Promise<ControlOutcome>;
  /**
   * Records a promote unless one was recorded, a cancel was requested, or there is nothing to skip:
   * the status is `shifting`, or `verifying` with a bake that has not ended.
   */
  requestPromote(id: string, request: ControlRequest): Promise<ControlOutcome>;
  /**
   * Break-glass for a deployment that has not started (`queued` or `waiting` for its window or
   * schedule): records that it starts now. Refused when already recorded or a cancel was requested.
   */
  requestStart(id: string, request: ControlRequest): Promise<ControlOutcome>;
}

export interface DeploymentQuery {
  /** One target's deployments; all deployments without it. */
  target?: string;
  /** Only these statuses; any without it. */
  statuses?: DeploymentStatus[];
  /** Only deployments with these triggers; any without it. */
  triggers?: Trigger[];
  /** Only deployments requested at or after this ISO time. */
  requestedSince?: string;
  /** Only deployments requested before this ISO time. */
  requestedUntil?: string;
  limit: number;
  /** A `nextCursor` this port handed out for the same listing; throws InvalidCursorError otherwise. */
  cursor?: string;
}

export interface DeploymentPage {
  /** Newest first (by `requestedAt`). May hold fewer than `limit` when a status filter skipped many. */
  deployments: Deployment[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface DeploymentHistory {
  listPage(query: DeploymentQuery): Promise<DeploymentPage>;
}

export interface TargetRemover {
  /** Deletes the target's registration; false when there was none. */
  remove(name: string): Promise<boolean>;
}
