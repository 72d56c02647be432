/**
 * `slipway status` without a deployment id, `slipway stats`, `targets list` with what is live, and
 * `slipway --version`, against the fake slipway API over real HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../cli/context.js';
import { dailyBars } from '../../cli/overview.js';
import { run } from '../../cli/program.js';
import type { DeliveryMetricsView, TargetSummaryView } from '../../shared/http/contract.js';
import { openCliWorkspace } from '../support/cli-workspace.js';
import { deploymentView } from '../support/deployment-view.js';
import type { FakeSlipwayApi } from '../support/fake-slipway-api.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';

const memoryStream = (tty = false) => newMemoryStream({ tty, columns: 120 });
let cwd: string;
let workspace: Awaited<ReturnType<typeof openCliWorkspace>>;
let api: FakeSlipwayApi;
let stdout: ReturnType<typeof memoryStream>;
let stderr: ReturnType<typeof memoryStream>;
const now = new Date('2026-12-04T12:00:00Z');

function context(overrides: Partial<CliContext> = {}): CliContext {
  return { cwd, env: { TZ: 'UTC' }, stdout, stderr, projectRoot: cwd, now: () => now, sleep: async () => {}, pollIntervalMs: 1, ...overrides };
}

const hello: TargetSummaryView = {
  name: 'hello',
  kind: 'function',
  live: {
    release: 'r3',
    version: '3',
    sha256: 'ab'.repeat(32),
    since: '2026-12-04T10:00:00.000Z',
    by: 'arn:aws:iam::123456789012:user/ana',
    deploymentId: 'd-3',
  },
  traffic: { stable: { version: '3', percent: 90 }, canary: { version: '4', percent: 10 } },
  running: { id: 'd-4', release: 'r4', status: 'verifying', trafficPercent: 10, startedAt: '2026-12-04T11:55:00.000Z' },
  lastDeployment: { id: 'd-3', release: 'r3', status: 'succeeded', startedAt: '2026-12-04T09:58:00.000Z', endedAt: '2026-12-04T10:00:00.000Z', trigger: 's3' },
  window: { state: 'none' },
};
const site: TargetSummaryView = {
  name: 'www',
  kind: 'site',
  live: { release: 'home-7', siteRelease: 'home-7', since: '2026-12-01T08:00:00.000Z', deploymentId: 'd-7' },
  traffic: { stable: { version: 'home-7', percent: 100 } },
  running: null,
  lastDeployment: {
    id: 'd-8',
    release: 'home-8',
    status: 'rolled_back',
    startedAt: '2026-12-04T09:00:00.000Z',
    endedAt: '2026-12-04T09:05:00.000Z',
    reason: 'probe https://www.example.com/ answered 500',
    trigger: 's3',
  },
  window: { state: 'frozen', until: '2026-12-05T00:00:00.000Z', timeZone: 'Europe/Berlin', reason: 'year-end freeze' },
  promotion: { to: ['www-prod'], waiting: [] },
};

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-overview-');
  ({ cwd, api } = workspace);
  stdout = memoryStream();
  stderr = memoryStream();
});

afterEach(async () => {
  await workspace.close();
});

describe('Command: status (no deployment id)', () => {
  it('without an argument lists what is live on each target, what runs, and what recently failed, with hints that work as printed', async () => {
    // Prepare
    api.on('GET', '/summary', { status: 200, body: { targets: [hello, site] } });
    // Act
    const code = await run(['status'], context());
    // Assess
    expect(code).toBe(0);
    const lines = stdout.text.split('\n');
    expect(lines[0]).toMatch(/^TARGET\s+KIND\s+LIVE\s+SINCE\s+BY\s+NOW\s+LAST$/);
    expect(lines[1]).toMatch(/^hello\s+function\s+r3 \(v3\)\s+2h ago\s+ana\s+r4 verifying 10%\s+r3 succeeded 2h ago$/);
    expect(lines[2]).toMatch(/^www\s+site\s+home-7\s+3d\s?\d*h? ago\s+-\s+-\s+home-8 rolled_back 2h\d*m? ago$/);
    expect(stdout.text).toContain('hello: r4 is verifying — follow it: npx slipway logs d-4 --follow');
    expect(stdout.text).toContain('www: home-8 rolled_back 2h ago: probe https://www.example.com/ answered 500');
  });

  it('with a target name shows that target in full: live, traffic split, running, last, window and chain', async () => {
    // Prepare
    api.on('GET', '/summary', { status: 200, body: { targets: [hello, site] } });
    // Act
    const helloCode = await run(['status', 'hello'], context());
    const helloText = stdout.text;
    stdout = memoryStream();
    const siteCode = await run(['status', 'www'], context());
    // Assess
    expect([helloCode, siteCode]).toEqual([0, 0]);
    expect(helloText).toContain('  live      r3, version 3, sha256 abababababab…');
    expect(helloText).toContain('by ana');
    expect(helloText).toContain('  traffic   v3 90% · v4 10%');
    expect(helloText).toContain('follow it: npx slipway logs d-4 --follow');
    expect(stdout.text).toContain('  window    frozen (year-end freeze) until 2026-12-05 01:00 GMT+1');
    expect(stdout.text).toContain('  promotion the first environment; to www-prod');
    expect(stdout.text).toContain('            probe https://www.example.com/ answered 500');
    expect(api.calls()).not.toContain('GET /deployments/hello');
  });

  it('still shows a deployment by id, and says a name is neither a target nor a deployment, with close target names', async () => {
    // Prepare
    api.on('GET', '/summary', { status: 200, body: { targets: [hello] } });
    api.on('GET', '/deployments/{id}', (request) =>
      request.params.id === 'd-0123456789abcdef0123'
        ? { status: 200, body: deploymentView({ id: 'd-0123456789abcdef0123' }) }
        : { status: 404, body: { type: 'https://slipway.dev/problems/not-found', status: 404, title: 'Not found', detail: 'deployment not found' } },
    );
    api.on('GET', '/targets', { status: 200, body: { targets: [{ name: 'hello', kind: 'function' }] } });
    // Act
    const byId = await run(['status', 'd-0123456789abcdef0123'], context());
    const typo = await run(['status', 'helo'], context());
    // Assess
    expect(byId).toBe(0);
    expect(stdout.text).toContain('d-0123456789abcdef0123');
    expect(typo).toBe(2);
    expect(stderr.text).toContain('target "helo" is not registered. Did you mean "hello"?');
    expect(stderr.text).not.toContain('deployment helo not found');
  });

  it('prints only the summary JSON with --json', async () => {
    // Prepare
    api.on('GET', '/summary', { status: 200, body: { targets: [hello] } });
    // Act
    const code = await run(['status', '--json'], context());
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toEqual({ targets: [hello] });
  });

  it('says what to do against an API older than GET /summary', async () => {
    // Act
    const code = await run(['status'], context());
    // Assess
    expect(code).toBe(1);
    expect(stderr.text).toContain('has no GET /summary');
    expect(stderr.text).toContain('npx slipway status d-…');
  });
});

describe('Command: targets list', () => {
  it('shows the live release and the last deployment of each target', async () => {
    // Prepare
    api.on('GET', '/targets', {
      status: 200,
      body: { targets: [{ name: 'hello', kind: 'function', function: { name: 'hello', alias: 'live' }, strategy: 'AllAtOnce' }] },
    });
    api.on('GET', '/summary', { status: 200, body: { targets: [hello] } });
    // Act
    const code = await run(['targets', 'list'], context());
    // Assess
    expect(code).toBe(0);
    const [header, row] = stdout.text.split('\n');
    expect(header).toMatch(/^NAME\s+KIND\s+DEPLOYS TO\s+STRATEGY\s+LIVE\s+LAST DEPLOYMENT$/);
    expect(row).toMatch(/^hello\s+function\s+hello:live\s+AllAtOnce\s+r3 \(v3\)\s+r3 succeeded 2h ago$/);
  });
});

const metrics = (): DeliveryMetricsView => {
  const m = {
    started: 4,
    succeeded: 3,
    failed: 0,
    rolledBack: 1,
    deploymentsPerDay: 0.1,
    leadTimeSeconds: { median: 95, p90: 610 },
    changeFailureRate: 0.25,
    timeToRestoreSeconds: { median: 1800, max: 1800 },
    daily: [
      { date: '2026-12-02', succeeded: 1, failed: 0, rolledBack: 0 },
      { date: '2026-12-03', succeeded: 2, failed: 0, rolledBack: 1 },
    ],
  };
  return { since: '2026-11-04T12:00:00.000Z', until: '2026-12-04T12:00:00.000Z', complete: true, overall: m, targets: [{ target: 'hello', ...m }] };
};

describe('Command: stats', () => {
  it('prints the delivery metrics of the period overall and per target, and passes target and --since', async () => {
    // Prepare
    api.on('GET', '/metrics', { status: 200, body: metrics() });
    // Act
    const code = await run(['stats', 'hello', '--since', '30d'], context());
    // Assess
    expect(code).toBe(0);
    const request = api.requests.find((r) => r.path === '/metrics');
    expect(request?.query.get('target')).toBe('hello');
    expect(request?.query.get('since')).toBe('30d');
    expect(stdout.text).toContain('delivery metrics 2026-11-04 12:00:00Z → 2026-12-04 12:00:00Z (30 days)');
    expect(stdout.text).toMatch(/\(all\)\s+4\s+3\/0\/1\s+0\.10\s+1m35s \/ 10m10s\s+25% \(1 of 4\)\s+30m00s \/ 30m00s/);
    expect(stdout.text).toMatch(/\nhello\s+4\s+3\/0\/1/);
    expect(stdout.text).not.toContain('per day');
  });

  it('prints only JSON with --json, and passes the API’s 400 for a bad --since through as a usage error', async () => {
    // Prepare
    api.on('GET', '/metrics', (request) =>
      request.query.get('since') === 'soon'
        ? {
            status: 400,
            body: {
              type: 'https://slipway.dev/problems/validation',
              status: 400,
              title: 'The request is invalid',
              detail: 'since "soon" is neither; give `30d`…',
              errors: [{ path: 'query.since', message: 'must be `30d`' }],
            },
          }
        : { status: 200, body: metrics() },
    );
    // Act
    const json = await run(['stats', '--json'], context());
    const out = stdout.text;
    const bad = await run(['stats', '--since', 'soon'], context());
    // Assess
    expect(json).toBe(0);
    expect(JSON.parse(out)).toEqual(metrics());
    expect(bad).toBe(2);
    expect(stderr.text).toContain('since "soon" is neither');
    expect(stderr.text.match(/query\.since/g)).toHaveLength(1);
  });

  it('draws one bar per day at a terminal', () => {
    expect(dailyBars(metrics().overall.daily)).toBe('▃█');
    expect(dailyBars([...metrics().overall.daily, { date: '2026-12-04', succeeded: 0, failed: 0, rolledBack: 0 }])).toBe('▃█ ');
    expect(dailyBars([{ date: '2026-12-01', succeeded: 0, failed: 0, rolledBack: 0 }])).toBe('');
  });
});

describe('Option: --version', () => {
  it("prints slipway's version from package.json and exits 0", async () => {
    // Prepare
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    // Act
    const code = await run(['--version'], context());
    // Assess
    expect(code).toBe(0);
    expect(stdout.text.trim()).toBe(version);
  });
});
