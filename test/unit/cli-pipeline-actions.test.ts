/**
 * `slipway pipeline promote`, `approve`, `reject` and `deploy --force` against a fake slipway API
 * over real HTTP (test/support/fake-slipway-api.ts).
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import type { CliContext } from '../../cli/context.js';
import { run } from '../../cli/program.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { openCliWorkspace } from '../support/cli-workspace.js';
import { deploymentView } from '../support/deployment-view.js';
import { inTurn, problem, type FakeSlipwayApi } from '../support/fake-slipway-api.js';
import { memoryStream as newMemoryStream } from '../support/memory-stream.js';

let cwd: string;
let workspace: Awaited<ReturnType<typeof openCliWorkspace>>;
let api: FakeSlipwayApi;
let stdout: ReturnType<typeof newMemoryStream>;
let stderr: ReturnType<typeof newMemoryStream>;

function context(overrides: Partial<CliContext> = {}): CliContext {
  return { cwd, env: {}, stdout, stderr, projectRoot: cwd, sleep: async () => {}, pollIntervalMs: 1, ...overrides };
}

const ok = (body: unknown, status = 200) => ({ status, body });
const SHA = 'ab'.repeat(32);
const promotion = (overrides: Partial<DeploymentView> = {}) =>
  deploymentView({
    id: 'd-p1',
    target: 'api-prod',
    release: 'r7',
    trigger: 'promotion',
    status: 'waiting',
    reason: 'awaiting approval',
    sha256: SHA,
    promotion: { from: 'api-staging', upstreamDeploymentId: 'd-up' },
    approval: { state: 'pending' },
    ...overrides,
  });
const prod = {
  name: 'api-prod',
  kind: 'function',
  function: { name: 'api-prod', alias: 'live' },
  strategy: 'AllAtOnce',
  health: { alarms: [], pollSeconds: 30 },
  promotion: { from: 'api-staging', soakSeconds: 0, approval: 'required', auto: false },
};

beforeEach(async () => {
  workspace = await openCliWorkspace('slipway-cli-pipeline-');
  ({ cwd, api } = workspace);
  stdout = newMemoryStream({ tty: false, columns: 100 });
  stderr = newMemoryStream({ tty: false, columns: 100 });
});

afterEach(async () => {
  await workspace.close();
});

describe('Command: pipeline promote', () => {
  it('asks for the named release and, behind approval, says how to approve and returns at once (exit 0)', async () => {
    // Prepare
    api.on('POST', '/targets/{name}/promotions', ok(promotion(), 202));
    // Act
    const code = await run(['pipeline', 'promote', 'api-prod', '--release', 'r7'], context());
    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]).toMatchObject({ method: 'POST', path: '/targets/api-prod/promotions', json: { release: 'r7' } });
    expect(stdout.text).toContain(`promoting r7 from api-staging into api-prod, sha256 ${SHA.slice(0, 12)}…: deployment d-p1`);
    expect(stdout.text).toContain('it awaits approval: npx slipway approve d-p1 --reason "…"');
    expect(api.requests).toHaveLength(1);
  });

  it('prints only the deployment with --json, and asks for the newest eligible release without --release', async () => {
    api.on('POST', '/targets/{name}/promotions', ok(promotion(), 202));
    const code = await run(['pipeline', 'promote', 'api-prod', '--json'], context());
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]?.json).toEqual({});
    expect(JSON.parse(stdout.text)).toMatchObject({ id: 'd-p1', approval: { state: 'pending' } });
  });

  it('follows a promotion without approval to succeeded', async () => {
    api.on('POST', '/targets/{name}/promotions', ok(promotion({ status: 'queued', approval: undefined, reason: null }), 202));
    api.on('GET', '/deployments/{id}', ok(promotion({ status: 'succeeded', approval: undefined, trafficPercent: 100, toVersion: '3' })));
    expect(await run(['pipeline', 'promote', 'api-prod'], context())).toBe(0);
  });

  it('exits 1 with the gate the API names (409)', async () => {
    api.on('POST', '/targets/{name}/promotions', problem(409, 'conflict', 'cannot promote into "api-prod": release "r9" never succeeded on api-staging'));
    expect(await run(['pipeline', 'promote', 'api-prod', '--release', 'r9'], context())).toBe(1);
    expect(stderr.text).toContain('release "r9" never succeeded on api-staging');
  });
});

describe('Commands: approve and reject', () => {
  it('approve requires --reason, sends it, and follows the promotion to its end', async () => {
    expect(await run(['approve', 'd-p1'], context())).toBe(2);
    expect(await run(['approve', 'd-p1', '--reason', ' '], context())).toBe(2);
    expect(api.requests).toHaveLength(0);
    api.on('POST', '/deployments/{id}/approve', ok(promotion({ approval: { state: 'approved', by: 'arn:me', reason: 'ok' } }), 202));
    api.on(
      'GET',
      '/deployments/{id}',
      inTurn(ok(promotion({ status: 'shifting', trafficPercent: 10 })), ok(promotion({ status: 'succeeded', trafficPercent: 100 }))),
    );
    const code = await run(['approve', 'd-p1', '--reason', 'staging is green'], context());
    expect(code, stderr.text).toBe(0);
    expect(api.requests[0]).toMatchObject({ path: '/deployments/d-p1/approve', json: { reason: 'staging is green' } });
    expect(stdout.text).toContain('approved d-p1 (api-prod r7): it starts now — "staging is green"');
  });

  it('approve exits 1 when nothing awaits approval (409)', async () => {
    api.on('POST', '/deployments/{id}/approve', problem(409, 'conflict', 'deployment d-p1 is not awaiting approval: it was approved by arn:a'));
    expect(await run(['approve', 'd-p1', '--reason', 'x'], context())).toBe(1);
    expect(stderr.text).toContain('not awaiting approval');
  });

  it('reject sends the reason and prints the cancelled deployment (--json: only JSON)', async () => {
    const rejected = promotion({ status: 'cancelled', reason: 'rejected by arn:me: freeze', approval: { state: 'rejected', by: 'arn:me', reason: 'freeze' } });
    api.on('POST', '/deployments/{id}/reject', ok(rejected, 202));
    expect(await run(['reject', 'd-p1', '--reason', 'freeze'], context())).toBe(0);
    expect(stdout.text).toBe('rejected d-p1 (api-prod r7): cancelled, rejected by arn:me: freeze\n');
    stdout = newMemoryStream({ tty: false, columns: 100 });
    expect(await run(['reject', 'd-p1', '--reason', 'freeze', '--json'], context())).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({ status: 'cancelled' });
  });
});

describe('Command: deploy to a gated target', () => {
  async function zip(): Promise<string> {
    const path = join(cwd, 'build.zip');
    await writeFile(path, await zipFiles({ 'index.mjs': 'export const handler = () => 1;' }));
    return path;
  }

  it('refuses before uploading without --force, naming the upstream (exit 1)', async () => {
    const path = await zip();
    api.on('GET', '/targets/api-prod', ok(prod));
    expect(await run(['deploy', path, '--target', 'api-prod', '--release', 'r1'], context())).toBe(1);
    expect(stderr.text).toContain('api-prod takes releases only by promotion from api-staging');
    expect(api.requests.map((r) => r.path)).toEqual(['/targets/api-prod']);
  });

  it('--force needs --reason, and --reason needs --force (exit 2, nothing sent)', async () => {
    const path = await zip();
    expect(await run(['deploy', path, '--target', 'api-prod', '--force'], context())).toBe(2);
    expect(await run(['deploy', path, '--target', 'api-prod', '--reason', 'x'], context())).toBe(2);
    expect(stderr.text).toContain('--force needs --reason');
    expect(api.requests).toHaveLength(0);
  });

  it('--force --reason uploads, then deploys through the API with force and follows that deployment', async () => {
    // Prepare
    const path = await zip();
    api.on('GET', '/targets/api-prod', ok(prod));
    api.on('POST', '/targets/{name}/releases', (request) => {
      const body = request.json as { release: string; sha256: string; size: number };
      const key = `releases/api-prod/${body.release}.zip`;
      return ok(
        {
          target: 'api-prod',
          release: body.release,
          bucket: 'slipway-artifacts',
          key,
          url: `${api.url}/s3/slipway-artifacts/${key}`,
          method: 'PUT',
          headers: { 'content-type': 'application/zip', 'x-amz-checksum-sha256': Buffer.from(body.sha256, 'hex').toString('base64') },
          expiresAt: '2026-11-26T21:30:00.000Z',
        },
        201,
      );
    });
    api.on('PUT', '/s3/slipway-artifacts/releases/{target}/{file}', (request) => {
      expect(createHash('sha256').update(request.body).digest('base64')).toBe(request.headers['x-amz-checksum-sha256']);
      return { status: 200, headers: { etag: '"e1"' } };
    });
    const forced = deploymentView({ id: 'd-forced', target: 'api-prod', release: 'hotfix', forcedBy: 'arn:me', forceReason: 'incident 42' });
    api.on('POST', '/deployments', ok(forced, 202));
    api.on('GET', '/deployments/{id}', ok({ ...forced, status: 'succeeded', trafficPercent: 100, toVersion: '2' }));
    // Act
    const code = await run(['deploy', path, '--target', 'api-prod', '--release', 'hotfix', '--force', '--reason', 'incident 42'], context());
    // Assess
    expect(code, stderr.text).toBe(0);
    expect(api.requests.find((r) => r.method === 'POST' && r.path === '/deployments')?.json).toEqual({
      target: 'api-prod',
      release: 'hotfix',
      force: true,
      reason: 'incident 42',
    });
    expect(stdout.text).toContain('forced past the promotion gate (from api-staging): deployment d-forced — "incident 42"');
    expect(api.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/deployments/')).every((r) => r.path === '/deployments/d-forced')).toBe(true);
  });
});
