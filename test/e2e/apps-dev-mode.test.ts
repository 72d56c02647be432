/**
 * The example app `shop` in `slipway dev` (docs/apps.md), the newcomer's walk-through: deploy a
 * change to the API and the site together, then a release whose worker alarm fires during the bake,
 * and watch all three come back. The AWS CLI checks each alias and the site's distribution; the
 * apps' edge (`apps.shop.web`) shows the page a browser would get. One dev process, two deploys:
 * the canary bakes 10 s in real time.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../../shared/domain/deployment.js';
import { aws as awsCli, eventually, root, slipway as runSlipway, startDev, type DevInfo } from '../support/dev-process.js';

const shopDir = join(root, 'examples', 'apps', 'shop');
const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-apps-'));
let info: DevInfo;
let stopDev: () => Promise<void>;

const slipway = (...args: string[]) => runSlipway(work, ...args);
const aws = (...args: string[]) => awsCli(info, ...args);

type Component = 'api' | 'worker' | 'web';

/** A copy of examples/apps/shop with `release` written into the components named in `changed`. */
function shopRelease(release: string, changed: Component[]): string {
  const dir = join(work, release);
  cpSync(shopDir, dir, { recursive: true });
  const files: Record<Component, string> = { api: 'api/index.mjs', worker: 'worker/index.mjs', web: 'web/index.html' };
  for (const component of changed) {
    const path = join(dir, files[component]);
    writeFileSync(path, readFileSync(path, 'utf8').replaceAll('r1', release));
  }
  return dir;
}

interface Alias {
  FunctionVersion: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
}

function alias(fn: string): Alias {
  return JSON.parse(aws('lambda', 'get-alias', '--function-name', fn, '--name', 'live')) as Alias;
}

function weights(a: Alias): Record<string, number> {
  return a.RoutingConfig?.AdditionalVersionWeights ?? {};
}

/** The release the shop's page names, as the apps' edge serves it. */
async function pageRelease(): Promise<string | undefined> {
  const res = await fetch(`${info.apps.shop?.web}/`);
  const body = await res.text();
  return /<meta name="release" content="([^"]+)">/.exec(body)?.[1];
}

/** The origin path of the shop site's own distribution, read with the AWS CLI. */
function originPath(distributionId: string): string {
  const config = JSON.parse(aws('cloudfront', 'get-distribution-config', '--id', distributionId));
  return config.DistributionConfig.Origins.Items[0].OriginPath as string;
}

let shopDistribution: string;
let apiVersionAfterFirstDeploy: string;

beforeAll(async () => {
  const dev = await startDev(work);
  info = dev.info;
  stopDev = dev.stop;
  const target = await slipway('targets', 'get', 'shop', '--json');
  expect(target.status, target.stderr).toBe(0);
  shopDistribution = JSON.parse(target.stdout).components.web.site.distributionId;
});

afterAll(async () => {
  await stopDev?.();
});

describe('slipway dev, the example app shop', () => {
  it('seeds r1 of the site on its own distribution at apps.shop.web, the functions at version 1', async () => {
    // Act
    const page = await pageRelease();
    // Assess
    expect(info.apps.shop?.web).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.apps.shop?.web).not.toBe(info.siteUrl);
    expect(page).toBe('r1');
    expect(originPath(shopDistribution)).toBe('/web/r1');
    const www = await slipway('targets', 'get', 'www', '--json');
    expect(JSON.parse(www.stdout).site.distributionId).not.toBe(shopDistribution);
    expect(alias('shop-api')).toMatchObject({ FunctionVersion: '1' });
    expect(alias('shop-worker')).toMatchObject({ FunctionVersion: '1' });
  });

  it('deploys a change to the api and the site together: the api alias on a new version, the new page served, the worker unchanged', async () => {
    // Prepare
    const dir = shopRelease('s2', ['api', 'web']);
    // Act
    const run = await slipway('deploy', dir, '-t', 'shop', '--release', 's2', '--json');
    // Assess
    expect(run.status, `${run.stderr}\n${run.stdout}`).toBe(0);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ target: 'shop', release: 's2', status: 'succeeded' });
    expect(deployment.components).toMatchObject({
      api: { kind: 'function', fromVersion: '1', changed: true },
      worker: { kind: 'function', fromVersion: '1', toVersion: '1', changed: false },
      web: { kind: 'site', fromRelease: 'r1', toRelease: 's2', changed: true },
    });
    const api = deployment.components?.api;
    apiVersionAfterFirstDeploy = api?.kind === 'function' ? (api.toVersion ?? '') : '';
    expect(apiVersionAfterFirstDeploy).not.toBe('1');
    const apiAlias = alias('shop-api');
    expect(apiAlias.FunctionVersion).toBe(apiVersionAfterFirstDeploy);
    expect(weights(apiAlias)).toEqual({});
    expect(alias('shop-worker')).toMatchObject({ FunctionVersion: '1' });
    expect(await pageRelease()).toBe('s2');
    expect(originPath(shopDistribution)).toBe('/web/s2');
  });

  it("rolls all three back when the worker's alarm goes to ALARM during the bake", async () => {
    // Prepare
    const dir = shopRelease('s3', ['api', 'worker', 'web']);
    // Act
    const running = slipway('deploy', dir, '-t', 'shop', '--release', 's3', '--json');
    // The canary: both functions carry the new version's 10% together, and the old page is still served.
    const canary = await eventually(
      () => {
        const api = alias('shop-api');
        const worker = alias('shop-worker');
        return Object.keys(weights(api)).length && Object.keys(weights(worker)).length ? { api, worker } : undefined;
      },
      'the canary on both aliases',
      60_000,
    );
    const pageDuringCanary = await pageRelease();
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'shop-worker-errors', '--state-value', 'ALARM', '--state-reason', 'e2e: the worker fails');
    const run = await running;
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'shop-worker-errors', '--state-value', 'OK', '--state-reason', 'e2e: reset');
    // Assess
    expect(canary.api.FunctionVersion).toBe(apiVersionAfterFirstDeploy);
    expect(Object.values(weights(canary.api))).toEqual([0.1]);
    expect(canary.worker.FunctionVersion).toBe('1');
    expect(Object.values(weights(canary.worker))).toEqual([0.1]);
    expect(pageDuringCanary).toBe('s2');
    expect(run.status).toBe(1);
    const deployment = JSON.parse(run.stdout) as DeploymentView;
    expect(deployment).toMatchObject({ target: 'shop', release: 's3', status: 'rolled_back' });
    expect(deployment.reason).toContain('shop-worker-errors');
    const apiAlias = alias('shop-api');
    expect(apiAlias.FunctionVersion).toBe(apiVersionAfterFirstDeploy);
    expect(weights(apiAlias)).toEqual({});
    const workerAlias = alias('shop-worker');
    expect(workerAlias.FunctionVersion).toBe('1');
    expect(weights(workerAlias)).toEqual({});
    expect(await pageRelease()).toBe('s2');
    expect(originPath(shopDistribution)).toBe('/web/s2');
  });
});
