/**
 * What a person wants to see of a target at a glance (the dashboard's overview, `slipway status`):
 * what is live and since when, how traffic is split, what runs, how the last deployment ended, the
 * window's state and the target's place in a promotion chain. Pure: the use case reads the records
 * (shared/usecases/summary.ts) and hands them here with the time.
 */
import { isTerminal, type Deployment, type DeploymentStatus, type Trigger } from './deployment.js';
import type { Target } from './target.js';
import { compileWindow, decide, denyAt, type DeployWindow } from './window.js';

export interface LiveSummary {
  release: string;
  /** Functions: the published version the alias points to. */
  version?: string;
  /** Sites: the release prefix the distribution serves. */
  siteRelease?: string;
  sha256?: string;
  /** When it went live (the deployment's end). */
  since: string;
  /** Who released it (the IAM principal, or `jwt:<sub>`), when known. */
  by?: string;
  deploymentId: string;
}

export interface TrafficSplit {
  stable: { version: string; percent: number };
  canary?: { version: string; percent: number };
}

export interface RunningSummary {
  id: string;
  release: string;
  status: DeploymentStatus;
  trafficPercent: number;
  startedAt: string;
}

export interface LastDeploymentSummary {
  id: string;
  release: string;
  status: DeploymentStatus;
  startedAt: string;
  endedAt?: string;
  reason?: string;
  trigger?: Trigger;
  by?: string;
  /** Functions: the versions it moved between (`3` → `2` for a rollback to version 2). */
  fromVersion?: string;
  toVersion?: string;
}

export type WindowState = 'open' | 'closed' | 'frozen' | 'none';

export interface WindowSummary {
  state: WindowState;
  /** open: when it closes; closed: when it opens; frozen: when the freeze ends. Absent with `none`, or when it never opens again. */
  until?: string;
  /** The window's IANA zone (absent with `none`). */
  timeZone?: string;
  /** frozen: the freeze's reason. */
  reason?: string;
}

export interface PromotionSummary {
  /** The upstream environment (promotion.from); absent at the root of a chain. */
  from?: string;
  /** The environments promoting from this one, by name. */
  to: string[];
  /** Promotions into this target that wait for a person's approval, oldest first. */
  waiting: { deploymentId?: string; release: string; since: string }[];
}

export interface TargetSummary {
  name: string;
  kind: Target['kind'];
  live: LiveSummary | null;
  traffic: TrafficSplit | null;
  running: RunningSummary | null;
  lastDeployment: LastDeploymentSummary | null;
  window: WindowSummary;
  promotion?: PromotionSummary;
}

const IN_PROGRESS: ReadonlySet<DeploymentStatus> = new Set(['staging', 'shifting', 'verifying']);

/** The newest succeeded deployment by when it ended: what the target serves. */
export function liveDeployment(history: readonly Deployment[]): Deployment | undefined {
  let newest: Deployment | undefined;
  for (const d of history) {
    if (d.status !== 'succeeded' || !d.endedAt) continue;
    if (!newest || Date.parse(d.endedAt) > Date.parse(newest.endedAt as string)) newest = d;
  }
  return newest;
}

function liveSummary(target: Target, d: Deployment): LiveSummary {
  return {
    release: d.release,
    ...(target.kind === 'function' && d.toVersion ? { version: d.toVersion } : {}),
    ...(target.kind === 'site' ? { siteRelease: d.toVersion ?? d.release } : {}),
    ...(d.sha256 ? { sha256: d.sha256 } : {}),
    since: d.endedAt as string,
    ...(d.requestedBy ? { by: d.requestedBy } : {}),
    deploymentId: d.id,
  };
}

/** What a target serves from: a function's versions, a site's or app's releases. */
const servedAs = (target: Target, d: Deployment): string | undefined => (target.kind === 'function' ? d.toVersion : (d.toVersion ?? d.release));

/**
 * The split while a deployment shifts (its `trafficPercent` on the new version, the rest on the
 * one before); otherwise everything on what is live. Null before anything went live.
 */
export function trafficSplit(target: Target, live: Deployment | undefined, running: Deployment | undefined): TrafficSplit | null {
  if (running && running.trafficPercent > 0 && running.trafficPercent < 100) {
    const canary = target.kind === 'function' ? running.toVersion : (running.toVersion ?? running.release);
    const stable = running.fromVersion ?? (live ? servedAs(target, live) : undefined);
    if (canary && stable) {
      return { stable: { version: stable, percent: 100 - running.trafficPercent }, canary: { version: canary, percent: running.trafficPercent } };
    }
  }
  const version = live ? servedAs(target, live) : undefined;
  return version ? { stable: { version, percent: 100 } } : null;
}

/** The window's state at `now`: open (until it closes), closed (until it opens), frozen (until the freeze ends), or none. */
export function windowSummary(window: DeployWindow | undefined, now: Date): WindowSummary {
  if (!window) return { state: 'none' };
  const timeZone = window.timezone;
  const decision = decide(window, now);
  if (decision.open) return { state: 'open', until: decision.closesAt.toISOString(), timeZone };
  const freeze = denyAt(compileWindow(window), now);
  if (freeze) return { state: 'frozen', until: freeze.to.toISOString(), timeZone, reason: freeze.reason };
  return { state: 'closed', ...('opensAt' in decision ? { until: decision.opensAt.toISOString() } : {}), timeZone };
}

function lastDeploymentSummary(d: Deployment): LastDeploymentSummary {
  return {
    id: d.id,
    release: d.release,
    status: d.status,
    startedAt: d.startedAt,
    ...(d.endedAt ? { endedAt: d.endedAt } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
    trigger: d.trigger,
    ...(d.requestedBy ? { by: d.requestedBy } : {}),
    ...(d.fromVersion ? { fromVersion: d.fromVersion } : {}),
    ...(d.toVersion ? { toVersion: d.toVersion } : {}),
  };
}

export interface SummaryInput {
  target: Target;
  /** The target's newest deployments, newest first (by `requestedAt`). */
  recent: readonly Deployment[];
  /** The live deployment when it is older than `recent` reaches (read apart); undefined otherwise. */
  olderLive?: Deployment;
  /** The names of the targets whose promotion.from is this one. */
  downstream: readonly string[];
  now: Date;
}

/** One target's summary from its recent history. */
export function summarizeTarget({ target, recent, olderLive, downstream, now }: SummaryInput): TargetSummary {
  const live = liveDeployment(recent) ?? olderLive;
  const active = recent.filter((d) => !isTerminal(d.status));
  const pending = active.filter((d) => d.approval?.state === 'pending');
  // The one moving traffic, else the oldest in line (it holds the lock or goes first).
  const startable = active.filter((d) => d.approval?.state !== 'pending');
  const running = startable.find((d) => IN_PROGRESS.has(d.status)) ?? startable[startable.length - 1];
  const last = recent.find((d) => isTerminal(d.status));
  const from = target.promotion?.from;
  const inChain = from !== undefined || downstream.length > 0;
  return {
    name: target.name,
    kind: target.kind,
    live: live ? liveSummary(target, live) : null,
    traffic: trafficSplit(target, live, running),
    running: running
      ? { id: running.id, release: running.release, status: running.status, trafficPercent: running.trafficPercent, startedAt: running.startedAt }
      : null,
    lastDeployment: last ? lastDeploymentSummary(last) : null,
    window: windowSummary(target.window, now),
    ...(inChain
      ? {
          promotion: {
            ...(from !== undefined ? { from } : {}),
            to: [...downstream].sort(),
            waiting: [...pending].reverse().map((d) => ({ deploymentId: d.id, release: d.release, since: d.requestedAt })),
          },
        }
      : {}),
  };
}
