/**
 * `slipway dev` as a person runs it (`cli/main.ts dev`, its own moto_server), and the two clients
 * the end-to-end tests drive it with: the slipway CLI and the AWS CLI.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface DevInfo {
  awsEndpoint: string;
  apiUrl: string;
  region: string;
  artifactBucket: string;
  siteUrl: string;
  /** Each example app's site URL by component (`apps.shop.web`), served by the apps' edge. */
  apps: Record<string, Record<string, string>>;
  dashboardUrl: string;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a newcomer's shell: dummy credentials, nothing pointing anywhere yet. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'e2e',
    AWS_SECRET_ACCESS_KEY: 'e2e',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    NO_COLOR: '1',
  };
  for (const name of [
    'AWS_ENDPOINT_URL',
    'SLIPWAY_API_URL',
    'SLIPWAY_ARTIFACT_BUCKET',
    'SLIPWAY_DEV_EDGE_PORT',
    'SLIPWAY_DEV_APP_EDGE_PORT',
    'SLIPWAY_DEV_API_PORT',
    'SLIPWAY_DEV_AWS_PORT',
    'SLIPWAY_DEV_DASHBOARD_PORT',
  ]) {
    delete env[name];
  }
  return env;
}

export interface DevProcess {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Its exit code (null after a signal), once it exited. */
  exited: Promise<number | null>;
}

/**
 * Spawns `slipway dev` with its state in `work/.slipway`, as `cli/main.ts dev` or, with
 * `npm: true`, through `npm start` (the process a person kills is then npm's).
 */
export function spawnDev(work: string, options: { env?: NodeJS.ProcessEnv; npm?: boolean } = {}): DevProcess {
  // A newcomer's shell names no region either: `slipway dev` must not need one.
  const { AWS_REGION: _region, AWS_DEFAULT_REGION: _defaultRegion, ...newcomer } = cleanEnv();
  const env = { ...newcomer, SLIPWAY_DEV_STATE_DIR: join(work, '.slipway'), POWERTOOLS_LOG_LEVEL: 'ERROR', ...options.env };
  const child = options.npm
    ? spawn('npm', ['start', '--silent'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), 'dev'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for `slipway dev: ready` and reads dev.json; rejects with the output when it exits first. */
export async function whenReady(work: string, dev: DevProcess, timeoutMs = 100_000): Promise<DevInfo> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway dev did not get ready:\n${dev.output()}`)), timeoutMs);
    const check = () => {
      if (!dev.output().includes('slipway dev: ready')) return;
      clearTimeout(timer);
      resolve();
    };
    dev.child.stdout?.on('data', check);
    check();
    void dev.exited.then((code) => reject(new Error(`slipway dev exited with ${code}:\n${dev.output()}`)));
  });
  return JSON.parse(readFileSync(join(work, '.slipway', 'dev.json'), 'utf8')) as DevInfo;
}

/** Starts `slipway dev` with its state in `work/.slipway` and waits for `slipway dev: ready`. */
export async function startDev(
  work: string,
  options: { env?: NodeJS.ProcessEnv; npm?: boolean } = {},
): Promise<{ info: DevInfo; process: DevProcess; stop(): Promise<void> }> {
  const dev = spawnDev(work, options);
  const info = await whenReady(work, dev);
  return {
    info,
    process: dev,
    async stop() {
      if (dev.child.exitCode !== null || dev.child.signalCode !== null) return;
      dev.child.kill('SIGINT');
      await dev.exited;
    },
  };
}

/** Runs `slipway …` from `work`, where it finds .slipway/dev.json. */
export function slipway(work: string, ...args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'cli', 'bin.mjs'), ...args], { cwd: work, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The AWS CLI against the emulator; throws with its stderr when it fails. */
export function aws(info: DevInfo, ...args: string[]): string {
  const run = spawnSync('aws', ['--endpoint-url', info.awsEndpoint, '--output', 'json', ...args], { encoding: 'utf8', env: cleanEnv() });
  if (run.status !== 0) throw new Error(`aws ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** Polls `probe` until it gives a value (not undefined); throws naming `what` after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
