import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { artifactStoreConfig, findDevConfig, resolveConfig, type DevConfig } from '../../cli/config.js';
import { UsageError } from '../../cli/errors.js';

const devConfig: DevConfig = {
  awsEndpoint: 'http://127.0.0.1:4566',
  apiUrl: 'http://127.0.0.1:4000',
  region: 'us-east-1',
  artifactBucket: 'slipway-dev-artifacts',
};

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-cli-config-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeDevJson(dir: string, content: unknown): Promise<string> {
  await mkdir(join(dir, '.slipway'), { recursive: true });
  const path = join(dir, '.slipway', 'dev.json');
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('Function: findDevConfig', () => {
  it('finds .slipway/dev.json in the working directory', async () => {
    // Prepare
    const path = await writeDevJson(root, devConfig);

    // Act
    const found = await findDevConfig(root);

    // Assess
    expect(found).toEqual({ path, config: devConfig });
  });

  it('finds it in a parent when run from a subdirectory', async () => {
    // Prepare
    const path = await writeDevJson(root, devConfig);
    const nested = join(root, 'examples', 'functions', 'hello');
    await mkdir(nested, { recursive: true });

    // Act
    const found = await findDevConfig(nested);

    // Assess
    expect(found?.path).toBe(path);
  });

  it('prefers the nearest dev.json', async () => {
    // Prepare
    await writeDevJson(root, devConfig);
    const inner = join(root, 'inner');
    const innerPath = await writeDevJson(inner, { ...devConfig, apiUrl: 'http://127.0.0.1:5000' });

    // Act
    const found = await findDevConfig(inner);

    // Assess
    expect(found).toEqual({ path: innerPath, config: { ...devConfig, apiUrl: 'http://127.0.0.1:5000' } });
  });

  it('returns undefined when no directory up to the root has one', async () => {
    // Act
    const found = await findDevConfig(root);

    // Assess
    expect(found).toBeUndefined();
  });

  it('rejects a dev.json that lacks a field, naming it', async () => {
    // Prepare
    await writeDevJson(root, { apiUrl: devConfig.apiUrl });

    // Act & Assess
    await expect(findDevConfig(root)).rejects.toThrow(/lacks awsEndpoint, region, artifactBucket/);
  });

  it('rejects a dev.json that is not JSON as a usage error', async () => {
    // Prepare
    await writeDevJson(root, '{ half');

    // Act & Assess
    await expect(findDevConfig(root)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('Function: resolveConfig', () => {
  it('uses the apiUrl of dev.json unsigned when SLIPWAY_API_URL is unset', async () => {
    // Prepare
    await writeDevJson(root, devConfig);

    // Act
    const resolved = await resolveConfig({}, root);

    // Assess
    expect(resolved.api).toMatchObject({ url: devConfig.apiUrl, sign: false });
  });

  it('prefers SLIPWAY_API_URL and signs requests to a deployed API', async () => {
    // Prepare
    await writeDevJson(root, devConfig);
    const url = 'https://abc123.execute-api.eu-west-1.amazonaws.com';

    // Act
    const resolved = await resolveConfig({ SLIPWAY_API_URL: url }, root);

    // Assess
    expect(resolved.api).toEqual({ url, source: 'SLIPWAY_API_URL', sign: true });
  });

  it('does not sign a loopback SLIPWAY_API_URL (a local slipway dev has no IAM auth)', async () => {
    // Act
    const resolved = await resolveConfig({ SLIPWAY_API_URL: 'http://localhost:4000' }, root);

    // Assess
    expect(resolved.api.sign).toBe(false);
  });

  it('fails with exit code 2 and says how to start dev mode when nothing is configured', async () => {
    // Act
    const error = await resolveConfig({}, root).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/npm start.*SLIPWAY_API_URL/);
  });
});

describe('Function: artifactStoreConfig', () => {
  it('targets the emulator of slipway dev when talking to dev mode', async () => {
    // Prepare
    await writeDevJson(root, devConfig);
    const resolved = await resolveConfig({}, root);

    // Act
    const store = artifactStoreConfig({}, resolved);

    // Assess
    expect(store).toEqual({ bucket: devConfig.artifactBucket, endpoint: devConfig.awsEndpoint, region: devConfig.region });
  });

  it('uses SLIPWAY_ARTIFACT_BUCKET and the SDK chain for a deployed API', async () => {
    // Prepare
    const env = { SLIPWAY_API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com', SLIPWAY_ARTIFACT_BUCKET: 'prod-artifacts' };
    const resolved = await resolveConfig(env, root);

    // Act
    const store = artifactStoreConfig(env, resolved);

    // Assess
    expect(store).toEqual({ bucket: 'prod-artifacts' });
  });

  it('asks for SLIPWAY_ARTIFACT_BUCKET when a deployed API is used without it', async () => {
    // Prepare
    await writeDevJson(root, devConfig);
    const env = { SLIPWAY_API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com' };
    const resolved = await resolveConfig(env, root);

    // Act & Assess
    expect(() => artifactStoreConfig(env, resolved)).toThrow(/SLIPWAY_ARTIFACT_BUCKET/);
  });
});
