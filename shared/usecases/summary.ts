/**
 * `GET /summary`: every target at a glance (shared/domain/target-summary.ts). Reads are bounded by
 * the number of targets, never by the length of history: one listing of the targets, one page of
 * each target's newest deployments, and, only for a target whose live release is older than that
 * page, one filtered read for its newest success.
 */
import type { Deployment } from '../domain/deployment.js';
import { summarizeTarget, liveDeployment, type TargetSummary } from '../domain/target-summary.js';
import type { Target } from '../domain/target.js';
import type { DeploymentHistory } from '../ports/control.js';
import type { Clock, DeploymentStore, TargetStore } from '../ports/index.js';

export interface SummaryDeps {
  targets: Pick<TargetStore, 'list'>;
  deployments: Pick<DeploymentStore, 'listByTarget'>;
  history: DeploymentHistory;
  clock: Clock;
}

/** Newest deployments read per target: enough for what runs, what waits and how the last ones ended. */
export const SUMMARY_HISTORY = 20;
/** Targets read at once, so a large registry does not open hundreds of requests together. */
const CONCURRENT_TARGETS = 8;

async function eachLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every registered target's summary, by name. */
export async function summarizeTargets(deps: SummaryDeps): Promise<TargetSummary[]> {
  const targets = [...(await deps.targets.list())].sort((a, b) => a.name.localeCompare(b.name));
  const downstream = new Map<string, string[]>();
  for (const t of targets) {
    const from = t.promotion?.from;
    if (from !== undefined) downstream.set(from, [...(downstream.get(from) ?? []), t.name]);
  }
  const now = deps.clock.now();
  return eachLimited(targets, CONCURRENT_TARGETS, async (target: Target) => {
    const recent = await deps.deployments.listByTarget(target.name, { limit: SUMMARY_HISTORY });
    let olderLive: Deployment | undefined;
    if (recent.length >= SUMMARY_HISTORY && !liveDeployment(recent)) {
      olderLive = (await deps.history.listPage({ target: target.name, statuses: ['succeeded'], limit: 1 })).deployments[0];
    }
    return summarizeTarget({ target, recent, ...(olderLive ? { olderLive } : {}), downstream: downstream.get(target.name) ?? [], now });
  });
}
