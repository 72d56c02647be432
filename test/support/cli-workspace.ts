import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlipwayApi, type FakeSlipwayApi } from './fake-slipway-api.js';

/** A working directory whose `.slipway/dev.json` points the CLI at a fresh fake API. */
export async function openCliWorkspace(prefix: string): Promise<{ cwd: string; api: FakeSlipwayApi; close(): Promise<void> }> {
  const cwd = await mkdtemp(join(tmpdir(), prefix));
  const api = await startFakeSlipwayApi();
  await mkdir(join(cwd, '.slipway'));
  await writeFile(
    join(cwd, '.slipway', 'dev.json'),
    JSON.stringify({ awsEndpoint: 'http://127.0.0.1:9', apiUrl: api.url, region: 'us-east-1', artifactBucket: 'slipway-dev-artifacts' }),
  );
  return {
    cwd,
    api,
    async close() {
      await api.close();
      await rm(cwd, { recursive: true, force: true });
    },
  };
}
