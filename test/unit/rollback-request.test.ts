import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../shared/domain/deployment.js';
import { ConflictError } from '../../shared/domain/errors.js';
import { functionTargetSchema, siteTargetSchema, type Target } from '../../shared/domain/target.js';
import { BEFORE_SLIPWAY_RELEASE, requestRollback, type RollbackRequestDeps } from '../../shared/usecases/deployments.js';
import { manualClock } from '../support/clock.js';
import { landedRecord } from '../support/deployment-view.js';

const fn = functionTargetSchema.parse({ name: 'hello', kind: 'function', function: { name: 'hello' } });
const site = siteTargetSchema.parse({ name: 'www', kind: 'site', site: { bucket: 'www-origin', prefix: 'www/', distributionId: 'D1' } });

function landed(release: string, fields: Partial<Deployment>): Deployment {
  return landedRecord(release, fields, fields.requestedAt);
}

function deps(target: Target, history: Deployment[], live: { version?: string; originPath?: string; versions?: string[]; prefixes?: string[] }) {
  const created: Deployment[] = [];
  const started: string[] = [];
  const d: RollbackRequestDeps = {
    targets: { get: async () => target } as never,
    deployments: {
      create: async (deployment: Deployment) => {
        created.push(deployment);
        return { created: true, deployment };
      },
      get: async () => undefined,
      update: async () => undefined,
      listByTarget: async () => history,
    },
    aliases: { getAlias: async () => ({ version: live.version ?? '1', revisionId: 'r' }) },
    versions: { listVersions: async () => (live.versions ?? []).map((version) => ({ version, description: '' })) } as never,
    origins: { currentOriginPath: async () => live.originPath ?? '' },
    sites: {
      readJson: async () => ({}),
      hasObjects: async (_bucket: string, prefix: string) => (live.prefixes ?? []).includes(prefix),
    },
    orchestrator: { start: async (id: string) => void started.push(id) } as never,
    clock: manualClock('2026-01-03T00:00:00.000Z'),
  };
  return { deps: d, created, started };
}

describe('Function: requestRollback (before slipway)', () => {
  it('goes back to the version the alias had before slipway’s first deployment, saying slipway did not deploy it', async () => {
    // Prepare
    const { deps: d, created, started } = deps(fn, [landed('r2', { fromVersion: '1', toVersion: '2' })], { version: '2', versions: ['1', '2'] });
    // Act
    const rollback = await requestRollback(d, { target: 'hello' });
    // Assess
    expect(rollback).toMatchObject({ release: BEFORE_SLIPWAY_RELEASE, trigger: 'rollback', toVersion: '1', preSlipway: true });
    expect(rollback.artifact).toBeUndefined();
    expect(rollback.reason).toContain("version 1, which was live before slipway's first deployment (slipway did not deploy it)");
    expect(created).toHaveLength(1);
    expect(started).toEqual([rollback.id]);
  });

  it('prefers a release slipway deployed when there is one to go back to', async () => {
    const history = [
      landed('r3', { fromVersion: '2', toVersion: '3', requestedAt: '2026-01-02T00:00:00.000Z' }),
      landed('r2', { fromVersion: '1', toVersion: '2' }),
    ];
    const { deps: d } = deps(fn, history, { version: '3', versions: ['1', '2', '3'] });
    expect(await requestRollback(d, { target: 'hello' })).toMatchObject({ release: 'r2', toVersion: '2' });
  });

  it('has nowhere to go once the version from before slipway was deleted', async () => {
    const { deps: d } = deps(fn, [landed('r2', { fromVersion: '1', toVersion: '2' })], { version: '2', versions: ['2'] });
    await expect(requestRollback(d, { target: 'hello' })).rejects.toThrow(new ConflictError('"hello" has no earlier release to roll back to'));
  });

  it('does not offer the version from before slipway while it is live', async () => {
    const history = [
      landed(BEFORE_SLIPWAY_RELEASE, { trigger: 'rollback', preSlipway: true, fromVersion: '2', toVersion: '1', requestedAt: '2026-01-02T00:00:00.000Z' }),
      landed('r2', { fromVersion: '1', toVersion: '2' }),
    ];
    const { deps: d } = deps(fn, history, { version: '1', versions: ['1', '2'] });
    expect(await requestRollback(d, { target: 'hello' })).toMatchObject({ release: 'r2', toVersion: '2' });
  });

  it.each([
    ['the bucket root', '', '(bucket root)'],
    ['a path of its own', '/legacy', '/legacy'],
  ])('switches a site back to %s it served before slipway’s first release', async (_, before, shown) => {
    // Prepare
    const { deps: d } = deps(site, [landed('r1', { target: 'www', toVersion: 'r1', fromOriginPath: before })], {
      originPath: '/www/r1',
      prefixes: [before.replace(/^\//, '')],
    });
    // Act
    const rollback = await requestRollback(d, { target: 'www' });
    // Assess
    expect(rollback).toMatchObject({ release: BEFORE_SLIPWAY_RELEASE, preSlipway: true, toOriginPath: before });
    expect(rollback.reason).toContain(`origin path ${shown}, which was live before slipway's first release`);
  });

  it('does not switch a site back to a path that no longer holds files', async () => {
    const { deps: d } = deps(site, [landed('r1', { target: 'www', toVersion: 'r1', fromOriginPath: '/legacy' })], { originPath: '/www/r1', prefixes: [] });
    await expect(requestRollback(d, { target: 'www' })).rejects.toThrow('no earlier release');
  });
});

describe('Function: requestRollback (site runtime configs)', () => {
  const history = [
    landed('r1', { target: 'www', trigger: 'config', fromVersion: 'r1~aaaaaaaaaaaa', toVersion: 'r1~bbbbbbbbbbbb', requestedAt: '2026-01-02T00:00:00.000Z' }),
    landed('r1', { target: 'www', toVersion: 'r1~aaaaaaaaaaaa' }),
  ];

  it('goes back to the same release with the config it had before a config-only deployment', async () => {
    const { deps: d } = deps(site, history, { originPath: '/www/r1~bbbbbbbbbbbb' });
    expect(await requestRollback(d, { target: 'www' })).toMatchObject({ release: 'r1', toVersion: 'r1~aaaaaaaaaaaa' });
  });

  it('takes a named release to its newest version that is not live', async () => {
    const { deps: d } = deps(site, history, { originPath: '/www/r1~bbbbbbbbbbbb' });
    expect(await requestRollback(d, { target: 'www', release: 'r1' })).toMatchObject({ release: 'r1', toVersion: 'r1~aaaaaaaaaaaa' });
  });
});
