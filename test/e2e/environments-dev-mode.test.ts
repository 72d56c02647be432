/**
 * The walk-through of docs/environments.md against `slipway dev`, as a newcomer runs it with the
 * example pipeline api-staging → api-prod: ship to staging, see production refuse a direct upload,
 * promote, approve, watch the canary, change production's configuration, and roll back with the
 * configuration coming back too.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { aws as awsCli, root, slipway as runSlipway, startDev, type DevInfo, eventually } from '../support/dev-process.js';

const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-env-'));
let info: DevInfo;
let stopDev: () => Promise<void>;

const slipway = (...args: string[]) => runSlipway(work, ...args);
const aws = (...args: string[]) => awsCli(info, ...args);

function liveVersion(fn: string): string {
  return (JSON.parse(aws('lambda', 'get-alias', '--function-name', fn, '--name', 'live')) as { FunctionVersion: string }).FunctionVersion;
}

function environmentOf(fn: string, version: string): Record<string, string> {
  const config = JSON.parse(aws('lambda', 'get-function-configuration', '--function-name', fn, '--qualifier', version)) as {
    Environment?: { Variables?: Record<string, string> };
  };
  return config.Environment?.Variables ?? {};
}

async function history(target: string): Promise<DeploymentView[]> {
  const result = await slipway('history', target, '--json');
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as DeploymentView[];
}

async function writeZip(name: string, body: string): Promise<string> {
  const path = join(work, name);
  writeFileSync(path, await functionPackage(body));
  return path;
}

beforeAll(async () => {
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
});

afterAll(async () => {
  await stopDev?.();
});

describe('environments walk-through against slipway dev', () => {
  let staged: DeploymentView;
  let promoted: DeploymentView;

  it('1. ships r2 to staging, published with staging’s configuration', async () => {
    const run = await slipway('deploy', await writeZip('r2.zip', 'api r2'), '--target', 'api-staging', '--release', 'r2', '--json');
    expect(run.status, run.stderr).toBe(0);
    staged = JSON.parse(run.stdout) as DeploymentView;
    expect(staged).toMatchObject({ target: 'api-staging', release: 'r2', status: 'succeeded' });
    const env = environmentOf('api-staging', liveVersion('api-staging'));
    expect(env).toMatchObject({ STAGE: 'staging', DB_PASSWORD: 'dev-only value of /staging/db/password' });
  });

  it('2. production refuses a direct upload, and nothing changes there', async () => {
    const before = liveVersion('api-prod');
    const cli = await slipway('deploy', await writeZip('direct.zip', 'api direct'), '--target', 'api-prod', '--release', 'direct', '--json');
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain('api-staging');
    aws('s3', 'cp', join(work, 'direct.zip'), `s3://${info.artifactBucket}/releases/api-prod/direct2.zip`);
    const refused = await eventually(async () => (await history('api-prod')).find((d) => d.release === 'direct2' && d.endedAt), 'the direct upload to end');
    expect(refused.status).toBe('failed');
    expect(refused.reason).toMatch(/only by promotion from api-staging/);
    expect(liveVersion('api-prod')).toBe(before);
  });

  it('3–5. promotes r2, waits for approval, then the canary takes staging’s very artifact live', async () => {
    const requested = await slipway('pipeline', 'promote', 'api-prod', '--json');
    expect(requested.status, requested.stderr).toBe(0);
    const waiting = JSON.parse(requested.stdout) as DeploymentView & { approval?: { state: string } };
    expect(waiting).toMatchObject({ trigger: 'promotion', release: 'r2', status: 'waiting', reason: 'awaiting approval', sha256: staged.sha256 });
    expect(waiting.approval?.state).toBe('pending');

    const shown = await slipway('pipeline', 'show', 'api-prod', '--json');
    expect(shown.status, shown.stderr).toBe(0);
    const pipeline = JSON.parse(shown.stdout) as { environments: { name: string; awaitingApproval: { id: string }[] }[] };
    expect(pipeline.environments.map((e) => e.name)).toEqual(['api-staging', 'api-prod']);
    expect(pipeline.environments[1]?.awaitingApproval.map((a) => a.id)).toEqual([waiting.id]);

    const approved = await slipway('approve', waiting.id, '--reason', 'staging looked good', '--json');
    expect(approved.status, approved.stderr).toBe(0);
    promoted = JSON.parse(approved.stdout) as DeploymentView;
    expect(promoted).toMatchObject({ id: waiting.id, status: 'succeeded', sha256: staged.sha256 });
    // The canary: a 25% step baked before 100%.
    expect(promoted.timeline.some((e) => e.trafficPercent === 25)).toBe(true);
    const env = environmentOf('api-prod', liveVersion('api-prod'));
    expect(env).toMatchObject({ STAGE: 'production', DB_PASSWORD: 'dev-only value of /prod/db/password', STRIPE_KEY: 'dev-only value of prod/stripe' });
  });

  it('6. a configuration change deploys alone; a rollback brings production’s old configuration back', async () => {
    const file = join(work, 'api-prod.json');
    const target = JSON.parse(readFileSync(join(root, 'examples', 'targets', 'api-prod.json'), 'utf8'));
    target.configuration.environment.LOG_LEVEL = 'debug';
    writeFileSync(file, JSON.stringify(target));
    const applied = await slipway('targets', 'apply', file);
    expect(applied.status, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('LOG_LEVEL');
    const changed = await eventually(
      async () => (await history('api-prod')).find((d) => d.trigger === 'config' && d.endedAt),
      'the configuration deployment to end',
    );
    expect(changed).toMatchObject({ release: 'r2', status: 'succeeded' });
    expect(environmentOf('api-prod', liveVersion('api-prod')).LOG_LEVEL).toBe('debug');

    const rolled = await slipway('rollback', 'api-prod', '--json');
    expect(rolled.status, rolled.stderr).toBe(0);
    expect(JSON.parse(rolled.stdout)).toMatchObject({ trigger: 'rollback', status: 'succeeded', toVersion: promoted.toVersion });
    const env = environmentOf('api-prod', liveVersion('api-prod'));
    expect(env.LOG_LEVEL).toBeUndefined();
    expect(env.STAGE).toBe('production');
  });
});
