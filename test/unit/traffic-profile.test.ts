import { describe, expect, it } from 'vitest';
import { buildProfile, hourOfWeek, profileChart, suggestWindows, type Datapoint } from '../../shared/domain/traffic-profile.js';

const HOUR = 3_600_000;

/** Four weeks of hourly datapoints from Monday 2026-11-02 00:00 UTC, valued by hour of week (UTC). */
function weeks(value: (hourOfWeekUtc: number) => number): Datapoint[] {
  const start = Date.parse('2026-11-02T00:00:00Z');
  return Array.from({ length: 4 * 168 }, (_, i) => ({ at: new Date(start + i * HOUR), value: value(i % 168) }));
}

describe('traffic profile', () => {
  it('places instants in the hour of the week of the target time zone', () => {
    // Monday 2026-11-02 00:30 UTC is Monday 01:30 in Berlin and Sunday 19:30 in New York
    expect(hourOfWeek(new Date('2026-11-02T00:30:00Z'), 'UTC')).toBe(0);
    expect(hourOfWeek(new Date('2026-11-02T00:30:00Z'), 'Europe/Berlin')).toBe(1);
    expect(hourOfWeek(new Date('2026-11-02T00:30:00Z'), 'America/New_York')).toBe(6 * 24 + 19);
  });

  it('averages each hour of the week over the weeks seen', () => {
    const points = weeks((h) => h).map((p, i) => ({ ...p, value: p.value + (i >= 168 ? 10 : 0) }));
    const profile = buildProfile(points, 'UTC');
    expect(profile.samples).toBe(672);
    expect(profile.hours[5]).toBe(5 + 7.5); // (5 + 15 + 15 + 15) / 4
  });

  it('suggests the quietest stretch in the target zone, as a cron in that zone', () => {
    // Busy everywhere except Sunday 01:00–04:00 UTC, which is Sunday 02:00–05:00 in Berlin (CET)
    const points = weeks((h) => (h >= 6 * 24 + 1 && h < 6 * 24 + 4 ? 3 : 1000));
    const [best] = suggestWindows(buildProfile(points, 'Europe/Berlin'), 180, 1);
    expect(best).toMatchObject({ cron: '0 2 * * 0', durationMinutes: 180, averagePerHour: 3, label: 'Sun 02:00–05:00' });
  });

  it('proposes stretches that do not overlap, quietest first, wrapping from Sunday into Monday', () => {
    // Sun 23:00–Mon 01:00 at 1 an hour, Wed 02:00–04:00 at 5, Mon 01:00 at 50, the rest at 100
    const quiet = new Map([
      [167, 1],
      [0, 1],
      [50, 5],
      [51, 5],
      [1, 50],
    ]);
    const profile = buildProfile(
      weeks((h) => quiet.get(h) ?? 100),
      'UTC',
    );
    const suggestions = suggestWindows(profile, 120, 3);
    expect(suggestions.map((s) => s.label)).toEqual(['Sun 23:00–Mon 01:00', 'Wed 02:00–04:00', 'Mon 01:00–03:00']);
    expect(suggestions[0]!.cron).toBe('0 23 * * 0');
  });

  it('does not propose hours it has no data for', () => {
    const profile = buildProfile(
      weeks(() => 5).filter((p) => hourOfWeek(p.at, 'UTC') >= 24),
      'UTC',
    );
    expect(suggestWindows(profile, 60, 200).every((s) => s.startHour >= 24)).toBe(true);
    expect(suggestWindows(profile, 60, 200)).toHaveLength(144);
  });

  it('draws seven rows of 24 bars scaled to the busiest hour, marking the suggestions', () => {
    const profile = buildProfile(
      weeks((h) => (h % 24 < 6 ? 0 : 90)),
      'UTC',
    );
    const chart = profileChart(profile, { ascii: true, highlight: suggestWindows(profile, 120, 1) });
    const lines = chart.split('\n');
    expect(lines[1]).toBe('Mon  000000999999999999999999');
    expect(lines[2]).toBe('     ^^');
    expect(lines.filter((l) => /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) /.test(l))).toHaveLength(7);
  });
});
