/** How the dashboard writes times, durations, versions and checksums. */

/** A time in the viewer's zone (or `timeZone`), with the zone's short name: `4 Dec, 14:02:09 CET`. */
export function formatTime(iso: string | undefined | null, options: { timeZone?: string; locale?: string } = {}): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(options.locale ?? 'en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  }).format(date);
}

/** `2h 5m`, `42s`, `3d 4h`: the two largest units. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const units: [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (name === 's' && parts.length === 0)) parts.push(`${n}${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** How long ago, for "since": `5m ago`. */
export function formatAgo(iso: string | undefined | null, now: Date): string {
  if (!iso) return '';
  const seconds = (now.getTime() - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '';
  return seconds < 5 ? 'just now' : `${formatDuration(seconds)} ago`;
}

export const shortSha = (sha: string | null | undefined): string => (sha ? sha.slice(0, 12) : '–');

export const formatPercent = (fraction: number | null | undefined): string =>
  fraction === null || fraction === undefined ? '–' : `${(fraction * 100).toFixed(fraction > 0 && fraction < 0.1 ? 1 : 0)}%`;

/** Status words as people read them. */
export const statusLabel = (status: string): string => status.replace('_', ' ');
