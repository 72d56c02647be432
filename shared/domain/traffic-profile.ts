/**
 * Suggesting deploy windows from real traffic: an hour-of-week profile in the target's time zone
 * (average requests in each of the week's 168 hours) and the quietest stretches of a given length.
 */

export const HOURS_PER_WEEK = 168;
const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

export interface Datapoint {
  /** Start of the hour the value covers. */
  at: Date;
  /** Requests (or invocations) in that hour. */
  value: number;
}

export interface TrafficProfile {
  timezone: string;
  /** Index 0 = Monday 00:00–01:00 local; average per hour over the weeks seen, undefined when never seen. */
  hours: (number | undefined)[];
  /** How many datapoints went in. */
  samples: number;
}

const weekdayIndex: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Monday-based hour of the week of an instant, in a zone. */
export function hourOfWeek(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const day = weekdayIndex[parts.find((p) => p.type === 'weekday')!.value]!;
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  return day * 24 + hour;
}

export function buildProfile(datapoints: Datapoint[], timezone: string): TrafficProfile {
  const sums = new Array<number>(HOURS_PER_WEEK).fill(0);
  const counts = new Array<number>(HOURS_PER_WEEK).fill(0);
  for (const point of datapoints) {
    const index = hourOfWeek(point.at, timezone);
    sums[index]! += point.value;
    counts[index]! += 1;
  }
  return { timezone, hours: sums.map((sum, i) => (counts[i] ? sum / counts[i]! : undefined)), samples: datapoints.length };
}

export interface Suggestion {
  /** Hour of the week it starts (0 = Monday 00:00 local). */
  startHour: number;
  durationMinutes: number;
  /** A cron for the allow entry, in the profile's zone. */
  cron: string;
  /** Average requests per hour inside it. */
  averagePerHour: number;
  /** As text: `Sun 02:00–05:00`. */
  label: string;
}

function label(startHour: number, hours: number): string {
  const end = (startHour + hours) % HOURS_PER_WEEK;
  const at = (h: number) => `${DAY_NAMES[Math.floor(h / 24)]} ${String(h % 24).padStart(2, '0')}:00`;
  return `${at(startHour)}–${at(end).slice(Math.floor(end / 24) === Math.floor(startHour / 24) ? 4 : 0)}`;
}

/**
 * The `count` quietest non-overlapping stretches of `durationMinutes` (whole hours, wrapping from
 * Sunday into Monday). Hours never seen count as unknown, and a stretch with an unknown hour is not
 * proposed. Ties go to the earlier stretch in the week.
 */
export function suggestWindows(profile: TrafficProfile, durationMinutes: number, count: number): Suggestion[] {
  const length = Math.max(1, Math.ceil(durationMinutes / 60));
  if (length > HOURS_PER_WEEK) return [];
  const candidates: { start: number; total: number }[] = [];
  for (let start = 0; start < HOURS_PER_WEEK; start += 1) {
    let total = 0;
    let known = true;
    for (let i = 0; i < length && known; i += 1) {
      const value = profile.hours[(start + i) % HOURS_PER_WEEK];
      if (value === undefined) known = false;
      else total += value;
    }
    if (known) candidates.push({ start, total });
  }
  candidates.sort((a, b) => a.total - b.total || a.start - b.start);
  const taken = new Set<number>();
  const chosen: Suggestion[] = [];
  for (const candidate of candidates) {
    if (chosen.length >= count) break;
    const hours = Array.from({ length }, (_, i) => (candidate.start + i) % HOURS_PER_WEEK);
    if (hours.some((h) => taken.has(h))) continue;
    for (const h of hours) taken.add(h);
    const day = Math.floor(candidate.start / 24);
    chosen.push({
      startHour: candidate.start,
      durationMinutes,
      // cron day-of-week: 0 = Sunday
      cron: `0 ${candidate.start % 24} * * ${(day + 1) % 7}`,
      averagePerHour: candidate.total / length,
      label: label(candidate.start, length),
    });
  }
  return chosen;
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The profile as seven rows of 24 bars (Monday first), scaled to the busiest hour; `·` where no
 * data was seen, `ascii` uses digits 0–9 instead of block characters.
 */
export function profileChart(profile: TrafficProfile, options: { ascii?: boolean; highlight?: Suggestion[] } = {}): string {
  const max = Math.max(0, ...profile.hours.map((v) => v ?? 0));
  const levels = options.ascii ? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] : BARS;
  const marked = new Set<number>();
  for (const s of options.highlight ?? []) for (let i = 0; i < Math.ceil(s.durationMinutes / 60); i += 1) marked.add((s.startHour + i) % HOURS_PER_WEEK);
  const rows = ['     0     6     12    18   23'];
  for (let day = 0; day < 7; day += 1) {
    let row = `${DAY_NAMES[day]}  `;
    let marks = '     ';
    for (let hour = 0; hour < 24; hour += 1) {
      const value = profile.hours[day * 24 + hour];
      row += value === undefined ? '·' : levels[max === 0 ? 0 : Math.min(levels.length - 1, Math.floor((value / max) * (levels.length - 1)))];
      marks += marked.has(day * 24 + hour) ? '^' : ' ';
    }
    rows.push(row);
    if (marked.size && marks.trim()) rows.push(marks.trimEnd());
  }
  return rows.join('\n');
}
