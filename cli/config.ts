import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';

/** What `slipway dev` writes when it is ready (DESIGN.md, Contracts). */
export interface DevConfig {
  awsEndpoint: string;
  apiUrl: string;
  region: string;
  artifactBucket: string;
}

export const DEV_CONFIG_PATH = join('.slipway', 'dev.json');

/** Finds `.slipway/dev.json` in `startDir` or the nearest parent that has one. */
export async function findDevConfig(startDir: string): Promise<{ path: string; config: DevConfig } | undefined> {
  let dir = resolve(startDir);
  for (;;) {
    const path = join(dir, DEV_CONFIG_PATH);
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && (error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
    if (text !== undefined) return { path, config: parseDevConfig(text, path) };
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function parseDevConfig(text: string, path: string): DevConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON; delete it and restart \`npm start\` (slipway dev)`, { cause: error });
  }
  const fields = ['awsEndpoint', 'apiUrl', 'region', 'artifactBucket'] as const;
  const record = (parsed ?? {}) as Record<string, unknown>;
  const missing = fields.filter((f) => typeof record[f] !== 'string' || record[f] === '');
  if (missing.length > 0) {
    throw new UsageError(`${path} lacks ${missing.join(', ')}; delete it and restart \`npm start\` (slipway dev)`);
  }
  return Object.fromEntries(fields.map((f) => [f, record[f]])) as unknown as DevConfig;
}

/** Where the API is and whether requests to it must be signed. */
export interface ApiEndpoint {
  url: string;
  /** How the URL was found, for error messages. */
  source: string;
  /** A deployed API Gateway (IAM auth) needs SigV4; `slipway dev` serves without auth. */
  sign: boolean;
}

/** Where releases are uploaded and how to reach that S3. */
export interface ArtifactStoreConfig {
  bucket: string;
  /** Set for `slipway dev` (its emulator); otherwise the SDK's configuration chain decides. */
  endpoint?: string;
  region?: string;
}

export interface ResolvedConfig {
  api: ApiEndpoint;
  dev?: { path: string; config: DevConfig };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * SLIPWAY_API_URL wins; otherwise `.slipway/dev.json` from the working directory upwards.
 * A loopback SLIPWAY_API_URL is a local `slipway dev` (no IAM auth), so it is not signed.
 */
export async function resolveConfig(env: NodeJS.ProcessEnv, cwd: string): Promise<ResolvedConfig> {
  const dev = await findDevConfig(cwd);
  const fromEnv = env.SLIPWAY_API_URL?.trim();
  if (fromEnv) {
    let url: URL;
    try {
      url = new URL(fromEnv);
    } catch (error) {
      throw new UsageError(`SLIPWAY_API_URL is not a URL: ${fromEnv}`, { cause: error });
    }
    const api = { url: fromEnv, source: 'SLIPWAY_API_URL', sign: !LOOPBACK.has(url.hostname) };
    return dev ? { api, dev } : { api };
  }
  if (dev) return { api: { url: dev.config.apiUrl, source: dev.path, sign: false }, dev };
  throw new UsageError(
    'no slipway API configured: start the local service with `npm start` (slipway dev, which writes .slipway/dev.json) ' +
      'or set SLIPWAY_API_URL to a deployed slipway API',
  );
}

/**
 * The artifact bucket: SLIPWAY_ARTIFACT_BUCKET, else the one of `slipway dev` when the CLI talks to
 * dev mode (the API URL came from dev.json or equals its apiUrl).
 */
export function artifactStoreConfig(env: NodeJS.ProcessEnv, resolved: ResolvedConfig): ArtifactStoreConfig {
  const dev = resolved.dev?.config;
  const talkingToDev = dev !== undefined && sameUrl(dev.apiUrl, resolved.api.url);
  const bucket = env.SLIPWAY_ARTIFACT_BUCKET?.trim() || (talkingToDev ? dev.artifactBucket : undefined);
  if (!bucket) {
    throw new UsageError(
      'no artifact bucket configured: set SLIPWAY_ARTIFACT_BUCKET (the ArtifactBucket output of `serverless deploy`) or use `npm start` (slipway dev)',
    );
  }
  return talkingToDev ? { bucket, endpoint: dev.awsEndpoint, region: dev.region } : { bucket };
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
