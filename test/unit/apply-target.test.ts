import { describe, expect, it } from 'vitest';
import { deploymentIdForRequest, type Deployment } from '../../shared/domain/deployment.js';
import { canonicalJson } from '../../shared/domain/configuration.js';
import { parseTarget, type Target } from '../../shared/domain/target.js';
import { requestRollback, type RollbackRequestDeps } from '../../shared/usecases/deployments.js';
import { applyTarget, type ApplyTargetDeps } from '../../shared/usecases/targets.js';
import { manualClock } from '../support/clock.js';
import { createHash } from 'node:crypto';
import { landedRecord } from '../support/deployment-view.js';

const NOW = '2026-12-03T10:00:00.000Z';
const ARTIFACT = { bucket: 'slipway-artifacts', key: 'releases/hello/r1.zip', versionId: 'v1' };
const SHA = 'ab'.repeat(32);

const fnBody = (configuration?: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'function',
  function: { name: 'hello' },
  ...(configuration ? { configuration } : {}),
  ...extra,
});

const siteBody = (runtimeConfig?: unknown) => ({
  kind: 'site',
  site: { bucket: 'www-origin', prefix: 'www/', distributionId: 'D1' },
  ...(runtimeConfig ? { runtimeConfig } : {}),
});

function landed(release: string, fields: Partial<Deployment> = {}): Deployment {
  return landedRecord(
    release,
    { artifact: ARTIFACT, sha256: SHA, fromVersion: '1', toVersion: '2', ...fields },
    fields.requestedAt ?? '2026-12-01T00:00:00.000Z',
  );
}

/** In-memory target and deployment stores, and an orchestrator that records what it was asked to start. */
function world(stored: unknown | undefined, history: Deployment[] = []) {
  const targets = new Map<string, Target>();
  if (stored) {
    const target = parseTarget({ name: 'hello', ...(stored as object) });
    targets.set(target.name, target);
  }
  const created: Deployment[] = [];
  const started: string[] = [];
  const deps: ApplyTargetDeps = {
    targets: {
      put: async (t) => void targets.set(t.name, t),
      get: async (name) => targets.get(name),
      list: async () => [...targets.values()],
    },
    deployments: {
      create: async (deployment) => {
        created.push(deployment);
        return { created: true, deployment };
      },
      get: async (id) => created.find((d) => d.id === id),
      update: async () => undefined,
      listByTarget: async () => [...created].reverse().concat(history),
    },
    orchestrator: { start: async (id) => void started.push(id) },
    clock: manualClock(NOW),
  };
  return { deps, targets, created, started };
}

describe('Function: applyTarget (configuration-only changes)', () => {
  it('starts nothing when the same configuration is applied again, in another key order', async () => {
    // Prepare
    const { deps, created, started } = world(fnBody({ environment: { AA: '1', BB: { secret: 'prod/b' } }, memorySize: 256 }), [landed('r1')]);
    // Act
    const applied = await applyTarget(deps, 'hello', fnBody({ memorySize: 256, environment: { BB: { secret: 'prod/b' }, AA: '1' } }));
    // Assess
    expect(applied).toMatchObject({ deploys: false, deployment: null, release: null, configurationChanges: [], dryRun: false });
    expect(applied.why).toBe('the configuration did not change; nothing to deploy');
    expect(created).toEqual([]);
    expect(started).toEqual([]);
  });

  it('deploys the live artifact again with trigger config when the configuration changed, naming the changed keys', async () => {
    // Prepare
    const { deps, targets, created, started } = world(fnBody({ environment: { AA: '1', GONE: 'x', KEY: { secret: 'prod/old' } } }), [
      landed('r2', { requestedAt: '2026-12-02T00:00:00.000Z', artifact: { ...ARTIFACT, key: 'releases/hello/r2.zip' }, sha256: 'cd'.repeat(32) }),
      landed('r1'),
    ]);
    const configuration = { environment: { AA: '2', KEY: { secret: 'prod/new' }, NEW: { parameter: '/prod/new' } }, timeout: 30 };
    // Act
    const applied = await applyTarget(deps, 'hello', fnBody(configuration), { requestedBy: 'arn:aws:iam::123456789012:user/ana' });
    // Assess
    expect(applied.configurationChanges).toEqual([
      { key: 'AA', change: 'changed', from: '"1"', to: '"2"' },
      { key: 'GONE', change: 'removed', from: '"x"' },
      { key: 'KEY', change: 'changed', from: 'secret prod/old', to: 'secret prod/new' },
      { key: 'NEW', change: 'added', to: 'SSM parameter /prod/new' },
      { key: 'timeout', change: 'added', to: '30' },
    ]);
    expect(created).toHaveLength(1);
    const [deployment] = created;
    const stored = targets.get('hello');
    expect(stored?.kind === 'function' && stored.configuration?.environment.AA).toBe('2');
    const digest = createHash('sha256')
      .update(canonicalJson(stored?.kind === 'function' ? stored.configuration : undefined))
      .digest('hex');
    expect(deployment).toMatchObject({
      id: deploymentIdForRequest('config', 'hello', digest, NOW),
      trigger: 'config',
      release: 'r2',
      status: 'queued',
      artifact: { ...ARTIFACT, key: 'releases/hello/r2.zip' },
      sha256: 'cd'.repeat(32),
      requestedBy: 'arn:aws:iam::123456789012:user/ana',
    });
    expect(deployment?.timeline[0]?.message).toBe(
      'configuration changed: added NEW, timeout; changed AA, KEY; removed GONE; deploying the live release r2 (from d-r2) again with it, requested by arn:aws:iam::123456789012:user/ana',
    );
    expect(started).toEqual([deployment?.id]);
    expect(applied).toMatchObject({ deploys: true, release: 'r2', deployment: { id: deployment?.id } });
  });

  it('takes a succeeded config deployment as the live release too', async () => {
    // Prepare
    const previous = landed('r1', { id: 'd-config-1', trigger: 'config', requestedAt: '2026-12-02T00:00:00.000Z' });
    const { deps, created } = world(fnBody({ environment: { AA: '1' } }), [previous, landed('r0')]);
    // Act
    await applyTarget(deps, 'hello', fnBody({ environment: { AA: '2' } }));
    // Assess
    expect(created[0]).toMatchObject({ release: 'r1', trigger: 'config', artifact: ARTIFACT });
    expect(created[0]?.timeline[0]?.message).toContain('(from d-config-1)');
  });

  it('stores a changed configuration and starts nothing when the target has no live release, saying the next release carries it', async () => {
    // Prepare
    const { deps, targets, created, started } = world(fnBody({ environment: { AA: '1' } }), [landed('r1', { status: 'failed' })]);
    // Act
    const applied = await applyTarget(deps, 'hello', fnBody({ environment: { AA: '2' } }));
    // Assess
    expect(applied).toMatchObject({ deploys: false, deployment: null, configurationChanges: [{ key: 'AA', change: 'changed' }] });
    expect(applied.why).toBe('the target has no live release through slipway; the configuration is stored and its next release carries it');
    expect(targets.get('hello')).toMatchObject({ configuration: { environment: { AA: '2' } } });
    expect(created).toEqual([]);
    expect(started).toEqual([]);
  });

  it('starts nothing while another deployment of the target is in flight, which could otherwise be undone', async () => {
    // Prepare
    const { deps, created } = world(fnBody({ environment: { AA: '1' } }), [landed('r2', { status: 'shifting', id: 'd-r2' }), landed('r1')]);
    // Act
    const applied = await applyTarget(deps, 'hello', fnBody({ environment: { AA: '2' } }));
    // Assess
    expect(applied.deploys).toBe(false);
    expect(applied.why).toMatch(/^deployment d-r2 of release r2 is shifting; the configuration is stored and goes out with the next release/);
    expect(created).toEqual([]);
  });

  it('starts nothing for a change of anything but the configuration', async () => {
    // Prepare
    const { deps, targets, created } = world(fnBody({ environment: { AA: '1' } }), [landed('r1')]);
    // Act
    const applied = await applyTarget(
      deps,
      'hello',
      fnBody({ environment: { AA: '1' } }, { strategy: 'Canary10Percent5Minutes', health: { alarms: ['errors'] } }),
    );
    // Assess
    expect(applied).toMatchObject({ deploys: false, configurationChanges: [] });
    expect(targets.get('hello')).toMatchObject({ strategy: 'Canary10Percent5Minutes' });
    expect(created).toEqual([]);
  });

  it('starts nothing for a new target, nor when the configuration is removed', async () => {
    // Prepare
    const fresh = world(undefined);
    const removed = world(fnBody({ environment: { AA: '1' } }), [landed('r1')]);
    // Act
    const first = await applyTarget(fresh.deps, 'hello', fnBody({ environment: { AA: '1' } }));
    const without = await applyTarget(removed.deps, 'hello', fnBody());
    // Assess
    expect(first).toMatchObject({ deploys: false, why: 'a new target; its first release carries the configuration' });
    expect(without).toMatchObject({ deploys: false, configurationChanges: [{ key: 'AA', change: 'removed', from: '"1"' }] });
    expect(without.why).toMatch(/slipway stops managing it/);
    expect([...fresh.created, ...removed.created]).toEqual([]);
  });

  it('stores nothing and starts nothing in a dry run, and says what would start', async () => {
    // Prepare
    const { deps, targets, created, started } = world(fnBody({ environment: { AA: '1' } }), [landed('r1')]);
    // Act
    const applied = await applyTarget(deps, 'hello', fnBody({ environment: { AA: '2' } }), { dryRun: true });
    // Assess
    expect(applied).toMatchObject({ dryRun: true, deploys: true, release: 'r1', deployment: null, configurationChanges: [{ key: 'AA', change: 'changed' }] });
    expect(targets.get('hello')).toMatchObject({ configuration: { environment: { AA: '1' } } });
    expect(created).toEqual([]);
    expect(started).toEqual([]);
  });

  it("deploys a site's live release again when its runtimeConfig changed, naming the values' keys", async () => {
    // Prepare
    const { deps, created } = world(siteBody({ values: { api: 'https://a', flags: { beta: false } } }), [landed('s1')]);
    // Act
    const applied = await applyTarget(deps, 'hello', siteBody({ path: 'env.json', values: { api: 'https://a', flags: { beta: true }, theme: 'dark' } }));
    // Assess
    expect(applied.configurationChanges).toEqual([
      { key: 'path', change: 'changed', from: 'config.json', to: 'env.json' },
      { key: 'values.flags', change: 'changed', from: '{"beta":false}', to: '{"beta":true}' },
      { key: 'values.theme', change: 'added', to: '"dark"' },
    ]);
    expect(created[0]).toMatchObject({ trigger: 'config', release: 's1', artifact: ARTIFACT, sha256: SHA });
  });
});

describe('Function: requestRollback (after a config deployment)', () => {
  it('returns to the version before a configuration-only deployment of the same release', async () => {
    // Prepare: r1 landed as version 2; a config deployment of r1 published version 3, which is live.
    const history = [
      landed('r1', { id: 'd-config', trigger: 'config', fromVersion: '2', toVersion: '3', requestedAt: '2026-12-02T00:00:00.000Z' }),
      landed('r1'),
    ];
    const created: Deployment[] = [];
    const deps: RollbackRequestDeps = {
      targets: { get: async () => parseTarget({ name: 'hello', ...fnBody() }) } as never,
      deployments: {
        create: async (deployment) => {
          created.push(deployment);
          return { created: true, deployment };
        },
        get: async () => undefined,
        update: async () => undefined,
        listByTarget: async () => history,
      },
      aliases: { getAlias: async () => ({ version: '3', revisionId: 'r' }) },
      versions: { listVersions: async () => ['1', '2', '3'].map((version) => ({ version, description: '' })) } as never,
      origins: { currentOriginPath: async () => '' },
      sites: { readJson: async () => ({}) },
      orchestrator: { start: async () => undefined },
      clock: manualClock(NOW),
    };
    // Act
    const rollback = await requestRollback(deps, { target: 'hello' });
    // Assess
    expect(rollback).toMatchObject({ trigger: 'rollback', release: 'r1', toVersion: '2' });
  });
});
