import { describe, expect, it } from 'vitest';
import { siteComponent } from '../../shared/domain/app.js';
import type { ComponentRecord, Deployment } from '../../shared/domain/deployment.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { manifestKey } from '../../shared/domain/site/layout.js';
import { appTargetSchema } from '../../shared/domain/target.js';
import { requestAppRollback, type AppRollbackDeps } from '../../shared/usecases/app-rollback.js';
import { manualClock } from '../support/clock.js';
import { landedRecord } from '../support/deployment-view.js';

const shop = appTargetSchema.parse({
  name: 'shop',
  kind: 'app',
  components: {
    api: { function: { name: 'shop-api' } },
    worker: { function: { name: 'shop-worker' } },
    web: { site: { bucket: 'shop-web-origin', prefix: 'web/', distributionId: 'E1SHOP' } },
  },
});
const webTarget = siteComponent(shop)?.target ?? expect.fail('shop has a site');

const fnMove = (fn: string, from: string | undefined, to: string | undefined): ComponentRecord => ({
  kind: 'function',
  function: fn,
  ...(from ? { fromVersion: from } : {}),
  ...(to ? { toVersion: to } : {}),
  changed: from !== to,
});
const siteMove = (from: string | undefined, to: string): ComponentRecord => ({
  kind: 'site',
  ...(from ? { fromRelease: from } : {}),
  toRelease: to,
  changed: from !== to,
});

/** An app release that went live: api and web moved, the worker as it was unless said. */
function appRelease(
  release: string,
  at: string,
  api: [string | undefined, string],
  web: [string | undefined, string],
  worker = '5',
  fields: Partial<Deployment> = {},
) {
  return landedRecord(
    release,
    {
      target: 'shop',
      artifact: { bucket: 'slipway-artifacts', key: `releases/shop/${release}.zip` },
      sha256: release.padEnd(64, '0').slice(0, 64),
      components: { api: fnMove('shop-api', ...api), worker: fnMove('shop-worker', worker, worker), web: siteMove(...web) },
      ...fields,
    },
    at,
  );
}

const r1 = appRelease('r1', '2026-01-01T00:00:00.000Z', [undefined, '1'], [undefined, 'r1']);
const r2 = appRelease('r2', '2026-01-02T00:00:00.000Z', ['1', '2'], ['r1', 'r2']);
const r3 = appRelease('r3', '2026-01-03T00:00:00.000Z', ['2', '3'], ['r2', 'r3']);

/** The app live at `live`, with these versions and site releases still there; stores and an orchestrator that record. */
function world(history: Deployment[], live: { api: string; web: string }, kept = { versions: ['1', '2', '3', '5'], releases: ['r1', 'r2', 'r3'] }) {
  const created: Deployment[] = [];
  const started: string[] = [];
  const deps: AppRollbackDeps = {
    deployments: {
      create: async (deployment) => {
        created.push(deployment);
        return { created: true, deployment };
      },
      get: async () => undefined,
      update: async () => undefined,
      listByTarget: async () => history,
    },
    aliases: { getAlias: async (fn) => ({ version: fn === 'shop-api' ? live.api : '5', revisionId: 'rev' }) },
    versions: { listVersions: async () => kept.versions.map((version) => ({ version, description: '', codeSha256: 'sha' })) },
    origins: { currentOriginPath: async () => `/web/${live.web}` },
    sites: {
      readJson: async (_bucket, key) => (kept.releases.some((r) => manifestKey(webTarget, r) === key) ? { files: {} } : undefined),
    },
    orchestrator: { start: async (id) => void started.push(id) },
    clock: manualClock('2026-01-04T00:00:00.000Z'),
  };
  return { deps, created, started };
}

describe('Function: requestAppRollback', () => {
  it('returns every component to the previous app release as one deployment, from what is live', async () => {
    // Prepare
    const failed = appRelease('r4', '2026-01-03T12:00:00.000Z', ['3', '4'], ['r3', 'r4'], '5', { status: 'rolled_back' });
    const { deps, created, started } = world([failed, r3, r2, r1], { api: '3', web: 'r3' });
    // Act
    const rollback = await requestAppRollback(deps, shop, { requestedBy: 'alice' });
    // Assess
    expect(rollback).toMatchObject({
      target: 'shop',
      release: 'r2',
      trigger: 'rollback',
      status: 'queued',
      requestedBy: 'alice',
      artifact: r2.artifact,
      sha256: r2.sha256,
      components: {
        api: { kind: 'function', function: 'shop-api', fromVersion: '3', toVersion: '2', changed: true },
        worker: { kind: 'function', function: 'shop-worker', fromVersion: '5', toVersion: '5', changed: false },
        web: { kind: 'site', fromRelease: 'r3', toRelease: 'r2', changed: true },
      },
    });
    expect(rollback.timeline[0]?.message).toBe('rollback to app release r2 requested: api 3→2, web r3→r2, worker unchanged (v5)');
    expect(created).toHaveLength(1);
    expect(started).toEqual([rollback.id]);
  });

  it('returns to a named release with --to when its versions and site release still exist', async () => {
    // Prepare
    const { deps } = world([r3, r2, r1], { api: '3', web: 'r3' });
    // Act
    const rollback = await requestAppRollback(deps, shop, { release: 'r1' });
    // Assess
    expect(rollback.release).toBe('r1');
    expect(rollback.components).toMatchObject({ api: { fromVersion: '3', toVersion: '1' }, web: { fromRelease: 'r3', toRelease: 'r1' } });
  });

  it.each([
    ['no earlier release', [r1], undefined, '"shop" has no earlier release to roll back to'],
    ['the named release is what is live', [r3, r2, r1], 'r3', 'every component of "shop" already serves release "r3"; nothing to roll back'],
    [
      'the named release never went live',
      [r3, r2, r1],
      'r9',
      'release "r9" of "shop" never went live through slipway, so there is nothing to return to; deploy it instead',
    ],
  ])('refuses when there is nothing to roll back to: %s', async (_, history, release, message) => {
    // Prepare
    const live = history[0] === r1 ? { api: '1', web: 'r1' } : { api: '3', web: 'r3' };
    const { deps, created, started } = world(history, live);
    // Act
    const refused = requestAppRollback(deps, shop, release ? { release } : {});
    // Assess
    await expect(refused).rejects.toThrow(new ConflictError(message));
    expect(created).toEqual([]);
    expect(started).toEqual([]);
  });

  it('refuses a release whose function version or site release was pruned, naming each, and records nothing', async () => {
    // Prepare
    const { deps, created } = world([r3, r2, r1], { api: '3', web: 'r3' }, { versions: ['3', '5'], releases: ['r3'] });
    // Act
    const refused = requestAppRollback(deps, shop, {});
    // Assess
    await expect(refused).rejects.toThrow(
      new ConflictError(
        'release "r2" of "shop" cannot be returned to: api: version 2 of shop-api (pruned by keepVersions); web: site release r2 (pruned by keepReleases); deploy its artifact again',
      ),
    );
    expect(created).toEqual([]);
  });
});
