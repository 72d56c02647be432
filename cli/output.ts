import { describeComponents } from '../shared/domain/app.js';
import type { ComponentRecord, DeploymentStatus, DeploymentView, TimelineEntry, Trigger } from '../shared/domain/deployment.js';
import type { TargetApplied } from '../shared/http/contract.js';
import { formatInZone } from '../shared/domain/window.js';
import { formatLongDuration, formatWaitShort, waitOf } from './time.js';

/** application/problem+json as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Terminal width, when it is one. */
  columns?: number;
}

type Paint = (text: string) => string;

export interface Style {
  green: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;
const ansi =
  (open: number, close: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * A person at a terminal: colors, progress bars and live status lines are for them only, never for
 * pipes, files, CI logs read later, `TERM=dumb`, or anyone who set NO_COLOR (https://no-color.org).
 */
export function isInteractive(stream: OutputStream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export function styleFor(stream: OutputStream, env: NodeJS.ProcessEnv): Style {
  if (!isInteractive(stream, env)) return { green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return { green: ansi(32, 39), red: ansi(31, 39), yellow: ansi(33, 39), cyan: ansi(36, 39), dim: ansi(2, 22), bold: ansi(1, 22) };
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `title: detail` (one of them when they say the same), then one `path: message` line per invalid field. */
export function formatProblem(problem: Problem): string {
  const { title, errors = [] } = problem;
  // The detail repeats the issues in one line (`invalid target: a: …; b: …`) for clients that show
  // only it; the issues follow one per line here, so they are said once.
  const inline = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  const detail = errors.length > 0 && problem.detail?.endsWith(`: ${inline}`) ? problem.detail.slice(0, -inline.length - 2) : problem.detail;
  const head = title && detail && title !== detail ? `${title}: ${detail}` : (detail ?? title ?? `the API answered HTTP ${problem.status ?? '?'}`);
  const lines = [head, ...errors.map((e) => `  ${e.path}: ${e.message}`)];
  return lines.join('\n');
}

/** 1023 B, 1.5 KiB, 12.3 MiB, 1.20 GiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatDuration(ms: number): string {
  if (ms < 0 || !Number.isFinite(ms)) return '?';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function paintStatus(status: DeploymentStatus, style: Style): string {
  switch (status) {
    case 'succeeded':
      return style.green(status);
    case 'failed':
    case 'rolled_back':
      return style.red(status);
    case 'cancelled':
    case 'superseded':
      return style.yellow(status);
    default:
      return style.cyan(status);
  }
}

/** `3→4`, or for an app each component's move (`api 3→4, web r1→r2, worker unchanged (v2)`). */
function versions(d: Pick<DeploymentView, 'fromVersion' | 'toVersion' | 'components'>): string {
  if (d.components && Object.keys(d.components).length > 0) return describeComponents(d.components);
  if (!d.fromVersion && !d.toVersion) return '-';
  return `${d.fromVersion ?? '?'}→${d.toVersion ?? '?'}`;
}

/** `2026-11-26T21:15:00.123Z` → `2026-11-26 21:15:00Z`: sortable, unambiguous, short. */
export function shortTime(iso: string | null): string {
  if (!iso) return '-';
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match ? `${match[1]} ${match[2]}Z` : iso;
}

export const HISTORY_COLUMNS = ['ID', 'RELEASE', 'STATUS', 'TRAFFIC', 'FROM→TO', 'TRIGGER', 'BY', 'STARTED', 'REASON'] as const;

/**
 * Who asked, short: `arn:aws:iam::123:user/ana` → `ana`, `arn:aws:sts::123:assumed-role/Deployer/ci`
 * → `Deployer/ci`; `-` when unknown (an upload names nobody).
 */
export function shortPrincipal(by: string | undefined | null): string {
  if (!by) return '-';
  const user = /^arn:aws[\w-]*:iam::\d+:user\/(?:.*\/)?([^/]+)$/.exec(by);
  if (user) return user[1] as string;
  const role = /^arn:aws[\w-]*:sts::\d+:assumed-role\/(.+)$/.exec(by);
  if (role) return role[1] as string;
  return by;
}

export function historyRow(d: DeploymentView): string[] {
  return [d.id, d.release, d.status, `${d.trafficPercent}%`, versions(d), d.trigger, shortPrincipal(d.requestedBy), shortTime(d.startedAt), d.reason ?? ''];
}

/**
 * Left-aligned columns two spaces apart; the last column (the reason) is not padded. Status cells
 * are colored after padding so escape codes do not skew the widths. `targetColumn` adds the
 * target after the id, for a history across targets. When any deployment waited for its window
 * or schedule, a WAITED column before the reason says how long and why (`3h12m window`; a `+`
 * while it still waits, counted to `now`).
 */
export function formatHistory(deployments: DeploymentView[], style: Style, options: { targetColumn?: boolean; now?: Date } = {}): string {
  if (deployments.length === 0) return 'no deployments yet\n';
  const now = options.now ?? new Date();
  const waits = deployments.map((d) => waitOf(d, now));
  const waitColumn = waits.some((w) => w !== undefined);
  const shape = (cells: string[], target: string, waited: string) => {
    const withTarget = options.targetColumn ? [cells[0]!, target, ...cells.slice(1)] : cells;
    return waitColumn ? [...withTarget.slice(0, -1), waited, withTarget.at(-1)!] : withTarget;
  };
  const header = shape(HISTORY_COLUMNS.slice() as string[], 'TARGET', 'WAITED');
  const rows = [header, ...deployments.map((d, i) => shape(historyRow(d), d.target, waits[i] ? formatWaitShort(waits[i]) : '-'))];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const statusColumn = header.indexOf('STATUS');
  return rows
    .map((row, r) =>
      row
        .map((cell, i) => {
          const padded = i === row.length - 1 ? cell : cell.padEnd(widths[i]!);
          if (r === 0) return style.bold(padded);
          return i === statusColumn ? padded.replace(cell, paintStatus(cell as DeploymentStatus, style)) : padded;
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** Left-aligned columns two spaces apart under a bold header; the last column is not padded. */
export function formatTable(header: string[], rows: string[][], style: Style): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row, r) => {
      const line = row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
      return `${r === 0 ? style.bold(line) : line}\n`;
    })
    .join('');
}

/** `targets list`: one row per target; `extra` adds columns after the built-in ones (what is live, the last deployment). */
export function formatTargets(
  targets: { name: string; kind: string; [field: string]: unknown }[],
  style: Style,
  extra?: { header: string[]; rows: string[][] },
): string {
  if (targets.length === 0) return 'no targets registered; add one with `npx slipway targets apply <file>`\n';
  const rows = targets.map((t, i) => [...targetRow(t), ...(extra?.rows[i] ?? [])]);
  return formatTable(['NAME', 'KIND', 'DEPLOYS TO', 'STRATEGY', ...(extra?.header ?? [])], rows, style);
}

function targetRow(target: Record<string, unknown>): string[] {
  const components = target.components as Record<string, Record<string, unknown>> | undefined;
  const where = components
    ? Object.keys(components)
        .sort()
        .map((name) => `${name}=${deploysTo(components[name]!)}`)
        .join(', ')
    : deploysTo(target);
  return [String(target.name), String(target.kind), where, describeStrategy(target.strategy)];
}

/** `hello:live` for a function, `s3://bucket/prefix` for a site. */
function deploysTo(target: Record<string, unknown>): string {
  const fn = target.function as { name?: string; alias?: string } | undefined;
  const site = target.site as { bucket?: string; prefix?: string } | undefined;
  return fn ? `${fn.name}:${fn.alias ?? 'live'}` : site ? `s3://${site.bucket}/${site.prefix ?? ''}` : '-';
}

export function describeStrategy(strategy: unknown): string {
  if (strategy === undefined) return 'AllAtOnce';
  if (typeof strategy === 'string') return strategy;
  const s = strategy as { type?: string; percent?: number; bakeSeconds?: number; steps?: { percent: number; bakeSeconds: number }[] };
  if (s.type === 'canary') return `canary ${s.percent}% for ${s.bakeSeconds}s`;
  if (s.type === 'linear') return `linear +${s.percent}% every ${s.bakeSeconds}s`;
  if (s.type === 'steps' && s.steps) return `steps ${s.steps.map((st) => `${st.percent}%/${st.bakeSeconds}s`).join(' → ')}`;
  return JSON.stringify(strategy);
}

/** What started a deployment, in words. */
export function describeTrigger(trigger: Trigger): string {
  switch (trigger) {
    case 's3':
      return 's3 (an upload)';
    case 'api':
      return 'api (a deploy request)';
    case 'rollback':
      return 'rollback';
    case 'promotion':
      return 'promotion (from the upstream environment)';
    case 'config':
      return 'config (a configuration change: the live release again)';
  }
}

/**
 * `slipway targets apply`: the configuration diff (`+` added, `~` changed, `-` removed; a secret
 * shows as its reference, never a value) and what became of it.
 */
export function formatTargetApplied(applied: TargetApplied, style: Style): string {
  const { target } = applied;
  const strategy = describeStrategy('strategy' in target ? target.strategy : undefined);
  const lines = [
    applied.dryRun
      ? `${style.cyan('dry run')}: target ${style.bold(target.name)} is valid (${strategy}); nothing stored, nothing started`
      : `${style.green('✔')} target ${style.bold(target.name)} applied (${strategy})`,
  ];
  if (applied.configurationChanges.length > 0) {
    lines.push(target.kind === 'site' ? 'runtime config changes:' : 'configuration changes:');
    for (const c of applied.configurationChanges) {
      if (c.change === 'added') lines.push(`  ${style.green('+')} ${c.key} = ${c.to}`);
      else if (c.change === 'removed') lines.push(`  ${style.red('-')} ${c.key} (was ${c.from})`);
      else lines.push(`  ${style.yellow('~')} ${c.key}: ${c.from} → ${c.to}`);
    }
  }
  if (applied.deployment) {
    lines.push(`a deployment of release ${applied.deployment.release} with the new configuration started: ${style.bold(applied.deployment.id)}`);
    lines.push(style.dim(`follow it: npx slipway logs ${applied.deployment.id} --follow`));
  } else if (applied.dryRun && applied.deploys) {
    lines.push(`applying it would start a deployment of release ${applied.release} with the new configuration`);
  } else {
    lines.push(`no deployment ${applied.dryRun ? 'would start' : 'started'}: ${applied.why}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One deployment, for `slipway status`. A scheduled or waiting deployment also shows its earliest
 * start and when it expects to start, in `timezone` (the user's), and how long it waited.
 */
export function formatDeployment(d: DeploymentView, style: Style, options: { timezone?: string; now?: Date } = {}): string {
  const zone = options.timezone ?? 'UTC';
  const now = options.now ?? new Date();
  const lines = [
    `${style.bold(d.id)}  ${d.target} ${d.release}  ${paintStatus(d.status, style)}`,
    `  trigger   ${describeTrigger(d.trigger)}${d.requestedBy ? `, by ${d.requestedBy}` : ''}`,
    `  traffic   ${d.trafficPercent}%`,
    ...(d.components ? componentLines(d.components) : [`  versions  ${versions(d)}`]),
    `  started   ${shortTime(d.startedAt)}`,
    `  ended     ${shortTime(d.endedAt)}${d.endedAt ? ` (${formatDuration(Date.parse(d.endedAt) - Date.parse(d.startedAt))})` : ''}`,
  ];
  if (d.notBefore) lines.push(`  scheduled ${formatInZone(new Date(d.notBefore), zone)}`);
  if (d.status === 'waiting' && d.startsAt) {
    const left = Date.parse(d.startsAt) - now.getTime();
    lines.push(`  starts    ${formatInZone(new Date(d.startsAt), zone)}${left > 0 ? ` (in ${formatLongDuration(left)})` : ''}`);
  }
  const wait = waitOf(d, now);
  if (wait?.until) lines.push(`  waited    ${formatWaitShort(wait)}`);
  if (d.reason) lines.push(`  reason    ${d.reason}`);
  lines.push(...environmentLines(d));
  if (d.timeline.length > 0) {
    lines.push('  timeline');
    for (const entry of d.timeline) lines.push(`    ${formatTimelineEntry(entry, d.startedAt, style)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An app's components for `status`, one row each: name, kind and what it deploys to, then its move. */
function componentLines(components: Record<string, ComponentRecord>): string[] {
  const names = Object.keys(components).sort();
  const rows = names.map((name) => {
    const c = components[name]!;
    const [from, to] = c.kind === 'function' ? [c.fromVersion, c.toVersion] : [c.fromRelease, c.toRelease];
    const what = c.kind === 'function' ? `function ${c.function}` : 'site';
    const kept = from && c.kind === 'function' ? `v${from}` : from;
    const move = c.changed ? `${from ?? '(none)'}→${to ?? '(pending)'}` : `unchanged${kept ? ` (${kept})` : ''}`;
    return [name, what, move];
  });
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return ['  components', ...rows.map(([name, what, move]) => `    ${name!.padEnd(widths[0]!)}  ${what!.padEnd(widths[1]!)}  ${move}`)];
}

/** What `status` shows of environments: where a promotion comes from, its approval, a forced release, the configuration released. */
function environmentLines(d: DeploymentView): string[] {
  const lines: string[] = [];
  if (d.promotion) lines.push(`  promoted  from ${d.promotion.from} (deployment ${d.promotion.upstreamDeploymentId})`);
  if (d.approval) {
    const who = d.approval.by ? ` by ${d.approval.by}` : '';
    lines.push(`  approval  ${d.approval.state}${who}${d.approval.reason ? `: ${d.approval.reason}` : ''}`);
  }
  if (d.forcedBy || d.forceReason)
    lines.push(`  forced    past the promotion gate${d.forcedBy ? ` by ${d.forcedBy}` : ''}${d.forceReason ? `: ${d.forceReason}` : ''}`);
  if (d.configuration) {
    const c = d.configuration;
    const mark = { added: '+', changed: '~', removed: '-' } as const;
    const changes = c.changes.length ? c.changes.map((x) => `${mark[x.change]}${x.key}`).join(' ') : 'no changes';
    lines.push(`  config    ${c.digest.slice(0, 12)}${c.fromDigest ? ` (was ${c.fromDigest.slice(0, 12)})` : ''}: ${changes}`);
  }
  return lines;
}

/** `+1.2s  shift  traffic 50%  message` — elapsed since the deployment started. */
export function formatTimelineEntry(entry: TimelineEntry, startedAt: string, style: Style): string {
  const elapsed = style.dim(`+${formatDuration(Date.parse(entry.at) - Date.parse(startedAt))}`.padEnd(7));
  const parts = entry.step ? [elapsed, entry.step] : [elapsed];
  if (entry.status) parts.push(paintStatus(entry.status, style));
  if (entry.trafficPercent !== undefined) parts.push(`traffic ${entry.trafficPercent}%`);
  const head = parts.join('  ');
  return entry.message ? `${head}  ${style.dim('·')} ${entry.message}` : head;
}

/** The last line of `deploy`/`rollback`: outcome, what, how long, and why when it did not succeed. */
export function formatSummary(d: DeploymentView, durationMs: number, style: Style): string {
  const ok = d.status === 'succeeded';
  const mark = ok ? style.green('✔') : style.red('✘');
  // A rollback is a deployment of the older release: said as what it is, not as a plain deploy.
  const what = d.trigger === 'rollback' ? `${d.target} rollback to ${d.release}` : `${d.target} ${d.release}`;
  const where = d.components ? ` (${versions(d)})` : d.toVersion ? ` (version ${versions(d)})` : '';
  const why = !ok && d.reason ? `: ${d.reason}` : '';
  return `${mark} ${what} ${paintStatus(d.status, style)} in ${formatDuration(durationMs)}${where}${why}  ${style.dim(d.id)}\n`;
}
