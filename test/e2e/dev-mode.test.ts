/**
 * The CLI and the AWS CLI (an outside client) against `slipway dev`, started the way `npm start`
 * starts it. Bakes and health polls run in real time here (hello-canary bakes 5 s).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../shared/adapters/local/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-'));
const awsEnv = { AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };

let dev: ChildProcess;
let info: { awsEndpoint: string; apiUrl: string; region: string; artifactBucket: string };

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...awsEnv, NO_COLOR: '1' };
  delete env.AWS_ENDPOINT_URL;
  delete env.SLIPWAY_API_URL;
  delete env.SLIPWAY_ARTIFACT_BUCKET;
  return env;
}

/** Runs `slipway …` from the work directory, where it finds .slipway/dev.json. */
function slipway(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [join(root, 'cli', 'bin.mjs'), ...args], { cwd: work, encoding: 'utf8', env: cleanEnv(), timeout: 90_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function slipwayAsync(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'cli', 'bin.mjs'), ...args], { cwd: work, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function aws(...args: string[]): string {
  const run = spawnSync('aws', ['--endpoint-url', info.awsEndpoint, '--output', 'json', ...args], { encoding: 'utf8', env: cleanEnv() });
  if (run.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

function alias(fn: string): { FunctionVersion: string; RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> } } {
  return JSON.parse(aws('lambda', 'get-alias', '--function-name', fn, '--name', 'live'));
}

function history(target: string): DeploymentView[] {
  const run = slipway('history', target, '--json');
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as DeploymentView[];
}

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function writeZip(name: string, body: string): Promise<{ path: string; sha256: string }> {
  const bytes = await functionPackage(body);
  const path = join(work, name);
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

beforeAll(async () => {
  dev = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), 'dev'], {
    cwd: root,
    env: { ...cleanEnv(), SLIPWAY_DEV_STATE_DIR: join(work, '.slipway'), POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway dev did not get ready:\n${output}`)), 100_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.includes('slipway dev: ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    dev.stdout?.on('data', onData);
    dev.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    dev.on('exit', (code) => reject(new Error(`slipway dev exited with ${code}:\n${output}`)));
  });
  info = JSON.parse(readFileSync(join(work, '.slipway', 'dev.json'), 'utf8'));
});

afterAll(async () => {
  if (!dev || dev.exitCode !== null) return;
  const exited = new Promise((r) => dev.once('exit', r));
  dev.kill('SIGINT');
  await exited;
});

describe('slipway dev, end to end', () => {
  it('writes dev.json with the documented fields', () => {
    expect(Object.keys(info).sort()).toEqual(['apiUrl', 'artifactBucket', 'awsEndpoint', 'region', 'siteUrl']);
    expect(info.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('takes a release uploaded with the AWS CLI live behind the alias', async () => {
    // Prepare
    const zip = await writeZip('build.zip', 'hello r2 from the AWS CLI');
    // Act
    aws('s3', 'cp', zip.path, `s3://${info.artifactBucket}/releases/hello/r2.zip`);
    const done = await eventually(() => history('hello').find((d) => d.release === 'r2' && d.endedAt), 'r2 to finish');
    // Assess
    expect(done.status, done.reason ?? '').toBe('succeeded');
    const live = alias('hello');
    expect(live.FunctionVersion).toBe(done.toVersion);
    const config = JSON.parse(aws('lambda', 'get-function-configuration', '--function-name', 'hello', '--qualifier', live.FunctionVersion));
    expect(config.CodeSha256).toBe(Buffer.from(zip.sha256, 'hex').toString('base64'));
  });

  it('deploys with `slipway deploy`, follows it to the end and exits 0', async () => {
    // Prepare
    const zip = await writeZip('r3.zip', 'hello r3 from slipway deploy');
    // Act
    const run = await slipwayAsync('deploy', zip.path, '--target', 'hello', '--release', 'r3', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ target: 'hello', release: 'r3', status: 'succeeded', sha256: zip.sha256 });
    expect(alias('hello').FunctionVersion).toBe(deployment.toVersion);
  });

  it('rolls the canary back when its alarm fires during the bake, and exits 1', async () => {
    // Prepare
    const before = alias('hello-canary').FunctionVersion;
    const zip = await writeZip('canary.zip', 'hello-canary c2, broken');
    // Act
    const deploying = slipwayAsync('deploy', zip.path, '--target', 'hello-canary', '--release', 'c2', '--json');
    const shifting = await eventually(() => history('hello-canary').find((d) => d.release === 'c2' && d.status === 'shifting'), 'the canary to start');
    const split = alias('hello-canary').RoutingConfig?.AdditionalVersionWeights ?? {};
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'ALARM', '--state-reason', 'e2e');
    const run = await deploying;
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'OK', '--state-reason', 'e2e done');
    // Assess
    expect(split).toEqual({ [shifting.toVersion!]: 0.5 });
    expect(run.status).toBe(1);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment.status).toBe('rolled_back');
    expect(deployment.reason).toContain('hello-canary-errors');
    const after = alias('hello-canary');
    expect(after.FunctionVersion).toBe(before);
    expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('rolls back to the previous release with `slipway rollback`, recorded as a deployment', async () => {
    // Prepare: r3 is live, r2 before it
    const r2 = history('hello').find((d) => d.release === 'r2' && d.status === 'succeeded');
    // Act
    const run = await slipwayAsync('rollback', 'hello', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ trigger: 'rollback', release: 'r2', status: 'succeeded', toVersion: r2?.toVersion });
    expect(alias('hello').FunctionVersion).toBe(r2?.toVersion);
    expect(history('hello')[0]?.id).toBe(deployment.id);
  });

  it('rolls forward to a named release with `slipway rollback --to`', async () => {
    // Prepare: r2 is live again after the rollback; r3's version still exists
    const r3 = history('hello').find((d) => d.release === 'r3' && d.trigger === 's3' && d.status === 'succeeded');
    // Act
    const run = await slipwayAsync('rollback', 'hello', '--to', 'r3', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ trigger: 'rollback', release: 'r3', status: 'succeeded', toVersion: r3?.toVersion });
    expect(alias('hello').FunctionVersion).toBe(r3?.toVersion);
  });

  it('refuses a deploy to an unknown target with exit code 2 and uploads nothing', async () => {
    // Prepare
    const zip = await writeZip('nobody.zip', 'nobody');
    // Act
    const run = slipway('deploy', zip.path, '--target', 'no-such-target', '--release', 'x1');
    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('no-such-target');
    const listed = JSON.parse(aws('s3api', 'list-objects-v2', '--bucket', info.artifactBucket, '--prefix', 'releases/no-such-target/'));
    expect(listed.Contents ?? []).toEqual([]);
  });
});
