import { describe, expect, it } from 'vitest';
import { configurationDigest, diffRuntimeConfigValues, shortDigest } from '../../shared/domain/configuration.js';
import type { Deployment } from '../../shared/domain/deployment.js';
import { runtimeConfigHeaders } from '../../shared/domain/site/headers.js';
import {
  manifestKey,
  originPathOf,
  parseSiteVersion,
  releaseOfOriginPath,
  releasePrefix,
  siteVersion,
  siteVersionFor,
} from '../../shared/domain/site/layout.js';
import type { SiteManifest } from '../../shared/domain/site/manifest.js';
import { parseWith, siteTargetSchema, type SiteTarget } from '../../shared/domain/target.js';
import type { DeploymentPatch, DeploymentStore } from '../../shared/ports/index.js';
import type { SiteStore } from '../../shared/ports/site.js';
import { finishSiteStaging } from '../../shared/usecases/site/finish-staging.js';
import { releasesToDelete } from '../../shared/usecases/site/retention.js';
import type { WorkflowState } from '../../shared/usecases/workflow/state.js';

const DIGEST = 'ab12cd34ef56'.padEnd(64, '0');

function siteTarget(extra: Record<string, unknown> = {}): SiteTarget {
  return parseWith(siteTargetSchema, { name: 'www', kind: 'site', site: { bucket: 'origin', prefix: 'www/', distributionId: 'E1' }, ...extra }, 'target');
}

describe('Site versions: one prefix per (release, runtime config)', () => {
  it('names a release staged without a runtime config by the release alone, as before', () => {
    // Prepare
    const target = siteTarget();
    // Act
    const version = siteVersionFor(target, 'r1');
    // Assess
    expect(version).toBe('r1');
    expect(releasePrefix(target, version)).toBe('www/r1/');
    expect(originPathOf(target, version)).toBe('/www/r1');
    expect(manifestKey(target, version)).toBe('www/.slipway/manifests/r1.json');
  });

  it('adds the runtime config digest, so another config of the same release gets another prefix', () => {
    // Prepare
    const a = siteTarget({ runtimeConfig: { values: { apiUrl: 'https://a' } } });
    const b = siteTarget({ runtimeConfig: { values: { apiUrl: 'https://b' } } });
    // Act
    const [va, vb] = [siteVersionFor(a, 'r1'), siteVersionFor(b, 'r1')];
    // Assess
    expect(va).toBe(`r1~${shortDigest(configurationDigest(a.runtimeConfig!))}`);
    expect(vb).not.toBe(va);
    expect(originPathOf(a, va)).toBe(`/www/${va}`);
    expect(manifestKey(a, va)).toBe(`www/.slipway/manifests/${va}.json`);
  });

  it('maps origin paths back to versions, plain and with a digest', () => {
    // Prepare
    const target = siteTarget();
    // Act / Assess
    expect(releaseOfOriginPath(target, '/www/r1')).toBe('r1');
    expect(releaseOfOriginPath(target, '/www/r1~ab12cd34ef56')).toBe('r1~ab12cd34ef56');
    expect(releaseOfOriginPath(target, '/www/r1.2-x_y~ab12cd34ef56')).toBe('r1.2-x_y~ab12cd34ef56');
    expect(releaseOfOriginPath(target, '/www/r1~nothex')).toBeUndefined();
    expect(releaseOfOriginPath(target, '/www/~ab12cd34ef56')).toBeUndefined();
    expect(releaseOfOriginPath(target, '/www/r1/sub')).toBeUndefined();
    expect(releaseOfOriginPath(target, '/legacy')).toBeUndefined();
  });

  it('parses a version into its release and digest', () => {
    expect(parseSiteVersion(siteVersion('r1', DIGEST))).toEqual({ release: 'r1', configDigest: 'ab12cd34ef56' });
    expect(parseSiteVersion('r1')).toEqual({ release: 'r1' });
  });

  it('counts each version against keepReleases, never dropping the live or previous one', () => {
    // Prepare
    const versions = [
      { release: 'r1', createdAt: '2026-01-01' },
      { release: 'r1~ab12cd34ef56', createdAt: '2026-01-02' },
      { release: 'r2~ab12cd34ef56', createdAt: '2026-01-03' },
    ];
    // Act
    const doomed = releasesToDelete(versions, 2, new Set(['r2~ab12cd34ef56', 'r1~ab12cd34ef56']));
    // Assess
    expect(doomed).toEqual(['r1']);
  });
});

describe('Function: diffRuntimeConfigValues', () => {
  it('names top-level keys added, changed and removed, values as JSON', () => {
    // Act
    const changes = diffRuntimeConfigValues({ apiUrl: 'https://a', flags: { beta: true }, old: 1 }, { apiUrl: 'https://b', flags: { beta: true }, neu: [1] });
    // Assess
    expect(changes).toEqual([
      { key: 'apiUrl', change: 'changed', from: '"https://a"', to: '"https://b"' },
      { key: 'neu', change: 'added', to: '[1]' },
      { key: 'old', change: 'removed', from: '1' },
    ]);
  });

  it('treats every key as added when nothing was configured, and equal nested values as unchanged', () => {
    expect(diffRuntimeConfigValues(undefined, { a: 1 })).toEqual([{ key: 'a', change: 'added', to: '1' }]);
    expect(diffRuntimeConfigValues({ n: { b: 1, a: 2 } }, { n: { a: 2, b: 1 } })).toEqual([]);
  });

  it('cuts a long value so the record stays small', () => {
    const [change] = diffRuntimeConfigValues({}, { big: 'x'.repeat(5000) });
    expect(change?.to?.length).toBe(200);
  });
});

describe('Function: runtimeConfigHeaders', () => {
  it('serves the config file as JSON with no-cache unless a rule matches it', () => {
    expect(runtimeConfigHeaders([], 'config.json')).toEqual({ contentType: 'application/json; charset=utf-8', cacheControl: 'no-cache' });
    expect(runtimeConfigHeaders([{ match: 'assets/**', value: 'x' }], 'env/app.json').cacheControl).toBe('no-cache');
    expect(runtimeConfigHeaders([{ match: '**/*.json', value: 'public, max-age=60' }], 'env/app.json').cacheControl).toBe('public, max-age=60');
  });
});

describe('Function: finishSiteStaging (runtime config)', () => {
  function fakes(live: SiteManifest) {
    const objects = new Map<string, unknown>();
    const files = new Map<string, { body: string; cacheControl: string }>();
    const patches: DeploymentPatch[] = [];
    const messages: string[] = [];
    const deployment = {
      id: 'd-1',
      target: 'www',
      release: 'r1',
      trigger: 'config',
      status: 'staging',
      sha256: 'f'.repeat(64),
      requestedAt: '2026-01-01T00:00:00.000Z',
      timeline: [],
    } as unknown as Deployment;
    const deployments = {
      get: async () => deployment,
      update: async (_id: string, patch: DeploymentPatch, entry: { message?: string }) => {
        patches.push(patch);
        if (entry.message) messages.push(entry.message);
        return deployment;
      },
    } as unknown as DeploymentStore;
    objects.set('www/.slipway/manifests/r1~000000000000.json', live);
    objects.set('www/.slipway/staging/d-1/0.json', {
      files: { 'index.html': live.files['index.html'], 'config.json': { sha256: 'c'.repeat(64), size: 2, contentType: 'application/json', cacheControl: 'x' } },
      uploaded: { files: 1, bytes: 2 },
      copied: { files: 1, bytes: 10 },
    });
    const sites: SiteStore = {
      readJson: async (_bucket, key) => objects.get(key),
      writeJson: async (_bucket, key, value) => void objects.set(key, value),
      putFile: async (_bucket, key, body, file) => void files.set(key, { body, cacheControl: file.cacheControl }),
      listReleasePrefixes: async () => [],
      deletePrefix: async () => 0,
    };
    return { objects, files, patches, messages, deps: { deployments, sites, clock: { now: () => new Date('2026-01-02T00:00:00Z') } } };
  }

  it('writes the config file into the new version, lists it in the manifest and plans its invalidation', async () => {
    // Prepare: r1 live with another runtime config
    const before = { path: 'config.json', values: { apiUrl: 'https://a' } };
    const liveConfigFile = { sha256: 'b'.repeat(64), size: 20, contentType: 'application/json; charset=utf-8', cacheControl: 'no-cache' };
    const live: SiteManifest = {
      release: 'r1',
      createdAt: '2026-01-01T00:00:00.000Z',
      runtimeConfig: { ...before, digest: configurationDigest(before) },
      files: {
        'index.html': { sha256: 'a'.repeat(64), size: 10, contentType: 'text/html; charset=utf-8', cacheControl: 'public, max-age=0, must-revalidate' },
        'config.json': liveConfigFile,
      },
    };
    const { objects, files, patches, messages, deps } = fakes(live);
    const target = siteTarget({ runtimeConfig: { values: { apiUrl: 'https://b' } } });
    const version = siteVersionFor(target, 'r1');
    const state = {
      deploymentId: 'd-1',
      target,
      site: { release: 'r1', version, liveRelease: 'r1~000000000000', liveOriginPath: '/www/r1~000000000000', staging: { bucket: 'a', key: 'k', chunks: 1 } },
    } as WorkflowState;
    // Act
    const next = await finishSiteStaging(deps, state);
    // Assess
    expect(next.noop).toBe(false);
    expect(files.get(`www/${version}/config.json`)).toEqual({ body: '{"apiUrl":"https://b"}', cacheControl: 'no-cache' });
    const manifest = objects.get(`www/.slipway/manifests/${version}.json`) as SiteManifest;
    expect(manifest.files['config.json']).toMatchObject({ size: 22, cacheControl: 'no-cache', contentType: 'application/json; charset=utf-8' });
    expect(manifest.runtimeConfig).toEqual({ path: 'config.json', digest: configurationDigest(target.runtimeConfig!), values: { apiUrl: 'https://b' } });
    expect(objects.get('www/.slipway/plans/d-1.json')).toEqual({ paths: ['/config.json'], wildcards: 0 });
    expect(patches.at(-1)).toMatchObject({
      toVersion: version,
      fromVersion: 'r1~000000000000',
      configuration: {
        digest: configurationDigest(target.runtimeConfig!),
        fromDigest: configurationDigest(before),
        changes: [{ key: 'apiUrl', change: 'changed', from: '"https://a"', to: '"https://b"' }],
      },
    });
    expect(messages.at(-1)).toContain("replacing the zip's own config.json");
  });
});
