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
  for (const name of ['AWS_ENDPOINT_URL', 'SLIPWAY_API_URL', 'SLIPWAY_ARTIFACT_BUCKET', 'SLIPWAY_DEV_EDGE_PORT', 'SLIPWAY_DEV_API_PORT', 'SLIPWAY_DEV_AWS_PORT']) {
    delete env[name];
  }
  return env;
}

/** Starts `slipway dev` with its state in `work/.slipway` and waits for `slipway dev: ready`. */
export async function startDev(work: string): Promise<{ info: DevInfo; stop(): Promise<void> }> {
  const dev: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), 'dev'], {
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
  const info = JSON.parse(readFileSync(join(work, '.slipway', 'dev.json'), 'utf8')) as DevInfo;
  return {
    info,
    async stop() {
      if (dev.exitCode !== null) return;
      const exited = new Promise((r) => dev.once('exit', r));
      dev.kill('SIGINT');
      await exited;
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
