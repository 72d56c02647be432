/**
 * `slipway windows show` and `windows suggest` against the fake slipway API over real HTTP. The
 * fake answers the window routes per their contract, computed with the same window and profile
 * functions the API uses.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { problem, suggestionsAnswer, windowAnswer, type FakeSlipwayApi } from '../support/fake-slipway-api.js';
import type { Datapoint } from '../../shared/domain/traffic-profile.js';
import { windowSchema } from '../../shared/domain/window.js';
import type { CliContext } from '../../cli/context.js';
import { run } from '../../cli/program.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';
import { openCliWorkspace } from '../support/cli-workspace.js';
import { NOW, nightly, view, waitingReason } from '../support/window-fixtures.js';

const memoryStream = (tty = false) => newMemoryStream({ tty, columns: 200 });

let cwd: string;
let workspace: Awaited<ReturnType<typeof openCliWorkspace>>;
let api: FakeSlipwayApi;
let stdout: ReturnType<typeof memoryStream>;
let stderr: ReturnType<typeof memoryStream>;

function context(overrides: Partial<CliContext> = {}): CliContext {
  return { cwd, env: { TZ: 'America/New_York' }, stdout, stderr, projectRoot: cwd, sleep: async () => {}, pollIntervalMs: 1, now: () => NOW, ...overrides };
}

const ok = (body: unknown, status = 200) => ({ status, body });
const TERMINAL_ONLY = /\r|\u001b/;

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-windows-');
  ({ cwd, api } = workspace);
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  await workspace.close();
});

describe('Command: windows show', () => {
  const waiting = [view({ id: 'd-5', release: 'r5', status: 'waiting', startsAt: '2026-11-27T01:00:00.000Z', reason: waitingReason })];

  it("prints the next openings in the window's time zone and the user's, the freezes and the deployments waiting", async () => {
    // Prepare
    api.on('GET', '/targets/{name}/window', (r) => windowAnswer(r.params.name!, nightly, { now: NOW, count: Number(r.query.get('count')), waiting }));

    // Act
    const code = await run(['windows', 'show', 'hello-nightly', '--count', '2'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]!.query.get('count')).toBe('2');
    expect(stdout.text.split('\n')).toEqual([
      'hello-nightly: deploy window in Europe/Berlin; your time zone is America/New_York',
      'closed now; opens 2026-11-27 02:00 GMT+1 (2026-11-26 20:00 EST), in 3h45m',
      'now 2026-11-26 22:15 GMT+1 (2026-11-26 16:15 EST)',
      '',
      'next openings',
      '  WINDOW TIME (Europe/Berlin)   YOUR TIME (America/New_York)  LENGTH  ALLOW',
      '  2026-11-27 02:00–05:00 GMT+1  2026-11-26 20:00–23:00 EST    3h00m   "0 2 * * 1-5" for 3h',
      '  2026-11-30 02:00–05:00 GMT+1  2026-11-29 20:00–23:00 EST    3h00m   "0 2 * * 1-5" for 3h',
      '',
      'freezes (no release starts during one, whatever the allow entries say)',
      '  FROM – TO (Europe/Berlin)                        YOUR TIME (America/New_York)                 REASON',
      '  2026-12-20 00:00 GMT+1 – 2027-01-05 00:00 GMT+1  2026-12-19 18:00 EST – 2027-01-04 18:00 EST  year-end freeze',
      '',
      'waiting (1)',
      '  ID   RELEASE  STARTS (Europe/Berlin)             YOUR TIME (America/New_York)  REASON',
      `  d-5  r5       2026-11-27 02:00 GMT+1 (in 3h45m)  2026-11-26 20:00 EST          ${waitingReason}`,
      'start one now despite the window (break-glass, recorded with who and why): npx slipway promote <id> --reason "<why>"',
      '',
    ]);
  });

  it('leaves out the second zone when the user is in the window’s zone, and says when the window is open now', async () => {
    // Prepare: Friday 03:00 in Berlin, inside the 02:00–05:00 window
    const inside = new Date('2026-11-27T02:00:00.000Z');
    api.on('GET', '/targets/{name}/window', (r) => windowAnswer(r.params.name!, nightly, { now: inside, count: 1 }));

    // Act
    const code = await run(['windows', 'show', 'hello-nightly'], context({ env: { TZ: 'Europe/Berlin' } }));

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(stdout.text).toContain('hello-nightly: deploy window in Europe/Berlin (your time zone too)\nopen now until 2026-11-27 05:00 GMT+1, 2h00m left\n');
    expect(stdout.text).toContain('  WINDOW TIME (Europe/Berlin)   LENGTH            ALLOW\n');
    expect(stdout.text).toContain('  2026-11-27 03:00–05:00 GMT+1  2h00m (open now)  "0 2 * * 1-5" for 3h\n');
    expect(stdout.text).not.toContain('YOUR TIME');
    expect(stdout.text).toContain('no deployment is waiting');
  });

  it('names the freeze that cuts an opening short', async () => {
    // Prepare: a freeze from Friday 03:30 Berlin
    const cut = windowSchema.parse({ ...nightly, deny: [{ from: '2026-11-27T03:30', to: '2026-11-28T00:00', reason: 'data migration' }] });
    api.on('GET', '/targets/{name}/window', (r) => windowAnswer(r.params.name!, cut, { now: NOW, count: 1 }));

    // Act
    const code = await run(['windows', 'show', 'hello-nightly'], context());

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/2026-11-27 02:00–03:30 GMT\+1 .* 1h30m +"0 2 \* \* 1-5" for 3h, cut short by the freeze "data migration"/);
  });

  it('says a target without a window starts releases at once, and still lists scheduled ones waiting', async () => {
    // Prepare
    const scheduled = view({
      id: 'd-6',
      release: 'r6',
      status: 'waiting',
      notBefore: '2026-11-27T07:00:00.000Z',
      startsAt: '2026-11-27T07:00:00.000Z',
      reason: 'scheduled for 2026-11-27T07:00:00.000Z',
    });
    api.on('GET', '/targets/{name}/window', (r) => windowAnswer(r.params.name!, undefined, { now: NOW, waiting: [scheduled] }));

    // Act
    const code = await run(['windows', 'show', 'hello'], context());

    // Assess
    expect(code).toBe(0);
    expect(stdout.text.split('\n')[0]).toBe('hello has no deploy window: releases start at once (unless scheduled with --at)');
    expect(stdout.text).toContain('  d-6  r6       2026-11-27 02:00 EST (in 9h45m)  scheduled for 2026-11-27T07:00:00.000Z');
    expect(stdout.text).not.toContain('next openings');
  });

  it('says a window that never opens within 360 days is closed', async () => {
    // Prepare: a freeze over the whole year
    const frozen = windowSchema.parse({ ...nightly, deny: [{ from: '2026-11-01T00:00', to: '2028-01-01T00:00', reason: 'moratorium' }] });
    api.on('GET', '/targets/{name}/window', (r) => windowAnswer(r.params.name!, frozen, { now: NOW }));

    // Act
    const code = await run(['windows', 'show', 'hello-nightly'], context());

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toContain('closed: the window does not open within the next 360 days');
    expect(stdout.text).toContain('moratorium (in force now)');
  });

  it('--json prints the API document unchanged, even at a terminal', async () => {
    // Prepare
    const answer = windowAnswer('hello-nightly', nightly, { now: NOW, waiting });
    api.on('GET', '/targets/{name}/window', answer);
    const terminal = memoryStream(true);

    // Act
    const code = await run(['windows', 'show', 'hello-nightly', '--json'], context({ stdout: terminal }));

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(terminal.text)).toEqual(answer.body);
    expect(terminal.text).not.toMatch(TERMINAL_ONLY);
  });

  it('exits 2 for an unknown target (naming the close ones), a bad --count or name, 1 for an API without the route or with a wrong answer', async () => {
    // Prepare
    api.on('GET', '/targets', ok({ targets: [{ name: 'hello-nightly', kind: 'function' }] }));

    // Act
    const noRoute = await run(['windows', 'show', 'hello-nightly'], context());
    api.on('GET', '/targets/{name}/window', problem(404, 'not-found', 'target "hello-nighty" is not registered'));
    const unknown = await run(['windows', 'show', 'hello-nighty'], context());
    const badCount = await run(['windows', 'show', 'hello-nightly', '--count', '0'], context());
    const badName = await run(['windows', 'show', 'Hello_Nightly'], context());
    api.on('GET', '/targets/{name}/window', ok({ target: 'hello-nightly', timezone: 'Europe/Berlin' }));
    const malformed = await run(['windows', 'show', 'hello-nightly'], context());

    // Assess
    expect([noRoute, unknown, badCount, badName, malformed]).toEqual([1, 2, 2, 2, 1]);
    expect(stderr.text).toContain('has no route GET /targets/hello-nightly/window: it is older than this CLI');
    expect(stderr.text).toContain('target "hello-nighty" is not registered. Did you mean "hello-nightly"?');
    expect(stderr.text).toContain("option '-n, --count <n>' argument '0' is invalid. must be a whole number from 1 to 50");
    expect(stderr.text).toContain('invalid target name "Hello_Nightly"');
    expect(stderr.text).toMatch(/the API's answer to GET \/targets\/hello-nightly\/window is not a deploy window \(now: Required; openings: Required/);
    expect(api.calls().filter((c) => c.includes('window'))).toHaveLength(3);
  });
});

/** Four weeks of hourly traffic: busy at noon in Berlin, quiet at night, quieter on Sundays. */
function traffic(): Datapoint[] {
  const points: Datapoint[] = [];
  const start = Date.parse('2026-10-29T00:00:00.000Z');
  for (let h = 0; h < 28 * 24; h += 1) {
    const at = new Date(start + h * 3_600_000);
    const berlinHour = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', hour: '2-digit', hourCycle: 'h23' }).format(at));
    const sunday = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', weekday: 'short' }).format(at) === 'Sun';
    points.push({ at, value: Math.round(100 + 900 * Math.sin((Math.PI * berlinHour) / 24) ** 2 - (sunday ? 80 : 0)) });
  }
  return points;
}

describe('Command: windows suggest', () => {
  function suggestionsRoute(points = traffic()) {
    api.on('suggestTargetWindows', (r) =>
      suggestionsAnswer(r.params.name!, points, {
        timezone: r.query.get('timezone') ?? 'Europe/Berlin',
        durationMinutes: Number(r.query.get('durationMinutes')),
        days: Number(r.query.get('days')),
        count: Number(r.query.get('count')),
      }),
    );
  }

  it('draws the hour-of-week chart with the suggestions marked, then each one as an allow entry to paste', async () => {
    // Prepare
    suggestionsRoute();

    // Act
    const code = await run(['windows', 'suggest', 'hello-nightly'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.query)).toEqual({ durationMinutes: '180', days: '28', count: '3' });
    const lines = stdout.text.split('\n');
    expect(lines[0]).toBe('hello-nightly: average traffic per hour of the week in Europe/Berlin, last 28 days (672 hourly samples)');
    expect(lines[2]).toBe('     0     6     12    18   23');
    expect(lines[3]).toMatch(/^Mon {2}[▁▂▃▄▅▆▇█]{24}$/);
    expect(lines.filter((l) => /^ +\^/.test(l)).length).toBeGreaterThan(0);
    expect(stdout.text).toContain('rows Monday to Sunday, columns the hours 0–23; ▁ quiet to █ the busiest hour (1,000/hour); · no data; ^ suggested');
    expect(stdout.text).toContain('quietest 3h windows (Europe/Berlin)\n1. Sun 00:00–03:00  average 45/hour, 5% of the busiest hour\n');
    expect(stdout.text).toContain('2. Sun 22:00–Mon 01:00  average 71.7/hour, 7% of the busiest hour\n');
    const entries = lines.filter((l) => l.startsWith('   {')).map((l) => JSON.parse(l));
    expect(entries).toHaveLength(3);
    expect(entries).toEqual([
      { cron: '0 0 * * 0', durationMinutes: 180 },
      { cron: '0 22 * * 0', durationMinutes: 180 },
      { cron: '0 23 * * 1', durationMinutes: 180 },
    ]);
    // The marks under the chart are the suggested hours: Sunday 0–2 and 22–23, Monday 0 and 23, Tuesday 0–1.
    expect(lines.slice(3, 17)).toEqual(expect.arrayContaining(['     ^                      ^', '     ^^', '     ^^^                   ^^']));
    // Every entry pastes into a valid window in the zone it names.
    for (const entry of entries) expect(windowSchema.safeParse({ timezone: 'Europe/Berlin', allow: [entry] }).success).toBe(true);
    expect(stdout.text).toContain(
      `the crons are in Europe/Berlin: paste one or more entries into the target's "window": { "timezone": "Europe/Berlin", "allow": [ … ] },`,
    );
  });

  it('passes --duration (3h, 180m, 1h30m), --days, --count and --timezone to the API', async () => {
    // Prepare
    suggestionsRoute();

    // Act
    const codes = [
      await run(['windows', 'suggest', 'hello-nightly', '--duration', '1h30m', '--days', '14', '--count', '2', '--timezone', 'America/New_York'], context()),
      await run(['windows', 'suggest', 'hello-nightly', '-d', '180m'], context()),
    ];

    // Assess
    expect(codes).toEqual([0, 0]);
    expect(Object.fromEntries(api.requests[0]!.query)).toEqual({ durationMinutes: '90', days: '14', count: '2', timezone: 'America/New_York' });
    expect(api.requests[1]!.query.get('durationMinutes')).toBe('180');
    expect(stdout.text).toContain('quietest 1h30m windows (America/New_York)');
    expect(stdout.text).toMatch(/1\. \w{3} \d\d:\d\d–\d\d:30 {2}average/);
  });

  it('keeps block characters in a pipe and with NO_COLOR, and draws plain ASCII with TERM=dumb or --ascii', async () => {
    // Prepare
    suggestionsRoute();
    const outputs: string[] = [];

    // Act
    for (const [argv, env] of [
      [[], { NO_COLOR: '1' }],
      [[], { TERM: 'dumb' }],
      [['--ascii'], {}],
    ] as const) {
      stdout.text = '';
      expect(await run(['windows', 'suggest', 'hello-nightly', ...argv], context({ env: { TZ: 'UTC', ...env } }))).toBe(0);
      outputs.push(stdout.text);
    }

    // Assess
    const [noColor, dumb, ascii] = outputs as [string, string, string];
    expect(noColor).toMatch(/^Mon {2}[▁▂▃▄▅▆▇█]{24}$/m);
    expect(noColor).not.toMatch(TERMINAL_ONLY);
    for (const text of [dumb, ascii]) {
      expect(text).toMatch(/^Mon {2}\d{24}$/m);
      expect(text).toMatch(/^[\x20-\x7e\n]*$/);
      expect(text).toContain('0 quiet to 9 the busiest hour');
      expect(text).toContain('2. Sun 22:00-Mon 01:00');
    }
  });

  it('marks hours never seen, and exits 1 with the reason when there is nothing to suggest (--json still printed)', async () => {
    // Prepare: no traffic data at all
    suggestionsRoute([]);

    // Act
    const human = await run(['windows', 'suggest', 'hello-nightly'], context());
    const humanText = stdout.text;
    stdout.text = '';
    const json = await run(['windows', 'suggest', 'hello-nightly', '--json'], context());

    // Assess
    expect([human, json]).toEqual([1, 1]);
    expect(humanText).toContain(`Mon  ${'·'.repeat(24)}`);
    expect(humanText).not.toContain('quietest');
    expect(stderr.text).toContain('slipway: nothing to suggest: no traffic data for hello-nightly in the last 28 days');
    expect(JSON.parse(stdout.text)).toMatchObject({ samples: 0, suggestions: [] });
  });

  it('--json prints the API document unchanged', async () => {
    // Prepare
    const answer = suggestionsAnswer('hello-nightly', traffic(), { timezone: 'Europe/Berlin', durationMinutes: 180, days: 28, count: 3 });
    api.on('suggestTargetWindows', answer);
    const terminal = memoryStream(true);

    // Act
    const code = await run(['windows', 'suggest', 'hello-nightly', '--json'], context({ stdout: terminal }));

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(terminal.text)).toEqual(answer.body);
    expect(terminal.text).not.toMatch(TERMINAL_ONLY);
  });

  it.each([
    [['--duration', '3'], /--duration "3" is not a duration such as 3h, 180m or 1h30m/],
    [['--duration', '1.5h'], /is not a duration/],
    [['--duration', '8d'], /longer than a week/],
    [['--days', '29'], /must be a whole number from 1 to 28/],
    [['--count', '11'], /must be a whole number from 1 to 10/],
    [['--timezone', 'Mars/Olympus'], /--timezone "Mars\/Olympus" is not a time zone/],
  ])('refuses %j with exit 2 before calling the API', async (argv, message) => {
    // Act
    const code = await run(['windows', 'suggest', 'hello-nightly', ...argv], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });
});
