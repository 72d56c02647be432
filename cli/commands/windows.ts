import { TARGET_NAME } from '../../shared/domain/target.js';
import { profileChart, type Suggestion } from '../../shared/domain/traffic-profile.js';
import { formatInZone, isTimeZone } from '../../shared/domain/window.js';
import { connect, type CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatJson, formatTable, styleFor, type Style } from '../output.js';
import { withTargetSuggestions } from '../suggest.js';
import { formatLongDuration, formatMinutes, formatRangeInZone, parseDuration, userTimeZone } from '../time.js';
import type { WaitingDeployment, WindowSuggestions, WindowView } from '../../shared/http/contract.js';

function checkTarget(target: string): void {
  if (!TARGET_NAME.test(target)) throw new UsageError(`invalid target name "${target}": it must match [a-z0-9][a-z0-9-]{0,47}`);
}

/**
 * `slipway windows show <target>`: the next openings of the target's deploy window in its time
 * zone and the user's, the freezes not yet over, and the deployments waiting for it.
 */
export async function showWindow(ctx: CliContext, target: string, options: { count?: number; json: boolean }): Promise<number> {
  checkTarget(target);
  const { client } = await connect(ctx);
  const view = await withTargetSuggestions(client, target, () => client.getWindow(target, options.count));
  if (options.json) ctx.stdout.write(formatJson(view));
  else ctx.stdout.write(formatWindowView(view, styleFor(ctx.stdout, ctx.env), userTimeZone(ctx.env)));
  return 0;
}

const allowText = (allow: { cron: string; durationMinutes: number }) => `"${allow.cron}" for ${formatMinutes(allow.durationMinutes)}`;

/** The `windows show` text; `userZone` is where the person reading it is. */
export function formatWindowView(view: WindowView, style: Style, userZone: string): string {
  const now = new Date(view.now);
  const out: string[] = [];
  const zone = view.timezone;
  const sameZone = zone === null || canonical(zone) === canonical(userZone);
  const both = (at: Date) =>
    zone === null ? formatInZone(at, userZone) : sameZone ? formatInZone(at, zone) : `${formatInZone(at, zone)} (${formatInZone(at, userZone)})`;

  if (zone === null) {
    out.push(`${style.bold(view.target)} has no deploy window: releases start at once${view.waiting.length > 0 ? ' (unless scheduled with --at)' : ''}`);
  } else {
    out.push(`${style.bold(view.target)}: deploy window in ${zone}${sameZone ? ' (your time zone too)' : `; your time zone is ${userZone}`}`);
    const first = view.openings[0];
    const firstAt = first ? new Date(first.at) : undefined;
    if (first && firstAt! <= now) {
      const closes = new Date(first.closesAt);
      out.push(`${style.green('open now')} until ${both(closes)}, ${formatLongDuration(closes.getTime() - now.getTime())} left`);
    } else if (first) {
      out.push(`${style.yellow('closed now')}; opens ${both(firstAt!)}, in ${formatLongDuration(firstAt!.getTime() - now.getTime())}`);
    } else {
      out.push(`${style.red('closed')}: the window does not open within the next 360 days (the longest a deployment can wait)`);
    }
    out.push(`now ${both(now)}`);

    if (view.openings.length > 0) {
      out.push('', style.bold('next openings'));
      const header = [`WINDOW TIME (${zone})`, ...(sameZone ? [] : [`YOUR TIME (${userZone})`]), 'LENGTH', 'ALLOW'];
      const rows = view.openings.map((opening) => {
        const at = new Date(opening.at);
        const closes = new Date(opening.closesAt);
        const cutBy = view.deny.find((d) => Date.parse(d.from) === closes.getTime());
        const length = formatLongDuration(closes.getTime() - at.getTime());
        return [
          formatRangeInZone(at, closes, zone),
          ...(sameZone ? [] : [formatRangeInZone(at, closes, userZone)]),
          at <= now ? `${length} (open now)` : length,
          `${allowText(opening.allow)}${cutBy ? `, cut short by the freeze "${cutBy.reason}"` : ''}`,
        ];
      });
      out.push(indent(formatTable(header, rows, style)));
    }
  }

  if (view.deny.length > 0) {
    out.push('', `${style.bold('freezes')} (no release starts during one, whatever the allow entries say)`);
    const header = [`FROM – TO (${zone ?? userZone})`, ...(sameZone ? [] : [`YOUR TIME (${userZone})`]), 'REASON'];
    const rows = view.deny.map((freeze) => {
      const from = new Date(freeze.from);
      const to = new Date(freeze.to);
      const active = from <= now ? ' (in force now)' : '';
      return [formatRangeInZone(from, to, zone ?? userZone), ...(sameZone ? [] : [formatRangeInZone(from, to, userZone)]), `${freeze.reason}${active}`];
    });
    out.push(indent(formatTable(header, rows, style)));
  }

  if (view.waiting.length > 0) {
    out.push('', style.bold(`waiting (${view.waiting.length})`));
    const header = ['ID', 'RELEASE', `STARTS (${zone ?? userZone})`, ...(sameZone ? [] : [`YOUR TIME (${userZone})`]), 'REASON'];
    const rows = view.waiting.map((d) => waitingRow(d, zone ?? userZone, sameZone ? undefined : userZone, now));
    out.push(indent(formatTable(header, rows, style)));
    out.push(`start one now despite the window (break-glass, recorded with who and why): npx slipway promote <id> --reason "<why>"`);
  } else if (zone !== null) {
    out.push('', 'no deployment is waiting');
  }
  return `${out.join('\n')}\n`;
}

function waitingRow(d: WaitingDeployment, zone: string, userZone: string | undefined, now: Date): string[] {
  const startsAt = d.startsAt ? new Date(d.startsAt) : undefined;
  const inWhat = startsAt && startsAt > now ? ` (in ${formatLongDuration(startsAt.getTime() - now.getTime())})` : '';
  const starts = startsAt ? `${formatInZone(startsAt, zone)}${inWhat}` : 'not known yet';
  return [d.id, d.release, starts, ...(userZone ? [startsAt ? formatInZone(startsAt, userZone) : '-'] : []), d.reason ?? ''];
}

function canonical(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return zone;
  }
}

function indent(table: string): string {
  return table
    .trimEnd()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

export interface SuggestOptions {
  duration?: string;
  days?: number;
  count?: number;
  timezone?: string;
  ascii?: boolean;
  json: boolean;
}

const MAX_WINDOW_MINUTES = 7 * 24 * 60;

/**
 * `slipway windows suggest <target>`: the target's hour-of-week traffic as a chart with the
 * quietest windows of the given length marked, and each one as an `allow` entry to paste into the
 * target's window. Exit 1 when there is too little traffic data to suggest anything.
 */
export async function suggestWindows(ctx: CliContext, target: string, options: SuggestOptions): Promise<number> {
  checkTarget(target);
  const durationMinutes = options.duration === undefined ? 180 : parseDuration(options.duration);
  if (durationMinutes === undefined) throw new UsageError(`--duration "${options.duration}" is not a duration such as 3h, 180m or 1h30m`);
  if (durationMinutes > MAX_WINDOW_MINUTES) throw new UsageError(`--duration ${options.duration} is longer than a week, the longest allow entry`);
  if (options.timezone !== undefined && !isTimeZone(options.timezone)) {
    throw new UsageError(`--timezone "${options.timezone}" is not a time zone: use an IANA name such as Europe/Berlin`);
  }
  const { client } = await connect(ctx);
  const answer = await withTargetSuggestions(client, target, () =>
    client.windowSuggestions(target, {
      durationMinutes,
      days: options.days ?? 28,
      count: options.count ?? 3,
      ...(options.timezone !== undefined ? { timezone: options.timezone } : {}),
    }),
  );
  if (options.json) {
    ctx.stdout.write(formatJson(answer));
  } else {
    const ascii = options.ascii === true || ctx.env.TERM === 'dumb';
    ctx.stdout.write(formatSuggestions(answer, styleFor(ctx.stdout, ctx.env), { ascii }));
  }
  if (answer.suggestions.length === 0) {
    const why =
      answer.samples === 0
        ? `no traffic data for ${answer.target} in the last ${answer.days} days (is it new, or named differently in CloudWatch?)`
        : `every ${formatMinutes(durationMinutes)} stretch of the week has an hour without data (${answer.samples} hourly samples in ${answer.days} days)`;
    ctx.stderr.write(`slipway: nothing to suggest: ${why}; try more --days or a shorter --duration\n`);
    return 1;
  }
  return 0;
}

/**
 * The chart (block characters, or digits with `ascii`: for TERM=dumb and --ascii), its legend, and
 * each suggestion with its `allow` entry. Everything in `ascii` mode is plain ASCII.
 */
export function formatSuggestions(answer: WindowSuggestions, style: Style, options: { ascii: boolean }): string {
  const profile = { timezone: answer.timezone, hours: answer.profile.map((v) => v ?? undefined), samples: answer.samples };
  const suggestions: Suggestion[] = answer.suggestions;
  const busiest = Math.max(0, ...answer.profile.map((v) => v ?? 0));
  const out: string[] = [];
  out.push(
    `${style.bold(answer.target)}: average traffic per hour of the week in ${answer.timezone}, last ${answer.days} days (${answer.samples} hourly samples)`,
    '',
    profileChart(profile, { ascii: options.ascii, highlight: suggestions }),
    '',
    `rows Monday to Sunday, columns the hours 0–23; ${options.ascii ? '0' : '▁'} quiet to ${options.ascii ? '9' : '█'} the busiest hour (${formatRate(busiest)}/hour); · no data; ^ suggested`,
  );
  if (suggestions.length > 0) {
    out.push('', style.bold(`quietest ${formatMinutes(suggestions[0]!.durationMinutes)} windows (${answer.timezone})`));
    suggestions.forEach((s, i) => {
      const share = busiest > 0 ? `, ${Math.round((s.averagePerHour / busiest) * 100)}% of the busiest hour` : '';
      out.push(`${i + 1}. ${weekRange(s.startHour, s.durationMinutes)}  average ${formatRate(s.averagePerHour)}/hour${share}`);
      out.push(`   ${JSON.stringify({ cron: s.cron, durationMinutes: s.durationMinutes })}`);
    });
    out.push(
      '',
      `the crons are in ${answer.timezone}: paste one or more entries into the target's "window": { "timezone": "${answer.timezone}", "allow": [ … ] },`,
      'then npx slipway targets apply <file>',
    );
  }
  const text = `${out.join('\n')}\n`;
  return options.ascii ? toAscii(text) : text;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** `Sun 17:00–18:30`, `Sun 22:00–Mon 01:00`: the allow entry's own period (not the whole hours averaged). */
export function weekRange(startHour: number, durationMinutes: number): string {
  const week = 7 * 24 * 60;
  const at = (minute: number) => {
    const m = ((minute % week) + week) % week;
    return { day: DAYS[Math.floor(m / 1440)]!, time: `${String(Math.floor((m % 1440) / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}` };
  };
  const from = at(startHour * 60);
  const to = at(startHour * 60 + durationMinutes);
  return `${from.day} ${from.time}–${to.day === from.day && durationMinutes < 1440 ? '' : `${to.day} `}${to.time}`;
}

function formatRate(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Math.round(value * 10) / 10);
}

function toAscii(text: string): string {
  return text.replace(/·/g, '.').replace(/[–—]/g, '-').replace(/…/g, '...').replace(/→/g, '->');
}
