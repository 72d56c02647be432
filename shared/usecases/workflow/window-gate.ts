import type { Deployment } from '../../domain/deployment.js';
import { WindowError } from '../../domain/errors.js';
import type { Target } from '../../domain/target.js';
import { decide, formatInZone, jitteredStart, MAX_WAIT_DAYS } from '../../domain/window.js';
import type { Clock, TrafficMetrics } from '../../ports/index.js';

export interface WindowGateDeps {
  /** Reads current traffic for the `maxRequestsPerMinute` gate. */
  metrics: Pick<TrafficMetrics, 'currentPerMinute'>;
  /** The longest single wait between two checks, so a changed window, a freeze or a promote takes effect soon. */
  windowCheckSeconds: number;
  clock: Clock;
}

export type Gate =
  | { open: true; note?: string }
  | {
      open: false;
      /** Seconds until the next check. */
      waitSeconds: number;
      /** Why it waits, for the record: no live numbers, so the same wait keeps the same reason and writes nothing new. */
      reason: string;
      /** What the timeline says when the reason first appears (may carry the numbers seen then). */
      message?: string;
      /** When it expects to start (ISO), if it knows. */
      startsAt?: string;
    };

const DAY = 86_400_000;

function waitFor(now: Date, until: Date, checkSeconds: number): number {
  return Math.max(1, Math.min(checkSeconds, Math.ceil((until.getTime() - now.getTime()) / 1000)));
}

function when(at: Date, timezone: string): string {
  return timezone === 'UTC' ? formatInZone(at, 'UTC') : `${formatInZone(at, timezone)} (${formatInZone(at, 'UTC')})`;
}

/**
 * Whether a deployment may start now: a requested rollback and a promoted deployment always may;
 * otherwise its `notBefore` time, the target's window (freezes first) and the window's traffic gate
 * decide. A deployment whose start lies past what a Step Functions execution can wait fails now.
 */
export async function windowGate(deps: WindowGateDeps, me: Deployment, target: Target | undefined): Promise<Gate> {
  const now = deps.clock.now();
  if (me.trigger === 'rollback') return { open: true };
  if (me.startNowAt) {
    return {
      open: true,
      note: `started by promote from ${me.startNowBy ?? 'an unidentified caller'}${me.startNowReason ? `: ${me.startNowReason}` : ''}, despite the window`,
    };
  }
  const limit = new Date(Date.parse(me.requestedAt) + MAX_WAIT_DAYS * DAY);
  if (me.notBefore) {
    const notBefore = new Date(me.notBefore);
    if (notBefore > limit)
      throw new WindowError(`notBefore ${me.notBefore} is more than ${MAX_WAIT_DAYS} days after the release arrived, longer than a deployment can wait`);
    if (now < notBefore) {
      return { open: false, waitSeconds: waitFor(now, notBefore, deps.windowCheckSeconds), reason: `scheduled for ${me.notBefore}`, startsAt: me.notBefore };
    }
  }
  const window = target?.window;
  if (!window) return { open: true };

  const decision = decide(window, now, Math.max(0, (limit.getTime() - now.getTime()) / DAY));
  if (!decision.open && 'never' in decision) throw new WindowError(decision.reason);
  if (!decision.open) {
    const start = jitteredStart({ at: decision.opensAt, closesAt: decision.closesAt, allowIndex: 0 }, window.jitterSeconds, me.id);
    return {
      open: false,
      waitSeconds: waitFor(now, start, deps.windowCheckSeconds),
      reason: `waiting for the deploy window: ${decision.reason.replace(/; opens .*$/, '')}; starts ${when(start, window.timezone)}`,
      startsAt: start.toISOString(),
    };
  }
  // Open: a jittered start planned while waiting still holds while it lies inside this opening.
  if (me.startsAt && now < new Date(me.startsAt) && new Date(me.startsAt) < decision.closesAt) {
    const start = new Date(me.startsAt);
    return {
      open: false,
      waitSeconds: waitFor(now, start, deps.windowCheckSeconds),
      reason: `window open; starting at ${when(start, window.timezone)} (jitter)`,
      startsAt: me.startsAt,
    };
  }
  if (window.maxRequestsPerMinute !== undefined) {
    const current = await deps.metrics.currentPerMinute(target, now);
    if (current !== undefined && current > window.maxRequestsPerMinute) {
      return {
        open: false,
        waitSeconds: deps.windowCheckSeconds,
        reason: `window open but traffic is above its maxRequestsPerMinute ${window.maxRequestsPerMinute}`,
        message: `window open but traffic is ${Math.round(current)} requests/min, above its maxRequestsPerMinute ${window.maxRequestsPerMinute}`,
      };
    }
  }
  return { open: true, note: `deploy window open until ${when(decision.closesAt, window.timezone)}` };
}

/** Whether the window has closed for a deployment that is moving traffic (promoted ones ignore it). */
export function windowClosed(
  me: Deployment,
  target: Target,
  now: Date,
): { closed: false } | { closed: true; policy: 'finish' | 'pause' | 'rollback'; reason: string; reopensAt?: Date } {
  const window = target.window;
  if (!window || me.promotedAt || me.startNowAt || me.trigger === 'rollback') return { closed: false };
  const decision = decide(window, now);
  if (decision.open) return { closed: false };
  const reopensAt = 'opensAt' in decision ? decision.opensAt : undefined;
  return { closed: true, policy: window.onClose, reason: decision.reason.replace(/; opens .*$/, ''), ...(reopensAt ? { reopensAt } : {}) };
}
