/**
 * An app release (two functions and a 500-file site, one zip, one deployment) against the same three
 * components released as three targets of their own, one after another, in the same dev service
 * and the same run: wall time and AWS API calls counted on the wire.
 *   npm run bench -- --only apps
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';
import { DynamoTargetStore } from '../shared/adapters/aws/dynamo-targets.js';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { deploymentIdForObject, isTerminal, type Deployment } from '../shared/domain/deployment.js';
import { parseTarget } from '../shared/domain/target.js';
import { DEV_NAMES, startDevService, type DevService } from '../dev/dev-service.js';
import { startMotoServer } from '../dev/moto-server.js';
import { createAliasedFunction, provisionSiteOrigin } from '../dev/provision.js';
import { zipFiles } from '../dev/zip.js';
import { startRequestCounter } from './request-counter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** The bench's own targets: an app, and the same three pieces as separate targets (a function or site belongs to one target only). */
const APP = 'bench-app';
const SOLO = { api: 'bench-solo-api', worker: 'bench-solo-worker', web: 'bench-solo-web' } as const;

export interface AppReleaseResult {
  runs: number;
  siteFiles: number;
  siteBytes: number;
  app: { medianMs: number; apiCalls: number; byOperation: Record<string, number> };
  separate: { medianMs: number; apiCalls: number; byOperation: Record<string, number>; medianMsByTarget: Record<string, number> };
  wallRatio: number;
  callsRatio: number;
}

function functionCode(component: string, run: number): string {
  return `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(`${component} run ${run}`)} });\n`;
}

/** A generated site: `files` pages of ~2 KB; only index.html names the run, so a new run changes one file. */
function siteFiles(files: number, run: number): Record<string, string> {
  const site: Record<string, string> = { 'index.html': `<!doctype html><title>run ${run}</title><p>run ${run}</p>\n` };
  for (let i = 1; i < files; i++) site[`pages/${String(i).padStart(4, '0')}.html`] = `<!doctype html><p>page ${i}</p>\n${'lorem ipsum '.repeat(170)}\n`;
  return site;
}

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, body]) => [`${prefix}${path}`, body]));
}

async function registerTargets(): Promise<void> {
  const store = new DynamoTargetStore({ tableName: DEV_NAMES.tableName });
  const fn = (name: string) => ({ name, alias: 'live' });
  const placeholder = () => zipFiles({ 'index.mjs': functionCode('placeholder', -1) });
  for (const name of [`${APP}-api`, `${APP}-worker`, SOLO.api, SOLO.worker]) await createAliasedFunction(name, await placeholder());
  const appSite = await provisionSiteOrigin(`${APP}-web`);
  const soloSite = await provisionSiteOrigin(SOLO.web);
  const health = { pollSeconds: 1 };
  await store.put(
    parseTarget({
      name: APP,
      kind: 'app',
      components: {
        api: { function: fn(`${APP}-api`) },
        worker: { function: fn(`${APP}-worker`) },
        web: { site: { bucket: `${APP}-web`, prefix: 'web/', distributionId: appSite.distributionId } },
      },
      strategy: 'AllAtOnce',
      health,
    }),
  );
  await store.put(parseTarget({ name: SOLO.api, kind: 'function', function: fn(SOLO.api), strategy: 'AllAtOnce', health }));
  await store.put(parseTarget({ name: SOLO.worker, kind: 'function', function: fn(SOLO.worker), strategy: 'AllAtOnce', health }));
  await store.put(parseTarget({ name: SOLO.web, kind: 'site', site: { bucket: SOLO.web, prefix: 'web/', distributionId: soloSite.distributionId }, health }));
}

export async function benchAppRelease(runs = 3, files = 500): Promise<AppReleaseResult> {
  const root = process.cwd();
  const moto = await startMotoServer({ projectRoot: root });
  const counter = await startRequestCounter(moto.endpoint);
  process.env.AWS_ENDPOINT_URL = counter.url;
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  let dev: DevService | undefined;
  try {
    dev = await startDevService({ projectRoot: root, stateDir: mkdtempSync(join(tmpdir(), 'slipway-bench-apps-')), log: () => undefined, progress: false });
    const service = dev;
    await registerTargets();
    const s3 = new S3Client({ forcePathStyle: true });
    // The bench watches the records through moto directly, so its polling is not counted.
    const deployments = new DynamoDeploymentStore({
      client: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: moto.endpoint })),
      tableName: DEV_NAMES.tableName,
    });

    /** Uploads one release and waits for its deployment to succeed (and its execution to end). */
    async function release(target: string, name: string, zip: Uint8Array): Promise<Deployment> {
      const key = releaseKey(target, name);
      const put = await s3.send(new PutObjectCommand({ Bucket: service.info.artifactBucket, Key: key, Body: zip }));
      const id = deploymentIdForObject({ bucket: service.info.artifactBucket, key, versionId: put.VersionId! });
      const deadline = Date.now() + 180_000;
      for (;;) {
        const d = await deployments.get(id);
        if (d && isTerminal(d.status)) {
          if (d.status !== 'succeeded') throw new Error(`${target} ${name} (${id}) ended ${d.status}: ${d.reason ?? 'no reason'}`);
          await service.orchestrator.settled(id);
          return d;
        }
        if (Date.now() > deadline) throw new Error(`${target} ${name} (${id}) did not end within 180 s`);
        await sleep(10);
      }
    }

    const appZip = (run: number) =>
      zipFiles({
        ...prefixed('api/', { 'index.mjs': functionCode('api', run) }),
        ...prefixed('worker/', { 'index.mjs': functionCode('worker', run) }),
        ...prefixed('web/', siteFiles(files, run)),
      });

    async function appRun(run: number): Promise<{ ms: number; calls: Map<string, number> }> {
      const zip = await appZip(run);
      counter.reset();
      const started = performance.now();
      const d = await release(APP, `run-${run}`, zip);
      const ms = performance.now() - started;
      const changed = Object.entries(d.components ?? {}).filter(([, c]) => c.changed).length;
      if (changed !== 3) throw new Error(`${APP} run-${run} changed ${changed} of its 3 components: ${JSON.stringify(d.components)}`);
      return { ms, calls: new Map(counter.counts) };
    }

    async function separateRun(run: number): Promise<{ ms: number; calls: Map<string, number>; byTarget: Record<string, number> }> {
      const zips = {
        [SOLO.api]: await zipFiles({ 'index.mjs': functionCode('api', run) }),
        [SOLO.worker]: await zipFiles({ 'index.mjs': functionCode('worker', run) }),
        [SOLO.web]: await zipFiles(siteFiles(files, run)),
      };
      counter.reset();
      const byTarget: Record<string, number> = {};
      const started = performance.now();
      for (const [target, zip] of Object.entries(zips)) {
        const at = performance.now();
        await release(target, `run-${run}`, zip);
        byTarget[target] = performance.now() - at;
      }
      return { ms: performance.now() - started, calls: new Map(counter.counts), byTarget };
    }

    // Run 0 takes every site live for the first time (a full staging) and is not measured: the
    // measured runs change the two functions and one file of the site, on both sides.
    await appRun(0);
    await separateRun(0);
    const app: { ms: number; calls: Map<string, number> }[] = [];
    const separate: { ms: number; calls: Map<string, number>; byTarget: Record<string, number> }[] = [];
    for (let run = 1; run <= runs; run++) {
      // Alternating which goes first, so a drift of the shared machine weighs on both.
      if (run % 2) {
        app.push(await appRun(run));
        separate.push(await separateRun(run));
      } else {
        separate.push(await separateRun(run));
        app.push(await appRun(run));
      }
    }
    const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);
    const medianCalls = (xs: { calls: Map<string, number> }[]) => median(xs.map((x) => total(x.calls)));
    const last = <T>(xs: T[]) => xs[xs.length - 1] as T;
    const appMs = median(app.map((x) => x.ms));
    const separateMs = median(separate.map((x) => x.ms));
    const appCalls = medianCalls(app);
    const separateCalls = medianCalls(separate);
    return {
      runs,
      siteFiles: files,
      siteBytes: Object.values(siteFiles(files, 0)).reduce((n, body) => n + Buffer.byteLength(body), 0),
      app: { medianMs: appMs, apiCalls: appCalls, byOperation: Object.fromEntries([...last(app).calls].sort()) },
      separate: {
        medianMs: separateMs,
        apiCalls: separateCalls,
        byOperation: Object.fromEntries([...last(separate).calls].sort()),
        medianMsByTarget: Object.fromEntries(Object.values(SOLO).map((t) => [t, median(separate.map((x) => x.byTarget[t] ?? NaN))])),
      },
      wallRatio: appMs / separateMs,
      callsRatio: appCalls / separateCalls,
    };
  } finally {
    await dev?.stop();
    await counter.close();
    await moto.stop();
  }
}
