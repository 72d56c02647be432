import { isTerminal, type DeploymentStatus, type DeploymentView, type TimelineEntry } from '../shared/domain/deployment.js';
import { ApiProblemError, ApiUnreachableError, type ApiClient } from './api-client.js';
import { CliError } from './errors.js';

export type ProgressEvent =
  | { kind: 'timeline'; entry: TimelineEntry; deployment: DeploymentView }
  | { kind: 'status'; status: DeploymentStatus; deployment: DeploymentView }
  | { kind: 'traffic'; trafficPercent: number; deployment: DeploymentView };

export interface FollowOptions {
  onProgress?: (event: ProgressEvent) => void;
  /** Every answer, before its progress events: for a live status line and looking up the target once. */
  onPoll?: (deployment: DeploymentView) => void | Promise<void>;
  intervalMs?: number;
  /**
   * Between polls while the deployment waits for its window or schedule (default 5 s, never less
   * than intervalMs): a wait may last days, and a promote or a changed window still shows soon.
   */
  waitingIntervalMs?: number;
  /** How long "not found" is normal: S3 → queue → intake takes a moment after the upload. */
  appearWithinMs?: number;
  /** Consecutive failed polls (network, 5xx) tolerated before giving up. */
  maxFailedPolls?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls GET /deployments/{id} until the deployment reaches a terminal status and reports what
 * changed in between: each new timeline entry, and status or traffic changes no entry announced.
 * Ends on failure too: a deployment that never appears, or an API that stays unreachable.
 */
export async function followDeployment(client: Pick<ApiClient, 'getDeployment'>, id: string, options: FollowOptions = {}): Promise<DeploymentView> {
  const intervalMs = options.intervalMs ?? 500;
  const waitingIntervalMs = Math.max(intervalMs, options.waitingIntervalMs ?? 5000);
  const appearWithinMs = options.appearWithinMs ?? 60_000;
  const maxFailedPolls = options.maxFailedPolls ?? 20;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const report = options.onProgress ?? (() => {});

  const since = now();
  let failedPolls = 0;
  let seenEntries = 0;
  let lastStatus: DeploymentStatus | undefined;
  let lastTraffic: number | undefined;

  for (;;) {
    let deployment: DeploymentView | undefined;
    try {
      deployment = await client.getDeployment(id);
    } catch (error) {
      const transient = error instanceof ApiUnreachableError || (error instanceof ApiProblemError && error.problem.status >= 500);
      if (!transient || ++failedPolls >= maxFailedPolls) throw error;
      await sleep(intervalMs);
      continue;
    }

    if (deployment) {
      failedPolls = 0;
      await options.onPoll?.(deployment);
      const fresh = deployment.timeline.slice(seenEntries);
      seenEntries = deployment.timeline.length;
      for (const entry of fresh) report({ kind: 'timeline', entry, deployment });
      if (deployment.status !== lastStatus && !fresh.some((e) => e.status === deployment.status)) {
        report({ kind: 'status', status: deployment.status, deployment });
      }
      if (lastTraffic !== undefined && deployment.trafficPercent !== lastTraffic && !fresh.some((e) => e.trafficPercent === deployment.trafficPercent)) {
        report({ kind: 'traffic', trafficPercent: deployment.trafficPercent, deployment });
      }
      lastStatus = deployment.status;
      lastTraffic = deployment.trafficPercent;
      if (isTerminal(deployment.status)) return deployment;
      if (deployment.status === 'waiting') {
        // Poll again at the expected start at the latest, so the start shows at once.
        const untilStart = deployment.startsAt ? Date.parse(deployment.startsAt) - now() : Number.NaN;
        await sleep(Number.isFinite(untilStart) ? Math.max(intervalMs, Math.min(waitingIntervalMs, untilStart)) : waitingIntervalMs);
        continue;
      }
    } else if (lastStatus !== undefined) {
      if (++failedPolls >= maxFailedPolls) throw new CliError(`deployment ${id} is no longer found by the API`);
    } else if (now() - since > appearWithinMs) {
      throw new CliError(
        `deployment ${id} did not appear within ${Math.round(appearWithinMs / 1000)}s; ` +
          'is the intake running (slipway dev, or the deployed intake queue)? The upload itself succeeded.',
      );
    }
    await sleep(intervalMs);
  }
}

/** 0 only for `succeeded`: a rollback, however clean, means the release did not go live. */
export function exitCodeFor(status: DeploymentStatus): 0 | 1 {
  return status === 'succeeded' ? 0 : 1;
}
