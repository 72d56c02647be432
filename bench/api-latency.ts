/**
 * Latency and throughput of the HTTPS API through the local HTTP front (what `npm start` serves),
 * loaded with wrk (Debian package `wrk`) from a second process on loopback.
 *
 *   node --import tsx bench/api-latency.ts            # prints the result as JSON
 *   npm run bench -- --only api                       # the same, written into docs/BENCHMARKS.md
 *
 * Runs in a process of its own: the handlers build their AWS clients once per process, and this
 * bench starts its own emulator and dev service.
 */
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DEV_NAMES, startDevService } from '../dev/dev-service.js';
import { startMotoServer } from '../dev/moto-server.js';
import { BY_TARGET_INDEX } from '../shared/adapters/aws/dynamo-table.js';
import { functionPackage } from '../dev/zip.js';
import { releaseKey } from '../shared/domain/artifact-key.js';
import { isTerminal, type DeploymentStatus } from '../shared/domain/deployment.js';
import type { Orchestrator } from '../shared/ports/index.js';
import { DynamoDeploymentStore } from '../shared/adapters/aws/dynamo-deployments.js';

export class WrkMissingError extends Error {
  constructor(detail: string) {
    super(`wrk is not installed, so the API benchmark cannot run: ${detail}. Install Debian's package: apt-get install wrk`);
    this.name = 'WrkMissingError';
  }
}

function which(command: string): string | undefined {
  const out = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() || undefined : undefined;
}

/**
 * wrk's path. Missing: installed from Debian's packages when this process may (root with
 * apt-get), else a WrkMissingError that says how to get it.
 */
export function ensureWrk(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const found = which('wrk');
  if (found) return found;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !which('apt-get')) throw new WrkMissingError(root ? 'apt-get is not available here' : 'installing it needs root');
  log('bench: wrk not found; installing Debian package wrk (apt-get update && apt-get install -y wrk)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8', env });
  const install = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { encoding: 'utf8', env });
  const installed = which('wrk');
  if (!installed) throw new WrkMissingError(`apt-get install failed (${(install.stderr || update.stderr || '').trim().split('\n').at(-1) ?? 'no output'})`);
  return installed;
}

export interface WrkResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx or 3xx. */
  non2xx: number;
  socketErrors: number;
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!match) throw new Error(`wrk printed a latency it could not read: "${value}"`);
  const n = Number(match[1]);
  return match[2] === 'us' ? n / 1000 : match[2] === 'ms' ? n : match[2] === 's' ? n * 1000 : n * 60_000;
}

/** Reads `wrk --latency` output. */
export function parseWrk(output: string): WrkResult {
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(output);
    if (!match) throw new Error(`wrk output has no ${p}% latency (was --latency given?):\n${output}`);
    return toMs(match[1]!);
  };
  const done = /(\d+) requests in ([\d.]+)(ms|s|m)/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (!done || !rps) throw new Error(`wrk output has no totals:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(done[1]),
    seconds: toMs(`${done[2]}${done[3]}`) / 1000,
    requestsPerSecond: Number(rps[1]),
    p50Ms: percentile('50'),
    p90Ms: percentile('90'),
    p99Ms: percentile('99'),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
  };
}

/** Runs wrk as a child process without blocking this one: the server under test lives here. */
function runWrk(wrk: string, url: string, options: { connections: number; seconds: number; script?: string }): Promise<WrkResult> {
  const args = ['-t', '2', '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '--timeout', '10s'];
  if (options.script) args.push('-s', options.script);
  return new Promise((resolve, reject) => {
    execFile(wrk, [...args, url], { encoding: 'utf8', timeout: (options.seconds + 60) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message} ${stderr}`));
      try {
        resolve(parseWrk(stdout));
      } catch (parseError) {
        reject(parseError as Error);
      }
    });
  });
}

/**
 * What `npm start` pays to load the API handler from source: `await import('functions/api.ts')`
 * in a fresh process with the tsx loader registered, median of `samples`. The Lambda bundle's cold
 * import is measured from the packaged zip (bench/bundles.ts).
 */
export function sourceImportMs(samples = 5): number {
  const specifier = pathToFileURL(join(process.cwd(), 'functions', 'api.ts')).href;
  const script = `const t=performance.now();await import(${JSON.stringify(specifier)});process.stdout.write(String(performance.now()-t));`;
  const xs: number[] = [];
  for (let i = 0; i < samples; i++) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, AWS_REGION: 'us-east-1' },
    });
    if (run.status !== 0) throw new Error(`importing functions/api.ts failed: ${run.stderr}`);
    xs.push(Number(run.stdout));
  }
  return xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
}

export interface ApiLatencyResult {
  connections: number;
  seconds: number;
  /** 1-minute load average before and after: the machine is shared. */
  loadAverage: [number, number];
  /** GET of an unknown route: the HTTP front, middy and the router, no AWS call. */
  front: WrkResult;
  get: WrkResult;
  /** GetItem of the same record through the SDK, no HTTP front: what the emulator allows. */
  getItem: { requestsPerSecond: number; p50Ms: number; p99Ms: number };
  wrkVersion: string;
  /** POST /deployments with the workflow start recorded, not run (in AWS: one StartExecution call). */
  post: WrkResult & { recordsCreated: number; startsRequested: number };
  /** POST /deployments as `npm start` runs it: every accepted request starts a workflow in the same process. */
  postWithWorkflows: WrkResult & { recordsCreated: number; settleSeconds: number; outcomes: Partial<Record<DeploymentStatus, number>> };
}

/** `connections` loops sending `call` back to back for `seconds`; latency percentiles over all calls. */
async function sdkLoad(
  connections: number,
  seconds: number,
  call: () => Promise<unknown>,
): Promise<{ requestsPerSecond: number; p50Ms: number; p99Ms: number }> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await call();
        times.push(performance.now() - started);
      }
    }),
  );
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return { requestsPerSecond: times.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function countDeployments(client: DynamoDBDocumentClient, table: string, target: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: table,
        IndexName: BY_TARGET_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': `TARGET#${target}` },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += out.Count ?? 0;
    start = out.LastEvaluatedKey;
  } while (start);
  return count;
}

export async function benchApiLatency(options: { connections?: number; seconds?: number } = {}): Promise<ApiLatencyResult> {
  const connections = options.connections ?? 16;
  const seconds = options.seconds ?? 10;
  const wrk = ensureWrk();
  const loadBefore = loadavg()[0]!;
  const wrkVersion = (spawnSync(wrk, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '').replace(/ Copyright.*$/, '').trim();
  const root = process.cwd();
  const moto = await startMotoServer({ projectRoot: root });
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'bench';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench';
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
  // POST is measured twice: with the starts recorded instead of run, then as `npm start` runs them.
  let recordingStarts: Orchestrator | undefined;
  const dev = await startDevService({
    projectRoot: root,
    stateDir: mkdtempSync(join(tmpdir(), 'slipway-bench-api-')),
    log: () => undefined,
    progress: false,
    wrapOrchestrator: (local) => ({ start: (id) => (recordingStarts ?? local).start(id) }),
  });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const table = DEV_NAMES.tableName;
  const base = dev.info.apiUrl;
  const store = new DynamoDeploymentStore({ tableName: table });
  try {
    // A release in the bucket, and one finished deployment of it to read.
    const target = 'hello';
    const release = 'bench-api';
    const zip = await functionPackage(`api bench ${Date.now()}`);
    await new S3Client({ forcePathStyle: true }).send(
      new PutObjectCommand({
        Bucket: dev.info.artifactBucket,
        Key: releaseKey(target, release),
        Body: zip,
        Metadata: { sha256: createHash('sha256').update(zip).digest('hex') },
      }),
    );
    const created = await fetch(`${base}/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ target, release }),
    });
    if (created.status !== 202) throw new Error(`POST /deployments answered ${created.status}: ${await created.text()}`);
    const { id } = (await created.json()) as { id: string };
    await dev.orchestrator.settled(id);
    const view = (await (await fetch(`${base}/deployments/${id}`)).json()) as { status: DeploymentStatus };
    if (!isTerminal(view.status)) throw new Error(`deployment ${id} is ${view.status}, not finished`);
    // Warm: the handler's clients exist before the measurement.
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/deployments/${id}`)).arrayBuffer();

    // Baseline: the same front and handler on a route that sends no AWS call (a 404 problem).
    const front = await runWrk(wrk, `${base}/no-such-route`, { connections, seconds });
    const get = await runWrk(wrk, `${base}/deployments/${id}`, { connections, seconds });
    // Baseline: the one AWS call GET makes (GetItem), sent straight from here at the same concurrency.
    const getItem = await sdkLoad(connections, seconds, () => store.get(id));

    const script = join(mkdtempSync(join(tmpdir(), 'slipway-bench-wrk-')), 'post.lua');
    writeFileSync(
      script,
      ['wrk.method = "POST"', `wrk.body = '${JSON.stringify({ target, release })}'`, 'wrk.headers["Content-Type"] = "application/json"', ''].join('\n'),
    );

    // POST, the API's own work: the start is recorded instead of run.
    let starts = 0;
    const recording: Orchestrator = { start: async () => void starts++ };
    recordingStarts = recording;
    const before = await countDeployments(dynamo, table, target);
    const post = await runWrk(wrk, `${base}/deployments`, { connections, seconds, script });
    // Requests still in flight when wrk stopped finish before anything is counted.
    await new Promise((r) => setTimeout(r, 3000));
    const recordsCreated = (await countDeployments(dynamo, table, target)) - before;

    // POST as `npm start` runs it: each accepted request starts a workflow in this process.
    recordingStarts = undefined;
    const beforeRun = await countDeployments(dynamo, table, target);
    const known = new Set(dev.orchestrator.executions.keys());
    const postWithWorkflows = await runWrk(wrk, `${base}/deployments`, { connections, seconds, script });
    const settleStarted = performance.now();
    await Promise.race([dev.orchestrator.settled(), new Promise((r) => setTimeout(r, 180_000))]);
    const settleSeconds = (performance.now() - settleStarted) / 1000;
    const outcomes: Partial<Record<DeploymentStatus, number>> = {};
    for (const [name] of dev.orchestrator.executions) {
      if (known.has(name)) continue;
      const record = (await (await fetch(`${base}/deployments/${name}`)).json()) as { status: DeploymentStatus };
      outcomes[record.status] = (outcomes[record.status] ?? 0) + 1;
    }
    return {
      connections,
      seconds,
      loadAverage: [loadBefore, loadavg()[0]!],
      front,
      get,
      getItem,
      wrkVersion,
      post: { ...post, recordsCreated, startsRequested: starts },
      postWithWorkflows: {
        ...postWithWorkflows,
        recordsCreated: (await countDeployments(dynamo, table, target)) - beforeRun,
        settleSeconds,
        outcomes,
      },
    };
  } finally {
    await dev.stop();
    await moto.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchApiLatency({
    ...(process.env.BENCH_API_CONNECTIONS ? { connections: Number(process.env.BENCH_API_CONNECTIONS) } : {}),
    ...(process.env.BENCH_API_SECONDS ? { seconds: Number(process.env.BENCH_API_SECONDS) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
