/**
 * Operator control of a running deployment: cancel and promote. The API only records the request
 * on the deployment; the workflow acts on it at its next step or bake check, so whatever a Task is
 * doing when the request arrives finishes first and the workflow's own Rollback step undoes it.
 */
import { isTerminal, type Deployment } from './deployment.js';
import { SlipwayError, ValidationError } from './errors.js';

/**
 * Thrown by a workflow step that finds a cancel request on its deployment. Permanent (never
 * retried); the Rollback step turns it into `cancelled` (no traffic had moved) or `rolled_back`.
 */
export class CancelledError extends SlipwayError {}

/** A pagination cursor that this service did not hand out for this listing. */
export class InvalidCursorError extends ValidationError {
  constructor(detail: string) {
    super(`invalid cursor: ${detail}; pass the nextCursor of the previous page unchanged, or no cursor for the first page`, [
      { path: 'cursor', message: detail },
    ]);
  }
}

export function describeCaller(by: string | undefined): string {
  return by ?? 'an unidentified caller';
}

/** "cancelled by <who>: <reason>", the start of the record's reason once a cancel took effect. */
export function cancelDescription(deployment: Pick<Deployment, 'cancelRequestedBy' | 'cancelReason'>): string {
  const reason = deployment.cancelReason?.trim();
  return `cancelled by ${describeCaller(deployment.cancelRequestedBy)}${reason ? `: ${reason}` : ''}`;
}

/** Ends the step with a CancelledError when a cancel was requested and the record is not final yet. */
export function assertNotCancelled(deployment: Deployment): void {
  if (deployment.cancelRequestedAt && !isTerminal(deployment.status)) {
    throw new CancelledError(`${cancelDescription(deployment)} (requested at ${deployment.cancelRequestedAt})`);
  }
}

/** Whether a promote can still do something: traffic is on a partial step, or the current bake runs. */
export function isPromotable(deployment: Deployment, now: Date): boolean {
  if (deployment.cancelRequestedAt || isTerminal(deployment.status)) return false;
  if (deployment.status === 'shifting') return true;
  return deployment.status === 'verifying' && deployment.bakeEndsAt !== undefined && deployment.bakeEndsAt > now.toISOString();
}
