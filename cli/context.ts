import { createApiClient, type ApiClient } from './api-client.js';
import type { PutRelease } from './artifact.js';
import { resolveConfig, type ResolvedConfig } from './config.js';
import type { OutputStream } from './output.js';
import type { CredentialProvider } from './sigv4.js';

/** Everything a command touches outside itself, so tests can run commands in-process. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: OutputStream;
  stderr: OutputStream;
  /** For the one question the CLI asks (`targets delete` at a terminal); absent in tests and pipes. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The repository root: where `slipway dev` finds examples/ and writes .slipway/. */
  projectRoot: string;
  fetch?: typeof fetch;
  putRelease?: PutRelease;
  credentials?: CredentialProvider;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  pollIntervalMs?: number;
}

export async function connect(ctx: CliContext): Promise<{ client: ApiClient; config: ResolvedConfig }> {
  const config = await resolveConfig(ctx.env, ctx.cwd);
  const client = await createApiClient(config.api, {
    env: ctx.env,
    ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
    ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
  });
  return { client, config };
}
