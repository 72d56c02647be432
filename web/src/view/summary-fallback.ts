/**
 * A target's summary composed from the routes every slipway API serves (`GET /targets`, a target's
 * recent deployments, its window), for an API that does not answer `GET /summary` yet. The same
 * shape as `GET /summary`, so the views never know which one they got.
 */
import { ACTIVE_STATUSES, type Deployment, type Target, type TargetSummary, type TargetWindow } from '../types';

const isActive = (d: Deployment) => ACTIVE_STATUSES.includes(d.status);

/** The window's state at `now` from its next openings and freezes; `none` for a target without a window. */
export function windowState(target: Target, window: TargetWindow | undefined, now: Date): TargetSummary['window'] {
  if (!target.window) return { state: 'none' };
  const timeZone = window?.timezone ?? target.window.timezone;
  if (!window) return { state: 'closed', timeZone };
  const t = now.getTime();
  const freeze = window.deny.find((d) => Date.parse(d.from) <= t && t < Date.parse(d.to));
  if (freeze) return { state: 'frozen', until: freeze.to, timeZone };
  const open = window.openings.find((o) => Date.parse(o.at) <= t && t < Date.parse(o.closesAt));
  if (open) return { state: 'open', until: open.closesAt, timeZone };
  const next = window.openings.find((o) => Date.parse(o.at) > t);
  return { state: 'closed', ...(next ? { until: next.at } : {}), timeZone };
}

/**
 * One target's summary from its deployments (newest first). The live release is the newest that
 * succeeded; a running deployment's traffic is split between its `toVersion` and the version before.
 */
export function composeSummary(target: Target, deployments: Deployment[], window: TargetWindow | undefined, downstream: string[], now: Date): TargetSummary {
  const live = deployments.find((d) => d.status === 'succeeded') ?? null;
  const running = deployments.find(isActive) ?? null;
  const last = deployments.find((d) => !isActive(d)) ?? null;
  const liveVersion = live?.toVersion ?? undefined;
  let traffic: TargetSummary['traffic'] = null;
  if (running && running.trafficPercent > 0 && running.trafficPercent < 100 && running.toVersion) {
    traffic = {
      stable: { version: running.fromVersion ?? liveVersion ?? '?', percent: 100 - running.trafficPercent },
      canary: { version: running.toVersion, percent: running.trafficPercent },
    };
  } else if (running && running.trafficPercent >= 100 && running.toVersion) {
    traffic = { stable: { version: running.toVersion, percent: 100 } };
  } else if (liveVersion) {
    traffic = { stable: { version: liveVersion, percent: 100 } };
  }
  const waiting = deployments.filter((d) => d.approval?.state === 'pending');
  const summary: TargetSummary = {
    name: target.name,
    kind: target.kind,
    live: live
      ? {
          release: live.release,
          ...(live.toVersion ? (target.kind === 'site' ? { siteRelease: live.toVersion } : { version: live.toVersion }) : {}),
          ...(live.sha256 ? { sha256: live.sha256 } : {}),
          since: live.endedAt ?? live.startedAt,
          deploymentId: live.id,
        }
      : null,
    traffic,
    running: running
      ? { id: running.id, release: running.release, status: running.status, trafficPercent: running.trafficPercent, startedAt: running.startedAt }
      : null,
    lastDeployment: last
      ? {
          id: last.id,
          release: last.release,
          status: last.status,
          startedAt: last.startedAt,
          ...(last.endedAt ? { endedAt: last.endedAt } : {}),
          ...(last.reason ? { reason: last.reason } : {}),
          trigger: last.trigger,
        }
      : null,
    window: windowState(target, window, now),
  };
  if (target.promotion?.from || downstream.length) {
    summary.promotion = {
      ...(target.promotion?.from ? { from: target.promotion.from } : {}),
      to: downstream,
      waiting: waiting.map((d) => ({ deploymentId: d.id, release: d.release, since: d.requestedAt })),
    };
  }
  return summary;
}

/** The targets that promote from each target (`promotion.from`), by upstream name. */
export function downstreamOf(targets: Target[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const t of targets) {
    const from = t.promotion?.from;
    if (!from) continue;
    map.set(from, [...(map.get(from) ?? []), t.name]);
  }
  return map;
}
