/**
 * The example site `www` in `slipway dev`: seeded with r1, deployed with the CLI, rolled back,
 * watched through the local edge (siteUrl) the way a person would watch it in a browser.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../shared/adapters/local/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';

const root = join(import.meta.dirname, '..', '..');
const siteDir = join(root, 'examples', 'sites', 'www');
const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-site-'));
const awsEnv = { AWS_ACCESS_KEY_ID: 'e2e', AWS_SECRET_ACCESS_KEY: 'e2e', AWS_DEFAULT_REGION: 'us-east-1', AWS_REGION: 'us-east-1' };

let dev: ChildProcess;
let info: { awsEndpoint: string; apiUrl: string; region: string; artifactBucket: string; siteUrl: string };

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...awsEnv, NO_COLOR: '1' };
  delete env.AWS_ENDPOINT_URL;
  delete env.SLIPWAY_API_URL;
  delete env.SLIPWAY_ARTIFACT_BUCKET;
  delete env.SLIPWAY_DEV_EDGE_PORT;
  return env;
}

function slipway(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
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
  const run = spawnSync('aws', ['--endpoint-url', info.awsEndpoint, ...args], { encoding: 'utf8', env: cleanEnv() });
  if (run.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** The example site's files, with every "r1" in its pages turned into `release`. */
function siteFiles(release: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(siteDir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(siteDir);
  for (const path of Object.keys(files).filter((p) => p.endsWith('.html'))) files[path] = files[path]!.replaceAll('r1', release);
  return files;
}

async function get(path: string): Promise<{ status: number; body: string; contentType: string | null; cacheControl: string | null }> {
  const res = await fetch(`${info.siteUrl}${path}`);
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type'), cacheControl: res.headers.get('cache-control') };
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
    dev.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('slipway dev: ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
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

describe('slipway dev, the example site through the local edge', () => {
  it('serves the seeded release r1 at siteUrl with the stored headers', async () => {
    // Act
    const home = await get('/');
    const about = await get('/about/');
    const asset = await get('/assets/app.3f9a1c2b.js');
    // Assess
    expect(info.siteUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(home).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=0, must-revalidate' });
    expect(home.body).toContain('<meta name="release" content="r1">');
    expect(about.body).toContain('release <strong class="release">r1</strong>');
    expect(asset).toMatchObject({ status: 200, cacheControl: 'public, max-age=31536000, immutable' });
    expect(asset.body).toBe(readFileSync(join(siteDir, 'assets', 'app.3f9a1c2b.js'), 'utf8'));
    expect((await get('/missing.html')).status).toBe(404);
  });

  it('deploys r2 with `slipway deploy`: the edge serves r2 and r1 stays intact in its own prefix', async () => {
    // Prepare
    const zipPath = join(work, 'site-r2.zip');
    writeFileSync(zipPath, await zipFiles(siteFiles('r2')));
    // Act
    const run = await slipway('deploy', zipPath, '--target', 'www', '--release', 'r2', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ target: 'www', release: 'r2', status: 'succeeded', fromVersion: 'r1', toVersion: 'r2' });
    const home = await get('/');
    expect(home.body).toContain('<meta name="release" content="r2">');
    expect((await get('/about/')).body).toContain('release <strong class="release">r2</strong>');
    const r1 = aws('s3', 'ls', '--recursive', 's3://slipway-local-www/www/r1/');
    for (const key of ['www/r1/index.html', 'www/r1/about/index.html', 'www/r1/assets/app.3f9a1c2b.js', 'www/r1/styles/site.css', 'www/r1/img/logo.svg']) {
      expect(r1).toContain(key);
    }
    const r1Index = spawnSync('aws', ['--endpoint-url', info.awsEndpoint, 's3', 'cp', 's3://slipway-local-www/www/r1/index.html', '-'], { encoding: 'utf8', env: cleanEnv() });
    expect(r1Index.stdout).toContain('<meta name="release" content="r1">');
  });

  it('switches back to r1 at once with `slipway rollback www`', async () => {
    // Act
    const run = await slipway('rollback', 'www', '--json');
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ trigger: 'rollback', release: 'r1', status: 'succeeded' });
    const home = await get('/');
    expect(home.body).toContain('<meta name="release" content="r1">');
    expect((await get('/about/')).body).toContain('release <strong class="release">r1</strong>');
  });
});
