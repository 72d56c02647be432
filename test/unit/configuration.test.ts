import { describe, expect, it } from 'vitest';
import {
  configurationDigest,
  diffConfiguration,
  functionConfigurationSchema,
  siteRuntimeConfigSchema,
  type PinnedConfiguration,
} from '../../shared/domain/configuration.js';

const before: PinnedConfiguration = {
  environment: { LOG_LEVEL: { value: 'info' }, DB_PASSWORD: { parameter: '/prod/db/password', version: 3 }, OLD: { value: 'x' } },
  memorySize: 512,
};
const after: PinnedConfiguration = {
  environment: {
    LOG_LEVEL: { value: 'debug' },
    DB_PASSWORD: { parameter: '/prod/db/password', version: 4 },
    STRIPE_KEY: { secret: 'prod/stripe', versionId: 'v-2' },
  },
  memorySize: 512,
  timeout: 10,
};

describe('function configuration', () => {
  it('diffs keys added, changed and removed, naming references by version only', () => {
    expect(diffConfiguration(before, after)).toEqual([
      { key: 'DB_PASSWORD', change: 'changed', from: 'SSM parameter /prod/db/password (version 3)', to: 'SSM parameter /prod/db/password (version 4)' },
      { key: 'LOG_LEVEL', change: 'changed', from: '"info"', to: '"debug"' },
      { key: 'OLD', change: 'removed', from: '"x"' },
      { key: 'STRIPE_KEY', change: 'added', to: 'secret prod/stripe (version v-2)' },
      { key: 'timeout', change: 'added', to: '10' },
    ]);
    expect(diffConfiguration(after, after)).toEqual([]);
  });

  it('digests by content, whatever the key order', () => {
    const reordered: PinnedConfiguration = { timeout: 10, memorySize: 512, environment: Object.fromEntries(Object.entries(after.environment).reverse()) };
    expect(configurationDigest(reordered)).toBe(configurationDigest(after));
    expect(configurationDigest(before)).not.toBe(configurationDigest(after));
    expect(configurationDigest(after)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses names Lambda or slipway set, bad names, and version selectors', () => {
    const bad = functionConfigurationSchema.safeParse({
      environment: { AWS_REGION: 'x', SLIPWAY_CONFIG_DIGEST: 'y', '1X': 'z', A: 'w', P: { parameter: '/a/b:3' } },
      memorySize: 64,
    });
    expect(bad.success).toBe(false);
    const paths = [...new Set(bad.error?.issues.map((i) => i.path.join('.')))].sort();
    expect(paths).toEqual(
      [
        'environment.1X',
        'environment.A',
        'environment.AWS_REGION',
        'environment.P',
        'environment.P.parameter',
        'environment.SLIPWAY_CONFIG_DIGEST',
        'memorySize',
      ].sort(),
    );
    expect(functionConfigurationSchema.parse({ environment: { STAGE: 'prod', KEY: { secret: 'prod/stripe' }, DB: { parameter: '/prod/db' } } })).toBeTruthy();
  });
});

describe('site runtime config', () => {
  it('takes a relative path inside the release and bounded values', () => {
    expect(siteRuntimeConfigSchema.parse({ values: { apiUrl: 'https://api' } }).path).toBe('config.json');
    expect(siteRuntimeConfigSchema.safeParse({ path: '../x.json', values: {} }).success).toBe(false);
    expect(siteRuntimeConfigSchema.safeParse({ path: '.slipway/m.json', values: {} }).success).toBe(false);
    expect(siteRuntimeConfigSchema.safeParse({ path: '/abs.json', values: {} }).success).toBe(false);
    expect(siteRuntimeConfigSchema.safeParse({ values: { big: 'x'.repeat(40_000) } }).success).toBe(false);
  });
});
