import { describe, expect, it } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import type { TimelineEntry } from '../../shared/domain/deployment.js';
import type { StoredTarget } from '../../cli/api-client.js';
import { DeploymentNarrator, LiveLine } from '../../cli/live.js';
import { styleFor } from '../../cli/output.js';
import { transferProgress } from '../../cli/progress.js';
import { closeNames, unknownTargetMessage } from '../../cli/suggest.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';

const plain = styleFor({ write: () => true }, {});

const memoryStream = (tty: boolean) => newMemoryStream({ tty, columns: 40 });

describe('Function: closeNames', () => {
  const targets = ['hello', 'hello-canary', 'www', 'www-staging', 'billing-api', 'checkout'];

  it.each([
    ['helo', ['hello']],
    ['hello-canray', ['hello-canary', 'hello']],
    ['canary', ['hello-canary']],
    ['www-stage', ['www-staging', 'www']],
    ['chekout', ['checkout']],
    ['billing', ['billing-api']],
    ['zzz', []],
  ])('suggests for %s: %j', (name, expected) => {
    expect(closeNames(name, targets)).toEqual(expected);
  });

  it('ranks by edit distance, then by name, and keeps at most five', () => {
    // Act
    const names = closeNames('app', ['app1', 'app2', 'apq', 'ap', 'app10', 'app11', 'zebra']);

    // Assess
    expect(names).toEqual(['ap', 'app1', 'app2', 'apq', 'app10']);
  });
});

describe('Function: unknownTargetMessage', () => {
  it('says how to see the registered targets when none is close, and how to add one when there are none', () => {
    expect(unknownTargetMessage('zzz', ['hello', 'www'])).toBe('target "zzz" is not registered; `npx slipway targets list` shows the 2 that are');
    expect(unknownTargetMessage('zzz', [])).toMatch(/no target is yet; add one with `npx slipway targets apply <file>`/);
  });
});

describe('Function: transferProgress', () => {
  it('writes nothing at all when the stream is not a terminal', () => {
    // Prepare
    const pipe = memoryStream(false);

    // Act
    const bar = transferProgress(pipe, {}, 1000);
    bar.update(500);
    bar.update(1000);
    bar.stop();

    // Assess
    expect(pipe.writes).toBe(0);
  });

  it('writes nothing with NO_COLOR set or TERM=dumb, even at a terminal', () => {
    // Prepare
    const a = memoryStream(true);
    const b = memoryStream(true);

    // Act
    for (const [stream, env] of [
      [a, { NO_COLOR: '' }],
      [b, { TERM: 'dumb' }],
    ] as const) {
      const bar = transferProgress(stream, env, 1000);
      bar.update(1000);
      bar.stop();
    }

    // Assess
    expect([a.writes, b.writes]).toEqual([0, 0]);
  });

  it('draws bytes of the total, the rate and the ETA at a terminal', () => {
    // Prepare
    const terminal = memoryStream(true);

    // Act
    const bar = transferProgress(terminal, {}, 3 * 1024 * 1024);
    bar.update(3 * 1024 * 1024);
    bar.stop();

    // Assess
    expect(terminal.text).toMatch(/uploading █+ 100% \| 3\.0 MiB\/3\.0 MiB \| [\d.]+ (B|KiB|MiB|GiB)\/s \| ETA \d+s/);
  });
});

describe('Class: DeploymentNarrator', () => {
  const canary: StoredTarget = {
    name: 'hello-canary',
    kind: 'function',
    strategy: {
      type: 'steps',
      steps: [
        { percent: 10, bakeSeconds: 60 },
        { percent: 50, bakeSeconds: 120 },
      ],
    },
    health: { alarms: ['errors', 'latency'], probe: { url: 'https://example.test/health' } },
  };
  const d = deploymentView({ target: 'hello-canary', startedAt: '2026-11-26T21:15:00.000Z', status: 'shifting', trafficPercent: 10 });
  const entry = (at: string, step: string, extra: Partial<TimelineEntry> = {}) => ({ kind: 'timeline' as const, entry: { at, step, ...extra }, deployment: d });

  describe('Method: lines', () => {
    it('announces each bake with what is watched, and the verdict when the workflow moves on', () => {
      // Prepare
      const narrator = new DeploymentNarrator(plain, canary);
      const now = new Date('2026-11-26T21:20:00.000Z');

      // Act
      const lines = [
        ...narrator.lines(entry('2026-11-26T21:15:01.000Z', 'shift', { trafficPercent: 10 }), now),
        ...narrator.lines(entry('2026-11-26T21:16:01.500Z', 'shift', { trafficPercent: 50 }), now),
        ...narrator.lines(entry('2026-11-26T21:18:02.000Z', 'shift', { trafficPercent: 100 }), now),
      ];

      // Assess
      expect(lines).toEqual([
        '+1.0s    shift  traffic 10%  · baking 1m00s, watching alarms errors, latency and probe https://example.test/health',
        '+1m02s   health  ✔ every check passed through the 1m00s bake at 10% (alarms errors, latency and probe https://example.test/health)',
        '+1m02s   shift  traffic 50%  · baking 2m00s, watching alarms errors, latency and probe https://example.test/health',
        '+3m02s   health  ✔ every check passed through the 2m00s bake at 50% (alarms errors, latency and probe https://example.test/health)',
        '+3m02s   shift  traffic 100%',
      ]);
    });

    it('gives no verdict when a rollback ends the bake (its own entry names the failed check), and says when a bake was promoted', () => {
      // Prepare
      const rolledBack = new DeploymentNarrator(plain, canary);
      const promoted = new DeploymentNarrator(plain, canary);
      const now = new Date();

      // Act
      rolledBack.lines(entry('2026-11-26T21:15:01.000Z', 'shift', { trafficPercent: 10 }), now);
      const rollback = rolledBack.lines(
        entry('2026-11-26T21:15:20.000Z', 'rollback', { status: 'rolled_back', trafficPercent: 0, message: 'alarm "errors" went to ALARM' }),
        now,
      );
      promoted.lines(entry('2026-11-26T21:15:01.000Z', 'shift', { trafficPercent: 10 }), now);
      promoted.lines(entry('2026-11-26T21:15:05.000Z', 'promote', { message: 'promoted by alice: looks good' }), now);
      const next = promoted.lines(entry('2026-11-26T21:15:06.000Z', 'shift', { trafficPercent: 50 }), now);

      // Assess
      expect(rollback).toEqual(['+20s     rollback  rolled_back  traffic 0%  · alarm "errors" went to ALARM']);
      expect(next[0]).toBe('+6.0s    health  ✔ every check passed until promoted at 10% (alarms errors, latency and probe https://example.test/health)');
    });

    it('prints plain timeline lines when the target is unknown', () => {
      // Act
      const lines = new DeploymentNarrator(plain).lines(entry('2026-11-26T21:15:01.000Z', 'shift', { trafficPercent: 10 }), new Date());

      // Assess
      expect(lines).toEqual(['+1.0s    shift  traffic 10%']);
    });
  });

  describe('Method: statusLine', () => {
    it('counts the bake down, then says health is being checked', () => {
      // Prepare
      const narrator = new DeploymentNarrator(plain, canary);
      narrator.lines(entry('2026-11-26T21:15:01.000Z', 'shift', { trafficPercent: 10 }), new Date());

      // Act
      const during = narrator.statusLine(d, new Date('2026-11-26T21:15:18.200Z'), '⠋');
      const after = narrator.statusLine(d, new Date('2026-11-26T21:16:02.000Z'), '⠙');

      // Assess
      expect(during).toBe('⠋ shifting · 10% traffic · bake 43s left · 18s');
      expect(after).toBe('⠙ shifting · 10% traffic · bake over, checking health · 1m02s');
    });

    it("counts down to a waiting deployment's start in the user's time zone, then says it is due", () => {
      // Prepare
      const narrator = new DeploymentNarrator(plain, canary, { timezone: 'Asia/Tokyo' });
      const waiting = deploymentView({ status: 'waiting', startsAt: '2026-11-27T01:00:00.000Z', reason: 'waiting for the deploy window: …' });

      // Act
      const lines = [
        narrator.statusLine(waiting, new Date('2026-11-25T22:59:30.000Z'), '⠋'),
        narrator.statusLine(waiting, new Date('2026-11-27T00:59:15.000Z'), '⠋'),
        narrator.statusLine({ ...waiting, reason: null }, new Date('2026-11-27T01:00:01.000Z'), '⠋'),
        narrator.statusLine({ ...waiting, reason: 'waiting for deployment d-2 to finish' }, new Date('2026-11-27T01:00:01.000Z'), '⠋'),
        narrator.statusLine({ ...waiting, startsAt: null, reason: 'window open but traffic is 900 requests/min' }, new Date(), '⠋'),
      ];

      // Assess
      expect(lines).toEqual([
        '⠋ waiting · starts in 1d02h, 2026-11-27 10:00 GMT+9',
        '⠋ waiting · starts in 45s, 2026-11-27 10:00 GMT+9',
        '⠋ waiting · starting (due 2026-11-27 10:00 GMT+9)',
        '⠋ waiting · waiting for deployment d-2 to finish',
        '⠋ waiting · window open but traffic is 900 requests/min',
      ]);
    });
  });

  describe('Method: lines (waiting)', () => {
    it('says until when the newest waiting entry of a deployment still waiting lasts, and leaves older ones as they were', () => {
      // Prepare
      const narrator = new DeploymentNarrator(plain, undefined, { timezone: 'UTC' });
      const old: TimelineEntry = { at: '2026-11-26T21:15:01.000Z', step: 'window', status: 'waiting', message: 'frozen: release freeze' };
      const newest: TimelineEntry = { at: '2026-11-26T21:16:01.000Z', step: 'window', status: 'waiting', message: 'outside the allowed windows' };
      const waiting = deploymentView({
        status: 'waiting',
        startedAt: '2026-11-26T21:15:00.000Z',
        startsAt: '2026-11-27T01:00:00.000Z',
        timeline: [old, newest],
      });

      // Act
      const lines = [
        ...narrator.lines({ kind: 'timeline', entry: old, deployment: waiting }, new Date()),
        ...narrator.lines({ kind: 'timeline', entry: newest, deployment: waiting }, new Date()),
      ];

      // Assess
      expect(lines).toEqual([
        '+1.0s    window  waiting  · frozen: release freeze',
        '+1m01s   window  waiting  · waiting until 2026-11-27 01:00 UTC (outside the allowed windows)',
      ]);
    });
  });
});

describe('Class: LiveLine', () => {
  it('redraws in place, cut to the terminal width, and prints finished lines above itself', () => {
    // Prepare
    const terminal = memoryStream(true);
    const live = new LiveLine(terminal);

    // Act
    live.render(`\u001b[36m${'x'.repeat(60)}\u001b[39m`);
    live.print('done\n');
    live.render('short');
    live.clear();

    // Assess
    expect(terminal.text).toBe(`\r\u001b[2K\u001b[36m${'x'.repeat(39)}\u001b[39m\r\u001b[2Kdone\n\r\u001b[2Kshort\r\u001b[2K`);
  });
});
