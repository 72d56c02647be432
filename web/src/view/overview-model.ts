/** What a row of the targets overview says, from a target's summary. */
import type { Metrics, TargetSummary } from '../types';
import { formatTime } from './format';

export interface TrafficSegment {
  label: string;
  version: string;
  percent: number;
  role: 'stable' | 'canary';
}

/** A Lambda version as `v3`; a site's release (`r2`) as it is. */
export const versionLabel = (version: string): string => (/^\d+$/.test(version) ? `v${version}` : version);

/** The traffic split as bar segments (stable first), percentages summing to 100. */
export function trafficSegments(summary: TargetSummary): TrafficSegment[] {
  const t = summary.traffic;
  if (!t) return [];
  const segment = (v: { version: string; percent: number }, role: TrafficSegment['role']): TrafficSegment => ({
    label: `${versionLabel(v.version)} ${v.percent}%`,
    version: v.version,
    percent: v.percent,
    role,
  });
  return [segment(t.stable, 'stable'), ...(t.canary && t.canary.percent > 0 ? [segment(t.canary, 'canary')] : [])];
}

/** What is live, in words: `r7 · version 12`, `r3 (site)`, or `nothing live through slipway`. */
export function liveLabel(summary: TargetSummary): string {
  const live = summary.live;
  if (!live) return 'nothing live through slipway yet';
  if (live.version) return `${live.release} · version ${live.version}`;
  if (live.siteRelease && live.siteRelease !== live.release) return `${live.release} · ${live.siteRelease}`;
  return live.release;
}

/**
 * The window state in words, its times in the target's zone: `open until 05:00 CET (Europe/Berlin)`,
 * `closed until …`, `frozen until …`, or `no window`.
 */
export function windowLabel(window: TargetSummary['window'], locale?: string): string {
  if (window.state === 'none') return 'no window (any time)';
  const until = window.until
    ? ` until ${formatTime(window.until, { ...(window.timeZone ? { timeZone: window.timeZone } : {}), ...(locale ? { locale } : {}) })}`
    : '';
  const zone = window.timeZone ? ` (${window.timeZone})` : '';
  return `${window.state}${until}${zone}`;
}

/** The promotion chain around a target: `api-staging → api-prod → …`, and what waits for approval. */
export function promotionLabel(summary: TargetSummary): string | undefined {
  const p = summary.promotion;
  if (!p) return undefined;
  const chain = [...(p.from ? [p.from] : []), summary.name, ...(p.to.length ? [p.to.join(', ')] : [])].join(' → ');
  const waiting = p.waiting.length ? ` · awaiting approval: ${p.waiting.map((w) => w.release).join(', ')}` : '';
  return `${chain}${waiting}`;
}

/** The overview's order: targets with something running first, then by name. */
export function sortSummaries(summaries: TargetSummary[]): TargetSummary[] {
  return [...summaries].sort((a, b) => Number(Boolean(b.running)) - Number(Boolean(a.running)) || a.name.localeCompare(b.name));
}

/** Daily counts as the aligned series a chart takes: x in seconds (midnight UTC), one array per outcome. */
export function dailySeries(metrics: Metrics): { x: number[]; succeeded: number[]; failed: number[]; rolledBack: number[] } {
  const days = [...metrics.daily].sort((a, b) => a.date.localeCompare(b.date));
  return {
    x: days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000),
    succeeded: days.map((d) => d.succeeded),
    failed: days.map((d) => d.failed),
    rolledBack: days.map((d) => d.rolledBack),
  };
}

/** The period choices of the metrics page, as the API's `since` takes them. */
export const PERIODS = ['7d', '30d', '90d'] as const;
