import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deploymentView } from '../support/deployment-view.js';
import { zipFiles } from '../../dev/zip.js';
import { deploymentIdForObject, type DeploymentView } from '../../shared/domain/deployment.js';
import { RELEASE_NAME } from '../../shared/domain/target.js';
import { defaultReleaseName, type PutRelease } from '../../cli/artifact.js';
import type { CliContext } from '../../cli/context.js';
import { run } from '../../cli/program.js';
import { zipDirectory } from '../../cli/zip-directory.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';

const dev = {
  awsEndpoint: 'http://127.0.0.1:4566',
  apiUrl: 'http://127.0.0.1:4000',
  region: 'us-east-1',
  artifactBucket: 'slipway-dev-artifacts',
};

interface Recorded {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: unknown;
}

type Answer = { status: number; body?: unknown; contentType?: string };
type Route = (request: Recorded) => Answer | undefined;

/** A fetch that answers from routes and records every request. */
function fakeApi(...routes: Route[]) {
  const requests: Recorded[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const request: Recorded = {
      method: init?.method ?? 'GET',
      url: new URL(String(input)),
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
      ...(typeof init?.body === 'string' ? { body: JSON.parse(init.body) } : {}),
    };
    requests.push(request);
    for (const route of routes) {
      const answer = route(request);
      if (answer) {
        return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), {
          status: answer.status,
          headers: { 'content-type': answer.contentType ?? 'application/json' },
        });
      }
    }
    // What the API's router answers for a route it does not have (shared/http/problems.ts).
    return new Response(
      JSON.stringify({
        type: 'https://slipway.dev/problems/route-not-found',
        title: 'No such route',
        status: 404,
        detail: `there is no route ${request.method} ${request.url.pathname}`,
      }),
      { status: 404, headers: { 'content-type': 'application/problem+json' } },
    );
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const route =
  (method: string, path: string, answer: Answer | (() => Answer)): Route =>
  (request) =>
    request.method === method && request.url.pathname === path ? (typeof answer === 'function' ? answer() : answer) : undefined;

/** Answers a GET with the next view of a sequence (404 for `undefined`), the last one repeating. */
function sequence(...views: (DeploymentView | undefined)[]) {
  let i = 0;
  return () => {
    const next = views[Math.min(i++, views.length - 1)];
    return next ? { status: 200, body: next } : { status: 404, body: { title: 'Not Found', status: 404, detail: 'not yet' } };
  };
}

const view = (overrides: Partial<DeploymentView> = {}): DeploymentView => deploymentView(overrides);

const memoryStream = () => newMemoryStream();

let cwd: string;
let stdout: ReturnType<typeof memoryStream>;
let stderr: ReturnType<typeof memoryStream>;

function context(overrides: Partial<CliContext> = {}): CliContext {
  return { cwd, env: {}, stdout, stderr, projectRoot: cwd, sleep: async () => {}, ...overrides };
}

beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'slipway-cli-'));
  await mkdir(join(cwd, '.slipway'));
  await writeFile(join(cwd, '.slipway', 'dev.json'), JSON.stringify(dev));
  await writeFile(join(cwd, 'build.zip'), await zipFiles({ 'index.mjs': 'export const handler = async () => "r2";\n' }));
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await rm(cwd, { recursive: true, force: true });
});

// An API without POST /targets/{name}/releases (today's dev mode): the CLI uploads straight to the bucket.
describe('Command: deploy (API without presigned uploads)', () => {
  const uploads: Parameters<PutRelease>[0][] = [];
  const putRelease: PutRelease = async (input) => {
    uploads.push(input);
    return { versionId: 'v-1', etag: '"0123abcd"' };
  };
  const id = deploymentIdForObject({ bucket: dev.artifactBucket, key: 'releases/hello/r2.zip', versionId: 'v-1' });
  const targetRoute = route('GET', '/targets/hello', { status: 200, body: { name: 'hello', kind: 'function' } });

  beforeEach(() => {
    uploads.length = 0;
  });

  it('uploads with the sha256 metadata key layout, follows queued → shifting → succeeded and exits 0', async () => {
    // Prepare
    const api = fakeApi(
      targetRoute,
      route(
        'GET',
        `/deployments/${id}`,
        sequence(
          undefined,
          view({ id, timeline: [{ at: '2026-11-26T21:15:00.100Z', step: 'intake', status: 'queued', message: 's3://… uploaded' }] }),
          view({ id, status: 'shifting', trafficPercent: 50, toVersion: '2' }),
          view({ id, status: 'succeeded', trafficPercent: 100, toVersion: '2', endedAt: '2026-11-26T21:15:00.900Z' }),
        ),
      ),
    );

    // Act
    const code = await run(['deploy', 'build.zip', '--target', 'hello', '--release', 'r2'], context({ fetch: api.fetch, putRelease }));

    // Assess
    expect(code).toBe(0);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.key).toBe('releases/hello/r2.zip');
    expect(uploads[0]!.store).toEqual({ bucket: dev.artifactBucket, endpoint: dev.awsEndpoint, region: dev.region });
    expect(uploads[0]!.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(stdout.text).toContain(`deployment ${id}`);
    expect(stdout.text).toMatch(/intake\s+queued/);
    expect(stdout.text).toMatch(/status\s+shifting/);
    expect(stdout.text).toMatch(/traffic 50%/);
    expect(stdout.text.trimEnd().split('\n').at(-1)).toBe(`✔ hello r2 succeeded in 0.9s (version 1→2)  ${id}`);
    expect(stderr.text).toBe('');
  });

  it('exits 1 when the deployment is rolled back, and --json prints only the final deployment', async () => {
    // Prepare
    const final = view({
      id,
      status: 'rolled_back',
      toVersion: '2',
      endedAt: '2026-11-26T21:15:07.000Z',
      reason: 'alarm hello-canary-errors is in ALARM',
    });
    const api = fakeApi(targetRoute, route('GET', `/deployments/${id}`, sequence(view({ id, status: 'shifting', trafficPercent: 50 }), final)));

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r2', '--json'], context({ fetch: api.fetch, putRelease }));

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(stdout.text)).toEqual(final);
    expect(stderr.text).toMatch(/^build\.zip \(\d+ B, sha256 [0-9a-f]{12}…\) → hello release r2$/m);
    expect(api.requests.some((r) => r.method === 'POST' && r.url.pathname === '/targets/hello/releases')).toBe(true);
  });

  it('names the release after the time and the sha256 when --release is not given', async () => {
    // Prepare
    const now = new Date('2026-11-26T21:15:00.456Z');
    const api = fakeApi(targetRoute);

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '--no-wait', '--json'], context({ fetch: api.fetch, putRelease, now: () => now }));

    // Assess
    expect(code).toBe(0);
    const sha = uploads[0]!.artifact.sha256;
    expect(uploads[0]!.key).toBe(`releases/hello/20261126-211500-${sha.slice(0, 6)}.zip`);
    const printed = JSON.parse(stdout.text);
    expect(printed).toMatchObject({ target: 'hello', release: `20261126-211500-${sha.slice(0, 6)}`, versionId: 'v-1', sha256: sha });
    expect(printed.id).toBe(deploymentIdForObject({ bucket: dev.artifactBucket, key: uploads[0]!.key, versionId: 'v-1' }));
  });

  it('derives the deployment id from the unquoted ETag when the bucket has no versioning', async () => {
    // Prepare
    const api = fakeApi(targetRoute);
    const unversioned: PutRelease = async () => ({ etag: '"0123abcd"' });

    // Act
    await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'r2', '--no-wait', '--json'], context({ fetch: api.fetch, putRelease: unversioned }));

    // Assess
    expect(JSON.parse(stdout.text).id).toBe(deploymentIdForObject({ bucket: dev.artifactBucket, key: 'releases/hello/r2.zip', etag: '0123abcd' }));
  });

  it.each([
    ['a file that is not a zip', 'notes.txt', 'just text', /notes\.txt is not a zip file/],
    ['an empty file', 'empty.zip', '', /empty\.zip is empty/],
    ['a missing file', 'missing.zip', undefined, /missing\.zip: no such file/],
    ['an empty zip archive', 'none.zip', Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]), /empty zip archive/],
  ])('refuses %s with exit code 2 before uploading', async (_, name, content, message) => {
    // Prepare
    if (content !== undefined) await writeFile(join(cwd, name), content);
    const api = fakeApi(targetRoute);

    // Act
    const code = await run(['deploy', name, '-t', 'hello'], context({ fetch: api.fetch, putRelease }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(message);
    expect(uploads).toHaveLength(0);
    expect(api.requests).toHaveLength(0);
  });

  it('refuses an invalid release name with exit code 2', async () => {
    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', 'has/slash'], context({ putRelease }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/invalid release name/);
  });

  it.each(['.', '..', '.slipway'])('refuses the release name %s, which starts with a dot, with exit code 2 before uploading', async (release) => {
    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'hello', '-r', release], context({ putRelease }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain(`invalid release name "${release}": it starts with "."`);
    expect(uploads).toHaveLength(0);
  });

  it('does not upload for a target the API does not know, and exits 2 naming the close ones', async () => {
    // Prepare
    const api = fakeApi(
      route('GET', '/targets/helo', {
        status: 404,
        contentType: 'application/problem+json',
        body: { type: 'https://slipway.dev/problems/not-found', title: 'Not found', status: 404, detail: 'target "helo" is not registered' },
      }),
      route('GET', '/targets', {
        status: 200,
        body: { targets: ['hello', 'hello-canary', 'www', 'billing'].map((name) => ({ name, kind: 'function' })) },
      }),
    );

    // Act
    const code = await run(['deploy', 'build.zip', '-t', 'helo'], context({ fetch: api.fetch, putRelease }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: target "helo" is not registered. Did you mean "hello"?\n');
    expect(uploads).toHaveLength(0);
    expect(api.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual(['GET /targets/helo', 'GET /targets']);
  });
});

describe('Command: deploy (an app directory)', () => {
  const uploads: Parameters<PutRelease>[0][] = [];
  const putRelease: PutRelease = async (input) => {
    uploads.push(input);
    return { versionId: 'v-1' };
  };
  const shop = {
    name: 'shop',
    kind: 'app',
    components: {
      api: { function: { name: 'shop-api' } },
      worker: { function: { name: 'shop-worker' } },
      web: { site: { bucket: 'b', distributionId: 'E1' } },
    },
  };
  const api = () => fakeApi(route('GET', '/targets/shop', { status: 200, body: shop }));
  const tree = async (files: Record<string, string>) => {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(cwd, 'shop', path, '..'), { recursive: true });
      await writeFile(join(cwd, 'shop', path), content);
    }
  };

  beforeEach(() => {
    uploads.length = 0;
  });

  it('zips one folder per component reproducibly and says which components stay unchanged', async () => {
    // Prepare
    await tree({ 'api/index.mjs': 'export const handler = async () => "api";\n', 'web/index.html': '<h1>shop</h1>\n' });
    await mkdir(join(cwd, 'shop', 'worker'));
    const expected = await zipDirectory(join(cwd, 'shop'), join(cwd, 'expected.zip'));
    // Act
    const code = await run(['deploy', 'shop', '-t', 'shop', '-r', 'r2', '--no-wait'], context({ fetch: api().fetch, putRelease }));
    // Assess
    expect(code, stderr.text).toBe(0);
    expect(stdout.text).toContain('worker/ absent: unchanged\n');
    expect(stdout.text).toContain('shop (zipped 2 files, ');
    expect(expected.entries).toEqual(['api/index.mjs', 'web/index.html']);
    expect(uploads.map((u) => [u.key, u.artifact.sha256])).toEqual([['releases/shop/r2.zip', expected.sha256]]);
  });

  it('while following, prints the components each time what is known of them changes', async () => {
    // Prepare
    await tree({ 'api/index.mjs': 'x' });
    const id = deploymentIdForObject({ bucket: dev.artifactBucket, key: 'releases/shop/r2.zip', versionId: 'v-1' });
    const staged = { api: { kind: 'function' as const, function: 'shop-api', fromVersion: '3', changed: true } };
    const shifted = { api: { ...staged.api, toVersion: '4' } };
    const views = [staged, staged, shifted].map((components, i) =>
      view({ id, target: 'shop', status: i < 2 ? 'staging' : 'succeeded', fromVersion: null, components, endedAt: i < 2 ? null : '2026-11-26T21:15:01.000Z' }),
    );
    const routes = fakeApi(route('GET', '/targets/shop', { status: 200, body: shop }), route('GET', `/deployments/${id}`, sequence(...views)));
    // Act
    const code = await run(['deploy', 'shop', '-t', 'shop', '-r', 'r2'], context({ fetch: routes.fetch, putRelease }));
    // Assess
    expect(code).toBe(0);
    expect(stdout.text.match(/ {2}components {2}.*/g)).toEqual(['  components  api 3→(pending)', '  components  api 3→4']);
    expect(stdout.text.trimEnd().split('\n').at(-1)).toBe(`✔ shop r2 succeeded in 1.0s (api 3→4)  ${id}`);
  });

  it.each([
    [
      'a folder that names no component',
      { 'api/index.mjs': 'x', 'docs/readme.md': 'x' },
      'folder "docs/" names no component of this app (its components: api, worker, web)',
    ],
    ['a file at the top', { 'api/index.mjs': 'x', 'package.json': '{}' }, '"package.json" is at the top of the zip'],
  ])('refuses %s with exit code 2, naming it, before zipping or uploading', async (_, files, words) => {
    // Prepare
    await tree(files);
    // Act
    const code = await run(['deploy', 'shop', '-t', 'shop'], context({ fetch: api().fetch, putRelease }));
    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toContain(`slipway: shop: ${words}`);
    expect(uploads).toEqual([]);
  });
});

describe('Function: defaultReleaseName', () => {
  it('is the UTC time to the second and the first 6 hex digits of the sha256', () => {
    // Act
    const name = defaultReleaseName(new Date('2026-11-26T21:15:00.999Z'), 'ab12cd34ef'.padEnd(64, '0'));

    // Assess
    expect(name).toBe('20261126-211500-ab12cd');
    expect(name).toMatch(RELEASE_NAME);
  });
});

describe('Command: rollback', () => {
  it('requests the rollback and follows it to succeeded', async () => {
    // Prepare
    const requested = view({ id: 'd-rb', release: 'r1', trigger: 'rollback', fromVersion: '2', toVersion: '1' });
    const api = fakeApi(
      route('POST', '/targets/hello/rollback', { status: 202, body: requested }),
      route('GET', '/deployments/d-rb', sequence(requested, { ...requested, status: 'succeeded', trafficPercent: 100 })),
    );

    // Act
    const code = await run(['rollback', 'hello', '--to', 'r1'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(api.requests[0]).toMatchObject({ method: 'POST', body: { release: 'r1' } });
    expect(stdout.text).toContain('rolling hello back to release r1 (version 1); deployment d-rb');
  });

  it('names every component of an app it rolls back, and where each one goes', async () => {
    // Prepare
    const components = {
      api: { kind: 'function' as const, function: 'shop-api', fromVersion: '4', toVersion: '3', changed: true },
      web: { kind: 'site' as const, fromRelease: 'r2', toRelease: 'r1', changed: true },
      worker: { kind: 'function' as const, function: 'shop-worker', fromVersion: '2', toVersion: '2', changed: false },
    };
    const requested = view({ id: 'd-rb', target: 'shop', release: 'r1', trigger: 'rollback', fromVersion: null, toVersion: null, components });
    const api = fakeApi(route('POST', '/targets/shop/rollback', { status: 202, body: requested }));
    // Act
    const code = await run(['rollback', 'shop', '--no-wait', '--json'], context({ fetch: api.fetch }));
    // Assess
    expect(code).toBe(0);
    expect(stderr.text).toBe('rolling shop back to release r1: api 4→3, web r2→r1, worker unchanged (v2); deployment d-rb\n');
    expect(JSON.parse(stdout.text).components).toEqual(components);
  });

  it('exits 1 with the detail when there is nothing to roll back to (409)', async () => {
    // Prepare
    const api = fakeApi(
      route('POST', '/targets/hello/rollback', {
        status: 409,
        contentType: 'application/problem+json',
        body: { title: 'Conflict', status: 409, detail: '"hello" has no earlier release to roll back to' },
      }),
    );

    // Act
    const code = await run(['rollback', 'hello'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(1);
    expect(api.requests[0]!.body).toEqual({});
    expect(stderr.text).toBe('slipway: Conflict: "hello" has no earlier release to roll back to\n');
  });
});

describe('Command: history', () => {
  it('passes --limit and prints an array with --json', async () => {
    // Prepare
    const deployments = [view({ id: 'd-2', status: 'succeeded' }), view({ id: 'd-1', status: 'rolled_back' })];
    const api = fakeApi(route('GET', '/targets/hello/deployments', { status: 200, body: { deployments } }));

    // Act
    const code = await run(['history', 'hello', '--limit', '5', '--json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(api.requests[0]!.url.searchParams.get('limit')).toBe('5');
    expect(JSON.parse(stdout.text)).toEqual(deployments);
  });

  it('refuses a limit that is not a positive number with exit code 2', async () => {
    expect(await run(['history', 'hello', '--limit', 'lots'], context())).toBe(2);
  });
});

describe('Command: targets apply', () => {
  /** What PUT /targets/{name} answers: the stored target and what became of its configuration. */
  const applied = (target: unknown, fields: Record<string, unknown> = {}) => ({
    target,
    dryRun: false,
    configurationChanges: [],
    deploys: false,
    release: null,
    deployment: null,
    why: 'the configuration did not change; nothing to deploy',
    ...fields,
  });
  const changes = [
    { key: 'API_KEY', change: 'changed', from: 'secret prod/api-v1', to: 'secret prod/api-v2' },
    { key: 'LOG_LEVEL', change: 'added', to: '"debug"' },
    { key: 'OLD', change: 'removed', from: '"x"' },
  ];
  /** GET /openapi.json as an API with `?dryRun=true` documents PUT /targets/{name}. */
  const withDryRun = route('GET', '/openapi.json', {
    status: 200,
    body: {
      paths: {
        '/targets/{name}': {
          put: {
            parameters: [
              { name: 'name', in: 'path' },
              { name: 'dryRun', in: 'query' },
            ],
          },
        },
      },
    },
  });
  const helloFile = () =>
    writeFile(
      join(cwd, 'hello.json'),
      JSON.stringify({
        name: 'hello',
        kind: 'function',
        function: { name: 'hello' },
        configuration: { environment: { API_KEY: { secret: 'prod/api-v2' }, LOG_LEVEL: 'debug' } },
      }),
    );

  it('sends a YAML file as JSON to PUT /targets/{name}', async () => {
    // Prepare
    await writeFile(join(cwd, 'hello.yaml'), 'name: hello\nkind: function\nfunction:\n  name: hello\n  alias: live\nstrategy: AllAtOnce\n');
    const api = fakeApi((request) => (request.method === 'PUT' ? { status: 200, body: applied(request.body) } : undefined));

    // Act
    const code = await run(['targets', 'apply', 'hello.yaml', '--json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(api.requests[0]).toMatchObject({
      method: 'PUT',
      body: { name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' }, strategy: 'AllAtOnce' },
    });
    expect(api.requests[0]!.url.pathname).toBe('/targets/hello');
    expect(api.requests[0]!.url.search).toBe('');
    expect(JSON.parse(stdout.text)).toMatchObject({ target: { name: 'hello' }, deployment: null });
  });

  it('applies a target whose function does not exist, with the warning on stderr and stdout as usual', async () => {
    // Prepare
    await helloFile();
    const warning = 'function hello or its alias live does not exist, so a deployment would fail: create the function, then …';
    const api = fakeApi((request) => (request.method === 'PUT' ? { status: 200, body: applied(request.body, { warnings: [warning] }) } : undefined));

    // Act
    const code = await run(['targets', 'apply', 'hello.json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toContain('✔ target hello applied (AllAtOnce)');
    expect(stderr.text).toBe(`slipway: warning: ${warning}\n`);
  });

  it('prints the configuration diff, secrets as references, and the deployment of the live release that started', async () => {
    // Prepare
    await helloFile();
    const deployment = view({ id: 'd-cfg', release: 'r7', trigger: 'config' });
    const api = fakeApi(
      route('PUT', '/targets/hello', {
        status: 202,
        body: applied(
          { name: 'hello', kind: 'function', function: { name: 'hello' } },
          { configurationChanges: changes, deploys: true, release: 'r7', deployment, why: 'release r7 is live: it goes out again with the new configuration' },
        ),
      }),
    );

    // Act
    const code = await run(['targets', 'apply', 'hello.json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toBe(
      [
        '✔ target hello applied (AllAtOnce)',
        'configuration changes:',
        '  ~ API_KEY: secret prod/api-v1 → secret prod/api-v2',
        '  + LOG_LEVEL = "debug"',
        '  - OLD (was "x")',
        'a deployment of release r7 with the new configuration started: d-cfg',
        'follow it: npx slipway logs d-cfg --follow',
        '',
      ].join('\n'),
    );
  });

  it('says why no deployment started when the target has no live release', async () => {
    // Prepare
    await helloFile();
    const why = 'the target has no live release through slipway; the configuration is stored and its next release carries it';
    const api = fakeApi((request) =>
      request.method === 'PUT' ? { status: 200, body: applied(request.body, { configurationChanges: changes.slice(1, 2), why }) } : undefined,
    );

    // Act
    const code = await run(['targets', 'apply', 'hello.json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toContain('  + LOG_LEVEL = "debug"\n');
    expect(stdout.text).toContain(`no deployment started: ${why}\n`);
  });

  it('with --dry-run asks the API what would happen and prints it, changing nothing', async () => {
    // Prepare
    await helloFile();
    const api = fakeApi(withDryRun, (request) =>
      request.method === 'PUT'
        ? {
            status: 200,
            body: applied(request.body, {
              dryRun: true,
              configurationChanges: changes,
              deploys: true,
              release: 'r7',
              why: 'release r7 is live: it goes out again with the new configuration',
            }),
          }
        : undefined,
    );

    // Act
    const code = await run(['targets', 'apply', 'hello.json', '--dry-run'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    const puts = api.requests.filter((r) => r.method === 'PUT');
    expect(puts).toHaveLength(1);
    expect(puts[0]!.url.searchParams.get('dryRun')).toBe('true');
    expect(stdout.text).toMatch(/^dry run: target hello is valid \(AllAtOnce\); nothing stored, nothing started\n/);
    expect(stdout.text).toContain('  ~ API_KEY: secret prod/api-v1 → secret prod/api-v2\n');
    expect(stdout.text).toContain('applying it would start a deployment of release r7 with the new configuration\n');
  });

  it('with --dry-run --json prints only the JSON answer', async () => {
    // Prepare
    await helloFile();
    const api = fakeApi(withDryRun, (request) =>
      request.method === 'PUT' ? { status: 200, body: applied(request.body, { dryRun: true, configurationChanges: changes }) } : undefined,
    );

    // Act
    const code = await run(['targets', 'apply', 'hello.json', '--dry-run', '--json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({ dryRun: true, configurationChanges: changes, deployment: null, target: { name: 'hello' } });
  });

  it('still applies through an API older than configuration deployments, which answers the bare target', async () => {
    // Prepare
    await helloFile();
    const api = fakeApi((request) => (request.method === 'PUT' ? { status: 200, body: request.body } : undefined));

    // Act
    const code = await run(['targets', 'apply', 'hello.json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(0);
    expect(stdout.text).toBe(
      '✔ target hello applied (AllAtOnce)\nno deployment started: the API is older than this CLI and does not say what became of the configuration\n',
    );
  });

  it.each([
    ['documents PUT /targets/{name} without dryRun', [route('GET', '/openapi.json', { status: 200, body: { paths: { '/targets/{name}': { put: {} } } } })]],
    ['has no GET /openapi.json', []],
  ])('sends no --dry-run to an older API, which would apply it (one that %s)', async (_, routes) => {
    // Prepare
    await helloFile();
    const api = fakeApi(...routes, (request) => (request.method === 'PUT' ? { status: 200, body: request.body } : undefined));

    // Act
    const code = await run(['targets', 'apply', 'hello.json', '--dry-run'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/is older than this CLI and has no dry run for PUT \/targets\/\{name\}; nothing was sent/);
    expect(api.requests.filter((r) => r.method === 'PUT')).toEqual([]);
  });

  it('prints the detail and every invalid field of a 400 problem, and exits 2', async () => {
    // Prepare
    await writeFile(join(cwd, 'bad.json'), JSON.stringify({ name: 'hello', kind: 'function', function: { name: 'hello' }, colour: 'red' }));
    const api = fakeApi(
      route('PUT', '/targets/hello', {
        status: 400,
        contentType: 'application/problem+json',
        body: {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'invalid target: (root): unknown field(s) "colour"',
          errors: [{ path: '(root)', message: 'unknown field(s) "colour"' }],
        },
      }),
    );

    // Act
    const code = await run(['targets', 'apply', 'bad.json'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe('slipway: Bad Request: invalid target\n  (root): unknown field(s) "colour"\n');
  });

  it('refuses a file that does not parse with exit code 2', async () => {
    // Prepare
    await writeFile(join(cwd, 'broken.yaml'), 'name: [unclosed\n');

    // Act
    const code = await run(['targets', 'apply', 'broken.yaml'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/broken\.yaml is not valid YAML/);
  });

  it('refuses an alias bomb with exit code 2 and says what is wrong, without a stack trace', async () => {
    // Prepare: nine levels of nine aliases each ("billion laughs") expand to 9^9 strings.
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi'])
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(',')}]`);
    await writeFile(join(cwd, 'bomb.yaml'), `name: hello\nkind: function\n${levels.join('\n')}\n`);
    const api = fakeApi();

    // Act
    const code = await run(['targets', 'apply', 'bomb.yaml'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      'slipway: bomb.yaml expands YAML aliases (*name) more than 100 times, the shape of an alias bomb ("billion laughs"); write the repeated values out, or use fewer aliases\n',
    );
    expect(api.requests).toHaveLength(0);
  });

  it('refuses an alias used before its anchor with exit code 2', async () => {
    // Prepare
    await writeFile(join(cwd, 'early.yaml'), 'name: hello\nkind: *kind\n');

    // Act
    const code = await run(['targets', 'apply', 'early.yaml'], context());

    // Assess
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/^slipway: early\.yaml is not valid YAML: Unresolved alias/);
  });
});

describe('Command: status', () => {
  it('exits 1 on a server error and prints its detail', async () => {
    // Prepare
    const api = fakeApi(route('GET', '/deployments/d-1', { status: 500, body: { title: 'Internal Server Error', status: 500 } }));

    // Act
    const code = await run(['status', 'd-1'], context({ fetch: api.fetch }));

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toBe('slipway: Internal Server Error\n');
  });

  it('says which URL is unreachable and how to start dev mode', async () => {
    // Prepare
    const refused = (async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    }) as typeof fetch;

    // Act
    const code = await run(['status', 'd-1'], context({ fetch: refused }));

    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/cannot reach the slipway API at http:\/\/127\.0\.0\.1:4000: ECONNREFUSED/);
    expect(stderr.text).toMatch(/npm start/);
  });

  it('sends no Authorization header to slipway dev', async () => {
    // Prepare
    const api = fakeApi(route('GET', '/deployments/d-1', { status: 200, body: view() }));

    // Act
    await run(['status', 'd-1', '--json'], context({ fetch: api.fetch }));

    // Assess
    expect(api.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('signs requests to SLIPWAY_API_URL with SigV4 using credentials from the environment', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
    vi.stubEnv('AWS_SESSION_TOKEN', 'session-token');
    const api = fakeApi(route('GET', '/prod/deployments/d-1', { status: 200, body: view() }));
    const env = { SLIPWAY_API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod' };

    // Act
    const code = await run(['status', 'd-1', '--json'], context({ fetch: api.fetch, env }));

    // Assess
    expect(code).toBe(0);
    const { headers } = api.requests[0]!;
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(headers['x-amz-security-token']).toBe('session-token');
    expect(headers.host).toBeUndefined();
  });
});
