/**
 * Deploy windows: when a target may take a release live.
 *
 * An allow entry opens at each time its cron fires (in the window's time zone) and stays open for
 * `durationMinutes` of real time; deny periods (freezes) beat allow. Cron fields follow POSIX cron
 * (minute hour day-of-month month day-of-week; when both day fields are restricted, either may
 * match), evaluated by croner. DST, as documented in the README:
 * - a fire time that does not exist (02:30 on a spring-forward night) fires at the first instant
 *   after the gap (03:00 local), and the window lasts its full duration from there;
 * - a fire time that happens twice (02:30 on the autumn night) fires once, at the first one;
 * - durations are elapsed minutes, so a 180-minute window across a change is 180 minutes long.
 */
import { TZDate } from '@date-fns/tz';
import { Cron } from 'croner';
import { z } from 'zod';
import { boundedArray } from './bounds.js';
import { visibleNameSchema } from './names.js';

/** Step Functions standard executions last at most a year; a deployment must start and finish within it. */
export const MAX_WAIT_DAYS = 360;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A cron expression: five fields of numbers, lists, ranges and steps, or names (MON, JAN). */
const MAX_CRON_LENGTH = 256;
const MAX_ALLOW = 20;
const MAX_DENY = 100;

/** `2026-12-20T00:00` (wall time in the window's zone) or with an explicit offset / `Z`. */
const LOCAL_TIME = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(:([0-9]{2}))?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

/** The instant of a deny bound; undefined when the text is not a valid time. */
export function parseWindowTime(text: string, timezone: string): Date | undefined {
  const match = LOCAL_TIME.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, , s, zone] = match;
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
  const probe = new Date(Date.UTC(...parts));
  // Reject 2026-02-30 and 24:00 instead of rolling them over.
  if (probe.getUTCMonth() !== parts[1] || probe.getUTCDate() !== parts[2] || probe.getUTCHours() !== parts[3]) return undefined;
  if (zone) return new Date(text.length === 16 + zone.length ? text.replace(zone, `:00${zone}`) : text);
  return new Date(new TZDate(...parts, timezone).getTime());
}

function cronError(expression: string): string | undefined {
  try {
    new Cron(expression, { timezone: 'UTC' });
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^CronPattern: /, '');
  }
}

const allowSchema = z
  .object({
    cron: z
      .string()
      .trim()
      .max(MAX_CRON_LENGTH, `must be at most ${MAX_CRON_LENGTH} characters`)
      .superRefine((expression, ctx) => {
        if (expression.length > MAX_CRON_LENGTH) return; // reported above; not worth parsing
        if (expression.split(/\s+/).length !== 5) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: `cron "${expression}" must have 5 fields: minute hour day-of-month month day-of-week` });
          return;
        }
        const error = cronError(expression);
        if (error) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `invalid cron "${expression}": ${error}` });
      }),
    durationMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();

const denySchema = z
  .object({
    from: z.string().regex(LOCAL_TIME, 'a time such as 2026-12-20T00:00 (in the window time zone) or 2026-12-20T00:00+01:00'),
    to: z.string().regex(LOCAL_TIME, 'a time such as 2027-01-05T00:00 (in the window time zone) or 2027-01-05T00:00+01:00'),
    reason: visibleNameSchema(200),
  })
  .strict();

export const windowSchema = z
  .object({
    timezone: z
      .string()
      .max(64, 'must be an IANA time zone name such as Europe/Berlin')
      .default('UTC')
      .refine(isTimeZone, (name) => ({ message: `unknown time zone "${name}": use an IANA name such as Europe/Berlin` })),
    allow: boundedArray(allowSchema, { min: 1, max: MAX_ALLOW }),
    deny: boundedArray(denySchema, { max: MAX_DENY }).default([]),
    /** What to do when the window closes while traffic is moving. */
    onClose: z.enum(['finish', 'pause', 'rollback']).default('finish'),
    /** A start spread over this many seconds after the opening (never past the window's end). */
    jitterSeconds: z.number().int().min(0).max(3600).default(0),
    /** `latest`: a newer waiting release supersedes older waiting ones; `all`: they deploy in arrival order. */
    queue: z.enum(['latest', 'all']).default('latest'),
    /** Keeps the window shut while the target serves more requests per minute than this. */
    maxRequestsPerMinute: z.number().positive().optional(),
  })
  .strict()
  .superRefine((window, ctx) => {
    // zod runs this even when a field failed; an oversized list or cron was reported already and is not worth compiling.
    if (window.allow.length > MAX_ALLOW || window.deny.length > MAX_DENY || window.allow.some((a) => a.cron.length > MAX_CRON_LENGTH)) return;
    if (!isTimeZone(window.timezone) || window.allow.some((a) => a.cron.split(/\s+/).length !== 5 || cronError(a.cron))) return;
    let valid = true;
    const issue = (path: (string | number)[], message: string) => {
      valid = false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    };
    window.deny.forEach((deny, index) => {
      const from = parseWindowTime(deny.from, window.timezone);
      const to = parseWindowTime(deny.to, window.timezone);
      if (!from) issue(['deny', index, 'from'], `"${deny.from}" is not a valid time`);
      if (!to) issue(['deny', index, 'to'], `"${deny.to}" is not a valid time`);
      if (from && to && from >= to) issue(['deny', index, 'to'], `ends before it starts (${deny.from} → ${deny.to})`);
    });
    if (!valid) return;
    const compiled = compileWindow(window as DeployWindow);
    compiled.allow.forEach((allow, index) => {
      // Five cron fields repeat every year (every leap year at worst), so whether one ever fires does not depend on when it is asked.
      if (!allow.cron.nextRun(new Date(0))) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['allow', index, 'cron'], message: `"${allow.expression}" never fires (no such date)` });
      }
    });
  });

export type DeployWindow = z.infer<typeof windowSchema>;

interface CompiledAllow {
  index: number;
  expression: string;
  cron: Cron;
  durationMs: number;
}

export interface CompiledDeny {
  from: Date;
  to: Date;
  reason: string;
}

export interface CompiledWindow {
  timezone: string;
  allow: CompiledAllow[];
  /** Sorted by start. */
  deny: CompiledDeny[];
}

export function compileWindow(window: DeployWindow): CompiledWindow {
  return {
    timezone: window.timezone,
    allow: window.allow.map((a, index) => ({
      index,
      expression: a.cron,
      cron: new Cron(a.cron, { timezone: window.timezone }),
      durationMs: a.durationMinutes * MINUTE,
    })),
    deny: window.deny
      .map((d) => ({ from: parseWindowTime(d.from, window.timezone)!, to: parseWindowTime(d.to, window.timezone)!, reason: d.reason }))
      .sort((a, b) => a.from.getTime() - b.from.getTime()),
  };
}

/** The freeze in force at `at`, if any (`from` inclusive, `to` exclusive). */
export function denyAt(window: CompiledWindow, at: Date): CompiledDeny | undefined {
  return window.deny.find((d) => d.from <= at && at < d.to);
}

/**
 * An allow period containing `at` (ignoring freezes), the one closing last among each entry's
 * earliest: the first fire strictly after at - duration contains `at` when it is not after it.
 */
function allowPeriodAt(window: CompiledWindow, at: Date): { allow: CompiledAllow; opensAt: Date; closesAt: Date } | undefined {
  let found: { allow: CompiledAllow; opensAt: Date; closesAt: Date } | undefined;
  for (const allow of window.allow) {
    const fire = allow.cron.nextRun(new Date(at.getTime() - allow.durationMs));
    if (!fire || fire > at) continue;
    const closesAt = new Date(fire.getTime() + allow.durationMs);
    if (!found || closesAt > found.closesAt) found = { allow, opensAt: fire, closesAt };
  }
  return found;
}

export function isOpen(window: CompiledWindow, at: Date): boolean {
  return !denyAt(window, at) && allowPeriodAt(window, at) !== undefined;
}

/** The first instant at or after `start` and before `end` outside every freeze. */
function firstUndenied(window: CompiledWindow, start: Date, end: Date): Date | undefined {
  let t = start;
  for (let deny = denyAt(window, t); deny; deny = denyAt(window, t)) t = deny.to;
  return t < end ? t : undefined;
}

/**
 * When the open stretch that contains `at` ends: overlapping periods join; a freeze cuts it.
 * Walks at most 10,000 periods (an every-minute cron with a week-long duration is open for good;
 * the answer is then a lower bound).
 */
export function closesAt(window: CompiledWindow, at: Date): Date {
  let end = at;
  for (let i = 0; i < 10_000; i += 1) {
    const period = allowPeriodAt(window, end);
    if (!period || period.closesAt <= end) break;
    end = period.closesAt;
  }
  const freeze = window.deny.find((d) => d.from > at && d.from < end);
  return freeze ? freeze.from : end;
}

export interface Opening {
  /** The first instant the window is open (the `from` itself when it is open already). */
  at: Date;
  closesAt: Date;
  /** Index of the allow entry that opens it. */
  allowIndex: number;
}

/** The first instant in [from, until) at which the window is open, or undefined. */
export function nextOpening(window: CompiledWindow, from: Date, until: Date): Opening | undefined {
  let best: Opening | undefined;
  for (const allow of window.allow) {
    let cursor = new Date(from.getTime() - allow.durationMs);
    for (;;) {
      const fire = allow.cron.nextRun(cursor);
      if (!fire || fire >= until || (best && fire >= best.at)) break;
      const periodEnd = new Date(fire.getTime() + allow.durationMs);
      const start = fire < from ? from : fire;
      const open = firstUndenied(window, start, periodEnd);
      if (open && open < until) {
        if (!best || open < best.at) best = { at: open, closesAt: closesAt(window, open), allowIndex: allow.index };
        break;
      }
      // The whole period is frozen: the next useful fire is one whose period outlasts the freeze.
      const frozenUntil = firstUndenied(window, start, new Date(8.64e15))!;
      cursor = new Date(Math.max(fire.getTime(), frozenUntil.getTime() - allow.durationMs));
    }
  }
  return best;
}

/** A deterministic start inside the opening: up to `jitterSeconds` later, never at or past its close. */
export function jitteredStart(opening: Opening, jitterSeconds: number, seed: string): Date {
  if (jitterSeconds <= 0) return opening.at;
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const room = Math.max(0, opening.closesAt.getTime() - opening.at.getTime() - MINUTE);
  return new Date(opening.at.getTime() + Math.min(room, (hash % (jitterSeconds + 1)) * 1000));
}

export type WindowDecision =
  | { open: true; closesAt: Date }
  | { open: false; opensAt: Date; closesAt: Date; reason: string }
  | { open: false; never: true; reason: string };

/** Whether a release may start at `now`, and if not, when and why not. */
export function decide(window: DeployWindow, now: Date, maxWaitDays = MAX_WAIT_DAYS): WindowDecision {
  const compiled = compileWindow(window);
  if (isOpen(compiled, now)) return { open: true, closesAt: closesAt(compiled, now) };
  const until = new Date(now.getTime() + maxWaitDays * DAY);
  const opening = nextOpening(compiled, now, until);
  const freeze = denyAt(compiled, now);
  const why = freeze ? `frozen: ${freeze.reason} (until ${freeze.to.toISOString()})` : 'outside the allowed windows';
  if (!opening) {
    return { open: false, never: true, reason: `${why}; the window does not open within ${Math.floor(maxWaitDays)} days, the longest a deployment can wait` };
  }
  const allow = window.allow[opening.allowIndex]!;
  return {
    open: false,
    opensAt: opening.at,
    closesAt: opening.closesAt,
    reason: `${why}; opens ${opening.at.toISOString()} (allow "${allow.cron}" for ${allow.durationMinutes} min, ${window.timezone})`,
  };
}

/** The next `count` openings after `from` (each the start of a separate open stretch). */
export function upcomingOpenings(window: DeployWindow, from: Date, count: number, maxWaitDays = MAX_WAIT_DAYS): Opening[] {
  const compiled = compileWindow(window);
  const until = new Date(from.getTime() + maxWaitDays * DAY);
  const openings: Opening[] = [];
  let cursor = from;
  while (openings.length < count) {
    const opening = nextOpening(compiled, cursor, until);
    if (!opening) break;
    openings.push(opening);
    cursor = new Date(opening.closesAt.getTime() + 1);
  }
  return openings;
}

/** Wall time in a zone, `2026-12-21 02:00 CET`, for people. */
export function formatInZone(at: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${get('timeZoneName')}`;
}
