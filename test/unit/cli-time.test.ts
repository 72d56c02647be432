import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import type { TimelineEntry } from '../../shared/domain/deployment.js';
import { UsageError } from '../../cli/errors.js';
import {
  formatLongDuration,
  formatMinutes,
  formatRangeInZone,
  formatWaitLine,
  formatWaitShort,
  instantsOfWallTime,
  parseAt,
  parseDuration,
  userTimeZone,
  waitOf,
} from '../../cli/time.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('Function: parseDuration', () => {
  it.each([
    ['3h', 180],
    ['180m', 180],
    ['1h30m', 90],
    ['2d', 2880],
    ['1d12h', 2160],
    ['1D2H3M', 1563],
    [' 45m ', 45],
    ['0h5m', 5],
  ])('reads %j as %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each(['', '180', '1.5h', '3 h', '90s', '0m', '0h', 'h', '3hours', '-3h', '+3h', '3m2h', '1w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('reads back whatever formatMinutes writes (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 * 24 * 60 }), (minutes) => {
        expect(parseDuration(formatMinutes(minutes))).toBe(minutes);
      }),
    );
  });

  it('adds up any combination of days, hours and minutes (property)', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(1000), fc.nat(100_000), (d, h, m) => {
        fc.pre(d + h + m > 0);
        const text = `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}`;
        expect(parseDuration(text)).toBe(d * 1440 + h * 60 + m);
      }),
    );
  });
});

describe('Function: formatMinutes and formatLongDuration', () => {
  it('writes the shortest form', () => {
    expect([180, 90, 45, 1440, 1500].map(formatMinutes)).toEqual(['3h', '1h30m', '45m', '1d', '1d1h']);
  });

  it('writes waits of seconds to days', () => {
    expect([45_000, 725_000, 3 * 3600_000 + 12 * MINUTE, 2 * DAY + 4 * 3600_000, -1].map(formatLongDuration)).toEqual(['45s', '12m05s', '3h12m', '2d04h', '?']);
  });
});

describe('Function: userTimeZone', () => {
  it('takes TZ when it names a zone, with or without the colon or zoneinfo path', () => {
    expect(userTimeZone({ TZ: 'America/New_York' })).toBe('America/New_York');
    expect(userTimeZone({ TZ: ':Europe/Berlin' })).toBe('Europe/Berlin');
    expect(userTimeZone({ TZ: '/usr/share/zoneinfo/Asia/Tokyo' })).toBe('Asia/Tokyo');
  });

  it("falls back to the runtime's zone for a TZ that is not one, or none", () => {
    const runtime = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(userTimeZone({ TZ: 'Not/AZone' })).toBe(runtime);
    expect(userTimeZone({})).toBe(runtime);
  });
});

describe('Function: instantsOfWallTime', () => {
  const wall = (text: string) => Date.parse(`${text}:00Z`);

  it('finds none in the spring-forward gap, two in the doubled autumn hour, one otherwise', () => {
    expect(instantsOfWallTime(wall('2026-03-29T02:30'), 'Europe/Berlin')).toEqual([]);
    expect(instantsOfWallTime(wall('2026-10-25T02:30'), 'Europe/Berlin').map((t) => new Date(t).toISOString())).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:30:00.000Z',
    ]);
    expect(instantsOfWallTime(wall('2026-03-08T02:30'), 'America/New_York')).toEqual([]);
    expect(instantsOfWallTime(wall('2026-11-01T01:30'), 'America/New_York')).toHaveLength(2);
    expect(instantsOfWallTime(wall('2026-11-30T02:00'), 'Europe/Berlin').map((t) => new Date(t).toISOString())).toEqual(['2026-11-30T01:00:00.000Z']);
  });

  it('every instant found shows that wall time in the zone (property)', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC', 'America/Sao_Paulo'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }), fc.constantFrom(...zones), (minute, zone) => {
        const t = Math.floor(minute / MINUTE) * MINUTE;
        // The wall time the clocks show at t is always found again, and t among its instants.
        const parts = new Intl.DateTimeFormat('en-CA', {
          timeZone: zone,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
        }).formatToParts(new Date(t));
        const get = (type: string) => parts.find((p) => p.type === type)!.value;
        const shown = Date.parse(`${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:00Z`);
        expect(instantsOfWallTime(shown, zone)).toContain(t);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Function: parseAt', () => {
  const now = new Date('2026-11-26T21:15:00.000Z');
  const iso = (text: string, zone = 'Europe/Berlin') => parseAt(text, now, zone).at.toISOString();

  it('reads ISO 8601 with an offset or Z, with or without seconds and fractions', () => {
    expect(iso('2026-11-30T02:00+01:00')).toBe('2026-11-30T01:00:00.000Z');
    expect(iso('2026-11-30T02:00:30-05:00')).toBe('2026-11-30T07:00:30.000Z');
    expect(iso('2026-11-30T01:00Z')).toBe('2026-11-30T01:00:00.000Z');
    expect(iso('2026-11-30T01:00:00.250Z')).toBe('2026-11-30T01:00:00.250Z');
    expect(iso('2026-11-30 02:00+0100')).toBe('2026-11-30T01:00:00.000Z');
    expect(iso('2026-11-30T10:00+05:30')).toBe('2026-11-30T04:30:00.000Z');
  });

  it('reads a wall time in the given zone (the user’s), whatever the machine’s zone', () => {
    expect(iso('2026-11-30T02:00', 'Europe/Berlin')).toBe('2026-11-30T01:00:00.000Z');
    expect(iso('2026-11-30T02:00', 'America/New_York')).toBe('2026-11-30T07:00:00.000Z');
    expect(iso('2027-07-01T02:00', 'Europe/Berlin')).toBe('2027-07-01T00:00:00.000Z');
  });

  it('reads +2h, +30m and +1d30m from now', () => {
    expect(iso('+2h')).toBe('2026-11-26T23:15:00.000Z');
    expect(iso('+30m')).toBe('2026-11-26T21:45:00.000Z');
    expect(iso('+1d30m')).toBe('2026-11-27T21:45:00.000Z');
  });

  it('refuses a wall time the clocks skip, and takes the first of one that happens twice, saying so', () => {
    const later = new Date('2026-01-01T00:00:00Z');
    expect(() => parseAt('2026-03-29T02:30', later, 'Europe/Berlin')).toThrow(/does not exist in Europe\/Berlin: the clocks skip it/);
    const doubled = parseAt('2026-10-25T02:30', later, 'Europe/Berlin');
    expect(doubled.at.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(doubled.note).toMatch(/happens twice in Europe\/Berlin .* the first, 2026-10-25 02:30 GMT\+2, is meant/);
  });

  it.each([
    ['2026-11-26T21:00Z', /is in the past \(it is 2026-11-26 22:15 GMT\+1 now\)/],
    ['2026-11-26T22:14', /is in the past/],
    ['2027-11-22T00:00Z', /more than 360 days ahead: a deployment can wait at most 360 days/],
    ['+361d', /more than 360 days ahead/],
    ['tomorrow', /is not a time: give an ISO 8601 time with an offset/],
    ['2026-02-30T02:00', /not a valid time \(no such date or hour\)/],
    ['2026-11-30T24:00Z', /not a valid time/],
    ['2026-11-30T02:00+25:00', /is not a UTC offset/],
    ['+2 hours', /"2 hours" is not a duration/],
    ['+90', /is not a duration/],
  ])('refuses %j with a usage error', (text, message) => {
    const error = (() => {
      try {
        parseAt(text, now, 'Europe/Berlin');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });

  it('accepts exactly 360 days ahead and now itself', () => {
    expect(parseAt(new Date(now.getTime() + 360 * DAY).toISOString(), now, 'UTC').at.getTime()).toBe(now.getTime() + 360 * DAY);
    expect(parseAt(now.toISOString(), now, 'UTC').at.getTime()).toBe(now.getTime());
  });

  it('gives every accepted time within [now, now + 360 days] (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -400 * 1440, max: 400 * 1440 }), fc.constantFrom('Z', '+01:00', '-05:00', '+05:30'), (minutes, offset) => {
        const t = new Date(now.getTime() + minutes * MINUTE);
        const sign = offset === 'Z' ? 0 : (offset.startsWith('-') ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
        const local = new Date(t.getTime() + sign * MINUTE).toISOString().slice(0, 16);
        const accepted = minutes >= 0 && minutes <= 360 * 1440;
        if (accepted) expect(parseAt(`${local}${offset}`, now, 'UTC').at.getTime()).toBe(Math.floor(t.getTime() / MINUTE) * MINUTE);
        else expect(() => parseAt(`${local}${offset}`, now, 'UTC')).toThrow(UsageError);
      }),
    );
  });
});

describe('Function: formatRangeInZone', () => {
  it('shortens a range within one day and offset', () => {
    const from = new Date('2026-11-30T01:00:00Z');
    expect(formatRangeInZone(from, new Date('2026-11-30T04:00:00Z'), 'Europe/Berlin')).toBe('2026-11-30 02:00–05:00 GMT+1');
    expect(formatRangeInZone(from, new Date('2026-12-01T01:00:00Z'), 'Europe/Berlin')).toBe('2026-11-30 02:00 GMT+1 – 2026-12-01 02:00 GMT+1');
    expect(formatRangeInZone(new Date('2026-10-25T00:00:00Z'), new Date('2026-10-25T03:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-10-25 02:00 GMT+2 – 2026-10-25 04:00 GMT+1',
    );
  });
});

describe('Function: waitOf', () => {
  const t = (minutes: number) => new Date(Date.parse('2026-11-29T22:00:00.000Z') + minutes * MINUTE).toISOString();
  const intake: TimelineEntry = { at: t(0), step: 'intake', status: 'queued' };
  const waiting: TimelineEntry = {
    at: t(1),
    step: 'window',
    status: 'waiting',
    message: 'waiting for the deploy window: outside the allowed windows; starts 2026-11-30 02:00 GMT+1 (2026-11-30 01:00 UTC)',
  };
  const open: TimelineEntry = { at: t(181), step: 'window', message: 'deploy window open until 2026-11-30 05:00 GMT+1 (2026-11-30 04:00 UTC)' };
  const lock: TimelineEntry = { at: t(181), step: 'lock', status: 'staging', message: 'target lock acquired' };

  it('measures from the first waiting window entry to the lock acquired entry', () => {
    const wait = waitOf(
      deploymentView({ status: 'succeeded', timeline: [intake, waiting, { ...waiting, at: t(60), message: 'frozen: x' }, open, lock] }),
      new Date(),
    );
    expect(wait).toMatchObject({ from: t(1), until: t(181), ms: 180 * MINUTE, kind: 'window' });
    expect(formatWaitShort(wait!)).toBe('3h00m window');
    expect(formatWaitLine(wait!)).toBe(
      'waited 3h00m (2026-11-29 22:01:00Z → 2026-11-30 01:01:00Z): waiting for the deploy window: outside the allowed windows; starts 2026-11-30 02:00 GMT+1 (2026-11-30 01:00 UTC)',
    );
  });

  it('counts a deployment still waiting up to now, with a +', () => {
    const wait = waitOf(
      deploymentView({ status: 'waiting', timeline: [intake, { ...waiting, message: 'scheduled for 2026-11-30T01:00:00.000Z' }] }),
      new Date(t(31)),
    );
    expect(wait).toMatchObject({ ms: 30 * MINUTE, kind: 'schedule' });
    expect(wait!.until).toBeUndefined();
    expect(formatWaitShort(wait!)).toBe('30m00s+ schedule');
    expect(formatWaitLine(wait!)).toMatch(/^waiting for 30m00s \(2026-11-29 22:01:00Z → now\): scheduled for/);
  });

  it('ends the wait of a deployment that ended while it waited, and names a promote', () => {
    const cancelled = waitOf(
      deploymentView({
        status: 'cancelled',
        endedAt: t(10),
        timeline: [
          intake,
          { ...waiting, message: 'waiting for the deploy window: frozen: year-end freeze (until …)' },
          { at: t(10), step: 'cancel', status: 'cancelled' },
        ],
      }),
      new Date(t(99)),
    );
    expect(cancelled).toMatchObject({ until: t(10), ms: 9 * MINUTE, kind: 'freeze' });
    const promoted = waitOf(
      deploymentView({
        status: 'staging',
        timeline: [intake, waiting, { at: t(20), step: 'window', message: 'started by promote from local-developer: hotfix' }, { ...lock, at: t(20) }],
      }),
      new Date(),
    );
    expect(promoted).toMatchObject({ ms: 19 * MINUTE, promoted: 'promote from local-developer: hotfix' });
    expect(formatWaitShort(promoted!)).toBe('19m00s window, promoted');
  });

  it('is undefined for a deployment that never waited for its window (a lock wait is not one)', () => {
    expect(
      waitOf(deploymentView({ timeline: [intake, { at: t(1), step: 'lock', status: 'waiting', message: 'target busy with d-2' }, lock] }), new Date()),
    ).toBeUndefined();
  });
});
