/**
 * The CLI commands against a fake slipway API served over real HTTP on a loopback port
 * (test/support/fake-slipway-api.ts), answering per the issue 4 API contract, including the
 * presigned upload URL the CLI PUTs the release to.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import { inTurn, problem, type FakeHandler, type FakeRequest, type FakeSlipwayApi } from '../support/fake-slipway-api.js';
import { zipFiles } from '../../dev/zip.js';
import { deploymentIdForObject, type DeploymentView, type TimelineEntry } from '../../shared/domain/deployment.js';
import type { PutRelease } from '../../cli/artifact.js';
import type { CliContext } from '../../cli/context.js';
import { run } from '../../cli/program.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';
import { openCliWorkspace } from '../support/cli-workspace.js';

const memoryStream = (tty = false) => newMemoryStream({ tty, columns: 100 });

let cwd: string;
let workspace: Awaited<ReturnType<typeof openCliWorkspace>>;
let api: FakeSlipwayApi;
let stdout: ReturnType<typeof memoryStream>;
let stderr: ReturnType<typeof memoryStream>;

function context(overrides: Partial<CliContext> = {}): CliContext {
  return { cwd, env: {}, stdout, stderr, projectRoot: cwd, sleep: async () => {}, pollIntervalMs: 1, ...overrides };
}

const view = (overrides: Partial<DeploymentView> = {}): DeploymentView => deploymentView(overrides);
const ok = (body: unknown, status = 200) => ({ status, body });
const hello = { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' }, strategy: 'AllAtOnce', health: { alarms: [], pollSeconds: 30 } };
const targetList = (...names: string[]) => ok({ targets: names.map((name) => ({ name, kind: 'function' })) });
/** Anything left in a non-interactive stream that only a terminal should get. */
const TERMINAL_ONLY = /\r|\u001b|█|ETA/;

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-api-');
  ({ cwd, api } = workspace);
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  await workspace.close();
});

/**
 * `POST /targets/{name}/releases` answering with an upload URL on the same fake server, and the
 * PUT behind it checking the declared size and sha256 the way S3 does (400 BadDigest otherwise).
 */
function presignedUploads(options: { versionId?: string; putAnswer?: FakeHandler } = {}) {
  const puts: FakeRequest[] = [];
  api.on('POST', '/targets/{name}/releases', (request) => {
    const body = request.json as { release: string; sha256: string; size: number };
    const key = `releases/${request.params.name}/${body.release}.zip`;
    return ok(
      {
        target: request.params.name,
        release: body.release,
        bucket: 'slipway-artifacts',
        key,
        url: `${api.url}/s3/slipway-artifacts/${key}?X-Amz-Signature=abc`,
        method: 'PUT',
        headers: {
          'content-type': 'application/zip',
          'content-length': String(body.size),
          'x-amz-checksum-sha256': Buffer.from(body.sha256, 'hex').toString('base64'),
        },
        expiresAt: '2026-11-26T21:30:00.000Z',
      },
      201,
    );
  });
  api.on(
    'PUT',
    '/s3/slipway-artifacts/releases/{target}/{file}',
    options.putAnswer ??
      ((request) => {
        puts.push(request);
        const sha = createHash('sha256').update(request.body).digest('base64');
        if (sha !== request.headers['x-amz-checksum-sha256']) {
          return {
            status: 400,
            headers: { 'content-type': 'application/xml' },
            body: '<Error><Code>BadDigest</Code><Message>The sha256 you specified did not match the calculated checksum.</Message></Error>',
          };
        }
        const headers: Record<string, string> = { etag: '"e7a1"' };
        if (options.versionId) headers['x-amz-version-id'] = options.versionId;
        return { status: 200, headers };
      }),
  );
  return puts;
}

async function siteDirectory(): Promise<string> {
  const dir = join(cwd, 'site');
  await mkdir(join(dir, 'assets'), { recursive: true });
  await writeFile(join(dir, 'index.html'), '<h1>r5</h1>\n');
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log("r5");\n');
  return dir;
}

describe('Command: deploy (presigned upload)', () => {
  it('zips a directory, PUTs it to the presigned URL with the returned headers, follows the deployment and exits 0', async () => {
    // Prepare
    await siteDirectory();
    const puts = presignedUploads({ versionId: 'v-7' });
    const id = deploymentIdForObject({ bucket: 'slipway-artifacts', key: 'releases/hello/r5.zip', versionId: 'v-7' });
    api.on('GET', '/targets/hello', ok(hello));
    api.on(
      'GET',
      `/deployments/${id}`,
      inTurn(
        problem(404, 'not-found', 'not yet'),
        ok(view({ id, release: 'r5', status: 'shifting', trafficPercent: 100 })),
        ok(view({ id, release: 'r5', status: 'succeeded', trafficPercent: 100, toVersion: '2', endedAt: '2026-11-26T21:15:02.500Z' })),
      ),
    );

    // Act
    const code = await run(['deploy', 'site', '--target', 'hello', '--release', 'r5'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    const announced = api.requests.find((r) => r.path === '/targets/hello/releases')!.json as { sha256: string; size: number };
    expect(puts).toHaveLength(1);
    expect(puts[0]!.body.length).toBe(announced.size);
    expect(createHash('sha256').update(puts[0]!.body).digest('hex')).toBe(announced.sha256);
    expect(puts[0]!.headers['content-type']).toBe('application/zip');
    expect(puts[0]!.headers['transfer-encoding']).toBeUndefined();
    expect(stdout.text).toMatch(/^site \(zipped 2 files, \d+ B, sha256 [0-9a-f]{12}…\) → hello release r5$/m);
    expect(stdout.text).toContain(`to s3://slipway-artifacts/releases/hello/r5.zip (version v-7); deployment ${id}`);
    expect(stdout.text.trimEnd().split('\n').at(-1)).toBe(`✔ hello r5 succeeded in 2.5s (version 1→2)  ${id}`);
    expect(stdout.text).not.toMatch(TERMINAL_ONLY);
  });

  it('draws a progress bar with bytes, rate and ETA at a terminal only', async () => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'x'.repeat(200_000) }, { compress: false }));
    presignedUploads();
    api.on('GET', '/targets/hello', ok(hello));
    const terminal = memoryStream(true);
    const noColor = memoryStream(true);

    // Act
    const atTerminal = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r6', '--no-wait'], context({ stdout: terminal }));
    const withNoColor = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r7', '--no-wait'], context({ stdout: noColor, env: { NO_COLOR: '1' } }));

    // Assess
    expect([atTerminal, withNoColor]).toEqual([0, 0]);
    expect(terminal.text).toMatch(/uploading █+ 100% \| 195\.4 KiB\/195\.4 KiB \| [\d.]+ (B|KiB|MiB|GiB)\/s \| ETA /);
    expect(noColor.text).not.toMatch(TERMINAL_ONLY);
    expect(noColor.text).toContain('uploaded in');
  });

  it('--no-wait --json prints where the release went and the deployment id, without following', async () => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'export const handler = 1;\n' }));
    presignedUploads();
    api.on('GET', '/targets/hello', ok(hello));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r8', '--no-wait', '--json'], context());

    // Assess
    expect(code).toBe(0);
    const printed = JSON.parse(stdout.text);
    expect(printed).toMatchObject({ target: 'hello', release: 'r8', bucket: 'slipway-artifacts', key: 'releases/hello/r8.zip', versionId: null });
    expect(printed.id).toBe(deploymentIdForObject({ bucket: 'slipway-artifacts', key: 'releases/hello/r8.zip', etag: 'e7a1' }));
    expect(api.calls().filter((c) => c.startsWith('GET /deployments'))).toEqual([]);
    expect(stderr.text).toContain('uploaded in');
  });

  it('refuses a release name that exists (409) with exit code 2 and uploads nothing', async () => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'x' }));
    const puts = presignedUploads();
    api.on('GET', '/targets/hello', ok(hello));
    api.on('POST', '/targets/{name}/releases', problem(409, 'conflict', 'release r1 of hello already exists'));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r1'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain('release r1 of hello already exists');
    expect(stderr.text).toContain('pass another --release');
    expect(puts).toHaveLength(0);
  });

  it('exits 1 with the S3 error code and what to do when the upload is refused', async () => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'x' }));
    presignedUploads({
      putAnswer: () => ({
        status: 403,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      }),
    });
    api.on('GET', '/targets/hello', ok(hello));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r9'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/refused \(HTTP 403 AccessDenied\): Request has expired; the upload URL expired/);
  });

  it('falls back to the artifact bucket when the API has no presigned-upload route', async () => {
    // Prepare
    await siteDirectory();
    api.on('GET', '/targets/hello', ok(hello));
    const uploads: Parameters<PutRelease>[0][] = [];
    const putRelease: PutRelease = async (input) => {
      uploads.push(input);
      return { versionId: 'v-1' };
    };

    // Act
    const code = await run(['deploy', 'site', '-t', 'hello', '-r', 'r5', '--no-wait', '--json'], context({ putRelease }));

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.calls()).toEqual(['GET /targets/hello', 'POST /targets/hello/releases']);
    expect(uploads.map((u) => [u.store.bucket, u.key])).toEqual([['slipway-dev-artifacts', 'releases/hello/r5.zip']]);
    expect(JSON.parse(stdout.text).sha256).toBe(uploads[0]!.artifact.sha256);
  });

  it('draws the progress bar for the straight-to-bucket upload too, at a terminal', async () => {
    // Prepare
    await siteDirectory();
    api.on('GET', '/targets/hello', ok(hello));
    const putRelease: PutRelease = async ({ artifact, onProgress }) => {
      onProgress?.(Math.floor(artifact.size / 2));
      onProgress?.(artifact.size);
      return { versionId: 'v-1' };
    };
    const terminal = memoryStream(true);

    // Act
    const code = await run(['deploy', 'site', '-t', 'hello', '-r', 'r5', '--no-wait'], context({ putRelease, stdout: terminal }));

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(terminal.text).toMatch(/uploading █+ 100% \| \d+ B\/\d+ B \|/);
  });

  it('shows the bake, its countdown target and the health verdict while following a canary', async () => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'x' }));
    presignedUploads({ versionId: 'v-2' });
    const id = deploymentIdForObject({ bucket: 'slipway-artifacts', key: 'releases/hello-canary/c2.zip', versionId: 'v-2' });
    api.on(
      'GET',
      '/targets/hello-canary',
      ok({
        ...hello,
        name: 'hello-canary',
        strategy: { type: 'canary', percent: 50, bakeSeconds: 5 },
        health: { alarms: ['hello-canary-errors'], pollSeconds: 1 },
      }),
    );
    const t0 = '2026-11-26T21:15:00.000Z';
    const shift50: TimelineEntry = {
      at: '2026-11-26T21:15:00.500Z',
      step: 'shift',
      status: 'shifting',
      trafficPercent: 50,
      message: '50% of traffic on version 2',
    };
    const shift100: TimelineEntry = {
      at: '2026-11-26T21:15:05.600Z',
      step: 'shift',
      status: 'verifying',
      trafficPercent: 100,
      message: '100% of traffic on version 2',
    };
    const done: TimelineEntry = { at: '2026-11-26T21:15:05.900Z', step: 'finalize', status: 'succeeded', trafficPercent: 100 };
    const base = { id, target: 'hello-canary', release: 'c2', startedAt: t0, toVersion: '2' };
    api.on(
      'GET',
      `/deployments/${id}`,
      inTurn(
        ok(view({ ...base, status: 'shifting', trafficPercent: 50, timeline: [shift50] })),
        ok(view({ ...base, status: 'succeeded', trafficPercent: 100, endedAt: done.at, timeline: [shift50, shift100, done] })),
      ),
    );

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello-canary', '-r', 'c2'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    const lines = stdout.text.split('\n');
    expect(lines.find((l) => l.includes('traffic 50%'))).toMatch(
      /\+0\.5s\s+shift\s+shifting\s+traffic 50%.*· baking 5\.0s, watching alarm hello-canary-errors/,
    );
    const verdict = lines.findIndex((l) => l.includes('health'));
    expect(lines[verdict]).toMatch(/\+5\.6s\s+health\s+✔ every check passed through the 5\.0s bake at 50% \(alarm hello-canary-errors\)/);
    expect(lines[verdict + 1]).toMatch(/shift\s+verifying\s+traffic 100%/);
    expect(lines.filter(Boolean).at(-1)).toBe(`✔ hello-canary c2 succeeded in 5.9s (version 1→2)  ${id}`);
  });
});

describe('Command: logs', () => {
  const timeline: TimelineEntry[] = [
    { at: '2026-11-26T21:15:00.100Z', step: 'intake', status: 'queued', message: 's3://… uploaded' },
    { at: '2026-11-26T21:15:00.600Z', step: 'shift', status: 'shifting', trafficPercent: 50, message: '50% of traffic on version 2' },
    {
      at: '2026-11-26T21:15:05.700Z',
      step: 'rollback',
      status: 'rolled_back',
      trafficPercent: 0,
      message: 'alarm "hello-canary-errors" went to ALARM during the bake',
    },
  ];

  it('prints the timeline from GET /deployments/{id}/events, and the document itself with --json', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}/events', (r) => ok({ deploymentId: r.params.id, status: 'rolled_back', events: timeline }));

    // Act
    const human = await run(['logs', 'd-1'], context());
    const humanText = stdout.text;
    stdout.text = '';
    const json = await run(['logs', 'd-1', '--json'], context());

    // Assess
    expect([human, json]).toEqual([0, 0]);
    expect(humanText.split('\n')).toEqual([
      '2026-11-26 21:15:00Z  +0.0s    intake  queued  · s3://… uploaded',
      '2026-11-26 21:15:00Z  +0.5s    shift  shifting  traffic 50%  · 50% of traffic on version 2',
      '2026-11-26 21:15:05Z  +5.6s    rollback  rolled_back  traffic 0%  · alarm "hello-canary-errors" went to ALARM during the bake',
      'd-1 rolled_back',
      '',
    ]);
    expect(JSON.parse(stdout.text)).toEqual({ deploymentId: 'd-1', status: 'rolled_back', events: timeline });
  });

  it('reads the timeline from GET /deployments/{id} when the API has no events route', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}', ok(view({ id: 'd-1', status: 'rolled_back', timeline })));

    // Act
    const code = await run(['logs', 'd-1', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.calls()).toEqual(['GET /deployments/d-1/events', 'GET /deployments/d-1']);
    expect(JSON.parse(stdout.text)).toEqual({ deploymentId: 'd-1', status: 'rolled_back', events: timeline });
  });

  it('--follow prints each entry once as it comes, one JSON line each with --json, and exits 1 for a rollback', async () => {
    // Prepare
    api.on(
      'GET',
      '/deployments/{id}/events',
      inTurn(
        problem(404, 'not-found', 'deployment d-1 not found'),
        ok({ deploymentId: 'd-1', status: 'queued', events: timeline.slice(0, 1) }),
        ok({ deploymentId: 'd-1', status: 'shifting', events: timeline.slice(0, 2) }),
        ok({ deploymentId: 'd-1', status: 'shifting', events: timeline.slice(0, 2) }),
        ok({ deploymentId: 'd-1', status: 'rolled_back', events: timeline }),
      ),
    );

    // Act
    const code = await run(['logs', 'd-1', '--follow', '--json'], context());

    // Assess
    expect(code).toBe(1);
    expect(
      stdout.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(timeline);
    expect(api.calls()).toHaveLength(5);
  });

  it('exits 2 for a deployment that does not exist', async () => {
    // Prepare
    api.on('GET', '/deployments/{id}/events', problem(404, 'not-found', 'deployment d-nope not found'));

    // Act
    const code = await run(['logs', 'd-nope'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/deployment d-nope not found/);
  });
});

describe('Command: cancel', () => {
  it('sends the reason, follows to cancelled and exits 0', async () => {
    // Prepare
    api.on('POST', '/deployments/{id}/cancel', (r) => ok(view({ id: r.params.id, status: 'staging' }), 202));
    api.on(
      'GET',
      '/deployments/{id}',
      inTurn(ok(view({ status: 'staging' })), ok(view({ status: 'cancelled', reason: 'cancelled by local-developer: wrong build' }))),
    );

    // Act
    const code = await run(['cancel', 'd-1', '--reason', 'wrong build'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]!.json).toEqual({ reason: 'wrong build' });
    expect(stdout.text).toContain('cancelling d-1 (hello r2, staging): no traffic has moved, so it ends cancelled with nothing changed');
    expect(stdout.text).toMatch(/✘ hello r2 cancelled in .*: cancelled by local-developer: wrong build/);
  });

  it('exits 0 when traffic had moved and it rolls back, 1 when it finished before the cancel took', async () => {
    // Prepare
    api.on('POST', '/deployments/{id}/cancel', ok(view({ status: 'shifting', trafficPercent: 50 }), 202));
    api.on('GET', '/deployments/{id}', ok(view({ status: 'rolled_back' })));

    // Act
    const rolledBack = await run(['cancel', 'd-1'], context());
    api.on('GET', '/deployments/{id}', ok(view({ status: 'succeeded', trafficPercent: 100 })));
    const tooLate = await run(['cancel', 'd-1'], context());

    // Assess
    expect([rolledBack, tooLate]).toEqual([0, 1]);
    expect(api.requests[0]!.json).toEqual({});
    expect(stdout.text).toContain('traffic has moved, so it rolls back');
  });

  it('exits 1 with the API detail when the deployment already ended (409)', async () => {
    // Prepare
    api.on('POST', '/deployments/{id}/cancel', problem(409, 'conflict', 'deployment d-1 already ended: succeeded'));

    // Act
    const code = await run(['cancel', 'd-1'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toBe('slipway: The request conflicts with the current state: deployment d-1 already ended: succeeded\n');
  });

  it('--no-wait --json prints the accepted deployment and does not follow', async () => {
    // Prepare
    const accepted = view({ status: 'shifting', trafficPercent: 10 });
    api.on('POST', '/deployments/{id}/cancel', ok(accepted, 202));

    // Act
    const code = await run(['cancel', 'd-1', '--no-wait', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toEqual(accepted);
    expect(api.calls()).toEqual(['POST /deployments/d-1/cancel']);
  });

  it('says the API is older than the CLI when it has no cancel route, and exits 1', async () => {
    // Act
    const code = await run(['cancel', 'd-1'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain(`the slipway API at ${api.url} has no route POST /deployments/d-1/cancel: it is older than this CLI`);
  });
});

describe('Command: promote', () => {
  it('requires --reason: exit 2 without one, or with an empty one, and nothing is sent', async () => {
    // Act
    const missing = await run(['promote', 'd-1'], context());
    const empty = await run(['promote', 'd-1', '--reason', '  '], context());

    // Assess
    expect([missing, empty]).toEqual([2, 2]);
    expect(stderr.text).toMatch(/required option '--reason <text>' not specified/);
    expect(stderr.text).toMatch(/--reason must say why/);
    expect(api.requests).toHaveLength(0);
  });

  it('sends the reason and follows the deployment to succeeded (exit 0)', async () => {
    // Prepare
    api.on('POST', '/deployments/{id}/promote', ok(view({ status: 'shifting', trafficPercent: 10 }), 202));
    api.on(
      'GET',
      '/deployments/{id}',
      inTurn(ok(view({ status: 'verifying', trafficPercent: 100 })), ok(view({ status: 'succeeded', trafficPercent: 100, toVersion: '2' }))),
    );

    // Act
    const code = await run(['promote', 'd-1', '--reason', 'metrics look fine'], context());

    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/deployments/d-1/promote', json: { reason: 'metrics look fine' } });
    expect(stdout.text).toContain('promoted d-1 (hello r2 at 10%): the rest of the bake is skipped — "metrics look fine"');
  });

  it('exits 1 with the detail when the deployment is not baking (409)', async () => {
    // Prepare
    api.on('POST', '/deployments/{id}/promote', problem(409, 'conflict', 'deployment d-1 is not in a bake'));

    // Act
    const code = await run(['promote', 'd-1', '--reason', 'go'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain('deployment d-1 is not in a bake');
  });
});

describe('Command: hooks', () => {
  const created = {
    id: 'h-0123abcd',
    target: 'hello',
    name: 'github-main',
    release: null,
    url: '/hooks/h-0123abcd',
    secret: 'shk_7f3a9c2e1b',
    createdAt: '2026-11-26T21:15:00.000Z',
  };

  it('create prints the absolute URL and the secret once, with the warning that it is not shown again', async () => {
    // Prepare
    api.on('POST', '/targets/{name}/hooks', ok(created, 201));

    // Act
    const code = await run(['hooks', 'create', 'hello', '--name', 'github-main'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.requests[0]!.json).toEqual({ name: 'github-main' });
    expect(stdout.text).toContain(`url     ${api.url}/hooks/h-0123abcd`);
    expect(stdout.text.split('shk_7f3a9c2e1b')).toHaveLength(2);
    expect(stdout.text).toContain('Copy the secret now: slipway stores only its hash and will never show it again.');
    expect(stdout.text).toContain(`curl -fsS -X POST -H "X-Slipway-Hook-Secret: $SLIPWAY_HOOK_SECRET" ${api.url}/hooks/h-0123abcd`);
  });

  it('create --json prints the hook with its secret and absolute URL; the warning goes to stderr', async () => {
    // Prepare
    api.on('POST', '/targets/{name}/hooks', (r) => ok({ ...created, release: (r.json as { release?: string }).release ?? null }, 201));

    // Act
    const code = await run(['hooks', 'create', 'hello', '--name', 'github-main', '--release', 'r3', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.requests[0]!.json).toEqual({ name: 'github-main', release: 'r3' });
    expect(JSON.parse(stdout.text)).toEqual({ ...created, release: 'r3', hookUrl: `${api.url}/hooks/h-0123abcd` });
    expect(stderr.text).toContain('will never show it again');
  });

  it.each(['no/slash', '.slipway', '..'])('create refuses the release name %s with exit 2 before calling the API', async (release) => {
    // Act
    const code = await run(['hooks', 'create', 'hello', '--name', 'ci', '--release', release], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain(`invalid release name "${release}"`);
    expect(api.requests).toHaveLength(0);
  });

  it('list shows a table without secrets, and an array with --json', async () => {
    // Prepare
    const hooks = [
      { id: 'h-1', target: 'hello', name: 'github-main', release: null, createdAt: '2026-11-26T21:15:00.000Z', lastUsedAt: '2026-11-27T08:00:00.000Z' },
      { id: 'h-2', target: 'hello', name: 'nightly', release: 'r3', createdAt: '2026-11-26T22:00:00.000Z', lastUsedAt: null },
    ];
    api.on('GET', '/targets/{name}/hooks', ok({ hooks }));

    // Act
    const table = await run(['hooks', 'list', 'hello'], context());
    const tableText = stdout.text;
    stdout.text = '';
    const json = await run(['hooks', 'list', 'hello', '--json'], context());

    // Assess
    expect([table, json]).toEqual([0, 0]);
    expect(tableText.split('\n')).toEqual([
      'ID   NAME         RELEASE   CREATED               LAST USED',
      'h-1  github-main  (newest)  2026-11-26 21:15:00Z  2026-11-27 08:00:00Z',
      'h-2  nightly      r3        2026-11-26 22:00:00Z  never',
      '',
    ]);
    expect(JSON.parse(stdout.text)).toEqual(hooks);
  });

  it('revoke sends DELETE and confirms', async () => {
    // Prepare
    api.on('DELETE', '/targets/{name}/hooks/{hookId}', { status: 204 });

    // Act
    const code = await run(['hooks', 'revoke', 'hello', 'h-1'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.calls()).toEqual(['DELETE /targets/hello/hooks/h-1']);
    expect(stdout.text).toBe('✔ revoked hook h-1 of hello: its URL is refused from now on\n');
  });

  it('revoke of an unknown hook of a known target passes the 404 through (exit 2), without suggesting targets', async () => {
    // Prepare
    api.on('DELETE', '/targets/{name}/hooks/{hookId}', problem(404, 'not-found', 'hook h-9 of hello not found'));
    api.on('GET', '/targets', targetList('hello', 'www'));

    // Act
    const code = await run(['hooks', 'revoke', 'hello', 'h-9'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: Not found: hook h-9 of hello not found\n');
  });

  it('list for an unknown target names the close ones', async () => {
    // Prepare
    api.on('GET', '/targets/{name}/hooks', problem(404, 'not-found', 'target "hello-canry" is not registered'));
    api.on('GET', '/targets', targetList('hello', 'hello-canary', 'www'));

    // Act
    const code = await run(['hooks', 'list', 'hello-canry'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: target "hello-canry" is not registered. Did you mean "hello-canary" or "hello"?\n');
  });
});

describe('Command: targets get and delete', () => {
  it('get of an unknown target lists the close names', async () => {
    // Prepare
    api.on('GET', '/targets/{name}', problem(404, 'not-found', 'target "www-stagin" is not registered'));
    api.on('GET', '/targets', targetList('hello', 'www', 'www-staging'));

    // Act
    const code = await run(['targets', 'get', 'www-stagin'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: target "www-stagin" is not registered. Did you mean "www-staging" or "www"?\n');
  });

  it('delete asks for --yes when not at a terminal, and deletes nothing without it', async () => {
    // Prepare
    api.on('GET', '/targets/{name}', ok(hello));

    // Act
    const code = await run(['targets', 'delete', 'hello'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/cannot be undone; pass --yes/);
    expect(api.calls()).toEqual(['GET /targets/hello']);
  });

  it('delete --yes sends DELETE /targets/{name}', async () => {
    // Prepare
    api.on('GET', '/targets/{name}', ok(hello));
    api.on('DELETE', '/targets/{name}', { status: 204 });

    // Act
    const code = await run(['targets', 'delete', 'hello', '--yes', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.calls()).toEqual(['GET /targets/hello', 'DELETE /targets/hello']);
    expect(JSON.parse(stdout.text)).toEqual({ deleted: 'hello' });
  });

  it('delete exits 1 with the detail and what to do while a deployment runs (409)', async () => {
    // Prepare
    api.on('GET', '/targets/{name}', ok(hello));
    api.on('DELETE', '/targets/{name}', problem(409, 'conflict', 'hello has an active deployment d-1'));

    // Act
    const code = await run(['targets', 'delete', 'hello', '-y'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain('hello has an active deployment d-1');
    expect(stderr.text).toContain('npx slipway cancel <id>');
  });

  it('delete says the API is older than the CLI when DELETE is not allowed there (405), exit 1', async () => {
    // Prepare
    api.on('GET', '/targets/{name}', ok(hello));

    // Act
    const code = await run(['targets', 'delete', 'hello', '--yes'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain('has no route DELETE /targets/hello');
  });
});

describe('Command: history', () => {
  const deployments = Array.from({ length: 7 }, (_, i) =>
    view({ id: `d-${7 - i}`, target: i % 2 ? 'www' : 'hello', status: i === 1 ? 'rolled_back' : 'succeeded' }),
  );

  /** GET /deployments over `deployments`, pages of `limit`, cursor = base64url of the next index. */
  function pagedDeployments() {
    api.on('GET', '/deployments', (r) => {
      const limit = Number(r.query.get('limit') ?? 20);
      const cursor = r.query.get('cursor');
      if (cursor !== null && !/^[A-Za-z0-9_-]+$/.test(cursor))
        return problem(400, 'validation', 'invalid cursor', [{ path: 'query.cursor', message: 'is not a cursor this API issued' }]);
      const from = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
      const matching = deployments.filter((d) => (r.query.get('status') ? d.status === r.query.get('status') : true));
      const page = matching.slice(from, from + limit);
      const next = from + limit < matching.length ? Buffer.from(String(from + limit)).toString('base64url') : null;
      return ok({ deployments: page, nextCursor: next });
    });
  }

  it('--all follows the cursors to the end', async () => {
    // Prepare
    pagedDeployments();

    // Act
    const code = await run(['history', '--all', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toEqual(deployments);
    expect(api.requests.map((r) => r.query.get('cursor'))).toEqual([null]);
  });

  it('--limit more than a page fetches pages of at most 100 and says when there are more', async () => {
    // Prepare
    const many = Array.from({ length: 250 }, (_, i) => view({ id: `d-${i}` }));
    api.on('GET', '/deployments', (r) => {
      const from = Number(Buffer.from(r.query.get('cursor') ?? '', 'base64url').toString() || 0);
      const limit = Number(r.query.get('limit'));
      return ok({ deployments: many.slice(from, from + limit), nextCursor: Buffer.from(String(from + limit)).toString('base64url') });
    });

    // Act
    const code = await run(['history', '--limit', '150'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.requests.map((r) => [r.query.get('limit'), r.query.get('cursor')])).toEqual([
      ['100', null],
      ['50', Buffer.from('100').toString('base64url')],
    ]);
    expect(stdout.text.trimEnd().split('\n')).toHaveLength(151);
    expect(stdout.text.split('\n')[0]).toMatch(/^ID\s+TARGET\s+RELEASE\s+STATUS/);
    expect(stderr.text).toBe('(newest 150 shown; --limit <n> or --all for more)\n');
  });

  it('passes --target and --status as query parameters', async () => {
    // Prepare
    pagedDeployments();

    // Act
    const code = await run(['history', '--target', 'hello', '--status', 'rolled_back', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.query)).toEqual({ target: 'hello', status: 'rolled_back', limit: '20' });
  });

  it('passes --trigger, --since and --until as query parameters', async () => {
    // Prepare
    pagedDeployments();

    // Act
    const code = await run(['history', '--trigger', 'rollback', '--since', '7d', '--until', '2026-12-01T00:00:00Z', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(Object.fromEntries(api.requests[0]!.query)).toEqual({ trigger: 'rollback', since: '7d', until: '2026-12-01T00:00:00Z', limit: '20' });
  });

  it('refuses an unknown status and --limit with --all as usage errors (exit 2)', async () => {
    // Act
    const badStatus = await run(['history', '--status', 'done'], context());
    const both = await run(['history', '--limit', '5', '--all'], context());

    // Assess
    expect([badStatus, both]).toEqual([2, 2]);
    expect(stderr.text).toMatch(/Allowed choices are queued, waiting, staging, shifting, verifying, succeeded, rolled_back, failed, cancelled, superseded/);
    expect(stderr.text).toMatch(/option '-n, --limit <n>' cannot be used with option '-a, --all'/);
    expect(api.requests).toHaveLength(0);
  });

  it('prints the field path of a validation problem (exit 2)', async () => {
    // Prepare
    api.on(
      'GET',
      '/deployments',
      problem(400, 'validation', 'invalid request: query.cursor: is not a cursor this API issued', [
        { path: 'query.cursor', message: 'is not a cursor this API issued' },
      ]),
    );

    // Act
    const code = await run(['history'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: The request is invalid: invalid request\n  query.cursor: is not a cursor this API issued\n');
  });

  it('on an API without GET /deployments, reads the target history instead and filters the status itself', async () => {
    // Prepare: the path /deployments exists there with POST only, so GET answers 405
    api.on('GET', '/targets/{name}/deployments', ok({ deployments }));

    // Act
    const code = await run(['history', 'hello', '--status', 'rolled_back', '--json'], context());

    // Assess
    expect(code).toBe(0);
    expect(api.calls()).toEqual(['GET /deployments', 'GET /targets/hello/deployments']);
    expect(api.requests[1]!.query.get('limit')).toBe('100');
    expect(JSON.parse(stdout.text)).toEqual(deployments.filter((d) => d.status === 'rolled_back'));
  });

  it('on an API without GET /deployments, asks for a target when none is given (exit 1)', async () => {
    // Act
    const code = await run(['history'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toBe(
      `slipway: the slipway API at ${api.url} lists deployments per target only (it has no GET /deployments yet): pass one, \`npx slipway history <target>\`, or update the API\n`,
    );
  });

  it('an empty history of a target that does not exist names the close ones', async () => {
    // Prepare
    api.on('GET', '/deployments', ok({ deployments: [], nextCursor: null }));
    api.on('GET', '/targets/{name}', problem(404, 'not-found', 'target "helo" is not registered'));
    api.on('GET', '/targets', targetList('hello', 'www'));

    // Act
    const code = await run(['history', '--target', 'helo'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: target "helo" is not registered. Did you mean "hello"?\n');
  });
});

describe('Errors: an API that is not there', () => {
  it('names the URL it tried and how to start dev mode, exit 1', async () => {
    // Prepare: a port that was just free
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await writeFile(
      join(cwd, '.slipway', 'dev.json'),
      JSON.stringify({ awsEndpoint: 'http://127.0.0.1:9', apiUrl: `http://127.0.0.1:${port}`, region: 'us-east-1', artifactBucket: 'b' }),
    );

    // Act
    const code = await run(['history', '--json'], context());

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain(`cannot reach the slipway API at http://127.0.0.1:${port}: ECONNREFUSED (GET /deployments)`);
    expect(stderr.text).toContain('Start it with `npm start` in the project root');
    expect(stdout.text).toBe('');
  });
});

describe('Output: --json on every read command', () => {
  it.each([
    [['status', 'd-1', '--json'], (body: unknown) => expect(body).toMatchObject({ id: 'd-1' })],
    [['logs', 'd-1', '--json'], (body: unknown) => expect(body).toMatchObject({ deploymentId: 'd-1', events: [] })],
    [['history', '--json'], (body: unknown) => expect(body).toEqual([expect.objectContaining({ id: 'd-1' })])],
    [['history', 'hello', '--json'], (body: unknown) => expect(body).toEqual([expect.objectContaining({ id: 'd-1' })])],
    [['targets', 'list', '--json'], (body: unknown) => expect(body).toEqual([hello])],
    [['targets', 'get', 'hello', '--json'], (body: unknown) => expect(body).toEqual(hello)],
    [['hooks', 'list', 'hello', '--json'], (body: unknown) => expect(body).toEqual([])],
  ])('%j prints only parseable JSON on stdout, even at a terminal', async (argv, check) => {
    // Prepare
    api.on('GET', '/deployments/{id}', ok(view()));
    api.on('GET', '/deployments/{id}/events', ok({ deploymentId: 'd-1', status: 'queued', events: [] }));
    api.on('GET', '/deployments', ok({ deployments: [view()], nextCursor: null }));
    api.on('GET', '/targets', ok({ targets: [hello] }));
    api.on('GET', '/targets/{name}', ok(hello));
    api.on('GET', '/targets/{name}/hooks', ok({ hooks: [] }));
    const terminal = memoryStream(true);

    // Act
    const code = await run(argv, context({ stdout: terminal }));

    // Assess
    expect(code, stderr.text).toBe(0);
    check(JSON.parse(terminal.text));
    expect(terminal.text).not.toMatch(TERMINAL_ONLY);
  });
});

describe('Exit codes of deploy', () => {
  it.each([
    ['succeeded', 0],
    ['failed', 1],
    ['rolled_back', 1],
    ['cancelled', 1],
    ['superseded', 1],
  ] as const)('ends %s → exit %i, with the final deployment as --json', async (status, exitCode) => {
    // Prepare
    await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'x' }));
    presignedUploads({ versionId: 'v-3' });
    const id = deploymentIdForObject({ bucket: 'slipway-artifacts', key: 'releases/hello/r3.zip', versionId: 'v-3' });
    const final = view({ id, release: 'r3', status, endedAt: '2026-11-26T21:15:03.000Z', reason: status === 'succeeded' ? null : `it ${status}` });
    api.on('GET', '/targets/hello', ok(hello));
    api.on('GET', `/deployments/${id}`, ok(final));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r3', '--json'], context());

    // Assess
    expect(code).toBe(exitCode);
    expect(JSON.parse(stdout.text)).toEqual(final);
  });

  it('exits 2 for a usage error: a missing --target, an unknown option, a path that does not exist', async () => {
    // Act
    const codes = [
      await run(['deploy', 'build.zip'], context()),
      await run(['deploy', 'build.zip', '-t', 'hello', '--colour'], context()),
      await run(['deploy', 'nowhere', '-t', 'hello'], context()),
    ];

    // Assess
    expect(codes).toEqual([2, 2, 2]);
    expect(stderr.text).toContain('nowhere: no such file or directory');
    expect(api.requests).toHaveLength(0);
  });
});
