/**
 * Delivery metrics of a period, from the deployments requested in it (the four DORA keys, as
 * slipway can see them):
 * - deployment frequency: successful deployments per day of the period;
 * - lead time: from the release's arrival (the upload's S3 event time, or the API call) to live,
 *   over the successful deployments that brought a change (rollbacks are left out);
 * - change failure rate: failed or rolled back, out of every deployment started;
 * - time to restore: from a deployment that failed or rolled back to the next success on the same
 *   target (failures in a row count once, from the first).
 * Pure: the use case reads the records (shared/usecases/metrics.ts).
 */
import type { DeploymentStatus, Trigger } from './deployment.js';
import { ValidationError } from './errors.js';

/** The longest period one answer covers. */
export const MAX_METRICS_DAYS = 366;
export const DEFAULT_METRICS_SINCE = '30d';

const DAY = 86_400_000;

/** The few fields of a deployment the metrics need (a record without its timeline). */
export interface DeploymentOutcome {
  id: string;
  target: string;
  status: DeploymentStatus;
  trigger: Trigger;
  requestedAt: string;
  endedAt?: string;
}

export interface Metrics {
  started: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  deploymentsPerDay: number;
  leadTimeSeconds: { median: number; p90: number } | null;
  changeFailureRate: number | null;
  timeToRestoreSeconds: { median: number; max: number } | null;
  daily: { date: string; succeeded: number; failed: number; rolledBack: number }[];
}

export interface Period {
  since: Date;
  until: Date;
}

const RELATIVE = /^(\d{1,4})d$/;

function instant(text: string, field: 'since' | 'until'): Date {
  const at = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(text) ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) {
    const example =
      field === 'since' ? '`30d` (the last 30 days) or an ISO 8601 time such as 2026-11-01T00:00:00Z' : 'an ISO 8601 time such as 2026-12-01T00:00:00Z';
    throw new ValidationError(`${field} "${text}" is neither; give ${example}`, [{ path: `query.${field}`, message: `must be ${example}` }]);
  }
  return at;
}

/**
 * A history listing's bounds, each optional: `since` is `<N>d` (N days before `until`, or before
 * now) or an ISO 8601 time, `until` an ISO 8601 time; `since` must come before `until`.
 */
export function listingPeriod(query: { since?: string | undefined; until?: string | undefined }, now: Date): Partial<Period> {
  const until = query.until === undefined ? undefined : instant(query.until, 'until');
  if (query.since === undefined) return until ? { until } : {};
  const relative = RELATIVE.exec(query.since);
  const since = relative ? new Date((until ?? now).getTime() - Number(relative[1]) * DAY) : instant(query.since, 'since');
  if (until && since.getTime() >= until.getTime()) {
    const message = `since (${since.toISOString()}) must be before until (${until.toISOString()})`;
    throw new ValidationError(`invalid period: ${message}`, [{ path: 'query.since', message }]);
  }
  return until ? { since, until } : { since };
}

/**
 * The period `since`..`until`: `since` is `<N>d` (N days before `until`) or an ISO 8601 time
 * (default 30d); `until` an ISO 8601 time (default now). At most MAX_METRICS_DAYS long.
 */
export function metricsPeriod(query: { since?: string | undefined; until?: string | undefined }, now: Date): Period {
  const until = query.until === undefined ? now : instant(query.until, 'until');
  const sinceText = query.since ?? DEFAULT_METRICS_SINCE;
  const relative = RELATIVE.exec(sinceText);
  const since = relative ? new Date(until.getTime() - Number(relative[1]) * DAY) : instant(sinceText, 'since');
  const issue = (message: string) => new ValidationError(`invalid period: ${message}`, [{ path: 'query.since', message }]);
  if (since.getTime() >= until.getTime()) throw issue(`since (${since.toISOString()}) must be before until (${until.toISOString()})`);
  if (until.getTime() - since.getTime() > MAX_METRICS_DAYS * DAY) {
    throw issue(
      `the period is ${Math.ceil((until.getTime() - since.getTime()) / DAY)} days long; the most is ${MAX_METRICS_DAYS} (e.g. since=${MAX_METRICS_DAYS}d)`,
    );
  }
  return { since, until };
}

/**
 * The median of sorted values (the mean of the middle two for an even count). Hand-written: three
 * lines, and no statistics library is among the dependencies.
 */
export function median(sorted: readonly number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The nearest-rank percentile of sorted values: the smallest value with at least p% of them at or below it. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const isFailure = (status: DeploymentStatus) => status === 'failed' || status === 'rolled_back';

/** Every UTC date the period touches, `YYYY-MM-DD`. */
function datesOf(period: Period): string[] {
  const dates: string[] = [];
  const last = new Date(period.until.getTime() - 1).toISOString().slice(0, 10);
  for (let day = Date.parse(period.since.toISOString().slice(0, 10)); ; day += DAY) {
    const date = new Date(day).toISOString().slice(0, 10);
    dates.push(date);
    if (date >= last) break;
  }
  return dates;
}

/** Restore times of one target: from each first failure to the next success, by when they ended. */
function restoreTimes(outcomes: readonly DeploymentOutcome[]): number[] {
  const ended = outcomes.filter((o) => o.endedAt !== undefined).sort((a, b) => Date.parse(a.endedAt as string) - Date.parse(b.endedAt as string));
  const times: number[] = [];
  let brokenSince: string | undefined;
  for (const o of ended) {
    if (isFailure(o.status)) brokenSince ??= o.endedAt;
    else if (o.status === 'succeeded' && brokenSince !== undefined) {
      times.push(seconds(brokenSince, o.endedAt as string));
      brokenSince = undefined;
    }
  }
  return times;
}

/** The metrics of the deployments requested within `period` (others are ignored). */
export function computeMetrics(outcomes: readonly DeploymentOutcome[], period: Period): Metrics {
  const from = period.since.getTime();
  const to = period.until.getTime();
  const inPeriod = outcomes.filter((o) => {
    const at = Date.parse(o.requestedAt);
    return at >= from && at < to;
  });
  const count = (status: DeploymentStatus) => inPeriod.filter((o) => o.status === status).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const rolledBack = count('rolled_back');
  const leads = inPeriod
    .filter((o) => o.status === 'succeeded' && o.trigger !== 'rollback' && o.endedAt !== undefined)
    .map((o) => Math.max(0, seconds(o.requestedAt, o.endedAt as string)))
    .sort((a, b) => a - b);
  const byTarget = new Map<string, DeploymentOutcome[]>();
  for (const o of inPeriod) byTarget.set(o.target, [...(byTarget.get(o.target) ?? []), o]);
  const restores = [...byTarget.values()].flatMap(restoreTimes).sort((a, b) => a - b);
  const daily = new Map(datesOf(period).map((date) => [date, { date, succeeded: 0, failed: 0, rolledBack: 0 }]));
  for (const o of inPeriod) {
    const day = daily.get(o.requestedAt.slice(0, 10));
    if (!day) continue;
    if (o.status === 'succeeded') day.succeeded += 1;
    else if (o.status === 'failed') day.failed += 1;
    else if (o.status === 'rolled_back') day.rolledBack += 1;
  }
  return {
    started: inPeriod.length,
    succeeded,
    failed,
    rolledBack,
    deploymentsPerDay: round(succeeded / ((to - from) / DAY), 3),
    leadTimeSeconds: leads.length > 0 ? { median: median(leads), p90: percentile(leads, 90) } : null,
    changeFailureRate: inPeriod.length > 0 ? round((failed + rolledBack) / inPeriod.length, 4) : null,
    timeToRestoreSeconds: restores.length > 0 ? { median: median(restores), max: restores[restores.length - 1] as number } : null,
    daily: [...daily.values()],
  };
}

/** The metrics overall and per target (by name): each of `targets` (none deployed yet, zeros) and each one with deployments. */
export function metricsByTarget(
  outcomes: readonly DeploymentOutcome[],
  period: Period,
  targets: readonly string[] = [],
): { overall: Metrics; targets: ({ target: string } & Metrics)[] } {
  const names = [...new Set([...targets, ...outcomes.map((o) => o.target)])].sort();
  return {
    overall: computeMetrics(outcomes, period),
    targets: names.map((target) => ({
      target,
      ...computeMetrics(
        outcomes.filter((o) => o.target === target),
        period,
      ),
    })),
  };
}
