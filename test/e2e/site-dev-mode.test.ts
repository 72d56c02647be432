/**
 * The example site `www` in `slipway dev`: seeded with r1, deployed with the CLI, rolled back,
 * watched through the local edge (siteUrl) the way a person would watch it in a browser.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../../dev/zip.js';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { aws as awsCli, root, slipway as runSlipway, startDev, type DevInfo } from '../support/dev-process.js';

const siteDir = join(root, 'examples', 'sites', 'www');
const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-site-'));
let info: DevInfo;
let stopDev: () => Promise<void>;

const slipway = (...args: string[]) => runSlipway(work, ...args);
const aws = (...args: string[]) => awsCli(info, ...args);

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
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
});

afterAll(async () => {
  await stopDev?.();
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
    expect(aws('s3', 'cp', 's3://slipway-local-www/www/r1/index.html', '-')).toContain('<meta name="release" content="r1">');
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
