/**
 * The dashboard's first load against `slipway dev`, in headless Chromium (Debian's, through
 * playwright-core): the bytes transferred (the JavaScript as sent, gzip-compressed like CloudFront
 * sends it) and the time from navigation to the rendered overview (every example target listed,
 * www's live release shown). Each run is a cold load: a new browser with an empty profile. The
 * baseline, timed the same way in the same browsers, is an empty page from a bare node:http server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevService } from '../dev/dev-service.js';
import { launchBrowser } from '../test/support/browser.js';

export interface DashboardLoadResult {
  runs: number;
  chromium: string;
  jsBytesCompressed: number;
  jsBytesRaw: number;
  cssBytesCompressed: number;
  totalBytes: number;
  requests: number;
  apiRequests: number;
  overviewMedianMs: number;
  overviewRunsMs: number[];
  emptyPageMedianMs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export async function benchDashboard(runs: number): Promise<DashboardLoadResult> {
  process.env.AWS_ACCESS_KEY_ID ??= 'bench';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  const dev = await startDevService({
    projectRoot: process.cwd(),
    stateDir: mkdtempSync(join(tmpdir(), 'slipway-bench-dashboard-')),
    log: () => undefined,
    progress: false,
  });
  const empty = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>empty</title><p id="ready">ready</p>');
  });
  await new Promise<void>((resolve) => empty.listen(0, '127.0.0.1', resolve));
  const emptyUrl = `http://127.0.0.1:${(empty.address() as AddressInfo).port}/`;
  const overview: number[] = [];
  const baseline: number[] = [];
  let last: Omit<DashboardLoadResult, 'runs' | 'overviewMedianMs' | 'overviewRunsMs' | 'emptyPageMedianMs' | 'chromium'> | undefined;
  let chromium = '';
  try {
    for (let i = 0; i < runs; i++) {
      const browser = await launchBrowser();
      try {
        chromium = browser.context.browser()?.version() ?? chromium;
        const page = await browser.context.newPage();
        // Baseline first: the same browser, an empty page.
        let started = performance.now();
        await page.goto(emptyUrl);
        await page.locator('#ready').waitFor();
        baseline.push(performance.now() - started);

        const sizes = { jsBytesCompressed: 0, jsBytesRaw: 0, cssBytesCompressed: 0, totalBytes: 0, requests: 0, apiRequests: 0 };
        const pending: Promise<void>[] = [];
        page.on('response', (response) => {
          pending.push(
            (async () => {
              const url = new URL(response.url());
              if (!url.href.startsWith(dev.info.dashboardUrl)) return;
              const sent = Number((await response.headerValue('content-length')) ?? 0);
              sizes.requests++;
              sizes.totalBytes += sent;
              if (url.pathname.startsWith('/api/')) sizes.apiRequests++;
              if (url.pathname.endsWith('.js')) {
                sizes.jsBytesCompressed += sent;
                sizes.jsBytesRaw += (await response.body()).length;
              }
              if (url.pathname.endsWith('.css')) sizes.cssBytesCompressed += sent;
            })(),
          );
        });
        started = performance.now();
        await page.goto(dev.info.dashboardUrl);
        await page.locator('[data-target="www"] .live', { hasText: 'r1' }).waitFor();
        await page.locator('[data-target]').nth(6).waitFor();
        overview.push(performance.now() - started);
        await Promise.all(pending);
        last = sizes;
      } finally {
        await browser.close();
      }
    }
  } finally {
    await new Promise<void>((resolve) => empty.close(() => resolve()));
    await dev.stop();
  }
  if (!last) throw new Error('no run finished');
  return { runs, chromium, ...last, overviewMedianMs: median(overview), overviewRunsMs: overview, emptyPageMedianMs: median(baseline) };
}
