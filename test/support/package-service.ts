import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * `serverless package` offline: dummy credentials (nothing is called), no dashboard, telemetry
 * or notifications. Writes the template and one zip per function into `outDir`.
 */
export function packageService(root: string, stage: string, outDir: string, params: Record<string, string> = {}): void {
  const serverless = join(root, 'node_modules', 'serverless', 'bin', 'serverless.js');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'packaging-offline',
    AWS_SECRET_ACCESS_KEY: 'packaging-offline',
    AWS_REGION: 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_TRACKING_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  delete env.AWS_ENDPOINT_URL;
  const paramArgs = Object.entries(params).map(([name, value]) => `--param=${name}=${value}`);
  const run = spawnSync(process.execPath, [serverless, 'package', '--stage', stage, '--package', outDir, ...paramArgs], {
    cwd: root,
    encoding: 'utf8',
    timeout: 240_000,
    env,
  });
  if (run.status !== 0) {
    throw new Error(`serverless package failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  }
}
