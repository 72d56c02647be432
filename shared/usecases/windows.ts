import { TargetNotFoundError, ValidationError } from '../domain/errors.js';
import { buildProfile, suggestWindows, type Suggestion, type TrafficProfile } from '../domain/traffic-profile.js';
import { compileWindow, upcomingOpenings, type CompiledDeny, type Opening } from '../domain/window.js';
import type { Clock, TargetStore, TrafficMetrics } from '../ports/index.js';

export interface WindowDeps {
  targets: Pick<TargetStore, 'get'>;
  metrics: TrafficMetrics;
  clock: Clock;
}

const DAY = 24 * 3_600_000;

/** The next openings of a target's window and the freezes still ahead (no window: always open). */
export async function showWindow(
  deps: Pick<WindowDeps, 'targets' | 'clock'>,
  name: string,
  options: { count?: number } = {},
): Promise<{ now: Date; timezone: string | null; openings: Opening[]; allow: { cron: string; durationMinutes: number }[]; deny: CompiledDeny[] }> {
  const target = await deps.targets.get(name);
  if (!target) throw new TargetNotFoundError(name);
  const now = deps.clock.now();
  if (!target.window) return { now, timezone: null, openings: [], allow: [], deny: [] };
  return {
    now,
    timezone: target.window.timezone,
    openings: upcomingOpenings(target.window, now, options.count ?? 5),
    allow: target.window.allow,
    deny: compileWindow(target.window).deny.filter((d) => d.to > now),
  };
}

export interface SuggestRequest {
  target: string;
  durationMinutes: number;
  /** Days of history to read, at most 28 (what hourly metrics keep at full resolution is 15 days; older hours still count). */
  days: number;
  count: number;
  /** Zone of the profile; default: the target's window zone, else UTC. */
  timezone?: string;
}

/** Reads up to 28 days of the target's traffic and proposes its quietest windows. */
export async function suggestTargetWindows(deps: WindowDeps, request: SuggestRequest): Promise<{ profile: TrafficProfile; suggestions: Suggestion[] }> {
  const target = await deps.targets.get(request.target);
  if (!target) throw new TargetNotFoundError(request.target);
  if (request.days < 1 || request.days > 28)
    throw new ValidationError('days must be between 1 and 28', [{ path: 'days', message: 'must be between 1 and 28' }]);
  const timezone = request.timezone ?? target.window?.timezone ?? 'UTC';
  const now = deps.clock.now();
  const to = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const datapoints = await deps.metrics.hourly(target, new Date(to.getTime() - request.days * DAY), to);
  const profile = buildProfile(datapoints, timezone);
  return { profile, suggestions: suggestWindows(profile, request.durationMinutes, request.count) };
}
