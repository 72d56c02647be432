import { isTerminal } from '../../domain/deployment.js';
import { rollback, type RollbackDeps } from './rollback.js';

export interface ExecutionEnded {
  deploymentId: string;
  /** Step Functions' execution status: FAILED, TIMED_OUT or ABORTED. */
  status: string;
  cause?: string;
}

/**
 * The last line of the invariant. When an execution ends without the record having a terminal
 * status — the Rollback step itself kept failing, the execution timed out or someone stopped it —
 * this runs the rollback once more from outside the workflow: alias back on the old version,
 * record `rolled_back` or `failed` with the reason, lock released. A record that is already final
 * is left as it is (its lock is released if still held).
 */
export async function reconcileExecutionEnd(deps: RollbackDeps, ended: ExecutionEnded): Promise<'unknown' | 'already-final' | 'reconciled'> {
  const deployment = await deps.deployments.get(ended.deploymentId);
  if (!deployment) return 'unknown';
  if (isTerminal(deployment.status)) {
    await deps.locks.release(deployment.target, deployment.id);
    return 'already-final';
  }
  await rollback(deps, {
    deploymentId: deployment.id,
    error: {
      Error: `Execution${ended.status.charAt(0)}${ended.status
        .slice(1)
        .toLowerCase()
        .replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}`,
      Cause: `the workflow ended ${ended.status} before recording an outcome${ended.cause ? ` (${ended.cause})` : ''}`,
    },
  });
  return 'reconciled';
}
