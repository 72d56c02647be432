/**
 * Debian's Chromium driven by playwright-core, as the dashboard's browser test and benchmark use it:
 * headless, with the flags this machine's closed network needs, in a fresh profile each time.
 * Chromium is installed by scripts/ensure-chromium.sh (apt-get) when /usr/bin/chromium is missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { root } from './dev-process.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Runs scripts/ensure-chromium.sh when Chromium is missing; throws with its output when that fails. */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  const run = spawnSync(join(root, 'scripts', 'ensure-chromium.sh'), { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`could not install chromium:\n${run.stdout}${run.stderr}`);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with an empty user-data-dir of its own, removed again on close. */
export async function launchBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'slipway-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
