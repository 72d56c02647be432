/**
 * A `slipway dev` that is killed (SIGKILL, a closed terminal, a crash) takes its executions with
 * it: the state machine ran in its process. What they had done stays in the emulator: an alias
 * split between two versions, a record in `shifting`, the target's lock. At the next start, before
 * anything else runs, each deployment left unfinished is settled by the Rollback Task's own
 * handler (the use case the reconcile function runs in AWS when an execution ends without an
 * outcome): the alias back on the old version with no routing config, the record `rolled_back`
 * (traffic had moved) or `failed`, the lock released.
 */
import { isTerminal, type Deployment } from '../shared/domain/deployment.js';
import { awaitsApproval } from '../shared/domain/promotion.js';
import type { DeploymentStore, LockStore, TargetStore } from '../shared/ports/index.js';
import type { WorkflowState } from '../shared/usecases/workflow/state.js';

/** The error the settled deployments record; the reason reads `interrupted: slipway dev stopped …; <what was restored>`. */
export const INTERRUPTED_ERROR = {
  Error: 'interrupted',
  Cause: 'slipway dev stopped while this deployment was running; rolled back at the next start',
} as const;

/**
 * Unfinished records of one run are the newest of their target (each start settles the earlier
 * ones), so a generous page per target finds them all.
 */
const RECORDS_PER_TARGET = 1000;

export interface SettleDeps {
  targets: Pick<TargetStore, 'list'>;
  deployments: Pick<DeploymentStore, 'get' | 'listByTarget'>;
  locks: Pick<LockStore, 'holder' | 'release'>;
  /** The Rollback Task: the workflow's state with its Catch output. */
  rollback(state: WorkflowState): Promise<unknown>;
  log(line: string): void;
}

/** Settles every non-terminal deployment and frees every lock whose holder is settled or unknown; returns the settled records. */
export async function settleInterruptedDeployments(deps: SettleDeps): Promise<Deployment[]> {
  const settled: Deployment[] = [];
  for (const target of await deps.targets.list()) {
    // A promotion awaiting approval had no execution to lose: it still waits for its approve or reject.
    const unfinished = (await deps.deployments.listByTarget(target.name, { limit: RECORDS_PER_TARGET })).filter(
      (d) => !isTerminal(d.status) && !awaitsApproval(d),
    );
    // Oldest first, as they started.
    for (const deployment of unfinished.reverse()) {
      try {
        await deps.rollback({ deploymentId: deployment.id, error: { ...INTERRUPTED_ERROR } });
      } catch (error) {
        deps.log(
          `slipway dev: could not settle ${deployment.target} ${deployment.release} (${deployment.id}), left ${deployment.status} when slipway dev last stopped: ${(error as Error).message}; restart slipway dev to try again`,
        );
        continue;
      }
      const after = (await deps.deployments.get(deployment.id)) ?? deployment;
      settled.push(after);
      deps.log(
        `slipway dev: ${after.target} ${after.release} (${after.id}) was ${deployment.status} when slipway dev last stopped: ${after.status}${after.reason ? `: ${after.reason}` : ''}`,
      );
    }
    const holder = await deps.locks.holder(target.name);
    if (holder === undefined) continue;
    const record = await deps.deployments.get(holder);
    if (!record || isTerminal(record.status)) {
      await deps.locks.release(target.name, holder);
      deps.log(
        `slipway dev: released the lock of ${target.name}, held by ${record ? `${holder}, which had ended ${record.status}` : `${holder}, which has no record`}`,
      );
    }
  }
  return settled;
}
