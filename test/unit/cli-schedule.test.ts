/**
 * Scheduled and waiting deployments in the CLI against the fake slipway API over real HTTP:
 * `deploy --at` (the scheduled start bound to the upload), following and promoting a deployment
 * that waits for its window, and how long a deployment waited in `history`, `logs` and `status`.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inTurn, problem, releaseGrant, type FakeRequest, type FakeSlipwayApi } from '../support/fake-slipway-api.js';
import { zipFiles } from '../../dev/zip.js';
import { deploymentIdForObject, type TimelineEntry } from '../../shared/domain/deployment.js';
import type { PutRelease } from '../../cli/artifact.js';
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
const nightlyTarget = { name: 'hello-nightly', kind: 'function', function: { name: 'hello', alias: 'live' }, strategy: 'AllAtOnce', window: nightly };

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-schedule-');
  ({ cwd, api } = workspace);
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  await workspace.close();
});

describe('Command: deploy --at', () => {
  const puts: FakeRequest[] = [];

  /** The presigned-upload route per the contract (echoing notBefore as a bound header) and the PUT behind it. */
  function presignedUploads(grant: (r: FakeRequest) => ReturnType<typeof releaseGrant> = (r) => releaseGrant(api.url, r)) {
    puts.length = 0;
    api.on('POST', '/targets/{name}/releases', grant);
    api.on('PUT', '/s3/slipway-artifacts/releases/{target}/{file}', (r) => {
      puts.push(r);
      const sha = createHash('sha256').update(r.body).digest('base64');
      return sha === r.headers['x-amz-checksum-sha256']
        ? { status: 200, headers: { 'x-amz-version-id': 'v-9' } }
        : { status: 400, body: '<Error><Code>BadDigest</Code></Error>' };
    });
  }

  beforeEach(async () => {
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'export const handler = async () => "r9";\n' }));
    api.on('GET', '/targets/{name}', ok(nightlyTarget));
  });

  const id = deploymentIdForObject({ bucket: 'slipway-artifacts', key: 'releases/hello-nightly/r9.zip', versionId: 'v-9' });
  const base = { id, release: 'r9', startedAt: '2026-11-26T21:15:01.000Z', notBefore: '2026-11-27T07:00:00.000Z' };
  const intake: TimelineEntry = { at: '2026-11-26T21:15:01.000Z', step: 'intake', status: 'queued', message: 's3://… uploaded' };
  const scheduledFor: TimelineEntry = { at: '2026-11-26T21:15:02.000Z', step: 'window', status: 'waiting', message: 'scheduled for 2026-11-27T07:00:00.000Z' };
  const lock: TimelineEntry = { at: '2026-11-27T07:00:05.000Z', step: 'lock', status: 'staging', message: 'target lock acquired' };
  const done: TimelineEntry = { at: '2026-11-27T07:00:09.000Z', step: 'finalize', status: 'succeeded', trafficPercent: 100 };

  it('sends notBefore with the upload request, PUTs the bound header, and follows "waiting until …" to success', async () => {
    // Prepare
    presignedUploads();
    api.on(
      'GET',
      `/deployments/${id}`,
      inTurn(
        ok(view({ ...base, status: 'waiting', startsAt: base.notBefore, reason: scheduledFor.message!, timeline: [intake, scheduledFor] })),
        ok(view({ ...base, status: 'succeeded', trafficPercent: 100, toVersion: '2', endedAt: done.at, timeline: [intake, scheduledFor, lock, done] })),
      ),
    );

    // Act: a wall time in the user's zone (New York)
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '2026-11-27T02:00'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests.find((r) => r.method === 'POST')!.json).toMatchObject({ release: 'r9', notBefore: '2026-11-27T07:00:00.000Z' });
    expect(puts).toHaveLength(1);
    expect(puts[0]!.headers['x-amz-meta-slipway-not-before']).toBe('2026-11-27T07:00:00.000Z');
    expect(stdout.text).toContain(
      "scheduled: starts no earlier than 2026-11-27 02:00 EST (your time; 2026-11-27 07:00 UTC), then only inside hello-nightly's deploy window (Europe/Berlin; see npx slipway windows show hello-nightly)\n",
    );
    expect(stdout.text).toMatch(/\+1\.0s +window {2}waiting {2}· waiting until 2026-11-27 02:00 EST \(scheduled for 2026-11-27T07:00:00\.000Z\)\n/);
    expect(stdout.text).toMatch(/lock {2}staging {2}· target lock acquired {2}· after waiting 9h45m \(schedule\)\n/);
    expect(stdout.text.trimEnd().split('\n').at(-1)).toMatch(/^✔ hello-nightly r9 succeeded in /);
    expect(stderr.text).toBe('');
  });

  it('reads ISO with an offset and +2h from now; --no-wait --json says when it starts', async () => {
    // Prepare
    presignedUploads();

    // Act
    const iso = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '2026-11-30T02:00+01:00', '--no-wait', '--json'], context());
    const isoJson = JSON.parse(stdout.text);
    stdout.text = '';
    const relative = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r10', '--at', '+2h', '--no-wait', '--json'], context());

    // Assess
    expect([iso, relative]).toEqual([0, 0]);
    expect(isoJson).toMatchObject({ release: 'r9', notBefore: '2026-11-30T01:00:00.000Z' });
    expect(JSON.parse(stdout.text)).toMatchObject({ release: 'r10', notBefore: '2026-11-26T23:15:00.000Z' });
    expect(api.calls().filter((c) => c.startsWith('GET /deployments'))).toEqual([]);
  });

  it.each([
    ['2026-11-26T20:00Z', /--at 2026-11-26 15:00 EST is in the past \(it is 2026-11-26 16:15 EST now\)/],
    ['+400d', /more than 360 days ahead/],
    ['2026-03-08T02:30', /does not exist in America\/New_York/],
    ['next friday', /is not a time/],
  ])('refuses --at %j with exit 2 before uploading anything', async (at, message) => {
    // Prepare
    presignedUploads();

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '--at', at], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(message);
    expect(api.requests).toHaveLength(0);
  });

  it('uploads nothing (exit 1) when the API does not bind the scheduled start to the upload URL', async () => {
    // Prepare: an API that takes the field but ignores it
    presignedUploads((r) => {
      const { notBefore: _ignored, ...body } = r.json as Record<string, unknown>;
      return releaseGrant(api.url, { ...r, json: body });
    });

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '+2h'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain(`the slipway API at ${api.url} does not take scheduled deploys (--at) yet, so nothing was uploaded`);
    expect(stderr.text).toContain('does not bind x-amz-meta-slipway-not-before');
    expect(puts).toHaveLength(0);
  });

  it('says the API is older than --at (exit 1) when it refuses notBefore as an unknown field', async () => {
    // Prepare: a strict request schema without the field, answering as the API's does today
    presignedUploads(() =>
      problem(400, 'validation', 'invalid upload request: (root): unknown field(s) "notBefore"', [{ path: '(root)', message: 'unknown field(s) "notBefore"' }]),
    );

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '+2h'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain('does not take scheduled deploys (--at) yet, so nothing was uploaded');
    expect(stderr.text).toContain('(it refused the field: The request is invalid: invalid upload request (root): unknown field(s) "notBefore")');
    expect(puts).toHaveLength(0);
  });

  it('passes any other 400 about notBefore through as a usage error (exit 2)', async () => {
    // Prepare: an API that knows the field and refuses the value
    presignedUploads(() =>
      problem(400, 'validation', 'invalid upload request: notBefore: must have an offset', [{ path: 'notBefore', message: 'must have an offset' }]),
    );

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '+2h'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain('notBefore: must have an offset');
  });

  it('sets the slipway-not-before metadata on PutObject when the API has no presigned uploads', async () => {
    // Prepare
    const uploads: Parameters<PutRelease>[0][] = [];
    const putRelease: PutRelease = async (input) => {
      uploads.push(input);
      return { versionId: 'v-1' };
    };

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '+30m', '--no-wait'], context({ putRelease }));

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.notBefore).toBe('2026-11-26T21:45:00.000Z');
    expect(stdout.text).toContain("the scheduled start goes as the object's slipway-not-before metadata");
  });

  it('warns when the deployment was recorded without the scheduled start', async () => {
    // Prepare
    presignedUploads();
    api.on('GET', `/deployments/${id}`, ok(view({ ...base, notBefore: null, status: 'succeeded', endedAt: done.at, timeline: [intake, done] })));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '+2h'], context());

    // Assess
    expect(code).toBe(0);
    expect(stderr.text).toContain(`slipway: warning: deployment ${id} was recorded without the scheduled start (notBefore none)`);
  });

  it('shows the countdown to the start on the live line at a terminal', async () => {
    // Prepare
    presignedUploads();
    api.on(
      'GET',
      `/deployments/${id}`,
      inTurn(
        ok(view({ ...base, status: 'waiting', startsAt: base.notBefore, reason: scheduledFor.message!, timeline: [intake, scheduledFor] })),
        ok(
          view({
            ...base,
            status: 'cancelled',
            endedAt: '2026-11-26T21:20:00.000Z',
            reason: 'cancelled by local-developer',
            timeline: [intake, scheduledFor, { at: '2026-11-26T21:20:00.000Z', step: 'cancel', status: 'cancelled' }],
          }),
        ),
      ),
    );
    const terminal = memoryStream(true);

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-nightly', '-r', 'r9', '--at', '2026-11-27T07:00Z'], context({ stdout: terminal }));

    // Assess
    expect(code).toBe(1);
    expect(terminal.text).toContain('waiting\u001b[39m · starts in 9h45m, 2026-11-27 02:00 EST');
  });
});

describe('Command: promote a waiting deployment', () => {
  it('starts it despite the window and follows it to success (exit 0)', async () => {
    // Prepare
    const waiting: TimelineEntry = { at: '2026-11-26T21:15:01.000Z', step: 'window', status: 'waiting', message: waitingReason };
    const promoted: TimelineEntry = {
      at: '2026-11-26T21:16:00.000Z',
      step: 'window',
      message: 'started by promote from local-developer: hotfix for the outage',
    };
    const lock: TimelineEntry = { at: '2026-11-26T21:16:00.100Z', step: 'lock', status: 'staging', message: 'target lock acquired' };
    const done: TimelineEntry = { at: '2026-11-26T21:16:03.000Z', step: 'finalize', status: 'succeeded', trafficPercent: 100 };
    const base = { id: 'd-5', release: 'r5', startedAt: '2026-11-26T21:15:00.000Z' };
    api.on(
      'POST',
      '/deployments/{id}/promote',
      ok(view({ ...base, status: 'waiting', startsAt: '2026-11-27T01:00:00.000Z', reason: waitingReason, timeline: [waiting] }), 202),
    );
    api.on('GET', '/targets/{name}', ok(nightlyTarget));
    api.on(
      'GET',
      '/deployments/{id}',
      inTurn(
        ok(view({ ...base, status: 'waiting', startsAt: '2026-11-27T01:00:00.000Z', reason: waitingReason, timeline: [waiting] })),
        ok(view({ ...base, status: 'succeeded', trafficPercent: 100, toVersion: '2', endedAt: done.at, timeline: [waiting, promoted, lock, done] })),
      ),
    );

    // Act
    const code = await run(['promote', 'd-5', '--reason', 'hotfix for the outage'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]).toMatchObject({ path: '/deployments/d-5/promote', json: { reason: 'hotfix for the outage' } });
    expect(stdout.text).toContain(
      'promoted d-5 (hello-nightly r5, waiting): it starts now, despite the deploy window, freezes and any --at — "hotfix for the outage"',
    );
    expect(stdout.text).toContain('waiting until 2026-11-26 20:00 EST (waiting for the deploy window');
    expect(stdout.text).toContain('  +1m00s   window  · started by promote from local-developer: hotfix for the outage\n');
    expect(stdout.text).toContain('  +1m00s   lock  staging  · target lock acquired  · after waiting 59s (window, then promoted)\n');
    expect(stdout.text.trimEnd().split('\n').at(-1)).toMatch(/^✔ hello-nightly r5 succeeded/);
  });
});

describe('Waits in history, logs and status', () => {
  const t = (minutes: number) => new Date(Date.parse('2026-11-26T22:00:00.000Z') + minutes * 60_000).toISOString();
  const waited = view({
    id: 'd-7',
    release: 'r7',
    status: 'succeeded',
    trafficPercent: 100,
    startedAt: t(0),
    endedAt: t(185),
    timeline: [
      { at: t(0), step: 'intake', status: 'queued', message: 's3://… uploaded' },
      { at: t(0), step: 'window', status: 'waiting', message: waitingReason },
      { at: t(180), step: 'window', message: 'deploy window open until 2026-11-27 05:00 GMT+1 (2026-11-27 04:00 UTC)' },
      { at: t(180), step: 'lock', status: 'staging', message: 'target lock acquired' },
      { at: t(185), step: 'finalize', status: 'succeeded', trafficPercent: 100 },
    ],
  });
  const stillWaiting = view({
    id: 'd-8',
    release: 'r8',
    status: 'waiting',
    startedAt: t(0),
    notBefore: '2026-11-27T07:00:00.000Z',
    startsAt: '2026-11-27T07:00:00.000Z',
    reason: 'scheduled for 2026-11-27T07:00:00.000Z',
    timeline: [{ at: t(0), step: 'window', status: 'waiting', message: 'scheduled for 2026-11-27T07:00:00.000Z' }],
  });
  const plain = view({ id: 'd-6', release: 'r6', status: 'succeeded' });

  it('history shows a WAITED column: how long and why, a + while it still waits', async () => {
    // Prepare
    api.on('GET', '/deployments', ok({ deployments: [stillWaiting, waited, plain], nextCursor: null }));
    const at = new Date(t(30));

    // Act
    const code = await run(['history', 'hello-nightly'], context({ now: () => at }));

    // Assess
    expect(code).toBe(0);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+RELEASE\s+STATUS\s+TRAFFIC\s+FROM→TO\s+TRIGGER\s+BY\s+STARTED\s+WAITED\s+REASON$/);
    const column = lines[0]!.indexOf('WAITED');
    expect(lines[1]!.slice(column)).toBe('30m00s+ schedule  scheduled for 2026-11-27T07:00:00.000Z');
    expect(lines[2]!.slice(column).trimEnd()).toBe('3h00m window');
    expect(lines[3]!.slice(column).trimEnd()).toBe('-');
  });

  it('logs says how long and why it waited; --follow says it once, when the deployment starts', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}/events', ok({ deploymentId: 'd-7', status: 'succeeded', events: waited.timeline }));

    // Act
    const once = await run(['logs', 'd-7'], context());
    const onceText = stdout.text;
    stdout.text = '';
    api.on(
      'GET',
      '/deployments/{id}/events',
      inTurn(
        ok({ deploymentId: 'd-7', status: 'waiting', events: waited.timeline.slice(0, 2) }),
        ok({ deploymentId: 'd-7', status: 'staging', events: waited.timeline.slice(0, 4) }),
        ok({ deploymentId: 'd-7', status: 'succeeded', events: waited.timeline }),
      ),
    );
    const followed = await run(['logs', 'd-7', '--follow'], context());

    // Assess
    expect([once, followed]).toEqual([0, 0]);
    const line = `waited 3h00m (2026-11-26 22:00:00Z → 2026-11-27 01:00:00Z): ${waitingReason}`;
    expect(onceText.split('\n').slice(-3)).toEqual([line, 'd-7 succeeded', '']);
    const lines = stdout.text.split('\n');
    expect(lines.filter((l) => l === line)).toHaveLength(1);
    expect(lines.indexOf(line)).toBe(lines.findIndex((l) => l.includes('target lock acquired')) + 1);
  });

  it('status shows the scheduled start, when it starts and how long it waited', async () => {
    // Prepare
    api.on('GET', '/deployments/d-8', ok(stillWaiting));
    api.on('GET', '/deployments/d-7', ok(waited));

    // Act
    const waiting = await run(['status', 'd-8'], context());
    const waitingText = stdout.text;
    stdout.text = '';
    const done = await run(['status', 'd-7'], context());

    // Assess
    expect([waiting, done]).toEqual([0, 0]);
    expect(waitingText).toContain('  scheduled 2026-11-27 02:00 EST\n  starts    2026-11-27 02:00 EST (in 9h45m)\n');
    expect(stdout.text).toContain('  waited    3h00m window\n');
  });
});
