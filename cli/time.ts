/**
 * Times as the CLI reads and prints them: durations (`3h`, `180m`, `1h30m`), the `--at` of a
 * scheduled deploy, the user's own time zone, and how long a deployment waited for its window.
 *
 * Durations are parsed here rather than with a library such as `ms`: the grammar the CLI wants is
 * exactly whole minutes (deploy windows have minute resolution and the API takes
 * `durationMinutes`), and `ms` reads a bare `180` as 180 milliseconds and takes `1y`, `2.5h` and
 * `3 weeks`, none of which a window length should silently become. Twenty lines with property
 * tests cost less than a dependency plus its types plus guarding against its extra grammar.
 */
import { isTerminal, type DeploymentView, type TimelineEntry } from '../shared/domain/deployment.js';
import { formatInZone, isTimeZone, MAX_WAIT_DAYS } from '../shared/domain/window.js';
import { UsageError } from './errors.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The user's IANA time zone: `TZ` when it names one (`Europe/Berlin`, `:Europe/Berlin`, or a
 * `/usr/share/zoneinfo/…` path), else what the runtime's Intl says, else UTC.
 */
export function userTimeZone(env: NodeJS.ProcessEnv): string {
  const raw = env.TZ?.trim().replace(/^:/, '');
  if (raw) {
    const name = raw.replace(/^.*\/zoneinfo\//, '');
    if (isTimeZone(name)) return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

const DURATION = /^(?:(\d{1,6})d)?(?:(\d{1,7})h)?(?:(\d{1,9})m)?$/i;

/**
 * `3h`, `180m`, `1h30m`, `2d`, `1d12h` → whole minutes. A bare number is refused (minutes? hours?
 * milliseconds?), so are fractions, seconds and zero. Returns undefined for text that is not one.
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || (match[1] === undefined && match[2] === undefined && match[3] === undefined)) return undefined;
  const [, days, hours, minutes] = match;
  const total = Number(days ?? 0) * 24 * 60 + Number(hours ?? 0) * 60 + Number(minutes ?? 0);
  return total > 0 ? total : undefined;
}

/** `180` → `3h`, `90` → `1h30m`, `1440` → `1d`, `45` → `45m`: the shortest form parseDuration reads back. */
export function formatMinutes(minutes: number): string {
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  const m = minutes % 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m || minutes === 0 ? `${m}m` : ''}`;
}

/** A duration for waits, which may last days: `45s`, `12m05s`, `3h12m`, `2d04h`. */
export function formatLongDuration(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '?';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** Offset of `zone` from UTC at instant `t`, in ms (wall time = t + offset). */
function offsetAt(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * Every instant at which the clocks in `zone` show the wall time `wall` (given as if it were UTC):
 * none in a spring-forward gap, two in the doubled autumn hour, else one. Sorted.
 */
export function instantsOfWallTime(wall: number, zone: string): number[] {
  const offsets = new Set([offsetAt(wall - DAY, zone), offsetAt(wall, zone), offsetAt(wall + DAY, zone)]);
  const found = [...offsets].map((offset) => wall - offset).filter((t) => t + offsetAt(t, zone) === wall);
  return [...new Set(found)].sort((a, b) => a - b);
}

export interface ScheduledStart {
  at: Date;
  /** Said with the schedule, e.g. which of two same wall times was taken. */
  note?: string;
}

const WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The wall time as if it were UTC, or undefined for 2026-02-30 or 24:00. */
function wallClock(y: string, mo: string, d: string, h: string, mi: string, s: string | undefined): number | undefined {
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
  const t = Date.UTC(...parts);
  const probe = new Date(t);
  if (probe.getUTCMonth() !== parts[1] || probe.getUTCDate() !== parts[2] || probe.getUTCHours() !== parts[3] || parts[4] > 59 || parts[5] > 59)
    return undefined;
  return t;
}

const AT_FORMS =
  'give an ISO 8601 time with an offset (2026-11-30T02:00+01:00, 2026-11-30T01:00Z), a wall time in your time zone (2026-11-30T02:00), or a time from now (+2h, +30m, +1d)';

/**
 * The `--at` of `slipway deploy`: an ISO 8601 time with an offset or `Z`; a wall time
 * `YYYY-MM-DDTHH:MM[:SS]` in `zone` (the user's); or `+<duration>` from `now`. Refuses a time
 * that has passed, one more than MAX_WAIT_DAYS (360) days ahead — a deployment cannot wait longer
 * — and a wall time the clocks skip; of a wall time that happens twice it takes the first and
 * says so. Throws UsageError (exit 2) with the reason.
 */
export function parseAt(text: string, now: Date, zone: string): ScheduledStart {
  const input = text.trim();
  let start: ScheduledStart;
  if (input.startsWith('+')) {
    const minutes = parseDuration(input.slice(1));
    if (minutes === undefined) throw new UsageError(`--at "${text}": "${input.slice(1)}" is not a duration such as 2h, 30m or 1h30m`);
    start = { at: new Date(now.getTime() + minutes * MINUTE) };
  } else if (WITH_OFFSET.test(input)) {
    const [, y, mo, d, h, mi, s, fraction, offset] = WITH_OFFSET.exec(input)!;
    const wall = wallClock(y!, mo!, d!, h!, mi!, s);
    if (wall === undefined) throw new UsageError(`--at "${text}" is not a valid time (no such date or hour)`);
    let offsetMs = 0;
    if (offset!.toUpperCase() !== 'Z') {
      const [, sign, oh, om] = /^([+-])(\d{2}):?(\d{2})?$/.exec(offset!)!;
      if (Number(oh) > 18 || Number(om ?? 0) > 59) throw new UsageError(`--at "${text}": ${offset} is not a UTC offset`);
      offsetMs = (sign === '-' ? -1 : 1) * (Number(oh) * HOUR + Number(om ?? 0) * MINUTE);
    }
    const ms = fraction ? Math.floor(Number(`0${fraction}`) * 1000) : 0;
    start = { at: new Date(wall - offsetMs + ms) };
  } else if (WALL_TIME.test(input)) {
    const [, y, mo, d, h, mi, s] = WALL_TIME.exec(input)!;
    const wall = wallClock(y!, mo!, d!, h!, mi!, s);
    if (wall === undefined) throw new UsageError(`--at "${text}" is not a valid time (no such date or hour)`);
    const instants = instantsOfWallTime(wall, zone);
    if (instants.length === 0) {
      throw new UsageError(
        `--at "${text}" does not exist in ${zone}: the clocks skip it when daylight saving time starts; pick another time or give an offset`,
      );
    }
    const at = new Date(instants[0]!);
    start =
      instants.length > 1
        ? {
            at,
            note: `${input} happens twice in ${zone} (the clocks go back); the first, ${formatInZone(at, zone)}, is meant — give an offset for the other`,
          }
        : { at };
  } else {
    throw new UsageError(`--at "${text}" is not a time: ${AT_FORMS}`);
  }
  if (start.at.getTime() < now.getTime()) {
    throw new UsageError(`--at ${formatInZone(start.at, zone)} is in the past (it is ${formatInZone(now, zone)} now)`);
  }
  if (start.at.getTime() > now.getTime() + MAX_WAIT_DAYS * DAY) {
    throw new UsageError(
      `--at ${formatInZone(start.at, zone)} is more than ${MAX_WAIT_DAYS} days ahead: a deployment can wait at most ${MAX_WAIT_DAYS} days (a Step Functions execution lasts at most a year)`,
    );
  }
  return start;
}

/**
 * `2026-11-27 02:00–05:00 GMT+1` when both ends fall on one day in the same offset, else
 * `2026-11-27 22:00 GMT+1 – 2026-11-28 01:00 GMT+1`.
 */
export function formatRangeInZone(from: Date, to: Date, zone: string): string {
  const a = formatInZone(from, zone);
  const b = formatInZone(to, zone);
  const [dayA, timeA, abbrA] = a.split(' ');
  const [dayB, timeB, abbrB] = b.split(' ');
  if (dayA === dayB && abbrA === abbrB) return `${dayA} ${timeA}–${timeB} ${abbrB}`;
  return `${a} – ${b}`;
}

/** How long a deployment waited before it started, and why. */
export interface Wait {
  /** The first `window` entry with status `waiting`. */
  from: string;
  /** The `target lock acquired` entry, or the end of a deployment that never started; undefined while it still waits. */
  until?: string;
  ms: number;
  /** The first reason recorded (`waiting for the deploy window: …`, `scheduled for …`). */
  reason: string;
  /** `window`, `freeze`, `schedule` or `traffic`: the first reason in one word. */
  kind: 'window' | 'freeze' | 'schedule' | 'traffic';
  /** Started by a break-glass promote while it waited: who and why, as recorded. */
  promoted?: string;
}

function kindOf(reason: string): Wait['kind'] {
  if (/^scheduled for /.test(reason)) return 'schedule';
  if (/frozen:/.test(reason)) return 'freeze';
  if (/traffic is .* above its maxRequestsPerMinute/.test(reason)) return 'traffic';
  return 'window';
}

const isLockAcquired = (e: TimelineEntry) => e.step === 'lock' && e.status === 'staging';

/**
 * From the `window` entries of a timeline: the first one `waiting` to the `lock` entry that
 * started the deployment (`target lock acquired`); a deployment that ended while it waited
 * (cancelled, superseded, failed) waited until it ended; one that still waits, until `now`.
 * Undefined when it never waited for its window or schedule.
 */
export function waitOf(d: Pick<DeploymentView, 'status' | 'timeline' | 'endedAt'>, now: Date): Wait | undefined {
  const first = d.timeline.findIndex((e) => e.step === 'window' && e.status === 'waiting');
  if (first < 0) return undefined;
  const entry = d.timeline[first]!;
  const rest = d.timeline.slice(first + 1);
  const started = rest.find(isLockAcquired);
  const ended = started
    ? undefined
    : (rest.find((e) => e.status !== undefined && isTerminal(e.status))?.at ?? (isTerminal(d.status) ? (d.endedAt ?? undefined) : undefined));
  const until = started?.at ?? ended;
  const reason = entry.message ?? 'waiting';
  const promote = rest.find((e) => e.step === 'window' && e.message?.startsWith('started by promote'));
  return {
    from: entry.at,
    ...(until ? { until } : {}),
    ms: Math.max(0, (until ? Date.parse(until) : now.getTime()) - Date.parse(entry.at)),
    reason,
    kind: kindOf(reason),
    ...(promote?.message ? { promoted: promote.message.replace(/^started by /, '') } : {}),
  };
}

/** `3h12m window`, `2d04h freeze, promoted`, `12m05s+ schedule` (still waiting): the WAITED column. */
export function formatWaitShort(wait: Wait): string {
  return `${formatLongDuration(wait.ms)}${wait.until ? '' : '+'} ${wait.kind}${wait.promoted ? ', promoted' : ''}`;
}

/** `waited 3h12m (… → …): waiting for the deploy window: …; started by promote from …` for `logs`. */
export function formatWaitLine(wait: Wait): string {
  const span = `${shortUtc(wait.from)} → ${wait.until ? shortUtc(wait.until) : 'now'}`;
  const verb = wait.until ? 'waited' : 'waiting for';
  return `${verb} ${formatLongDuration(wait.ms)} (${span}): ${wait.reason}${wait.promoted ? `; started by ${wait.promoted}` : ''}`;
}

function shortUtc(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}Z` : iso;
}
