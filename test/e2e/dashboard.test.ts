/**
 * The web dashboard in real Chromium (Debian's, driven by playwright-core) against one `slipway dev`:
 * what it lists, a release uploaded with the AWS CLI followed to `succeeded` without a reload, a
 * rollback clicked on the page and checked with the AWS CLI, and a canary rolled back by its alarm.
 * The same run writes the screenshots the README shows (docs/dashboard-*.png).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionPackage } from '../../dev/zip.js';
import { type Browser, launchBrowser } from '../support/browser.js';
import { aws as awsCli, type DevInfo, eventually, root, startDev } from '../support/dev-process.js';

const work = mkdtempSync(join(tmpdir(), 'slipway-dashboard-e2e-'));
let info: DevInfo;
let stopDev: () => Promise<void>;
let browser: Browser;
let page: Page;

const aws = (...args: string[]) => awsCli(info, ...args);
const aliasVersion = (fn: string): string =>
  (JSON.parse(aws('lambda', 'get-alias', '--function-name', fn, '--name', 'live')) as { FunctionVersion: string }).FunctionVersion;
const card = (target: string) => page.locator(`[data-target="${target}"]`);

async function upload(target: string, release: string, body: string): Promise<void> {
  const path = join(work, `${target}-${release}.zip`);
  writeFileSync(path, await functionPackage(body));
  aws('s3', 'cp', path, `s3://${info.artifactBucket}/releases/${target}/${release}.zip`);
}

beforeAll(async () => {
  const [dev, launched] = await Promise.all([startDev(work), launchBrowser()]);
  info = dev.info;
  stopDev = dev.stop;
  browser = launched;
  page = await browser.context.newPage();
  await page.goto(info.dashboardUrl);
});

afterAll(async () => {
  await browser?.close();
  await stopDev?.();
});

describe('the dashboard against slipway dev', () => {
  it('lists every example target with what is live on it', async () => {
    // Act
    await card('www').locator('.live', { hasText: 'r1' }).waitFor();
    // Assess
    for (const name of ['api-prod', 'api-staging', 'hello', 'hello-canary', 'hello-nightly', 'shop', 'www']) await expect(card(name).count()).resolves.toBe(1);
    await expect(card('shop').locator('.live').textContent()).resolves.toBe('r1');
    await expect(card('hello-nightly').locator('.window').textContent()).resolves.toMatch(/^(open|closed|frozen) .*\(Europe\/Berlin\)$/);
    await expect(card('api-prod').textContent()).resolves.toContain('api-staging → api-prod');
  });

  it('shows a release uploaded with the AWS CLI reach succeeded, without a reload', async () => {
    // Prepare
    await page.evaluate('window.notReloaded = true');
    // Act
    await upload('hello', 'r2', 'hello r2 from the AWS CLI');
    // Assess
    await card('hello').locator('.last', { hasText: 'r2' }).locator('.status-succeeded').waitFor({ timeout: 30_000 });
    await expect(card('hello').locator('.live').textContent()).resolves.toBe(`r2 · version ${aliasVersion('hello')}`);
    await expect(page.evaluate('window.notReloaded')).resolves.toBe(true);
  });

  it('rolls hello back from its card, behind a confirmation, and the alias goes back', async () => {
    // Prepare
    const before = aliasVersion('hello');
    // Act
    await card('hello').locator('[data-action="rollback"]').click();
    const dialog = page.locator('dialog[open]');
    await dialog.locator('textarea[name="reason"]').fill('r2 breaks the checkout');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    // Assess
    await page.locator('.notice', { hasText: 'Rollback of hello to (before slipway) started' }).waitFor();
    const after = await eventually(() => (aliasVersion('hello') !== before ? aliasVersion('hello') : undefined), 'the alias to move back', 30_000);
    expect(after).toBe('1');
    await card('hello').locator('.last', { hasText: '(before slipway)' }).locator('.status-succeeded').waitFor({ timeout: 30_000 });
  });

  it('follows a canary its alarm rolls back, and shows the alarm in the reason', async () => {
    // Prepare
    await upload('hello-canary', 'c2', 'hello-canary c2, broken');
    const running = card('hello-canary').locator('.running a');
    await running.waitFor({ timeout: 30_000 });
    // Act
    await running.click();
    const deployment = page.locator('[data-deployment]');
    await deployment.locator('.traffic, .step-current').first().waitFor();
    await page.locator('[data-deployment][data-status="shifting"]').waitFor({ timeout: 30_000 });
    aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'ALARM', '--state-reason', 'e2e');
    try {
      await page.locator('[data-deployment][data-status="rolled_back"]').waitFor({ timeout: 30_000 });
    } finally {
      aws('cloudwatch', 'set-alarm-state', '--alarm-name', 'hello-canary-errors', '--state-value', 'OK', '--state-reason', 'e2e done');
    }
    // Assess
    await expect(page.locator('[data-reason]').textContent()).resolves.toContain('hello-canary-errors');
    await expect(page.locator('.check-failed').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: join(root, 'docs', 'dashboard-deployment.png'), fullPage: true });
  });

  it('holds at a phone width, and the overview is the README picture', async () => {
    // Act
    await page.goto(`${info.dashboardUrl}/#/`);
    await card('hello-canary').locator('.last .status-rolled_back').waitFor();
    await page.screenshot({ path: join(root, 'docs', 'dashboard-overview.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // Assess: nothing wider than the screen
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(390);
  });
});
