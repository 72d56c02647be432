/**
 * What `slipway status` (every target, or one), `targets list` and `slipway stats` print: the
 * answers of `GET /summary` and `GET /metrics`, for people.
 */
import type { DeliveryMetricsView, MetricsView, TargetSummaryView } from '../shared/http/contract.js';
import { formatInZone } from '../shared/domain/window.js';
import { plural } from '../shared/domain/words.js';
import type { StoredTarget } from './api-client.js';
import { formatDuration, formatTable, paintStatus, shortPrincipal, shortTime, type Style } from './output.js';

/** `just now`, `5m ago`, `2h ago` (up to two days), `3d ago`: coarse, as a glance needs. */
export function ago(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms) || ms < 0) return shortTime(iso);
  if (ms < 60_000) return 'just now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h ago` : `${Math.floor(hours / 24)}d ago`;
}

/** `r3 (v3)` for a function, `r3` for a site or app; `-` before anything went live. */
export function liveCell(summary: TargetSummaryView): string {
  const live = summary.live;
  if (!live) return '-';
  return live.version ? `${live.release} (v${live.version})` : live.release;
}

/** What runs now, or waits for approval: `r4 verifying 10%`, `r5 awaits approval`. */
function nowCell(summary: TargetSummaryView, style: Style): string {
  if (summary.running) {
    const r = summary.running;
    return `${r.release} ${paintStatus(r.status, style)}${r.trafficPercent > 0 ? ` ${r.trafficPercent}%` : ''}`;
  }
  const waiting = summary.promotion?.waiting ?? [];
  if (waiting.length > 0) return `${waiting.map((w) => w.release).join(', ')} ${waiting.length === 1 ? 'awaits' : 'await'} approval`;
  return '-';
}

/** `r2 rolled_back 3h ago`. */
function lastCell(summary: TargetSummaryView, style: Style, now: Date): string {
  const last = summary.lastDeployment;
  if (!last) return '-';
  const what = last.trigger === 'rollback' ? `rollback to ${last.release}` : last.release;
  return `${what} ${paintStatus(last.status, style)} ${ago(last.endedAt ?? last.startedAt, now)}`;
}

function windowCell(summary: TargetSummaryView, zone: string): string {
  const w = summary.window;
  const at = (iso: string) => formatInZone(new Date(iso), w.timeZone ?? zone);
  switch (w.state) {
    case 'none':
      return 'always open';
    case 'open':
      return w.until ? `open until ${at(w.until)}` : 'open';
    case 'closed':
      return w.until ? `closed until ${at(w.until)}` : 'closed (does not open within 360 days)';
    case 'frozen':
      return `frozen${w.reason ? ` (${w.reason})` : ''}${w.until ? ` until ${at(w.until)}` : ''}`;
  }
}

/** The deployments a person should look at: the running ones and the last ones that failed. */
function attention(summaries: readonly TargetSummaryView[], style: Style, now: Date): string[] {
  const lines: string[] = [];
  for (const s of summaries) {
    if (s.running) lines.push(`${s.name}: ${s.running.release} is ${s.running.status} — follow it: npx slipway logs ${s.running.id} --follow`);
    for (const w of s.promotion?.waiting ?? []) {
      lines.push(`${s.name}: ${w.release} awaits approval since ${ago(w.since, now)} — npx slipway approve ${w.deploymentId ?? '<id>'} --reason "…"`);
    }
    const last = s.lastDeployment;
    if (last && (last.status === 'failed' || last.status === 'rolled_back')) {
      lines.push(
        `${s.name}: ${last.release} ${paintStatus(last.status, style)} ${ago(last.endedAt ?? last.startedAt, now)}${last.reason ? `: ${last.reason}` : ''}`,
      );
    }
  }
  return lines;
}

/** `slipway status`: one row per target, then what is running, waiting or recently failed. */
export function formatOverview(summaries: readonly TargetSummaryView[], style: Style, now: Date): string {
  if (summaries.length === 0) return 'no targets registered; add one with `npx slipway targets apply <file>`\n';
  const rows = summaries.map((s) => [
    s.name,
    s.kind,
    liveCell(s),
    s.live ? ago(s.live.since, now) : '-',
    shortPrincipal(s.live?.by),
    nowCell(s, style),
    lastCell(s, style, now),
  ]);
  const table = formatTable(['TARGET', 'KIND', 'LIVE', 'SINCE', 'BY', 'NOW', 'LAST'], rows, style);
  const notes = attention(summaries, style, now);
  return notes.length > 0 ? `${table}\n${notes.map((line) => `${line}\n`).join('')}` : table;
}

/** `slipway status <target>`: everything the summary knows of one target. */
export function formatTargetStatus(s: TargetSummaryView, style: Style, options: { now: Date; timezone: string }): string {
  const { now, timezone } = options;
  const lines = [`${style.bold(s.name)} (${s.kind})`];
  if (s.live) {
    const l = s.live;
    const what = [
      l.release,
      l.version ? `version ${l.version}` : undefined,
      l.siteRelease && l.siteRelease !== l.release ? `site release ${l.siteRelease}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    lines.push(`  live      ${what}${l.sha256 ? `, sha256 ${l.sha256.slice(0, 12)}…` : ''}`);
    lines.push(`            since ${formatInZone(new Date(l.since), timezone)} (${ago(l.since, now)})${l.by ? ` by ${shortPrincipal(l.by)}` : ''}`);
  } else {
    lines.push('  live      nothing yet (no deployment of it succeeded)');
  }
  if (s.traffic) {
    const { stable, canary } = s.traffic;
    const name = (v: string) => (s.kind === 'function' ? `v${v}` : v);
    lines.push(`  traffic   ${name(stable.version)} ${stable.percent}%${canary ? ` · ${name(canary.version)} ${canary.percent}%` : ''}`);
  }
  if (s.running) {
    const r = s.running;
    lines.push(`  running   ${r.release} ${paintStatus(r.status, style)}, traffic ${r.trafficPercent}%, started ${ago(r.startedAt, now)}  ${style.dim(r.id)}`);
    lines.push(`            follow it: npx slipway logs ${r.id} --follow`);
  }
  if (s.lastDeployment) {
    const d = s.lastDeployment;
    const move = d.fromVersion || d.toVersion ? ` (version ${d.fromVersion ?? '?'}→${d.toVersion ?? '?'})` : '';
    const what = d.trigger === 'rollback' ? `rollback to ${d.release}` : d.release;
    const extra = [d.trigger && d.trigger !== 'rollback' ? `trigger ${d.trigger}` : undefined, d.by ? `by ${shortPrincipal(d.by)}` : undefined].filter(Boolean);
    lines.push(
      `  last      ${what} ${paintStatus(d.status, style)}${move} ${ago(d.endedAt ?? d.startedAt, now)}${extra.length ? ` (${extra.join(', ')})` : ''}  ${style.dim(d.id)}`,
    );
    if (d.reason && d.status !== 'succeeded') lines.push(`            ${d.reason}`);
  }
  lines.push(`  window    ${windowCell(s, timezone)}`);
  if (s.promotion) {
    const p = s.promotion;
    const chain = [p.from ? `from ${p.from}` : 'the first environment', p.to.length > 0 ? `to ${p.to.join(', ')}` : undefined].filter(Boolean).join('; ');
    lines.push(`  promotion ${chain}`);
    for (const w of p.waiting) {
      lines.push(`            ${w.release} awaits approval since ${ago(w.since, now)}: npx slipway approve ${w.deploymentId ?? '<id>'} --reason "…"`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `targets list`: the stored targets, with what is live and how the last deployment ended when the summary is there. */
export function targetListRows(targets: readonly StoredTarget[], summaries: ReadonlyMap<string, TargetSummaryView>, style: Style, now: Date): string[][] {
  return targets.map((t) => {
    const s = summaries.get(t.name);
    return [s ? liveCell(s) : '-', s ? lastCell(s, style, now) : '-'];
  });
}

function seconds(value: number): string {
  return formatDuration(value * 1000);
}

function metricsRow(name: string, m: MetricsView): string[] {
  return [
    name,
    String(m.started),
    `${m.succeeded}/${m.failed}/${m.rolledBack}`,
    m.deploymentsPerDay.toFixed(2),
    m.leadTimeSeconds ? `${seconds(m.leadTimeSeconds.median)} / ${seconds(m.leadTimeSeconds.p90)}` : '-',
    m.changeFailureRate === null ? '-' : `${Math.round(m.changeFailureRate * 100)}% (${m.failed + m.rolledBack} of ${m.started})`,
    m.timeToRestoreSeconds ? `${seconds(m.timeToRestoreSeconds.median)} / ${seconds(m.timeToRestoreSeconds.max)}` : '-',
  ];
}

const BARS = ' ▁▂▃▄▅▆▇█';

/** One character per day: how many deployments succeeded (the height) — at a terminal only. */
export function dailyBars(daily: MetricsView['daily']): string {
  const most = Math.max(0, ...daily.map((d) => d.succeeded + d.failed + d.rolledBack));
  if (most === 0) return '';
  return daily.map((d) => BARS[Math.ceil(((d.succeeded + d.failed + d.rolledBack) / most) * (BARS.length - 1))]).join('');
}

/** `slipway stats`: the period, one row overall and one per target, and what each column means. */
export function formatStats(metrics: DeliveryMetricsView, style: Style, options: { bars: boolean }): string {
  const days = Math.round((Date.parse(metrics.until) - Date.parse(metrics.since)) / 86_400_000);
  const head = `delivery metrics ${shortTime(metrics.since)} → ${shortTime(metrics.until)} (${plural(days, 'day')})`;
  const rows = [metricsRow('(all)', metrics.overall), ...metrics.targets.map((t) => metricsRow(t.target, t))];
  const table = formatTable(
    ['TARGET', 'STARTED', 'OK/FAILED/ROLLED BACK', 'PER DAY', 'LEAD TIME (MEDIAN / P90)', 'CHANGE FAILURE', 'RESTORE (MEDIAN / MAX)'],
    rows,
    style,
  );
  const bars = options.bars ? dailyBars(metrics.overall.daily) : '';
  const lines = [
    style.bold(head),
    '',
    table.trimEnd(),
    ...(bars ? ['', `per day   ${bars}`] : []),
    '',
    style.dim('lead time: from upload (or the deploy request) to live; change failure: failed or rolled back, of those started;'),
    style.dim('restore: from a failure to the next success on that target.'),
  ];
  if (!metrics.complete)
    lines.push(style.yellow('the period holds more deployments than one answer reads: the oldest are not counted; ask for a shorter --since'));
  return `${lines.join('\n')}\n`;
}
