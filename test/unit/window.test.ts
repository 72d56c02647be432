import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileWindow, decide, isOpen, jitteredStart, nextOpening, upcomingOpenings, windowSchema, type DeployWindow } from '../../shared/domain/window.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const at = (iso: string) => new Date(iso);
const window = (input: Record<string, unknown>): DeployWindow => windowSchema.parse(input);
const first = (w: DeployWindow, from: string, days = 30) => nextOpening(compileWindow(w), at(from), new Date(at(from).getTime() + days * DAY));

describe('deploy window: openings', () => {
  const weekdayNights = window({ timezone: 'Europe/Berlin', allow: [{ cron: '0 2 * * 1-5', durationMinutes: 180 }] });

  it('waits over the week end for the Monday night window, in the window time zone', () => {
    // Friday 2026-11-27 10:00 in Berlin (CET, UTC+1)
    const opening = first(weekdayNights, '2026-11-27T09:00:00Z');
    expect(opening?.at.toISOString()).toBe('2026-11-30T01:00:00.000Z');
    expect(opening?.closesAt.toISOString()).toBe('2026-11-30T04:00:00.000Z');
  });

  it('is open inside the window and not at its end', () => {
    const w = compileWindow(weekdayNights);
    expect(isOpen(w, at('2026-11-30T01:00:00Z'))).toBe(true);
    expect(isOpen(w, at('2026-11-30T03:59:59Z'))).toBe(true);
    expect(isOpen(w, at('2026-11-30T04:00:00Z'))).toBe(false);
    expect(isOpen(w, at('2026-11-30T00:59:59Z'))).toBe(false);
  });

  it('spans midnight', () => {
    const w = compileWindow(window({ timezone: 'UTC', allow: [{ cron: '0 22 * * *', durationMinutes: 240 }] }));
    expect(isOpen(w, at('2026-12-02T01:30:00Z'))).toBe(true);
    expect(isOpen(w, at('2026-12-02T02:00:00Z'))).toBe(false);
    expect(nextOpening(w, at('2026-12-02T02:00:00Z'), at('2026-12-10T00:00:00Z'))?.at.toISOString()).toBe('2026-12-02T22:00:00.000Z');
  });

  it('spans a week end: Friday 18:00 for three days', () => {
    const w = compileWindow(window({ timezone: 'America/New_York', allow: [{ cron: '0 18 * * 5', durationMinutes: 3 * 24 * 60 }] }));
    expect(isOpen(w, at('2026-12-06T17:00:00Z'))).toBe(true); // Sunday noon EST
    expect(isOpen(w, at('2026-12-07T23:30:00Z'))).toBe(false); // Monday 18:30 EST
  });

  it('lets a freeze beat the allow windows and opens after it', () => {
    const w = window({
      timezone: 'Europe/Berlin',
      allow: [{ cron: '0 2 * * *', durationMinutes: 180 }],
      deny: [{ from: '2026-12-20T00:00', to: '2027-01-05T00:00', reason: 'year-end freeze' }],
    });
    expect(first(w, '2026-12-19T12:00:00Z')?.at.toISOString()).toBe('2027-01-05T01:00:00.000Z');
    const decision = decide(w, at('2026-12-24T12:00:00Z'));
    expect(decision).toMatchObject({ open: false, opensAt: at('2027-01-05T01:00:00Z') });
    expect(decision.open ? '' : decision.reason).toContain('frozen: year-end freeze');
  });

  it('reopens inside the same allow period when a short freeze ends, and closes the period at the freeze', () => {
    const w = window({
      timezone: 'UTC',
      allow: [{ cron: '0 2 * * *', durationMinutes: 180 }],
      deny: [{ from: '2026-12-01T03:00', to: '2026-12-01T03:30', reason: 'db maintenance' }],
    });
    expect(first(w, '2026-12-01T00:00:00Z')).toMatchObject({ at: at('2026-12-01T02:00:00Z'), closesAt: at('2026-12-01T03:00:00Z') });
    expect(first(w, '2026-12-01T03:10:00Z')).toMatchObject({ at: at('2026-12-01T03:30:00Z'), closesAt: at('2026-12-01T05:00:00Z') });
  });

  it('joins overlapping allow periods into one open stretch', () => {
    const w = window({
      timezone: 'UTC',
      allow: [
        { cron: '0 1 * * *', durationMinutes: 120 },
        { cron: '30 2 * * *', durationMinutes: 60 },
      ],
    });
    expect(first(w, '2026-12-01T00:00:00Z')?.closesAt.toISOString()).toBe('2026-12-01T03:30:00.000Z');
  });

  it('fires a 02:30 window that does not exist on the spring-forward night at 03:00 local, for its full length', () => {
    const berlin = window({ timezone: 'Europe/Berlin', allow: [{ cron: '30 2 * * *', durationMinutes: 60 }] });
    expect(first(berlin, '2027-03-27T12:00:00Z')).toMatchObject({ at: at('2027-03-28T01:00:00Z'), closesAt: at('2027-03-28T02:00:00Z') });
    const newYork = window({ timezone: 'America/New_York', allow: [{ cron: '30 2 * * *', durationMinutes: 60 }] });
    expect(first(newYork, '2027-03-13T12:00:00Z')?.at.toISOString()).toBe('2027-03-14T07:00:00.000Z');
  });

  it('fires a 02:30 window once on the autumn night the hour repeats, at the first 02:30', () => {
    const berlin = window({ timezone: 'Europe/Berlin', allow: [{ cron: '30 2 * * *', durationMinutes: 30 }] });
    expect(first(berlin, '2026-10-24T12:00:00Z')?.at.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(first(berlin, '2026-10-25T01:00:00Z')?.at.toISOString()).toBe('2026-10-26T01:30:00.000Z'); // not 02:30 CET again
    const newYork = window({ timezone: 'America/New_York', allow: [{ cron: '30 1 * * *', durationMinutes: 30 }] });
    expect(first(newYork, '2026-10-31T12:00:00Z')?.at.toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('opens on a leap day, but a deployment cannot wait 15 months for it', () => {
    const leap = window({ timezone: 'UTC', allow: [{ cron: '0 0 29 2 *', durationMinutes: 60 }] });
    expect(first(leap, '2026-11-26T00:00:00Z', 1000)?.at.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    const decision = decide(leap, at('2026-11-26T00:00:00Z'));
    expect(decision).toMatchObject({ open: false, never: true });
    expect(decision.open ? '' : decision.reason).toContain('does not open within 360 days');
  });

  it('lists the next openings, one per open stretch', () => {
    const openings = upcomingOpenings(weekdayNights, at('2026-11-27T09:00:00Z'), 3);
    expect(openings.map((o) => o.at.toISOString())).toEqual(['2026-11-30T01:00:00.000Z', '2026-12-01T01:00:00.000Z', '2026-12-02T01:00:00.000Z']);
  });

  it('spreads starts by jitter deterministically and never to the window end', () => {
    const opening = { at: at('2026-12-01T02:00:00Z'), closesAt: at('2026-12-01T05:00:00Z'), allowIndex: 0 };
    const starts = ['d-1', 'd-2', 'd-3', 'd-4'].map((seed) => jitteredStart(opening, 3600, seed).getTime());
    expect(jitteredStart(opening, 3600, 'd-1').getTime()).toBe(starts[0]);
    for (const start of starts) {
      expect(start).toBeGreaterThanOrEqual(opening.at.getTime());
      expect(start).toBeLessThanOrEqual(opening.at.getTime() + 3600 * 1000);
    }
    expect(new Set(starts).size).toBeGreaterThan(1);
    expect(jitteredStart(opening, 0, 'd-1')).toEqual(opening.at);
    const short = { ...opening, closesAt: at('2026-12-01T02:05:00Z') };
    for (const seed of ['d-1', 'd-2', 'd-3']) expect(jitteredStart(short, 3600, seed).getTime()).toBeLessThanOrEqual(short.closesAt.getTime() - MINUTE);
  });
});

describe('deploy window: validation', () => {
  const issues = (input: unknown) => {
    const result = windowSchema.safeParse(input);
    return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('rejects an invalid cron with its field path', () => {
    expect(issues({ allow: [{ cron: '61 2 * * *', durationMinutes: 60 }] })).toEqual([expect.stringMatching(/^allow\.0\.cron: invalid cron "61 2 \* \* \*"/)]);
    expect(issues({ allow: [{ cron: '0 2 * *', durationMinutes: 60 }] })).toEqual([
      'allow.0.cron: cron "0 2 * *" must have 5 fields: minute hour day-of-month month day-of-week',
    ]);
  });

  it('rejects an unknown time zone', () => {
    expect(issues({ timezone: 'Mars/Olympus', allow: [{ cron: '0 2 * * *', durationMinutes: 60 }] })).toEqual([
      'timezone: unknown time zone "Mars/Olympus": use an IANA name such as Europe/Berlin',
    ]);
  });

  it('rejects a window that can never open', () => {
    expect(issues({ allow: [{ cron: '0 0 30 2 *', durationMinutes: 60 }] })).toEqual(['allow.0.cron: "0 0 30 2 *" never fires (no such date)']);
  });

  it('rejects freezes that end before they start or name impossible times', () => {
    const allow = [{ cron: '0 2 * * *', durationMinutes: 60 }];
    expect(issues({ allow, deny: [{ from: '2027-01-05T00:00', to: '2026-12-20T00:00', reason: 'x' }] })).toEqual([
      'deny.0.to: ends before it starts (2027-01-05T00:00 → 2026-12-20T00:00)',
    ]);
    expect(issues({ allow, deny: [{ from: '2026-02-30T00:00', to: '2027-01-05T00:00', reason: 'x' }] })).toEqual([
      'deny.0.from: "2026-02-30T00:00" is not a valid time',
    ]);
  });

  it('applies the documented defaults', () => {
    expect(window({ allow: [{ cron: '0 2 * * *', durationMinutes: 60 }] })).toEqual({
      timezone: 'UTC',
      allow: [{ cron: '0 2 * * *', durationMinutes: 60 }],
      deny: [],
      onClose: 'finish',
      jitterSeconds: 0,
      queue: 'latest',
    });
  });
});

/*
 * Properties, checked against an independent model: each allow entry's fire times enumerated with
 * croner, turned into [fire, fire + duration) intervals, and the freezes as plain intervals.
 */
describe('deploy window: properties', () => {
  const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
  const HORIZON_DAYS = 3;

  const cronArb = fc
    .record({
      minute: fc.integer({ min: 0, max: 59 }),
      hours: fc.uniqueArray(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 3 }),
      days: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 4 }), { nil: undefined }),
    })
    .map(({ minute, hours, days }) => `${minute} ${hours.join(',')} * * ${days ? days.join(',') : '*'}`);

  const fromArb = fc.date({ min: at('2026-01-01T00:00:00Z'), max: at('2028-12-31T00:00:00Z'), noInvalidDate: true });
  // Freezes near `from`, as minute offsets, so they interact with the openings.
  const denyArb = fc.array(fc.record({ start: fc.integer({ min: -600, max: 3 * 24 * 60 }), length: fc.integer({ min: 1, max: 24 * 60 }) }), { maxLength: 2 });

  const caseArb = fc.record({
    timezone: fc.constantFrom(...ZONES),
    allow: fc.array(fc.record({ cron: cronArb, durationMinutes: fc.integer({ min: 1, max: 600 }) }), { minLength: 1, maxLength: 2 }),
    deny: denyArb,
    from: fromArb,
  });

  function model(c: { timezone: string; allow: { cron: string; durationMinutes: number }[] }, deny: { from: Date; to: Date }[], from: Date, until: Date) {
    const periods: [number, number][] = [];
    for (const a of c.allow) {
      const cron = new Cron(a.cron, { timezone: c.timezone });
      let fire = cron.nextRun(new Date(from.getTime() - a.durationMinutes * MINUTE - 1));
      while (fire && fire < until) {
        periods.push([fire.getTime(), fire.getTime() + a.durationMinutes * MINUTE]);
        fire = cron.nextRun(fire);
      }
    }
    return (t: number) => periods.some(([s, e]) => s <= t && t < e) && !deny.some((d) => d.from.getTime() <= t && t < d.to.getTime());
  }

  function build(c: { timezone: string; allow: { cron: string; durationMinutes: number }[]; deny: { start: number; length: number }[]; from: Date }) {
    const from = new Date(Math.floor(c.from.getTime() / MINUTE) * MINUTE);
    const deny = c.deny.map((d, i) => {
      const start = new Date(from.getTime() + d.start * MINUTE);
      const end = new Date(start.getTime() + d.length * MINUTE);
      return { from: `${start.toISOString().slice(0, 16)}Z`, to: `${end.toISOString().slice(0, 16)}Z`, reason: `freeze ${i}` };
    });
    const w = windowSchema.parse({ timezone: c.timezone, allow: c.allow, deny });
    const until = new Date(from.getTime() + HORIZON_DAYS * DAY);
    const compiled = compileWindow(w);
    return { from, until, compiled, open: model(c, compiled.deny, from, until) };
  }

  it('finds an opening that is inside an allow period and outside every freeze', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { from, until, compiled, open } = build(c);
        const opening = nextOpening(compiled, from, until);
        if (opening) {
          expect(open(opening.at.getTime())).toBe(true);
          expect(opening.at.getTime()).toBeGreaterThanOrEqual(from.getTime());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('finds no earlier open minute, and finds one whenever the model has one', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { from, until, compiled, open } = build(c);
        const opening = nextOpening(compiled, from, until);
        const end = opening ? opening.at.getTime() : until.getTime();
        for (let t = from.getTime(); t < end; t += MINUTE) expect(open(t), new Date(t).toISOString()).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('agrees with the model on whether an instant is open', () => {
    fc.assert(
      fc.property(caseArb, fc.integer({ min: 0, max: HORIZON_DAYS * 24 * 60 - 1 }), (c, offset) => {
        const { from, compiled, open } = build(c);
        const t = from.getTime() + offset * MINUTE;
        expect(isOpen(compiled, new Date(t))).toBe(open(t));
      }),
      { numRuns: 300 },
    );
  });
});
